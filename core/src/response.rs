//! Reading the token endpoint's answer.

use crate::environment::Environment;
use crate::error::{is_retryable_status, Error, OAuthError, Result};
use crate::hints;
use crate::snippet::{sanitize, snippet};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// Longest `expires_in` we believe (one day); Maskinporten issues minutes.
pub const MAX_EXPIRES_IN: i64 = 86_400;

/// An access token and when it expires. Cheap to clone. `Debug` does not show the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    inner: Arc<TokenInner>,
}

#[derive(PartialEq, Eq)]
struct TokenInner {
    access_token: String,
    token_type: String,
    expires_in: i64,
    scope: Option<String>,
    issued_at: i64,
}

impl AccessToken {
    /// A token from its parts (for hosts that persist tokens, and for tests).
    pub fn new(access_token: impl Into<String>, expires_in: i64, scope: Option<String>, issued_at: i64) -> AccessToken {
        AccessToken {
            inner: Arc::new(TokenInner {
                access_token: access_token.into(),
                token_type: "Bearer".into(),
                expires_in,
                scope,
                issued_at,
            }),
        }
    }

    /// The opaque token to send as `Authorization: Bearer <token>`. Do not log it.
    pub fn access_token(&self) -> &str {
        &self.inner.access_token
    }

    /// `Bearer`.
    pub fn token_type(&self) -> &str {
        &self.inner.token_type
    }

    /// Lifetime in seconds, as the server said.
    pub fn expires_in(&self) -> i64 {
        self.inner.expires_in
    }

    /// The granted scopes, space-separated, if the server said.
    pub fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// When the response was parsed (the `now` given), Unix seconds.
    pub fn issued_at(&self) -> i64 {
        self.inner.issued_at
    }

    /// `issued_at + expires_in`, Unix seconds.
    pub fn expires_at(&self) -> i64 {
        self.inner.issued_at.saturating_add(self.inner.expires_in)
    }

    /// When to fetch a new token: earlier than expiry by the smaller of `skew` and half the
    /// lifetime, so short tokens (capped by a scope's `at_max_age`) are not refreshed constantly.
    pub fn refresh_at(&self, skew: i64) -> i64 {
        let early = skew.clamp(0, self.inner.expires_in.max(0) / 2);
        self.expires_at() - early
    }

    /// Whether the token is still good to use without refreshing at `now`.
    pub fn is_fresh(&self, now: i64, skew: i64) -> bool {
        now < self.refresh_at(skew)
    }

    /// Whether the token has expired at `now`.
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &format_args!("<redacted, {} chars>", self.inner.access_token.len()))
            .field("token_type", &self.inner.token_type)
            .field("expires_in", &self.inner.expires_in)
            .field("scope", &self.inner.scope)
            .field("issued_at", &self.inner.issued_at)
            .finish()
    }
}

/// Reads the token endpoint's answer without an environment (hints then speak generally). See
/// [`crate::Client::parse_token_response`].
pub fn parse_token_response(status: u16, body: &[u8], content_type: Option<&str>, now: i64) -> Result<AccessToken> {
    parse(status, body, content_type, now, None)
}

pub(crate) fn parse(
    status: u16,
    body: &[u8],
    content_type: Option<&str>,
    now: i64,
    environment: Option<&Environment>,
) -> Result<AccessToken> {
    let json: Option<serde_json::Map<String, Value>> = serde_json::from_slice(body).ok();
    if (200..300).contains(&status) {
        return match json {
            Some(object) => success(status, &object, now),
            None => Err(malformed(status, not_json_reason(body, content_type), snippet(body))),
        };
    }
    if let Some(object) = &json {
        if let Some(error) = object.get("error").and_then(Value::as_str) {
            return Err(oauth_error(status, error, object, environment));
        }
    }
    let body_snippet = match &json {
        Some(object) => field_list(object),
        None => snippet(body),
    };
    if is_retryable_status(status) {
        let message = if body.is_empty() { "empty body".to_string() } else { not_json_reason(body, content_type) };
        return Err(Error::Unavailable { status: Some(status), message, snippet: body_snippet });
    }
    let message = match &json {
        Some(_) => format!("HTTP {status} without an OAuth \"error\" field"),
        None => format!("HTTP {status} and {}", not_json_reason(body, content_type)),
    };
    Err(malformed(status, message, body_snippet))
}

