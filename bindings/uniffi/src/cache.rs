//! The core's sans-IO token cache behind a mutex.

use crate::token::AccessToken;
use std::sync::{Arc, Mutex, MutexGuard};

/// The right to fetch a token for one key; give it back with `complete` or `fail`.
#[derive(Debug, uniffi::Object)]
pub struct FetchTicket(Mutex<Option<maskinporten::FetchTicket>>);

#[uniffi::export]
impl FetchTicket {
    /// The cache key this ticket fetches for.
    pub fn key(&self) -> String {
        lock(&self.0).as_ref().map(|t| t.key().as_str().to_string()).unwrap_or_default()
    }
}

/// What to do, from `TokenCache.lookup`.
#[derive(uniffi::Enum)]
pub enum CacheLookup {
    /// Use this token.
    Hit { token: Arc<AccessToken> },
    /// You fetch, then `complete` or `fail` the ticket; `current` is still valid meanwhile.
    Fetch { ticket: Arc<FetchTicket>, current: Option<Arc<AccessToken>> },
    /// Another caller is fetching and nothing valid is held: wait (at most until `until`, Unix
    /// seconds) and look up again.
    Wait { until: i64 },
}

/// Token cache with single-flight refresh: exactly one caller per key gets a ticket to fetch.
/// Thread-safe (an internal mutex; no call blocks on I/O).
#[derive(uniffi::Object)]
pub struct TokenCache(Mutex<maskinporten::TokenCache>);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic cannot happen while the lock is held (the core's cache does not panic), but a
    // poisoned lock must not turn into a panic across the FFI boundary either.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[uniffi::export]
impl TokenCache {
    /// Refresh `refresh_skew` seconds before expiry (at most half the lifetime; default 30), and
    /// let another caller take over a fetch after `fetch_lease` seconds (default 30).
    #[uniffi::constructor(default(refresh_skew = None, fetch_lease = None))]
    pub fn new(refresh_skew: Option<i64>, fetch_lease: Option<i64>) -> Arc<TokenCache> {
        let mut cache = maskinporten::TokenCache::new();
        if let Some(s) = refresh_skew {
            cache = cache.with_refresh_skew(s);
        }
        if let Some(l) = fetch_lease {
            cache = cache.with_fetch_lease(l);
        }
        Arc::new(TokenCache(Mutex::new(cache)))
    }

    /// What to do for `key` (from `Client.cacheKey`) at `now`.
    pub fn lookup(&self, key: String, now: i64) -> CacheLookup {
        let key = maskinporten::CacheKey::from_string(key);
        match lock(&self.0).lookup(&key, now) {
            maskinporten::CacheLookup::Hit(token) => CacheLookup::Hit { token: Arc::new(AccessToken(token)) },
            maskinporten::CacheLookup::Fetch { ticket, current } => CacheLookup::Fetch {
                ticket: Arc::new(FetchTicket(Mutex::new(Some(ticket)))),
                current: current.map(|t| Arc::new(AccessToken(t))),
            },
            maskinporten::CacheLookup::Wait { until } => CacheLookup::Wait { until },
        }
    }

    /// Stores the fetched token and ends the fetch. A ticket is used once; later calls do nothing.
    pub fn complete(&self, ticket: Arc<FetchTicket>, token: Arc<AccessToken>, now: i64) {
        if let Some(ticket) = lock(&ticket.0).take() {
            lock(&self.0).complete(ticket, token.0.clone(), now);
        }
    }

    /// Ends a failed fetch so the next caller may try at once.
    pub fn fail(&self, ticket: Arc<FetchTicket>) {
        if let Some(ticket) = lock(&ticket.0).take() {
            lock(&self.0).fail(ticket);
        }
    }

    /// Forgets the token for `key` (for example after the API answered 401).
    pub fn invalidate(&self, key: String) {
        lock(&self.0).invalidate(&maskinporten::CacheKey::from_string(key));
    }

    /// Drops expired tokens with no fetch in flight.
    pub fn purge_expired(&self, now: i64) {
        lock(&self.0).purge_expired(now);
    }

    /// Number of keys held.
    pub fn size(&self) -> u64 {
        lock(&self.0).len() as u64
    }
}
