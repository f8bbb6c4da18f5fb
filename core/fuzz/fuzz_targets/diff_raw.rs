//! Differential: the validator's typed reading of a token header and claims (`validator/raw.rs`)
//! against a `serde_json::Value` reading of the same bytes. Both accept exactly the JSON objects;
//! each member reads the same (a string, an `i64` integer, a list of such, or anything else); a
//! repeated member's last value wins; `consumer`/`supplier` `ID` and `authorization_details` are
//! found case-insensitively (the exact name first, else the first variant in key order).
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::fuzzing::{read_claims, read_header, LooseValue};
use serde_json::{Map, Value};

fn loose(value: Option<&Value>) -> LooseValue {
    match value {
        Some(Value::String(text)) => LooseValue::Str(text.clone()),
        Some(Value::Number(n)) => n.as_i64().map_or(LooseValue::Other, LooseValue::Int),
        Some(Value::Array(items)) => LooseValue::List(items.iter().map(|item| loose(Some(item))).collect()),
        _ => LooseValue::Other,
    }
}

fn get_ci<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

fuzz_target!(|data: &[u8]| {
    let reference = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    let header = read_header(data);
    let claims = read_claims(data);
    let text = String::from_utf8_lossy(data);
    assert_eq!(header.is_some(), reference.is_some(), "header reading of {text:?}");
    assert_eq!(claims.is_some(), reference.is_some(), "claims reading of {text:?}");
    let (Some(map), Some(header), Some(claims)) = (reference, header, claims) else { return };
    assert_eq!(header.alg, loose(map.get("alg")), "alg of {text:?}");
    assert_eq!(header.kid, loose(map.get("kid")), "kid of {text:?}");
    for (name, value) in &claims.members {
        assert_eq!(value, &loose(map.get(*name)), "{name} of {text:?}");
    }
    for (name, id) in &claims.organisations {
        let expected = match map.get(*name) {
            Some(Value::Object(org)) => get_ci(org, "id").map(|id| loose(Some(id))),
            _ => None,
        };
        assert_eq!(id, &expected, "{name} ID of {text:?}");
    }
    assert_eq!(claims.authorization_details.as_ref(), get_ci(&map, "authorization_details"), "details of {text:?}");
});
