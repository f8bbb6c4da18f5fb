//! `Requirements`: what an API requires of a token, beyond signature, issuer and time.

use crate::errors::IntoPyResult;
use crate::options::OneOrMany;
use crate::text::repr_str;
use maskinporten::{Requirements, ScopeMatch};
use pyo3::prelude::*;
use std::sync::Arc;

/// What an API requires of a token. Safe by default: name at least one scope (any of them, or
/// all with ``scope_match="all"``) or an ``audience``, because Maskinporten signs tokens for
/// every API with the same key and a token minted for *another* API would otherwise pass.
/// ``any_scope_unchecked=True`` is the explicit opt-out (for a token inspector). Also
/// ``require_pid`` and ``consumer_orgs`` (the organisations this API serves). Checked when made:
/// ``InvalidArgumentError`` with ``kind`` ``invalid_requirements``.
///
///     Requirements("brreg:reelle/offentlig", consumer_orgs=["991825827"])
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
    ) -> PyResult<PyRequirements> {
        let requirements = Requirements::from_parts(
            scopes.map(OneOrMany::into_vec).unwrap_or_default(),
            scope_match.parse::<ScopeMatch>().py()?,
            audience,
            require_pid,
            consumer_orgs.map(OneOrMany::into_vec).unwrap_or_default(),
            any_scope_unchecked,
        );
        requirements.check().py()?;
        Ok(PyRequirements { inner: Arc::new(requirements) })
    }
}

#[pymethods]
impl PyRequirements {
    #[new]
    #[pyo3(signature = (scopes=None, *, scope_match="any", audience=None, require_pid=false, consumer_orgs=None, any_scope_unchecked=false))]
    fn new(
        scopes: Option<OneOrMany>,
        scope_match: &str,
        audience: Option<String>,
        require_pid: bool,
        consumer_orgs: Option<OneOrMany>,
        any_scope_unchecked: bool,
    ) -> PyResult<PyRequirements> {
        PyRequirements::build(scopes, scope_match, audience, require_pid, consumer_orgs, any_scope_unchecked)
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

    /// Whether these requirements accept any scope (the explicit opt-out).
    #[getter]
    fn any_scope_unchecked(&self) -> bool {
        self.inner.is_scope_unchecked()
    }

    fn __repr__(&self) -> String {
        let list = |items: &[String]| items.iter().map(|s| repr_str(s)).collect::<Vec<_>>().join(", ");
        format!(
            "Requirements(scopes=[{}], scope_match='{}', audience={}, require_pid={}, consumer_orgs=[{}], any_scope_unchecked={})",
            list(self.inner.scopes()),
            self.inner.scope_match().as_str(),
            crate::text::repr_opt(self.inner.required_audience()),
            if self.inner.pid_required() { "True" } else { "False" },
            list(self.inner.consumer_orgs()),
            if self.inner.is_scope_unchecked() { "True" } else { "False" },
        )
    }
}
