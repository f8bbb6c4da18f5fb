//! What the self-service API answers, as Python objects, and the ``parse_*`` functions that read
//! its answers.

use crate::errors::IntoPyResult;
use crate::text::{repr_str, Binary};
use pyo3::prelude::*;

/// A client as the self-service API describes it.
#[pyclass(module = "maskinporten", frozen, get_all, name = "RegisteredClient")]
#[derive(Clone)]
pub struct PyRegisteredClient {
    /// The id to use as a grant's ``iss``.
    pub client_id: String,
    /// The display name.
    pub client_name: String,
    /// The description.
    pub description: String,
    /// The organisation that owns the client, when the API said.
    pub client_orgno: Option<String>,
    /// ``"maskinporten"`` for Maskinporten clients, when the API said.
    pub integration_type: Option<String>,
    /// The client's scopes.
    pub scopes: Vec<String>,
    /// False after a deactivation.
    pub active: bool,
    /// When it was created (Unix seconds), when the API said.
    pub created: Option<i64>,
    /// When it was last changed (Unix seconds), when the API said.
    pub last_updated: Option<i64>,
}

impl From<maskinporten::RegisteredClient> for PyRegisteredClient {
    fn from(c: maskinporten::RegisteredClient) -> Self {
        PyRegisteredClient {
            client_id: c.client_id,
            client_name: c.client_name,
            description: c.description,
            client_orgno: c.client_orgno,
            integration_type: c.integration_type,
            scopes: c.scopes,
            active: c.active,
            created: c.created,
            last_updated: c.last_updated,
        }
    }
}

#[pymethods]
impl PyRegisteredClient {
    fn __repr__(&self) -> String {
        format!(
            "RegisteredClient(client_id={}, client_name={}, scopes={:?}, active={})",
            repr_str(&self.client_id),
            repr_str(&self.client_name),
            self.scopes,
            if self.active { "True" } else { "False" }
        )
    }
}

/// One registered public key: its ``kid``, when it expires, and the public JWK as JSON text.
#[pyclass(module = "maskinporten", frozen, get_all, name = "RegisteredKey")]
#[derive(Clone)]
pub struct PyRegisteredKey {
    /// The key's id (a grant's ``kid``).
    pub kid: String,
    /// When the key expires (Unix seconds); registered keys live at most one year.
    pub expires_at: Option<i64>,
    /// The public JWK as the API returned it.
    pub jwk_json: String,
}

#[pymethods]
impl PyRegisteredKey {
    /// A key from its parts (a host that keeps its own record of registered keys, or tests).
    #[new]
    #[pyo3(signature = (kid, expires_at=None, jwk_json=""))]
    fn new(kid: String, expires_at: Option<i64>, jwk_json: &str) -> PyRegisteredKey {
        PyRegisteredKey { kid, expires_at, jwk_json: jwk_json.to_string() }
    }

    fn __repr__(&self) -> String {
        format!("RegisteredKey(kid={}, expires_at={:?})", repr_str(&self.kid), self.expires_at)
    }
}

/// A client's key set (``GET /clients/{id}/jwks``): ``keys``, and when the set was first made
/// and last replaced (Unix seconds).
#[pyclass(module = "maskinporten", frozen, get_all, name = "ClientKeys")]
#[derive(Clone)]
pub struct PyClientKeys {
    /// The registered keys.
    pub keys: Vec<PyRegisteredKey>,
    /// When the first set was posted.
    pub created: Option<i64>,
    /// When the set was last replaced: the moment a rotation published it.
    pub last_updated: Option<i64>,
}

impl PyClientKeys {
    /// The core's value.
    pub fn to_core(&self) -> maskinporten::ClientKeys {
        maskinporten::ClientKeys {
            keys: self
                .keys
                .iter()
                .map(|k| maskinporten::RegisteredKey {
                    kid: k.kid.clone(),
                    expires_at: k.expires_at,
                    jwk_json: k.jwk_json.clone(),
                })
                .collect(),
            created: self.created,
            last_updated: self.last_updated,
        }
    }
}

impl From<maskinporten::ClientKeys> for PyClientKeys {
    fn from(set: maskinporten::ClientKeys) -> Self {
        PyClientKeys {
            keys: set
                .keys
                .into_iter()
                .map(|k| PyRegisteredKey { kid: k.kid, expires_at: k.expires_at, jwk_json: k.jwk_json })
                .collect(),
            created: set.created,
            last_updated: set.last_updated,
        }
    }
}

