//! Token caching decisions, sans-IO, with single-flight refresh.
//!
//! The cache holds no lock and no clock: hosts keep it behind their own mutex and pass `now`.
//! [`TokenCache::lookup`] says what to do: use a token, fetch one (exactly one caller per key gets
//! a [`FetchTicket`] at a time), or wait for the caller who is fetching. While a still-valid token
//! is being refreshed, other callers keep using it.

use crate::crypto;
use crate::response::AccessToken;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashMap;

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

/// The right to fetch a token for one key; hand it back with [`TokenCache::complete`] or
/// [`TokenCache::fail`].
#[derive(Debug, PartialEq, Eq)]
#[must_use = "give the ticket back with complete() or fail(), or other callers wait until the lease ends"]
pub struct FetchTicket {
    key: CacheKey,
    generation: u64,
}

impl FetchTicket {
    /// The key this ticket fetches for.
    pub fn key(&self) -> &CacheKey {
        &self.key
    }
}

/// What the caller should do, from [`TokenCache::lookup`].
#[derive(Debug)]
pub enum CacheLookup {
    /// Use this token.
    Hit(AccessToken),
    /// Fetch a new token and give the ticket back. `current` is a still-valid token to use in
    /// the meantime (refresh ahead of expiry), or `None` when there is none.
    Fetch {
        /// The right to fetch.
        ticket: FetchTicket,
        /// A token that is still valid, if any.
        current: Option<AccessToken>,
    },
    /// Another caller is fetching and no valid token exists: wait (for a notification from
    /// your host, or until `until`) and look up again.
    Wait {
        /// When the other caller's lease ends (Unix seconds); after it, a lookup hands out a new ticket.
        until: i64,
    },
}

#[derive(Default)]
struct Entry {
    token: Option<AccessToken>,
    fetch: Option<(u64, i64)>, // (generation, lease end)
}

/// Token cache with single-flight refresh. Defaults: refresh 30 s before expiry (at most half
/// the lifetime), and a fetch lease of 30 s after which a stalled fetch is taken over.
///
/// ```
/// use maskinporten::{AccessToken, CacheLookup, TokenCache};
/// # let key = maskinporten::CacheKey::from_string("k".into());
/// let mut cache = TokenCache::new();
/// let CacheLookup::Fetch { ticket, current: None } = cache.lookup(&key, 1000) else { panic!() };
/// assert!(matches!(cache.lookup(&key, 1000), CacheLookup::Wait { .. })); // one fetch in flight
/// cache.complete(ticket, AccessToken::new("t", 120, None, 1000), 1000);
/// assert!(matches!(cache.lookup(&key, 1001), CacheLookup::Hit(_)));
/// ```
pub struct TokenCache {
    entries: HashMap<CacheKey, Entry>,
    refresh_skew: i64,
    fetch_lease: i64,
    generation: u64,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new()
    }
}

impl TokenCache {
    /// An empty cache with the default skew (30 s) and lease (30 s).
    pub fn new() -> TokenCache {
        TokenCache { entries: HashMap::new(), refresh_skew: 30, fetch_lease: 30, generation: 0 }
    }

    /// Refresh this many seconds before expiry (capped at half the token's lifetime).
    pub fn with_refresh_skew(mut self, seconds: i64) -> TokenCache {
        self.refresh_skew = seconds.max(0);
        self
    }

    /// How long one caller may fetch before another may take over.
    pub fn with_fetch_lease(mut self, seconds: i64) -> TokenCache {
        self.fetch_lease = seconds.max(1);
        self
    }

    /// What to do for `key` at `now`.
    pub fn lookup(&mut self, key: &CacheKey, now: i64) -> CacheLookup {
        if let Some(entry) = self.entries.get(key) {
            if let Some(token) = &entry.token {
                if token.is_fresh(now, self.refresh_skew) {
                    return CacheLookup::Hit(token.clone());
                }
            }
        }
        self.slow_lookup(key, now)
    }

    fn slow_lookup(&mut self, key: &CacheKey, now: i64) -> CacheLookup {
        let lease_end = now.saturating_add(self.fetch_lease);
        self.generation += 1;
        let generation = self.generation;
        let entry = self.entries.entry(key.clone()).or_default();
        let valid = entry.token.as_ref().filter(|t| !t.is_expired(now)).cloned();
        let fetching = entry.fetch.filter(|&(_, until)| until > now);
        match (valid, fetching) {
            (Some(token), Some(_)) => CacheLookup::Hit(token),
            (None, Some((_, until))) => CacheLookup::Wait { until },
            (current, None) => {
                entry.fetch = Some((generation, lease_end));
                CacheLookup::Fetch { ticket: FetchTicket { key: key.clone(), generation }, current }
            }
        }
    }

