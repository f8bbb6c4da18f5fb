//! What an API asks of a token and what it gets back: requirements, the validated token, and
//! the HTTP answer to a refusal (all decided by the core).

use crate::altinn_requirements::{ConsentRequirement, SystemUserRequirement};
use crate::error::Result;
use crate::request::Header;
use maskinporten::{ErrorKind, Organisation, ScopeMatch};

/// What this API requires of a token, beyond signature, issuer and time. Name at least one
/// scope or an `audience`; `any_scope_unchecked = true` is the explicit opt-out (any valid token
/// of the issuer, minted for any API, passes). Otherwise validation fails `invalid_requirements`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Requirements {
    /// Required scopes.
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
    /// Served consumer org numbers (empty: any).
    #[uniffi(default)]
    pub consumer_orgs: Vec<String>,
    /// Accept a token whatever its scopes (tools such as token inspectors only).
    #[uniffi(default)]
    pub any_scope_unchecked: bool,
    /// Also serve foreign organisations authenticated with a European eSeal (their consumer has
    /// no Norwegian org number); refused (`consumer_not_allowed`) otherwise.
    #[uniffi(default)]
    pub eseal_consumers: bool,
    /// Require a valid Altinn consent (`consent_invalid` otherwise).
    #[uniffi(default)]
    pub consent: Option<ConsentRequirement>,
    /// Require an Altinn system user (`system_user_missing` otherwise).
    #[uniffi(default)]
    pub system_user: Option<SystemUserRequirement>,
}

impl From<&Requirements> for maskinporten::Requirements {
    fn from(r: &Requirements) -> Self {
        let mut requirements = maskinporten::Requirements::from_parts(
            r.scopes.clone(),
            r.scope_match.unwrap_or_default(),
            r.audience.clone(),
            r.require_pid,
            r.consumer_orgs.clone(),
            r.any_scope_unchecked,
        );
        if r.eseal_consumers {
            requirements = requirements.with_eseal_consumers();
        }
        if let Some(consent) = &r.consent {
            requirements = requirements.with_consent(consent.into());
        }
        if let Some(system_user) = &r.system_user {
            requirements = requirements.with_system_user(system_user.into());
        }
        requirements
    }
}

/// Refuses requirements that would accept a token minted for any API (`invalid_requirements`)
/// and malformed ones, for an early error at start-up (validation checks them too).
#[uniffi::export]
pub fn check_requirements(requirements: Requirements) -> Result<()> {
    Ok(maskinporten::Requirements::from(&requirements).check()?)
}

/// The token of an `Authorization` header value (`Bearer <token>`, scheme in any case). No
/// header or another scheme is `token_missing`; a malformed Bearer header is
/// `invalid_authorization_header`. Errors never quote the header.
#[uniffi::export(default(authorization = None))]
pub fn bearer_token(authorization: Option<String>) -> Result<String> {
    Ok(maskinporten::bearer_token(authorization.as_deref())?.to_string())
}

/// One `authorization_details` entry of an access token. Its text (Kotlin `toString`, Swift
/// `description`) is the core's redacting `Debug`: a consent's `from` may name a person.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
#[uniffi::export(Display)]
pub enum Authorization {
    /// `urn:altinn:systemuser`.
    SystemUser {
        org: Option<Organisation>,
        system_user_ids: Vec<String>,
        system_id: Option<String>,
        external_ref: Option<String>,
    },
    /// `urn:altinn:consent`: `to` must be the token's consumer; `valid_to` in Unix seconds;
    /// `consent_rights` as JSON.
    Consent {
        id: Option<String>,
        from: Option<String>,
        to: Option<Organisation>,
        consented: Option<String>,
        valid_to: Option<i64>,
        consent_rights: Option<String>,
    },
    /// Any other type, as JSON.
    Other { json: String },
}

impl From<maskinporten::Authorization> for Authorization {
    fn from(a: maskinporten::Authorization) -> Self {
        match a {
            maskinporten::Authorization::SystemUser { org, system_user_ids, system_id, external_ref } => {
                Authorization::SystemUser { org, system_user_ids, system_id, external_ref }
            }
            maskinporten::Authorization::Consent { id, from, to, consented, valid_to, consent_rights } => {
                Authorization::Consent { id, from, to, consented, valid_to, consent_rights }
            }
            maskinporten::Authorization::Other(json) => Authorization::Other { json },
        }
    }
}

/// A token that passed every check. Authorize on `consumer`, never on `client_id`. (Mirrors
/// the core's type because its `Authorization::Other` is a tuple variant, which would reach
/// Kotlin as an unnamed `v1` field.) It holds no bearer token; `pid` is personal data, so its
/// text (Kotlin `toString`, Swift `description`) is the core's redacting `Debug`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
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
            consumer: t.consumer,
            supplier: t.supplier,
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

/// How an API answers a refused request, decided by the core (RFC 6750): `status` (400, 401,
/// 403, 500 or 503), `www_authenticate` (none for 500/503), the JSON `body`, `retry_after_seconds`
/// (503) and `headers`, every header to send (`WWW-Authenticate`, `Content-Type`,
/// `Cache-Control: no-store`, `Retry-After`). Framework adapters send it as is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rejection {
    pub status: u16,
    pub www_authenticate: Option<String>,
    pub body: String,
    pub retry_after_seconds: Option<u32>,
    /// The kind of the error that caused it (for logs and metrics).
    pub kind: ErrorKind,
    pub headers: Vec<Header>,
}

impl From<maskinporten::Rejection> for Rejection {
    fn from(r: maskinporten::Rejection) -> Self {
        Rejection {
            status: r.status(),
            www_authenticate: r.www_authenticate().map(str::to_string),
            body: r.body().to_string(),
            retry_after_seconds: r.retry_after_seconds(),
            kind: r.kind(),
            headers: r.headers().into_iter().map(|(name, value)| Header { name: name.to_string(), value }).collect(),
        }
    }
}
