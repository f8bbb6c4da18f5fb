//! The PKCS#12 key derivation function (RFC 7292 appendix B.2), over the crypto backend's hashes.
//!
//! Legacy ciphers (3DES, RC2) and every PKCS#12 MAC derive their keys with it. Checked against
//! the `pkcs12` crate's implementation in the tests below and end to end by the OpenSSL-written
//! fixtures in `core/tests/pkcs12.rs`.

use crate::crypto::Hash;
use zeroize::Zeroizing;

/// What the derived bytes are for (the "diversifier" ID).
#[derive(Debug, Clone, Copy)]
pub(super) enum Purpose {
    EncryptionKey = 1,
    Iv = 2,
    Mac = 3,
}

/// Derives `len` bytes from a BMPString password (UTF-16BE with its two NUL bytes, or empty).
///
/// Every value that depends on the password (`I`, each `A`, `B`, the output) lives in a buffer
/// wiped on drop and is overwritten in place, never left behind in a freed allocation. (The
/// backend's hashing state is its own; ring and AWS-LC keep it on the stack.)
pub(super) fn derive(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    purpose: Purpose,
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let v = hash.block_len();
    let u = hash.output_len();
    let diversifier = vec![purpose as u8; v];
    // I = S || P, each repeated to a multiple of v bytes (empty stays empty).
    let stretch = |input: &[u8]| -> Vec<u8> {
        let total = input.len().div_ceil(v) * v;
        input.iter().copied().cycle().take(total).collect()
    };
    let mut block_input = Zeroizing::new(stretch(salt));
    block_input.extend_from_slice(&Zeroizing::new(stretch(password)));

    let mut out = Zeroizing::new(Vec::with_capacity(len.div_ceil(u) * u));
    let mut a = Zeroizing::new(vec![0u8; u]);
    let mut next = Zeroizing::new(vec![0u8; u]);
    let mut b = Zeroizing::new(vec![0u8; v]);
    while out.len() < len {
        hash.digest_into(&[&diversifier, &block_input], &mut a);
        for _ in 1..iterations {
            hash.digest_into(&[&a], &mut next);
            std::mem::swap(&mut a, &mut next);
        }
        out.extend_from_slice(&a);
        if out.len() >= len {
            break;
        }
        // B = A repeated to v bytes; each v-byte block I_j of I becomes (I_j + B + 1) mod 2^(8v).
        for (byte, from) in b.iter_mut().zip(a.iter().cycle()) {
            *byte = *from;
        }
        for block in block_input.chunks_exact_mut(v) {
            let mut carry = 1u16;
            for (byte, add) in block.iter_mut().zip(b.iter()).rev() {
                let sum = u16::from(*byte) + u16::from(*add) + carry;
                *byte = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pkcs12::kdf::{derive_key, Pkcs12KeyType};

    fn bmp(password: &str) -> Vec<u8> {
        let mut out: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn matches_the_pkcs12_crate_for_every_hash_purpose_and_length() {
        let salt = [0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f];
        for password in [bmp("smeg"), bmp("fixture-pw"), bmp("æøå ÆØÅ"), Vec::new()] {
            for iterations in [1, 2, 1000] {
                for len in [5, 8, 16, 20, 24, 32, 48, 64, 100] {
                    let check = |hash: Hash, theirs: Vec<u8>, purpose: Purpose| {
                        let ours = derive(hash, &password, &salt, purpose, iterations, len);
                        assert_eq!(ours.as_slice(), theirs.as_slice(), "{hash:?} {purpose:?} {iterations} {len}");
                    };
                    let rounds = iterations as i32;
                    check(
                        Hash::Sha1,
                        derive_key::<sha1::Sha1>(&password, &salt, Pkcs12KeyType::EncryptionKey, rounds, len),
                        Purpose::EncryptionKey,
                    );
                    check(
                        Hash::Sha1,
                        derive_key::<sha1::Sha1>(&password, &salt, Pkcs12KeyType::Iv, rounds, len),
                        Purpose::Iv,
                    );
                    check(
                        Hash::Sha256,
                        derive_key::<sha2::Sha256>(&password, &salt, Pkcs12KeyType::Mac, rounds, len),
                        Purpose::Mac,
                    );
                    check(
                        Hash::Sha512,
                        derive_key::<sha2::Sha512>(&password, &salt, Pkcs12KeyType::Mac, rounds, len),
                        Purpose::Mac,
                    );
                }
            }
        }
    }
}
