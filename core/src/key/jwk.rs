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

/// The private JWK of an RSA PKCS#8 key, written straight into wiping memory (no JSON value
/// tree, whose strings would not be wiped). `None` when the document is not an RSA key.
pub(crate) fn export(pkcs8_der: &[u8], kid: Option<&str>) -> Option<Zeroizing<String>> {
    let components = rsa_der::components_from_pkcs8(pkcs8_der)?;
    let encoded: usize = components.iter().map(|c| c.len() * 4 / 3 + 4).sum();
    // Reserved up front: a reallocation would leave an unwiped copy behind.
    let mut out = Zeroizing::new(String::with_capacity(encoded + 160 + kid.map_or(0, str::len)));
    out.push_str("{\"kty\":\"RSA\",");
    if let Some(kid) = kid {
        // A kid is [A-Za-z0-9._-]+ (validate_kid), so it needs no JSON escaping.
        out.push_str("\"kid\":\"");
        out.push_str(kid);
        out.push_str("\",");
    }
    out.push_str("\"alg\":\"RS256\",\"use\":\"sig\"");
    for (name, value) in RSA_MEMBERS.iter().zip(components) {
        out.push_str(",\"");
        out.push_str(name);
        out.push_str("\":\"");
        URL_SAFE_NO_PAD.encode_string(value, &mut out);
        out.push('"');
    }
    out.push('}');
    Some(out)
}

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

#[cfg(test)]
mod tests {
    use crate::Key;

    fn vector_jwk() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/client.jwk.json");
        std::fs::read_to_string(path).expect("vector JWK")
    }

    #[test]
    fn the_private_jwk_reads_back_as_the_same_key() {
        let original: serde_json::Value = serde_json::from_str(&vector_jwk()).expect("JSON");
        let key = Key::from_jwk(&vector_jwk()).expect("key");
        let exported = key.private_jwk().expect("a key held here");
        let written: serde_json::Value = serde_json::from_str(&exported).expect("the export is JSON");
        for member in ["kid", "n", "e", "d", "p", "q", "dp", "dq", "qi"] {
            assert_eq!(written[member], original[member], "{member}");
        }
        assert_eq!((written["kty"].as_str(), written["alg"].as_str()), (Some("RSA"), Some("RS256")));
        let again = Key::from_jwk(&exported).expect("reads back");
        assert_eq!((again.fingerprint(), again.kid()), (key.fingerprint(), key.kid()));
    }

    #[test]
    fn without_a_kid_or_a_private_half() {
        let pem = Key::from_jwk(&vector_jwk()).expect("key").private_key_pkcs8_der().expect("pkcs8");
        let body = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &*pem);
        let lines: Vec<&str> = body.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).expect("ascii")).collect();
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"));
        let unnamed = Key::from_pem(&pem, None).expect("pem");
        let written: serde_json::Value = serde_json::from_str(&unnamed.private_jwk().expect("jwk")).expect("JSON");
        assert!(written.get("kid").is_none() && written.get("d").is_some());
        let external = Key::from_external(None, Some("k1")).expect("external");
        assert!(external.private_jwk().is_none());
    }
}
