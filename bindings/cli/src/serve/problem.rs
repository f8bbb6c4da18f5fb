//! Error answers: JSON with the error's kind, message, `MP-nnn` code and hint, and the HTTP
//! status the core's classification implies.
//!
//! | what failed | status |
//! |---|---|
//! | Maskinporten unreachable, 5xx, 429, a timeout (`is_retryable`) | 503 with `Retry-After` |
//! | Maskinporten refused the client or scope (`invalid_scope`, `invalid_grant`, `invalid_client`, `unauthorized_client`, `access_denied`) | 403 |
//! | Maskinporten refused the request's shape (`invalid_request`, `invalid_authorization_details`, ...) | 400 |
//! | a request field the core refuses (`invalid_consumer_org`, `invalid_resource`, ...) | 400 |
//! | an answer from Maskinporten that is not a token response | 502 |
//! | the service's own key or certificate (`certificate_not_valid`, `signer_failed`, ...) | 500 |
//!
//! The body keeps texas's `error`/`error_description` and adds `kind`, `mp_code`, `hint` and
//! `field`. Core messages never hold a token, grant or key.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maskinporten::{Error, ErrorKind};
use serde_json::json;

/// How long a caller should wait after an outage answer (the core's flow already retried
/// within its deadline before giving up).
const RETRY_AFTER_SECONDS: u32 = 5;

/// An error answer (boxed: handlers return it in `Result`s on every path).
#[derive(Debug)]
pub struct ApiError(Box<Problem>);

/// What an error answer says.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub kind: String,
    pub message: String,
    pub mp_code: Option<String>,
    pub hint: Option<String>,
    pub field: Option<String>,
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// A service-level error (`kind` is one of the service's own: `unauthorized`,
    /// `unknown_client`, `scope_not_allowed`, `invalid_request`, `payload_too_large`,
    /// `unsupported_identity_provider`, `altinn_platform_unknown`, `overloaded`, `timeout`).
    pub fn service(status: StatusCode, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError(Box::new(Problem {
            status,
            kind: kind.to_string(),
            message: message.into(),
            mp_code: None,
            hint: None,
            field: None,
            retry_after: (status == StatusCode::SERVICE_UNAVAILABLE).then_some(1),
        }))
    }

    /// The same answer, naming the request field it is about.
    pub fn with_field(mut self, field: &str) -> ApiError {
        self.0.field = Some(field.to_string());
        self
    }

    /// A bad request naming `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::service(StatusCode::BAD_REQUEST, "invalid_request", message).with_field(field)
    }

    /// The answer to a core error.
    pub fn from_core(error: &Error) -> ApiError {
        let status = status_of(error);
        ApiError(Box::new(Problem {
            status,
            kind: error.kind().as_str().to_string(),
            message: error.to_string(),
            mp_code: error.mp_code().map(str::to_string),
            hint: error.hint().map(str::to_string),
            field: error.field().map(str::to_string),
            retry_after: (status == StatusCode::SERVICE_UNAVAILABLE).then_some(RETRY_AFTER_SECONDS),
        }))
    }

    /// The outcome label for metrics: `refused`, `unavailable`, `invalid_request`, `error`.
    pub fn outcome(&self) -> &'static str {
        match self.status.as_u16() {
            503 => "unavailable",
            403 if self.mp_code.is_some() || self.kind == "oauth_error" => "refused",
            400 | 403 | 404 | 413 | 415 | 422 => "invalid_request",
            401 => "unauthorized",
            _ => "error",
        }
    }
}

fn status_of(error: &Error) -> StatusCode {
    if error.is_retryable() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    match error {
        Error::OAuth(oauth) => match oauth.error.as_str() {
            "invalid_scope" | "invalid_grant" | "invalid_client" | "unauthorized_client" | "access_denied" => {
                StatusCode::FORBIDDEN
            }
            _ => StatusCode::BAD_REQUEST,
        },
        Error::MalformedResponse { .. } => StatusCode::BAD_GATEWAY,
        Error::InvalidArgument { .. } => match error.kind() {
            // The service's own configuration, not the caller's request.
            ErrorKind::InvalidEnvironment
            | ErrorKind::InvalidClientId
            | ErrorKind::InvalidLifetime
            | ErrorKind::InvalidKid
            | ErrorKind::InvalidAlgorithm
            | ErrorKind::InvalidNow
            | ErrorKind::MissingCertificateOrKid
            | ErrorKind::MissingSigningKey => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        },
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl std::ops::Deref for ApiError {
    type Target = Problem;

    fn deref(&self) -> &Problem {
        &self.0
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(problem) = self;
        let problem = *problem;
        let body = json!({
            "error": problem.kind,
            "error_description": problem.message,
            "kind": problem.kind,
            "mp_code": problem.mp_code,
            "hint": problem.hint,
            "field": problem.field,
        });
        let mut response = (problem.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = problem.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if problem.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_are_503_with_retry_after_and_refusals_4xx() {
        let outage = ApiError::from_core(&Error::unavailable("no answer"));
        assert_eq!(
            (outage.status, outage.retry_after, outage.outcome()),
            (StatusCode::SERVICE_UNAVAILABLE, Some(5), "unavailable")
        );
        let signer = ApiError::from_core(&Error::signer_failed("hsm down"));
        assert_eq!(signer.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(signer.kind, "signer_failed");
        let bad = ApiError::invalid("target", "missing");
        assert_eq!(
            (bad.status, bad.field.as_deref(), bad.outcome()),
            (StatusCode::BAD_REQUEST, Some("target"), "invalid_request")
        );
    }
}
