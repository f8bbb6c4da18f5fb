//! `Validator` and `ValidatedToken`: checking Maskinporten access tokens on the API side.

use crate::environment::EnvironmentArg;
use crate::errors::IntoPyResult;
use crate::options::OneOrMany;
use crate::request::PyHttpRequest;
use crate::text::{now_or_clock, repr_opt, repr_str, Binary};
use maskinporten::{Algorithm, Authorization, Organisation, Requirements, ScopeMatch, ValidatedToken, Validator};
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Validates Maskinporten access tokens for one issuer against its JWKS, which you fetch when
/// told to (sans-IO). Safe to share between threads; ``validate`` runs without the GIL.
///
///     validator = Validator("test")                     # or "prod", an Environment
///     request = validator.jwks_request()                # None when no fetch is due
///     if request: validator.update_jwks(http_get(request.url))
///     token = validator.validate(bearer, scopes=["my:scope"])
///     token.consumer.org_number                          # authorize on this, never on client_id
///
/// Options: ``algorithms`` (subset of RS256/RS384/RS512), ``leeway`` (seconds, for ``exp``,
/// ``iat``, ``nbf``; default 10), ``max_jwks_age`` (default 24 h) and ``min_refetch_interval``
/// (at most one refetch per this many seconds for unknown ``kid``s; default 60).
/// ``maskinporten.TokenVerifier`` does the fetching for you.
#[pyclass(module = "maskinporten", frozen, name = "Validator")]
pub struct PyValidator {
    inner: RwLock<Validator>,
    issuer: String,
}

