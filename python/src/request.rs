//! `HttpRequest` (alias `TokenRequest`): what the host's HTTP client must send.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

/// A request for your HTTP client: send ``method`` to ``url`` with ``headers`` and ``body`` as
/// they are, then hand the answer to ``Client.parse_token_response``.
///
/// The token request's body holds the signed grant: ``repr()`` does not show it; do not log it.
#[pyclass(module = "maskinporten", frozen, name = "HttpRequest")]
pub struct PyHttpRequest {
    inner: maskinporten::HttpRequest,
}

impl From<maskinporten::HttpRequest> for PyHttpRequest {
    fn from(inner: maskinporten::HttpRequest) -> Self {
        PyHttpRequest { inner }
    }
}

#[pymethods]
impl PyHttpRequest {
    /// ``"POST"`` for the token request, ``"GET"`` for metadata.
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }

    /// The absolute URL.
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }

    /// The headers as a new ``dict`` (name -> value).
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in &self.inner.headers {
            dict.set_item(name, value)?;
        }
        Ok(dict)
    }

    /// The body as text (form-encoded for the token request; empty for ``GET``).
    #[getter]
    fn body(&self) -> &str {
        &self.inner.body
    }

    /// The body as UTF-8 ``bytes``, ready for the wire.
    #[getter]
    fn body_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.body.as_bytes())
    }

    /// The value of the first header with this name (case-insensitive), or ``None``.
    #[pyo3(signature = (name))]
    fn header(&self, name: &str) -> Option<&str> {
        self.inner.header(name)
    }

    fn __repr__(&self) -> String {
        format!(
            "HttpRequest(method='{}', url='{}', body=<{} bytes, not shown>)",
            self.inner.method,
            self.inner.url,
            self.inner.body.len()
        )
    }
}
