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
    /// Set for an eSeal consumer: no Norwegian org number (`org_number` is empty).
    pub eseal: Option<Eseal>,
}

/// What tells an eSeal consumer's certificate apart, and how it signs.
#[derive(Debug)]
pub(crate) struct Eseal {
    pub organization_identifier: String,
    pub qualified: bool,
}

/// A configured consent, its dates read.
#[derive(Debug)]
pub(crate) struct Consent {
    pub id: String,
    pub from: String,
    pub to: String,
    pub consented: String,
    pub valid_to: i64,
    pub valid_to_text: String,
    pub rights: serde_json::Value,
}

/// The exchange's settings.
#[derive(Debug)]
pub(crate) struct Altinn {
    pub token_lifetime: i64,
    /// org number -> Altinn org code
    pub service_owners: HashMap<String, String>,
    pub test_org: String,
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
    pub consents: Vec<Consent>,
    pub altinn: Altinn,
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
                    eseal: None,
                },
            );
        }
        compile_eseals(config, &mut clients, &mut scopes)?;
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
        let consents = compile_consents(config)?;
        let altinn = compile_altinn(config)?;
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
            consents,
            altinn,
        })
    }
}

fn compile_eseals(
    config: &SimulatorConfig,
    clients: &mut HashMap<String, Client>,
    scopes: &mut HashMap<String, ScopeConfig>,
) -> Result<(), ConfigError> {
    let mut anchors = load_cas(config, &config.eseal.trusted_ca, "eseal.trusted_ca")?;
    for (i, pem) in config.eseal.trusted_ca_pem.iter().enumerate() {
        anchors
            .extend(crypto::pem_certs(pem.as_bytes()).map_err(|m| invalid(format!("eseal.trusted_ca_pem[{i}]"), m))?);
    }
    for (i, e) in config.eseal.consumers.iter().enumerate() {
        let field = |name: &str| format!("eseal.consumers[{i}].{name}");
        if e.client_id.is_empty() {
            return Err(invalid(field("client_id"), "must not be empty (Maskinporten writes eidas-...)"));
        }
        if clients.contains_key(&e.client_id) {
            return Err(invalid(field("client_id"), "duplicate client_id"));
        }
        let oid = &e.organization_identifier;
        if oid.len() < 4 || oid.len() > 64 || !oid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b':')
        {
            return Err(invalid(
                field("organization_identifier"),
                "must be the certificate's organizationIdentifier, e.g. NTRNO-555555555 or VATSE-556000000001",
            ));
        }
        if anchors.is_empty() {
            return Err(invalid("eseal.trusted_ca".into(), "eSeal consumers need at least one eSeal CA"));
        }
        for s in &e.scopes {
            scopes.entry(s.clone()).or_insert_with(|| ScopeConfig { name: s.clone(), ..ScopeConfig::default() });
        }
        clients.insert(
            e.client_id.clone(),
            Client {
                client_id: e.client_id.clone(),
                org_number: String::new(),
                scopes: e.scopes.clone(),
                x5c: true,
                anchors: anchors.clone(),
                keys: Vec::new(),
                onbehalfof: Vec::new(),
                eseal: Some(Eseal { organization_identifier: oid.clone(), qualified: e.qualified }),
            },
        );
    }
    Ok(())
}

fn rfc3339(field: String, text: &str) -> Result<i64, ConfigError> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| invalid(field, format!("{text:?} is not an RFC 3339 time ({e}), e.g. 2030-12-31T23:59:59Z")))
}

fn compile_consents(config: &SimulatorConfig) -> Result<Vec<Consent>, ConfigError> {
    let mut out = Vec::new();
    for (i, c) in config.consents.iter().enumerate() {
        let field = |name: &str| format!("consents[{i}].{name}");
        if c.id.is_empty() {
            return Err(invalid(field("id"), "must not be empty"));
        }
        let party = c
            .from
            .strip_prefix("urn:altinn:person:identifier-no:")
            .map(|p| p.len() == 11 && p.bytes().all(|b| b.is_ascii_digit()))
            .or_else(|| c.from.strip_prefix("urn:altinn:organization:identifier-no:").map(crypto::valid_org_number));
        if party != Some(true) {
            return Err(invalid(
                field("from"),
                "must be urn:altinn:person:identifier-no:<11 digits> or urn:altinn:organization:identifier-no:<orgno>",
            ));
        }
        if !crypto::valid_org_number(&c.to) {
            return Err(invalid(field("to"), "not a valid organisation number"));
        }
        let consented = c.consented.clone().unwrap_or_else(|| "2025-01-01T00:00:00Z".to_string());
        rfc3339(field("consented"), &consented)?;
        let valid_to = rfc3339(field("valid_to"), &c.valid_to)?;
        let rights = c.rights.clone().unwrap_or_else(|| {
            serde_json::json!([{"action": ["read"], "resource": [{"type": "urn:altinn:resource", "value": "ttd_simulator"}]}])
        });
        if !rights.is_array() {
            return Err(invalid(field("rights"), "must be an array of consent rights"));
        }
        out.push(Consent {
            id: c.id.clone(),
            from: c.from.clone(),
            to: c.to.clone(),
            consented,
            valid_to,
            valid_to_text: c.valid_to.clone(),
            rights,
        });
    }
    Ok(out)
}

fn compile_altinn(config: &SimulatorConfig) -> Result<Altinn, ConfigError> {
    let a = &config.altinn;
    if !(1..=86_400).contains(&a.token_lifetime) {
        return Err(invalid("altinn.token_lifetime".into(), "must be 1..=86400 seconds"));
    }
    let mut service_owners = HashMap::new();
    for (i, o) in a.service_owners.iter().enumerate() {
        if !crypto::valid_org_number(&o.org_number) {
            return Err(invalid(format!("altinn.service_owners[{i}].org_number"), "not a valid organisation number"));
        }
        if o.org.is_empty() || !o.org.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return Err(invalid(
                format!("altinn.service_owners[{i}].org"),
                "must be a lower-case Altinn org code, e.g. ttd",
            ));
        }
        service_owners.insert(o.org_number.clone(), o.org.clone());
    }
    Ok(Altinn { token_lifetime: a.token_lifetime, service_owners, test_org: a.test_org.clone() })
}
