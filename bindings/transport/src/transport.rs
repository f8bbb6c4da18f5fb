//! One HTTP exchange: the core's request out, status and the headers the core reads back. No
//! retries, no timeouts here: the provider aborts an exchange when the core's step says so.

use crate::clock::BoxFuture;
use maskinporten::{Error, HttpRequest, HttpResponse, Result, TransportFailure};
use std::fmt;

/// Largest body read from the server; a token response or a JWKS is a few kilobytes. Longer
/// bodies are cut here and the core reports them as malformed.
const MAX_BODY: usize = 256 * 1024;

/// Sends the requests the core's flows ask for. The default is [`ReqwestTransport`]; tests and
/// hosts with their own HTTP stack give another to [`crate::TokenProvider::with_transport`] and
/// [`crate::TokenValidator::with_transport`].
///
/// The provider aborts an exchange at the step's deadline (it drops the future) and reports a
/// timeout itself: an implementation needs no timeout of its own.
pub trait Transport: Send + Sync {
    /// Sends `request` exactly as built (method, URL, headers, body) and reads the answer.
    fn send<'a>(&'a self, request: &'a HttpRequest) -> BoxFuture<'a, std::result::Result<RawResponse, TransportError>>;
}

/// An HTTP answer as received, unparsed: the core reads it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any and readable.
    pub content_type: Option<String>,
    /// The `Retry-After` header, if any and readable.
    pub retry_after: Option<String>,
    /// The body (the reqwest transport reads at most 256 KiB).
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The answer as the core's flows take it.
    pub fn as_http(&self) -> HttpResponse<'_> {
        HttpResponse::new(self.status, &self.body)
            .with_content_type(self.content_type.as_deref())
            .with_retry_after(self.retry_after.as_deref())
    }
}

impl fmt::Debug for RawResponse {
    // The body may hold an access token: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("retry_after", &self.retry_after)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// No HTTP answer: what kind of failure, and the HTTP client's description of it (it must not
/// hold a secret; a URL is fine). The core turns it into its retryable `unavailable` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// Timeout, connect, reset, TLS or other.
    pub failure: TransportFailure,
    /// What the HTTP client said.
    pub detail: String,
}

impl TransportError {
    /// A failure of this kind with this description.
    pub fn new(failure: TransportFailure, detail: impl Into<String>) -> TransportError {
        TransportError { failure, detail: detail.into() }
    }
}

/// The reqwest client this crate uses by default: rustls with the platform's CA store, no
/// redirects (a token endpoint that redirects is misconfigured; the core reports the answer),
/// a `maskinporten-transport/<version>` user agent. No timeouts: the core's steps carry them.
pub fn default_http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("maskinporten-transport/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::unavailable(format!("could not set up the HTTP client: {}", root_cause(&e))))
}

/// [`Transport`] over a [`reqwest::Client`] (yours, or [`default_http_client`]).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    http: reqwest::Client,
}

impl ReqwestTransport {
    /// Sends with `http` (your proxy, extra roots, pool shared with your API calls).
    pub fn new(http: reqwest::Client) -> ReqwestTransport {
        ReqwestTransport { http }
    }

    /// Sends with [`default_http_client`].
    pub fn with_default_client() -> Result<ReqwestTransport> {
        Ok(ReqwestTransport::new(default_http_client()?))
    }
}

impl Transport for ReqwestTransport {
    fn send<'a>(&'a self, request: &'a HttpRequest) -> BoxFuture<'a, std::result::Result<RawResponse, TransportError>> {
        Box::pin(exchange(&self.http, request))
    }
}

async fn exchange(http: &reqwest::Client, request: &HttpRequest) -> std::result::Result<RawResponse, TransportError> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
        TransportError::new(TransportFailure::Other, format!("unknown HTTP method {:?}", request.method))
    })?;
    let mut builder = http.request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if !request.body.is_empty() {
        builder = builder.body(request.body.clone());
    }
    let mut response = builder.send().await.map_err(|e| transport_error(&e))?;
    let header = |name: reqwest::header::HeaderName| {
        response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let retry_after = header(reqwest::header::RETRY_AFTER);
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e))? {
        let room = MAX_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_BODY {
            break;
        }
    }
    Ok(RawResponse { status, content_type, retry_after, body })
}

/// Names a reqwest failure by the core's transport-failure kinds.
pub(crate) fn transport_error(error: &reqwest::Error) -> TransportError {
    TransportError::new(failure_kind(error), root_cause(error))
}

fn failure_kind(error: &reqwest::Error) -> TransportFailure {
    if error.is_timeout() {
        TransportFailure::Timeout
    } else if error.is_connect() {
        // rustls reports a failed handshake as an InvalidData I/O error; a TCP connect never does.
        if has_io_kind(error, std::io::ErrorKind::InvalidData) {
            TransportFailure::Tls
        } else {
            TransportFailure::Connect
        }
    } else if error.is_body() || error.is_decode() || error.is_request() {
        TransportFailure::Reset
    } else {
        TransportFailure::Other
    }
}

/// Whether an I/O error of `kind` is in `error`'s chain, looking inside I/O errors too (their
/// `source()` skips the error they wrap, which is where hyper puts rustls's).
fn has_io_kind(error: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut next = Some(error);
    while let Some(current) = next {
        next = current.source();
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            if io.kind() == kind {
                return true;
            }
            if let Some(inner) = io.get_ref() {
                next = Some(inner);
            }
        }
    }
    false
}

pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
