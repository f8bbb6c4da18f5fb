//! `TokenSource`: what one token provider asks for (a client and its grant options), checked
//! and keyed once, so a cache hit costs one lookup and no hashing.

use crate::altinn::PyAltinnExchange;
use crate::client::PyClient;
use crate::clock::now_or_clock;
use crate::errors::IntoPyResult;
use crate::options::{grant_options, OneOrMany};
use maskinporten::{AltinnExchange, CacheKey, Client, GrantOptions};
use pyo3::prelude::*;
use std::sync::Arc;

/// The client, the grant options and their cache key, shared by a source and its calls.
pub struct Source {
    /// Builds and signs each attempt's grant.
    pub client: Client,
    /// The grant's scopes, resource, delegation, pid and authorization_details.
    pub options: GrantOptions,
    /// The token's cache key, computed once: `client.cache_key(options)`, or with `exchange`
    /// the Altinn token's key derived from it.
    pub key: CacheKey,
    /// The Altinn exchange, when the token asked for is an Altinn token.
    pub exchange: Option<AltinnExchange>,
    /// The Maskinporten token's key (the same as `key` without `exchange`).
    pub maskinporten_key: CacheKey,
}

/// One kind of token: ``client`` asking for ``scopes`` (and the optional grant arguments).
/// The options are checked when the source is made (a bad ``consumer_org`` fails here, with
/// ``now`` for the certificate's validity, default the clock), and the cache key is computed
/// once. With ``altinn`` (an ``AltinnExchange``), the token is the Altinn token the
/// Maskinporten token is exchanged for (a second stage of the same flow and cache).
/// ``TokenProvider`` makes one; use it directly with ``TokenFlow`` to drive the flow yourself.
#[pyclass(module = "maskinporten", frozen, name = "TokenSource")]
pub struct PyTokenSource {
    pub(crate) inner: Arc<Source>,
}

#[pymethods]
impl PyTokenSource {
    #[new]
    #[pyo3(signature = (client, scopes, *, resource=None, consumer_org=None, iss_onbehalfof=None, pid=None, authorization_details=None, altinn=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        client: PyRef<'_, PyClient>,
        scopes: OneOrMany,
        resource: Option<OneOrMany>,
        consumer_org: Option<String>,
        iss_onbehalfof: Option<String>,
        pid: Option<String>,
        authorization_details: Option<&Bound<'_, PyAny>>,
        altinn: Option<PyAltinnExchange>,
        now: Option<i64>,
    ) -> PyResult<PyTokenSource> {
        let options = grant_options(py, scopes, resource, consumer_org, iss_onbehalfof, pid, authorization_details)?;
        let client = client.inner.clone();
        // Building the grant checks every option (and the certificate's dates); nothing is signed.
        client.prepare_grant(&options, now_or_clock(now), None).py()?;
        let maskinporten_key = client.cache_key(&options);
        let exchange = altinn.map(|altinn| altinn.inner);
        let key = exchange.as_ref().map_or_else(|| maskinporten_key.clone(), |e| e.cache_key(&maskinporten_key));
        Ok(PyTokenSource { inner: Arc::new(Source { client, options, key, exchange, maskinporten_key }) })
    }

    /// The cache key of this source's token (see ``Client.cache_key``).
    #[getter]
    fn cache_key(&self) -> crate::cache_key::PyCacheKey {
        crate::cache_key::PyCacheKey::from(self.inner.key.clone())
    }

    /// Warnings about the options that are not errors (an ``externalRef`` Maskinporten may
    /// refuse); the providers log each once, at ``WARNING``.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.options.warnings()
    }

    /// The Altinn exchange, or ``None`` for a Maskinporten token.
    #[getter]
    fn altinn(&self) -> Option<PyAltinnExchange> {
        self.inner.exchange.clone().map(|inner| PyAltinnExchange { inner })
    }

    /// The client.
    #[getter]
    fn client(&self) -> PyClient {
        PyClient { inner: self.inner.client.clone() }
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenSource(client_id={}, scopes=[{}], cache_key='{}'{})",
            crate::text::repr_str(self.inner.client.client_id()),
            self.inner.options.scopes.iter().map(|s| crate::text::repr_str(s)).collect::<Vec<_>>().join(", "),
            self.inner.key.label(),
            self.inner
                .exchange
                .as_ref()
                .map_or_else(String::new, |e| format!(", altinn={}", crate::text::repr_str(e.platform().base())))
        )
    }
}
