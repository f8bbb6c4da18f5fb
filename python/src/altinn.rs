//! `AltinnExchange`: exchanging a Maskinporten token for an Altinn 3 token (the core's
//! `AltinnExchange`; the token flow runs it as a second stage, see `TokenSource`'s `altinn`).

use crate::cache_key::PyCacheKey;
use crate::clock::now_or_clock;
use crate::environment::EnvironmentArg;
use crate::errors::IntoPyResult;
use crate::request::PyHttpRequest;
use crate::text::{repr_str, Binary};
use crate::token::PyAccessToken;
use maskinporten::{AltinnExchange, AltinnPlatform};
use pyo3::prelude::*;

/// How to exchange a Maskinporten token for an Altinn 3 token: ``platform`` is ``"tt02"``
/// (Altinn's test environment), ``"prod"`` or a platform base URL (such as the simulator's);
/// ``test_org`` asks TT02 for a token issued to Altinn's test organisation (``?test=true``);
/// ``subscription_key`` is sent as ``Ocp-Apim-Subscription-Key`` for platforms behind API
/// Management (``repr()`` does not show it).
///
///     provider = TokenProvider(client, ["altinn:instances.read"], altinn=AltinnExchange("tt02"))
///     provider.token()   # the Altinn token, cached until its own exp
#[pyclass(module = "maskinporten", frozen, eq, hash, name = "AltinnExchange")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyAltinnExchange {
    pub(crate) inner: AltinnExchange,
}

impl<'a, 'py> FromPyObject<'a, 'py> for PyAltinnExchange {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(obj.cast::<PyAltinnExchange>()?.get().clone())
    }
}

fn exchange(platform: AltinnPlatform, test_org: bool, subscription_key: Option<&str>) -> PyResult<PyAltinnExchange> {
    let mut inner = AltinnExchange::new(platform).with_test_org(test_org).py()?;
    if let Some(key) = subscription_key {
        inner = inner.with_subscription_key(key).py()?;
    }
    Ok(PyAltinnExchange { inner })
}

#[pymethods]
impl PyAltinnExchange {
    #[new]
    #[pyo3(signature = (platform="tt02", *, test_org=false, subscription_key=None))]
    fn new(platform: &str, test_org: bool, subscription_key: Option<&str>) -> PyResult<PyAltinnExchange> {
        exchange(AltinnPlatform::from_name(platform).py()?, test_org, subscription_key)
    }

    /// The platform that goes with a Maskinporten environment (an ``Environment`` or a name):
    /// TT02 with ``"test"``, production with ``"prod"``; any other environment has no known
    /// platform (``InvalidEnvironmentError``: name one).
    #[staticmethod]
    #[pyo3(signature = (environment, *, test_org=false, subscription_key=None))]
    fn for_environment(
        environment: EnvironmentArg,
        test_org: bool,
        subscription_key: Option<&str>,
    ) -> PyResult<PyAltinnExchange> {
        let platform = AltinnPlatform::for_environment(&environment.resolve()?).py()?;
        exchange(platform, test_org, subscription_key)
    }

    /// The platform's base URL.
    #[getter]
    fn platform(&self) -> &str {
        self.inner.platform().base()
    }

    /// Whether the token is asked for Altinn's test organisation (``?test=true``).
    #[getter]
    fn test_org(&self) -> bool {
        self.inner.test_org()
    }

    /// The Altinn token's cache key, derived from the Maskinporten token's key.
    #[pyo3(signature = (maskinporten_key))]
    fn cache_key(&self, maskinporten_key: PyRef<'_, PyCacheKey>) -> PyCacheKey {
        PyCacheKey::from(self.inner.cache_key(maskinporten_key.key()))
    }

    /// The exchange request for ``maskinporten_token`` (its ``access_token``), for hosts that
    /// drive the exchange themselves. Its ``Authorization`` header is a credential.
    #[pyo3(signature = (maskinporten_token))]
    fn request(&self, maskinporten_token: &str) -> PyResult<PyHttpRequest> {
        Ok(PyHttpRequest::from(self.inner.request(maskinporten_token).py()?))
    }

    /// Reads the exchange's answer at ``now`` (Unix seconds, default the clock): the Altinn
    /// token, expiring at its own ``exp``, or a typed error (``altinn_token_rejected``,
    /// ``altinn_forbidden``, ``altinn_exchange_invalid``, retryable ``unavailable``...).
    #[pyo3(signature = (status, body, now=None))]
    fn parse_response(&self, status: u16, body: Binary, now: Option<i64>) -> PyResult<PyAccessToken> {
        let body = body.into_bytes();
        let inner = self.inner.parse_response(status, &body, now_or_clock(now)).py()?;
        Ok(PyAccessToken { inner })
    }

    fn __repr__(&self) -> String {
        format!(
            "AltinnExchange(platform={}, test_org={})",
            repr_str(self.inner.platform().base()),
            if self.inner.test_org() { "True" } else { "False" }
        )
    }
}
