//! `TokenFlow`: the core's token flow (cache, single flight, retries, refresh ahead, 401s)
//! behind one lock, shared by the providers that share tokens.

use crate::call::PyTokenCall;
use crate::clock::now_ms_or_clock;
use crate::errors::{invalid_argument, IntoPyResult};
use crate::events::{self, PyFlowEvent};
use crate::source::PyTokenSource;
use crate::token::PyAccessToken;
use maskinporten::{FlowOptions, TokenFlow};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// The flow and a copy of its generation that waiters read without the lock.
pub struct Shared {
    flow: Mutex<TokenFlow>,
    generation: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, TokenFlow> {
        self.flow.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the flow and says whether the generation changed (waiters must be woken).
    /// The GIL is released while waiting for the lock, and for the whole of `f` when `slow` (it
    /// signs a grant), so other Python threads run meanwhile.
    pub fn run<R: Send>(&self, py: Python<'_>, slow: bool, f: impl FnOnce(&mut TokenFlow) -> R + Send) -> (R, bool) {
        if !slow {
            match self.flow.try_lock() {
                Ok(mut guard) => return self.apply(&mut guard, f),
                Err(TryLockError::Poisoned(poisoned)) => return self.apply(&mut poisoned.into_inner(), f),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        py.detach(|| self.apply(&mut self.lock(), f))
    }

    fn apply<R>(&self, flow: &mut TokenFlow, f: impl FnOnce(&mut TokenFlow) -> R) -> (R, bool) {
        let before = flow.generation();
        let result = f(flow);
        let after = flow.generation();
        self.generation.store(after, Ordering::Release);
        (result, after != before)
    }

    /// The flow's generation as of the last operation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}

/// The token flow of the core: the token cache, single-flight fetching, retries with back-off
/// and ``Retry-After``, the refresh ahead of expiry and the 401 rule, decided once for every
/// language. ``TokenProvider`` and ``AsyncTokenProvider`` execute it; providers given the same
/// ``TokenFlow`` share their tokens (one fetch for the same client and options).
///
/// Settings (``None`` keeps the default): ``max_attempts`` (4; 1 to 20), ``initial_backoff_ms``
/// (200, doubling), ``max_backoff_ms`` (2000), ``attempt_timeout_ms`` (10000 per request),
/// ``deadline_ms`` (30000 per call, waiting included), ``refresh_skew`` (30 s before expiry,
/// at most half the lifetime), ``host_signing`` (hand every grant to the provider's signer).
///
/// Driving it yourself: ``call = flow.call(source)``, then loop on ``call.poll()`` and answer
/// each ``TokenStep`` (see ``TokenStep``); ``flow.fresh(source)`` is the cache hit without a
/// call.
#[pyclass(module = "maskinporten", frozen, weakref, name = "TokenFlow")]
pub struct PyTokenFlow {
    pub(crate) shared: Arc<Shared>,
}

fn attempts(value: Option<i64>) -> PyResult<Option<u32>> {
    value
        .map(|n| {
            u32::try_from(n).map_err(|_| invalid_argument("max_attempts", format!("{n} is not a number of attempts")))
        })
        .transpose()
}

#[pymethods]
impl PyTokenFlow {
    #[new]
    #[pyo3(signature = (*, max_attempts=None, initial_backoff_ms=None, max_backoff_ms=None, attempt_timeout_ms=None, deadline_ms=None, refresh_skew=None, host_signing=false))]
    fn new(
        max_attempts: Option<i64>,
        initial_backoff_ms: Option<i64>,
        max_backoff_ms: Option<i64>,
        attempt_timeout_ms: Option<i64>,
        deadline_ms: Option<i64>,
        refresh_skew: Option<i64>,
        host_signing: bool,
    ) -> PyResult<PyTokenFlow> {
        let options = FlowOptions {
            max_attempts: attempts(max_attempts)?,
            initial_backoff_ms,
            max_backoff_ms,
            attempt_timeout_ms,
            deadline_ms,
            refresh_skew,
        };
        let flow = TokenFlow::with_options(&options).py()?.with_events(true).with_host_signing(host_signing);
        let generation = AtomicU64::new(flow.generation());
        Ok(PyTokenFlow { shared: Arc::new(Shared { flow: Mutex::new(flow), generation }) })
    }

    /// The cached token of ``source`` if it is fresh at ``now_ms`` (Unix milliseconds, default
    /// the clock), else ``None``: the cache hit in one call, without starting a call.
    #[pyo3(signature = (source, now_ms=None))]
    fn fresh(&self, py: Python<'_>, source: PyRef<'_, PyTokenSource>, now_ms: Option<i64>) -> Option<PyAccessToken> {
        let now_ms = now_ms_or_clock(now_ms);
        let key = &source.inner.key;
        let (token, _) = self.shared.run(py, false, |flow| flow.fresh(key, now_ms));
        token.map(|inner| PyAccessToken { inner })
    }

    /// Starts one caller's request for the token of ``source`` at ``now_ms``; drive it with
    /// ``TokenCall.poll``. For a source with ``altinn``, the call fetches the Maskinporten token
    /// when it is due (shared with that token's own callers) and exchanges it; its ``"send"``
    /// steps are then the token request or the exchange (a ``GET``).
    #[pyo3(signature = (source, now_ms=None))]
    fn call(&self, py: Python<'_>, source: PyRef<'_, PyTokenSource>, now_ms: Option<i64>) -> PyTokenCall {
        let now_ms = now_ms_or_clock(now_ms);
        let source_ref = &*source.inner;
        let (call, _) = self.shared.run(py, false, |flow| match &source_ref.exchange {
            Some(exchange) => flow.call_exchanged(source_ref.maskinporten_key.clone(), exchange, now_ms),
            None => flow.call(source_ref.key.clone(), now_ms),
        });
        PyTokenCall::new(Arc::clone(&self.shared), Arc::clone(&source.inner), call)
    }

    /// Reports that an API answered 401 to ``rejected_access_token`` (the token of ``source``):
    /// that token, and only that one, is dropped, so many callers reporting the same 401 cause
    /// one fetch. Returns whether a token was dropped.
    #[pyo3(signature = (source, rejected_access_token))]
    fn reject(&self, py: Python<'_>, source: PyRef<'_, PyTokenSource>, rejected_access_token: &str) -> bool {
        let key = &source.inner.key;
        self.shared.run(py, false, |flow| flow.reject(key, rejected_access_token)).0
    }

    /// Forgets the token of ``source`` whatever it is (after a configuration change; after a 401
    /// use ``reject``).
    #[pyo3(signature = (source))]
    fn forget(&self, py: Python<'_>, source: PyRef<'_, PyTokenSource>) {
        let key = &source.inner.key;
        self.shared.run(py, false, |flow| flow.forget(key));
    }

    /// Drops expired tokens nobody is fetching (for long-lived processes with many keys).
    #[pyo3(signature = (now_ms=None))]
    fn purge_expired(&self, py: Python<'_>, now_ms: Option<i64>) {
        let now_ms = now_ms_or_clock(now_ms);
        self.shared.run(py, false, |flow| flow.purge_expired(now_ms));
    }

    /// A counter that changes whenever a fetch ends or a token is dropped: waiting callers poll
    /// again when it changes.
    #[getter]
    fn generation(&self) -> u64 {
        self.shared.generation()
    }

    /// The queued events at or above ``min_levelno`` (a ``logging`` level number), oldest
    /// first; quieter ones are discarded.
    #[pyo3(signature = (min_levelno=0))]
    fn drain_events(&self, py: Python<'_>, min_levelno: u8) -> PyResult<Vec<Py<PyFlowEvent>>> {
        let (drained, _) = self.shared.run(py, false, |flow| events::drain(min_levelno, || flow.poll_event()));
        events::to_py(py, drained)
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.shared.run(py, false, |flow| flow.len()).0
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let (description, _) = self.shared.run(py, false, |flow| {
            let policy = flow.policy();
            format!(
                "TokenFlow(max_attempts={}, attempt_timeout_ms={}, deadline_ms={}, keys={})",
                policy.max_attempts(),
                policy.attempt_timeout_ms(),
                policy.deadline_ms(),
                flow.len()
            )
        });
        description
    }
}
