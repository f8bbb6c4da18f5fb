//! `Key::from_jks` on arbitrary bytes, seeded with keytool's JKS and JCEKS stores and the PKCS#12
//! fixtures, with the right password and a wrong one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::Key;
use maskinporten_fuzz::assert_not_in_error;

fuzz_target!(|data: &[u8]| {
    for password in ["fixture-pw", "wrong-password"] {
        match Key::from_jks(data, password, None) {
            Ok(key) => assert!(key.can_sign()),
            Err(error) => assert_not_in_error(&error, password, "password"),
        }
    }
});
