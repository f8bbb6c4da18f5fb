//! The HTTP answer to a request whose token is refused (RFC 6750 §3), once for every adapter.

use super::Requirements;
use crate::error::{Error, ErrorKind};

/// How an API answers a request it refuses: status, `WWW-Authenticate`, a small JSON body and,
/// for an issuer outage, `Retry-After`. Framework adapters (FastAPI, Flask, servlet filter, axum,
/// the JS middlewares) send it as is.
///
/// | error | status | challenge |
/// |---|---|---|
/// | no token (no header, another scheme) | 401 | `Bearer` (no error code, RFC 6750 §3.1) |
/// | a malformed `Authorization: Bearer` header | 400 | `error="invalid_request"` |
/// | a bad token (malformed, expired, signature, issuer, unknown `kid`, ...) | 401 | `error="invalid_token"` |
/// | missing scope, audience, `pid`, consent or system user, or a consumer not served | 403 | `error="insufficient_scope"`, `scope="..."` when scopes are required |
/// | the issuer's keys cannot be fetched (`unavailable`, `jwks_missing`) | 503 | none; `Retry-After` |
/// | anything else (a misconfigured validator) | 500 | none; the body does not say why |
///
/// The body is `{"error": <the RFC 6750 code, when there is one>, "kind": <the core's kind>,
/// "error_description": <what failed>}`; it never quotes the token.
///
/// ```
/// use maskinporten::{bearer_token, Rejection, Requirements};
/// let requirements = Requirements::any_scope(["brreg:reelle/offentlig"]);
/// let rejection = Rejection::for_error(&bearer_token(None).unwrap_err(), &requirements);
/// assert_eq!((rejection.status(), rejection.www_authenticate()), (401, Some("Bearer")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: u16,
    www_authenticate: Option<String>,
    body: String,
    retry_after_seconds: Option<u32>,
    kind: ErrorKind,
}

/// Retry-After for an issuer outage when the validator's own back-off is not known.
const DEFAULT_RETRY_AFTER_SECONDS: u32 = 30;

impl Rejection {
    /// The answer to `error` (from validation or from [`crate::bearer_token`]) for an API with
    /// these requirements.
    pub fn for_error(error: &Error, requirements: &Requirements) -> Rejection {
        Rejection::with_retry_after(error, requirements, DEFAULT_RETRY_AFTER_SECONDS)
    }

    pub(crate) fn with_retry_after(error: &Error, requirements: &Requirements, retry_after_seconds: u32) -> Rejection {
        let kind = error.kind();
        let description = header_safe(&description(error));
        let (status, code) = match kind {
            ErrorKind::TokenMissing => (401, None),
            ErrorKind::InvalidAuthorizationHeader => (400, Some("invalid_request")),
            ErrorKind::InsufficientScope
            | ErrorKind::AudienceMismatch
            | ErrorKind::PidMissing
            | ErrorKind::ConsumerNotAllowed
            | ErrorKind::ConsentInvalid
            | ErrorKind::SystemUserMissing => (403, Some("insufficient_scope")),
            ErrorKind::Unavailable | ErrorKind::JwksMissing => (503, Some("temporarily_unavailable")),
            kind if kind.is_token_check() => (401, Some("invalid_token")),
            _ => (500, Some("server_error")),
        };
        let www_authenticate = match (status, code) {
            (401, None) => Some("Bearer".to_string()),
            (400 | 401 | 403, Some(code)) => {
                let mut challenge = format!("Bearer error=\"{code}\", error_description=\"{description}\"");
                if status == 403 && !requirements.scopes().is_empty() {
                    challenge.push_str(&format!(", scope=\"{}\"", header_safe(&requirements.scopes().join(" "))));
                }
                Some(challenge)
            }
            _ => None,
        };
        let public_description = if status == 500 {
            "the API could not validate the token (server configuration); see the API's logs".to_string()
        } else {
            description
        };
        let mut body = serde_json::Map::new();
        if let Some(code) = code {
            body.insert("error".into(), code.into());
        }
        body.insert("kind".into(), if status == 500 { "server_error" } else { kind.as_str() }.into());
        body.insert("error_description".into(), public_description.into());
        Rejection {
            status,
            www_authenticate,
            body: serde_json::Value::Object(body).to_string(),
            retry_after_seconds: (status == 503).then_some(retry_after_seconds.max(1)),
            kind,
        }
    }

