//! `parse_token_response` and `Client::parse_token_response` on arbitrary answers of every status
//! class. Input: a status index, a content-type index, then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::{parse_token_response, MAX_EXPIRES_IN};
use maskinporten_fuzz::{x5c_client, NOW};

/// Success, client error, server error, and the odd ones (0 from a transport, 1xx, 3xx, > 599).
/// `seeds/make.sh` indexes the same table.
const STATUSES: [u16; 32] = [
    200, 201, 204, 299, 400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 425, 429, 500, 501, 502, 503, 504, 507, 0,
    100, 199, 300, 302, 304, 399, 599, 600, 65535,
];
const CONTENT_TYPES: [Option<&str>; 8] = [
    None,
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("text/html"),
    Some("text/plain"),
    Some("application/x-www-form-urlencoded"),
    Some("TEXT/HTML; charset=iso-8859-1"),
    Some(""),
];

fuzz_target!(|data: &[u8]| {
    let [status, content_type, body @ ..] = data else { return };
    let status = STATUSES[usize::from(*status) % STATUSES.len()];
    let content_type = CONTENT_TYPES[usize::from(*content_type) % CONTENT_TYPES.len()];
    let plain = parse_token_response(status, body, content_type, NOW);
    let with_environment = x5c_client().parse_token_response(status, body, content_type, NOW);
    match (&plain, &with_environment) {
        (Ok(token), Ok(same)) => {
            assert_eq!(token, same);
            assert!((200..300).contains(&status), "a token from HTTP {status}");
            assert!(!token.access_token().is_empty());
            assert!((1..=MAX_EXPIRES_IN).contains(&token.expires_in()));
            assert_eq!(token.expires_at(), NOW + token.expires_in());
        }
        (Err(error), Err(same)) => {
            // The environment only changes hints, never what kind of failure it is.
            assert_eq!(error.kind(), same.kind());
            assert_eq!(error.status(), same.status());
            assert_eq!(error.is_retryable(), same.is_retryable());
            assert!(error.status() == Some(status) || error.status().is_none());
        }
        _ => panic!("with and without an environment disagree: {plain:?} / {with_environment:?}"),
    }
});
