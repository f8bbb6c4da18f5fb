//! How often and how long to try: exponential backoff with jitter inside a total deadline.

use std::time::Duration;

/// Retry settings for token requests. Only errors the core marks retryable
/// ([`maskinporten::Error::is_retryable`]) are retried; an OAuth refusal (MP-nnn) never is.
///
/// Defaults: 4 attempts, first pause 200 ms doubling up to 2 s (each pause drawn between half
/// and all of that, "equal jitter"), 10 s per attempt, 30 s in total.
///
/// ```
/// use std::time::Duration;
/// use maskinporten_transport::RetryPolicy;
/// let policy = RetryPolicy::default().with_max_attempts(2).with_deadline(Duration::from_secs(5));
/// assert_eq!(policy.max_attempts(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    attempt_timeout: Duration,
    deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
            attempt_timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retry (the deadline and per-attempt timeout still hold).
    pub fn no_retry() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Attempts in total, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first pause; it doubles after each failed attempt.
    pub fn with_initial_backoff(mut self, pause: Duration) -> Self {
        self.initial_backoff = pause;
        self
    }

    /// The longest pause between attempts.
    pub fn with_max_backoff(mut self, pause: Duration) -> Self {
        self.max_backoff = pause;
        self
    }

    /// How long one HTTP exchange may take (connect, send, read the answer).
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The total time for all attempts and pauses; after it the last error is returned.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Attempts in total.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Per-attempt timeout.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// Total deadline.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// The pause after failed attempt number `attempt` (1-based), jittered.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_backoff);
        let half = cap / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Told to an observer before each pause between attempts (for progress output).
#[derive(Debug)]
pub struct RetryEvent<'a> {
    /// The attempt that failed (1-based).
    pub attempt: u32,
    /// Attempts allowed in total.
    pub max_attempts: u32,
    /// Why it failed (retryable).
    pub error: &'a maskinporten::Error,
    /// The pause before the next attempt.
    pub pause: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_cap() {
        let policy = RetryPolicy::default();
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200), "{first:?}");
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(800), "{third:?}");
            let late = policy.backoff(30);
            assert!(late >= Duration::from_secs(1) && late <= Duration::from_secs(2), "{late:?}");
        }
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().with_max_attempts(0).max_attempts(), 1);
    }
}
