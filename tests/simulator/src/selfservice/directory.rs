//! The self-service API's view of clients and key sets (authoritative), and how a change
//! reaches the token endpoint's [`Registry`]: at once, or after the propagation delay.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::state_file;
use crate::crypto::{b64url, RsaPublic};
use crate::registry::{Client, RegisteredKey, Registry};

/// A client's registered keys, as `GET /clients/{id}/jwks` shows them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct KeySet {
    /// When the first set was posted (Unix seconds).
    pub created: i64,
    /// When the set was last replaced (Unix seconds).
    pub last_updated: i64,
    /// Public JWKs (`kty kid alg use n e exp`, optionally `x5c`).
    pub keys: Vec<Value>,
}

/// One client as the API knows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct ClientRecord {
    pub client_id: String,
    pub org_number: String,
    pub client_name: String,
    pub description: String,
    pub scopes: Vec<String>,
    pub active: bool,
    pub created: i64,
    pub last_updated: i64,
    #[serde(default = "yes")]
    pub x5c: bool,
    #[serde(default)]
    pub jwks: Option<KeySet>,
}

fn yes() -> bool {
    true
}

/// Every client the API knows, the changes still on their way to `/token`, and where the state
/// is saved.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    records: BTreeMap<String, ClientRecord>,
    /// (effective at, the client's whole record after the change), in the order made.
    pending: Vec<(i64, ClientRecord)>,
    delay: i64,
    state_file: Option<PathBuf>,
}

impl Directory {
    /// The configured clients as the API shows them, then the saved state over them (applied to
    /// `registry` at once: a restart is not a change).
    pub(crate) fn new(
        registry: &mut Registry,
        delay: i64,
        state_file: Option<PathBuf>,
        now: i64,
    ) -> Result<Directory, String> {
        let mut records = BTreeMap::new();
        for client in registry.clients.values() {
            records.insert(client.client_id.clone(), configured(client, now));
        }
        let mut directory = Directory { records, pending: Vec::new(), delay, state_file };
        if let Some(path) = &directory.state_file {
            for record in state_file::load(path)?.unwrap_or_default() {
                apply(registry, &record);
                directory.records.insert(record.client_id.clone(), record);
            }
        }
        Ok(directory)
    }

    /// The clients of one organisation, oldest first.
    pub(crate) fn of_org(&self, org: &str) -> Vec<&ClientRecord> {
        let mut list: Vec<&ClientRecord> = self.records.values().filter(|r| r.org_number == org).collect();
        list.sort_by(|a, b| (a.created, &a.client_id).cmp(&(b.created, &b.client_id)));
        list
    }

    /// One client of `org` (another organisation's client is not found, as at Digdir).
    pub(crate) fn get(&self, org: &str, client_id: &str) -> Option<&ClientRecord> {
        self.records.get(client_id).filter(|r| r.org_number == org)
    }

    /// Records a change: the API shows it at once, `/token` after the propagation delay. Returns
    /// a warning when the state file could not be written.
    pub(crate) fn commit(&mut self, record: ClientRecord, registry: &mut Registry, now: i64) -> Option<String> {
        if self.delay <= 0 {
            apply(registry, &record);
        } else {
            self.pending.push((now.saturating_add(self.delay), record.clone()));
        }
        self.records.insert(record.client_id.clone(), record);
        self.save()
    }

