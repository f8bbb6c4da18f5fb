//! The simulator's configuration: clients, scopes, delegations, system users and trust.
//!
//! Loaded from TOML or JSON ([`SimulatorConfig::from_file`]) or built in code
//! ([`SimulatorConfig::builder`]). Relative paths in a file resolve against the file's folder.
//! See `tests/simulator/example.toml` for every field.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config_altinn::{AltinnConfig, ConsentConfig, EsealConfig};
use crate::selfservice::SelfServiceConfig;

/// Why a configuration could not be loaded or compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A file named by the configuration (or the configuration itself) could not be read.
    #[error("cannot read {path}: {source}; check the path (relative paths resolve against the config file's folder)")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML/JSON for this schema.
    #[error("cannot parse {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A value is wrong (names the field).
    #[error("invalid configuration: {field}: {message}")]
    Invalid {
        /// Which field, e.g. `clients[0].org_number`.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

fn d_lifetime() -> i64 {
    120
}
fn d_skew() -> i64 {
    10
}
fn d_true() -> bool {
    true
}
fn d_delegation_source() -> String {
    "https://tt02.altinn.no".to_string()
}

/// The whole simulator configuration. Every field has a default, so `{}` is a valid (empty)
/// configuration that rejects every grant with "client not found".
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SimulatorConfig {
    /// Issuer (= the `aud` grants must carry). Default: `http://<bound address>/`. Set it to e.g.
    /// `https://test.maskinporten.no/` to check that a client sends the production-shaped `aud`.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Access-token lifetime in seconds before per-scope `at_max_age` caps (default 120).
    #[serde(default = "d_lifetime")]
    pub token_lifetime: i64,
    /// Largest accepted `exp - iat` of a grant, in seconds (default 120, as Digdir documents).
    #[serde(default = "d_lifetime")]
    pub max_grant_lifetime: i64,
    /// Accepted clock skew for `iat`, `exp` and `nbf`, in seconds (default 10).
    #[serde(default = "d_skew")]
    pub clock_skew: i64,
    /// Whether a grant may carry `nbf` (tolerated by Maskinporten; default true).
    #[serde(default = "d_true")]
    pub allow_nbf: bool,
    /// `delegation_source` written into delegated access tokens.
    #[serde(default = "d_delegation_source")]
    pub delegation_source: String,
    /// PEM files of CAs trusted for `x5c` (the "environment": a test CA is not a prod CA).
    #[serde(default)]
    pub trusted_ca: Vec<PathBuf>,
    /// Inline PEM certificates trusted for `x5c` (for the builder; same meaning as `trusted_ca`).
    #[serde(default)]
    pub trusted_ca_pem: Vec<String>,
    /// Optional PKCS#8 PEM RSA key that signs access tokens (default: a fresh 2048-bit key).
    #[serde(default)]
    pub signing_key: Option<PathBuf>,
    /// Scope settings. Scopes named by clients but not listed here get the defaults.
    #[serde(default)]
    pub scopes: Vec<ScopeConfig>,
    /// Registered clients.
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
    /// Altinn delegations from a consumer org to a supplier org.
    #[serde(default)]
    pub delegations: Vec<DelegationConfig>,
    /// Altinn system users (for `urn:altinn:systemuser` authorization details).
    #[serde(default)]
    pub system_users: Vec<SystemUserConfig>,
    /// Altinn consents (for `urn:altinn:consent` authorization details).
    #[serde(default)]
    pub consents: Vec<ConsentConfig>,
    /// eSeal consumers (foreign organisations without a registered client).
    #[serde(default)]
    pub eseal: EsealConfig,
    /// Altinn's token exchange.
    #[serde(default)]
    pub altinn: AltinnConfig,
    /// Freezes the simulator's clock at this Unix time (for replaying recorded grants such as
    /// the shared vectors). Default: the system clock.
    #[serde(default)]
    pub fixed_time: Option<i64>,
    /// Seconds added to the simulator's clock (system clock or `fixed_time`); also set at run
    /// time with `POST /_sim/clock`. Default 0.
    #[serde(default)]
    pub clock_offset: i64,
    /// The self-service API (`/api/v1`): propagation delay, terms of use, state file.
    #[serde(default)]
    pub self_service: SelfServiceConfig,
    /// The folder relative paths resolve against (set by [`SimulatorConfig::from_file`]).
    #[serde(skip)]
    pub base_dir: Option<PathBuf>,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            issuer: None,
            token_lifetime: d_lifetime(),
            max_grant_lifetime: d_lifetime(),
            clock_skew: d_skew(),
            allow_nbf: true,
            delegation_source: d_delegation_source(),
            trusted_ca: Vec::new(),
            trusted_ca_pem: Vec::new(),
            signing_key: None,
            scopes: Vec::new(),
            clients: Vec::new(),
            delegations: Vec::new(),
            system_users: Vec::new(),
            consents: Vec::new(),
            eseal: EsealConfig::default(),
            altinn: AltinnConfig::default(),
            fixed_time: None,
            clock_offset: 0,
            self_service: SelfServiceConfig::default(),
            base_dir: None,
        }
    }
}

