//! Recovering a private key from a JKS or JCEKS entry: `EncryptedPrivateKeyInfo ::= SEQUENCE {
//! AlgorithmIdentifier, OCTET STRING }` whose algorithm is one of Sun's two:
//!
//! - `1.3.6.1.4.1.42.2.17.1.1`, Sun's `KeyProtector` (every JKS file): `E = salt(20) || C ||
//!   check(20)`, keystream `d1 = SHA1(pw16 || salt)`, `di = SHA1(pw16 || d(i-1))`,
//!   `P = C XOR keystream`, and `SHA1(pw16 || P)` must equal `check`;
//! - `1.3.6.1.4.1.42.2.19.1`, `PBEWithMD5AndTripleDES` (JCEKS files): an 8-byte salt and an
//!   iteration count; each salt half is hashed `MD5(half || pw)` then `MD5(previous || pw)` for
//!   the remaining rounds, the two 16-byte results giving the 3DES key (24) and the IV (8).
//!
//! `pw16` is the password as Java's `char`s, UTF-16BE; the JCEKS cipher takes Java's `PBEKey`
//! encoding instead (printable ASCII, one byte a character). Every intermediate is zeroized.

use super::super::der_walk::{self, algorithm, children, octets};
use crate::crypto::{self, Hash};
use der::asn1::ObjectIdentifier;
use zeroize::Zeroizing;

const SUN_KEY_PROTECTOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.17.1.1");
const PBE_MD5_TRIPLE_DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.19.1");

const SALT_LEN: usize = 20;
const DIGEST_LEN: usize = 20;

/// Why a key entry could not be recovered.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Failure {
    /// The check failed or the padding is wrong: the key password is wrong.
    WrongPassword,
    /// The key password cannot be one Java accepted for this protection.
    #[cfg_attr(not(feature = "jceks"), allow(dead_code))]
    PasswordNotAscii,
    /// The protected key is not what Java writes.
    Malformed,
    /// Another protection algorithm than Sun's two.
    Unsupported,
    /// The iteration count is beyond what Java writes by far.
    #[cfg_attr(not(feature = "jceks"), allow(dead_code))]
    TooManyIterations,
    /// A JCEKS-protected key in a build without the `jceks` feature.
    #[cfg_attr(feature = "jceks", allow(dead_code))]
    JceksNotBuilt,
}