    /// The HTTP status: 400, 401, 403, 500 or 503.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `WWW-Authenticate` header value (none for 500 and 503).
    pub fn www_authenticate(&self) -> Option<&str> {
        self.www_authenticate.as_deref()
    }

    /// The JSON body (`Content-Type: application/json`).
    pub fn body(&self) -> &str {
        &self.body
    }

    /// `Retry-After` in seconds, for 503.
    pub fn retry_after_seconds(&self) -> Option<u32> {
        self.retry_after_seconds
    }

    /// The kind of the error that caused it (for the host's logs and metrics).
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Every header to send: `WWW-Authenticate` (when there is one), `Content-Type`,
    /// `Cache-Control: no-store` and `Retry-After` (503).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::with_capacity(4);
        if let Some(challenge) = &self.www_authenticate {
            headers.push(("WWW-Authenticate", challenge.clone()));
        }
        headers.push(("Content-Type", "application/json".to_string()));
        headers.push(("Cache-Control", "no-store".to_string()));
        if let Some(seconds) = self.retry_after_seconds {
            headers.push(("Retry-After", seconds.to_string()));
        }
        headers
    }
}

fn description(error: &Error) -> String {
    match error {
        Error::InvalidToken { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// RFC 6750's `error_description` characters (%x20-21 / %x23-5B / %x5D-7E), at most 200.
fn header_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bearer_token;

    fn requirements() -> Requirements {
        Requirements::any_scope(["a:read", "a:write"])
    }

    fn token_error(kind: ErrorKind) -> Error {
        Error::token(kind, "what failed, with a \"quote\" and æ")
    }

    #[test]
    fn no_token_gets_a_bare_challenge() {
        let rejection = Rejection::for_error(&bearer_token(Some("Basic x")).unwrap_err(), &requirements());
        assert_eq!(rejection.status(), 401);
        assert_eq!(rejection.www_authenticate(), Some("Bearer"));
        assert!(!rejection.body().contains("\"error\""), "no error code without a token: {}", rejection.body());
    }

    #[test]
    fn each_kind_has_its_status() {
        let cases = [
            (ErrorKind::InvalidAuthorizationHeader, 400, "invalid_request"),
            (ErrorKind::TokenExpired, 401, "invalid_token"),
            (ErrorKind::SignatureInvalid, 401, "invalid_token"),
            (ErrorKind::UnknownKid, 401, "invalid_token"),
            (ErrorKind::InsufficientScope, 403, "insufficient_scope"),
            (ErrorKind::AudienceMismatch, 403, "insufficient_scope"),
            (ErrorKind::PidMissing, 403, "insufficient_scope"),
            (ErrorKind::ConsumerNotAllowed, 403, "insufficient_scope"),
        ];
        for (kind, status, code) in cases {
            let rejection = Rejection::for_error(&token_error(kind), &requirements());
            assert_eq!(rejection.status(), status, "{kind}");
            let challenge = rejection.www_authenticate().unwrap();
            assert!(challenge.starts_with(&format!("Bearer error=\"{code}\"")), "{challenge}");
            assert!(challenge.contains("'quote'") && challenge.contains('?'), "header-safe: {challenge}");
            assert_eq!(challenge.contains("scope=\"a:read a:write\""), status == 403, "{challenge}");
        }
    }

    #[test]
    fn outages_are_503_and_misconfiguration_500() {
        let outage = Rejection::for_error(&Error::unavailable("JWKS unreachable"), &requirements());
        assert_eq!((outage.status(), outage.retry_after_seconds(), outage.www_authenticate()), (503, Some(30), None));
        assert!(outage.headers().contains(&("Retry-After", "30".to_string())));
        let misconfigured = Requirements::any_scope(Vec::<String>::new()).check().unwrap_err();
        let rejection = Rejection::for_error(&misconfigured, &requirements());
        assert_eq!(rejection.status(), 500);
        assert!(!rejection.body().contains("any_scope_unchecked"), "500s do not explain the configuration");
    }
}
