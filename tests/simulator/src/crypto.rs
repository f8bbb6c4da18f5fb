//! Signature and certificate checks, done with AWS-LC and x509-parser (deliberately not the
//! core's code path, so the simulator catches the core's mistakes).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use x509_parser::prelude::{FromDer, X509Certificate};

/// JWS algorithms Maskinporten accepts for grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsAlg {
    Rs256,
    Rs384,
    Rs512,
}

impl RsAlg {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "RS256" => Some(RsAlg::Rs256),
            "RS384" => Some(RsAlg::Rs384),
            "RS512" => Some(RsAlg::Rs512),
            _ => None,
        }
    }
    fn verify_alg(self) -> &'static signature::RsaParameters {
        match self {
            RsAlg::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            RsAlg::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            RsAlg::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        }
    }
}

/// Strict base64url without padding (as JWS requires).
pub(crate) fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    if s.contains('=') {
        return None;
    }
    URL_SAFE_NO_PAD.decode(s).ok()
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard base64 with padding (as `x5c` requires).
pub(crate) fn b64std_decode(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

/// An RSA public key from a JWK's `n` and `e`.
#[derive(Clone, Debug)]
pub(crate) struct RsaPublic {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
}

impl RsaPublic {
    pub(crate) fn from_jwk(jwk: &serde_json::Value) -> Result<Self, String> {
        let kty = jwk.get("kty").and_then(|v| v.as_str()).unwrap_or("");
        if kty != "RSA" {
            return Err(format!("kty must be RSA, found {kty:?}"));
        }
        let n = jwk.get("n").and_then(|v| v.as_str()).and_then(b64url_decode).ok_or("n missing or not base64url")?;
        let e = jwk.get("e").and_then(|v| v.as_str()).and_then(b64url_decode).ok_or("e missing or not base64url")?;
        let n = strip_zeros(&n).to_vec();
        let e = strip_zeros(&e).to_vec();
        if n.len() < 256 {
            return Err("RSA keys must be at least 2048 bits".into());
        }
        if e.is_empty() {
            return Err("e is zero".into());
        }
        Ok(RsaPublic { n, e })
    }

    pub(crate) fn verify(&self, alg: RsAlg, msg: &[u8], sig: &[u8]) -> bool {
        RsaPublicKeyComponents { n: &self.n, e: &self.e }.verify(alg.verify_alg(), msg, sig).is_ok()
    }
}

/// Verifies a JWS signature with the RSA key in a certificate's SubjectPublicKeyInfo.
pub(crate) fn verify_with_cert(cert: &X509Certificate<'_>, alg: RsAlg, msg: &[u8], sig: &[u8]) -> bool {
    let spki = cert.public_key();
    if spki.algorithm.algorithm.to_id_string() != "1.2.840.113549.1.1.1" {
        return false;
    }
    UnparsedPublicKey::new(alg.verify_alg(), spki.subject_public_key.data.as_ref()).verify(msg, sig).is_ok()
}

/// Whether `child` is signed by `issuer`'s key and names it as issuer.
pub(crate) fn signed_by(child: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> bool {
    if child.issuer().as_raw() != issuer.subject().as_raw() {
        return false;
    }
    let oid = child.signature_algorithm.algorithm.to_id_string();
    let alg: &'static dyn signature::VerificationAlgorithm = match oid.as_str() {
        "1.2.840.113549.1.1.11" => &signature::RSA_PKCS1_2048_8192_SHA256,
        "1.2.840.113549.1.1.12" => &signature::RSA_PKCS1_2048_8192_SHA384,
        "1.2.840.113549.1.1.13" => &signature::RSA_PKCS1_2048_8192_SHA512,
        "1.2.840.10045.4.3.2" => &signature::ECDSA_P256_SHA256_ASN1,
        "1.2.840.10045.4.3.3" => &signature::ECDSA_P384_SHA384_ASN1,
        _ => return false,
    };
    let key = issuer.public_key().subject_public_key.data.as_ref();
    let tbs: &[u8] = child.tbs_certificate.as_ref();
    UnparsedPublicKey::new(alg, key).verify(tbs, child.signature_value.data.as_ref()).is_ok()
}

/// Parses one DER certificate, requiring no trailing bytes.
pub(crate) fn parse_cert(der: &[u8]) -> Option<X509Certificate<'_>> {
    match X509Certificate::from_der(der) {
        Ok((&[], cert)) => Some(cert),
        _ => None,
    }
}

/// Whether the certificate is a CA (basicConstraints cA = true).
pub(crate) fn is_ca(cert: &X509Certificate<'_>) -> bool {
    matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
}

/// `[not_before, not_after]` as Unix seconds.
pub(crate) fn validity(cert: &X509Certificate<'_>) -> (i64, i64) {
    (cert.validity().not_before.timestamp(), cert.validity().not_after.timestamp())
}

