//! Grant options and algorithm names. (`Algorithm` and `X5c` are the core's, derived there.)

use crate::error::Result;
use maskinporten::Algorithm;
use std::sync::Arc;

/// Parses `RS256`, `RS384` or `RS512`.
#[uniffi::export]
pub fn algorithm_from_name(name: String) -> Result<Algorithm> {
    Ok(name.parse::<Algorithm>()?)
}

/// The JWS name of an algorithm (`RS256`).
#[uniffi::export]
pub fn algorithm_name(algorithm: Algorithm) -> String {
    algorithm.as_str().to_string()
}

/// The grant's `resource`: one audience (a JSON string, what clients send) or several (an array).
#[derive(Debug, Clone, uniffi::Enum)]
pub enum Resource {
    One { value: String },
    Many { values: Vec<String> },
}

impl From<Resource> for maskinporten::Resource {
    fn from(r: Resource) -> Self {
        match r {
            Resource::One { value } => maskinporten::Resource::One(value),
            Resource::Many { values } => maskinporten::Resource::Many(values),
        }
    }
}

/// One `authorization_details` entry (system user, consent, or raw JSON).
#[derive(Debug, uniffi::Object)]
pub struct AuthorizationDetail(pub(crate) maskinporten::AuthorizationDetail);

#[uniffi::export]
impl AuthorizationDetail {
    /// An Altinn system user: `{"type":"urn:altinn:systemuser","systemuser_org":{...},"externalRef":...}`.
    #[uniffi::constructor(default(external_ref = None))]
    pub fn system_user(org_number: String, external_ref: Option<String>) -> Result<Arc<AuthorizationDetail>> {
        Ok(Arc::new(AuthorizationDetail(maskinporten::AuthorizationDetail::system_user(
            &org_number,
            external_ref.as_deref(),
        )?)))
    }

    /// An Altinn consent: `{"type":"urn:altinn:consent","id":...,"from":...}`.
    #[uniffi::constructor]
    pub fn consent(id: String, from: String) -> Result<Arc<AuthorizationDetail>> {
        Ok(Arc::new(AuthorizationDetail(maskinporten::AuthorizationDetail::consent(&id, &from)?)))
    }

    /// The entry as JSON.
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }
}

/// Entries from JSON: one object or an array of objects.
#[uniffi::export]
pub fn authorization_details_from_json(json: String) -> Result<Vec<Arc<AuthorizationDetail>>> {
    Ok(maskinporten::AuthorizationDetail::from_json(&json)?
        .into_iter()
        .map(|d| Arc::new(AuthorizationDetail(d)))
        .collect())
}

/// What to ask for: scopes plus the protocol's optional claims. Only `scopes` is required.
/// (Kotlin: an immutable data class, so it can key the provider's memo.)
#[derive(Debug, Clone, uniffi::Record)]
pub struct GrantOptions {
    /// One or more scopes (Digdir recommends one per token).
    pub scopes: Vec<String>,
    #[uniffi(default)]
    pub resource: Option<Resource>,
    /// The 9-digit org number a supplier acts for (Altinn delegation).
    #[uniffi(default)]
    pub consumer_org: Option<String>,
    /// For a supplier's sub-client; exclusive with `consumer_org`.
    #[uniffi(default)]
    pub iss_onbehalfof: Option<String>,
    /// An 11-digit person identifier, for person-bound tokens.
    #[uniffi(default)]
    pub pid: Option<String>,
    #[uniffi(default)]
    pub authorization_details: Vec<Arc<AuthorizationDetail>>,
}

impl From<&GrantOptions> for maskinporten::GrantOptions {
    fn from(o: &GrantOptions) -> Self {
        maskinporten::GrantOptions {
            scopes: o.scopes.clone(),
            resource: o.resource.clone().map(Into::into),
            consumer_org: o.consumer_org.clone(),
            iss_onbehalfof: o.iss_onbehalfof.clone(),
            pid: o.pid.clone(),
            authorization_details: o.authorization_details.iter().map(|d| d.0.clone()).collect(),
        }
    }
}
