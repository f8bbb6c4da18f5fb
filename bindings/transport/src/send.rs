//! One HTTP exchange: the core's request out, status/content type/body back. No retries here.

use maskinporten::{AccessToken, Client, Environment, Error, HttpRequest, Result};
use std::time::Duration;

/// Largest body read from the server; a token response is a few kilobytes. Longer bodies are
/// cut here and the core reports them as malformed.
const MAX_BODY: usize = 256 * 1024;

/// What came back, unparsed: for the core's `parse_*` functions.
#[derive(Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any and readable.
    pub content_type: Option<String>,
    /// The body (at most 256 KiB).
    pub body: Vec<u8>,
}

impl std::fmt::Debug for RawResponse {
    // The body may hold an access token: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The reqwest client this crate uses by default: rustls with the platform's CA store, no
/// redirects (a token endpoint that redirects is misconfigured; the core reports the answer),
/// a `maskinporten-transport/<version>` user agent.
pub fn default_http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("maskinporten-transport/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| Error::unavailable(format!("could not set up the HTTP client: {}", root_cause(&e))))
}

/// Sends one request exactly as the core built it (method, URL, headers, body) and reads the
/// answer, within `timeout`. A failure before an HTTP answer (refused, reset, timeout, TLS)
/// becomes [`Error::unavailable`], which is retryable.
pub async fn send_request(http: &reqwest::Client, request: &HttpRequest, timeout: Duration) -> Result<RawResponse> {
    match tokio::time::timeout(timeout, exchange(http, request)).await {
        Ok(result) => result,
        Err(_) => Err(Error::unavailable(format!("no answer from {} within {} ms", request.url, timeout.as_millis()))),
    }
}

async fn exchange(http: &reqwest::Client, request: &HttpRequest) -> Result<RawResponse> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|_| Error::unavailable(format!("the core built an unknown HTTP method {:?}", request.method)))?;
    let mut builder = http.request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if !request.body.is_empty() {
        builder = builder.body(request.body.clone());
    }
    let mut response = builder.send().await.map_err(|e| transport_error(&e, &request.url))?;
    let status = response.status().as_u16();
    let content_type =
        response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e, &request.url))? {
        let room = MAX_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_BODY {
            break;
        }
    }
    Ok(RawResponse { status, content_type, body })
}

/// Sends a token request built by [`Client::token_request`] once and lets the core read the
/// answer. Use [`crate::TokenProvider`] for caching and retries.
pub async fn send_token_request(
    http: &reqwest::Client,
    client: &Client,
    request: &HttpRequest,
    timeout: Duration,
) -> Result<AccessToken> {
    let raw = send_request(http, request, timeout).await?;
    client.parse_token_response(raw.status, &raw.body, raw.content_type.as_deref(), maskinporten::unix_now())
}

/// Reads an issuer's RFC 8414 metadata (`{issuer}.well-known/oauth-authorization-server`) into
/// an [`Environment`], through the core's [`Environment::metadata_request`] and
/// [`Environment::from_metadata`].
///
/// ```no_run
/// # async fn run() -> Result<(), maskinporten::Error> {
/// let http = maskinporten_transport::default_http_client()?;
/// let env = maskinporten_transport::fetch_metadata(&http, "https://test.maskinporten.no/").await?;
/// assert_eq!(env.token_endpoint(), "https://test.maskinporten.no/token");
/// # Ok(()) }
/// ```
pub async fn fetch_metadata(http: &reqwest::Client, issuer: &str) -> Result<Environment> {
    let request = Environment::metadata_request(issuer)?;
    let raw = send_request(http, &request, Duration::from_secs(10)).await?;
    match raw.status {
        200 => Environment::from_metadata(&raw.body),
        429 | 500..=599 => Err(Error::Unavailable {
            status: Some(raw.status),
            message: format!("the metadata document at {} could not be fetched", request.url),
            snippet: String::new(),
        }),
        status => Err(Error::MalformedResponse {
            status,
            message: format!("no metadata document at {}: check the issuer URL", request.url),
            snippet: String::new(),
        }),
    }
}

/// A transport failure as the core's retryable error, named by what happened.
pub(crate) fn transport_error(error: &reqwest::Error, url: &str) -> Error {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the connection broke while reading the answer"
    } else {
        "the request failed"
    };
    Error::unavailable(format!("{what} ({url}): {}", root_cause(error)))
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
