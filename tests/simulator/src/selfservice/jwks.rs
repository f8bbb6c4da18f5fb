//! The checks `POST /clients/{id}/jwks` makes, done here independently of the core's, so the
//! simulator catches a client that sends what Digdir refuses.

use serde_json::{json, Map, Value};

use crate::crypto::RsaPublic;

/// The most keys a client may have registered.
pub(crate) const MAX_KEYS: usize = 5;
/// Registered keys live at most a year.
pub(crate) const MAX_KEY_LIFETIME: i64 = 365 * 86_400;
/// Slack for a client's clock when it sets `exp` to exactly a year ahead.
const EXP_SLACK: i64 = 300;
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A field the API names as wrong, and why.
pub(crate) type FieldError = (String, String);

/// The key set as it will be stored (public members only, `exp` set), or the field errors.
pub(crate) fn check_key_set(body: &Value, now: i64) -> Result<Vec<Value>, Vec<FieldError>> {
    let Some(keys) = body.get("keys").and_then(Value::as_array) else {
        return Err(vec![("keys".into(), "must be a list of JWKs".into())]);
    };
    if keys.is_empty() {
        return Err(vec![(
            "keys".into(),
            "must not be empty (remove the last key with DELETE /clients/{id}/jwks)".into(),
        )]);
    }
    if keys.len() > MAX_KEYS {
        return Err(vec![("keys".into(), format!("at most {MAX_KEYS} keys, got {}", keys.len()))]);
    }
    let mut errors = Vec::new();
    let mut stored = Vec::new();
    let mut kids: Vec<&str> = Vec::new();
    for (index, jwk) in keys.iter().enumerate() {
        let field = |member: &str| format!("keys[{index}].{member}");
        let Some(jwk) = jwk.as_object() else {
            errors.push((format!("keys[{index}]"), "must be a JSON object".into()));
            continue;
        };
        if let Some(private) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(**m)) {
            errors.push((field(private), "is a private key member: register the public key only".into()));
            continue;
        }
        match check_key(jwk, now) {
            Ok(key) => {
                let kid = jwk.get("kid").and_then(Value::as_str).unwrap_or_default();
                if kids.contains(&kid) {
                    errors.push((field("kid"), format!("{kid:?} appears twice")));
                }
                kids.push(kid);
                stored.push(key);
            }
            Err((member, message)) => errors.push((field(member), message)),
        }
    }
    if errors.is_empty() {
        Ok(stored)
    } else {
        Err(errors)
    }
}

fn check_key(jwk: &Map<String, Value>, now: i64) -> Result<Value, (&'static str, String)> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    let kid = text("kid").ok_or(("kid", "is required".to_string()))?;
    let kid_ok = !kid.is_empty()
        && kid.len() <= 255
        && kid.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !kid_ok {
        return Err(("kid", "must be 1 to 255 of [A-Za-z0-9._-]".into()));
    }
    if text("kty") != Some("RSA") {
        return Err(("kty", "must be RSA".into()));
    }
    let alg = text("alg").unwrap_or("RS256");
    if !matches!(alg, "RS256" | "RS384" | "RS512") {
        return Err(("alg", "must be RS256, RS384 or RS512".into()));
    }
    if text("use").is_some_and(|u| u != "sig") {
        return Err(("use", "must be sig".into()));
    }
    RsaPublic::from_jwk(&Value::Object(jwk.clone())).map_err(|m| ("n", m))?;
    let exp = match jwk.get("exp") {
        None => now + MAX_KEY_LIFETIME,
        Some(value) => value.as_i64().ok_or(("exp", "must be a whole number of seconds since 1970".into()))?,
    };
    if exp <= now {
        return Err(("exp", "is in the past".into()));
    }
    if exp > now + MAX_KEY_LIFETIME + EXP_SLACK {
        return Err(("exp", "is more than a year ahead: registered keys live at most one year".into()));
    }
    let mut key = json!({"kty": "RSA", "kid": kid, "alg": alg, "use": "sig",
                         "n": jwk.get("n"), "e": jwk.get("e"), "exp": exp});
    if let Some(x5c) = jwk.get("x5c") {
        if !x5c.as_array().is_some_and(|certs| !certs.is_empty() && certs.iter().all(Value::is_string)) {
            return Err(("x5c", "must be a non-empty list of base64 certificates".into()));
        }
        key["x5c"] = x5c.clone();
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::b64url;

    const NOW: i64 = 1_767_225_600;

    fn jwk(kid: &str) -> Value {
        let mut n = vec![0xC5u8; 256];
        n[255] = 1;
        json!({"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": b64url(&n), "e": "AQAB"})
    }

    #[test]
    fn a_good_set_gets_a_year_by_default() {
        let stored = check_key_set(&json!({"keys": [jwk("a")]}), NOW).expect("valid");
        assert_eq!(stored[0]["exp"], NOW + MAX_KEY_LIFETIME);
    }

    #[test]
    fn bad_sets_name_the_field() {
        let first_field = |body: Value| check_key_set(&body, NOW).expect_err("refused")[0].0.clone();
        assert_eq!(first_field(json!({"keys": (0..6).map(|i| jwk(&format!("k{i}"))).collect::<Vec<_>>()})), "keys");
        let mut private = jwk("a");
        private["d"] = json!("c2VjcmV0");
        assert_eq!(first_field(json!({"keys": [private]})), "keys[0].d");
        assert_eq!(first_field(json!({"keys": [jwk("bad/kid")]})), "keys[0].kid");
        assert_eq!(first_field(json!({"keys": [jwk("a"), jwk("a")]})), "keys[1].kid");
        let mut late = jwk("a");
        late["exp"] = json!(NOW + 400 * 86_400);
        assert_eq!(first_field(json!({"keys": [late]})), "keys[0].exp");
        let mut short = jwk("a");
        short["n"] = json!(b64url(&[0xC5u8; 128]));
        assert_eq!(first_field(json!({"keys": [short]})), "keys[0].n");
        assert_eq!(first_field(json!({"keys": []})), "keys");
    }
}