#[pymethods]
impl PyClientKeys {
    /// A key set from its parts.
    #[new]
    #[pyo3(signature = (keys, created=None, last_updated=None))]
    fn new(keys: Vec<PyRef<'_, PyRegisteredKey>>, created: Option<i64>, last_updated: Option<i64>) -> PyClientKeys {
        PyClientKeys { keys: keys.iter().map(|k| (**k).clone()).collect(), created, last_updated }
    }

    fn __repr__(&self) -> String {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        format!("ClientKeys(kids={kids:?}, last_updated={:?})", self.last_updated)
    }
}

/// A scope the organisation asked for or was granted: ``scope`` and ``state``
/// (``"APPROVED"``, ``"REQUESTED"``, ``"DENIED"``).
#[pyclass(module = "maskinporten", frozen, get_all, name = "ScopeAccess")]
pub struct PyScopeAccess {
    /// The scope.
    pub scope: String,
    /// As the API wrote it.
    pub state: String,
}

#[pymethods]
impl PyScopeAccess {
    fn __repr__(&self) -> String {
        format!("ScopeAccess(scope={}, state={})", repr_str(&self.scope), repr_str(&self.state))
    }
}

/// A public scope: ``name`` and ``description``.
#[pyclass(module = "maskinporten", frozen, get_all, name = "PublicScope")]
pub struct PyPublicScope {
    /// ``prefix:subscope``.
    pub name: String,
    /// The provider's description, if any.
    pub description: Option<String>,
}

#[pymethods]
impl PyPublicScope {
    fn __repr__(&self) -> String {
        format!("PublicScope(name={})", repr_str(&self.name))
    }
}

/// Reads ``GET /clients``. A 4xx is a ``SelfServiceError``; 5xx and 429 an ``UnavailableError``.
#[pyfunction]
#[pyo3(signature = (status, body))]
pub fn parse_clients(status: u16, body: Binary) -> PyResult<Vec<PyRegisteredClient>> {
    let clients = maskinporten::parse_clients(status, &body.into_bytes()).py()?;
    Ok(clients.into_iter().map(Into::into).collect())
}

/// Reads the answer of ``call`` (``"get_client"``, ``"create_client"`` or ``"update_client"``):
/// a refusal's ``needed_scope`` is that call's admin scope.
#[pyfunction]
#[pyo3(signature = (call, status, body))]
pub fn parse_client(call: &str, status: u16, body: Binary) -> PyResult<PyRegisteredClient> {
    let call = call.parse::<maskinporten::SelfServiceCall>().py()?;
    Ok(maskinporten::parse_client(call, status, &body.into_bytes()).py()?.into())
}

/// Reads the answer of ``call`` (``"client_keys"``, or ``"replace_keys"``, which returns the new
/// set).
#[pyfunction]
#[pyo3(signature = (call, status, body))]
pub fn parse_client_keys(call: &str, status: u16, body: Binary) -> PyResult<PyClientKeys> {
    let call = call.parse::<maskinporten::SelfServiceCall>().py()?;
    Ok(maskinporten::parse_client_keys(call, status, &body.into_bytes()).py()?.into())
}

/// Reads ``GET /scopes/access/all``.
#[pyfunction]
#[pyo3(signature = (status, body))]
pub fn parse_scope_access(status: u16, body: Binary) -> PyResult<Vec<PyScopeAccess>> {
    let list = maskinporten::parse_scope_access(status, &body.into_bytes()).py()?;
    Ok(list.into_iter().map(|a| PyScopeAccess { scope: a.scope, state: a.state }).collect())
}

/// Reads ``GET /scopes/all?accessible_for_all=true``.
#[pyfunction]
#[pyo3(signature = (status, body))]
pub fn parse_public_scopes(status: u16, body: Binary) -> PyResult<Vec<PyPublicScope>> {
    let list = maskinporten::parse_public_scopes(status, &body.into_bytes()).py()?;
    Ok(list.into_iter().map(|s| PyPublicScope { name: s.name, description: s.description }).collect())
}

/// Reads the answer of a ``DELETE`` (deactivate a client, remove its keys): ``None``, or the
/// error.
#[pyfunction]
#[pyo3(signature = (status, body))]
pub fn parse_empty(status: u16, body: Binary) -> PyResult<()> {
    maskinporten::parse_empty(status, &body.into_bytes()).py()
}
