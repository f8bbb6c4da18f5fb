//! `AccessToken` and the module-level `parse_token_response`.

use crate::clock::now_or_clock;
use crate::errors::IntoPyResult;
use crate::text::{repr_opt, Binary};
use pyo3::prelude::*;

/// An access token and when it expires. ``repr()`` does not show the token; ``str()`` is the
/// ``repr()`` too: use ``.access_token`` explicitly (and do not log it).
#[pyclass(module = "maskinporten", frozen, eq, name = "AccessToken")]
#[derive(Clone, PartialEq)]
pub struct PyAccessToken {
    pub inner: maskinporten::AccessToken,
}

impl<'a, 'py> FromPyObject<'a, 'py> for PyAccessToken {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(obj.cast::<PyAccessToken>()?.get().clone())
    }
}

#[pymethods]
impl PyAccessToken {
    /// A token from its parts (to restore a persisted token, or in tests). ``issued_at``
    /// defaults to now.
    #[new]
    #[pyo3(signature = (access_token, expires_in, scope=None, issued_at=None))]
    fn new(access_token: String, expires_in: i64, scope: Option<String>, issued_at: Option<i64>) -> PyAccessToken {
        PyAccessToken {
            inner: maskinporten::AccessToken::new(access_token, expires_in, scope, now_or_clock(issued_at)),
        }
    }

    /// The opaque token for ``Authorization: Bearer <token>``. Do not log it.
    #[getter]
    fn access_token(&self) -> &str {
        self.inner.access_token()
    }

    /// ``"Bearer"``.
    #[getter]
    fn token_type(&self) -> &str {
        self.inner.token_type()
    }

    /// Lifetime in seconds, as the server said.
    #[getter]
    fn expires_in(&self) -> i64 {
        self.inner.expires_in()
    }

    /// The granted scopes, space-separated, if the server said.
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.inner.scope()
    }

    /// When the response was parsed (Unix seconds).
    #[getter]
    fn issued_at(&self) -> i64 {
        self.inner.issued_at()
    }

    /// ``issued_at + expires_in`` (Unix seconds).
    #[getter]
    fn expires_at(&self) -> i64 {
        self.inner.expires_at()
    }

    /// When to refresh: earlier than expiry by the smaller of ``skew`` and half the lifetime.
    #[pyo3(signature = (skew=30))]
    fn refresh_at(&self, skew: i64) -> i64 {
        self.inner.refresh_at(skew)
    }

    /// Whether the token is good to use without refreshing at ``now`` (default: the clock).
    #[pyo3(signature = (now=None, skew=30))]
    fn is_fresh(&self, now: Option<i64>, skew: i64) -> bool {
        self.inner.is_fresh(now_or_clock(now), skew)
    }

    /// Whether the token has expired at ``now`` (default: the clock).
    #[pyo3(signature = (now=None))]
    fn is_expired(&self, now: Option<i64>) -> bool {
        self.inner.is_expired(now_or_clock(now))
    }

    fn __repr__(&self) -> String {
        format!(
            "AccessToken(access_token=<{} chars, not shown>, token_type='{}', expires_in={}, scope={}, expires_at={})",
            self.inner.access_token().len(),
            self.inner.token_type(),
            self.inner.expires_in(),
            repr_opt(self.inner.scope()),
            self.inner.expires_at()
        )
    }
}

/// Reads a token endpoint answer without a client (hints then speak generally); prefer
/// ``Client.parse_token_response``. ``now`` defaults to the clock.
#[pyfunction]
#[pyo3(signature = (status, body, content_type=None, now=None))]
pub fn parse_token_response(
    status: u16,
    body: Binary,
    content_type: Option<&str>,
    now: Option<i64>,
) -> PyResult<PyAccessToken> {
    let token = maskinporten::parse_token_response(status, &body.into_bytes(), content_type, now_or_clock(now)).py()?;
    Ok(PyAccessToken { inner: token })
}