    /// Whether a change is waiting for its propagation delay.
    pub(crate) fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Applies the changes whose delay has passed, in the order they were made.
    pub(crate) fn apply_due(&mut self, registry: &mut Registry, now: i64) {
        let (due, later): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.pending).into_iter().partition(|(at, _)| *at <= now);
        for (_, record) in &due {
            apply(registry, record);
        }
        self.pending = later;
    }

    /// Makes everything the API stores `seconds` older (creation times, key expiries, pending
    /// changes), as if that much time had passed, while the clocks stay as they are.
    pub(crate) fn age(&mut self, seconds: i64, registry: &mut Registry) -> Option<String> {
        for record in self.records.values_mut().chain(self.pending.iter_mut().map(|(_, r)| r)) {
            age_record(record, seconds);
        }
        for (at, _) in &mut self.pending {
            *at = at.saturating_sub(seconds);
        }
        for client in registry.clients.values_mut() {
            for key in &mut client.keys {
                key.expires_at = key.expires_at.map(|exp| exp.saturating_sub(seconds));
            }
        }
        self.save()
    }

    fn save(&self) -> Option<String> {
        let path = self.state_file.as_ref()?;
        let records: Vec<&ClientRecord> = self.records.values().collect();
        state_file::save(path, &records).err()
    }
}

fn age_record(record: &mut ClientRecord, seconds: i64) {
    record.created = record.created.saturating_sub(seconds);
    record.last_updated = record.last_updated.saturating_sub(seconds);
    if let Some(set) = &mut record.jwks {
        set.created = set.created.saturating_sub(seconds);
        set.last_updated = set.last_updated.saturating_sub(seconds);
        for key in &mut set.keys {
            if let Some(exp) = key.get("exp").and_then(Value::as_i64) {
                key["exp"] = json!(exp.saturating_sub(seconds));
            }
        }
    }
}

/// A client from the configuration file, as the API lists it.
fn configured(client: &Client, now: i64) -> ClientRecord {
    let keys: Vec<Value> = client
        .keys
        .iter()
        .map(|k| {
            let mut jwk = json!({"kty": "RSA", "kid": k.kid, "alg": "RS256", "use": "sig",
                                 "n": b64url(&k.key.n), "e": b64url(&k.key.e)});
            if let Some(exp) = k.expires_at {
                jwk["exp"] = json!(exp);
            }
            jwk
        })
        .collect();
    ClientRecord {
        client_id: client.client_id.clone(),
        org_number: client.org_number.clone(),
        client_name: client.client_id.clone(),
        description: "configured in the simulator's configuration file".into(),
        scopes: client.scopes.clone(),
        active: true,
        created: now,
        last_updated: now,
        x5c: client.x5c,
        jwks: (!keys.is_empty()).then_some(KeySet { created: now, last_updated: now, keys }),
    }
}

/// Makes the token endpoint see `record`: its scopes and keys, or no client once deactivated.
/// What only the configuration holds (extra CAs, onbehalfof values) stays.
pub(crate) fn apply(registry: &mut Registry, record: &ClientRecord) {
    for owners in registry.kids.values_mut() {
        owners.retain(|c| c != &record.client_id);
    }
    registry.kids.retain(|_, owners| !owners.is_empty());
    if !record.active {
        registry.clients.remove(&record.client_id);
        return;
    }
    let keys: Vec<RegisteredKey> = record
        .jwks
        .iter()
        .flat_map(|set| set.keys.iter())
        .filter_map(|jwk| {
            Some(RegisteredKey {
                kid: jwk.get("kid")?.as_str()?.to_string(),
                key: RsaPublic::from_jwk(jwk).ok()?,
                expires_at: jwk.get("exp").and_then(Value::as_i64),
            })
        })
        .collect();
    for key in &keys {
        registry.kids.entry(key.kid.clone()).or_default().push(record.client_id.clone());
    }
    let client = registry.clients.entry(record.client_id.clone()).or_insert_with(|| Client {
        client_id: record.client_id.clone(),
        org_number: record.org_number.clone(),
        scopes: Vec::new(),
        x5c: record.x5c,
        anchors: Vec::new(),
        keys: Vec::new(),
        onbehalfof: Vec::new(),
        // The self-service API registers Norwegian clients only; eSeal clients come from the config.
        eseal: None,
    });
    client.org_number = record.org_number.clone();
    client.scopes = record.scopes.clone();
    client.x5c = record.x5c;
    client.keys = keys;
}
