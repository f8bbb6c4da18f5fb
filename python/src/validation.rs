//! `ValidationCall` and `ValidationStep`: one request's validation, JWKS fetches included.

use crate::claims::PyValidatedToken;
use crate::clock::now_ms_or_clock;
use crate::errors::{invalid_argument, to_py, IntoPyResult};
use crate::request::PyHttpRequest;
use crate::text::Binary;
use crate::validator::Shared;
use maskinporten::{Error, HttpRequest, HttpResponse, Requirements, TransportFailure, ValidationCall, ValidationStep};
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, MutexGuard};

/// One request's validation, from ``Validator.validation`` until a ``"valid"`` or ``"fail"``
/// step. Loop on ``poll()``; answer a ``"fetch_jwks"`` step with ``handle_jwks_response`` or
/// ``handle_jwks_failure``; a validation given up midway must be ``cancel()``-ed. Every
/// ``handle_*`` and ``cancel`` returns whether waiting validations must be woken. ``repr()``
/// does not show the token.
#[pyclass(module = "maskinporten", frozen, name = "ValidationCall")]
pub struct PyValidationCall {
    shared: Arc<Shared>,
    token: String,
    requirements: Arc<Requirements>,
    call: Mutex<Option<ValidationCall>>,
}

impl PyValidationCall {
    pub fn new(shared: Arc<Shared>, token: String, requirements: Arc<Requirements>, call: ValidationCall) -> Self {
        PyValidationCall { shared, token, requirements, call: Mutex::new(Some(call)) }
    }

    fn lock(&self) -> MutexGuard<'_, Option<ValidationCall>> {
        self.call.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn report(&self, f: impl FnOnce(&mut maskinporten::Validator, &mut ValidationCall)) -> PyResult<bool> {
        let mut guard = self.lock();
        let call = guard.as_mut().ok_or_else(cancelled)?;
        Ok(self.shared.write(|validator| f(validator, call)).1)
    }
}

fn cancelled() -> PyErr {
    invalid_argument("call", "this validation was cancelled: start a new one")
}

#[pymethods]
impl PyValidationCall {
    /// The next step at ``now_ms`` (Unix milliseconds, default the clock). Checking the
    /// signature releases the GIL.
    #[pyo3(signature = (now_ms=None))]
    fn poll(&self, py: Python<'_>, now_ms: Option<i64>) -> PyResult<PyValidationStep> {
        let now_ms = now_ms_or_clock(now_ms);
        let mut guard = self.lock();
        let call = guard.as_mut().ok_or_else(cancelled)?;
        let (shared, token, requirements) = (&*self.shared, self.token.as_str(), &*self.requirements);
        let (step, generation) = py.detach(|| {
            let validator = shared.read();
            let step = validator.poll_validation(call, token, requirements, now_ms);
            (step, validator.generation())
        });
        PyValidationStep::from_core(py, step, generation)
    }

    /// Reports the answer to the last ``"fetch_jwks"`` step (a 200 loads the keys; anything else
    /// keeps the keys held and starts the back-off).
    #[pyo3(signature = (status, body, *, content_type=None, retry_after=None, now_ms=None))]
    fn handle_jwks_response(
        &self,
        status: u16,
        body: Binary,
        content_type: Option<&str>,
        retry_after: Option<&str>,
        now_ms: Option<i64>,
    ) -> PyResult<bool> {
        let now_ms = now_ms_or_clock(now_ms);
        let body = body.into_bytes();
        let response = HttpResponse::new(status, &body).with_content_type(content_type).with_retry_after(retry_after);
        self.report(|validator, call| validator.handle_jwks_response(call, response, now_ms))
    }

    /// Reports that the last ``"fetch_jwks"`` step got no HTTP answer (``failure``:
    /// ``"timeout"``, ``"connect"``, ``"reset"``, ``"tls"`` or ``"other"``).
    #[pyo3(signature = (failure, detail="", now_ms=None))]
    fn handle_jwks_failure(&self, failure: &str, detail: &str, now_ms: Option<i64>) -> PyResult<bool> {
        let failure = failure.parse::<TransportFailure>().py()?;
        let now_ms = now_ms_or_clock(now_ms);
        self.report(|validator, call| validator.handle_jwks_failure(call, failure, detail, now_ms))
    }

    /// Ends the validation without polling it again (safe twice); a JWKS fetch it held is
    /// released.
    fn cancel(&self) -> bool {
        let Some(call) = self.lock().take() else { return false };
        self.shared.write(|validator| validator.cancel_validation(call)).1
    }

