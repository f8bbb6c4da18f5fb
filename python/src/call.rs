//! `TokenCall` and `TokenStep`: one caller's way through the token flow, step by step.

use crate::clock::now_ms_or_clock;
use crate::errors::{invalid_argument, to_py, IntoPyResult};
use crate::flow::Shared;
use crate::request::PyHttpRequest;
use crate::signer::PyPreparedGrant;
use crate::source::Source;
use crate::text::Binary;
use crate::token::PyAccessToken;
use maskinporten::{Error, HttpResponse, TokenCall, TokenRequest, TokenStep, TransportFailure};
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, MutexGuard};

/// One caller's request for a token, from ``TokenFlow.call`` until a ``"token"`` or ``"fail"``
/// step. Loop on ``poll()`` and answer each step with the matching ``handle_*``; a call given
/// up midway (an exception, a cancelled task) must be ``cancel()``-ed, or other callers wait
/// for its lease to run out. Every ``handle_*`` and ``cancel`` returns whether waiting callers
/// must be woken (the flow's ``generation`` changed).
#[pyclass(module = "maskinporten", frozen, name = "TokenCall")]
pub struct PyTokenCall {
    shared: Arc<Shared>,
    source: Arc<Source>,
    call: Mutex<Option<TokenCall>>,
}

impl PyTokenCall {
    pub fn new(shared: Arc<Shared>, source: Arc<Source>, call: TokenCall) -> PyTokenCall {
        PyTokenCall { shared, source, call: Mutex::new(Some(call)) }
    }

