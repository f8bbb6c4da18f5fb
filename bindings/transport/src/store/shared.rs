//! What a provider with a store does around one fetch the flow asked for (see the module docs
//! of [`super`]): read the store, take the fetch lock or wait for its holder, write after.

use super::{StoreLock, TokenStore};
use crate::clock::Clock;
use maskinporten::{AccessToken, CacheKey};
use std::sync::Arc;
use std::time::Duration;

/// How often a replica waiting for another's fetch reads the store.
const POLL: Duration = Duration::from_millis(20);
/// The lock outlives its holder's attempt by this much, so a holder that ends on time releases it.
const LOCK_GRACE_MS: u64 = 1_000;

/// What to do with the request after the store was read.
pub(crate) enum Before {
    /// The flow took the store's token: do not send.
    Taken,
    /// Send the request (holding the lock when one could be taken).
    Send,
}

/// One call's dealings with the store across its attempts.
pub(crate) struct SharedFetch {
    store: Arc<dyn TokenStore>,
    key: CacheKey,
    lock: Option<StoreLock>,
    /// When this call last sent a request (Unix seconds): a token issued since then is new.
    sent_s: Option<i64>,
}

impl SharedFetch {
    pub(crate) fn new(store: Arc<dyn TokenStore>, key: CacheKey) -> SharedFetch {
        SharedFetch { store, key, lock: None, sent_s: None }
    }

    /// Before the send of an attempt ending at `timeout_at_ms`: offers the store's token to the
    /// flow (`offer` returns whether it was taken), else takes the lock, else waits for the
    /// holder's token or lock release, at most half the attempt's time. Any store failure means:
    /// send.
    pub(crate) async fn before_send(
        &mut self,
        clock: &dyn Clock,
        timeout_at_ms: i64,
        mut offer: impl FnMut(AccessToken, i64) -> bool,
    ) -> Before {
        self.release().await;
        let start = clock.now_ms();
        let window = timeout_at_ms.saturating_sub(start).max(0);
        let give_up_at = start.saturating_add(window / 2);
        let ttl_ms = u64::try_from(window).unwrap_or(0).saturating_add(LOCK_GRACE_MS);
        let before = loop {
            match self.offer_stored(clock, &mut offer).await {
                Some(true) => break Before::Taken,
                Some(false) => {}
                None => break Before::Send,
            }
            match self.store.try_lock(&self.key, ttl_ms).await {
                Ok(Some(lock)) => {
                    self.lock = Some(lock);
                    // The holder may have written and released between the read and the lock.
                    let taken = self.offer_stored(clock, &mut offer).await == Some(true);
                    break if taken { Before::Taken } else { Before::Send };
                }
                Ok(None) if clock.now_ms() < give_up_at => tokio::time::sleep(POLL).await,
                Ok(None) | Err(_) => break Before::Send,
            }
        };
        if matches!(before, Before::Taken) {
            // Another replica's token: nothing of this call's to write back.
            self.sent_s = None;
            self.release().await;
        } else {
            self.sent_s = Some(clock.now_ms().div_euclid(1000));
        }
        before
    }

    /// Ends the call: a token fetched by this call goes to the store, then the lock is released.
    pub(crate) async fn finish(&mut self, outcome: Option<&AccessToken>, now_ms: i64) {
        if let (Some(token), Some(sent_s)) = (outcome, self.sent_s) {
            // A refresh ahead that failed hands back the older token (issued before the send):
            // that one is not written again.
            if token.issued_at() >= sent_s {
                let _ = self.store.put(&self.key, token, now_ms).await;
            }
        }
        self.release().await;
    }

    /// Reads the store and offers what it holds: whether the flow took it, `None` when the
    /// store failed.
    async fn offer_stored(&self, clock: &dyn Clock, offer: &mut impl FnMut(AccessToken, i64) -> bool) -> Option<bool> {
        let now_ms = clock.now_ms();
        match self.store.get(&self.key, now_ms).await {
            Ok(Some(token)) => Some(offer(token, now_ms)),
            Ok(None) => Some(false),
            Err(_) => None,
        }
    }

    async fn release(&mut self) {
        if let Some(lock) = self.lock.take() {
            let _ = self.store.unlock(lock).await;
        }
    }
}
