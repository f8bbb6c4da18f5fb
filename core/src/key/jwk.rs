//! Private RSA JWK loading, for clients with a key registered in Maskinporten.

use super::rsa_der::{self, RsaComponents};
use super::validate_kid;
use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
struct PrivateJwk {
    kty: Option<String>,
    kid: Option<String>,
    n: Option<String>,
    e: Option<String>,
    d: Option<String>,
    p: Option<String>,
    q: Option<String>,
    dp: Option<String>,
    dq: Option<String>,
    qi: Option<String>,
}

/// The key as PKCS#8 and its `kid`.
pub(crate) fn load(json: &str) -> Result<(Zeroizing<Vec<u8>>, String)> {
    let jwk: PrivateJwk = serde_json::from_slice(json.as_bytes()).map_err(|e| {
        Error::key(
            "invalid_key",
            format!("the JWK is not a JSON object with string members (line {}, column {})", e.line(), e.column()),
        )
    })?;
    if jwk.kty.as_deref() != Some("RSA") {
        return Err(Error::key(
            "unsupported_key",
            "the JWK's kty is not \"RSA\": Maskinporten grants are signed with RSA keys",
        ));
    }
    let kid = validate_kid(jwk.kid.as_deref().ok_or_else(|| {
        Error::key(
            "invalid_key",
            "the JWK has no \"kid\": Maskinporten finds a registered key by its kid, so add the kid you registered",
        )
    })?)?;
    let field = |name: &'static str, value: &Option<String>| -> Result<Zeroizing<Vec<u8>>> {
        let text = value.as_deref().ok_or_else(|| {
            Error::key("invalid_key", format!("the JWK has no \"{name}\": a private RSA JWK needs n, e, d, p, q, dp, dq and qi (export the private key, not the public one)"))
        })?;
        URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map(Zeroizing::new)
            .map_err(|_| Error::key("invalid_key", format!("the JWK member \"{name}\" is not base64url")))
    };
    let (n, e, d) = (field("n", &jwk.n)?, field("e", &jwk.e)?, field("d", &jwk.d)?);
    let (p, q) = (field("p", &jwk.p)?, field("q", &jwk.q)?);
    let (dp, dq, qi) = (field("dp", &jwk.dp)?, field("dq", &jwk.dq)?, field("qi", &jwk.qi)?);
    let pkcs8 =
        rsa_der::components_to_pkcs8(&RsaComponents { n: &n, e: &e, d: &d, p: &p, q: &q, dp: &dp, dq: &dq, qi: &qi })?;
    Ok((pkcs8, kid))
}
