//! The one seam between the crate and its RSA backend.
//!
//! `ring` is the portable default (it builds for wasm32); `aws-lc-rs` is the opt-in native-speed
//! backend and wins when both features are on. Signing goes straight to the backend with a key
//! pair parsed once: `jsonwebtoken` 11 re-parses its key on every `encode` and wants a
//! process-wide crypto provider, which a library must not install behind its host's back.

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, Result};

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs as backend;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use ring as backend;

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
compile_error!("maskinporten needs a signing backend: enable the `ring` (default) or `aws-lc-rs` feature");

use backend::rand::SystemRandom;
use backend::signature::{self, RsaKeyPair};

/// The name of the compiled-in backend, for diagnostics and benchmarks.
pub const BACKEND: &str = if cfg!(feature = "aws-lc-rs") { "aws-lc-rs" } else { "ring" };

/// An RSA private key, parsed once into the backend's form.
pub(crate) struct SigningKey {
    pair: RsaKeyPair,
    rng: SystemRandom,
}

impl SigningKey {
    /// Parses a PKCS#8 `PrivateKeyInfo` holding an RSA key.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<SigningKey> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| {
            Error::key(
                ErrorKind::InvalidKey,
                format!("the RSA private key was rejected by the crypto backend ({e}): Maskinporten needs an RSA key of 2048 to 8192 bits"),
            )
        })?;
        Ok(SigningKey { pair, rng: SystemRandom::new() })
    }

    /// Length of a signature (= modulus) in bytes.
    pub(crate) fn signature_len(&self) -> usize {
        modulus_len(&self.pair)
    }

    /// RSASSA-PKCS1-v1_5 signature over `message` (deterministic).
    pub(crate) fn sign(&self, algorithm: Algorithm, message: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0; self.signature_len()];
        self.pair
            .sign(padding(algorithm), &self.rng, message, &mut signature)
            .map_err(|_| Error::key(ErrorKind::InvalidKey, "the crypto backend could not sign with this key"))?;
        Ok(signature)
    }
}

#[cfg(feature = "aws-lc-rs")]
fn modulus_len(pair: &RsaKeyPair) -> usize {
    pair.public_modulus_len()
}

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
fn modulus_len(pair: &RsaKeyPair) -> usize {
    pair.public().modulus_len()
}

fn padding(algorithm: Algorithm) -> &'static dyn signature::RsaEncoding {
    match algorithm {
        Algorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
        Algorithm::Rs384 => &signature::RSA_PKCS1_SHA384,
        Algorithm::Rs512 => &signature::RSA_PKCS1_SHA512,
    }
}

/// Verifies an RSASSA-PKCS1-v1_5 signature with a public key given as modulus and exponent
/// (big-endian). Used to check externally produced signatures and by the token validator.
pub(crate) fn verify(algorithm: Algorithm, n: &[u8], e: &[u8], message: &[u8], sig: &[u8]) -> bool {
    signature::RsaPublicKeyComponents { n, e }.verify(verify_params(algorithm), message, sig).is_ok()
}

fn verify_params(algorithm: Algorithm) -> &'static signature::RsaParameters {
    match algorithm {
        Algorithm::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
    }
}

/// An RSA public key that verifies many signatures (the validator's JWKS keys). Under aws-lc-rs
/// it is parsed once per algorithm, so the backend keeps the key and its Montgomery constants
/// between verifications (about 2 of the 21 µs of an RS256 verify, measured); ring parses the
/// key on every verification whatever the caller keeps, so under ring it is the plain key.
pub(crate) struct RsaVerifier {
    n: Vec<u8>,
    e: Vec<u8>,
    #[cfg(feature = "aws-lc-rs")]
    parsed: [Option<signature::ParsedPublicKey>; 3],
}

impl RsaVerifier {
    /// The key with modulus `n` and exponent `e` (big-endian). A key the backend refuses to
    /// parse is kept as is: each verification then fails as it did before.
    pub(crate) fn new(n: &[u8], e: &[u8]) -> RsaVerifier {
        RsaVerifier {
            #[cfg(feature = "aws-lc-rs")]
            parsed: [Algorithm::Rs256, Algorithm::Rs384, Algorithm::Rs512].map(|algorithm| {
                signature::RsaPublicKeyComponents { n, e }.to_parsed_public_key(verify_params(algorithm)).ok()
            }),
            n: n.to_vec(),
            e: e.to_vec(),
        }
    }

    /// The modulus, big-endian.
    #[cfg_attr(not(feature = "platform-crypto"), allow(dead_code))]
    pub(crate) fn n(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent, big-endian.
    #[cfg_attr(not(feature = "platform-crypto"), allow(dead_code))]
    pub(crate) fn e(&self) -> &[u8] {
        &self.e
    }

    /// Whether `sig` is this key's RSASSA-PKCS1-v1_5 signature of `message` under `algorithm`.
    pub(crate) fn verify(&self, algorithm: Algorithm, message: &[u8], sig: &[u8]) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        {
            let index = match algorithm {
                Algorithm::Rs256 => 0,
                Algorithm::Rs384 => 1,
                Algorithm::Rs512 => 2,
            };
            if let Some(parsed) = &self.parsed[index] {
                return parsed.verify_sig(message, sig).is_ok();
            }
        }
        verify(algorithm, &self.n, &self.e, message, sig)
    }
}

