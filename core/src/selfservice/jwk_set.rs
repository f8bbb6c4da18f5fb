//! The checks a key set passes before it is sent to `POST /clients/{id}/jwks`.

use crate::error::{Error, ErrorKind, Result};
use crate::key::validate_kid;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

/// The most keys a client may have registered at once.
pub const MAX_REGISTERED_KEYS: usize = 5;
/// Members that hold private key material: never sent.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
/// Members a registered public key may carry.
const PUBLIC_MEMBERS: [&str; 10] = ["kty", "kid", "alg", "use", "n", "e", "x5c", "exp", "x5t", "x5t#S256"];

/// Checks a key set for `POST /clients/{id}/jwks` and returns its keys as JSON objects: 1 to 5
/// keys, each an RSA signing key (`kty` RSA, `use` sig, `alg` RS256/RS384/RS512) of 2048 bits or
/// more with a valid, unique `kid`, `n` and `e`, and optionally `x5c` and `exp`; a private member
/// (`d`, `p`, `q`, ...) or an unknown member is refused without quoting its value.
pub fn check_public_key_set(public_jwks: &[String]) -> Result<Vec<Value>> {
    if public_jwks.is_empty() {
        return Err(refuse(
            "the key set is empty: the last key is removed with DELETE /clients/{id}/jwks, not by posting an empty set",
        ));
    }
    if public_jwks.len() > MAX_REGISTERED_KEYS {
        return Err(refuse(format!(
            "{} keys: a client may have at most {MAX_REGISTERED_KEYS} registered keys (the set is replaced whole: drop old keys first)",
            public_jwks.len()
        )));
    }
    let mut keys = Vec::with_capacity(public_jwks.len());
    let mut kids: Vec<String> = Vec::new();
    for (index, text) in public_jwks.iter().enumerate() {
        let jwk: Map<String, Value> =
            serde_json::from_str(text).map_err(|_| refuse(format!("key {} is not a JSON object", index + 1)))?;
        if let Some(private) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(**m)) {
            return Err(refuse(format!(
                "key {} has the private member \"{private}\": register the public key only (a private key never leaves your side)",
                index + 1
            )));
        }
        if let Some(unknown) = jwk.keys().find(|m| !PUBLIC_MEMBERS.contains(&m.as_str())) {
            return Err(refuse(format!(
                "key {} has the member {unknown:?}, which a registered public key does not carry (allowed: {})",
                index + 1,
                PUBLIC_MEMBERS.join(", ")
            )));
        }
        let text_member = |name: &str| jwk.get(name).and_then(Value::as_str);
        if text_member("kty") != Some("RSA") {
            return Err(refuse(format!("key {}: kty must be \"RSA\"", index + 1)));
        }
        if text_member("use") != Some("sig") {
            return Err(refuse(format!("key {}: use must be \"sig\"", index + 1)));
        }
        if !matches!(text_member("alg"), Some("RS256" | "RS384" | "RS512")) {
            return Err(refuse(format!("key {}: alg must be RS256, RS384 or RS512", index + 1)));
        }
        let kid = validate_kid(text_member("kid").unwrap_or(""))?;
        if kids.contains(&kid) {
            return Err(refuse(format!("the kid {kid:?} appears twice: each key needs its own kid")));
        }
        let modulus = text_member("n")
            .and_then(|n| URL_SAFE_NO_PAD.decode(n.trim_end_matches('=')).ok())
            .ok_or_else(|| refuse(format!("key {kid:?}: n is missing or not base64url")))?;
        let bits = modulus_bits(&modulus);
        if bits < 2048 {
            return Err(refuse(format!(
                "key {kid:?} is {bits} bits: registered keys must be RSA of 2048 bits or more"
            )));
        }
        let exponent_ok = text_member("e")
            .and_then(|e| URL_SAFE_NO_PAD.decode(e.trim_end_matches('=')).ok())
            .is_some_and(|e| e.iter().any(|b| *b != 0));
        if !exponent_ok {
            return Err(refuse(format!("key {kid:?}: e is missing or not base64url")));
        }
        if jwk.get("exp").is_some_and(|exp| !exp.is_i64()) {
            return Err(refuse(format!("key {kid:?}: exp must be a whole number of seconds since 1970")));
        }
        if jwk.get("x5c").is_some_and(|x5c| !x5c.as_array().is_some_and(|a| a.iter().all(Value::is_string))) {
            return Err(refuse(format!("key {kid:?}: x5c must be an array of base64 certificates")));
        }
        kids.push(kid);
        keys.push(Value::Object(jwk));
    }
    Ok(keys)
}

fn modulus_bits(n: &[u8]) -> usize {
    let n = crate::crypto::strip_zeros(n);
    match n.first() {
        Some(first) => n.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

fn refuse(message: impl Into<String>) -> Error {
    Error::invalid(ErrorKind::InvalidKeySet, "keys", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str, bytes: usize) -> String {
        let mut n = vec![0xC5u8; bytes];
        n[bytes - 1] = 1;
        serde_json::json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "e": "AQAB",
                           "n": URL_SAFE_NO_PAD.encode(&n), "exp": 1_800_000_000})
        .to_string()
    }

    #[test]
    fn a_good_set_passes() {
        assert_eq!(check_public_key_set(&[key("a", 256), key("b", 384)]).unwrap().len(), 2);
    }

    #[test]
    fn each_rule_refuses_with_a_reason() {
        let six: Vec<String> = (0..6).map(|i| key(&format!("k{i}"), 256)).collect();
        let cases = [
            (vec![], "empty"),
            (six, "at most 5"),
            (vec![key("a", 128)], "1024 bits"),
            (vec![key("a", 256), key("a", 256)], "twice"),
            (vec![key("bad/kid", 256)], "kid"),
            (vec![key("a", 256).replace("\"kty\":\"RSA\"", "\"kty\":\"EC\"")], "kty"),
            (vec![key("a", 256).replace("\"use\":\"sig\"", "\"use\":\"enc\"")], "use"),
            (vec![key("a", 256).replace("\"alg\":\"RS256\"", "\"alg\":\"PS256\"")], "alg"),
            (vec![key("a", 256).replace("\"exp\":1800000000", "\"exp\":\"soon\"")], "exp"),
            (vec!["[]".into()], "JSON object"),
        ];
        for (set, why) in cases {
            let error = check_public_key_set(&set).unwrap_err();
            assert!(error.to_string().contains(why), "{why}: {error}");
        }
    }

    #[test]
    fn private_members_are_refused_without_quoting_them() {
        let private = key("a", 256).replace("\"e\":\"AQAB\"", "\"e\":\"AQAB\",\"d\":\"c2VjcmV0LWV4cG9uZW50\"");
        let error = check_public_key_set(&[private]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidKeySet);
        assert!(error.to_string().contains("\"d\"") && !error.to_string().contains("c2VjcmV0"), "{error}");
    }
}
