//! `Rejection` and `bearer_token`: the RFC 6750 answer to a refused request, and the reading
//! of the `Authorization` header, both from the core.

use crate::errors::{core_error, IntoPyResult};
use crate::requirements::PyRequirements;
use maskinporten::{Error, Rejection};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The token of an ``Authorization`` header value (``None`` for no header): the scheme is
/// case-insensitive (``bearer`` works). No header or another scheme raises
/// ``InvalidTokenError`` with ``kind`` ``token_missing`` (answer 401 with a bare challenge); a
/// malformed Bearer header ``invalid_authorization_header`` (400). Errors never quote the header.
#[pyfunction]
#[pyo3(signature = (authorization))]
pub fn bearer_token(authorization: Option<&str>) -> PyResult<String> {
    maskinporten::bearer_token(authorization).map(str::to_string).py()
}

/// The core error behind `error`, a `MaskinportenError` raised by this package.
pub fn error_arg(error: &Bound<'_, PyAny>) -> PyResult<Error> {
    core_error(error).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "error: expected a MaskinportenError raised by maskinporten (from bearer_token or validate), not {}",
            error.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
        ))
    })
}

/// How an API answers a request it refuses, exactly per RFC 6750: ``status`` (400, 401, 403,
/// 500 or 503), the ``WWW-Authenticate`` challenge, a small JSON ``body`` and, for an issuer
/// outage, ``Retry-After``. ``headers`` holds every header to send (``Content-Type``,
/// ``Cache-Control: no-store`` included). Framework adapters send it as is.
///
/// From ``TokenValidator.rejection(error, requirements)`` (whose ``Retry-After`` follows the
/// validator's JWKS back-off) or ``Rejection.for_error(error, requirements)``.
#[pyclass(module = "maskinporten", frozen, name = "Rejection")]
pub struct PyRejection {
    pub(crate) inner: Rejection,
}

#[pymethods]
impl PyRejection {
    /// The answer to ``error`` (a ``MaskinportenError`` from ``bearer_token`` or validation) for
    /// an API with these requirements (a 403 names the required scopes).
    #[staticmethod]
    #[pyo3(signature = (error, requirements))]
    fn for_error(error: &Bound<'_, PyAny>, requirements: PyRef<'_, PyRequirements>) -> PyResult<PyRejection> {
        Ok(PyRejection { inner: Rejection::for_error(&error_arg(error)?, &requirements.inner) })
    }

    /// The HTTP status.
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status()
    }

    /// The ``WWW-Authenticate`` value (``None`` for 500 and 503).
    #[getter]
    fn www_authenticate(&self) -> Option<&str> {
        self.inner.www_authenticate()
    }

    /// The JSON body text (``Content-Type: application/json``); it never quotes the token.
    #[getter]
    fn body(&self) -> &str {
        self.inner.body()
    }

    /// ``Retry-After`` in seconds (503 only).
    #[getter]
    fn retry_after_seconds(&self) -> Option<u32> {
        self.inner.retry_after_seconds()
    }

    /// The kind of the error behind the refusal (for logs and metrics).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// Every header to send, as a new ``dict``.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in self.inner.headers() {
            dict.set_item(name, value)?;
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!("Rejection(status={}, kind='{}')", self.inner.status(), self.inner.kind())
    }
}
