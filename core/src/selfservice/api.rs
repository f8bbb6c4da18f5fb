//! The self-service API's requests.

use super::jwk_set::check_public_key_set;
use super::types::{ClientUpdate, NewClient};
use crate::client::Client;
use crate::environment::Environment;
use crate::error::{Error, ErrorKind, Result};
use crate::request::HttpRequest;

/// The admin scopes of the self-service API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AdminScope {
    /// `idporten:dcr.read`: list and read clients, their keys and scope access.
    Read,
    /// `idporten:dcr.write`: create clients.
    Write,
    /// `idporten:dcr.modify`: change and deactivate clients, replace or remove their keys.
    Modify,
}

impl AdminScope {
    /// The scope string.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminScope::Read => "idporten:dcr.read",
            AdminScope::Write => "idporten:dcr.write",
            AdminScope::Modify => "idporten:dcr.modify",
        }
    }
}

/// Which call a request is, so a host can ask for the least scope it needs. Its name
/// ([`SelfServiceCall::as_str`]) is the request builder's name without `_request`
/// (`"create_client"` for [`SelfService::create_client_request`]), for bindings that take calls
/// as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SelfServiceCall {
    /// `GET /clients`.
    ListClients,
    /// `GET /clients/{id}`.
    GetClient,
    /// `POST /clients`.
    CreateClient,
    /// `PUT /clients/{id}`.
    UpdateClient,
    /// `DELETE /clients/{id}`.
    DeactivateClient,
    /// `GET /clients/{id}/jwks`.
    GetKeys,
    /// `POST /clients/{id}/jwks`.
    ReplaceKeys,
    /// `DELETE /clients/{id}/jwks`.
    RemoveKeys,
    /// `GET /scopes/access/all`.
    ScopeAccess,
    /// `GET /scopes/all?accessible_for_all=true`.
    PublicScopes,
}

impl SelfServiceCall {
    /// Every call, in the order of the API's documentation.
    pub const ALL: [SelfServiceCall; 10] = [
        SelfServiceCall::ListClients,
        SelfServiceCall::GetClient,
        SelfServiceCall::CreateClient,
        SelfServiceCall::UpdateClient,
        SelfServiceCall::DeactivateClient,
        SelfServiceCall::GetKeys,
        SelfServiceCall::ReplaceKeys,
        SelfServiceCall::RemoveKeys,
        SelfServiceCall::ScopeAccess,
        SelfServiceCall::PublicScopes,
    ];

    /// The call's name: its request builder's name without `_request` (`"client_keys"` for
    /// `GET /clients/{id}/jwks`).
    pub fn as_str(self) -> &'static str {
        match self {
            SelfServiceCall::ListClients => "list_clients",
            SelfServiceCall::GetClient => "get_client",
            SelfServiceCall::CreateClient => "create_client",
            SelfServiceCall::UpdateClient => "update_client",
            SelfServiceCall::DeactivateClient => "deactivate_client",
            SelfServiceCall::GetKeys => "client_keys",
            SelfServiceCall::ReplaceKeys => "replace_keys",
            SelfServiceCall::RemoveKeys => "remove_keys",
            SelfServiceCall::ScopeAccess => "scope_access",
            SelfServiceCall::PublicScopes => "public_scopes",
        }
    }

    /// The least admin scope this call needs.
    pub fn scope(self) -> AdminScope {
        match self {
            SelfServiceCall::ListClients
            | SelfServiceCall::GetClient
            | SelfServiceCall::GetKeys
            | SelfServiceCall::ScopeAccess
            | SelfServiceCall::PublicScopes => AdminScope::Read,
            SelfServiceCall::CreateClient => AdminScope::Write,
            SelfServiceCall::UpdateClient
            | SelfServiceCall::DeactivateClient
            | SelfServiceCall::ReplaceKeys
            | SelfServiceCall::RemoveKeys => AdminScope::Modify,
        }
    }
}

impl std::str::FromStr for SelfServiceCall {
    type Err = Error;

    /// A call by its name ([`SelfServiceCall::as_str`]); anything else is `invalid_argument`.
    fn from_str(name: &str) -> Result<SelfServiceCall> {
        SelfServiceCall::ALL.into_iter().find(|call| call.as_str() == name).ok_or_else(|| {
            let names: Vec<&str> = SelfServiceCall::ALL.iter().map(|call| call.as_str()).collect();
            Error::invalid(
                ErrorKind::InvalidArgument,
                "call",
                format!("{name:?} is not a self-service call: one of {}", names.join(", ")),
            )
        })
    }
}

