//! The password-based parts of PKCS#12 (RFC 7292): the integrity MAC and the encryption of the
//! safe contents and shrouded keys, modern (PBES2: PBKDF2 + AES-CBC) and legacy (PKCS#12 PBE:
//! 3DES or RC2 with the SHA-1 PKCS#12 KDF, still common in files exported by Windows and old CAs).

use super::super::der_walk::{self, algorithm, children, is_oid, octets, small_uint};
use super::cbc::{self, CbcError};
use super::kdf::{self, Purpose};
use super::limits::Budget;
use crate::crypto::Hash;
use crate::error::{Error, ErrorKind, Result};
use aes::cipher::{BlockCipherDecrypt, KeyInit};
use der::asn1::ObjectIdentifier;
use der::{AnyRef, Tagged};
use std::num::NonZeroU32;
use zeroize::Zeroizing;

const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_2DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.4");
const PBE_SHA1_RC2_128: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.5");
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
const PBMAC1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.14");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
const HMAC_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.7");
const HMAC_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
const HMAC_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
const HMAC_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");
const AES128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
const AES192_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.22");
const AES256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
const DES_EDE3_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");

/// The password in the two encodings PKCS#12 uses: UTF-8 for PBES2, and for the MAC and the
/// legacy ciphers a NUL-terminated UTF-16BE string ("BMPString").
pub(super) struct Password<'a> {
    pub(super) utf8: &'a str,
    bmp: Zeroizing<Vec<u8>>,
}

impl<'a> Password<'a> {
    pub(super) fn new(utf8: &'a str) -> Password<'a> {
        let mut bmp = Zeroizing::new(Vec::with_capacity(utf8.len() * 2 + 2));
        for unit in utf8.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        Password { utf8, bmp }
    }

    /// OpenSSL writes files "without a password" with either an empty BMPString or none at all.
    fn without_terminator(&self) -> Option<Password<'a>> {
        (self.utf8.is_empty()).then(|| Password { utf8: self.utf8, bmp: Zeroizing::new(Vec::new()) })
    }
}

/// Checks the file's integrity MAC (`MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET
/// STRING, iterations INTEGER DEFAULT 1 }`); returns the password form that matched, since the
/// same form then decrypts the contents.
pub(super) fn verify_mac<'a>(
    mac_data: &AnyRef<'_>,
    password: Password<'a>,
    content: &[u8],
    budget: &mut Budget,
) -> Result<Password<'a>> {
    let fields = children(mac_data).ok_or_else(|| malformed("MAC"))?;
    let digest_info = fields.first().and_then(children).ok_or_else(|| malformed("MAC"))?;
    let (digest, _) = digest_info.first().and_then(algorithm).ok_or_else(|| malformed("MAC algorithm"))?;
    let expected = digest_info.get(1).and_then(octets).ok_or_else(|| malformed("MAC"))?;
    let salt = fields.get(1).and_then(octets).ok_or_else(|| malformed("MAC salt"))?;
    let iterations = match fields.get(2) {
        Some(count) => rounds(small_uint(count))?,
        None => 1,
    };
    if is_oid(&digest, &PBMAC1) {
        return Err(unsupported("its MAC is PBMAC1 (RFC 9579)"));
    }
    let hash = match der_walk::oid(&digest).ok_or_else(|| malformed("MAC algorithm"))? {
        SHA1 => Hash::Sha1,
        SHA256 => Hash::Sha256,
        SHA384 => Hash::Sha384,
        SHA512 => Hash::Sha512,
        other => return Err(unsupported(&format!("its MAC digest {other} is not SHA-1, SHA-256, SHA-384 or SHA-512"))),
    };
    let alternative = password.without_terminator();
    // Paid before deriving: once per password form tried.
    budget.spend(iterations.saturating_mul(1 + u64::from(alternative.is_some())))?;
    let rounds = u32::try_from(iterations).map_err(|_| malformed("MAC iteration count"))?;
    for candidate in std::iter::once(password).chain(alternative) {
        let key = kdf::derive(hash, &candidate.bmp, salt, Purpose::Mac, rounds, hash.output_len());
        if hash.hmac_verify(&key, content, expected) {
            return Ok(candidate);
        }
    }
    Err(Error::key(
        ErrorKind::WrongPassword,
        "the PKCS#12 password is wrong (the file's integrity check failed): check the password you were given with the certificate",
    ))
}

