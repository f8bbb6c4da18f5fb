//! The token flow's settings as one value, for hosts that take them as options.

use super::{RetryPolicy, TokenFlow};
use crate::error::Result;

/// Optional token-flow settings; `None` keeps the default (see [`RetryPolicy`] and
/// [`TokenFlow::new`]). Bindings convert their keyword arguments or option objects into this
/// once, so every language checks them the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowOptions {
    /// Attempts per call, the first included (1 to 20).
    pub max_attempts: Option<u32>,
    /// The first back-off, in milliseconds.
    pub initial_backoff_ms: Option<i64>,
    /// The longest back-off, in milliseconds.
    pub max_backoff_ms: Option<i64>,
    /// The timeout of one token request, in milliseconds.
    pub attempt_timeout_ms: Option<i64>,
    /// The deadline of one call (attempts, pauses and waiting included), in milliseconds.
    pub deadline_ms: Option<i64>,
    /// Refresh this many seconds before expiry (0 to 3600; capped at half the lifetime).
    pub refresh_skew: Option<i64>,
}

impl FlowOptions {
    /// The retry policy these options describe.
    pub fn policy(&self) -> Result<RetryPolicy> {
        let mut policy = RetryPolicy::default();
        if let Some(attempts) = self.max_attempts {
            policy = policy.with_max_attempts(attempts)?;
        }
        if let Some(ms) = self.initial_backoff_ms {
            policy = policy.with_initial_backoff_ms(ms)?;
        }
        if let Some(ms) = self.max_backoff_ms {
            policy = policy.with_max_backoff_ms(ms)?;
        }
        if let Some(ms) = self.attempt_timeout_ms {
            policy = policy.with_attempt_timeout_ms(ms)?;
        }
        if let Some(ms) = self.deadline_ms {
            policy = policy.with_deadline_ms(ms)?;
        }
        Ok(policy)
    }
}

impl TokenFlow {
    /// A flow with these settings, each checked as by its `with_*` method.
    pub fn with_options(options: &FlowOptions) -> Result<TokenFlow> {
        let flow = TokenFlow::new().with_policy(options.policy()?);
        match options.refresh_skew {
            Some(seconds) => flow.with_refresh_skew(seconds),
            None => Ok(flow),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked_and_applied() {
        let options = FlowOptions { max_attempts: Some(2), deadline_ms: Some(5_000), ..FlowOptions::default() };
        let flow = TokenFlow::with_options(&options).unwrap();
        assert_eq!((flow.policy().max_attempts(), flow.policy().deadline_ms()), (2, 5_000));
        let bad = FlowOptions { refresh_skew: Some(-1), ..FlowOptions::default() };
        assert_eq!(TokenFlow::with_options(&bad).unwrap_err().field(), Some("refresh_skew"));
        let bad = FlowOptions { attempt_timeout_ms: Some(0), ..FlowOptions::default() };
        assert_eq!(TokenFlow::with_options(&bad).unwrap_err().field(), Some("attempt_timeout_ms"));
    }
}