/// Refuses an admin client that signs with a registered key (`kid`): Digdir requires the
/// self-service API's caller to sign with the enterprise certificate (`x5c`).
pub fn check_admin_client(client: &Client) -> Result<()> {
    check_admin_signer(client.key().kid(), client.key().certificate().is_some())
}

/// [`check_admin_client`] from the facts it reads (the key's `kid`, whether it carries a
/// certificate), for a binding whose key lives where this crate cannot reach it (the JS package's
/// admin module, a separate WebAssembly instance from the one holding the key).
pub fn check_admin_signer(kid: Option<&str>, has_certificate: bool) -> Result<()> {
    if kid.is_some() {
        return Err(Error::invalid(
            ErrorKind::InvalidKey,
            "kid",
            "the self-service API requires an admin client that signs with the enterprise certificate (x5c), not a registered key (kid): load the virksomhetssertifikat (.p12 or JKS) for the admin client",
        ));
    }
    if !has_certificate {
        return Err(Error::invalid(
            ErrorKind::MissingCertificateOrKid,
            "key",
            "the admin client's key has no certificate: the self-service API requires grants signed with the enterprise certificate (x5c)",
        ));
    }
    Ok(())
}

/// The self-service API of one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfService {
    base: String,
}

const TEST_BASE: &str = "https://api.test.samarbeid.digdir.no/api/v1";
const PROD_BASE: &str = "https://api.samarbeid.digdir.no/api/v1";

impl SelfService {
    /// The API of Digdir's test or production environment, or the one a custom environment
    /// names ([`Environment::with_self_service_base`]).
    pub fn for_environment(environment: &Environment) -> Result<SelfService> {
        if let Some(base) = environment.self_service_base() {
            return Ok(SelfService { base: base.trim_end_matches('/').to_string() });
        }
        match environment.issuer() {
            "https://test.maskinporten.no/" => Ok(SelfService { base: TEST_BASE.into() }),
            "https://maskinporten.no/" => Ok(SelfService { base: PROD_BASE.into() }),
            issuer => Err(Error::invalid(
                ErrorKind::InvalidEnvironment,
                "self_service_base",
                format!("no self-service API is known for {issuer}: give its base URL (Environment::with_self_service_base)"),
            )),
        }
    }

    /// The base URL (no trailing slash).
    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: &str, path: &str, token: &str, body: Option<String>) -> Result<HttpRequest> {
        if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                ErrorKind::InvalidArgument,
                "access_token",
                "the admin access token is empty or has spaces: pass the access_token of a Maskinporten token for the admin scope",
            ));
        }
        let mut headers = vec![
            ("Authorization".to_string(), format!("Bearer {token}")),
            ("Accept".into(), "application/json".into()),
        ];
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        Ok(HttpRequest {
            method: method.into(),
            url: format!("{}{path}", self.base),
            headers,
            body: body.unwrap_or_default(),
        })
    }

    /// `GET /clients`: the organisation's clients ([`super::parse_clients`]).
    pub fn list_clients_request(&self, token: &str) -> Result<HttpRequest> {
        self.request("GET", "/clients", token, None)
    }

    /// `GET /clients/{client_id}` ([`super::parse_client`]).
    pub fn get_client_request(&self, token: &str, client_id: &str) -> Result<HttpRequest> {
        self.request("GET", &format!("/clients/{}", path_segment(client_id)?), token, None)
    }

    /// `POST /clients`: a Maskinporten client authenticating with `private_key_jwt`
    /// ([`super::parse_client`] reads the new client and its `client_id`).
    pub fn create_client_request(&self, token: &str, client: &NewClient) -> Result<HttpRequest> {
        client.check()?;
        self.request("POST", "/clients", token, Some(client.to_json()))
    }

    /// `PUT /clients/{client_id}`: name, description and scopes ([`super::parse_client`]).
    pub fn update_client_request(&self, token: &str, client_id: &str, update: &ClientUpdate) -> Result<HttpRequest> {
        update.check()?;
        self.request("PUT", &format!("/clients/{}", path_segment(client_id)?), token, Some(update.to_json()))
    }

    /// `DELETE /clients/{client_id}`: deactivates the client ([`super::parse_empty`]).
    pub fn deactivate_client_request(&self, token: &str, client_id: &str) -> Result<HttpRequest> {
        self.request("DELETE", &format!("/clients/{}", path_segment(client_id)?), token, None)
    }

    /// `GET /clients/{client_id}/jwks` ([`super::parse_client_keys`]).
    pub fn client_keys_request(&self, token: &str, client_id: &str) -> Result<HttpRequest> {
        self.request("GET", &format!("/clients/{}/jwks", path_segment(client_id)?), token, None)
    }

    /// `POST /clients/{client_id}/jwks`: **replaces the whole key set** with `public_jwks` (JSON
    /// objects), after [`super::check_public_key_set`] (at most 5 RSA keys of 2048 bits or more,
    /// no private member). Nothing is built when a check fails.
    pub fn replace_keys_request(&self, token: &str, client_id: &str, public_jwks: &[String]) -> Result<HttpRequest> {
        let keys = check_public_key_set(public_jwks)?;
        let body = serde_json::json!({ "keys": keys }).to_string();
        self.request("POST", &format!("/clients/{}/jwks", path_segment(client_id)?), token, Some(body))
    }

    /// `DELETE /clients/{client_id}/jwks`: removes the last key set (an empty set cannot be
    /// posted) ([`super::parse_empty`]).
    pub fn remove_keys_request(&self, token: &str, client_id: &str) -> Result<HttpRequest> {
        self.request("DELETE", &format!("/clients/{}/jwks", path_segment(client_id)?), token, None)
    }

    /// `GET /scopes/access/all`: the scopes the organisation has been granted
    /// ([`super::parse_scope_access`]).
    pub fn scope_access_request(&self, token: &str) -> Result<HttpRequest> {
        self.request("GET", "/scopes/access/all", token, None)
    }

    /// `GET /scopes/all?accessible_for_all=true`: public scopes ([`super::parse_public_scopes`]).
    pub fn public_scopes_request(&self, token: &str) -> Result<HttpRequest> {
        self.request("GET", "/scopes/all?accessible_for_all=true", token, None)
    }
}

