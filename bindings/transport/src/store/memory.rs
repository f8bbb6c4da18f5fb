//! The in-memory store: one process, several providers.

use super::{random_owner, StoreError, StoreLock, TokenStore};
use crate::clock::BoxFuture;
use maskinporten::{AccessToken, CacheKey};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A [`TokenStore`] in this process's memory: providers in one process (several clients'
/// providers of one service, a provider rebuilt after a configuration change) share its tokens
/// and its fetch locks. It never fails. Expired entries are dropped as they are met and
/// whenever the store holds more than a thousand entries.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    tokens: HashMap<CacheKey, AccessToken>,
    locks: HashMap<CacheKey, (String, Instant)>,
}

/// Past this many entries, a write first drops the expired ones.
const PURGE_ABOVE: usize = 1_000;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Number of tokens held (expired ones included until purged).
    pub fn len(&self) -> usize {
        self.lock().tokens.len()
    }

    /// Whether no token is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No method panics under the lock; a poisoned map is still consistent.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl TokenStore for MemoryStore {
    fn get<'a>(&'a self, key: &'a CacheKey, now_ms: i64) -> BoxFuture<'a, Result<Option<AccessToken>, StoreError>> {
        let mut state = self.lock();
        let now_s = now_ms.div_euclid(1000);
        let found = match state.tokens.get(key) {
            Some(token) if token.is_expired(now_s) => {
                state.tokens.remove(key);
                None
            }
            other => other.cloned(),
        };
        Box::pin(std::future::ready(Ok(found)))
    }

    fn put<'a>(
        &'a self,
        key: &'a CacheKey,
        token: &'a AccessToken,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut state = self.lock();
        let now_s = now_ms.div_euclid(1000);
        if state.tokens.len() > PURGE_ABOVE {
            state.tokens.retain(|_, held| !held.is_expired(now_s));
            let now = Instant::now();
            state.locks.retain(|_, (_, until)| *until > now);
        }
        // A slower writer never replaces a token that lives longer.
        let keep = state.tokens.get(key).is_some_and(|held| held.expires_at() > token.expires_at());
        if !keep && !token.is_expired(now_s) {
            state.tokens.insert(key.clone(), token.clone());
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn try_lock<'a>(&'a self, key: &'a CacheKey, ttl_ms: u64) -> BoxFuture<'a, Result<Option<StoreLock>, StoreError>> {
        let mut state = self.lock();
        let now = Instant::now();
        let taken = state.locks.get(key).is_some_and(|(_, until)| *until > now);
        let lock = (!taken).then(|| {
            let owner = random_owner();
            state.locks.insert(key.clone(), (owner.clone(), now + Duration::from_millis(ttl_ms)));
            StoreLock::new(key.clone(), owner)
        });
        Box::pin(std::future::ready(Ok(lock)))
    }

    fn unlock(&self, lock: StoreLock) -> BoxFuture<'_, Result<(), StoreError>> {
        let mut state = self.lock();
        if state.locks.get(lock.key()).is_some_and(|(owner, _)| owner == lock.owner()) {
            state.locks.remove(lock.key());
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: i64 = 1_767_225_600_000;

    fn key(name: &str) -> CacheKey {
        CacheKey::from_string(name.to_string())
    }

    fn block<T>(future: BoxFuture<'_, T>) -> T {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
    }

    #[test]
    fn tokens_live_until_expiry_and_longer_lived_ones_win() {
        let store = MemoryStore::new();
        let (a, now_s) = (key("a"), NOW_MS / 1000);
        block(store.put(&a, &AccessToken::new("long", 120, None, now_s), NOW_MS)).unwrap();
        block(store.put(&a, &AccessToken::new("short", 60, None, now_s), NOW_MS)).unwrap();
        let held = block(store.get(&a, NOW_MS)).unwrap().expect("held");
        assert_eq!(held.access_token(), "long");
        assert!(block(store.get(&a, NOW_MS + 120_000)).unwrap().is_none(), "expired");
        assert!(store.is_empty(), "an expired entry is dropped when met");
        assert!(block(store.get(&key("b"), NOW_MS)).unwrap().is_none());
    }

    #[test]
    fn one_holder_per_lock_and_only_the_owner_releases() {
        let store = MemoryStore::new();
        let a = key("a");
        let first = block(store.try_lock(&a, 10_000)).unwrap().expect("free");
        assert!(block(store.try_lock(&a, 10_000)).unwrap().is_none(), "held");
        let stranger = StoreLock::new(a.clone(), "someone-else".into());
        block(store.unlock(stranger)).unwrap();
        assert!(block(store.try_lock(&a, 10_000)).unwrap().is_none(), "a stranger cannot release it");
        block(store.unlock(first)).unwrap();
        assert!(block(store.try_lock(&a, 10_000)).unwrap().is_some(), "released");
    }

    #[test]
    fn a_lock_runs_out() {
        let store = MemoryStore::new();
        let a = key("a");
        assert!(block(store.try_lock(&a, 0)).unwrap().is_some());
        assert!(block(store.try_lock(&a, 10_000)).unwrap().is_some(), "a zero-length lock has run out");
    }
}
