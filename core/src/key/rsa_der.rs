//! Conversions between RSA key encodings, so every source ends as one PKCS#8 document.

use super::RsaPublic;
use crate::crypto::strip_zeros;
use crate::error::{Error, Result};
use der::asn1::{AnyRef, OctetStringRef};
use der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, PrivateKeyInfoRef};
use zeroize::Zeroizing;

const RSA_ENCRYPTION: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Wraps a PKCS#1 `RSAPrivateKey` in a PKCS#8 `PrivateKeyInfo`.
pub(crate) fn pkcs1_to_pkcs8(pkcs1: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    // Parse first so a non-RSA blob fails here with a clear message.
    pkcs1::RsaPrivateKeyRef::from_der(pkcs1).map_err(|_| bad_rsa("PKCS#1 RSA PRIVATE KEY"))?;
    let private_key = OctetStringRef::new(pkcs1).map_err(|_| bad_rsa("PKCS#1 RSA PRIVATE KEY"))?;
    let info = PrivateKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid: RSA_ENCRYPTION, parameters: Some(AnyRef::NULL) },
        private_key,
        public_key: None,
    };
    info.to_der().map(Zeroizing::new).map_err(|_| bad_rsa("PKCS#1 RSA PRIVATE KEY"))
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

pub(crate) fn components_to_pkcs8(c: &RsaComponents<'_>) -> Result<Zeroizing<Vec<u8>>> {
    fn uint(bytes: &[u8]) -> Result<pkcs1::UintRef<'_>> {
        pkcs1::UintRef::new(strip_zeros(bytes)).map_err(|_| bad_rsa("JWK"))
    }

    let key = pkcs1::RsaPrivateKeyRef {
        modulus: uint(c.n)?,
        public_exponent: uint(c.e)?,
        private_exponent: uint(c.d)?,
        prime1: uint(c.p)?,
        prime2: uint(c.q)?,
        exponent1: uint(c.dp)?,
        exponent2: uint(c.dq)?,
        coefficient: uint(c.qi)?,
        other_prime_infos: None,
    };
    let pkcs1 = Zeroizing::new(key.to_der().map_err(|_| bad_rsa("JWK"))?);
    pkcs1_to_pkcs8(&pkcs1)
}

/// Reads the public half of an RSA PKCS#8 key; other key types are refused.
pub(crate) fn public_from_pkcs8(pkcs8_der: &[u8]) -> Result<RsaPublic> {
    let info = PrivateKeyInfoRef::from_der(pkcs8_der).map_err(|_| bad_rsa("PKCS#8 PRIVATE KEY"))?;
    if info.algorithm.oid != RSA_ENCRYPTION {
        return Err(Error::key(
            "unsupported_key",
            format!(
                "the private key is not RSA (algorithm {}): Maskinporten grants are signed with RS256/RS384/RS512, so use the RSA key of the enterprise certificate",
                info.algorithm.oid
            ),
        ));
    }
    let key =
        pkcs1::RsaPrivateKeyRef::from_der(info.private_key.as_bytes()).map_err(|_| bad_rsa("PKCS#8 PRIVATE KEY"))?;
    Ok(RsaPublic {
        n: strip_zeros(key.modulus.as_bytes()).to_vec(),
        e: strip_zeros(key.public_exponent.as_bytes()).to_vec(),
    })
}

fn bad_rsa(what: &str) -> Error {
    Error::key(
        "invalid_key",
        format!("the {what} is not a well-formed RSA private key: check that the file is complete and unencrypted"),
    )
}