/// A client id as one URL path segment: Digdir's ids are UUIDs or `oidc_...` names.
fn path_segment(client_id: &str) -> Result<&str> {
    let ok = !client_id.is_empty()
        && client_id.len() <= 255
        && client_id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if ok {
        Ok(client_id)
    } else {
        Err(Error::invalid(
            ErrorKind::InvalidClientId,
            "client_id",
            "the client_id must be the client's id (a UUID or an oidc_... name), without slashes or spaces",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_the_environment_and_carry_the_token() {
        let api = SelfService::for_environment(&Environment::prod()).unwrap();
        let request = api.client_keys_request("tok", "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d").unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(
            request.url,
            "https://api.samarbeid.digdir.no/api/v1/clients/5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d/jwks"
        );
        assert_eq!(request.header("authorization"), Some("Bearer tok"));
        assert_eq!(SelfServiceCall::ReplaceKeys.scope(), AdminScope::Modify);
        assert_eq!(SelfServiceCall::CreateClient.scope().as_str(), "idporten:dcr.write");
    }

    #[test]
    fn calls_are_named_after_their_builders() {
        for call in SelfServiceCall::ALL {
            assert_eq!(call.as_str().parse::<SelfServiceCall>().unwrap(), call);
        }
        assert_eq!("client_keys".parse::<SelfServiceCall>().unwrap().scope(), AdminScope::Read);
        let error = "create".parse::<SelfServiceCall>().unwrap_err();
        assert_eq!((error.field(), error.kind()), (Some("call"), ErrorKind::InvalidArgument));
        assert!(error.to_string().contains("create_client"), "{error}");
    }

    #[test]
    fn an_admin_signer_needs_the_certificate_and_no_kid() {
        assert!(check_admin_signer(None, true).is_ok());
        let kid = check_admin_signer(Some("k1"), true).unwrap_err();
        assert_eq!((kid.kind(), kid.field()), (ErrorKind::InvalidKey, Some("kid")));
        assert_eq!(check_admin_signer(None, false).unwrap_err().kind(), ErrorKind::MissingCertificateOrKid);
    }

    #[test]
    fn bad_ids_and_tokens_are_refused_before_anything_is_built() {
        let api = SelfService::for_environment(&Environment::test()).unwrap();
        assert_eq!(api.get_client_request("tok", "../admin").unwrap_err().field(), Some("client_id"));
        assert_eq!(api.list_clients_request("").unwrap_err().field(), Some("access_token"));
        let custom = Environment::from_name("http://127.0.0.1:9/").unwrap();
        assert_eq!(SelfService::for_environment(&custom).unwrap_err().field(), Some("self_service_base"));
    }
}
