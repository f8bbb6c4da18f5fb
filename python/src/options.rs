//! Grant options from Python arguments (scopes, resource, delegation, pid, authorization_details)
//! and the `AuthorizationDetail` class.

use crate::errors::IntoPyResult;
use maskinporten::{AuthorizationDetail, GrantOptions, Resource};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// One string, or a sequence of strings (a `str` is never split into characters).
#[derive(FromPyObject)]
pub enum OneOrMany {
    /// A single `str`.
    One(String),
    /// A list or tuple of `str`.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings, one or many.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// One entry of ``authorization_details`` (RFC 9396): an Altinn system user, a consent, or raw
/// JSON. Grants accept these objects or plain ``dict`` entries.
///
///     AuthorizationDetail.system_user("313000001", external_ref="my-ref")
///     AuthorizationDetail.consent("consent-id", "urn:altinn:person:identifier-no:...")
#[pyclass(module = "maskinporten", frozen, eq, name = "AuthorizationDetail")]
#[derive(Clone, PartialEq)]
pub struct PyAuthorizationDetail {
    inner: AuthorizationDetail,
}

#[pymethods]
impl PyAuthorizationDetail {
    /// A system user (``urn:altinn:systemuser``) acting for organisation ``org_number``, with an
    /// optional ``externalRef``.
    #[staticmethod]
    #[pyo3(signature = (org_number, external_ref=None))]
    fn system_user(org_number: &str, external_ref: Option<&str>) -> PyResult<PyAuthorizationDetail> {
        Ok(PyAuthorizationDetail { inner: AuthorizationDetail::system_user(org_number, external_ref).py()? })
    }

    /// A consent (``urn:altinn:consent``) with its ``id``, given ``from_`` a party.
    #[staticmethod]
    #[pyo3(signature = (id, from_))]
    fn consent(id: &str, from_: &str) -> PyResult<PyAuthorizationDetail> {
        Ok(PyAuthorizationDetail { inner: AuthorizationDetail::consent(id, from_).py()? })
    }

    /// Raw JSON text: one object or an array of objects, each with a string ``type``.
    #[staticmethod]
    #[pyo3(signature = (json))]
    fn from_json(json: &str) -> PyResult<Vec<PyAuthorizationDetail>> {
        let details = AuthorizationDetail::from_json(json).py()?;
        Ok(details.into_iter().map(|inner| PyAuthorizationDetail { inner }).collect())
    }

    /// The entry as compact JSON with sorted keys.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __repr__(&self) -> String {
        format!("AuthorizationDetail({})", self.inner.to_json())
    }
}

/// Appends the `authorization_details` argument: each entry an `AuthorizationDetail`, a mapping
/// (serialized with `json.dumps`), or JSON text.
fn authorization_details(py: Python<'_>, given: &Bound<'_, PyAny>) -> PyResult<Vec<AuthorizationDetail>> {
    if let Ok(text) = given.cast::<PyString>() {
        return AuthorizationDetail::from_json(&text.to_cow()?).py();
    }
    let dumps = py.import("json")?.getattr("dumps")?;
    let mut out = Vec::new();
    for item in given.try_iter()? {
        let item = item?;
        if let Ok(detail) = item.cast::<PyAuthorizationDetail>() {
            out.push(detail.get().inner.clone());
        } else if let Ok(text) = item.cast::<PyString>() {
            out.extend(AuthorizationDetail::from_json(&text.to_cow()?).py()?);
        } else {
            let json: String = dumps.call1((&item,))?.extract()?;
            out.extend(AuthorizationDetail::from_json(&json).py()?);
        }
    }
    Ok(out)
}

/// The grant options of one call, from the keyword arguments every `Client` method shares.
#[allow(clippy::too_many_arguments)]
pub fn grant_options(
    py: Python<'_>,
    scopes: OneOrMany,
    resource: Option<OneOrMany>,
    consumer_org: Option<String>,
    iss_onbehalfof: Option<String>,
    pid: Option<String>,
    details: Option<&Bound<'_, PyAny>>,
) -> PyResult<GrantOptions> {
    let mut options = match scopes {
        OneOrMany::One(scope) => GrantOptions::new([scope]),
        OneOrMany::Many(scopes) => GrantOptions::new(scopes),
    };
    options.resource = resource.map(|r| match r {
        OneOrMany::One(one) => Resource::One(one),
        OneOrMany::Many(many) => Resource::Many(many),
    });
    options.consumer_org = consumer_org;
    options.iss_onbehalfof = iss_onbehalfof;
    options.pid = pid;
    if let Some(details) = details.filter(|d| !d.is_none()) {
        options.authorization_details = authorization_details(py, details)?;
    }
    Ok(options)
}