/// The password as Java's `char`s, UTF-16BE (a character outside the BMP is two units).
pub(super) fn utf16_be(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// SHA-1 of the concatenation of `parts`, through the crypto backend. One copy for the store's
/// digest and the key protector: inlined, the backend's hashing code was repeated at each use.
#[inline(never)]
pub(super) fn sha1(parts: &[&[u8]]) -> Vec<u8> {
    Hash::Sha1.digest(parts)
}

/// The PKCS#8 `PrivateKeyInfo` inside a protected key entry.
pub(super) fn recover(protected: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let info = der_walk::element(protected).as_ref().and_then(children).ok_or(Failure::Malformed)?;
    let (oid, parameters) = info.first().and_then(algorithm).ok_or(Failure::Malformed)?;
    let encrypted = info.get(1).and_then(octets).ok_or(Failure::Malformed)?;
    let plain = match der_walk::oid(&oid).ok_or(Failure::Malformed)? {
        SUN_KEY_PROTECTOR => sun_key_protector(encrypted, &utf16_be(password))?,
        PBE_MD5_TRIPLE_DES => super::jceks::decrypt(parameters.as_ref(), encrypted, password)?,
        _ => return Err(Failure::Unsupported),
    };
    // A wrong password that still passes (JCEKS padding, 1 in 256) decrypts to junk.
    if der_walk::element(&plain).as_ref().and_then(children).is_none() {
        return Err(Failure::WrongPassword);
    }
    Ok(plain)
}

/// Sun's `KeyProtector.recover`.
fn sun_key_protector(encrypted: &[u8], pw16: &[u8]) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if encrypted.len() < SALT_LEN + DIGEST_LEN {
        return Err(Failure::Malformed);
    }
    let (salt, rest) = encrypted.split_at(SALT_LEN);
    let (ciphertext, check) = rest.split_at(rest.len() - DIGEST_LEN);
    let mut plain = Zeroizing::new(ciphertext.to_vec());
    let mut digest = Zeroizing::new(salt.to_vec());
    for chunk in plain.chunks_mut(DIGEST_LEN) {
        let next = Zeroizing::new(sha1(&[pw16, &digest]));
        digest = next;
        for (byte, key) in chunk.iter_mut().zip(digest.iter()) {
            *byte ^= key;
        }
    }
    let computed = sha1(&[pw16, &plain]);
    if crypto::constant_time_eq(&computed, check) {
        Ok(plain)
    } else {
        Err(Failure::WrongPassword)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Tag;
    use der_walk::write;

    const PKCS8: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x00];

    /// Sun's `KeyProtector.protect`, written out from the format, for round trips.
    fn sun_protect(plain: &[u8], password: &str, salt: [u8; 20]) -> Vec<u8> {
        let pw16 = utf16_be(password);
        let mut out = salt.to_vec();
        let mut digest = salt.to_vec();
        for chunk in plain.chunks(20) {
            digest = Hash::Sha1.digest(&[&pw16, &digest]);
            out.extend(chunk.iter().zip(&digest).map(|(p, k)| p ^ k));
        }
        out.extend(Hash::Sha1.digest(&[&pw16, plain]));
        out
    }

    fn encrypted_private_key_info(oid: &ObjectIdentifier, parameters: &[u8], data: &[u8]) -> Vec<u8> {
        let oid = write(Tag::ObjectIdentifier, oid.as_bytes()).unwrap();
        let algorithm = der_walk::write_sequence(&[&oid, parameters]).unwrap();
        let data = write(Tag::OctetString, data).unwrap();
        der_walk::write_sequence(&[&algorithm, &data]).unwrap().to_vec()
    }

    #[test]
    fn sun_key_protector_round_trips_and_checks_the_password() {
        let null = write(Tag::Null, &[]).unwrap();
        // 5 bytes and 45 bytes: one partial block, then several with a partial last one.
        for plain in [PKCS8.to_vec(), [&[0x30, 43, 0x04, 41][..], &[0x5a; 41]].concat()] {
            for password in ["changeit", "pæsswørd€", "key \u{1F511}", ""] {
                let protected = sun_protect(&plain, password, [7; 20]);
                let der = encrypted_private_key_info(&SUN_KEY_PROTECTOR, &null, &protected);
                assert_eq!(recover(&der, password).unwrap().as_slice(), plain.as_slice(), "{password:?}");
                assert_eq!(recover(&der, "wrong").unwrap_err(), Failure::WrongPassword);
            }
        }
    }

    #[test]
    fn a_non_bmp_character_is_two_utf16_units() {
        assert_eq!(utf16_be("€").as_slice(), &[0x20, 0xAC]);
        assert_eq!(utf16_be("\u{1F511}").as_slice(), &[0xD8, 0x3D, 0xDD, 0x11]);
        // Not one zero byte before each UTF-8 byte (the `jks` crate's mistake).
        assert_eq!(utf16_be("æ").as_slice(), &[0x00, 0xE6]);
    }

    #[test]
    fn short_or_foreign_protection_is_a_typed_failure() {
        let null = write(Tag::Null, &[]).unwrap();
        let der = encrypted_private_key_info(&SUN_KEY_PROTECTOR, &null, &[0; 39]);
        assert_eq!(recover(&der, "x").unwrap_err(), Failure::Malformed);
        let other = ObjectIdentifier::new_unwrap("1.2.3.4");
        let der = encrypted_private_key_info(&other, &null, &[0; 64]);
        assert_eq!(recover(&der, "x").unwrap_err(), Failure::Unsupported);
        assert_eq!(recover(&[0x30, 0x00], "x").unwrap_err(), Failure::Malformed);
        assert_eq!(recover(&[], "x").unwrap_err(), Failure::Malformed);
    }
}
