//! HTTP requests the host must send, as plain values.

/// `grant_type` of the JWT-bearer grant (RFC 7523).
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A request for the host's HTTP client: send it as is and hand the answer back to the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
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

#[cfg(test)]
mod tests {
    #[test]
    fn token_body_is_form_encoded() {
        let request = super::HttpRequest::token("https://test.maskinporten.no/token", "a.b.c");
        assert_eq!(request.body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c");
        assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    }
}
