//! What the host must send.

use std::fmt;

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// An HTTP request for the host to send as-is. An object, not a record: the body of a token
/// request holds a signed grant (a credential for up to 120 s), and `toString()`/`description`
/// must not print it.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct HttpRequest(pub(crate) maskinporten::HttpRequest);

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.0.method)
            .field("url", &self.0.url)
            .field("headers", &names)
            .field("body", &format_args!("<{} bytes>", self.0.body.len()))
            .finish()
    }
}

#[uniffi::export]
impl HttpRequest {
    /// `POST` or `GET`.
    pub fn method(&self) -> String {
        self.0.method.clone()
    }

    /// The URL to send it to.
    pub fn url(&self) -> String {
        self.0.url.clone()
    }

    /// The headers to send (a token request's `Content-Type`, ...).
    pub fn headers(&self) -> Vec<Header> {
        self.0.headers.iter().map(|(name, value)| Header { name: name.clone(), value: value.clone() }).collect()
    }

    /// The body (a token request's form, with the signed grant: do not log it).
    pub fn body(&self) -> String {
        self.0.body.clone()
    }
}
