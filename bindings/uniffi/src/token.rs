//! Access tokens and response parsing.

use crate::error::Result;
use std::sync::Arc;

/// An access token from Maskinporten. `toString()`/`description` redacts the token itself.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct AccessToken(pub(crate) maskinporten::AccessToken);

#[uniffi::export]
impl AccessToken {
    /// The bearer token (opaque; send it as `Authorization: Bearer ...`). Secret: do not log it.
    pub fn access_token(&self) -> String {
        self.0.access_token().to_string()
    }

    /// `Bearer`.
    pub fn token_type(&self) -> String {
        self.0.token_type().to_string()
    }

    /// Lifetime in seconds, as the server said.
    pub fn expires_in(&self) -> i64 {
        self.0.expires_in()
    }

    /// The granted scopes, space-separated, if the server said.
    pub fn scope(&self) -> Option<String> {
        self.0.scope().map(str::to_string)
    }

    /// When it was received (Unix seconds).
    pub fn issued_at(&self) -> i64 {
        self.0.issued_at()
    }

    /// When it expires (Unix seconds).
    pub fn expires_at(&self) -> i64 {
        self.0.expires_at()
    }

    /// `Authorization` header value: `Bearer <token>`. Secret: do not log it.
    pub fn authorization_header(&self) -> String {
        format!("Bearer {}", self.0.access_token())
    }
}

/// Reads a token endpoint's answer without a client (hints then name no environment).
#[uniffi::export(default(content_type = None))]
pub fn parse_token_response(
    status: u16,
    body: Vec<u8>,
    content_type: Option<String>,
    now: i64,
) -> Result<Arc<AccessToken>> {
    Ok(Arc::new(AccessToken(maskinporten::parse_token_response(status, &body, content_type.as_deref(), now)?)))
}

/// The current time in Unix seconds (for hosts; the protocol functions take `now` as a value).
#[uniffi::export]
pub fn unix_now() -> i64 {
    maskinporten::unix_now()
}
