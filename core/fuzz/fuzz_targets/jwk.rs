//! `Key::from_jwk` on arbitrary text: a private RSA JWK with its `kid`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::Key;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = Key::from_jwk(&String::from_utf8_lossy(data)) {
        assert!(key.can_sign());
        assert!(key.kid().is_some(), "a JWK key always carries its kid");
        let public: serde_json::Value = serde_json::from_str(&key.public_jwk().expect("public JWK")).expect("JSON");
        assert_eq!(public["kid"].as_str(), key.kid());
    }
});
