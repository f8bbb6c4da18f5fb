//! What a host reports back after sending a request the flow asked for.

use crate::error::Error;
use std::fmt;

/// An HTTP answer, as the host received it. Only the two headers the flows read are carried:
/// `Content-Type` (to tell an HTML error page from JSON) and `Retry-After`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HttpResponse<'a> {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The `Retry-After` header, if any (delay-seconds or an HTTP-date).
    pub retry_after: Option<&'a str>,
    /// The body (hosts may cut it at 256 KiB; the core reports a cut body as malformed).
    pub body: &'a [u8],
}

impl<'a> HttpResponse<'a> {
    /// An answer with this status and body and no headers the flow reads.
    pub fn new(status: u16, body: &'a [u8]) -> HttpResponse<'a> {
        HttpResponse { status, content_type: None, retry_after: None, body }
    }

    /// Adds the `Content-Type` header.
    pub fn with_content_type(mut self, content_type: Option<&'a str>) -> HttpResponse<'a> {
        self.content_type = content_type;
        self
    }

    /// Adds the `Retry-After` header.
    pub fn with_retry_after(mut self, retry_after: Option<&'a str>) -> HttpResponse<'a> {
        self.retry_after = retry_after;
        self
    }
}

impl fmt::Debug for HttpResponse<'_> {
    // The body of a token response is a token: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("retry_after", &self.retry_after)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// Why there was no HTTP answer at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TransportFailure {
    /// No answer before the step's `timeout_at_ms` (the host aborted the exchange).
    Timeout,
    /// The connection could not be made (refused, unreachable, DNS).
    Connect,
    /// The connection broke after it was made (reset, closed mid-answer).
    Reset,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// Anything else the HTTP client reported.
    Other,
}

impl TransportFailure {
    /// `timeout`, `connect`, `reset`, `tls` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportFailure::Timeout => "timeout",
            TransportFailure::Connect => "connect",
            TransportFailure::Reset => "reset",
            TransportFailure::Tls => "tls",
            TransportFailure::Other => "other",
        }
    }

    /// The retryable [`Error::Unavailable`] this failure becomes. `detail` is the HTTP client's
    /// own description (it must not hold a secret; a URL is fine).
    pub fn to_error(self, url: &str, detail: &str) -> Error {
        let what = match self {
            TransportFailure::Timeout => "timed out",
            TransportFailure::Connect => "could not connect",
            TransportFailure::Reset => "the connection broke",
            TransportFailure::Tls => "the TLS handshake failed",
            TransportFailure::Other => "the request failed",
        };
        let detail: String = detail.chars().filter(|c| !c.is_control()).take(200).collect();
        if detail.is_empty() {
            Error::unavailable(format!("{what} ({url})"))
        } else {
            Error::unavailable(format!("{what} ({url}): {detail}"))
        }
    }
}

impl std::str::FromStr for TransportFailure {
    type Err = Error;

    /// Parses the names of [`TransportFailure::as_str`].
    fn from_str(name: &str) -> Result<TransportFailure, Error> {
        Ok(match name {
            "timeout" => TransportFailure::Timeout,
            "connect" => TransportFailure::Connect,
            "reset" => TransportFailure::Reset,
            "tls" => TransportFailure::Tls,
            "other" => TransportFailure::Other,
            _ => {
                return Err(Error::invalid(
                    crate::ErrorKind::InvalidArgument,
                    "failure",
                    format!("{name:?} is not a transport failure: timeout, connect, reset, tls or other"),
                ))
            }
        })
    }
}