/// Decrypts an encrypted safe or shrouded key with the AlgorithmIdentifier found in the file,
/// spending its rounds from `budget` first.
pub(super) fn decrypt(
    algorithm_id: &AnyRef<'_>,
    data: &[u8],
    password: &Password<'_>,
    budget: &mut Budget,
) -> Result<Zeroizing<Vec<u8>>> {
    let (oid, parameters) = algorithm(algorithm_id).ok_or_else(|| malformed("encryption algorithm"))?;
    let parameters = parameters.ok_or_else(|| malformed("encryption parameters"))?;
    match der_walk::oid(&oid).ok_or_else(|| malformed("encryption algorithm"))? {
        PBES2 => pbes2(&parameters, data, password, budget),
        // The key derivation is shared; only the block decryption is per cipher.
        PBE_SHA1_3DES => {
            let (key, iv) = legacy(&parameters, password, 24, budget)?;
            cbc_decrypt::<des::TdesEde3>(&key, &iv, data)
        }
        PBE_SHA1_2DES => {
            let (key, iv) = legacy(&parameters, password, 16, budget)?;
            cbc_decrypt::<des::TdesEde2>(&key, &iv, data)
        }
        PBE_SHA1_RC2_128 | PBE_SHA1_RC2_40 => {
            let key_len = if der_walk::oid(&oid) == Some(PBE_SHA1_RC2_40) { 5 } else { 16 };
            let (key, iv) = legacy(&parameters, password, key_len, budget)?;
            cbc_decrypt::<rc2::Rc2>(&key, &iv, data)
        }
        other => Err(unsupported(&format!("its encryption algorithm {other} is not PBES2, 3DES or RC2"))),
    }
}

/// PBES2 (RFC 8018): `SEQUENCE { keyDerivationFunc, encryptionScheme }` with PBKDF2
/// (`SEQUENCE { salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 }`) and a CBC cipher.
fn pbes2(
    parameters: &AnyRef<'_>,
    data: &[u8],
    password: &Password<'_>,
    budget: &mut Budget,
) -> Result<Zeroizing<Vec<u8>>> {
    let fields = children(parameters).ok_or_else(|| malformed("PBES2 parameters"))?;
    let (kdf, kdf_parameters) = fields.first().and_then(algorithm).ok_or_else(|| malformed("PBES2 parameters"))?;
    if !is_oid(&kdf, &PBKDF2) {
        return Err(unsupported("it derives its key with something other than PBKDF2 (scrypt?)"));
    }
    let kdf_fields = kdf_parameters.as_ref().and_then(children).ok_or_else(|| malformed("PBKDF2 parameters"))?;
    let salt = kdf_fields.first().and_then(octets).ok_or_else(|| malformed("PBKDF2 salt"))?;
    let rounds = rounds(kdf_fields.get(1).and_then(small_uint))?;
    // keyLength is optional and implied by the cipher; the PRF is the SEQUENCE after it, if any.
    let prf = match kdf_fields.iter().skip(2).find(|f| f.tag() == der::Tag::Sequence) {
        Some(prf) => algorithm(prf).and_then(|(oid, _)| der_walk::oid(&oid)).ok_or_else(|| malformed("PBKDF2 PRF"))?,
        None => HMAC_SHA1,
    };
    let prf = match prf {
        HMAC_SHA1 => Hash::Sha1,
        HMAC_SHA256 => Hash::Sha256,
        HMAC_SHA384 => Hash::Sha384,
        HMAC_SHA512 => Hash::Sha512,
        other => {
            return Err(unsupported(&format!(
                "its PBKDF2 PRF {other} is not HMAC with SHA-1, SHA-256, SHA-384 or SHA-512"
            )))
        }
    };
    let (cipher, iv) = fields.get(1).and_then(algorithm).ok_or_else(|| malformed("PBES2 cipher"))?;
    let iv = iv.as_ref().and_then(octets).ok_or_else(|| malformed("PBES2 IV"))?;
    let cipher = der_walk::oid(&cipher).ok_or_else(|| malformed("PBES2 cipher"))?;
    let key_len = match cipher {
        AES128_CBC => 16,
        AES192_CBC | DES_EDE3_CBC => 24,
        AES256_CBC => 32,
        other => return Err(unsupported(&format!("its cipher {other} is not AES-CBC or 3DES-CBC"))),
    };
    budget.spend(rounds)?;
    let rounds = u32::try_from(rounds).ok().and_then(NonZeroU32::new).ok_or_else(|| malformed("iteration count"))?;
    let mut key = Zeroizing::new(vec![0u8; key_len]);
    prf.pbkdf2(rounds, salt, password.utf8.as_bytes(), &mut key);
    match cipher {
        AES128_CBC => cbc_decrypt::<aes::Aes128>(&key, iv, data),
        AES192_CBC => cbc_decrypt::<aes::Aes192>(&key, iv, data),
        AES256_CBC => cbc_decrypt::<aes::Aes256>(&key, iv, data),
        _ => cbc_decrypt::<des::TdesEde3>(&key, iv, data),
    }
}

