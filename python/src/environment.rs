//! `Environment`: where grants go (issuer = `aud`, token endpoint, JWKS).

use crate::errors::IntoPyResult;
use crate::request::PyHttpRequest;
use crate::text::{repr_str, Binary};
use pyo3::prelude::*;

/// A Maskinporten environment: the issuer (which is also every grant's ``aud``), the token
/// endpoint and the JWKS URL.
///
///     Environment.test()                      # https://test.maskinporten.no/
///     Environment.prod()                      # https://maskinporten.no/
///     Environment.from_name("test")           # "test", "prod" or an issuer URL
///     Environment.custom(issuer, token_endpoint, jwks_uri)   # e.g. the local simulator
#[pyclass(module = "maskinporten", frozen, eq, name = "Environment")]
#[derive(Clone, PartialEq)]
pub struct PyEnvironment {
    pub inner: maskinporten::Environment,
}

/// An environment given as an `Environment` or as a name (`"test"`, `"prod"`, issuer URL).
#[derive(FromPyObject)]
pub enum EnvironmentArg {
    /// An `Environment` object.
    Object(PyEnvironment),
    /// A name or issuer URL.
    Name(String),
}

impl<'a, 'py> FromPyObject<'a, 'py> for PyEnvironment {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(obj.cast::<PyEnvironment>()?.get().clone())
    }
}

impl EnvironmentArg {
    /// The core environment.
    pub fn resolve(self) -> PyResult<maskinporten::Environment> {
        match self {
            EnvironmentArg::Object(env) => Ok(env.inner),
            EnvironmentArg::Name(name) => maskinporten::Environment::from_name(&name).py(),
        }
    }
}

#[pymethods]
impl PyEnvironment {
    /// Digdir's test environment, ``https://test.maskinporten.no/``.
    #[staticmethod]
    fn test() -> PyEnvironment {
        PyEnvironment { inner: maskinporten::Environment::test() }
    }

    /// Production, ``https://maskinporten.no/``.
    #[staticmethod]
    fn prod() -> PyEnvironment {
        PyEnvironment { inner: maskinporten::Environment::prod() }
    }

    /// Any other issuer, such as the local simulator. The issuer must end with ``/``; URLs must be
    /// ``https``, or ``http`` on loopback.
    #[staticmethod]
    #[pyo3(signature = (issuer, token_endpoint, jwks_uri))]
    fn custom(issuer: &str, token_endpoint: &str, jwks_uri: &str) -> PyResult<PyEnvironment> {
        Ok(PyEnvironment { inner: maskinporten::Environment::custom(issuer, token_endpoint, jwks_uri).py()? })
    }

    /// ``"test"``, ``"prod"``, or an issuer URL whose endpoints follow Maskinporten's layout
    /// (``{issuer}token``, ``{issuer}jwk``).
    #[staticmethod]
    #[pyo3(signature = (name))]
    fn from_name(name: &str) -> PyResult<PyEnvironment> {
        Ok(PyEnvironment { inner: maskinporten::Environment::from_name(name).py()? })
    }

    /// Reads an RFC 8414 metadata document (the body fetched with ``metadata_request``).
    #[staticmethod]
    #[pyo3(signature = (json))]
    fn from_metadata(json: Binary) -> PyResult<PyEnvironment> {
        Ok(PyEnvironment { inner: maskinporten::Environment::from_metadata(&json.into_bytes()).py()? })
    }

    /// The ``GET`` request for ``{issuer}.well-known/oauth-authorization-server``.
    #[staticmethod]
    #[pyo3(signature = (issuer))]
    fn metadata_request(issuer: &str) -> PyResult<PyHttpRequest> {
        Ok(PyHttpRequest::from(maskinporten::Environment::metadata_request(issuer).py()?))
    }

    /// The issuer with its trailing slash: the exact ``aud`` of every grant.
    #[getter]
    fn issuer(&self) -> &str {
        self.inner.issuer()
    }

    /// Where token requests are posted.
    #[getter]
    fn token_endpoint(&self) -> &str {
        self.inner.token_endpoint()
    }

    /// Where the issuer publishes its signing keys.
    #[getter]
    fn jwks_uri(&self) -> &str {
        self.inner.jwks_uri()
    }

    /// The base URL of Digdir's self-service API when it was set (``with_self_service_base``, or a
    /// metadata document's ``self_service_endpoint``, as the local simulator writes); test and
    /// prod have theirs built into ``SelfService``.
    #[getter]
    fn self_service_base(&self) -> Option<&str> {
        self.inner.self_service_base()
    }

    /// The same environment with its self-service API at ``base`` (``https``, or ``http`` on
    /// loopback).
    #[pyo3(signature = (base))]
    fn with_self_service_base(&self, base: &str) -> PyResult<PyEnvironment> {
        Ok(PyEnvironment { inner: self.inner.clone().with_self_service_base(base).py()? })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self.inner.issuer(), self.inner.token_endpoint(), self.inner.jwks_uri()).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        format!(
            "Environment(issuer={}, token_endpoint={}, jwks_uri={})",
            repr_str(self.inner.issuer()),
            repr_str(self.inner.token_endpoint()),
            repr_str(self.inner.jwks_uri())
        )
    }
}
