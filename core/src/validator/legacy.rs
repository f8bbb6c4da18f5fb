//! The step-by-step JWKS schedule the bindings used before the validation flow. Superseded by
//! [`Validator::poll_validation`]; kept until every binding executes the flow.

use super::{Validator, NEVER};
use crate::error::{Error, Result};
use crate::request::HttpRequest;
use std::sync::atomic::Ordering;

impl Validator {
    /// The JWKS request to send now (`now` in Unix seconds), or `None` when no fetch is due.
    #[doc(hidden)]
    pub fn jwks_request(&self, now: i64) -> Option<HttpRequest> {
        let now_ms = now.saturating_mul(1000);
        if self.in_backoff_ms(now_ms) {
            return None;
        }
        let never_fetched = self.fetched_at_ms == NEVER;
        let stale = !never_fetched && now_ms.saturating_sub(self.fetched_at_ms) >= self.max_jwks_age_ms;
        let unknown = self.unknown_kid_seen_at_ms.load(Ordering::Relaxed);
        let rotated = unknown != NEVER
            && unknown >= self.fetched_at_ms
            && now_ms.saturating_sub(self.fetched_at_ms) >= self.min_refetch_interval_ms;
        (never_fetched || stale || rotated).then(|| HttpRequest::get(self.environment.jwks_uri().to_string()))
    }

    /// Takes the JWKS endpoint's whole answer (`now` in Unix seconds).
    #[doc(hidden)]
    pub fn update_jwks_response(&mut self, status: u16, body: &[u8], now: i64) -> Result<()> {
        crate::time::check_now(now)?;
        if status == 200 {
            return self.update_jwks(body, now);
        }
        let error = Error::Unavailable {
            status: Some(status),
            message: format!("the JWKS at {} could not be fetched", self.environment.jwks_uri()),
            snippet: String::new(),
        };
        self.generation += 1;
        self.fetch_failed(&error, now.saturating_mul(1000));
        Err(error)
    }

    /// Tells the validator that fetching the JWKS failed (`now` in Unix seconds).
    #[doc(hidden)]
    pub fn jwks_fetch_failed(&mut self, now: i64) {
        self.generation += 1;
        self.fetch_failed(&Error::unavailable("the JWKS fetch failed"), now.saturating_mul(1000));
    }

    fn in_backoff_ms(&self, now_ms: i64) -> bool {
        self.failed_at_ms != NEVER && now_ms.saturating_sub(self.failed_at_ms) < self.min_refetch_interval_ms
    }
}
