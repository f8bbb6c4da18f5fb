//! The host's clock: the binding reads it (the core never does) when Python passes no time.

use std::time::{SystemTime, UNIX_EPOCH};

/// `now` given (Unix seconds), or the system clock read by the core's `unix_now()`.
pub fn now_or_clock(now: Option<i64>) -> i64 {
    now.unwrap_or_else(maskinporten::unix_now)
}

/// `now_ms` given (Unix milliseconds), or the system clock. A clock before 1970 reads as 0,
/// which the flows refuse as `invalid_now` instead of misbehaving.
pub fn now_ms_or_clock(now_ms: Option<i64>) -> i64 {
    now_ms.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}
