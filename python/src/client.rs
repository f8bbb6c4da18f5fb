//! `Client`: builds grants and token requests, reads the answers.

use crate::cache_key::PyCacheKey;
use crate::clock::now_or_clock;
use crate::environment::{EnvironmentArg, PyEnvironment};
use crate::errors::IntoPyResult;
use crate::key::PyKey;
use crate::options::{grant_options, OneOrMany};
use crate::request::PyHttpRequest;
use crate::signer::PyPreparedGrant;
use crate::text::{repr_str, Binary};
use crate::token::PyAccessToken;
use maskinporten::{Algorithm, X5c};
use pyo3::prelude::*;

/// A Maskinporten client: ``client_id`` (the grant's ``iss``) signing with ``key`` against
/// ``environment`` (``"test"``, ``"prod"``, an issuer URL, or an ``Environment``; required,
/// there is no default).
///
/// Keyword options: ``algorithm`` (``"RS256"``, ``"RS384"``, ``"RS512"``), ``lifetime`` (grant
/// lifetime in seconds, 1 to 120) and ``x5c`` (``"leaf"`` or ``"full_chain"``; a foreign
/// organisation signing with a European eSeal must send ``"full_chain"``).
///
/// Every grant method takes the same arguments: ``scopes`` (a ``str`` or a list), and keyword
/// ``resource``, ``consumer_org``, ``iss_onbehalfof``, ``pid``, ``authorization_details``,
/// ``now`` (Unix seconds, default the clock) and ``jti`` (default a fresh UUID; tests only).
///
///     client = Client("5d1f3a2b-...", key, "test")
///     request = client.token_request(["test:scope.read"])
///     # send request.method to request.url with request.headers and request.body, then:
///     token = client.parse_token_response(status, body, content_type)
#[pyclass(module = "maskinporten", frozen, name = "Client")]
pub struct PyClient {
    pub(crate) inner: maskinporten::Client,
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (client_id, key, environment, *, algorithm=None, lifetime=None, x5c=None))]
    fn new(
        client_id: &str,
        key: PyRef<'_, PyKey>,
        environment: EnvironmentArg,
        algorithm: Option<&str>,
        lifetime: Option<i64>,
        x5c: Option<&str>,
    ) -> PyResult<PyClient> {
        let environment = environment.resolve()?;
        let mut client = maskinporten::Client::new(client_id, key.inner.clone(), environment).py()?;
        if let Some(algorithm) = algorithm {
            client = client.with_algorithm(algorithm.parse::<Algorithm>().py()?);
        }
        if let Some(lifetime) = lifetime {
            client = client.with_lifetime(lifetime).py()?;
        }
        if let Some(x5c) = x5c {
            client = client.with_x5c(x5c.parse::<X5c>().py()?);
        }
        Ok(PyClient { inner: client })
    }

    /// The client_id (the ``iss`` of every grant).
    #[getter]
    fn client_id(&self) -> &str {
        self.inner.client_id()
    }

    /// The environment.
    #[getter]
    fn environment(&self) -> PyEnvironment {
        PyEnvironment { inner: self.inner.environment().clone() }
    }

    /// The key.
    #[getter]
    fn key(&self) -> PyKey {
        PyKey { inner: self.inner.key().clone() }
    }

    /// The signature algorithm, ``"RS256"``, ``"RS384"`` or ``"RS512"``.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The grant lifetime in seconds.
    #[getter]
    fn lifetime(&self) -> i64 {
        self.inner.lifetime()
    }

    /// Builds and signs a grant: the compact JWT to send as ``assertion``.
    #[pyo3(signature = (scopes, *, resource=None, consumer_org=None, iss_onbehalfof=None, pid=None, authorization_details=None, now=None, jti=None))]
    #[allow(clippy::too_many_arguments)]
    fn grant(
        &self,
        py: Python<'_>,
        scopes: OneOrMany,
        resource: Option<OneOrMany>,
        consumer_org: Option<String>,
        iss_onbehalfof: Option<String>,
        pid: Option<String>,
        authorization_details: Option<&Bound<'_, PyAny>>,
        now: Option<i64>,
        jti: Option<&str>,
    ) -> PyResult<String> {
        let options = grant_options(py, scopes, resource, consumer_org, iss_onbehalfof, pid, authorization_details)?;
        let now = now_or_clock(now);
        py.detach(|| self.inner.grant(&options, now, jti)).py()
    }

    /// The first half of external signing (HSM, Azure Key Vault...): validates the options and
    /// returns the bytes to sign; sign them, then call ``PreparedGrant.finish(signature)`` and
    /// ``token_request_for_assertion(jwt)``.
    #[pyo3(signature = (scopes, *, resource=None, consumer_org=None, iss_onbehalfof=None, pid=None, authorization_details=None, now=None, jti=None))]
    #[allow(clippy::too_many_arguments)]
    fn prepare_grant(
        &self,
        py: Python<'_>,
        scopes: OneOrMany,
        resource: Option<OneOrMany>,
        consumer_org: Option<String>,
        iss_onbehalfof: Option<String>,
        pid: Option<String>,
        authorization_details: Option<&Bound<'_, PyAny>>,
        now: Option<i64>,
        jti: Option<&str>,
    ) -> PyResult<PyPreparedGrant> {
        let options = grant_options(py, scopes, resource, consumer_org, iss_onbehalfof, pid, authorization_details)?;
        let prepared = self.inner.prepare_grant(&options, now_or_clock(now), jti).py()?;
        Ok(PyPreparedGrant::from(prepared))
    }

    /// Builds and signs a grant and wraps it into the token request for your HTTP client.
    #[pyo3(signature = (scopes, *, resource=None, consumer_org=None, iss_onbehalfof=None, pid=None, authorization_details=None, now=None, jti=None))]
    #[allow(clippy::too_many_arguments)]
    fn token_request(
        &self,
        py: Python<'_>,
        scopes: OneOrMany,
        resource: Option<OneOrMany>,
        consumer_org: Option<String>,
        iss_onbehalfof: Option<String>,
        pid: Option<String>,
        authorization_details: Option<&Bound<'_, PyAny>>,
        now: Option<i64>,
        jti: Option<&str>,
    ) -> PyResult<PyHttpRequest> {
        let options = grant_options(py, scopes, resource, consumer_org, iss_onbehalfof, pid, authorization_details)?;
        let now = now_or_clock(now);
        let request = py.detach(|| self.inner.token_request(&options, now, jti)).py()?;
        Ok(PyHttpRequest::from(request))
    }

    /// The token request for a grant signed elsewhere (after ``PreparedGrant.finish``).
    #[pyo3(signature = (jwt))]
    fn token_request_for_assertion(&self, jwt: &str) -> PyHttpRequest {
        PyHttpRequest::from(self.inner.token_request_for_assertion(jwt))
    }

    /// Reads the token endpoint's answer: an ``AccessToken``, or raises ``OAuthError`` (with
    /// ``mp_code`` and ``hint``), ``MalformedResponseError`` or ``UnavailableError``.
    #[pyo3(signature = (status, body, content_type=None, now=None))]
    fn parse_token_response(
        &self,
        status: u16,
        body: Binary,
        content_type: Option<&str>,
        now: Option<i64>,
    ) -> PyResult<PyAccessToken> {
        let token =
            self.inner.parse_token_response(status, &body.into_bytes(), content_type, now_or_clock(now)).py()?;
        Ok(PyAccessToken { inner: token })
    }

    /// The cache key of a token asked for with these options (covers environment, client, key,
    /// scopes, resource, delegation, pid and authorization_details).
    #[pyo3(signature = (scopes, *, resource=None, consumer_org=None, iss_onbehalfof=None, pid=None, authorization_details=None))]
    #[allow(clippy::too_many_arguments)]
    fn cache_key(
        &self,
        py: Python<'_>,
        scopes: OneOrMany,
        resource: Option<OneOrMany>,
        consumer_org: Option<String>,
        iss_onbehalfof: Option<String>,
        pid: Option<String>,
        authorization_details: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCacheKey> {
        let options = grant_options(py, scopes, resource, consumer_org, iss_onbehalfof, pid, authorization_details)?;
        Ok(PyCacheKey::from(self.inner.cache_key(&options)))
    }

    fn __repr__(&self) -> String {
        format!(
            "Client(client_id={}, issuer={}, algorithm='{}', lifetime={})",
            repr_str(self.inner.client_id()),
            repr_str(self.inner.environment().issuer()),
            self.inner.algorithm().as_str(),
            self.inner.lifetime()
        )
    }
}
