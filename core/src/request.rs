//! HTTP requests the host must send, as plain values.

use crate::redact::{self, Redacted};
use std::fmt;

/// `grant_type` of the JWT-bearer grant (RFC 7523).
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A request for the host's HTTP client: send it as is and hand the answer back to the crate.
///
/// `Debug` shows the method, the URL and the headers, but not the body (the token request's body
/// is the signed grant, a credential for up to 120 s) nor the value of a credential header.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `POST` for the token request, `GET` for metadata and JWKS.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (empty for `GET`). For the token request it holds the signed grant: do not log it.
    pub body: String,
}

/// The token request: `POST {token_endpoint}` with a form body carrying the grant.
pub type TokenRequest = HttpRequest;

impl HttpRequest {
    pub(crate) fn get(url: String) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            url,
            headers: vec![("Accept".into(), "application/json".into())],
            body: String::new(),
        }
    }

    /// The token request for an already signed grant.
    pub(crate) fn token(token_endpoint: &str, assertion: &str) -> HttpRequest {
        let body = form_urlencoded::Serializer::new(String::with_capacity(assertion.len() + 96))
            .append_pair("grant_type", JWT_BEARER_GRANT_TYPE)
            .append_pair("assertion", assertion)
            .finish();
        HttpRequest {
            method: "POST".into(),
            url: token_endpoint.into(),
            headers: vec![
                ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
                ("Accept".into(), "application/json".into()),
            ],
            body,
        }
    }

    /// The value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [(String, String)]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut list = f.debug_list();
                for (name, value) in self.0 {
                    if redact::is_sensitive_header(name) {
                        list.entry(&(name, Redacted(value.len())));
                    } else {
                        list.entry(&(name, value));
                    }
                }
                list.finish()
            }
        }
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &Headers(&self.headers))
            .field("body", &Redacted(self.body.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_body_is_form_encoded() {
        let request = super::HttpRequest::token("https://test.maskinporten.no/token", "a.b.c");
        assert_eq!(request.body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c");
        assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    }

    #[test]
    fn debug_shows_neither_the_grant_nor_credential_headers() {
        let mut request = super::HttpRequest::token("https://test.maskinporten.no/token", "grant.jwt.text");
        request.headers.push(("Authorization".into(), "Bearer token-text".into()));
        for shown in [format!("{request:?}"), format!("{request:#?}")] {
            assert!(!shown.contains("grant.jwt.text") && !shown.contains("token-text"), "{shown}");
            assert!(shown.contains("https://test.maskinporten.no/token") && shown.contains("application/json"));
            assert!(shown.contains(&format!("<redacted, {} bytes>", request.body.len())), "{shown}");
        }
    }
}