    fn lock(&self) -> MutexGuard<'_, Option<TokenCall>> {
        self.call.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` with the call (still open) and the flow.
    fn with_call<R: Send>(
        &self,
        py: Python<'_>,
        slow: bool,
        f: impl FnOnce(&mut maskinporten::TokenFlow, &mut TokenCall, &Source) -> R + Send,
    ) -> PyResult<(R, bool)> {
        let mut guard = self.lock();
        let call =
            guard.as_mut().ok_or_else(|| invalid_argument("call", "this call was cancelled: start a new one"))?;
        let source = &*self.source;
        Ok(self.shared.run(py, slow, |flow| f(flow, call, source)))
    }
}

#[pymethods]
impl PyTokenCall {
    /// The next step at ``now_ms`` (Unix milliseconds, default the clock). May sign a grant
    /// (the GIL is released meanwhile).
    #[pyo3(signature = (now_ms=None))]
    fn poll(&self, py: Python<'_>, now_ms: Option<i64>) -> PyResult<PyTokenStep> {
        let now_ms = now_ms_or_clock(now_ms);
        let (step, _) = self.with_call(py, true, |flow, call, source| {
            let step = flow.poll(call, &source.client, &source.options, now_ms);
            (step, flow.generation())
        })?;
        PyTokenStep::from_core(py, step.0, step.1)
    }

    /// Reports the HTTP answer to the last ``"send"`` step: ``status``, ``body``, the
    /// ``Content-Type`` and ``Retry-After`` headers, and ``jitter`` (0.0 to 1.0, from your random
    /// source) for the back-off if the flow retries.
    #[pyo3(signature = (status, body, *, jitter, content_type=None, retry_after=None, now_ms=None))]
    #[allow(clippy::too_many_arguments)]
    fn handle_response(
        &self,
        py: Python<'_>,
        status: u16,
        body: Binary,
        jitter: f64,
        content_type: Option<&str>,
        retry_after: Option<&str>,
        now_ms: Option<i64>,
    ) -> PyResult<bool> {
        let now_ms = now_ms_or_clock(now_ms);
        let body = body.into_bytes();
        let response = HttpResponse::new(status, &body).with_content_type(content_type).with_retry_after(retry_after);
        let (_, changed) = self.with_call(py, false, |flow, call, source| {
            flow.handle_response(call, &source.client, response, now_ms, jitter)
        })?;
        Ok(changed)
    }

    /// Reports that the last ``"send"`` step got no HTTP answer: ``failure`` is ``"timeout"``,
    /// ``"connect"``, ``"reset"``, ``"tls"`` or ``"other"``; ``detail`` the HTTP client's own
    /// description (no secrets).
    #[pyo3(signature = (failure, detail="", *, jitter, now_ms=None))]
    fn handle_failure(
        &self,
        py: Python<'_>,
        failure: &str,
        detail: &str,
        jitter: f64,
        now_ms: Option<i64>,
    ) -> PyResult<bool> {
        let failure = failure.parse::<TransportFailure>().py()?;
        let now_ms = now_ms_or_clock(now_ms);
        let (_, changed) =
            self.with_call(py, false, |flow, call, _| flow.handle_failure(call, failure, detail, now_ms, jitter))?;
        Ok(changed)
    }

    /// Reports the raw RSA signature of the last ``"sign"`` step's grant (verified against the
    /// certificate when there is one).
    #[pyo3(signature = (signature, now_ms=None))]
    fn handle_signature(&self, py: Python<'_>, signature: &[u8], now_ms: Option<i64>) -> PyResult<bool> {
        let now_ms = now_ms_or_clock(now_ms);
        let (_, changed) = self
            .with_call(py, true, |flow, call, source| flow.handle_signature(call, &source.client, signature, now_ms))?;
        Ok(changed)
    }

    /// Reports that your signer failed for the last ``"sign"`` step (the call fails with
    /// ``signer_failed``). ``message`` must not hold a secret.
    #[pyo3(signature = (message, now_ms=None))]
    fn handle_signer_failure(&self, py: Python<'_>, message: &str, now_ms: Option<i64>) -> PyResult<bool> {
        let now_ms = now_ms_or_clock(now_ms);
        let (_, changed) =
            self.with_call(py, false, |flow, call, _| flow.handle_signer_failure(call, message, now_ms))?;
        Ok(changed)
    }

    /// Ends the call without polling it again (safe to call on a finished call, and twice). If
    /// it was fetching, the next caller fetches.
    fn cancel(&self, py: Python<'_>) -> bool {
        let Some(call) = self.lock().take() else { return false };
        self.shared.run(py, false, |flow| flow.cancel(call)).1
    }

    /// Whether the call has ended (a token or an error was handed out, or it was cancelled).
    #[getter]
    fn finished(&self) -> bool {
        self.lock().as_ref().is_none_or(TokenCall::is_finished)
    }

    fn __repr__(&self) -> String {
        format!("TokenCall(cache_key='{}', finished={})", self.source.key.label(), py_bool(self.finished()))
    }
}

fn py_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

enum Step {
    Token(PyAccessToken),
    Send { request: TokenRequest, attempt: u32, timeout_at_ms: i64 },
    Sign { grant: Py<PyPreparedGrant>, attempt: u32 },
    Wait { until_ms: i64, generation: u64 },
    Sleep { until_ms: i64 },
    Fail(Error),
}

/// What the host does next for a ``TokenCall``. ``kind`` is one of:
///
/// - ``"token"``: done, use ``token``;
/// - ``"send"``: send ``request`` with your HTTP client, giving up at ``timeout_at_ms``; report
///   with ``handle_response`` or ``handle_failure``;
/// - ``"sign"``: sign ``grant`` with your signer; report with ``handle_signature`` or
///   ``handle_signer_failure``;
/// - ``"sleep"``: sleep until ``until_ms``, then poll again;
/// - ``"wait"``: another caller is fetching: wait until the flow's ``generation`` differs from
///   ``generation`` (woken after every ``handle_*``/``cancel`` that says so) or ``until_ms``;
/// - ``"fail"``: done, raise ``error``.
///
/// Times are Unix milliseconds. ``repr()`` shows neither the token nor the request body.
#[pyclass(module = "maskinporten", frozen, name = "TokenStep")]
pub struct PyTokenStep {
    step: Step,
}

impl PyTokenStep {
    fn from_core(py: Python<'_>, step: TokenStep, generation: u64) -> PyResult<PyTokenStep> {
        let step = match step {
            TokenStep::Token(inner) => Step::Token(PyAccessToken { inner }),
            TokenStep::Send { request, attempt, timeout_at_ms } => Step::Send { request, attempt, timeout_at_ms },
            TokenStep::Sign { grant, attempt } => {
                Step::Sign { grant: Py::new(py, PyPreparedGrant::from(grant))?, attempt }
            }
            TokenStep::Wait { until_ms } => Step::Wait { until_ms, generation },
            TokenStep::Sleep { until_ms } => Step::Sleep { until_ms },
            TokenStep::Fail(error) => Step::Fail(error),
        };
        Ok(PyTokenStep { step })
    }
}

#[pymethods]
impl PyTokenStep {
    /// ``"token"``, ``"send"``, ``"sign"``, ``"sleep"``, ``"wait"`` or ``"fail"``.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.step {
            Step::Token(_) => "token",
            Step::Send { .. } => "send",
            Step::Sign { .. } => "sign",
            Step::Wait { .. } => "wait",
            Step::Sleep { .. } => "sleep",
            Step::Fail(_) => "fail",
        }
    }

    /// The token (``"token"``).
    #[getter]
    fn token(&self) -> Option<PyAccessToken> {
        match &self.step {
            Step::Token(token) => Some(token.clone()),
            _ => None,
        }
    }

    /// The token request to send (``"send"``): a fresh, signed grant. Do not log its body.
    #[getter]
    fn request(&self) -> Option<PyHttpRequest> {
        match &self.step {
            Step::Send { request, .. } => Some(PyHttpRequest::from(request.clone())),
            _ => None,
        }
    }

    /// The grant to sign (``"sign"``).
    #[getter]
    fn grant(&self, py: Python<'_>) -> Option<Py<PyPreparedGrant>> {
        match &self.step {
            Step::Sign { grant, .. } => Some(grant.clone_ref(py)),
            _ => None,
        }
    }

    /// The attempt number, 1 for the first (``"send"``, ``"sign"``).
    #[getter]
    fn attempt(&self) -> Option<u32> {
        match self.step {
            Step::Send { attempt, .. } | Step::Sign { attempt, .. } => Some(attempt),
            _ => None,
        }
    }

    /// When to give up on the request and report ``"timeout"`` (``"send"``).
    #[getter]
    fn timeout_at_ms(&self) -> Option<i64> {
        match self.step {
            Step::Send { timeout_at_ms, .. } => Some(timeout_at_ms),
            _ => None,
        }
    }

    /// Until when to sleep or wait (``"sleep"``, ``"wait"``).
    #[getter]
    fn until_ms(&self) -> Option<i64> {
        match self.step {
            Step::Wait { until_ms, .. } | Step::Sleep { until_ms } => Some(until_ms),
            _ => None,
        }
    }

    /// The flow's generation when this ``"wait"`` was decided: wait while it is unchanged.
    #[getter]
    fn generation(&self) -> Option<u64> {
        match self.step {
            Step::Wait { generation, .. } => Some(generation),
            _ => None,
        }
    }

    /// The error to raise (``"fail"``): a ``MaskinportenError`` subclass.
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyBaseException>> {
        match &self.step {
            Step::Fail(error) => Some(to_py(error.clone()).into_value(py)),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        match &self.step {
            Step::Token(token) => format!("TokenStep(kind='token', expires_at={})", token.inner.expires_at()),
            Step::Send { request, attempt, timeout_at_ms } => format!(
                "TokenStep(kind='send', url='{}', attempt={attempt}, timeout_at_ms={timeout_at_ms})",
                request.url
            ),
            Step::Sign { attempt, .. } => format!("TokenStep(kind='sign', attempt={attempt})"),
            Step::Wait { until_ms, generation } => {
                format!("TokenStep(kind='wait', until_ms={until_ms}, generation={generation})")
            }
            Step::Sleep { until_ms } => format!("TokenStep(kind='sleep', until_ms={until_ms})"),
            Step::Fail(error) => format!("TokenStep(kind='fail', error_kind='{}')", error.kind()),
        }
    }
}