impl std::fmt::Debug for RsaVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaVerifier").field("modulus_bits", &(self.n.len() * 8)).finish_non_exhaustive()
    }
}

/// Big-endian integer bytes without leading zeros (DER and JWK encodings differ on them).
pub(crate) fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Whether `a` and `b` are equal, in a time that depends on their lengths only (for password
/// checks: how far two digests agree must not show in the timing).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// SHA-256 digest, used for key fingerprints and cache keys.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(backend::digest::digest(&backend::digest::SHA256, data).as_ref());
    out
}

/// The hash functions PKCS#12 files use for their MAC and key derivation. Going through the
/// backend (a value, not a type parameter) keeps one copy of each hash and of HMAC and PBKDF2
/// in the binary instead of one per algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest_algorithm(self) -> &'static backend::digest::Algorithm {
        match self {
            Hash::Sha1 => &backend::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &backend::digest::SHA256,
            Hash::Sha384 => &backend::digest::SHA384,
            Hash::Sha512 => &backend::digest::SHA512,
        }
    }

    /// Output length in bytes.
    pub(crate) fn output_len(self) -> usize {
        self.digest_algorithm().output_len()
    }

    /// Input block length in bytes (the PKCS#12 KDF's `v / 8`).
    pub(crate) fn block_len(self) -> usize {
        self.digest_algorithm().block_len()
    }

    /// The digest of the concatenation of `parts`, written into `out` (`output_len` bytes), so
    /// a caller deriving keys keeps every intermediate value in buffers it wipes.
    pub(crate) fn digest_into(self, parts: &[&[u8]], out: &mut [u8]) {
        let mut context = backend::digest::Context::new(self.digest_algorithm());
        for part in parts {
            context.update(part);
        }
        out.copy_from_slice(context.finish().as_ref());
    }

    /// The digest of the concatenation of `parts`, as a new buffer (callers holding secrets wrap
    /// it in `Zeroizing` or use [`Hash::digest_into`]).
    pub(crate) fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        let mut out = vec![0; self.output_len()];
        self.digest_into(parts, &mut out);
        out
    }

    /// Constant-time check of an HMAC tag.
    pub(crate) fn hmac_verify(self, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        let algorithm = match self {
            Hash::Sha1 => backend::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => backend::hmac::HMAC_SHA256,
            Hash::Sha384 => backend::hmac::HMAC_SHA384,
            Hash::Sha512 => backend::hmac::HMAC_SHA512,
        };
        backend::hmac::verify(&backend::hmac::Key::new(algorithm, key), data, tag).is_ok()
    }

    /// PBKDF2 with HMAC over this hash, filling `out`.
    pub(crate) fn pbkdf2(self, iterations: std::num::NonZeroU32, salt: &[u8], secret: &[u8], out: &mut [u8]) {
        let algorithm = match self {
            Hash::Sha1 => backend::pbkdf2::PBKDF2_HMAC_SHA1,
            Hash::Sha256 => backend::pbkdf2::PBKDF2_HMAC_SHA256,
            Hash::Sha384 => backend::pbkdf2::PBKDF2_HMAC_SHA384,
            Hash::Sha512 => backend::pbkdf2::PBKDF2_HMAC_SHA512,
        };
        backend::pbkdf2::derive(algorithm, iterations, salt, secret, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    #[test]
    fn constant_time_eq_compares_whole_slices() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"xbc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn a_verifier_parsed_once_agrees_with_the_plain_verify() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/");
        let jwk_text = std::fs::read_to_string(format!("{dir}client.jwk.json")).unwrap();
        let key = crate::Key::from_jwk(&jwk_text).unwrap();
        let jwk: serde_json::Value = serde_json::from_str(&jwk_text).unwrap();
        let part = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
        let (n, e) = (part("n"), part("e"));
        let verifier = RsaVerifier::new(strip_zeros(&n), strip_zeros(&e));
        for algorithm in [Algorithm::Rs256, Algorithm::Rs384, Algorithm::Rs512] {
            let signature = key.signing_key().unwrap().sign(algorithm, b"message").unwrap();
            assert!(verifier.verify(algorithm, b"message", &signature), "{algorithm:?}");
            assert!(verify(algorithm, &n, &e, b"message", &signature));
            assert!(!verifier.verify(algorithm, b"massage", &signature), "{algorithm:?}: another message");
            let other = if algorithm == Algorithm::Rs256 { Algorithm::Rs512 } else { Algorithm::Rs256 };
            assert!(!verifier.verify(other, b"message", &signature), "{algorithm:?}: another hash");
        }
        let broken = RsaVerifier::new(&[0], &e);
        assert!(!broken.verify(Algorithm::Rs256, b"message", &[0; 256]), "an unusable key verifies nothing");
        assert!(!format!("{verifier:?}").contains(&jwk["n"].as_str().unwrap()[..16]));
    }
}
