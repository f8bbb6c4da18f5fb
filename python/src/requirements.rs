//! `Requirements`: what an API requires of a token, beyond signature, issuer and time.

use crate::errors::IntoPyResult;
use crate::options::OneOrMany;
use crate::text::repr_str;
use maskinporten::{Requirements, ScopeMatch};
use pyo3::prelude::*;
use std::sync::Arc;

/// The Altinn options of `Requirements`: `eseal_consumers`, `consent`, `system_user`.
type AltinnParts<'a, 'py> = (bool, Option<&'a Bound<'py, PyAny>>, Option<&'a Bound<'py, PyAny>>);

/// What an API requires of a token. Safe by default: name at least one scope (any of them, or
/// all with ``scope_match="all"``) or an ``audience``, because Maskinporten signs tokens for
/// every API with the same key and a token minted for *another* API would otherwise pass.
/// ``any_scope_unchecked=True`` is the explicit opt-out (for a token inspector). Also
/// ``require_pid`` and ``consumer_orgs`` (the organisations this API serves). Altinn 3 tokens:
/// ``eseal_consumers=True`` also serves foreign eSeal consumers (they have no Norwegian
/// ``org_number``); ``consent=True`` (or ``{"id": ..., "from": ...}`` with what the API knows)
/// requires a valid consent (403 ``consent_invalid``); ``system_user=True`` (or ``{"org": ...,
/// "system_id": ...}``) a system user (403 ``system_user_missing``). Checked when made:
/// ``InvalidArgumentError`` with ``kind`` ``invalid_requirements``.
///
///     Requirements("brreg:reelle/offentlig", consumer_orgs=["991825827"])
///     Requirements("altinn:vendor.read", system_user={"org": "313000001"})
#[pyclass(module = "maskinporten", frozen, name = "Requirements")]
#[derive(Clone)]
pub struct PyRequirements {
    pub(crate) inner: Arc<Requirements>,
}

impl PyRequirements {
    /// Converts and checks the keyword form every validating function accepts.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        scopes: Option<OneOrMany>,
        scope_match: &str,
        audience: Option<String>,
        require_pid: bool,
        consumer_orgs: Option<OneOrMany>,
        any_scope_unchecked: bool,
        altinn: AltinnParts<'_, '_>,
    ) -> PyResult<PyRequirements> {
        let (eseal_consumers, consent, system_user) = altinn;
        let mut requirements = Requirements::from_parts(
            scopes.map(OneOrMany::into_vec).unwrap_or_default(),
            scope_match.parse::<ScopeMatch>().py()?,
            audience,
            require_pid,
            consumer_orgs.map(OneOrMany::into_vec).unwrap_or_default(),
            any_scope_unchecked,
        );
        if eseal_consumers {
            requirements = requirements.with_eseal_consumers();
        }
        if let Some(consent) = crate::altinn_requirements::consent(consent)? {
            requirements = requirements.with_consent(consent);
        }
        if let Some(system_user) = crate::altinn_requirements::system_user(system_user)? {
            requirements = requirements.with_system_user(system_user);
        }
        requirements.check().py()?;
        Ok(PyRequirements { inner: Arc::new(requirements) })
    }
}

#[pymethods]
impl PyRequirements {
    #[new]
    #[pyo3(signature = (scopes=None, *, scope_match="any", audience=None, require_pid=false, consumer_orgs=None, any_scope_unchecked=false, eseal_consumers=false, consent=None, system_user=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        scopes: Option<OneOrMany>,
        scope_match: &str,
        audience: Option<String>,
        require_pid: bool,
        consumer_orgs: Option<OneOrMany>,
        any_scope_unchecked: bool,
        eseal_consumers: bool,
        consent: Option<&Bound<'_, PyAny>>,
        system_user: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyRequirements> {
        let altinn = (eseal_consumers, consent, system_user);
        PyRequirements::build(scopes, scope_match, audience, require_pid, consumer_orgs, any_scope_unchecked, altinn)
    }

    /// The required scopes.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.inner.scopes().to_vec()
    }

    /// ``"any"`` or ``"all"`` of the scopes.
    #[getter]
    fn scope_match(&self) -> &'static str {
        self.inner.scope_match().as_str()
    }

    /// The required ``aud``, if any.
    #[getter]
    fn audience(&self) -> Option<&str> {
        self.inner.required_audience()
    }

    /// Whether a ``pid`` is required.
    #[getter]
    fn require_pid(&self) -> bool {
        self.inner.pid_required()
    }

    /// The served consumer organisations (empty: any).
    #[getter]
    fn consumer_orgs(&self) -> Vec<String> {
        self.inner.consumer_orgs().to_vec()
    }

    /// Whether foreign eSeal consumers are served.
    #[getter]
    fn eseal_consumers(&self) -> bool {
        self.inner.eseal_consumers_allowed()
    }

    /// The consent requirement as ``{"id": ..., "from": ...}``, or ``None``.
    #[getter]
    fn consent(&self) -> Option<std::collections::HashMap<&'static str, Option<String>>> {
        self.inner.consent().map(|c| [("id", c.id.clone()), ("from", c.from.clone())].into_iter().collect())
    }

    /// The system-user requirement as ``{"org": ..., "system_id": ...}``, or ``None``.
    #[getter]
    fn system_user(&self) -> Option<std::collections::HashMap<&'static str, Option<String>>> {
        self.inner
            .system_user()
            .map(|s| [("org", s.org.clone()), ("system_id", s.system_id.clone())].into_iter().collect())
    }

    /// Whether these requirements accept any scope (the explicit opt-out).
    #[getter]
    fn any_scope_unchecked(&self) -> bool {
        self.inner.is_scope_unchecked()
    }

    fn __repr__(&self) -> String {
        let list = |items: &[String]| items.iter().map(|s| repr_str(s)).collect::<Vec<_>>().join(", ");
        format!(
            "Requirements(scopes=[{}], scope_match='{}', audience={}, require_pid={}, consumer_orgs=[{}], any_scope_unchecked={}{}{}{})",
            list(self.inner.scopes()),
            self.inner.scope_match().as_str(),
            crate::text::repr_opt(self.inner.required_audience()),
            if self.inner.pid_required() { "True" } else { "False" },
            list(self.inner.consumer_orgs()),
            if self.inner.is_scope_unchecked() { "True" } else { "False" },
            if self.inner.eseal_consumers_allowed() { ", eseal_consumers=True" } else { "" },
            if self.inner.consent().is_some() { ", consent=..." } else { "" },
            if self.inner.system_user().is_some() { ", system_user=..." } else { "" },
        )
    }
}