/// Derived key material, wiped on drop.
type Secret = Zeroizing<Vec<u8>>;

/// PKCS#12 PBE (RFC 7292 appendix C): `SEQUENCE { salt OCTET STRING, iterations INTEGER }`, key and
/// IV from the SHA-1 PKCS#12 KDF over the BMPString password.
fn legacy(
    parameters: &AnyRef<'_>,
    password: &Password<'_>,
    key_len: usize,
    budget: &mut Budget,
) -> Result<(Secret, Secret)> {
    let fields = children(parameters).ok_or_else(|| malformed("PBE parameters"))?;
    let salt = fields.first().and_then(octets).ok_or_else(|| malformed("PBE salt"))?;
    let rounds = rounds(fields.get(1).and_then(small_uint))?;
    // Key and IV are two derivations.
    budget.spend(rounds.saturating_mul(2))?;
    let rounds = u32::try_from(rounds).map_err(|_| malformed("iteration count"))?;
    let key = kdf::derive(Hash::Sha1, &password.bmp, salt, Purpose::EncryptionKey, rounds, key_len);
    let iv = kdf::derive(Hash::Sha1, &password.bmp, salt, Purpose::Iv, rounds, 8);
    Ok((key, iv))
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>>
where
    C: BlockCipherDecrypt + KeyInit,
{
    cbc::decrypt::<C>(key, iv, data).map_err(|e| match e {
        CbcError::KeyOrIv => malformed("cipher key or IV"),
        CbcError::Padding => wrong_password(),
    })
}

/// An iteration count: 1 or more (the budget bounds it from above).
fn rounds(iterations: Option<u64>) -> Result<u64> {
    iterations.filter(|n| *n > 0).ok_or_else(|| malformed("iteration count"))
}

pub(super) fn wrong_password() -> Error {
    Error::key(ErrorKind::WrongPassword, "the PKCS#12 file could not be decrypted: the password is probably wrong")
}

fn unsupported(why: &str) -> Error {
    Error::key(
        ErrorKind::UnsupportedKey,
        format!("the PKCS#12 file cannot be read: {why}. Re-export it with `openssl pkcs12 -export` (AES-256, the OpenSSL 3 default)"),
    )
}

pub(super) fn malformed(what: &str) -> Error {
    Error::key(
        ErrorKind::InvalidKey,
        format!("the data is not a readable PKCS#12 file (its {what} is malformed): check that it is the .p12/.pfx file itself, not PEM or base64 text"),
    )
}
