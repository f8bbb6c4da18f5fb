//! `CacheKey`: which token a grant's options ask for.

use maskinporten::CacheKey;
use pyo3::prelude::*;

/// Identifies one kind of token; from ``Client.cache_key(...)`` or ``TokenSource.cache_key``.
/// Hashable.
#[pyclass(module = "maskinporten", frozen, eq, hash, name = "CacheKey")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyCacheKey {
    inner: CacheKey,
}

impl PyCacheKey {
    /// The core key.
    pub fn key(&self) -> &CacheKey {
        &self.inner
    }
}

impl From<CacheKey> for PyCacheKey {
    fn from(inner: CacheKey) -> Self {
        PyCacheKey { inner }
    }
}

#[pymethods]
impl PyCacheKey {
    /// The key as text (base64url of a SHA-256 digest).
    fn as_str(&self) -> &str {
        self.inner.as_str()
    }

    /// A short label for logs (the start of the digest), as events name the token.
    #[getter]
    fn label(&self) -> &str {
        self.inner.label()
    }

    fn __str__(&self) -> &str {
        self.inner.as_str()
    }

    fn __repr__(&self) -> String {
        format!("CacheKey('{}')", self.inner.as_str())
    }
}