    /// Stores the fetched token and ends the fetch. A token that expires before the one held is
    /// ignored (a late, slow fetch does not replace a newer token).
    pub fn complete(&mut self, ticket: FetchTicket, token: AccessToken, now: i64) {
        let entry = self.entries.entry(ticket.key).or_default();
        if entry.fetch.is_some_and(|(generation, _)| generation == ticket.generation) {
            entry.fetch = None;
        }
        let newer = entry.token.as_ref().is_none_or(|held| token.expires_at() >= held.expires_at());
        if newer && !token.is_expired(now) {
            entry.token = Some(token);
        }
    }

    /// Ends a fetch that failed, so the next caller may try at once.
    pub fn fail(&mut self, ticket: FetchTicket) {
        if let Some(entry) = self.entries.get_mut(&ticket.key) {
            if entry.fetch.is_some_and(|(generation, _)| generation == ticket.generation) {
                entry.fetch = None;
            }
        }
    }

    /// Forgets the token for `key` (for example after the API answered 401).
    pub fn invalidate(&mut self, key: &CacheKey) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.token = None;
        }
    }

    /// Forgets the token for `key` only if it is `rejected_access_token` (the one an API just
    /// answered 401 to): when many callers see the same 401, the first one's refetch is not
    /// thrown away by the others. Returns whether a token was dropped.
    pub fn invalidate_token(&mut self, key: &CacheKey, rejected_access_token: &str) -> bool {
        match self.entries.get_mut(key) {
            Some(entry) if entry.token.as_ref().is_some_and(|t| t.access_token() == rejected_access_token) => {
                entry.token = None;
                true
            }
            _ => false,
        }
    }

    /// Drops expired tokens with no fetch in flight, to bound memory in long-lived hosts.
    pub fn purge_expired(&mut self, now: i64) {
        self.entries.retain(|_, e| e.fetch.is_some() || e.token.as_ref().is_some_and(|t| !t.is_expired(now)));
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CacheKey {
        CacheKey::from_material(b"k")
    }

    fn fetch(cache: &mut TokenCache, now: i64) -> (FetchTicket, Option<AccessToken>) {
        match cache.lookup(&key(), now) {
            CacheLookup::Fetch { ticket, current } => (ticket, current),
            other => panic!("expected Fetch, got {other:?}"),
        }
    }

    #[test]
    fn one_fetch_at_a_time_then_hits() {
        let mut cache = TokenCache::new();
        let (ticket, current) = fetch(&mut cache, 1000);
        assert!(current.is_none());
        assert!(matches!(cache.lookup(&key(), 1000), CacheLookup::Wait { until: 1030 }));
        cache.complete(ticket, AccessToken::new("a", 120, None, 1000), 1000);
        assert!(matches!(cache.lookup(&key(), 1089), CacheLookup::Hit(_)));
    }

    #[test]
    fn refresh_ahead_keeps_serving_the_valid_token() {
        let mut cache = TokenCache::new();
        let (ticket, _) = fetch(&mut cache, 1000);
        cache.complete(ticket, AccessToken::new("a", 120, None, 1000), 1000);
        let (refresh, current) = fetch(&mut cache, 1095);
        assert_eq!(current.map(|t| t.access_token().to_string()).as_deref(), Some("a"));
        assert!(matches!(cache.lookup(&key(), 1096), CacheLookup::Hit(_)), "others keep the old token");
        cache.complete(refresh, AccessToken::new("b", 120, None, 1096), 1096);
        match cache.lookup(&key(), 1097) {
            CacheLookup::Hit(token) => assert_eq!(token.access_token(), "b"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn failed_or_stalled_fetch_is_taken_over() {
        let mut cache = TokenCache::new().with_fetch_lease(10);
        let (ticket, _) = fetch(&mut cache, 1000);
        cache.fail(ticket);
        let (_stalled, _) = fetch(&mut cache, 1001);
        assert!(matches!(cache.lookup(&key(), 1005), CacheLookup::Wait { .. }));
        let _ = fetch(&mut cache, 1011);
    }

    #[test]
    fn invalidate_token_drops_only_the_rejected_one() {
        let mut cache = TokenCache::new();
        let (ticket, _) = fetch(&mut cache, 1000);
        cache.complete(ticket, AccessToken::new("new", 120, None, 1000), 1000);
        assert!(!cache.invalidate_token(&key(), "old"), "a stale 401 keeps the new token");
        assert!(matches!(cache.lookup(&key(), 1001), CacheLookup::Hit(_)));
        assert!(cache.invalidate_token(&key(), "new"));
        let _ = fetch(&mut cache, 1002);
    }

    #[test]
    fn invalidate_forces_fetch() {
        let mut cache = TokenCache::new();
        let (ticket, _) = fetch(&mut cache, 1000);
        cache.complete(ticket, AccessToken::new("a", 120, None, 1000), 1000);
        cache.invalidate(&key());
        let _ = fetch(&mut cache, 1001);
    }
}
