//! Private RSA JWK loading, for clients with a key registered in Maskinporten.

use super::rsa_der::{self, RsaComponents};
use super::validate_kid;
use crate::error::{Error, ErrorKind, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// The members of a private RSA JWK that carry key material.
const RSA_MEMBERS: [&str; 8] = ["n", "e", "d", "p", "q", "dp", "dq", "qi"];

/// The key as PKCS#8 and its `kid`.
pub(crate) fn load(json: &str) -> Result<(Zeroizing<Vec<u8>>, String)> {
    // Read as a plain JSON object: the generic object reader is already in every build (responses
    // use it), where a derived struct would add its own parser to the WebAssembly size.
    let jwk: Map<String, Value> = serde_json::from_slice(json.as_bytes()).map_err(|e| {
        Error::key(
            ErrorKind::InvalidKey,
            format!("the JWK is not a JSON object (line {}, column {})", e.line(), e.column()),
        )
    })?;
    // Every string member is moved into a wiping holder, so key text is wiped on drop on every
    // path below; other members are dropped here.
    let mut members: Vec<(String, Zeroizing<String>)> = jwk
        .into_iter()
        .filter_map(|(name, value)| match value {
            Value::String(text) => Some((name, Zeroizing::new(text))),
            _ => None,
        })
        .collect();
    let mut take = |wanted: &str| {
        let at = members.iter().position(|(name, _)| name == wanted)?;
        Some(members.swap_remove(at).1)
    };
    let [n, e, d, p, q, dp, dq, qi] = RSA_MEMBERS.map(&mut take);
    let (kty, kid) = (take("kty"), take("kid"));
    if kty.as_deref().map(String::as_str) != Some("RSA") {
        return Err(Error::key(
            ErrorKind::UnsupportedKey,
            "the JWK's kty is not \"RSA\": Maskinporten grants are signed with RSA keys",
        ));
    }
    let kid = validate_kid(kid.as_deref().ok_or_else(|| {
        Error::key(
            ErrorKind::InvalidKey,
            "the JWK has no \"kid\" string: Maskinporten finds a registered key by its kid, so add the kid you registered",
        )
    })?)?;
    let field = |name: &'static str, value: &Option<Zeroizing<String>>| -> Result<Zeroizing<Vec<u8>>> {
        let text = value.as_deref().ok_or_else(|| {
            Error::key(ErrorKind::InvalidKey, format!("the JWK has no \"{name}\" string: a private RSA JWK needs n, e, d, p, q, dp, dq and qi (export the private key, not the public one)"))
        })?;
        URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map(Zeroizing::new)
            .map_err(|_| Error::key(ErrorKind::InvalidKey, format!("the JWK member \"{name}\" is not base64url")))
    };
    let (n, e, d) = (field("n", &n)?, field("e", &e)?, field("d", &d)?);
    let (p, q) = (field("p", &p)?, field("q", &q)?);
    let (dp, dq, qi) = (field("dp", &dp)?, field("dq", &dq)?, field("qi", &qi)?);
    let pkcs8 =
        rsa_der::components_to_pkcs8(&RsaComponents { n: &n, e: &e, d: &d, p: &p, q: &q, dp: &dp, dq: &dq, qi: &qi })?;
    Ok((pkcs8, kid))
}
