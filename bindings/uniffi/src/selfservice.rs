//! Digdir's self-service API (clients and their keys) as requests to send and parsers of the
//! answers, and the key-rotation planner: thin conversions of the core's `selfservice` module.
//! The value types (`NewClient`, `ClientUpdate`, `RegisteredClient`, `RegisteredKey`,
//! `ClientKeys`, `ScopeAccess`, `PublicScope`, `SelfServiceCall`, `AdminScope`,
//! `RotationAction`) are derived in the core under its `uniffi` feature.

use crate::client::Client;
use crate::environment::Environment;
use crate::error::Result;
use crate::request::HttpRequest;
use maskinporten::{
    AdminScope, ClientKeys, ClientUpdate, NewClient, PublicScope, RegisteredClient, RotationAction, ScopeAccess,
    SelfServiceCall,
};
use std::sync::Arc;

/// The self-service API of one environment. Each `*Request` method takes an admin access token
/// (from an admin client that signs with the enterprise certificate, `checkAdminClient`, for the
/// call's least scope, `selfServiceScope`) and returns the request to send; read the answer
/// with the matching `parse*` function.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct SelfService(maskinporten::SelfService);

#[uniffi::export]
impl SelfService {
    /// The API of Digdir's test or production environment, or the one an environment's metadata
    /// named (the simulator's `self_service_endpoint`) or `Environment.withSelfServiceBase` set.
    #[uniffi::constructor]
    pub fn new(environment: Arc<Environment>) -> Result<Arc<SelfService>> {
        Ok(Arc::new(SelfService(maskinporten::SelfService::for_environment(&environment.0)?)))
    }

    /// The base URL (no trailing slash).
    pub fn base(&self) -> String {
        self.0.base().to_string()
    }

    /// `GET /clients` (`parseClients`).
    pub fn list_clients_request(&self, access_token: String) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.list_clients_request(&access_token)?)))
    }

    /// `GET /clients/{clientId}` (`parseClient`).
    pub fn get_client_request(&self, access_token: String, client_id: String) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.get_client_request(&access_token, &client_id)?)))
    }

    /// `POST /clients`: a Maskinporten client (`parseClient` reads its `clientId`).
    pub fn create_client_request(&self, access_token: String, client: NewClient) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.create_client_request(&access_token, &client)?)))
    }

    /// `PUT /clients/{clientId}`: the client's whole description after the change.
    pub fn update_client_request(
        &self,
        access_token: String,
        client_id: String,
        update: ClientUpdate,
    ) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.update_client_request(&access_token, &client_id, &update)?)))
    }

    /// `DELETE /clients/{clientId}`: deactivates the client (`parseEmpty`).
    pub fn deactivate_client_request(&self, access_token: String, client_id: String) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.deactivate_client_request(&access_token, &client_id)?)))
    }

    /// `GET /clients/{clientId}/jwks` (`parseClientKeys`).
    pub fn client_keys_request(&self, access_token: String, client_id: String) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.client_keys_request(&access_token, &client_id)?)))
    }

    /// `POST /clients/{clientId}/jwks`: replaces the whole key set with `publicJwks` (JSON text of
    /// each public JWK, with its `exp`), checked first (`checkPublicKeySet`).
    pub fn replace_keys_request(
        &self,
        access_token: String,
        client_id: String,
        public_jwks: Vec<String>,
    ) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.replace_keys_request(&access_token, &client_id, &public_jwks)?)))
    }

    /// `DELETE /clients/{clientId}/jwks`: removes the last keys (`parseEmpty`).
    pub fn remove_keys_request(&self, access_token: String, client_id: String) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.remove_keys_request(&access_token, &client_id)?)))
    }

    /// `GET /scopes/access/all` (`parseScopeAccess`).
    pub fn scope_access_request(&self, access_token: String) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.scope_access_request(&access_token)?)))
    }

    /// `GET /scopes/all?accessible_for_all=true` (`parsePublicScopes`).
    pub fn public_scopes_request(&self, access_token: String) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.public_scopes_request(&access_token)?)))
    }
}

/// The least admin scope `call` needs (`idporten:dcr.write` for `CREATE_CLIENT`).
#[uniffi::export]
pub fn self_service_scope(call: SelfServiceCall) -> String {
    call.scope().as_str().to_string()
}

/// The scope string of an admin scope (`idporten:dcr.read`).
#[uniffi::export]
pub fn admin_scope_name(scope: AdminScope) -> String {
    scope.as_str().to_string()
}

/// Refuses an admin client that signs with a registered key (`kid`): the self-service API's
/// caller must sign with the enterprise certificate (`x5c`).
#[uniffi::export]
pub fn check_admin_client(client: Arc<Client>) -> Result<()> {
    Ok(maskinporten::check_admin_client(&client.0)?)
}

/// Checks a key set for `replaceKeysRequest` without building anything: 1 to 5 RSA signing keys
/// of 2048 bits or more, unique valid kids, no private member.
#[uniffi::export]
pub fn check_public_key_set(public_jwks: Vec<String>) -> Result<()> {
    maskinporten::check_public_key_set(&public_jwks)?;
    Ok(())
}

/// Reads `GET /clients`. A 4xx is `MaskinportenException.SelfServiceRefused`; 5xx and 429 are
/// `Unavailable`.
#[uniffi::export]
pub fn parse_clients(status: u16, body: Vec<u8>) -> Result<Vec<RegisteredClient>> {
    Ok(maskinporten::parse_clients(status, &body)?)
}

