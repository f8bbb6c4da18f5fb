//! The one place where the core's `Error` becomes a Python exception.
//!
//! Every Rust error reaches Python as a subclass of `MaskinportenError`, with the same attributes
//! on every instance (`None` where they do not apply): `kind`, `status`, `error`,
//! `error_description`, `error_uri`, `mp_code`, `hint`, `field`, `retryable`. Each also keeps the
//! core error itself (attribute `_error`), so that core functions taking an error (the RFC 6750
//! `Rejection`) get the error back exactly, not a re-parse of its text.

use maskinporten::{Error, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    maskinporten,
    MaskinportenError,
    PyException,
    "Base class of every error raised by maskinporten.\n\n\
     Attributes (``None`` where they do not apply): ``kind`` (a stable string such as\n\
     ``\"invalid_consumer_org\"`` or ``\"oauth_error\"``), ``status`` (HTTP status of a remote\n\
     answer), ``error``, ``error_description``, ``error_uri``, ``mp_code`` (``\"MP-110\"``...),\n\
     ``hint`` (what to do), ``field`` (the argument at fault) and ``retryable``."
);
create_exception!(
    maskinporten,
    InvalidKeyError,
    MaskinportenError,
    "The key material could not be used: unreadable file, wrong password, no RSA key, or no entry\n\
     with that alias. ``kind`` is ``invalid_key``, ``wrong_password`` (the keystore password),\n\
     ``wrong_key_password`` (a JKS/JCEKS key entry's own password), ``key_not_found`` or\n\
     ``unsupported_key``."
);
create_exception!(
    maskinporten,
    InvalidArgumentError,
    MaskinportenError,
    "An argument or configuration value is not acceptable; ``field`` names it. Nothing was signed\n\
     or sent. ``kind`` says which rule failed (``invalid_consumer_org``, ``invalid_scope``...)."
);
create_exception!(
    maskinporten,
    CertificateNotValidError,
    MaskinportenError,
    "The enterprise certificate is expired or not yet valid at ``now``: renew it, or check the\n\
     host clock."
);
create_exception!(
    maskinporten,
    OAuthError,
    MaskinportenError,
    "Maskinporten refused the request: ``error`` (``invalid_grant``...), ``error_description``,\n\
     ``mp_code`` (``MP-110``...), ``status`` and an actionable ``hint``."
);
create_exception!(
    maskinporten,
    MalformedResponseError,
    MaskinportenError,
    "The token endpoint's answer is not a usable token response (HTML, truncated JSON, missing\n\
     fields). ``status`` is the HTTP status."
);
create_exception!(
    maskinporten,
    InvalidTokenError,
    MaskinportenError,
    "An access token failed validation (``TokenValidator.validate``), or no usable bearer token\n\
     was sent (``bearer_token``). ``kind`` names the failed check: ``token_missing``,\n\
     ``token_expired``, ``unknown_kid``, ``signature_invalid``, ``issuer_mismatch``,\n\
     ``insufficient_scope``, ``audience_mismatch``, ``consumer_not_allowed``... The message never\n\
     quotes the token. Answer it with ``TokenValidator.rejection(error, requirements)``."
);
create_exception!(
    maskinporten,
    SelfServiceError,
    MaskinportenError,
    "Digdir's self-service API refused the request (HTTP 4xx). ``kind`` is ``self_service_invalid``\n\
     (``field_errors`` lists the fields it named, as ``(field, reason)`` pairs),\n\
     ``admin_token_rejected`` or ``admin_scope_missing`` (``needed_scope`` is the admin scope the\n\
     call needs), ``client_not_found``, ``self_service_conflict`` or ``terms_not_accepted``;\n\
     ``error`` and ``error_description`` quote the server, redacted."
);
create_exception!(
    maskinporten,
    UnavailableError,
    MaskinportenError,
    "Maskinporten (or the issuer's JWKS endpoint) or the network could not answer now (HTTP\n\
     5xx/429, timeout, reset connection), after the retries the token flow makes. ``retryable``\n\
     is true."
);

const ATTRIBUTES: [&str; 9] =
    ["kind", "status", "error", "error_description", "error_uri", "mp_code", "hint", "field", "retryable"];

/// The core error a Python exception was made from (attribute `_error`).
#[pyclass(module = "maskinporten", frozen, name = "_CoreError")]
pub struct PyCoreError {
    inner: Error,
}

