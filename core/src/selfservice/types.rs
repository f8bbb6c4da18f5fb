//! What the self-service API takes and answers, as plain values.

use crate::error::{Error, ErrorKind, Result};
use crate::request::JWT_BEARER_GRANT_TYPE;
use serde_json::json;

/// A new Maskinporten client (`POST /clients`). Maskinporten clients authenticate with
/// `private_key_jwt` and the JWT-bearer grant; those fields are set here, not by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewClient {
    /// The client's display name.
    pub client_name: String,
    /// What the integration is for (Digdir's staff read it).
    pub description: String,
    /// Scopes the organisation has been granted (may be empty: add them later).
    pub scopes: Vec<String>,
}

impl NewClient {
    /// A client with this name, description and scopes.
    pub fn new<S: Into<String>>(name: &str, description: &str, scopes: impl IntoIterator<Item = S>) -> NewClient {
        NewClient {
            client_name: name.to_string(),
            description: description.to_string(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        check_text("client_name", &self.client_name)?;
        check_text("description", &self.description)?;
        check_scopes(&self.scopes)
    }

    pub(crate) fn to_json(&self) -> String {
        json!({
            "integration_type": "maskinporten",
            "application_type": "web",
            "client_name": self.client_name,
            "description": self.description,
            "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": [JWT_BEARER_GRANT_TYPE],
            "scopes": self.scopes,
        })
        .to_string()
    }
}

/// A change to a client (`PUT /clients/{id}`): the whole description, as the API replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ClientUpdate {
    /// The client's display name.
    pub client_name: String,
    /// What the integration is for.
    pub description: String,
    /// The client's scopes after the change.
    pub scopes: Vec<String>,
}

impl ClientUpdate {
    /// An update that keeps what `client` has, to change fields of.
    pub fn from_client(client: &RegisteredClient) -> ClientUpdate {
        ClientUpdate {
            client_name: client.client_name.clone(),
            description: client.description.clone(),
            scopes: client.scopes.clone(),
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        check_text("client_name", &self.client_name)?;
        check_text("description", &self.description)?;
        check_scopes(&self.scopes)
    }

    pub(crate) fn to_json(&self) -> String {
        json!({
            "integration_type": "maskinporten",
            "client_name": self.client_name,
            "description": self.description,
            "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": [JWT_BEARER_GRANT_TYPE],
            "scopes": self.scopes,
        })
        .to_string()
    }
}

fn check_text(field: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty() || text.chars().count() > 1000 || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid(
            ErrorKind::InvalidArgument,
            field,
            format!("{field} must be 1 to 1000 printable characters"),
        ));
    }
    Ok(())
}

fn check_scopes(scopes: &[String]) -> Result<()> {
    for scope in scopes {
        if scope.is_empty() || scope.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\\') {
            return Err(Error::invalid(
                ErrorKind::InvalidScope,
                "scopes",
                format!("{scope:?} is not a scope: give each scope as its own item"),
            ));
        }
    }
    Ok(())
}

/// A client as the API describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegisteredClient {
    /// The id to use as a grant's `iss`.
    pub client_id: String,
    /// The display name.
    pub client_name: String,
    /// The description.
    pub description: String,
    /// The organisation that owns the client.
    pub client_orgno: Option<String>,
    /// `maskinporten` for Maskinporten clients.
    pub integration_type: Option<String>,
    /// The client's scopes.
    pub scopes: Vec<String>,
    /// Whether the client is active (false after a deactivation).
    pub active: bool,
    /// When it was created (Unix seconds), when the API said.
    pub created: Option<i64>,
    /// When it was last changed (Unix seconds), when the API said.
    pub last_updated: Option<i64>,
}

/// One registered public key of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegisteredKey {
    /// The key's id (a grant's `kid`).
    pub kid: String,
    /// When the key expires (Unix seconds); registered keys live at most one year (MP-121 after).
    pub expires_at: Option<i64>,
    /// The public JWK as the API returned it (public members only).
    pub jwk_json: String,
}

/// A client's key set (`GET /clients/{id}/jwks`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ClientKeys {
    /// The keys.
    pub keys: Vec<RegisteredKey>,
    /// When the set was first created (Unix seconds).
    pub created: Option<i64>,
    /// When the set was last replaced (Unix seconds): the moment a rotation published it.
    pub last_updated: Option<i64>,
}

/// A scope the organisation has asked for or been granted (`GET /scopes/access/all`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScopeAccess {
    /// The scope.
    pub scope: String,
    /// `APPROVED`, `REQUESTED`, `DENIED` (as the API wrote it).
    pub state: String,
}

/// A public scope (`GET /scopes/all?accessible_for_all=true`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PublicScope {
    /// The scope name (`prefix:subscope`).
    pub name: String,
    /// The provider's description.
    pub description: Option<String>,
}
