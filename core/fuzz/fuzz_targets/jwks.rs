//! `Validator::update_jwks` on arbitrary bytes; when the set loads, a vector token is validated
//! against it, so keys with odd moduli and exponents reach the signature check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::{Environment, Validator};
use maskinporten_fuzz::{requirements, NOW, VALID_TOKEN};

fuzz_target!(|data: &[u8]| {
    let mut validator = Validator::new(Environment::test());
    match validator.update_jwks(data, NOW) {
        Ok(()) => {
            assert!(validator.has_jwks());
            assert!(validator.jwks_request(NOW + 1).is_none(), "a fresh JWKS is not refetched");
            let _ = validator.validate(VALID_TOKEN.trim(), NOW, &requirements());
        }
        Err(_) => assert!(!validator.has_jwks()),
    }
});
