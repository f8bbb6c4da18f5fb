//! `ValidatedToken`, `Organisation`, `Authorization`: what a validated token says.

use crate::text::{repr_opt, repr_str};
use maskinporten::{Authorization, Organisation, ValidatedToken};
use pyo3::prelude::*;
use pyo3::types::PyList;

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

    /// The 9-digit Norwegian organisation number, read only from a ``0192`` ID; ``None`` for a
    /// foreign (eSeal) consumer.
    #[getter]
    fn org_number(&self) -> Option<&str> {
        self.inner.org_number.as_deref()
    }

    /// ``iso6523-actorid-upis``, or the authority a foreign eSeal consumer is named by.
    #[getter]
    fn authority(&self) -> &str {
        &self.inner.authority
    }

    /// Other string members of the claim (an eSeal's ``organizationName``, ``countryName``...).
    #[getter]
    fn names(&self) -> std::collections::HashMap<String, String> {
        self.inner.names.clone()
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

/// One ``authorization_details`` entry of a token. ``type`` is the entry's type as the token
/// says it: ``"urn:altinn:systemuser"`` and ``"urn:altinn:consent"`` have typed attributes; the
/// other attributes are ``None``/empty where they do not apply (``json`` holds other types).
#[pyclass(module = "maskinporten", frozen, name = "Authorization")]
pub struct PyAuthorization {
    inner: Authorization,
}

#[pymethods]
impl PyAuthorization {
    /// ``"urn:altinn:systemuser"``, ``"urn:altinn:consent"``, or another entry's ``type``
    /// (``None`` when it has none).
    #[getter]
    fn r#type(&self) -> Option<String> {
        match &self.inner {
            Authorization::SystemUser { .. } => Some(maskinporten::SYSTEM_USER_TYPE.to_string()),
            Authorization::Consent { .. } => Some(maskinporten::CONSENT_TYPE.to_string()),
            Authorization::Other(json) => serde_json::from_str::<serde_json::Value>(json)
                .ok()
                .and_then(|entry| entry.get("type").and_then(|t| t.as_str()).map(str::to_string)),
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

    /// The organisation the consent was given to (``to``): it must be the token's consumer.
    #[getter]
    fn to(&self) -> Option<PyOrganisation> {
        match &self.inner {
            Authorization::Consent { to, .. } => organisation(to),
            _ => None,
        }
    }

    /// When the consent was given (``consented``, ISO-8601 as the token wrote it).
    #[getter]
    fn consented(&self) -> Option<&str> {
        match &self.inner {
            Authorization::Consent { consented, .. } => consented.as_deref(),
            _ => None,
        }
    }

    /// When the consent ends (``validTo``), Unix seconds.
    #[getter]
    fn valid_to(&self) -> Option<i64> {
        match &self.inner {
            Authorization::Consent { valid_to, .. } => *valid_to,
            _ => None,
        }
    }

    /// The consented rights (``consentRights``) as JSON.
    #[getter]
    fn consent_rights(&self) -> Option<&str> {
        match &self.inner {
            Authorization::Consent { consent_rights, .. } => consent_rights.as_deref(),
            _ => None,
        }
    }

    /// The raw entry as JSON, for types other than system user and consent.
    #[getter]
    fn json(&self) -> Option<&str> {
        match &self.inner {
            Authorization::Other(json) => Some(json.as_str()),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        format!("Authorization(type={})", repr_opt(self.r#type().as_deref()))
    }
}

/// A token that passed every check, with what the API needs to authorize the call. Authorize
/// on ``consumer`` (and ``scopes``), never on ``client_id``.
#[pyclass(module = "maskinporten", frozen, name = "ValidatedToken")]
pub struct PyValidatedToken {
    pub(crate) inner: ValidatedToken,
}

#[pymethods]
impl PyValidatedToken {
    /// The organisation the token is for (``consumer``).
    #[getter]
    fn consumer(&self) -> PyOrganisation {
        PyOrganisation { inner: self.inner.consumer.clone() }
    }

    /// Whether the consumer authenticated with a European eSeal (``client_amr``
    /// ``QCForESeal``/``CForESeal``): a foreign consumer with no Norwegian ``org_number``.
    #[getter]
    fn is_eseal(&self) -> bool {
        self.inner.is_eseal()
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

    /// Person identifier (a national identity number), for person-bound tokens. Personal data:
    /// ``repr()`` does not show it; do not log it.
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
