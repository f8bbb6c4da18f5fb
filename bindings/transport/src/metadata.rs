//! Reading an issuer's RFC 8414 metadata into an [`Environment`].

use crate::clock::BoxFuture;
use crate::transport::{ReqwestTransport, Transport};
use maskinporten::{Environment, Error, Result, RetryPolicy};
use std::time::Duration;

/// Reads an issuer's RFC 8414 metadata (`{issuer}.well-known/oauth-authorization-server`) into
/// an [`Environment`], through the core's [`Environment::metadata_request`] and
/// [`Environment::from_metadata`]. One attempt, within the core's default per-attempt timeout.
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
    let transport = ReqwestTransport::new(http.clone());
    let limit = Duration::from_millis(u64::try_from(RetryPolicy::default().attempt_timeout_ms()).unwrap_or(10_000));
    let sent: BoxFuture<'_, _> = transport.send(&request);
    let raw = match tokio::time::timeout(limit, sent).await {
        Ok(Ok(raw)) => raw,
        Ok(Err(error)) => return Err(error.failure.to_error(&request.url, &error.detail)),
        Err(_) => {
            return Err(maskinporten::TransportFailure::Timeout.to_error(&request.url, "no answer in time"));
        }
    };
    // The core reads the document; mapping the status stays here until the core offers
    // `parse_metadata_response` (CORE-REQUESTS.md, item 2).
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