/// The organisation number in a Norwegian enterprise certificate's subject: `serialNumber`
/// (2.5.4.5) of 9 digits, or `organizationIdentifier` (2.5.4.97) `NTRNO-<9 digits>`.
pub(crate) fn org_number(cert: &X509Certificate<'_>) -> Option<String> {
    for attr in cert.subject().iter_attributes() {
        let oid = attr.attr_type().to_id_string();
        let Ok(value) = attr.as_str() else { continue };
        let candidate = match oid.as_str() {
            "2.5.4.5" => value,
            "2.5.4.97" => match value.strip_prefix("NTRNO-") {
                Some(v) => v,
                None => continue,
            },
            _ => continue,
        };
        if candidate.len() == 9 && candidate.bytes().all(|b| b.is_ascii_digit()) {
            return Some(candidate.to_string());
        }
    }
    None
}

/// PEM text to the DER of every `CERTIFICATE` block.
pub(crate) fn pem_certs(text: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let blocks = pem::parse_many(text).map_err(|e| format!("not PEM: {e}"))?;
    let certs: Vec<Vec<u8>> =
        blocks.into_iter().filter(|p| p.tag() == "CERTIFICATE").map(|p| p.into_contents()).collect();
    if certs.is_empty() {
        return Err("no CERTIFICATE block".into());
    }
    for der in &certs {
        if parse_cert(der).is_none() {
            return Err("a CERTIFICATE block is not a valid X.509 certificate".into());
        }
    }
    Ok(certs)
}

/// The RSA key that signs access tokens, with its public JWK.
pub(crate) struct TokenSigner {
    key: RsaKeyPair,
    pub kid: String,
    pub jwk: serde_json::Value,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl TokenSigner {
    pub(crate) fn generate() -> Result<Self, String> {
        let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).map_err(|_| "RSA key generation failed")?;
        Ok(Self::from_key(key))
    }

    pub(crate) fn from_pkcs8_pem(text: &[u8]) -> Result<Self, String> {
        let block = pem::parse(text).map_err(|e| format!("not PEM: {e}"))?;
        if block.tag() != "PRIVATE KEY" {
            return Err(format!("expected a PKCS#8 \"PRIVATE KEY\" PEM block, found {:?}", block.tag()));
        }
        let key = RsaKeyPair::from_pkcs8(block.contents()).map_err(|_| "not a valid RSA PKCS#8 key".to_string())?;
        Ok(Self::from_key(key))
    }

    fn from_key(key: RsaKeyPair) -> Self {
        let comps: RsaPublicKeyComponents<Vec<u8>> = key.public_key().into();
        let n = b64url(strip_zeros(&comps.n));
        let e = b64url(strip_zeros(&comps.e));
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, n.as_bytes());
        let kid = format!("sim-{}", &b64url(digest.as_ref())[..16]);
        let jwk = serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": n, "e": e});
        TokenSigner { key, kid, jwk }
    }

    /// The claims of `token` if it is an RS256 JWS with this key's `kid`, signed by this key.
    pub(crate) fn verify_jwt(&self, token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(sig), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return None;
        };
        let header: serde_json::Value = serde_json::from_slice(&b64url_decode(h)?).ok()?;
        if header.get("alg")?.as_str()? != "RS256" || header.get("kid")?.as_str()? != self.kid {
            return None;
        }
        let comps: RsaPublicKeyComponents<Vec<u8>> = self.key.public_key().into();
        let public = RsaPublic { n: strip_zeros(&comps.n).to_vec(), e: strip_zeros(&comps.e).to_vec() };
        if !public.verify(RsAlg::Rs256, format!("{h}.{c}").as_bytes(), &b64url_decode(sig)?) {
            return None;
        }
        match serde_json::from_slice(&b64url_decode(c)?).ok()? {
            serde_json::Value::Object(claims) => Some(claims),
            _ => None,
        }
    }

    /// Signs `header.claims` with RS256 and returns the compact JWS.
    pub(crate) fn sign_jwt(&self, claims: &serde_json::Value) -> Result<String, String> {
        let header = serde_json::json!({"kid": self.kid, "alg": "RS256", "typ": "JWT"});
        let input = format!("{}.{}", b64url(header.to_string().as_bytes()), b64url(claims.to_string().as_bytes()));
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut sig)
            .map_err(|_| "signing failed".to_string())?;
        Ok(format!("{input}.{}", b64url(&sig)))
    }
}

/// A 9-digit Norwegian organisation number with a valid modulus-11 check digit.
pub fn valid_org_number(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = W.iter().zip(b).map(|(w, d)| w * u32::from(d - b'0')).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == u32::from(b[8] - b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_numbers() {
        assert!(valid_org_number("311000004"));
        assert!(valid_org_number("312000008"));
        assert!(valid_org_number("313000001"));
        assert!(!valid_org_number("311000005"));
        assert!(!valid_org_number("31100000"));
        assert!(!valid_org_number("31100000a"));
    }

    #[test]
    fn base64_strictness() {
        assert!(b64url_decode("YWJj").is_some());
        assert!(b64url_decode("YWI=").is_none());
        assert!(b64url_decode("a+b/").is_none());
        assert!(b64std_decode("YWI=").is_some());
    }
}
