//! Token stores: where a [`crate::TokenProvider`] looks before it fetches, and writes after, so
//! that several providers (replicas of one service, several processes) fetch one token per
//! lifetime between them.
//!
//! The core's [`maskinporten::TokenFlow`] keeps deciding everything: when a token is served
//! from the provider's own cache, when a fetch is due, retries, refresh ahead of expiry. A store
//! only changes what a fetch the flow asked for ([`maskinporten::TokenStep::Send`]) does:
//! 1. read the store: a token another process fetched is offered to the flow
//!    ([`maskinporten::TokenFlow::handle_shared_token`]), which takes it only when it is fresh
//!    by its own rule; no request is sent;
//! 2. else take the store's short fetch lock for the key: whoever holds it sends the request;
//!    the others poll the store until the holder writes the token, the lock goes away (they
//!    take it), or half their attempt's time has passed (they send anyway);
//! 3. after a fetched token arrives, write it to the store (until it expires), then release
//!    the lock.
//!
//! A store that fails (Redis down) never fails a caller: each step above falls back to the
//! provider fetching for itself, as without a store. [`TokenStore::available`] says so.

mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod seal;
pub(crate) mod shared;

pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::{RedisStore, RedisStoreOptions};

use crate::clock::BoxFuture;
use maskinporten::{AccessToken, CacheKey};
use std::fmt;

/// A place several token providers share: tokens by cache key, and a short per-key lock that
/// makes one of them fetch while the others wait. Implementations: [`MemoryStore`] (one
/// process), [`RedisStore`] (feature `redis`: replicas on Redis or Valkey).
///
/// Every method may fail with a [`StoreError`]; the provider then acts as if it had no store.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The token kept under `key`, if any and not expired at `now_ms` (Unix milliseconds).
    fn get<'a>(&'a self, key: &'a CacheKey, now_ms: i64) -> BoxFuture<'a, Result<Option<AccessToken>, StoreError>>;

    /// Keeps `token` under `key` until it expires.
    fn put<'a>(
        &'a self,
        key: &'a CacheKey,
        token: &'a AccessToken,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Takes the fetch lock of `key` for `ttl_ms` if nobody holds it: `Some` when taken.
    fn try_lock<'a>(&'a self, key: &'a CacheKey, ttl_ms: u64) -> BoxFuture<'a, Result<Option<StoreLock>, StoreError>>;

    /// Releases `lock` if it is still this holder's (a lock that ran out and was taken by
    /// another is left alone).
    fn unlock(&self, lock: StoreLock) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Whether the last operation reached the store (false: providers fetch for themselves).
    fn available(&self) -> bool {
        true
    }

    /// `memory`, `redis`: for logs and metrics.
    fn kind(&self) -> &'static str;
}

/// A fetch lock held in a [`TokenStore`]: its key and the random owner value that proves it is
/// this holder's.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreLock {
    key: CacheKey,
    owner: String,
}

impl StoreLock {
    /// A lock on `key` owned by `owner` (a random value, unique to this holder).
    pub fn new(key: CacheKey, owner: String) -> StoreLock {
        StoreLock { key, owner }
    }

    /// The cache key it locks.
    pub fn key(&self) -> &CacheKey {
        &self.key
    }

    /// The owner value.
    pub fn owner(&self) -> &str {
        &self.owner
    }
}

impl fmt::Debug for StoreLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreLock").field("key", &self.key.label()).finish_non_exhaustive()
    }
}

/// A store operation that did not work (unreachable, timed out, a damaged entry). Holds no
/// token, key or password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// An error saying `message` (no secrets in it).
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError { message: message.into() }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// A random value for a lock's owner: 128 bits, hex.
pub(crate) fn random_owner() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}
