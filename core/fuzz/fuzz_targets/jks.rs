//! `Key::from_jks` on arbitrary bytes, seeded with keytool's JKS and JCEKS stores and the PKCS#12
//! fixtures, with the right password and a wrong one, and a separate key password.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::Key;
use maskinporten_fuzz::assert_not_in_error;

fuzz_target!(|data: &[u8]| {
    for (password, key_password) in [("fixture-pw", None), ("wrong-password", None), ("fixture-pw", Some("key-pw"))] {
        match Key::from_jks(data, password, None, key_password) {
            Ok(key) => assert!(key.can_sign()),
            Err(error) => {
                assert_not_in_error(&error, password, "password");
                if let Some(key_password) = key_password {
                    assert_not_in_error(&error, key_password, "key password");
                }
            }
        }
    }
});