/// Settings of one scope.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ScopeConfig {
    /// The scope, e.g. `test:scope.read`.
    pub name: String,
    /// Largest access-token lifetime for this scope in seconds (caps `expires_in`).
    #[serde(default)]
    pub at_max_age: Option<i64>,
    /// If set, only these consumer orgs were granted the scope by its owner (else MP-250).
    #[serde(default)]
    pub consumers: Option<Vec<String>>,
}

/// One registered client.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The client_id (the grant's `iss`).
    pub client_id: String,
    /// The client's organisation number (9 digits); an `x5c` certificate must carry it.
    pub org_number: String,
    /// Scopes registered on (granted to) the client.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Whether the client accepts grants signed with an enterprise certificate (`x5c`).
    #[serde(default = "d_true")]
    pub x5c: bool,
    /// Extra CAs trusted for this client only (PEM files).
    #[serde(default)]
    pub trusted_ca: Vec<PathBuf>,
    /// Registered keys (JWKs with `kid`) for `kid` grants.
    #[serde(default)]
    pub keys: Vec<KeyConfig>,
    /// Values accepted in `iss_onbehalfof`.
    #[serde(default)]
    pub onbehalfof: Vec<String>,
}

/// One registered key of a client.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// A file with a JWK (public or private: only `n`, `e`, `kid` are read) or a JWKS.
    #[serde(default)]
    pub jwk_file: Option<PathBuf>,
    /// An inline JWK (only `n`, `e`, `kid` are read).
    #[serde(default)]
    pub jwk: Option<serde_json::Value>,
    /// Overrides the JWK's `kid`.
    #[serde(default)]
    pub kid: Option<String>,
    /// Unix time after which the key is expired (MP-121). Default: never.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A delegation in Altinn: `consumer_org` lets `supplier_org` use `scopes` on its behalf.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct DelegationConfig {
    /// The org that delegated (the grant's `consumer_org`).
    pub consumer_org: String,
    /// The org that received the delegation (the client's org).
    pub supplier_org: String,
    /// Delegated scopes.
    pub scopes: Vec<String>,
    /// If set, only this client of the supplier may use the delegation.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// An Altinn system user, usable with `{"type": "urn:altinn:systemuser", ...}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct SystemUserConfig {
    /// The org that owns the system user (`systemuser_org.ID` = `0192:<org_number>`).
    pub org_number: String,
    /// If set, only this client may act as the system user.
    #[serde(default)]
    pub client_id: Option<String>,
    /// If set, a grant's `externalRef` (when sent) must equal it.
    #[serde(default)]
    pub external_ref: Option<String>,
    /// The system user's id (`systemuser_id` in tokens). Default: a UUID derived from the org
    /// number and client, stable across starts.
    #[serde(default)]
    pub id: Option<String>,
    /// The registered system (`system_id` in tokens). Default: `<client org>_simulator`.
    #[serde(default)]
    pub system_id: Option<String>,
}

impl SimulatorConfig {
    /// A builder for tests and embedding (same meaning as the file fields).
    pub fn builder() -> SimulatorConfigBuilder {
        SimulatorConfigBuilder { config: SimulatorConfig::default() }
    }

    /// Loads a TOML file (or JSON when the name ends in `.json`); relative paths inside resolve
    /// against the file's folder.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
        let mut config = if path.extension().and_then(|e| e.to_str()) == Some("json") {
            Self::from_json_str(&text)
        } else {
            Self::from_toml_str(&text)
        }
        .map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse { path: path.to_path_buf(), message },
            other => other,
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        config.base_dir = Some(if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir });
        Ok(config)
    }

    /// Parses TOML text (relative paths resolve against the current directory).
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse { path: PathBuf::from("<toml>"), message: e.to_string() })
    }

    /// Parses JSON text (relative paths resolve against the current directory).
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        serde_json::from_str(text)
            .map_err(|e| ConfigError::Parse { path: PathBuf::from("<json>"), message: e.to_string() })
    }

    /// Resolves a path from the configuration against `base_dir`.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        match &self.base_dir {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    pub(crate) fn read(&self, p: &Path) -> Result<Vec<u8>, ConfigError> {
        let full = self.resolve(p);
        std::fs::read(&full).map_err(|source| ConfigError::Io { path: full, source })
    }
}

/// Builds a [`SimulatorConfig`] in code.
///
/// ```
/// use maskinporten_simulator::SimulatorConfig;
/// let config = SimulatorConfig::builder()
///     .trust_ca_pem("-----BEGIN CERTIFICATE-----\n...")
///     .client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", "311000004", ["test:scope.read"])
///     .scope_max_age("test:scope.read", 60)
///     .delegation("312000008", "311000004", ["brreg:reelle/rapporteringspliktig"])
///     .build();
/// assert_eq!(config.clients.len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct SimulatorConfigBuilder {
    config: SimulatorConfig,
}

