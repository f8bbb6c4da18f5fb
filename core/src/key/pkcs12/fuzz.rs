//! The PKCS#12 KDF and CBC decryption, for the differential fuzz targets in `core/fuzz` (feature
//! `fuzzing`). The enums name the hash, purpose and cipher the internal generic code is called
//! with, since the internal types are private.

use super::{cbc, kdf};
use crate::crypto::Hash;

/// A hash the PKCS#12 KDF runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfHash {
    /// SHA-1 (legacy ciphers and most MACs).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// The KDF's diversifier ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfPurpose {
    /// 1: a cipher key.
    EncryptionKey,
    /// 2: an IV.
    Iv,
    /// 3: a MAC key.
    Mac,
}

/// `kdf::derive`: `len` bytes from a BMPString password (RFC 7292 appendix B.2).
pub fn pkcs12_kdf(
    hash: KdfHash,
    password: &[u8],
    salt: &[u8],
    purpose: KdfPurpose,
    iterations: u32,
    len: usize,
) -> Vec<u8> {
    let hash = match hash {
        KdfHash::Sha1 => Hash::Sha1,
        KdfHash::Sha256 => Hash::Sha256,
        KdfHash::Sha384 => Hash::Sha384,
        KdfHash::Sha512 => Hash::Sha512,
    };
    let purpose = match purpose {
        KdfPurpose::EncryptionKey => kdf::Purpose::EncryptionKey,
        KdfPurpose::Iv => kdf::Purpose::Iv,
        KdfPurpose::Mac => kdf::Purpose::Mac,
    };
    kdf::derive(hash, password, salt, purpose, iterations, len).to_vec()
}

/// A block cipher a PKCS#12 file may use in CBC mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CbcCipher {
    /// AES-128.
    Aes128,
    /// AES-192.
    Aes192,
    /// AES-256.
    Aes256,
    /// Three-key 3DES.
    TdesEde3,
    /// Two-key 3DES.
    TdesEde2,
    /// RC2 with the key's own length as its effective length.
    Rc2,
}

/// Why [`cbc_decrypt`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CbcFailure {
    /// The key or IV has the wrong length for the cipher.
    KeyOrIv,
    /// The ciphertext is not whole blocks or its padding is wrong.
    Padding,
}

/// `cbc::decrypt`: CBC decryption and PKCS#7 unpadding as the loader does it.
pub fn cbc_decrypt(cipher: CbcCipher, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CbcFailure> {
    let result = match cipher {
        CbcCipher::Aes128 => cbc::decrypt::<aes::Aes128>(key, iv, data),
        CbcCipher::Aes192 => cbc::decrypt::<aes::Aes192>(key, iv, data),
        CbcCipher::Aes256 => cbc::decrypt::<aes::Aes256>(key, iv, data),
        CbcCipher::TdesEde3 => cbc::decrypt::<des::TdesEde3>(key, iv, data),
        CbcCipher::TdesEde2 => cbc::decrypt::<des::TdesEde2>(key, iv, data),
        CbcCipher::Rc2 => cbc::decrypt::<rc2::Rc2>(key, iv, data),
    };
    result.map(|plain| plain.to_vec()).map_err(|error| match error {
        cbc::CbcError::KeyOrIv => CbcFailure::KeyOrIv,
        cbc::CbcError::Padding => CbcFailure::Padding,
    })
}