/// Reads the answer of `call` (`GET_CLIENT`, `CREATE_CLIENT` or `UPDATE_CLIENT`); a refusal's
/// `neededScope` is that call's admin scope.
#[uniffi::export]
pub fn parse_client(call: SelfServiceCall, status: u16, body: Vec<u8>) -> Result<RegisteredClient> {
    Ok(maskinporten::parse_client(call, status, &body)?)
}

/// Reads the answer of `call` (`GET_KEYS`, or `REPLACE_KEYS`, which returns the new set).
#[uniffi::export]
pub fn parse_client_keys(call: SelfServiceCall, status: u16, body: Vec<u8>) -> Result<ClientKeys> {
    Ok(maskinporten::parse_client_keys(call, status, &body)?)
}

/// Reads `GET /scopes/access/all`.
#[uniffi::export]
pub fn parse_scope_access(status: u16, body: Vec<u8>) -> Result<Vec<ScopeAccess>> {
    Ok(maskinporten::parse_scope_access(status, &body)?)
}

/// Reads `GET /scopes/all?accessible_for_all=true`.
#[uniffi::export]
pub fn parse_public_scopes(status: u16, body: Vec<u8>) -> Result<Vec<PublicScope>> {
    Ok(maskinporten::parse_public_scopes(status, &body)?)
}

/// Reads the answer of a `DELETE` (deactivate a client, remove its keys).
#[uniffi::export]
pub fn parse_empty(status: u16, body: Vec<u8>) -> Result<()> {
    Ok(maskinporten::parse_empty(status, &body)?)
}

/// The most keys a client may have registered (Digdir: 5).
#[uniffi::export]
pub fn max_registered_keys() -> u32 {
    u32::try_from(maskinporten::MAX_REGISTERED_KEYS).unwrap_or(u32::MAX)
}

/// When to rotate (seconds; null keeps the core's default: keys live 90 days, a new one after
/// 60 days or with fewer than 30 left, signing switches 120 s after publishing, the old key goes
/// a day later, at most 2 keys). The core checks it when the planner is made.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct RotationPolicy {
    /// How long a new key lives (1 to 365 days).
    #[uniffi(default)]
    pub key_lifetime: Option<i64>,
    /// Publish a new key when the signing key is older than this.
    #[uniffi(default)]
    pub rotate_after: Option<i64>,
    /// Publish a new key when the signing key has less than this left.
    #[uniffi(default)]
    pub rotate_before_expiry: Option<i64>,
    /// Wait this long after publishing before signing with the new key (0 to 3600).
    #[uniffi(default)]
    pub propagation_delay: Option<i64>,
    /// Keep the old key this long after the switch before removing it.
    #[uniffi(default)]
    pub grace_period: Option<i64>,
    /// Register at most this many keys at once (2 to 5).
    #[uniffi(default)]
    pub max_keys: Option<u32>,
}

impl RotationPolicy {
    fn to_core(&self) -> maskinporten::Result<maskinporten::RotationPolicy> {
        let mut policy = maskinporten::RotationPolicy::default();
        if let Some(v) = self.key_lifetime {
            policy = policy.with_key_lifetime(v)?;
        }
        if let Some(v) = self.rotate_after {
            policy = policy.with_rotate_after(v)?;
        }
        if let Some(v) = self.rotate_before_expiry {
            policy = policy.with_rotate_before_expiry(v)?;
        }
        if let Some(v) = self.propagation_delay {
            policy = policy.with_propagation_delay(v)?;
        }
        if let Some(v) = self.grace_period {
            policy = policy.with_grace_period(v)?;
        }
        if let Some(v) = self.max_keys {
            policy = policy.with_max_keys(usize::try_from(v).unwrap_or(usize::MAX))?;
        }
        Ok(policy)
    }
}

/// Decides a client's next key-rotation step from its registered keys alone, so a rotation run
/// (from cron) is safe to repeat. It never sees a private key: the host makes new ones.
#[derive(Debug, uniffi::Object)]
pub struct RotationPlanner(maskinporten::RotationPlanner);

#[uniffi::export]
impl RotationPlanner {
    /// A planner with `policy` (checked here: a bad value is `InvalidArgument` naming it).
    #[uniffi::constructor]
    pub fn new(policy: RotationPolicy) -> Result<Arc<RotationPlanner>> {
        Ok(Arc::new(RotationPlanner(maskinporten::RotationPlanner::new(policy.to_core()?))))
    }

    /// What to do at `now` (Unix seconds) for a client whose registered set is `keys`, while the
    /// host signs with `signingKid` (null when it has no key yet).
    pub fn plan(&self, keys: ClientKeys, signing_kid: Option<String>, now: i64) -> Result<RotationAction> {
        Ok(self.0.plan(&keys, signing_kid.as_deref(), now)?)
    }
}

/// The base URL of the self-service API an environment names (its metadata's
/// `self_service_endpoint`, or `withSelfServiceBase`), or null (test and prod have theirs built
/// into `SelfService`).
#[uniffi::export]
impl Environment {
    /// The self-service API's base URL when it was set.
    pub fn self_service_base(&self) -> Option<String> {
        self.0.self_service_base().map(str::to_string)
    }

    /// The same environment with its self-service API at `base` (`https`, or `http` on loopback).
    pub fn with_self_service_base(&self, base: String) -> Result<Arc<Environment>> {
        Ok(Arc::new(Environment(self.0.clone().with_self_service_base(&base)?)))
    }
}
