//! Tokens as stored in a shared store: sealed with AES-256-GCM, so that a dump of the store
//! alone yields no usable token.
//!
//! Layout: version byte `1`, a 12-byte random nonce (fresh for every write), then the
//! ciphertext and its 16-byte tag. The associated data is the entry's store key, so a sealed
//! token copied under another key does not open.

use super::StoreError;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use maskinporten::AccessToken;
use serde_json::{json, Value};

const VERSION: u8 = 1;
/// The AES-256 key's length in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// The sealing key (AES-256-GCM) and a random source for nonces.
pub(crate) struct Sealer {
    key: LessSafeKey,
    random: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(AES-256-GCM, key not shown)")
    }
}

impl Sealer {
    /// A sealer for a 32-byte key; `None` for any other length.
    pub(crate) fn new(key: &[u8]) -> Option<Sealer> {
        if key.len() != KEY_LEN {
            return None;
        }
        let key = UnboundKey::new(&AES_256_GCM, key).ok()?;
        Some(Sealer { key: LessSafeKey::new(key), random: SystemRandom::new() })
    }

    /// `token` sealed for the store entry `name`.
    pub(crate) fn seal(&self, name: &str, token: &AccessToken) -> Result<Vec<u8>, StoreError> {
        let plain = json!({
            "t": token.access_token(),
            "e": token.expires_in(),
            "i": token.issued_at(),
            "s": token.scope(),
        })
        .to_string();
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| StoreError::new("no random nonce: the system's random source failed"))?;
        let mut sealed = plain.into_bytes();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(name.as_bytes()), &mut sealed)
            .map_err(|_| StoreError::new("sealing a token failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The token sealed in `bytes` for the entry `name`. A wrong key, a damaged or moved entry
    /// is an error that says which, never a token.
    pub(crate) fn open(&self, name: &str, bytes: &[u8]) -> Result<AccessToken, StoreError> {
        let Some((&VERSION, rest)) = bytes.split_first() else {
            return Err(StoreError::new("a stored token has an unknown format (not written by this version)"));
        };
        if rest.len() < NONCE_LEN {
            return Err(StoreError::new("a stored token is truncated"));
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| StoreError::new("a stored token is truncated"))?;
        let mut sealed = sealed.to_vec();
        let plain = self.key.open_in_place(nonce, Aad::from(name.as_bytes()), &mut sealed).map_err(|_| {
            StoreError::new(
                "a stored token does not open: another encryption key wrote it (every replica needs the same \
                 store key), or the entry was altered",
            )
        })?;
        let value: Value =
            serde_json::from_slice(plain).map_err(|_| StoreError::new("a stored token's content is not valid"))?;
        let (Some(token), Some(expires_in), Some(issued_at)) =
            (value["t"].as_str(), value["e"].as_i64(), value["i"].as_i64())
        else {
            return Err(StoreError::new("a stored token's content is not valid"));
        };
        Ok(AccessToken::new(token, expires_in, value["s"].as_str().map(str::to_string), issued_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> AccessToken {
        AccessToken::new("eyJ.secret-token.sig", 120, Some("test:scope.read".into()), 1_767_225_600)
    }

    #[test]
    fn a_sealed_token_opens_with_its_key_and_name_only() {
        let sealer = Sealer::new(&[7u8; 32]).unwrap();
        let sealed = sealer.seal("mp:token:abc", &token()).unwrap();
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("secret-token"), "the token is not readable in the store");
        let opened = sealer.open("mp:token:abc", &sealed).unwrap();
        assert_eq!(opened, token());
        assert!(sealer.open("mp:token:other", &sealed).is_err(), "moved to another key");
        let other = Sealer::new(&[8u8; 32]).unwrap();
        let error = other.open("mp:token:abc", &sealed).unwrap_err();
        assert!(error.to_string().contains("another encryption key"), "{error}");
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(sealer.open("mp:token:abc", &flipped).is_err(), "altered");
        assert!(sealer.open("mp:token:abc", &sealed[..10]).is_err(), "truncated");
        assert!(sealer.open("mp:token:abc", b"").is_err(), "empty");
    }

    #[test]
    fn every_write_has_a_fresh_nonce() {
        let sealer = Sealer::new(&[7u8; 32]).unwrap();
        let (a, b) = (sealer.seal("k", &token()).unwrap(), sealer.seal("k", &token()).unwrap());
        assert_ne!(a[1..13], b[1..13]);
        assert_ne!(a, b);
    }

    #[test]
    fn only_32_byte_keys() {
        assert!(Sealer::new(&[0u8; 16]).is_none());
        assert!(Sealer::new(&[0u8; 33]).is_none());
        assert!(format!("{:?}", Sealer::new(&[1u8; 32]).unwrap()).contains("not shown"));
    }
}
