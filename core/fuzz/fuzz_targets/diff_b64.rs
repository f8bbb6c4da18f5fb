//! Differential: the validator's base64url decoder (`validator/b64.rs`) against the `base64`
//! crate's `URL_SAFE_NO_PAD` engine. The input is decoded by both (same answer, or both refuse),
//! and encoded by the crate then decoded by ours (the input comes back).
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use maskinporten::fuzzing::b64url_decode;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    assert_eq!(b64url_decode(&text), URL_SAFE_NO_PAD.decode(text.as_bytes()).ok(), "decoding {text:?}");
    assert_eq!(b64url_decode(&URL_SAFE_NO_PAD.encode(data)).as_deref(), Some(data), "round trip");
});
