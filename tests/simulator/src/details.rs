//! `authorization_details` (RAR): the grant's entries checked against the configured system
//! users and consents, and the entries the access token carries, as Maskinporten writes them.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::crypto;
use crate::registry::{Client, Registry};
use crate::validate::{rar, Rejection};

const ACTOR: &str = "iso6523-actorid-upis";

/// Checks the grant's `authorization_details` for `client`, whose tokens go to `consumer_org`
/// (`None` for an eSeal consumer, which has no Norwegian org number), at `now`; returns the
/// token's entries: a system user gets `systemuser_id` and `system_id` (no `externalRef`), a
/// consent gets `to`, `consented`, `validTo` and `consentRights`.
pub(crate) fn token_details(
    reg: &Registry,
    client: &Client,
    consumer_org: Option<&str>,
    v: &Value,
    now: i64,
) -> Result<Value, Rejection> {
    let items = v.as_array().ok_or_else(|| rar("MP-303", "authorization_details must be an array"))?;
    if items.len() != 1 {
        return Err(rar("MP-303", "authorization_details must hold exactly one party per request"));
    }
    let mut out = Vec::new();
    for item in items {
        let obj = item.as_object().ok_or_else(|| rar("MP-303", "authorization_details entries must be objects"))?;
        let ty = obj
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| rar("MP-301", "authorization_details entry without type"))?;
        let allowed: BTreeSet<&str> = match ty {
            "urn:altinn:systemuser" => ["type", "systemuser_org", "externalRef"].into(),
            "urn:altinn:consent" => ["type", "id", "from"].into(),
            other => return Err(rar("MP-301", format!("Unknown authorization_details type {other:?}"))),
        };
        if let Some(k) = obj.keys().find(|k| !allowed.contains(k.as_str())) {
            return Err(rar("MP-302", format!("Unknown field {k:?} in {ty}")));
        }
        out.push(if ty == "urn:altinn:systemuser" {
            system_user(reg, client, obj)?
        } else {
            consent(reg, consumer_org, obj, now)?
        });
    }
    Ok(Value::Array(out))
}

fn system_user(reg: &Registry, client: &Client, obj: &serde_json::Map<String, Value>) -> Result<Value, Rejection> {
    let org = obj
        .get("systemuser_org")
        .and_then(Value::as_object)
        .ok_or_else(|| rar("MP-303", "systemuser_org must be an object"))?;
    if let Some(k) = org.keys().find(|k| *k != "authority" && *k != "ID") {
        return Err(rar("MP-302", format!("Unknown field {k:?} in systemuser_org")));
    }
    if org.get("authority").and_then(Value::as_str) != Some(ACTOR) {
        return Err(rar("MP-303", "systemuser_org.authority must be iso6523-actorid-upis"));
    }
    let id = org.get("ID").and_then(Value::as_str).unwrap_or("");
    let Some(orgno) = id.strip_prefix("0192:").filter(|o| crypto::valid_org_number(o)) else {
        return Err(rar("MP-303", "systemuser_org.ID must be 0192:<organisation number>"));
    };
    let ext = match obj.get("externalRef") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
        Some(_) => return Err(rar("MP-303", "externalRef must be a non-empty string")),
    };
    let user = reg.system_users.iter().find(|u| {
        u.org_number == orgno
            && u.client_id.as_deref().map(|c| c == client.client_id).unwrap_or(true)
            && match (&u.external_ref, ext) {
                (Some(want), Some(got)) => want == got,
                _ => true,
            }
    });
    let Some(user) = user else {
        return Err(rar("MP-303", format!("No system user for organisation {orgno} on this client")));
    };
    let id = user.id.clone().unwrap_or_else(|| derived_uuid(&format!("{orgno}\n{}", client.client_id)));
    let system_id = user.system_id.clone().unwrap_or_else(|| format!("{}_simulator", client.org_number));
    Ok(json!({
        "type": "urn:altinn:systemuser",
        "systemuser_id": [id],
        "systemuser_org": {"authority": ACTOR, "ID": format!("0192:{orgno}")},
        "system_id": system_id,
    }))
}

fn consent(
    reg: &Registry,
    consumer_org: Option<&str>,
    obj: &serde_json::Map<String, Value>,
    now: i64,
) -> Result<Value, Rejection> {
    let field = |f: &str| match obj.get(f) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
        _ => Err(rar("MP-303", format!("consent {f} must be a non-empty string"))),
    };
    let (id, from) = (field("id")?, field("from")?);
    let Some(consent) = reg.consents.iter().find(|c| c.id == id) else {
        return Err(rar("MP-303", format!("No consent {id:?} in Altinn")));
    };
    if consent.from != from {
        return Err(rar("MP-303", format!("Consent {id:?} was not given by {from:?}")));
    }
    if consumer_org != Some(consent.to.as_str()) {
        return Err(rar("MP-303", format!("Consent {id:?} was not given to this consumer")));
    }
    if now >= consent.valid_to {
        return Err(rar("MP-303", format!("Consent {id:?} is no longer valid (validTo has passed)")));
    }
    Ok(json!({
        "type": "urn:altinn:consent",
        "id": id,
        "from": from,
        "to": {"authority": ACTOR, "ID": format!("0192:{}", consent.to)},
        "consented": consent.consented,
        "validTo": consent.valid_to_text,
        "consentRights": consent.rights,
    }))
}

/// A UUID-shaped id derived from `seed` (stable across starts, distinct per seed).
fn derived_uuid(seed: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    #[test]
    fn derived_ids_are_uuid_shaped_and_stable() {
        let a = super::derived_uuid("313000001\nclient");
        assert_eq!(a, super::derived_uuid("313000001\nclient"));
        assert_ne!(a, super::derived_uuid("313000001\nother"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
