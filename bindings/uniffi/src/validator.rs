//! The access-token validator (issue 7), for API providers: the core's `Validator` behind a
//! read-write lock (validation only reads; `update_jwks` writes).

use crate::environment::Environment;
use crate::error::Result;
use crate::options::Algorithm;
use crate::request::HttpRequest;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// How required scopes combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ScopeMatch {
    /// At least one of the scopes (default).
    Any,
    /// Every scope.
    All,
}

/// What this API call requires of the token, beyond signature, issuer and time.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Requirements {
    /// Required scopes (none: any scope passes).
    #[uniffi(default)]
    pub scopes: Vec<String>,
    /// Any (default, also when null) or all of `scopes`.
    #[uniffi(default)]
    pub scope_match: Option<ScopeMatch>,
    /// A required `aud` (the API's resource identifier).
    #[uniffi(default)]
    pub audience: Option<String>,
    /// Require a `pid` (person-bound tokens).
    #[uniffi(default)]
    pub require_pid: bool,
    /// Allowed consumer org numbers (empty: any).
    #[uniffi(default)]
    pub consumer_orgs: Vec<String>,
}

impl From<&Requirements> for maskinporten::Requirements {
    fn from(r: &Requirements) -> Self {
        maskinporten::Requirements::from_parts(
            r.scopes.clone(),
            match r.scope_match {
                Some(ScopeMatch::All) => maskinporten::ScopeMatch::All,
                Some(ScopeMatch::Any) => maskinporten::ScopeMatch::Any,
                None => maskinporten::ScopeMatch::default(),
            },
            r.audience.clone(),
            r.require_pid,
            r.consumer_orgs.clone(),
            false,
        )
    }
}

/// An organisation as the token names it (`0192:991825827[:ER//987464291[:1]]`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Organisation {
    /// The whole ID.
    pub id: String,
    /// The 9-digit org number.
    pub org_number: String,
    /// Parts after the org number (sub-unit, sequence).
    pub sub_unit: Vec<String>,
}

impl From<maskinporten::Organisation> for Organisation {
    fn from(o: maskinporten::Organisation) -> Self {
        Organisation { id: o.id, org_number: o.org_number, sub_unit: o.sub_unit }
    }
}

/// One `authorization_details` entry of an access token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Authorization {
    /// `urn:altinn:systemuser`.
    SystemUser {
        org: Option<Organisation>,
        system_user_ids: Vec<String>,
        system_id: Option<String>,
        external_ref: Option<String>,
    },
    /// `urn:altinn:consent`.
    Consent { id: Option<String>, from: Option<String> },
    /// Any other type, as JSON.
    Other { json: String },
}

impl From<maskinporten::Authorization> for Authorization {
    fn from(a: maskinporten::Authorization) -> Self {
        match a {
            maskinporten::Authorization::SystemUser { org, system_user_ids, system_id, external_ref } => {
                Authorization::SystemUser { org: org.map(Into::into), system_user_ids, system_id, external_ref }
            }
            maskinporten::Authorization::Consent { id, from } => Authorization::Consent { id, from },
            maskinporten::Authorization::Other(json) => Authorization::Other { json },
        }
    }
}

/// A token that passed every check. Authorize on `consumer`, never on `clientId`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ValidatedToken {
    pub consumer: Organisation,
    pub supplier: Option<Organisation>,
    pub delegation_source: Option<String>,
    pub client_id: String,
    pub client_amr: Option<String>,
    pub scopes: Vec<String>,
    pub audience: Vec<String>,
    pub pid: Option<String>,
    pub issued_at: i64,
    pub expires_at: i64,
    pub jti: Option<String>,
    pub authorization_details: Vec<Authorization>,
    /// All claims, as JSON.
    pub claims_json: String,
}

