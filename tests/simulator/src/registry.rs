//! The configuration compiled into lookup tables (parsed certificates and keys).

use std::collections::HashMap;

use crate::config::{ConfigError, DelegationConfig, ScopeConfig, SimulatorConfig, SystemUserConfig};
use crate::crypto::{self, RsaPublic};

#[derive(Debug)]
pub(crate) struct RegisteredKey {
    pub kid: String,
    pub key: RsaPublic,
    pub expires_at: Option<i64>,
}

#[derive(Debug)]
pub(crate) struct Client {
    pub client_id: String,
    pub org_number: String,
    pub scopes: Vec<String>,
    pub x5c: bool,
    pub anchors: Vec<Vec<u8>>,
    pub keys: Vec<RegisteredKey>,
    pub onbehalfof: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Registry {
    pub token_lifetime: i64,
    pub max_grant_lifetime: i64,
    pub clock_skew: i64,
    pub allow_nbf: bool,
    pub delegation_source: String,
    pub anchors: Vec<Vec<u8>>,
    pub clients: HashMap<String, Client>,
    /// kid -> client ids registering it
    pub kids: HashMap<String, Vec<String>>,
    pub scopes: HashMap<String, ScopeConfig>,
    pub delegations: Vec<DelegationConfig>,
    pub system_users: Vec<SystemUserConfig>,
}

fn invalid(field: String, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { field, message: message.into() }
}

fn load_cas(config: &SimulatorConfig, files: &[std::path::PathBuf], field: &str) -> Result<Vec<Vec<u8>>, ConfigError> {
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let bytes = config.read(f)?;
        let certs = crypto::pem_certs(&bytes).map_err(|m| invalid(format!("{field}[{i}]"), m))?;
        out.extend(certs);
    }
    Ok(out)
}

fn jwks_from_value(v: &serde_json::Value) -> Vec<serde_json::Value> {
    match v.get("keys").and_then(|k| k.as_array()) {
        Some(keys) => keys.clone(),
        None => vec![v.clone()],
    }
}

impl Registry {
    pub(crate) fn compile(config: &SimulatorConfig) -> Result<Registry, ConfigError> {
        if !(1..=86_400).contains(&config.token_lifetime) {
            return Err(invalid("token_lifetime".into(), "must be 1..=86400 seconds"));
        }
        if !(1..=3600).contains(&config.max_grant_lifetime) {
            return Err(invalid("max_grant_lifetime".into(), "must be 1..=3600 seconds"));
        }
        if !(0..=3600).contains(&config.clock_skew) {
            return Err(invalid("clock_skew".into(), "must be 0..=3600 seconds"));
        }
        let mut anchors = load_cas(config, &config.trusted_ca, "trusted_ca")?;
        for (i, pem) in config.trusted_ca_pem.iter().enumerate() {
            anchors.extend(crypto::pem_certs(pem.as_bytes()).map_err(|m| invalid(format!("trusted_ca_pem[{i}]"), m))?);
        }
        let mut scopes: HashMap<String, ScopeConfig> = HashMap::new();
        for (i, s) in config.scopes.iter().enumerate() {
            if s.name.is_empty() || s.name.contains(char::is_whitespace) {
                return Err(invalid(format!("scopes[{i}].name"), "must be one non-empty scope without spaces"));
            }
            if let Some(age) = s.at_max_age {
                if age < 1 {
                    return Err(invalid(format!("scopes[{i}].at_max_age"), "must be at least 1 second"));
                }
            }
            scopes.insert(s.name.clone(), s.clone());
        }
        let mut clients = HashMap::new();
        let mut kids: HashMap<String, Vec<String>> = HashMap::new();
        for (i, c) in config.clients.iter().enumerate() {
            if c.client_id.is_empty() {
                return Err(invalid(format!("clients[{i}].client_id"), "must not be empty"));
            }
            if !crypto::valid_org_number(&c.org_number) {
                return Err(invalid(
                    format!("clients[{i}].org_number"),
                    format!("{:?} is not a 9-digit organisation number with a valid check digit", c.org_number),
                ));
            }
            let mut keys = Vec::new();
            for (j, k) in c.keys.iter().enumerate() {
                let field = format!("clients[{i}].keys[{j}]");
                let values = match (&k.jwk_file, &k.jwk) {
                    (Some(f), None) => {
                        let bytes = config.read(f)?;
                        let v: serde_json::Value = serde_json::from_slice(&bytes)
                            .map_err(|e| invalid(field.clone(), format!("jwk_file is not JSON: {e}")))?;
                        jwks_from_value(&v)
                    }
                    (None, Some(v)) => jwks_from_value(v),
                    _ => return Err(invalid(field, "set exactly one of jwk_file or jwk")),
                };
                for v in values {
                    let key = RsaPublic::from_jwk(&v).map_err(|m| invalid(field.clone(), m))?;
                    let kid = k
                        .kid
                        .clone()
                        .or_else(|| v.get("kid").and_then(|x| x.as_str()).map(str::to_string))
                        .ok_or_else(|| invalid(field.clone(), "the JWK has no kid; set `kid`"))?;
                    kids.entry(kid.clone()).or_default().push(c.client_id.clone());
                    keys.push(RegisteredKey { kid, key, expires_at: k.expires_at });
                }
            }
            let anchors = load_cas(config, &c.trusted_ca, &format!("clients[{i}].trusted_ca"))?;
            for s in &c.scopes {
                scopes.entry(s.clone()).or_insert_with(|| ScopeConfig { name: s.clone(), ..ScopeConfig::default() });
            }
            if clients.contains_key(&c.client_id) {
                return Err(invalid(format!("clients[{i}].client_id"), "duplicate client_id"));
            }
            clients.insert(
                c.client_id.clone(),
                Client {
                    client_id: c.client_id.clone(),
                    org_number: c.org_number.clone(),
                    scopes: c.scopes.clone(),
                    x5c: c.x5c,
                    anchors,
                    keys,
                    onbehalfof: c.onbehalfof.clone(),
                },
            );
        }
        for (i, d) in config.delegations.iter().enumerate() {
            for (name, org) in [("consumer_org", &d.consumer_org), ("supplier_org", &d.supplier_org)] {
                if !crypto::valid_org_number(org) {
                    return Err(invalid(format!("delegations[{i}].{name}"), "not a valid organisation number"));
                }
            }
        }
        for (i, s) in config.system_users.iter().enumerate() {
            if !crypto::valid_org_number(&s.org_number) {
                return Err(invalid(format!("system_users[{i}].org_number"), "not a valid organisation number"));
            }
        }
        Ok(Registry {
            token_lifetime: config.token_lifetime,
            max_grant_lifetime: config.max_grant_lifetime,
            clock_skew: config.clock_skew,
            allow_nbf: config.allow_nbf,
            delegation_source: config.delegation_source.clone(),
            anchors,
            clients,
            kids,
            scopes,
            delegations: config.delegations.clone(),
            system_users: config.system_users.clone(),
        })
    }
}
