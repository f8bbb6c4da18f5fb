//! What the host must send.

/// One HTTP header.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// An HTTP request for the host to send as-is. The body of a token request holds a signed
/// grant, which is single-use and short-lived; do not log it.
#[derive(Clone, uniffi::Record)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub body: String,
}

impl From<maskinporten::HttpRequest> for HttpRequest {
    fn from(r: maskinporten::HttpRequest) -> Self {
        HttpRequest {
            method: r.method,
            url: r.url,
            headers: r.headers.into_iter().map(|(name, value)| Header { name, value }).collect(),
            body: r.body,
        }
    }
}

/// HTTP status as the core takes it; a value no HTTP client produces becomes 0 (no answer).
pub(crate) fn http_status(status: i32) -> u16 {
    u16::try_from(status).unwrap_or(0)
}
