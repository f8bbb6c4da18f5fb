//! Conversions between RSA key encodings, so every source ends as one PKCS#8 document.
//!
//! `RSAPrivateKey` (PKCS#1, RFC 8017 A.1.2) and `PrivateKeyInfo` (PKCS#8, RFC 5208) are read and
//! written through `der_walk` (see there for why not the derived `pkcs1`/`pkcs8` types).

use super::der_walk::{self, children, unsigned_integer};
use super::RsaPublic;
use crate::error::{Error, ErrorKind, Result};
use der::asn1::ObjectIdentifier;
use der::Tag;
use zeroize::Zeroizing;

pub(crate) const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Wraps a PKCS#1 `RSAPrivateKey` in a PKCS#8 `PrivateKeyInfo`.
pub(crate) fn pkcs1_to_pkcs8(pkcs1: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    // Parse first so a non-RSA blob fails here with a clear message.
    public_from_pkcs1(pkcs1).ok_or_else(|| bad_rsa("PKCS#1 RSA PRIVATE KEY"))?;
    wrap_pkcs8(pkcs1).ok_or_else(|| bad_rsa("PKCS#1 RSA PRIVATE KEY"))
}

/// `PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier { rsaEncryption, NULL }, privateKey OCTET STRING }`
fn wrap_pkcs8(pkcs1: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let algorithm = der_walk::write_sequence(&[
        &der_walk::write(Tag::ObjectIdentifier, RSA_ENCRYPTION.as_bytes())?,
        &der_walk::write(Tag::Null, &[])?,
    ])?;
    der_walk::write_sequence(&[
        &der_walk::write(Tag::Integer, &[0])?,
        &algorithm,
        &der_walk::write(Tag::OctetString, pkcs1)?,
    ])
}

/// Builds a PKCS#8 document from JWK components (big-endian integers).
pub(crate) struct RsaComponents<'a> {
    pub n: &'a [u8],
    pub e: &'a [u8],
    pub d: &'a [u8],
    pub p: &'a [u8],
    pub q: &'a [u8],
    pub dp: &'a [u8],
    pub dq: &'a [u8],
    pub qi: &'a [u8],
}

/// `RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dp, dq, qi }`, then wrapped in PKCS#8.
pub(crate) fn components_to_pkcs8(c: &RsaComponents<'_>) -> Result<Zeroizing<Vec<u8>>> {
    let encode = || -> Option<Zeroizing<Vec<u8>>> {
        let fields = [&[][..], c.n, c.e, c.d, c.p, c.q, c.dp, c.dq, c.qi]
            .iter()
            .map(|magnitude| der_walk::write_unsigned_integer(magnitude))
            .collect::<Option<Vec<_>>>()?;
        let refs: Vec<&[u8]> = fields.iter().map(|f| f.as_slice()).collect();
        wrap_pkcs8(&der_walk::write_sequence(&refs)?)
    };
    encode().ok_or_else(|| bad_rsa("JWK"))
}

/// Reads the public half of an RSA PKCS#8 key; other key types are refused.
pub(crate) fn public_from_pkcs8(pkcs8_der: &[u8]) -> Result<RsaPublic> {
    let bad = || bad_rsa("PKCS#8 PRIVATE KEY");
    let info = der_walk::element(pkcs8_der).as_ref().and_then(children).ok_or_else(bad)?;
    let (algorithm, _) = info.get(1).and_then(der_walk::algorithm).ok_or_else(bad)?;
    if !der_walk::is_oid(&algorithm, &RSA_ENCRYPTION) {
        let name = der_walk::oid(&algorithm).map_or_else(|| "unknown".to_string(), |oid| oid.to_string());
        return Err(Error::key(
            ErrorKind::UnsupportedKey,
            format!(
                "the private key is not RSA (algorithm {name}): Maskinporten grants are signed with RS256/RS384/RS512, so use the RSA key of the enterprise certificate"
            ),
        ));
    }
    let private_key = info.get(2).and_then(der_walk::octets).ok_or_else(bad)?;
    public_from_pkcs1(private_key).ok_or_else(bad)
}

/// The modulus and exponent of a complete two-prime `RSAPrivateKey`.
fn public_from_pkcs1(pkcs1: &[u8]) -> Option<RsaPublic> {
    let fields = der_walk::element(pkcs1).as_ref().and_then(children)?;
    let integers: Vec<&[u8]> = fields.iter().take(9).map(unsigned_integer).collect::<Option<_>>()?;
    (integers.len() == 9 && integers[0].is_empty())
        .then(|| RsaPublic { n: integers[1].to_vec(), e: integers[2].to_vec() })
}

/// The eight integers `n e d p q dp dq qi` of an RSA PKCS#8 key (big-endian, no leading zeros),
/// borrowed from `pkcs8_der`.
pub(crate) fn components_from_pkcs8(pkcs8_der: &[u8]) -> Option<[&[u8]; 8]> {
    let info = der_walk::element(pkcs8_der).as_ref().and_then(children)?;
    let (algorithm, _) = info.get(1).and_then(der_walk::algorithm)?;
    if !der_walk::is_oid(&algorithm, &RSA_ENCRYPTION) {
        return None;
    }
    let pkcs1 = info.get(2).and_then(der_walk::octets)?;
    let fields = der_walk::element(pkcs1).as_ref().and_then(children)?;
    let integers: Vec<&[u8]> = fields.iter().take(9).map(unsigned_integer).collect::<Option<_>>()?;
    match integers.as_slice() {
        [[], n, e, d, p, q, dp, dq, qi] => Some([n, e, d, p, q, dp, dq, qi]),
        _ => None,
    }
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`
pub(crate) fn public_from_pkcs1_public(der: &[u8]) -> Option<RsaPublic> {
    let fields = der_walk::element(der).as_ref().and_then(children)?;
    let [n, e] = fields.as_slice() else { return None };
    Some(RsaPublic { n: unsigned_integer(n)?.to_vec(), e: unsigned_integer(e)?.to_vec() })
}

fn bad_rsa(what: &str) -> Error {
    Error::key(
        ErrorKind::InvalidKey,
        format!("the {what} is not a well-formed RSA private key: check that the file is complete and unencrypted"),
    )
}