    fn __repr__(&self) -> String {
        format!("ValidationCall(token=<{} chars, not shown>)", self.token.len())
    }
}

enum Step {
    Valid(Py<PyValidatedToken>),
    Fail(Error),
    FetchJwks { request: HttpRequest, timeout_at_ms: i64 },
    Wait { until_ms: i64, generation: u64 },
}

/// What the host does next for a ``ValidationCall``. ``kind`` is one of ``"valid"`` (use
/// ``token``), ``"fail"`` (raise ``error``, answer with ``Validator.rejection``),
/// ``"fetch_jwks"`` (send ``request``, give up at ``timeout_at_ms``, report it) or ``"wait"``
/// (another request is fetching the keys: wait until the validator's ``generation`` differs
/// from ``generation``, or ``until_ms``).
#[pyclass(module = "maskinporten", frozen, name = "ValidationStep")]
pub struct PyValidationStep {
    step: Step,
}

impl PyValidationStep {
    fn from_core(py: Python<'_>, step: ValidationStep, generation: u64) -> PyResult<PyValidationStep> {
        let step = match step {
            ValidationStep::Valid(inner) => Step::Valid(Py::new(py, PyValidatedToken { inner })?),
            ValidationStep::Fail(error) => Step::Fail(error),
            ValidationStep::FetchJwks { request, timeout_at_ms } => Step::FetchJwks { request, timeout_at_ms },
            ValidationStep::Wait { until_ms } => Step::Wait { until_ms, generation },
            // Only with the core's `platform-crypto` feature (another workspace member's), for
            // validators built with a platform verifier, which this binding never makes.
            #[allow(unreachable_patterns)]
            _ => Step::Fail(Error::InvalidArgument {
                kind: maskinporten::ErrorKind::InvalidArgument,
                field: "validator",
                message: "the validator asked for a platform signature check, which Python does not make".into(),
            }),
        };
        Ok(PyValidationStep { step })
    }
}

#[pymethods]
impl PyValidationStep {
    /// ``"valid"``, ``"fail"``, ``"fetch_jwks"`` or ``"wait"``.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.step {
            Step::Valid(_) => "valid",
            Step::Fail(_) => "fail",
            Step::FetchJwks { .. } => "fetch_jwks",
            Step::Wait { .. } => "wait",
        }
    }

    /// The validated token (``"valid"``).
    #[getter]
    fn token(&self, py: Python<'_>) -> Option<Py<PyValidatedToken>> {
        match &self.step {
            Step::Valid(token) => Some(token.clone_ref(py)),
            _ => None,
        }
    }

    /// The error to raise (``"fail"``).
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyBaseException>> {
        match &self.step {
            Step::Fail(error) => Some(to_py(error.clone()).into_value(py)),
            _ => None,
        }
    }

    /// The JWKS ``GET`` (``"fetch_jwks"``).
    #[getter]
    fn request(&self) -> Option<PyHttpRequest> {
        match &self.step {
            Step::FetchJwks { request, .. } => Some(PyHttpRequest::from(request.clone())),
            _ => None,
        }
    }

    /// When to give up on the JWKS request (``"fetch_jwks"``).
    #[getter]
    fn timeout_at_ms(&self) -> Option<i64> {
        match self.step {
            Step::FetchJwks { timeout_at_ms, .. } => Some(timeout_at_ms),
            _ => None,
        }
    }

    /// Until when to wait (``"wait"``).
    #[getter]
    fn until_ms(&self) -> Option<i64> {
        match self.step {
            Step::Wait { until_ms, .. } => Some(until_ms),
            _ => None,
        }
    }

    /// The validator's generation when this ``"wait"`` was decided.
    #[getter]
    fn generation(&self) -> Option<u64> {
        match self.step {
            Step::Wait { generation, .. } => Some(generation),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        match &self.step {
            Step::Valid(_) => "ValidationStep(kind='valid')".to_string(),
            Step::Fail(error) => format!("ValidationStep(kind='fail', error_kind='{}')", error.kind()),
            Step::FetchJwks { request, timeout_at_ms } => {
                format!("ValidationStep(kind='fetch_jwks', url='{}', timeout_at_ms={timeout_at_ms})", request.url)
            }
            Step::Wait { until_ms, generation } => {
                format!("ValidationStep(kind='wait', until_ms={until_ms}, generation={generation})")
            }
        }
    }
}