/// The core error inside an exception raised by this module, or `None` for any other object.
pub fn core_error(exception: &Bound<'_, PyAny>) -> Option<Error> {
    let boxed = exception.getattr("_error").ok()?;
    let boxed = boxed.cast::<PyCoreError>().ok()?;
    Some(boxed.get().inner.clone())
}

/// Converts a core error into the matching Python exception, attributes set.
pub fn to_py(err: Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|e| e))
}

/// An `invalid_argument` error about `field`, for values the binding refuses before the core
/// sees them (a step reported twice, a grant finished twice).
pub fn invalid_argument(field: &'static str, message: impl Into<String>) -> PyErr {
    to_py(Error::InvalidArgument { kind: ErrorKind::InvalidArgument, field, message: message.into() })
}

/// Every error kind's stable name, in the core's order (``ErrorKind::ALL``): the values
/// ``MaskinportenError.kind`` can take.
#[pyfunction]
pub fn error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|kind| kind.as_str()).collect()
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let message = err.to_string();
    let exception = match err {
        Error::Key { .. } => InvalidKeyError::new_err(message),
        Error::InvalidArgument { .. } => InvalidArgumentError::new_err(message),
        Error::CertificateNotValid { .. } => CertificateNotValidError::new_err(message),
        Error::OAuth(_) => OAuthError::new_err(message),
        Error::MalformedResponse { .. } => MalformedResponseError::new_err(message),
        Error::Unavailable { .. } => UnavailableError::new_err(message),
        Error::InvalidToken { .. } => InvalidTokenError::new_err(message),
        Error::SelfService(_) => SelfServiceError::new_err(message),
        _ => MaskinportenError::new_err(message),
    };
    let (error, error_description, error_uri) = match err {
        Error::OAuth(o) => (Some(o.error.as_str()), o.error_description.as_deref(), o.error_uri.as_deref()),
        Error::SelfService(e) => (e.error.as_deref(), e.message.as_deref(), None),
        _ => (None, None, None),
    };
    let value = exception.value(py);
    if let Error::SelfService(e) = err {
        value.setattr("field_errors", e.field_errors.clone())?;
        value.setattr("needed_scope", e.needed_scope)?;
    }
    value.setattr("kind", err.kind().as_str())?;
    value.setattr("status", err.status())?;
    value.setattr("error", error)?;
    value.setattr("error_description", error_description)?;
    value.setattr("error_uri", error_uri)?;
    value.setattr("mp_code", err.mp_code())?;
    value.setattr("hint", err.hint())?;
    value.setattr("field", err.field())?;
    value.setattr("retryable", err.is_retryable())?;
    value.setattr("_error", Py::new(py, PyCoreError { inner: err.clone() })?)?;
    Ok(exception)
}

/// Extension for `Result<T, maskinporten::Error>` -> `PyResult<T>`.
pub trait IntoPyResult<T> {
    /// Maps the error with [`to_py`].
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// Registers the exception classes, with class-level `None` defaults for the attributes so an
/// instance raised by user code has them too.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base: Bound<'_, PyType> = py.get_type::<MaskinportenError>();
    for name in ATTRIBUTES {
        if name == "retryable" {
            base.setattr(name, false)?;
        } else {
            base.setattr(name, py.None())?;
        }
    }
    m.add("MaskinportenError", base)?;
    m.add("InvalidKeyError", py.get_type::<InvalidKeyError>())?;
    m.add("InvalidArgumentError", py.get_type::<InvalidArgumentError>())?;
    m.add("CertificateNotValidError", py.get_type::<CertificateNotValidError>())?;
    m.add("OAuthError", py.get_type::<OAuthError>())?;
    m.add("MalformedResponseError", py.get_type::<MalformedResponseError>())?;
    m.add("UnavailableError", py.get_type::<UnavailableError>())?;
    m.add("InvalidTokenError", py.get_type::<InvalidTokenError>())?;
    let self_service = py.get_type::<SelfServiceError>();
    self_service.setattr("field_errors", Vec::<(String, String)>::new())?;
    self_service.setattr("needed_scope", py.None())?;
    m.add("SelfServiceError", self_service)?;
    m.add_function(wrap_pyfunction!(error_kinds, m)?)?;
    Ok(())
}