impl PyValidator {
    fn read(&self) -> RwLockReadGuard<'_, Validator> {
        self.inner.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Validator> {
        self.inner.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn scope_match(value: &str) -> PyResult<ScopeMatch> {
    value.parse::<ScopeMatch>().py()
}

#[pymethods]
impl PyValidator {
    #[new]
    #[pyo3(signature = (environment=None, *, algorithms=None, leeway=None, max_jwks_age=None, min_refetch_interval=None))]
    fn new(
        environment: Option<EnvironmentArg>,
        algorithms: Option<Vec<String>>,
        leeway: Option<i64>,
        max_jwks_age: Option<i64>,
        min_refetch_interval: Option<i64>,
    ) -> PyResult<PyValidator> {
        let environment = match environment {
            Some(env) => env.resolve()?,
            None => maskinporten::Environment::test(),
        };
        let issuer = environment.issuer().to_owned();
        let algorithms = match algorithms {
            Some(names) => Some(names.iter().map(|n| n.parse::<Algorithm>()).collect::<Result<Vec<_>, _>>().py()?),
            None => None,
        };
        let options = maskinporten::ValidatorOptions {
            algorithms,
            leeway,
            max_jwks_age,
            min_refetch_interval,
            jwks_timeout_ms: None,
        };
        let validator = Validator::new(environment).with_options(&options).py()?;
        Ok(PyValidator { inner: RwLock::new(validator), issuer })
    }

    /// The issuer whose tokens this validator accepts.
    #[getter]
    fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The JWKS request to send now (first use, JWKS older than ``max_jwks_age``, or an unknown
    /// ``kid`` seen, rate-limited), or ``None`` when no fetch is due.
    #[pyo3(signature = (now=None))]
    fn jwks_request(&self, now: Option<i64>) -> Option<PyHttpRequest> {
        self.read().jwks_request(now_or_clock(now)).map(PyHttpRequest::from)
    }

    /// Takes the fetched JWKS body. A malformed body raises and keeps the keys held so far.
    #[pyo3(signature = (body, now=None))]
    fn update_jwks(&self, body: Binary, now: Option<i64>) -> PyResult<()> {
        self.write().update_jwks(&body.into_bytes(), now_or_clock(now)).py()
    }

    /// Takes the JWKS endpoint's whole answer: a 200 loads the keys (as ``update_jwks``); any
    /// other status keeps the keys held, starts the back-off and raises the core's retryable
    /// ``unavailable`` error with the status.
    #[pyo3(signature = (status, body, now=None))]
    fn update_jwks_response(&self, status: u16, body: Binary, now: Option<i64>) -> PyResult<()> {
        self.write().update_jwks_response(status, &body.into_bytes(), now_or_clock(now)).py()
    }

    /// Tells the validator that fetching the JWKS failed (network error, 5xx): the keys held so
    /// far stay in use, and the next fetch waits ``min_refetch_interval``.
    #[pyo3(signature = (now=None))]
    fn jwks_fetch_failed(&self, now: Option<i64>) {
        self.write().jwks_fetch_failed(now_or_clock(now));
    }

    /// Whether a JWKS has been loaded.
    #[getter]
    fn has_jwks(&self) -> bool {
        self.read().has_jwks()
    }

    /// Validates ``token`` (the compact JWT, with or without ``"Bearer "``): signature (RS256/384/
    /// 512 from the JWKS by ``kid``), ``iss``, ``exp``/``iat``/``nbf``, ``token_type``, and this
    /// call's requirements: ``scopes`` (any of them, or all with ``scope_match="all"``),
    /// ``audience``, ``require_pid``, ``consumer_orgs``. Raises ``InvalidTokenError``.
    #[pyo3(signature = (token, now=None, *, scopes=None, scope_match="any", audience=None, require_pid=false, consumer_orgs=None))]
    #[allow(clippy::too_many_arguments)]
    fn validate(
        &self,
        py: Python<'_>,
        token: &str,
        now: Option<i64>,
        scopes: Option<OneOrMany>,
        scope_match: &str,
        audience: Option<String>,
        require_pid: bool,
        consumer_orgs: Option<Vec<String>>,
    ) -> PyResult<PyValidatedToken> {
        let requirements = Requirements::from_parts(
            match scopes {
                None => Vec::new(),
                Some(OneOrMany::One(scope)) => vec![scope],
                Some(OneOrMany::Many(scopes)) => scopes,
            },
            self::scope_match(scope_match)?,
            audience,
            require_pid,
            consumer_orgs.unwrap_or_default(),
            false,
        );
        let now = now_or_clock(now);
        let validated = py.detach(|| self.read().validate(token, now, &requirements)).py()?;
        Ok(PyValidatedToken { inner: validated })
    }

    fn __repr__(&self) -> String {
        format!("Validator(issuer={})", repr_str(&self.issuer))
    }
}

/// An organisation from a token (``consumer``, ``supplier``, ``systemuser_org``).
#[pyclass(module = "maskinporten", frozen, eq, name = "Organisation")]
#[derive(Clone, PartialEq)]
pub struct PyOrganisation {
    inner: Organisation,
}

#[pymethods]
impl PyOrganisation {
    /// The whole ``ID``, such as ``0192:991825827`` or ``0192:991825827:ER//987464291:1``.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The 9-digit organisation number (the ID's second part).
    #[getter]
    fn org_number(&self) -> &str {
        &self.inner.org_number
    }

    /// The parts after the org number (a sub-unit, a sequence), if any.
    #[getter]
    fn sub_unit(&self) -> Vec<String> {
        self.inner.sub_unit.clone()
    }

    fn __repr__(&self) -> String {
        format!("Organisation(id={})", repr_str(&self.inner.id))
    }
}

fn organisation(value: &Option<Organisation>) -> Option<PyOrganisation> {
    value.as_ref().map(|inner| PyOrganisation { inner: inner.clone() })
}

/// One ``authorization_details`` entry of a token. ``type`` is ``"system_user"``, ``"consent"``
/// or ``"other"``; the other attributes are ``None``/empty where they do not apply.
#[pyclass(module = "maskinporten", frozen, name = "Authorization")]
pub struct PyAuthorization {
    inner: Authorization,
}

#[pymethods]
impl PyAuthorization {
    /// ``"system_user"``, ``"consent"`` or ``"other"``.
    #[getter]
    fn r#type(&self) -> &'static str {
        match &self.inner {
            Authorization::SystemUser { .. } => "system_user",
            Authorization::Consent { .. } => "consent",
            _ => "other",
        }
    }

    /// The system user's organisation (``systemuser_org``).
    #[getter]
    fn org(&self) -> Option<PyOrganisation> {
        match &self.inner {
            Authorization::SystemUser { org, .. } => organisation(org),
            _ => None,
        }
    }

    /// The system user ids (``systemuser_id``).
    #[getter]
    fn system_user_ids(&self) -> Vec<String> {
        match &self.inner {
            Authorization::SystemUser { system_user_ids, .. } => system_user_ids.clone(),
            _ => Vec::new(),
        }
    }

    /// The registered system (``system_id``).
    #[getter]
    fn system_id(&self) -> Option<&str> {
        match &self.inner {
            Authorization::SystemUser { system_id, .. } => system_id.as_deref(),
            _ => None,
        }
    }

    /// The vendor's reference (``externalRef``).
    #[getter]
    fn external_ref(&self) -> Option<&str> {
        match &self.inner {
            Authorization::SystemUser { external_ref, .. } => external_ref.as_deref(),
            _ => None,
        }
    }

    /// The consent id.
    #[getter]
    fn id(&self) -> Option<&str> {
        match &self.inner {
            Authorization::Consent { id, .. } => id.as_deref(),
            _ => None,
        }
    }

    /// The party that gave the consent (``from``).
    #[getter]
    fn from_(&self) -> Option<&str> {
        match &self.inner {
            Authorization::Consent { from, .. } => from.as_deref(),
            _ => None,
        }
    }

    /// The raw entry as JSON, for ``"other"`` types.
    #[getter]
    fn json(&self) -> Option<&str> {
        match &self.inner {
            Authorization::Other(json) => Some(json.as_str()),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        format!("Authorization(type='{}')", self.r#type())
    }
}

/// A token that passed every check, with what the API needs to authorize the call. Authorize
/// on ``consumer`` (and ``scopes``), never on ``client_id``.
#[pyclass(module = "maskinporten", frozen, name = "ValidatedToken")]
pub struct PyValidatedToken {
    inner: ValidatedToken,
}

#[pymethods]
impl PyValidatedToken {
    /// The organisation the token is for (``consumer``).
    #[getter]
    fn consumer(&self) -> PyOrganisation {
        PyOrganisation { inner: self.inner.consumer.clone() }
    }

    /// The supplier acting for the consumer, when delegated.
    #[getter]
    fn supplier(&self) -> Option<PyOrganisation> {
        organisation(&self.inner.supplier)
    }

    /// Where the delegation came from (``delegation_source``), when delegated.
    #[getter]
    fn delegation_source(&self) -> Option<&str> {
        self.inner.delegation_source.as_deref()
    }

    /// The client that asked for the token (do not authorize on it).
    #[getter]
    fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// How the client authenticated (``virksomhetssertifikat``, ``private_key_jwt``...).
    #[getter]
    fn client_amr(&self) -> Option<&str> {
        self.inner.client_amr.as_deref()
    }

    /// Granted scopes.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.inner.scopes.clone()
    }

    /// ``aud`` values, when the token was asked for with a ``resource``.
    #[getter]
    fn audience(&self) -> Vec<String> {
        self.inner.audience.clone()
    }

    /// Person identifier, for person-bound tokens.
    #[getter]
    fn pid(&self) -> Option<&str> {
        self.inner.pid.as_deref()
    }

    /// Issued at, Unix seconds.
    #[getter]
    fn issued_at(&self) -> i64 {
        self.inner.issued_at
    }

    /// Expiry, Unix seconds.
    #[getter]
    fn expires_at(&self) -> i64 {
        self.inner.expires_at
    }

    /// The token id.
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.inner.jti.as_deref()
    }

    /// ``authorization_details``, typed (system user, consent, other).
    #[getter]
    fn authorization_details<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .authorization_details
            .iter()
            .map(|inner| Py::new(py, PyAuthorization { inner: inner.clone() }))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// All claims as JSON text (``json.loads`` it for a dict).
    #[getter]
    fn claims_json(&self) -> &str {
        &self.inner.claims_json
    }

    fn __repr__(&self) -> String {
        format!(
            "ValidatedToken(consumer={}, supplier={}, client_id={}, scopes={:?}, expires_at={})",
            repr_str(&self.inner.consumer.id),
            repr_opt(self.inner.supplier.as_ref().map(|s| s.id.as_str())),
            repr_str(&self.inner.client_id),
            self.inner.scopes,
            self.inner.expires_at
        )
    }
}
