//! The issuer's JWKS, parsed once into RSA public keys by `kid`.

use crate::algorithm::Algorithm;
use crate::crypto::{strip_zeros, RsaVerifier};
use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashMap;
use std::sync::Arc;

/// One verification key.
#[derive(Debug)]
pub(crate) struct VerificationKey {
    /// The RSA key, parsed once for the backend.
    pub rsa: RsaVerifier,
    /// The `alg` the JWK pins, if any: a token naming another alg is refused.
    pub alg: Option<Algorithm>,
}

/// Keys by `kid`. Keys that are not RSA signing keys are skipped, not errors: issuers publish
/// encryption keys and other types beside their signing keys.
pub(crate) fn parse(body: &[u8]) -> Result<HashMap<String, Arc<VerificationKey>>> {
    // serde_json's message can quote a string of the body: say where, and quote by the snippet rules.
    let set: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("the JWKS is not a JSON object ({})", crate::snippet::json_error(&e)), body))?;
    let Some(serde_json::Value::Array(set)) = set.get("keys") else {
        return Err(malformed("the JWKS has no \"keys\" array".into(), body));
    };
    let mut keys = HashMap::new();
    for jwk in set {
        let text = |name: &str| jwk.get(name).and_then(|v| v.as_str());
        if text("kty") != Some("RSA") || text("use").is_some_and(|u| u != "sig") {
            continue;
        }
        let (Some(kid), Some(n), Some(e)) = (text("kid"), text("n"), text("e")) else { continue };
        let (Ok(n), Ok(e)) =
            (URL_SAFE_NO_PAD.decode(n.trim_end_matches('=')), URL_SAFE_NO_PAD.decode(e.trim_end_matches('=')))
        else {
            continue;
        };
        let alg = match text("alg") {
            Some(name) => match name.parse::<Algorithm>() {
                Ok(alg) => Some(alg),
                Err(_) => continue, // a key pinned to an algorithm we do not allow can verify nothing
            },
            None => None,
        };
        let key = VerificationKey { rsa: RsaVerifier::new(strip_zeros(&n), strip_zeros(&e)), alg };
        keys.insert(kid.to_string(), Arc::new(key));
    }
    if keys.is_empty() {
        return Err(malformed("the JWKS holds no RSA signing key with a kid".into(), body));
    }
    Ok(keys)
}

fn malformed(message: String, body: &[u8]) -> Error {
    Error::MalformedResponse { status: 200, message, snippet: crate::snippet::snippet(body) }
}
