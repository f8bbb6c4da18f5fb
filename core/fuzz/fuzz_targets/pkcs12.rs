//! `Key::from_pkcs12` on arbitrary bytes, seeded with the PKCS#12 fixtures (MAC-less ones
//! included, so mutations reach the bag walker without breaking a MAC). Each input is tried with
//! the fixtures' password, the vectors' password and the empty one: one of them is right for
//! each seed and the others take the wrong-password paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::Key;
use maskinporten_fuzz::assert_not_in_error;

const PASSWORDS: [&str; 3] = ["fixture-pw", "vector-password", ""];

fuzz_target!(|data: &[u8]| {
    for password in PASSWORDS {
        match Key::from_pkcs12(data, password, None) {
            Ok(key) => {
                assert!(key.can_sign(), "a key loaded from PKCS#12 holds its private half");
                assert!(!key.fingerprint().is_empty());
                assert!(key.public_jwk().is_some());
            }
            Err(error) => assert_not_in_error(&error, password, "password"),
        }
    }
    // The alias path (friendly names, subjects, localKeyId in hex) on the keytool fixture's names.
    let _ = Key::from_pkcs12(data, PASSWORDS[0], Some("second"));
});
