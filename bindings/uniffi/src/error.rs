//! The core's error enum, mapped once. Kotlin sees `MaskinportenException` with one subclass per
//! variant; Swift sees `MaskinportenError`. Every variant carries the same fields, so a caller
//! can read `kind`, `status`, `mpCode`, `hint`, `field` and `retryable` without a cast.

use maskinporten::{Error, ErrorKind};

/// Everything that can go wrong, by what the caller can do about it. `kind` is the core's
/// [`ErrorKind`] (Kotlin `ErrorKind.WRONG_PASSWORD`, Swift `.wrongPassword`; its stable string
/// is `wrong_password`); `detail` is the core's message: what happened and what to do. (The
/// field is not called `message` because Kotlin's `Throwable.message` owns that name; there it
/// lists every field.) `status` is the HTTP status of a remote answer, `error` the OAuth error
/// code, `mp_code` the `MP-nnn` id, `hint` one actionable line, `field` the argument at fault,
/// `retryable` whether trying later may succeed. No field ever holds a key, a password or a token.
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum MaskinportenError {
    /// The key could not be used (unreadable, wrong password, no such alias, not RSA).
    #[error("{detail}")]
    Key {
        kind: ErrorKind,
        detail: String,
        status: Option<u16>,
        error: Option<String>,
        mp_code: Option<String>,
        hint: Option<String>,
        field: Option<String>,
        retryable: bool,
    },
    /// An argument is not acceptable; `field` names it. Nothing was signed or sent.
    #[error("{detail}")]
    InvalidArgument {
        kind: ErrorKind,
        detail: String,
        status: Option<u16>,
        error: Option<String>,
        mp_code: Option<String>,
        hint: Option<String>,
        field: Option<String>,
        retryable: bool,
    },
    /// The certificate is not valid at `now`.
    #[error("{detail}")]
    CertificateNotValid {
        kind: ErrorKind,
        detail: String,
        status: Option<u16>,
        error: Option<String>,
        mp_code: Option<String>,
        hint: Option<String>,
        field: Option<String>,
        retryable: bool,
    },
    /// Maskinporten refused (OAuth error, usually with an `MP-nnn` code and a hint).
    #[error("{detail}")]
    OAuth {
        kind: ErrorKind,
        detail: String,
        status: Option<u16>,
        error: Option<String>,
        mp_code: Option<String>,
        hint: Option<String>,
        field: Option<String>,
        retryable: bool,
    },
    /// The answer is not a usable token response.
    #[error("{detail}")]
    MalformedResponse {
        kind: ErrorKind,
        detail: String,
        status: Option<u16>,
        error: Option<String>,
        mp_code: Option<String>,
        hint: Option<String>,
        field: Option<String>,
        retryable: bool,
    },
    /// An access token failed validation; `kind` names the check (`token_expired`,
    /// `unknown_kid`, `signature_invalid`, `insufficient_scope`, ...).
    #[error("{detail}")]
    InvalidToken {
        kind: ErrorKind,
        detail: String,
        status: Option<u16>,
        error: Option<String>,
        mp_code: Option<String>,
        hint: Option<String>,
        field: Option<String>,
        retryable: bool,
    },
    /// Digdir's self-service API refused the request (HTTP 4xx): `kind` is
    /// `self_service_invalid` (`fieldErrors` lists the fields it named), `admin_token_rejected`
    /// or `admin_scope_missing` (`neededScope` is the admin scope of the call the parser reads),
    /// `client_not_found`, `self_service_conflict` or `terms_not_accepted`; `error` is the
    /// server's code, redacted.
    #[error("{detail}")]
    SelfServiceRefused {
        kind: ErrorKind,
        detail: String,
        status: Option<u16>,
        error: Option<String>,
        mp_code: Option<String>,
        hint: Option<String>,
        field: Option<String>,
        retryable: bool,
        needed_scope: Option<String>,
        field_errors: Vec<FieldError>,
    },
    /// The server or the network could not answer now (5xx, 429, timeout, reset), after the
    /// core's retries, or the issuer's keys cannot be had: retryable.
    #[error("{detail}")]
    Unavailable {
        kind: ErrorKind,
        detail: String,
        status: Option<u16>,
        error: Option<String>,
        mp_code: Option<String>,
        hint: Option<String>,
        field: Option<String>,
        retryable: bool,
    },
}

impl From<Error> for MaskinportenError {
    fn from(e: Error) -> Self {
        let kind = e.kind();
        let detail = e.to_string();
        let status = e.status();
        let error = match &e {
            Error::OAuth(o) => Some(o.error.clone()),
            Error::SelfService(refusal) => refusal.error.clone(),
            _ => None,
        };
        let mp_code = e.mp_code().map(str::to_string);
        let hint = e.hint().map(str::to_string);
        let field = e.field().map(str::to_string);
        let retryable = e.is_retryable();
        macro_rules! variant {
            ($v:ident) => {
                MaskinportenError::$v { kind, detail, status, error, mp_code, hint, field, retryable }
            };
        }
        match e {
            Error::Key { .. } => variant!(Key),
            Error::InvalidArgument { .. } => variant!(InvalidArgument),
            Error::CertificateNotValid { .. } => variant!(CertificateNotValid),
            Error::OAuth(_) => variant!(OAuth),
            Error::MalformedResponse { .. } => variant!(MalformedResponse),
            Error::InvalidToken { .. } => variant!(InvalidToken),
            Error::Unavailable { .. } => variant!(Unavailable),
            Error::SelfService(refusal) => MaskinportenError::SelfServiceRefused {
                kind,
                detail,
                status,
                error,
                mp_code,
                hint,
                field,
                retryable,
                needed_scope: refusal.needed_scope.map(str::to_string),
                field_errors: refusal
                    .field_errors
                    .into_iter()
                    .map(|(field, reason)| FieldError { field, reason })
                    .collect(),
            },
            // The core's enum is non_exhaustive: a future variant keeps its kind and message.
            _ => variant!(InvalidArgument),
        }
    }
}

/// A field the self-service API named as wrong, with its reason (redacted).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldError {
    /// The field (`client_name`, `scopes`...).
    pub field: String,
    /// Why, in the server's words.
    pub reason: String,
}

/// A foreign signer threw something other than a `MaskinportenException`.
impl From<uniffi::UnexpectedUniFFICallbackError> for MaskinportenError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Error::signer_failed(format!("the external signer failed: {}", e.reason)).into()
    }
}

/// Every error kind's stable string (`wrong_password`, ...), in the core's order
/// (`ErrorKind::ALL`): for tests that check the foreign enum against the core.
#[uniffi::export]
pub fn error_kinds() -> Vec<String> {
    ErrorKind::ALL.iter().map(|kind| kind.as_str().to_string()).collect()
}

/// The stable string of `kind` (`wrong_password`), as logs and the shared vectors write it.
#[uniffi::export]
pub fn error_kind_name(kind: ErrorKind) -> String {
    kind.as_str().to_string()
}

/// A misuse of the FFI objects (a call used after it ended): `invalid_argument` naming `field`.
pub(crate) fn misuse(field: &'static str, message: &str) -> MaskinportenError {
    Error::InvalidArgument { kind: ErrorKind::InvalidArgument, field, message: message.to_string() }.into()
}

pub(crate) type Result<T> = std::result::Result<T, MaskinportenError>;
