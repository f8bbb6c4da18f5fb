//! Error texts never quote a token (issue 12, item 7). A token-bearing answer (a JSON object, a
//! form body or an array holding an `access_token`, `id_token`, `refresh_token` or `assertion`
//! member) is wrapped in arbitrary bytes (a BOM, trailing data, a second document...); whatever
//! the parser answers, neither the error's text nor its `Debug` may contain the token.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use maskinporten::parse_token_response;
use maskinporten_fuzz::{assert_not_in_error, NOW};

const MEMBERS: [&str; 4] = ["access_token", "id_token", "refresh_token", "assertion"];
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

#[derive(Arbitrary, Debug)]
enum Shape {
    Object,
    Form,
    Array,
}

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let (Ok(shape), Ok(member), Ok(status), Ok(prefix), Ok(suffix)) = (
        Shape::arbitrary(&mut input),
        input.choose(&MEMBERS),
        input.int_in_range(0u16..=599),
        Vec::<u8>::arbitrary(&mut input),
        Vec::<u8>::arbitrary(&mut input),
    ) else {
        return;
    };
    // An opaque token of 16 to 40 characters: long enough never to match message text by chance.
    let Ok(len) = input.int_in_range(16usize..=40) else { return };
    let token: String = (0..len).map_while(|_| input.choose(TOKEN_CHARS).ok()).map(|b| char::from(*b)).collect();
    if token.len() < 16 {
        return;
    }
    let document = match shape {
        Shape::Object => format!(r#"{{"{member}":"{token}","token_type":"Bearer","expires_in":120}}"#),
        Shape::Form => format!("{member}={token}&token_type=Bearer&expires_in=120"),
        Shape::Array => format!(r#"[{{"{member}":"{token}","token_type":"Bearer","expires_in":120}}]"#),
    };
    let body = [prefix.as_slice(), document.as_bytes(), suffix.as_slice()].concat();
    // When the token text also appears outside the member's value (the fuzzer copied it into a
    // key, say), quoting that other place is allowed: only the value is secret.
    if String::from_utf8_lossy(&body).matches(token.as_str()).count() != 1 {
        return;
    }
    // An OAuth error object's own texts (`error_description`) are the server's words, quoted by
    // design; the fuzzer can build one around the form-encoded shape.
    let object = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&body);
    if object.is_ok_and(|object| object.get("error").is_some_and(serde_json::Value::is_string)) {
        return;
    }
    for content_type in [Some("application/json"), None] {
        if let Err(error) = parse_token_response(status, &body, content_type, NOW) {
            assert_not_in_error(&error, &token, member);
        }
    }
});
