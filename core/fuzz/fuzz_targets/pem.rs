//! `Key::from_pem` (PKCS#8 and PKCS#1 keys, with a certificate chain) and `Key::from_external`
//! on arbitrary text. A NUL byte splits the input into the key PEM and the chain PEM.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::Key;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (key_pem, chain_pem) = match text.split_once('\0') {
        Some((key, chain)) => (key, Some(chain)),
        None => (&*text, None),
    };
    if let Ok(key) = Key::from_pem(key_pem, chain_pem) {
        assert!(key.can_sign());
        // The leaf, when there is one, was checked against the private key.
        assert_eq!(key.certificate().is_some(), !key.certificate_chain_der().is_empty());
    }
    if let Ok(key) = Key::from_external(Some(&text), None) {
        assert!(!key.can_sign());
        assert!(!key.certificate_chain_der().is_empty());
    }
});
