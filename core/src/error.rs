//! The one error type of the crate.
//!
//! Local mistakes (a bad key, a bad argument, a certificate outside its validity) are kept apart
//! from remote answers (an OAuth error with its MP code, a malformed response, a server that is
//! unavailable). Every variant carries a stable [`Error::kind`] string that bindings and the shared
//! test vectors use, and a message that says what happened and what to do. No variant ever holds a
//! private key, a password, a whole token or a whole response body.

pub use crate::error_kind::ErrorKind;
use std::fmt;

/// Shorthand for `Result<T, maskinporten::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong, grouped by what the caller can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The key material could not be used: unreadable file, wrong password, no RSA key, no entry
    /// with the given alias. Fix the key or the password. `kind` is one of `invalid_key`,
    /// `wrong_password`, `wrong_key_password`, `key_not_found`, `unsupported_key`.
    #[error("{message}")]
    Key {
        /// Stable kind.
        kind: ErrorKind,
        /// What is wrong and how to fix it (never contains secret material).
        message: String,
    },

    /// An argument or configuration value is not acceptable; `field` names it (for example
    /// `consumer_org` or `lifetime`). Nothing was signed or sent. Bindings in dynamic languages
    /// use the kind `invalid_argument` for a value they cannot convert at all (a wrong type, an
    /// unknown option name such as `consumerOrgno`), before the core sees it.
    #[error("{field}: {message}")]
    InvalidArgument {
        /// Stable kind, such as `invalid_consumer_org` or `conflicting_delegation`.
        kind: ErrorKind,
        /// The field or parameter at fault, as named in the grant or the API.
        field: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// The certificate used for `x5c` is expired or not yet valid at the given `now`.
    #[error(
        "certificate \"{subject}\" is not valid at {} (valid from {} to {}): renew the enterprise certificate, or check the host clock",
        crate::time::format_utc(*now), crate::time::format_utc(*not_before), crate::time::format_utc(*not_after)
    )]
    CertificateNotValid {
        /// Subject of the certificate.
        subject: String,
        /// Start of validity (Unix seconds).
        not_before: i64,
        /// End of validity (Unix seconds).
        not_after: i64,
        /// The time the grant was built for (Unix seconds).
        now: i64,
    },

    /// Maskinporten answered with an OAuth error, usually carrying an `MP-nnn` code (boxed to
    /// keep `Result`s small on the hot path).
    #[error("{0}")]
    OAuth(Box<OAuthError>),

    /// The server's answer is not a usable token response (HTML, truncated JSON, missing fields,
    /// a `token_type` other than Bearer, an absurd `expires_in`).
    #[error("malformed token response (HTTP {status}): {message}; body starts: {snippet:?}")]
    MalformedResponse {
        /// HTTP status of the answer.
        status: u16,
        /// What was wrong with it.
        message: String,
        /// A short, sanitized start of the body (never a token).
        snippet: String,
    },

    /// An access token failed validation ([`crate::Validator`]); `kind` names the check
    /// (`token_expired`, `unknown_kid`, `signature_invalid`, `insufficient_scope`, ...). The message
    /// never quotes the token.
    #[error("access token rejected ({kind}): {message}")]
    InvalidToken {
        /// Stable kind naming the failed check.
        kind: ErrorKind,
        /// What failed and, where useful, what the caller should do.
        message: String,
    },

    /// Digdir's self-service API refused the request (HTTP 4xx); see [`SelfServiceError`].
    #[error("{0}")]
    SelfService(Box<crate::selfservice::SelfServiceError>),

    /// Altinn's token exchange refused the request (HTTP 4xx): `kind` is
    /// `altinn_exchange_invalid` (400, 410), `altinn_token_rejected` (401) or `altinn_forbidden` (403).
    #[error("{message}")]
    Altinn {
        /// Stable kind.
        kind: ErrorKind,
        /// HTTP status.
        status: u16,
        /// What happened and what to do.
        message: String,
    },

    /// The server or the network could not answer now (HTTP 5xx or 429 without an OAuth error,
    /// a timeout, a reset connection). Retry with backoff.
    #[error("Maskinporten unavailable{}: {message}{}; retry later", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(), if snippet.is_empty() { String::new() } else { format!("; body starts: {snippet:?}") })]
    Unavailable {
        /// HTTP status, when there was an HTTP answer at all.
        status: Option<u16>,
        /// What happened.
        message: String,
        /// A short, sanitized start of the body, if any.
        snippet: String,
    },
}

