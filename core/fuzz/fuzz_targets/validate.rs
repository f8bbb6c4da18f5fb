//! `Validator::validate` on arbitrary token text, against the vectors' issuer JWKS, seeded with
//! the validation vectors' tokens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::MAX_TOKEN_BYTES;
use maskinporten_fuzz::{requirements, vector_validator, NOW};

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    if let Ok(validated) = vector_validator().validate(&token, NOW, &requirements()) {
        assert!(token.len() <= MAX_TOKEN_BYTES);
        assert!(validated.scopes.iter().any(|s| s == "test:scope.read"));
        assert!(validated.expires_at.saturating_add(10) >= NOW, "an expired token passed");
        let claims: serde_json::Value = serde_json::from_str(&validated.claims_json).expect("claims are JSON");
        assert_eq!(claims["iss"], "https://test.maskinporten.no/");
    }
});