impl SimulatorConfigBuilder {
    /// Sets the issuer (default: derived from the bound address).
    pub fn issuer(mut self, issuer: &str) -> Self {
        self.config.issuer = Some(issuer.to_string());
        self
    }
    /// Trusts a CA (PEM text) for `x5c`.
    pub fn trust_ca_pem(mut self, pem: &str) -> Self {
        self.config.trusted_ca_pem.push(pem.to_string());
        self
    }
    /// Registers a client with an org number and granted scopes (accepts `x5c`).
    pub fn client<I, S>(mut self, client_id: &str, org_number: &str, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.clients.push(ClientConfig {
            client_id: client_id.to_string(),
            org_number: org_number.to_string(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            x5c: true,
            ..ClientConfig::default()
        });
        self
    }
    /// Registers a full client definition.
    pub fn client_config(mut self, client: ClientConfig) -> Self {
        self.config.clients.push(client);
        self
    }
    /// Registers a public JWK (JSON text with `n`, `e`, `kid`) on an already added client.
    /// Unknown client ids are reported by [`crate::Simulator::start`].
    pub fn client_jwk(mut self, client_id: &str, jwk_json: &str, expires_at: Option<i64>) -> Self {
        let jwk = serde_json::from_str(jwk_json).unwrap_or(serde_json::Value::Null);
        let key = KeyConfig { jwk: Some(jwk), expires_at, ..KeyConfig::default() };
        match self.config.clients.iter_mut().find(|c| c.client_id == client_id) {
            Some(c) => c.keys.push(key),
            None => self.config.clients.push(ClientConfig {
                client_id: client_id.to_string(),
                keys: vec![key],
                ..ClientConfig::default()
            }),
        }
        self
    }
    /// Caps the access-token lifetime of a scope.
    pub fn scope_max_age(mut self, scope: &str, seconds: i64) -> Self {
        self.scope_entry(scope).at_max_age = Some(seconds);
        self
    }
    /// Restricts which consumer orgs were granted a scope (others get MP-250).
    pub fn scope_consumers<I, S>(mut self, scope: &str, orgs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scope_entry(scope).consumers = Some(orgs.into_iter().map(Into::into).collect());
        self
    }
    fn scope_entry(&mut self, scope: &str) -> &mut ScopeConfig {
        let idx = match self.config.scopes.iter().position(|s| s.name == scope) {
            Some(i) => i,
            None => {
                self.config.scopes.push(ScopeConfig { name: scope.to_string(), ..ScopeConfig::default() });
                self.config.scopes.len() - 1
            }
        };
        &mut self.config.scopes[idx]
    }
    /// Adds an Altinn delegation from `consumer_org` to `supplier_org`.
    pub fn delegation<I, S>(mut self, consumer_org: &str, supplier_org: &str, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.delegations.push(DelegationConfig {
            consumer_org: consumer_org.to_string(),
            supplier_org: supplier_org.to_string(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            client_id: None,
        });
        self
    }
    /// Adds a system user owned by `org_number`.
    pub fn system_user(mut self, org_number: &str) -> Self {
        self.config.system_users.push(SystemUserConfig { org_number: org_number.to_string(), ..Default::default() });
        self
    }
    /// Adds a consent `id` from `from` to `to` (an org number), valid until `valid_to` (RFC 3339).
    pub fn consent(mut self, id: &str, from: &str, to: &str, valid_to: &str) -> Self {
        self.config.consents.push(ConsentConfig {
            id: id.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            valid_to: valid_to.to_string(),
            ..ConsentConfig::default()
        });
        self
    }
    /// Trusts a CA (PEM text) for eSeal certificates.
    pub fn trust_eseal_ca_pem(mut self, pem: &str) -> Self {
        self.config.eseal.trusted_ca_pem.push(pem.to_string());
        self
    }
    /// Adds an eSeal consumer: `client_id` (`eidas-...`), its certificate's
    /// `organizationIdentifier` and granted scopes (a qualified eSeal).
    pub fn eseal_consumer<I, S>(mut self, client_id: &str, organization_identifier: &str, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.eseal.consumers.push(crate::config_altinn::EsealConsumerConfig {
            client_id: client_id.to_string(),
            organization_identifier: organization_identifier.to_string(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            qualified: true,
        });
        self
    }
    /// Makes `org_number` an Altinn service owner with org code `org`.
    pub fn altinn_service_owner(mut self, org_number: &str, org: &str) -> Self {
        self.config.altinn.service_owners.push(crate::config_altinn::ServiceOwnerConfig {
            org_number: org_number.to_string(),
            org: org.to_string(),
        });
        self
    }
    /// Sets the default access-token lifetime.
    pub fn token_lifetime(mut self, seconds: i64) -> Self {
        self.config.token_lifetime = seconds;
        self
    }
    /// Freezes the clock at a Unix time.
    pub fn fixed_time(mut self, unix: i64) -> Self {
        self.config.fixed_time = Some(unix);
        self
    }
    /// Finishes the configuration.
    pub fn build(self) -> SimulatorConfig {
        self.config
    }
}
