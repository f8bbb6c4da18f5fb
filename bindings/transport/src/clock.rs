//! Time for the flows: the clock they read and the sleep they ask for, injectable for tests.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A boxed, sendable future: what the injectable [`Clock`], [`crate::Transport`] and
/// [`crate::Signer`] return, so they can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The time the flows run on: `now_ms` is handed to the core at every step, and `sleep_until`
/// carries out the core's back-off ([`maskinporten::TokenStep::Sleep`]).
///
/// The default is [`SystemClock`]. A test clock makes the flows deterministic: for example a
/// clock whose `sleep_until` records the pause and moves its time forward without waiting (see
/// `tests/flows.rs`). Waiting for *another caller's* fetch
/// ([`maskinporten::TokenStep::Wait`]) is not a sleep: it ends when that fetch ends, with
/// tokio's timer as the upper bound (`until_ms - now_ms` of this clock), so a test clock's
/// sleeps are only the core's back-offs.
pub trait Clock: Send + Sync {
    /// Now, in Unix milliseconds.
    fn now_ms(&self) -> i64;

    /// Resolves at `until_ms` (Unix milliseconds) on this clock.
    fn sleep_until(&self, until_ms: i64) -> BoxFuture<'_, ()>;
}

/// The system clock and tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            // A clock before 1970 gives 0, which the core refuses as `invalid_now`.
            .unwrap_or(0)
    }

    fn sleep_until(&self, until_ms: i64) -> BoxFuture<'_, ()> {
        let pause = duration_until(until_ms, self.now_ms());
        Box::pin(tokio::time::sleep(pause))
    }
}

/// The time from `now_ms` to `until_ms`, zero when it has passed.
pub(crate) fn duration_until(until_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(until_ms.saturating_sub(now_ms)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_never_go_negative() {
        assert_eq!(duration_until(1_500, 1_000), Duration::from_millis(500));
        assert_eq!(duration_until(1_000, 1_500), Duration::ZERO);
        assert_eq!(duration_until(i64::MIN, i64::MAX), Duration::ZERO);
    }

    #[test]
    fn system_clock_is_unix_milliseconds() {
        let now = SystemClock.now_ms();
        assert!(now > 1_700_000_000_000 && now < 10_000_000_000_000, "{now}");
    }
}
