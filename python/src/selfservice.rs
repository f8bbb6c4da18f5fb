//! `SelfService`: Digdir's self-service API for clients and keys, as requests to send
//! (``HttpRequest``). The answers are read by the ``parse_*`` functions (`selfservice_types.rs`).

use crate::client::PyClient;
use crate::environment::EnvironmentArg;
use crate::errors::IntoPyResult;
use crate::options::OneOrMany;
use crate::request::PyHttpRequest;
use crate::text::repr_str;
use maskinporten::{ClientUpdate, NewClient, SelfServiceCall};
use pyo3::prelude::*;

/// Digdir's self-service API of one environment (``"test"``, ``"prod"``, or an ``Environment``
/// whose metadata named the API, such as the local simulator's). Each ``*_request`` method takes
/// an admin access token and returns the ``HttpRequest`` to send; read the answer with the
/// matching ``parse_*`` function. Ask for the least admin scope a call needs:
/// ``SelfService.scope("create_client")`` is ``"idporten:dcr.write"``. The admin token must come
/// from a client that signs with the enterprise certificate (``check_admin_client``).
///
///     api = SelfService("test")
///     request = api.create_client_request(token, client_name="My integration",
///                                         description="Reads the register", scopes=["brreg:losore/utlegg"])
///     client = parse_client("create_client", status, body)
#[pyclass(module = "maskinporten", frozen, name = "SelfService")]
pub struct PySelfService {
    inner: maskinporten::SelfService,
}

#[pymethods]
impl PySelfService {
    /// The API of ``environment`` (required; ``"test"``, ``"prod"`` or an ``Environment``).
    #[new]
    #[pyo3(signature = (environment))]
    fn new(environment: EnvironmentArg) -> PyResult<PySelfService> {
        Ok(PySelfService { inner: maskinporten::SelfService::for_environment(&environment.resolve()?).py()? })
    }

    /// The least admin scope of a call, named after its request method without ``_request``:
    /// ``"list_clients"``, ``"get_client"``, ``"create_client"``, ``"update_client"``,
    /// ``"deactivate_client"``, ``"client_keys"``, ``"replace_keys"``, ``"remove_keys"``,
    /// ``"scope_access"``, ``"public_scopes"``.
    #[staticmethod]
    #[pyo3(signature = (call))]
    fn scope(call: &str) -> PyResult<&'static str> {
        Ok(call.parse::<SelfServiceCall>().py()?.scope().as_str())
    }

    /// The base URL (no trailing slash).
    #[getter]
    fn base(&self) -> &str {
        self.inner.base()
    }

    /// ``GET /clients`` (``parse_clients``).
    #[pyo3(signature = (access_token))]
    fn list_clients_request(&self, access_token: &str) -> PyResult<PyHttpRequest> {
        Ok(self.inner.list_clients_request(access_token).py()?.into())
    }

    /// ``GET /clients/{client_id}`` (``parse_client``).
    #[pyo3(signature = (access_token, client_id))]
    fn get_client_request(&self, access_token: &str, client_id: &str) -> PyResult<PyHttpRequest> {
        Ok(self.inner.get_client_request(access_token, client_id).py()?.into())
    }

    /// ``POST /clients``: a Maskinporten client (``parse_client`` reads its ``client_id``).
    #[pyo3(signature = (access_token, *, client_name, description, scopes=None))]
    fn create_client_request(
        &self,
        access_token: &str,
        client_name: &str,
        description: &str,
        scopes: Option<OneOrMany>,
    ) -> PyResult<PyHttpRequest> {
        let scopes = scopes.map(OneOrMany::into_vec).unwrap_or_default();
        let client = NewClient::new(client_name, description, scopes);
        Ok(self.inner.create_client_request(access_token, &client).py()?.into())
    }

    /// ``PUT /clients/{client_id}``: the client's whole description after the change (read it
    /// with ``get_client_request`` first to keep what stays).
    #[pyo3(signature = (access_token, client_id, *, client_name, description, scopes))]
    fn update_client_request(
        &self,
        access_token: &str,
        client_id: &str,
        client_name: String,
        description: String,
        scopes: OneOrMany,
    ) -> PyResult<PyHttpRequest> {
        let update = ClientUpdate { client_name, description, scopes: scopes.into_vec() };
        Ok(self.inner.update_client_request(access_token, client_id, &update).py()?.into())
    }

    /// ``DELETE /clients/{client_id}``: deactivates the client (``parse_empty``).
    #[pyo3(signature = (access_token, client_id))]
    fn deactivate_client_request(&self, access_token: &str, client_id: &str) -> PyResult<PyHttpRequest> {
        Ok(self.inner.deactivate_client_request(access_token, client_id).py()?.into())
    }

    /// ``GET /clients/{client_id}/jwks`` (``parse_client_keys``).
    #[pyo3(signature = (access_token, client_id))]
    fn client_keys_request(&self, access_token: &str, client_id: &str) -> PyResult<PyHttpRequest> {
        Ok(self.inner.client_keys_request(access_token, client_id).py()?.into())
    }

    /// ``POST /clients/{client_id}/jwks``: replaces the whole key set with ``public_jwks`` (JSON
    /// text of each public JWK). At most 5 RSA keys of 2048 bits or more, no private member:
    /// checked before anything is built (``InvalidArgumentError``, kind ``invalid_key_set``).
    #[pyo3(signature = (access_token, client_id, public_jwks))]
    fn replace_keys_request(
        &self,
        access_token: &str,
        client_id: &str,
        public_jwks: Vec<String>,
    ) -> PyResult<PyHttpRequest> {
        Ok(self.inner.replace_keys_request(access_token, client_id, &public_jwks).py()?.into())
    }

    /// ``DELETE /clients/{client_id}/jwks``: removes the last keys (``parse_empty``).
    #[pyo3(signature = (access_token, client_id))]
    fn remove_keys_request(&self, access_token: &str, client_id: &str) -> PyResult<PyHttpRequest> {
        Ok(self.inner.remove_keys_request(access_token, client_id).py()?.into())
    }

    /// ``GET /scopes/access/all``: the scopes the organisation has been granted
    /// (``parse_scope_access``).
    #[pyo3(signature = (access_token))]
    fn scope_access_request(&self, access_token: &str) -> PyResult<PyHttpRequest> {
        Ok(self.inner.scope_access_request(access_token).py()?.into())
    }

    /// ``GET /scopes/all?accessible_for_all=true``: public scopes (``parse_public_scopes``).
    #[pyo3(signature = (access_token))]
    fn public_scopes_request(&self, access_token: &str) -> PyResult<PyHttpRequest> {
        Ok(self.inner.public_scopes_request(access_token).py()?.into())
    }

    fn __repr__(&self) -> String {
        format!("SelfService(base={})", repr_str(self.inner.base()))
    }
}

/// Checks a key set for ``replace_keys_request`` without building anything: 1 to 5 RSA signing
/// keys of 2048 bits or more, unique valid kids, no private member.
#[pyfunction]
#[pyo3(signature = (public_jwks))]
pub fn check_public_key_set(public_jwks: Vec<String>) -> PyResult<()> {
    maskinporten::check_public_key_set(&public_jwks).py().map(|_| ())
}

/// Refuses an admin client that signs with a registered key (``kid``): the self-service API's
/// caller must sign with the enterprise certificate (``x5c``).
#[pyfunction]
#[pyo3(signature = (client))]
pub fn check_admin_client(client: PyRef<'_, PyClient>) -> PyResult<()> {
    maskinporten::check_admin_client(&client.inner).py()
}
