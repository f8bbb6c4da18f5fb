//! Reading the `Authorization` header (RFC 7235 §2.1, RFC 6750 §2.1), once for every adapter.

use crate::error::{Error, ErrorKind, Result};
use crate::validator::MAX_TOKEN_BYTES;

/// The token of an `Authorization: Bearer <token>` header value.
///
/// The scheme is case-insensitive (`bearer` works), followed by one or more spaces and a
/// `b64token` (`A-Z a-z 0-9 - . _ ~ + /`, then optional `=`). No header, an empty one, or
/// another scheme (`Basic ...`) is [`ErrorKind::TokenMissing`] (RFC 6750 §3.1: answer 401 with
/// a bare challenge); a Bearer header that does not follow the syntax is
/// [`ErrorKind::InvalidAuthorizationHeader`] (answer 400). Errors never quote the header.
///
/// ```
/// use maskinporten::bearer_token;
/// assert_eq!(bearer_token(Some("bearer eyJhbGciOi.eyJpc3Mi.c2ln")).unwrap(), "eyJhbGciOi.eyJpc3Mi.c2ln");
/// assert_eq!(bearer_token(Some("Basic dXNlcjpwYXNz")).unwrap_err().kind(), "token_missing");
/// assert_eq!(bearer_token(Some("Bearer a b")).unwrap_err().kind(), "invalid_authorization_header");
/// ```
pub fn bearer_token(authorization: Option<&str>) -> Result<&str> {
    let value = authorization.map(|v| v.trim_matches([' ', '\t'])).unwrap_or("");
    if value.is_empty() {
        return Err(missing());
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(missing());
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty() {
        return Err(malformed("the Bearer scheme has no token after it"));
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Error::token(ErrorKind::TokenTooLarge, format!("the token is over {MAX_TOKEN_BYTES} bytes")));
    }
    let body = token.trim_end_matches('=');
    if body.is_empty() || !body.bytes().all(is_b64token_char) {
        return Err(malformed(
            "the token has characters a bearer token cannot have (a space, a quote, a comma...): send exactly \
             \"Bearer <token>\"",
        ));
    }
    Ok(token)
}

/// The token itself when `token` starts with a Bearer scheme (any case), else `token` as is:
/// what `Validator::validate` accepts, so a whole header value works too.
pub(crate) fn strip_scheme(token: &str) -> &str {
    let trimmed = token.trim();
    match trimmed.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim_start(),
        _ => trimmed,
    }
}

fn is_b64token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

fn missing() -> Error {
    Error::token(ErrorKind::TokenMissing, "a Maskinporten bearer token is required (Authorization: Bearer <token>)")
}

fn malformed(why: &str) -> Error {
    Error::token(ErrorKind::InvalidAuthorizationHeader, format!("malformed Authorization header: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_is_case_insensitive_and_spaces_are_one_or_more() {
        for header in ["Bearer abc.def.ghi", "bearer abc.def.ghi", "BEARER  abc.def.ghi", " Bearer abc.def.ghi \t"] {
            assert_eq!(bearer_token(Some(header)).unwrap(), "abc.def.ghi", "{header:?}");
        }
        assert_eq!(bearer_token(Some("Bearer a+b/c==")).unwrap(), "a+b/c==");
    }

    #[test]
    fn missing_and_other_schemes() {
        for header in [None, Some(""), Some("   "), Some("Basic dXNlcjpwYXNz"), Some("Bearerx abc"), Some("Token abc")]
        {
            assert_eq!(bearer_token(header).unwrap_err().kind(), ErrorKind::TokenMissing, "{header:?}");
        }
    }

    #[test]
    fn malformed_bearer_headers_never_quote_the_token() {
        for header in
            ["Bearer", "Bearer ", "Bearer secret-part other", "Bearer secret\"x", "Bearer ==", "Bearer secret,x"]
        {
            let error = bearer_token(Some(header)).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidAuthorizationHeader, "{header:?}");
            assert!(!error.to_string().contains("secret"), "{error}");
        }
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_BYTES + 1));
        assert_eq!(bearer_token(Some(&long)).unwrap_err().kind(), ErrorKind::TokenTooLarge);
    }

    #[test]
    fn strip_scheme_accepts_a_whole_header_value() {
        assert_eq!(strip_scheme("bearer a.b.c"), "a.b.c");
        assert_eq!(strip_scheme(" a.b.c "), "a.b.c");
    }
}