impl From<maskinporten::ValidatedToken> for ValidatedToken {
    fn from(t: maskinporten::ValidatedToken) -> Self {
        ValidatedToken {
            consumer: t.consumer.into(),
            supplier: t.supplier.map(Into::into),
            delegation_source: t.delegation_source,
            client_id: t.client_id,
            client_amr: t.client_amr,
            scopes: t.scopes,
            audience: t.audience,
            pid: t.pid,
            issued_at: t.issued_at,
            expires_at: t.expires_at,
            jti: t.jti,
            authorization_details: t.authorization_details.into_iter().map(Into::into).collect(),
            claims_json: t.claims_json,
        }
    }
}

/// Validates Maskinporten access tokens for one issuer. Sans-IO and thread-safe:
/// 1. `jwksRequest(now)`: when it returns a request, send it and pass the body to `updateJwks`;
/// 2. `validate(token, now, requirements)`: a `ValidatedToken` or `MaskinportenException.InvalidToken`
///    whose `kind` names the failed check; on `unknown_kid` go back to 1 once.
#[derive(uniffi::Object)]
pub struct Validator(RwLock<maskinporten::Validator>);

fn read(v: &RwLock<maskinporten::Validator>) -> RwLockReadGuard<'_, maskinporten::Validator> {
    v.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write(v: &RwLock<maskinporten::Validator>) -> RwLockWriteGuard<'_, maskinporten::Validator> {
    v.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[uniffi::export]
impl Validator {
    /// A validator for `environment`'s issuer. Defaults (from the core): RS256/384/512, 10 s
    /// leeway, JWKS refetched after 24 h, at most one unknown-`kid` refetch per 60 s.
    #[uniffi::constructor(default(algorithms = None, leeway = None, max_jwks_age = None, min_refetch_interval = None))]
    pub fn new(
        environment: Arc<Environment>,
        algorithms: Option<Vec<Algorithm>>,
        leeway: Option<i64>,
        max_jwks_age: Option<i64>,
        min_refetch_interval: Option<i64>,
    ) -> Result<Arc<Validator>> {
        let options = maskinporten::ValidatorOptions {
            algorithms: algorithms.map(|list| list.into_iter().map(Into::into).collect()),
            leeway,
            max_jwks_age,
            min_refetch_interval,
            jwks_timeout_ms: None,
        };
        let validator = maskinporten::Validator::new(environment.0.clone()).with_options(&options)?;
        Ok(Arc::new(Validator(RwLock::new(validator))))
    }

    /// The JWKS request to send now, or null when no fetch is due.
    pub fn jwks_request(&self, now: i64) -> Option<HttpRequest> {
        read(&self.0).jwks_request(now).map(Into::into)
    }

    /// Takes the fetched JWKS body; on a malformed body the keys held so far stay in use.
    pub fn update_jwks(&self, body: Vec<u8>, now: i64) -> Result<()> {
        Ok(write(&self.0).update_jwks(&body, now)?)
    }

    /// Takes the JWKS endpoint's whole answer: a 200 loads the keys; any other status keeps the
    /// keys held, starts the back-off and is the core's retryable `Unavailable` with the status.
    pub fn update_jwks_response(&self, status: u16, body: Vec<u8>, now: i64) -> Result<()> {
        Ok(write(&self.0).update_jwks_response(status, &body, now)?)
    }

    /// Tells the validator the JWKS fetch failed (network error): keys held stay in
    /// use and the next fetch waits the minimum refetch interval.
    pub fn jwks_fetch_failed(&self, now: i64) {
        write(&self.0).jwks_fetch_failed(now);
    }

    /// Whether a JWKS has been loaded.
    pub fn has_jwks(&self) -> bool {
        read(&self.0).has_jwks()
    }

    /// Validates `token` (with or without `Bearer `) at `now` against this call's requirements.
    pub fn validate(&self, token: String, now: i64, requirements: Requirements) -> Result<ValidatedToken> {
        Ok(read(&self.0).validate(&token, now, &(&requirements).into())?.into())
    }
}
