//! The cache key of a token: what the token flow ([`crate::TokenFlow`]) caches tokens by.

use crate::crypto;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Identifies one kind of token (see [`crate::Client::cache_key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey(String);

impl CacheKey {
    pub(crate) fn from_material(material: &[u8]) -> CacheKey {
        CacheKey(URL_SAFE_NO_PAD.encode(crypto::sha256(material)))
    }

    /// The key as text (base64url of a SHA-256 digest), for hosts that index by string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A short label for logs and events (the start of the digest): names the key without
    /// making it guessable.
    pub fn label(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }

    /// Rebuilds a key from [`CacheKey::as_str`] (for bindings that pass keys as strings).
    pub fn from_string(key: String) -> CacheKey {
        CacheKey(key)
    }
}