fn success(status: u16, object: &serde_json::Map<String, Value>, now: i64) -> Result<AccessToken> {
    let fields = field_list(object);
    let fail = |message: String| malformed(status, message, fields.clone());
    let access_token = match object.get("access_token") {
        Some(Value::String(token)) if !token.is_empty() => token.clone(),
        Some(_) => return Err(fail("access_token is not a non-empty string".into())),
        None => return Err(fail("no access_token in a success response".into())),
    };
    match object.get("token_type").and_then(Value::as_str) {
        Some(kind) if kind.eq_ignore_ascii_case("bearer") => {}
        Some(other) => return Err(fail(format!("token_type is {:?}, expected \"Bearer\"", sanitize(other, 40)))),
        None => return Err(fail("no token_type (expected \"Bearer\")".into())),
    }
    let expires_in = match object.get("expires_in").and_then(Value::as_i64) {
        Some(seconds) if (1..=MAX_EXPIRES_IN).contains(&seconds) => seconds,
        Some(seconds) => return Err(fail(format!("expires_in is {seconds}, outside 1..={MAX_EXPIRES_IN} seconds"))),
        None => return Err(fail("expires_in is missing or not a whole number of seconds".into())),
    };
    let scope = match object.get("scope") {
        Some(Value::String(scope)) => Some(scope.clone()),
        None | Some(Value::Null) => None,
        Some(_) => return Err(fail("scope is not a string".into())),
    };
    Ok(AccessToken::new(access_token, expires_in, scope, now))
}

fn oauth_error(
    status: u16,
    error: &str,
    object: &serde_json::Map<String, Value>,
    environment: Option<&Environment>,
) -> Error {
    // Quoted through the snippet rules too: a description could echo the grant it refused.
    let text = |name: &str| object.get(name).and_then(Value::as_str).map(|s| sanitize(s, 500));
    let error_description = text("error_description");
    let mp_code = error_description.as_deref().and_then(hints::find_mp_code);
    let hint = hints::hint(mp_code.as_deref(), error, environment);
    Error::OAuth(Box::new(OAuthError {
        status,
        error: sanitize(error, 100),
        error_description,
        error_uri: text("error_uri"),
        mp_code,
        hint,
    }))
}

fn malformed(status: u16, message: String, snippet: String) -> Error {
    Error::MalformedResponse { status, message, snippet }
}

fn not_json_reason(body: &[u8], content_type: Option<&str>) -> String {
    let looks_html = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    if body.iter().all(u8::is_ascii_whitespace) {
        "an empty body".into()
    } else if looks_html {
        "an HTML page instead of JSON (a proxy or error page in front of Maskinporten?)".into()
    } else {
        "a body that is not a JSON object (truncated or not JSON)".into()
    }
}

/// The keys of a JSON body, never its values: a success body holds a token.
fn field_list(object: &serde_json::Map<String, Value>) -> String {
    let keys: Vec<&str> = object.keys().map(String::as_str).take(12).collect();
    format!("{{fields: {}}}", sanitize(&keys.join(", "), 300))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_body_never_leaks_into_errors() {
        let body = br#"{"access_token":"secret-token-value","token_type":"MAC","expires_in":120}"#;
        let err = parse_token_response(200, body, Some("application/json"), 100).unwrap_err();
        assert_eq!(err.kind(), "malformed_response");
        assert!(!err.to_string().contains("secret-token-value"));
        assert!(!format!("{err:?}").contains("secret-token-value"));
    }

    #[test]
    fn unparsable_success_bodies_are_quoted_without_their_token() {
        let token = "opaque42";
        let json = format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":120}}"#);
        for body in [
            format!("\u{feff}{json}"),
            format!("{json} trailing"),
            format!("{json}{json}"),
            format!("[{json}]"),
            format!("access_token={token}&token_type=Bearer&expires_in=120"),
            format!(r#"{{"access_token":"{token}","#),
        ] {
            let err = parse_token_response(200, body.as_bytes(), Some("application/json"), 100).unwrap_err();
            assert_eq!(err.kind(), "malformed_response", "{body}");
            for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
                assert!(!shown.contains(token), "{body:?} showed {shown}");
            }
            assert!(err.to_string().contains("access_token"), "the quote still helps: {err}");
        }
    }

    #[test]
    fn oauth_error_texts_are_quoted_without_tokens() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl";
        let body = format!(r#"{{"error":"invalid_grant","error_description":"Invalid assertion {jwt} (MP-100)"}}"#);
        let err = parse_token_response(400, body.as_bytes(), Some("application/json"), 100).unwrap_err();
        assert_eq!(err.mp_code(), Some("MP-100"));
        assert!(!err.to_string().contains("eyJpc3MiOiJ4In0"), "{err}");
    }

    #[test]
    fn debug_redacts_token() {
        let token = AccessToken::new("abc.def.ghi", 120, None, 0);
        assert!(!format!("{token:?}").contains("abc.def"));
    }

    #[test]
    fn refresh_window_is_relative_to_lifetime() {
        let short = AccessToken::new("t", 20, None, 1000);
        assert_eq!(short.refresh_at(60), 1010);
        let long = AccessToken::new("t", 120, None, 1000);
        assert_eq!(long.refresh_at(30), 1090);
    }
}
