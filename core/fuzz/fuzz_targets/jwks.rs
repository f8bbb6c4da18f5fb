//! `Validator::update_jwks` on arbitrary bytes; when the set loads, a vector token is validated
//! against it through the validation flow, so keys with odd moduli and exponents reach the
//! signature check, and a fresh set is never refetched.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::{Environment, ValidationStep, Validator};
use maskinporten_fuzz::{requirements, NOW, VALID_TOKEN};

fuzz_target!(|data: &[u8]| {
    let mut validator = Validator::new(Environment::test());
    match validator.update_jwks(data, NOW) {
        Ok(()) => {
            assert!(validator.has_jwks());
            let now_ms = NOW * 1000 + 1000;
            let mut call = validator.validation(now_ms);
            let step = validator.poll_validation(&mut call, VALID_TOKEN.trim(), &requirements(), now_ms);
            assert!(!matches!(step, ValidationStep::FetchJwks { .. }), "a fresh JWKS is not refetched");
            assert!(!matches!(step, ValidationStep::Wait { .. }), "nothing else is fetching");
        }
        Err(_) => assert!(!validator.has_jwks()),
    }
});
