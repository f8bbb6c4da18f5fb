//! How often and how long the token flow tries: attempts, back-off, timeouts, deadline.

use crate::error::{Error, ErrorKind, Result};

/// Retry settings of the token flow, the same in every language. Only errors the core marks
/// retryable ([`Error::is_retryable`]: 5xx, 429, no answer) are retried; an OAuth refusal
/// (`MP-nnn`) never is.
///
/// Defaults: 4 attempts; the pause after failed attempt *n* is drawn from the upper half of
/// `min(200 ms × 2^(n-1), 2 s)` with the host's jitter ("equal jitter"), or the server's
/// `Retry-After` when that is longer; 10 s per attempt; 30 s for the whole call.
///
/// ```
/// use maskinporten::RetryPolicy;
/// let policy = RetryPolicy::default().with_max_attempts(2)?.with_deadline_ms(5_000)?;
/// assert_eq!(policy.max_attempts(), 2);
/// # Ok::<(), maskinporten::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff_ms: i64,
    max_backoff_ms: i64,
    attempt_timeout_ms: i64,
    deadline_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff_ms: 200,
            max_backoff_ms: 2_000,
            attempt_timeout_ms: 10_000,
            deadline_ms: 30_000,
        }
    }
}

/// The longest setting accepted for any duration (one hour): longer is a unit mistake.
const MAX_SETTING_MS: i64 = 3_600_000;

fn check_ms(field: &'static str, value: i64, min: i64) -> Result<i64> {
    if (min..=MAX_SETTING_MS).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            ErrorKind::InvalidArgument,
            field,
            format!("{value} ms is outside {min}..={MAX_SETTING_MS} ms (durations are milliseconds)"),
        ))
    }
}

impl RetryPolicy {
    /// One attempt, no retry (the per-attempt timeout and the deadline still hold).
    pub fn no_retry() -> RetryPolicy {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Attempts in total, the first included: 1 to 20.
    pub fn with_max_attempts(mut self, attempts: u32) -> Result<RetryPolicy> {
        if !(1..=20).contains(&attempts) {
            return Err(Error::invalid(
                ErrorKind::InvalidArgument,
                "max_attempts",
                format!("{attempts} attempts is outside 1..=20 (1 means no retry)"),
            ));
        }
        self.max_attempts = attempts;
        Ok(self)
    }

    /// The first pause, in milliseconds (0 to one hour); it doubles after each failed attempt.
    pub fn with_initial_backoff_ms(mut self, ms: i64) -> Result<RetryPolicy> {
        self.initial_backoff_ms = check_ms("initial_backoff_ms", ms, 0)?;
        Ok(self)
    }

    /// The longest pause between attempts, in milliseconds (0 to one hour).
    pub fn with_max_backoff_ms(mut self, ms: i64) -> Result<RetryPolicy> {
        self.max_backoff_ms = check_ms("max_backoff_ms", ms, 0)?;
        Ok(self)
    }

    /// How long one HTTP exchange may take (connect, send, read), in milliseconds (1 ms to one hour).
    pub fn with_attempt_timeout_ms(mut self, ms: i64) -> Result<RetryPolicy> {
        self.attempt_timeout_ms = check_ms("attempt_timeout_ms", ms, 1)?;
        Ok(self)
    }

    /// The time for a whole call, attempts and pauses and waiting for another caller's fetch
    /// included, in milliseconds (1 ms to one hour). After it the call fails with the last error.
    pub fn with_deadline_ms(mut self, ms: i64) -> Result<RetryPolicy> {
        self.deadline_ms = check_ms("deadline_ms", ms, 1)?;
        Ok(self)
    }

    /// Attempts in total.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The first pause, in milliseconds.
    pub fn initial_backoff_ms(&self) -> i64 {
        self.initial_backoff_ms
    }

    /// The longest pause, in milliseconds.
    pub fn max_backoff_ms(&self) -> i64 {
        self.max_backoff_ms
    }

    /// Per-attempt timeout, in milliseconds.
    pub fn attempt_timeout_ms(&self) -> i64 {
        self.attempt_timeout_ms
    }

    /// Deadline of a whole call, in milliseconds.
    pub fn deadline_ms(&self) -> i64 {
        self.deadline_ms
    }

    /// The pause after failed attempt number `attempt` (1-based): the upper half of the capped
    /// exponential step, placed by `jitter` (0.0 to 1.0, from the host's random source).
    pub fn backoff_ms(&self, attempt: u32, jitter: f64) -> i64 {
        let step = self.initial_backoff_ms.saturating_mul(1i64 << attempt.saturating_sub(1).min(30));
        let cap = step.min(self.max_backoff_ms);
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.5 };
        let half = cap / 2;
        // Exact for the ranges allowed (≤ one hour in ms fits f64's 53 bits).
        half + ((cap - half) as f64 * jitter).round() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff_ms(1, 0.0), 100);
        assert_eq!(policy.backoff_ms(1, 1.0), 200);
        assert_eq!(policy.backoff_ms(3, 0.5), 600);
        assert_eq!(policy.backoff_ms(30, 1.0), 2_000);
        assert_eq!(policy.backoff_ms(u32::MAX, 0.0), 1_000);
        assert_eq!(policy.backoff_ms(1, f64::NAN), 150, "a broken jitter source still gives a pause");
        assert_eq!(policy.backoff_ms(1, 7.0), 200);
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(RetryPolicy::default().with_max_attempts(0).unwrap_err().field(), Some("max_attempts"));
        assert!(RetryPolicy::default().with_deadline_ms(30).is_ok());
        let err = RetryPolicy::default().with_deadline_ms(1_767_225_600_000).unwrap_err();
        assert!(err.to_string().contains("milliseconds"), "{err}");
        assert!(RetryPolicy::default().with_attempt_timeout_ms(0).is_err());
    }
}
