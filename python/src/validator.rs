//! `Validator`: checking Maskinporten access tokens on the API side, with the core's validation
//! flow deciding when the issuer's JWKS is fetched.

use crate::claims::PyValidatedToken;
use crate::clock::{now_ms_or_clock, now_or_clock};
use crate::environment::EnvironmentArg;
use crate::errors::IntoPyResult;
use crate::events::{self, PyFlowEvent};
use crate::rejection::{error_arg, PyRejection};
use crate::requirements::PyRequirements;
use crate::text::{repr_str, Binary};
use crate::validation::PyValidationCall;
use maskinporten::{Algorithm, Validator, ValidatorOptions};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The validator behind its read-write lock, and its generation for waiters.
pub struct Shared {
    validator: RwLock<Validator>,
    generation: AtomicU64,
}

impl Shared {
    /// The validator for reading (validations run concurrently).
    pub fn read(&self) -> RwLockReadGuard<'_, Validator> {
        self.validator.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the validator for writing; says whether the generation changed.
    pub fn write<R>(&self, f: impl FnOnce(&mut Validator) -> R) -> (R, bool) {
        let mut validator = self.write_lock();
        let before = validator.generation();
        let result = f(&mut validator);
        let after = validator.generation();
        self.generation.store(after, Ordering::Release);
        (result, before != after)
    }

    fn write_lock(&self) -> RwLockWriteGuard<'_, Validator> {
        self.validator.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The validator's generation as of the last fetch report.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}

/// Validates Maskinporten access tokens of one issuer (``environment``: ``"test"``, ``"prod"``,
/// an issuer URL or an ``Environment``; required, there is no default) against its JWKS. The
/// core decides when the JWKS is fetched: ``TokenValidator`` executes that for you; this class
/// is the step API underneath (``validation(token, requirements)`` then ``ValidationCall.poll``)
/// and, for hosts that load the JWKS themselves, ``update_jwks`` + ``validate``.
///
/// Options: ``algorithms`` (subset of RS256/RS384/RS512), ``leeway`` (seconds, for ``exp``,
/// ``iat``, ``nbf``; default 10), ``max_jwks_age`` (seconds, default 24 h),
/// ``min_refetch_interval`` (seconds between unknown-``kid`` refetches and after a failed
/// fetch; default 60) and ``jwks_timeout_ms`` (one JWKS fetch; default 10000).
#[pyclass(module = "maskinporten", frozen, weakref, name = "Validator")]
pub struct PyValidator {
    pub(crate) shared: Arc<Shared>,
    issuer: String,
}

#[pymethods]
impl PyValidator {
    #[new]
    #[pyo3(signature = (environment, *, algorithms=None, leeway=None, max_jwks_age=None, min_refetch_interval=None, jwks_timeout_ms=None))]
    fn new(
        environment: EnvironmentArg,
        algorithms: Option<Vec<String>>,
        leeway: Option<i64>,
        max_jwks_age: Option<i64>,
        min_refetch_interval: Option<i64>,
        jwks_timeout_ms: Option<i64>,
    ) -> PyResult<PyValidator> {
        let environment = environment.resolve()?;
        let issuer = environment.issuer().to_owned();
        let algorithms = match algorithms {
            Some(names) => Some(names.iter().map(|n| n.parse::<Algorithm>()).collect::<Result<Vec<_>, _>>().py()?),
            None => None,
        };
        let options = ValidatorOptions { algorithms, leeway, max_jwks_age, min_refetch_interval, jwks_timeout_ms };
        let validator = Validator::new(environment).with_options(&options).py()?.with_events(true);
        let generation = AtomicU64::new(validator.generation());
        Ok(PyValidator { shared: Arc::new(Shared { validator: RwLock::new(validator), generation }), issuer })
    }

    /// The issuer whose tokens this validator accepts.
    #[getter]
    fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Whether a JWKS has been loaded.
    #[getter]
    fn has_jwks(&self) -> bool {
        self.shared.read().has_jwks()
    }

    /// A counter that changes whenever a JWKS fetch ends: waiting validations poll again.
    #[getter]
    fn generation(&self) -> u64 {
        self.shared.generation()
    }

    /// Loads a JWKS you obtained yourself (a file, a configuration service) at ``now`` (Unix
    /// seconds, default the clock). A malformed body raises and keeps the keys held so far.
    #[pyo3(signature = (body, now=None))]
    fn update_jwks(&self, body: Binary, now: Option<i64>) -> PyResult<()> {
        let body = body.into_bytes();
        let now = now_or_clock(now);
        self.shared.write(|validator| validator.update_jwks(&body, now)).0.py()
    }

    /// Validates ``token`` (the token, or a whole ``Authorization`` value such as ``"Bearer
    /// ..."``) at ``now`` (Unix seconds) with the keys held, without fetching (after
    /// ``update_jwks``): signature, ``iss``, ``exp``/``iat``/``nbf``, ``token_type`` and the
    /// ``requirements``. Raises ``InvalidTokenError``. ``TokenValidator`` fetches for you.
    #[pyo3(signature = (token, requirements, now=None))]
    fn validate(
        &self,
        py: Python<'_>,
        token: &str,
        requirements: PyRef<'_, PyRequirements>,
        now: Option<i64>,
    ) -> PyResult<PyValidatedToken> {
        let now = now_or_clock(now);
        let requirements = &*requirements.inner;
        let validated = py.detach(|| self.shared.read().validate(token, now, requirements)).py()?;
        Ok(PyValidatedToken { inner: validated })
    }

    /// Starts validating ``token`` (or a whole ``Authorization`` value) for ``requirements`` at
    /// ``now_ms`` (Unix milliseconds, default the clock); drive it with ``ValidationCall.poll``.
    #[pyo3(signature = (token, requirements, now_ms=None))]
    fn validation(
        &self,
        token: String,
        requirements: PyRef<'_, PyRequirements>,
        now_ms: Option<i64>,
    ) -> PyValidationCall {
        let call = self.shared.read().validation(now_ms_or_clock(now_ms));
        PyValidationCall::new(Arc::clone(&self.shared), token, Arc::clone(&requirements.inner), call)
    }

    /// The RFC 6750 answer to ``error`` (a ``MaskinportenError`` from ``bearer_token`` or a
    /// validation) for an API with these ``requirements``; an issuer outage's ``Retry-After`` is
    /// the time until this validator tries the JWKS again.
    #[pyo3(signature = (error, requirements, now_ms=None))]
    fn rejection(
        &self,
        error: &Bound<'_, PyAny>,
        requirements: PyRef<'_, PyRequirements>,
        now_ms: Option<i64>,
    ) -> PyResult<PyRejection> {
        let error = error_arg(error)?;
        let now_ms = now_ms_or_clock(now_ms);
        Ok(PyRejection { inner: self.shared.read().rejection(&error, &requirements.inner, now_ms) })
    }

    /// The queued events (JWKS refreshed or failed) at or above ``min_levelno``, oldest first.
    #[pyo3(signature = (min_levelno=0))]
    fn drain_events(&self, py: Python<'_>, min_levelno: u8) -> PyResult<Vec<Py<PyFlowEvent>>> {
        let (drained, _) = self.shared.write(|validator| events::drain(min_levelno, || validator.poll_event()));
        events::to_py(py, drained)
    }

    fn __repr__(&self) -> String {
        format!("Validator(issuer={})", repr_str(&self.issuer))
    }
}
