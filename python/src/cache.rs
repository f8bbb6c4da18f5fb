//! `TokenCache`: the core's sans-IO cache with single-flight refresh, behind a mutex.

use crate::text::now_or_clock;
use crate::token::PyAccessToken;
use maskinporten::{CacheKey, CacheLookup, FetchTicket, TokenCache};
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard};

/// Identifies one kind of token; from ``Client.cache_key(...)``. Hashable.
#[pyclass(module = "maskinporten", frozen, eq, hash, name = "CacheKey")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyCacheKey {
    inner: CacheKey,
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

    fn __str__(&self) -> &str {
        self.inner.as_str()
    }

    fn __repr__(&self) -> String {
        format!("CacheKey('{}')", self.inner.as_str())
    }
}

/// The right to fetch a token for one key. Give it back with ``TokenCache.complete`` or
/// ``TokenCache.fail`` (in a ``finally``); giving it back twice does nothing.
#[pyclass(module = "maskinporten", frozen, name = "FetchTicket")]
pub struct PyFetchTicket {
    inner: Mutex<Option<FetchTicket>>,
}

impl PyFetchTicket {
    fn take(&self) -> Option<FetchTicket> {
        match self.inner.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }
}

#[pymethods]
impl PyFetchTicket {
    /// Whether the ticket is still to be given back.
    #[getter]
    fn pending(&self) -> bool {
        match self.inner.lock() {
            Ok(guard) => guard.is_some(),
            Err(poisoned) => poisoned.into_inner().is_some(),
        }
    }

    fn __repr__(&self) -> String {
        format!("FetchTicket(pending={})", if self.pending() { "True" } else { "False" })
    }
}

/// What ``TokenCache.lookup`` says to do. ``action`` is one of:
///
/// - ``"hit"``: use ``token``;
/// - ``"fetch"``: you fetch, then ``complete(ticket, token)`` or ``fail(ticket)``; ``token`` is a
///   still-valid token to use meanwhile (refresh ahead), or ``None``;
/// - ``"wait"``: another caller is fetching and nothing is valid; wait for it (at most until
///   ``until``, Unix seconds) and look up again.
#[pyclass(module = "maskinporten", frozen, name = "CacheLookup")]
pub struct PyCacheLookup {
    action: &'static str,
    token: Option<PyAccessToken>,
    ticket: Option<Py<PyFetchTicket>>,
    until: Option<i64>,
}

#[pymethods]
impl PyCacheLookup {
    /// ``"hit"``, ``"fetch"`` or ``"wait"``.
    #[getter]
    fn action(&self) -> &'static str {
        self.action
    }

    /// The token to use (``"hit"``), or the still-valid current token (``"fetch"``), or ``None``.
    #[getter]
    fn token(&self) -> Option<PyAccessToken> {
        self.token.clone()
    }

    /// The fetch ticket (``"fetch"`` only).
    #[getter]
    fn ticket(&self, py: Python<'_>) -> Option<Py<PyFetchTicket>> {
        self.ticket.as_ref().map(|t| t.clone_ref(py))
    }

    /// When the other caller's lease ends (``"wait"`` only), Unix seconds.
    #[getter]
    fn until(&self) -> Option<i64> {
        self.until
    }

    fn __repr__(&self) -> String {
        format!("CacheLookup(action='{}')", self.action)
    }
}

/// A thread-safe token cache with single-flight refresh: per key, exactly one caller at a time
/// gets a ``"fetch"``; the others get the still-valid token or ``"wait"``. Tokens are refreshed
/// ``refresh_skew`` seconds before expiry (at most half their lifetime); a fetch that stalls for
/// ``fetch_lease`` seconds is taken over.
///
/// The HTTP integrations (``maskinporten.httpx``, ``maskinporten.requests``,
/// ``maskinporten.TokenProvider``) drive it for you; use it directly with another HTTP client.
#[pyclass(module = "maskinporten", frozen, weakref, name = "TokenCache")]
pub struct PyTokenCache {
    inner: Mutex<TokenCache>,
}

impl PyTokenCache {
    fn lock(&self) -> MutexGuard<'_, TokenCache> {
        match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[pymethods]
impl PyTokenCache {
    #[new]
    #[pyo3(signature = (refresh_skew=30, fetch_lease=30))]
    fn new(refresh_skew: i64, fetch_lease: i64) -> PyTokenCache {
        let cache = TokenCache::new().with_refresh_skew(refresh_skew).with_fetch_lease(fetch_lease);
        PyTokenCache { inner: Mutex::new(cache) }
    }

    /// What to do for ``key`` at ``now`` (default: the clock).
    #[pyo3(signature = (key, now=None))]
    fn lookup(&self, py: Python<'_>, key: PyRef<'_, PyCacheKey>, now: Option<i64>) -> PyResult<PyCacheLookup> {
        let outcome = self.lock().lookup(&key.inner, now_or_clock(now));
        Ok(match outcome {
            CacheLookup::Hit(token) => {
                PyCacheLookup { action: "hit", token: Some(PyAccessToken { inner: token }), ticket: None, until: None }
            }
            CacheLookup::Fetch { ticket, current } => PyCacheLookup {
                action: "fetch",
                token: current.map(|inner| PyAccessToken { inner }),
                ticket: Some(Py::new(py, PyFetchTicket { inner: Mutex::new(Some(ticket)) })?),
                until: None,
            },
            CacheLookup::Wait { until } => {
                PyCacheLookup { action: "wait", token: None, ticket: None, until: Some(until) }
            }
        })
    }

    /// Stores the fetched token and ends the fetch.
    #[pyo3(signature = (ticket, token, now=None))]
    fn complete(&self, ticket: PyRef<'_, PyFetchTicket>, token: PyAccessToken, now: Option<i64>) {
        if let Some(ticket) = ticket.take() {
            self.lock().complete(ticket, token.inner, now_or_clock(now));
        }
    }

    /// Ends a fetch that failed, so the next caller may try at once.
    #[pyo3(signature = (ticket))]
    fn fail(&self, ticket: PyRef<'_, PyFetchTicket>) {
        if let Some(ticket) = ticket.take() {
            self.lock().fail(ticket);
        }
    }

    /// Forgets the token for ``key`` (for example after the API answered 401).
    #[pyo3(signature = (key))]
    fn invalidate(&self, key: PyRef<'_, PyCacheKey>) {
        self.lock().invalidate(&key.inner);
    }

    /// Forgets the token for ``key`` only if it is ``rejected_access_token`` (the one an API
    /// answered 401 to), so many callers seeing the same 401 cause one refetch. Returns whether
    /// a token was dropped.
    #[pyo3(signature = (key, rejected_access_token))]
    fn invalidate_token(&self, key: PyRef<'_, PyCacheKey>, rejected_access_token: &str) -> bool {
        self.lock().invalidate_token(&key.inner, rejected_access_token)
    }

    /// Drops expired tokens with no fetch in flight.
    #[pyo3(signature = (now=None))]
    fn purge_expired(&self, now: Option<i64>) {
        self.lock().purge_expired(now_or_clock(now));
    }

    fn __len__(&self) -> usize {
        self.lock().len()
    }

    fn __repr__(&self) -> String {
        format!("TokenCache(<{} keys>)", self.lock().len())
    }
}