/// An OAuth error answered by the token endpoint (`{"error": ..., "error_description": ...}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status of the answer (usually 400).
    pub status: u16,
    /// OAuth error code such as `invalid_grant` or `invalid_scope`.
    pub error: String,
    /// The server's description, which usually carries the `MP-nnn` code.
    pub error_description: Option<String>,
    /// Link to documentation, if the server gave one.
    pub error_uri: Option<String>,
    /// The `MP-nnn` code parsed from the description.
    pub mp_code: Option<String>,
    /// One actionable line for this code, from the protocol documentation.
    pub hint: Option<String>,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Maskinporten refused the request (HTTP {}): {}", self.status, self.error)?;
        if let Some(description) = &self.error_description {
            write!(f, ": {description}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, ". Hint: {hint}")?;
        }
        Ok(())
    }
}

impl Error {
    /// A stable, machine-readable name for this error (for example `invalid_consumer_org`,
    /// `wrong_password`, `oauth_error`). Part of the public contract: the shared test vectors and
    /// every binding use these strings.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Key { kind, .. }
            | Error::InvalidArgument { kind, .. }
            | Error::InvalidToken { kind, .. }
            | Error::Altinn { kind, .. } => *kind,
            Error::CertificateNotValid { .. } => ErrorKind::CertificateNotValid,
            Error::SelfService(e) => e.kind,
            Error::OAuth(_) => ErrorKind::OauthError,
            Error::MalformedResponse { .. } => ErrorKind::MalformedResponse,
            Error::Unavailable { .. } => ErrorKind::Unavailable,
        }
    }

    /// Whether trying again later may succeed: the server was unavailable (5xx, 429, no answer).
    /// Local mistakes and OAuth refusals with a 4xx status are not retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Unavailable { .. } => true,
            Error::OAuth(e) => is_retryable_status(e.status),
            Error::MalformedResponse { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }

    /// The HTTP status of a remote answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::OAuth(e) => Some(e.status),
            Error::SelfService(e) => Some(e.status),
            Error::Altinn { status, .. } => Some(*status),
            Error::MalformedResponse { status, .. } => Some(*status),
            Error::Unavailable { status, .. } => *status,
            _ => None,
        }
    }

    /// The `MP-nnn` code of an OAuth error, if the server gave one.
    pub fn mp_code(&self) -> Option<&str> {
        match self {
            Error::OAuth(e) => e.mp_code.as_deref(),
            _ => None,
        }
    }

    /// The actionable hint of an OAuth error, if there is one for its code.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::OAuth(e) => e.hint.as_deref(),
            Error::SelfService(e) => Some(&e.hint),
            _ => None,
        }
    }

    /// The field an [`Error::InvalidArgument`] is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidArgument { field, .. } => Some(field),
            _ => None,
        }
    }

    /// For hosts: a transport failure (timeout, refused or reset connection) before any HTTP
    /// answer. It is retryable, like a 503.
    pub fn unavailable(message: impl Into<String>) -> Error {
        Error::Unavailable { status: None, message: message.into(), snippet: String::new() }
    }

    /// For hosts: an external signer (HSM, KMS, platform keystore) failed to sign. Kind
    /// `signer_failed`; not retryable by this crate (the host knows whether its signer is).
    pub fn signer_failed(message: impl Into<String>) -> Error {
        Error::key(ErrorKind::SignerFailed, message)
    }

    pub(crate) fn key(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::Key { kind, message: message.into() }
    }

    pub(crate) fn token(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::InvalidToken { kind, message: message.into() }
    }

    pub(crate) fn invalid(kind: ErrorKind, field: &'static str, message: impl Into<String>) -> Error {
        Error::InvalidArgument { kind, field, message: message.into() }
    }
}

/// 5xx and 429 are worth retrying; everything else is an answer.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}
