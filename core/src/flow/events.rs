//! What the flows report for observability. No event carries a token, a grant or a key: a token
//! is named by its cache key's label (the start of a hash), errors by kind, status and MP code.

use crate::error::{Error, ErrorKind};
use std::fmt;

/// How loud an event is, for the host's logging facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum EventLevel {
    /// Routine (a cache hit, a fetch started).
    Debug,
    /// Worth a line in a normal log (a token fetched, a JWKS refreshed).
    Info,
    /// Something failed but the caller was served or will be retried.
    Warn,
    /// A caller got an error.
    Error,
}

impl EventLevel {
    /// `debug`, `info`, `warn` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventLevel::Debug => "debug",
            EventLevel::Info => "info",
            EventLevel::Warn => "warn",
            EventLevel::Error => "error",
        }
    }
}

/// Something that happened in a flow. Hosts forward events to their ecosystem's facility
/// (Rust `tracing`, Python `logging`, a JS callback, SLF4J, `os.Logger`) and to metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlowEvent {
    /// A caller was served a cached token.
    CacheHit {
        /// The cache key's label.
        key: String,
    },
    /// A token request is about to be sent.
    FetchStarted {
        /// The cache key's label.
        key: String,
        /// 1 for the first attempt of a call.
        attempt: u32,
        /// Whether a still-valid token is held (a refresh ahead of expiry).
        refresh_ahead: bool,
    },
    /// A token arrived.
    FetchSucceeded {
        /// The cache key's label.
        key: String,
        /// The attempt that succeeded.
        attempt: u32,
        /// Time from the request to the answer, in milliseconds.
        duration_ms: i64,
        /// The token's lifetime, in seconds.
        expires_in: i64,
    },
    /// Another process (a replica sharing a token store) had fetched this token: it was taken
    /// from the store instead of sending a request.
    SharedTokenUsed {
        /// The cache key's label.
        key: String,
        /// The token's lifetime, in seconds.
        expires_in: i64,
    },
    /// An attempt failed with a retryable error; the next one follows after `wait_ms`.
    RetryScheduled {
        /// The cache key's label.
        key: String,
        /// The attempt that failed.
        attempt: u32,
        /// Why it failed.
        kind: ErrorKind,
        /// The HTTP status, when there was an answer.
        status: Option<u16>,
        /// The pause before the next attempt, in milliseconds.
        wait_ms: i64,
        /// Whether the server's `Retry-After` set the pause.
        retry_after: bool,
    },
    /// Maskinporten refused the grant with an OAuth error (not retried).
    Refused {
        /// The cache key's label.
        key: String,
        /// The HTTP status.
        status: u16,
        /// The OAuth error code (`invalid_grant`, `invalid_scope`, ...).
        error: String,
        /// The `MP-nnn` code, when the server gave one.
        mp_code: Option<String>,
    },
    /// A call gave up: the caller gets this error.
    FetchFailed {
        /// The cache key's label.
        key: String,
        /// Attempts made.
        attempts: u32,
        /// Why.
        kind: ErrorKind,
        /// The HTTP status, when there was an answer.
        status: Option<u16>,
    },
    /// A refresh ahead of expiry failed; callers keep the still-valid token.
    RefreshAheadFailed {
        /// The cache key's label.
        key: String,
        /// Why.
        kind: ErrorKind,
        /// The `MP-nnn` code of a refusal.
        mp_code: Option<String>,
        /// When the next refresh may be tried (Unix milliseconds): after the back-off for a
        /// retryable failure, at the token's expiry for a refusal.
        next_attempt_at_ms: i64,
    },
    /// A caller that held the right to fetch was cancelled; the next caller fetches.
    FetchCancelled {
        /// The cache key's label.
        key: String,
    },
    /// The host reported that an API refused a token (HTTP 401).
    TokenRejected {
        /// The cache key's label.
        key: String,
        /// Whether the cached token was that one and was dropped (false: already replaced).
        dropped: bool,
    },
    /// The issuer's JWKS was loaded.
    JwksRefreshed {
        /// The number of signing keys in it.
        keys: usize,
        /// Time from the request to the answer, in milliseconds.
        duration_ms: i64,
    },
    /// Fetching the issuer's JWKS failed; keys held so far stay in use.
    JwksFailed {
        /// Why.
        kind: ErrorKind,
        /// The HTTP status, when there was an answer.
        status: Option<u16>,
        /// Whether keys are still held (false: validation answers `unavailable` until a fetch works).
        keys_held: bool,
        /// When the next fetch may be tried (Unix milliseconds).
        next_attempt_at_ms: i64,
    },
}

impl FlowEvent {
    /// A stable snake_case name: `cache_hit`, `fetch_started`, `fetch_succeeded`,
    /// `retry_scheduled`, `refused`, `fetch_failed`, `refresh_ahead_failed`, `fetch_cancelled`,
    /// `token_rejected`, `jwks_refreshed`, `jwks_failed`, `shared_token_used`.
    pub fn name(&self) -> &'static str {
        match self {
            FlowEvent::CacheHit { .. } => "cache_hit",
            FlowEvent::FetchStarted { .. } => "fetch_started",
            FlowEvent::FetchSucceeded { .. } => "fetch_succeeded",
            FlowEvent::RetryScheduled { .. } => "retry_scheduled",
            FlowEvent::Refused { .. } => "refused",
            FlowEvent::FetchFailed { .. } => "fetch_failed",
            FlowEvent::RefreshAheadFailed { .. } => "refresh_ahead_failed",
            FlowEvent::FetchCancelled { .. } => "fetch_cancelled",
            FlowEvent::TokenRejected { .. } => "token_rejected",
            FlowEvent::JwksRefreshed { .. } => "jwks_refreshed",
            FlowEvent::JwksFailed { .. } => "jwks_failed",
            FlowEvent::SharedTokenUsed { .. } => "shared_token_used",
        }
    }

    /// How loud the event is.
    pub fn level(&self) -> EventLevel {
        match self {
            FlowEvent::CacheHit { .. }
            | FlowEvent::FetchStarted { .. }
            | FlowEvent::FetchCancelled { .. }
            | FlowEvent::SharedTokenUsed { .. } => EventLevel::Debug,
            FlowEvent::FetchSucceeded { .. } | FlowEvent::TokenRejected { .. } | FlowEvent::JwksRefreshed { .. } => {
                EventLevel::Info
            }
            FlowEvent::RetryScheduled { .. }
            | FlowEvent::RefreshAheadFailed { .. }
            | FlowEvent::JwksFailed { keys_held: true, .. } => EventLevel::Warn,
            FlowEvent::Refused { .. } | FlowEvent::FetchFailed { .. } | FlowEvent::JwksFailed { .. } => {
                EventLevel::Error
            }
        }
    }

    /// The event as one JSON object: `{"event": name, "level": level, ...fields}` (for hosts
    /// that forward structured fields), its members in name order.
    pub fn to_json(&self) -> String {
        // Written by hand: `json!` and `Value`'s serializer cost several KB in the WebAssembly
        // build, for objects of a few plain members.
        let mut members: Vec<(&str, Json<'_>)> =
            vec![("event", Json::Str(self.name())), ("level", Json::Str(self.level().as_str()))];
        let status = |status: &Option<u16>| status.map_or(Json::Null, |s| Json::Int(s.into()));
        match self {
            FlowEvent::CacheHit { key } | FlowEvent::FetchCancelled { key } => members.push(("key", Json::Str(key))),
            FlowEvent::FetchStarted { key, attempt, refresh_ahead } => members.extend([
                ("key", Json::Str(key)),
                ("attempt", Json::Int((*attempt).into())),
                ("refresh_ahead", Json::Bool(*refresh_ahead)),
            ]),
            FlowEvent::FetchSucceeded { key, attempt, duration_ms, expires_in } => members.extend([
                ("key", Json::Str(key)),
                ("attempt", Json::Int((*attempt).into())),
                ("duration_ms", Json::Int(*duration_ms)),
                ("expires_in", Json::Int(*expires_in)),
            ]),
            FlowEvent::RetryScheduled { key, attempt, kind, status: s, wait_ms, retry_after } => members.extend([
                ("key", Json::Str(key)),
                ("attempt", Json::Int((*attempt).into())),
                ("kind", Json::Str(kind.as_str())),
                ("status", status(s)),
                ("wait_ms", Json::Int(*wait_ms)),
                ("retry_after", Json::Bool(*retry_after)),
            ]),
            FlowEvent::Refused { key, status: s, error, mp_code } => members.extend([
                ("key", Json::Str(key)),
                ("status", Json::Int((*s).into())),
                ("error", Json::Str(error)),
                ("mp_code", code(mp_code)),
            ]),
            FlowEvent::FetchFailed { key, attempts, kind, status: s } => members.extend([
                ("key", Json::Str(key)),
                ("attempts", Json::Int((*attempts).into())),
                ("kind", Json::Str(kind.as_str())),
                ("status", status(s)),
            ]),
            FlowEvent::RefreshAheadFailed { key, kind, mp_code, next_attempt_at_ms } => members.extend([
                ("key", Json::Str(key)),
                ("kind", Json::Str(kind.as_str())),
                ("mp_code", code(mp_code)),
                ("next_attempt_at_ms", Json::Int(*next_attempt_at_ms)),
            ]),
            FlowEvent::TokenRejected { key, dropped } => {
                members.extend([("key", Json::Str(key)), ("dropped", Json::Bool(*dropped))])
            }
            FlowEvent::SharedTokenUsed { key, expires_in } => {
                members.extend([("key", Json::Str(key)), ("expires_in", Json::Int(*expires_in))])
            }
            FlowEvent::JwksRefreshed { keys, duration_ms } => members.extend([
                ("keys", Json::Int(i64::try_from(*keys).unwrap_or(i64::MAX))),
                ("duration_ms", Json::Int(*duration_ms)),
            ]),
            FlowEvent::JwksFailed { kind, status: s, keys_held, next_attempt_at_ms } => members.extend([
                ("kind", Json::Str(kind.as_str())),
                ("status", status(s)),
                ("keys_held", Json::Bool(*keys_held)),
                ("next_attempt_at_ms", Json::Int(*next_attempt_at_ms)),
            ]),
        }
        members.sort_unstable_by_key(|(name, _)| *name);
        let mut out = String::with_capacity(160);
        for (n, (name, value)) in members.iter().enumerate() {
            out.push(if n == 0 { '{' } else { ',' });
            write_str(&mut out, name);
            out.push(':');
            match value {
                Json::Str(text) => write_str(&mut out, text),
                Json::Int(number) => out.push_str(&number.to_string()),
                Json::Bool(true) => out.push_str("true"),
                Json::Bool(false) => out.push_str("false"),
                Json::Null => out.push_str("null"),
            }
        }
        out.push('}');
        out
    }

    pub(crate) fn refused(key: &str, error: &Error) -> Option<FlowEvent> {
        match error {
            Error::OAuth(oauth) => Some(FlowEvent::Refused {
                key: key.to_string(),
                status: oauth.status,
                error: oauth.error.clone(),
                mp_code: oauth.mp_code.clone(),
            }),
            _ => None,
        }
    }
}

impl fmt::Display for FlowEvent {
    /// One human line, for plain-text logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlowEvent::CacheHit { key } => write!(f, "token {key}: served from the cache"),
            FlowEvent::FetchStarted { key, attempt, refresh_ahead } => {
                let why = if *refresh_ahead { " (refresh ahead of expiry)" } else { "" };
                write!(f, "token {key}: requesting a token, attempt {attempt}{why}")
            }
            FlowEvent::FetchSucceeded { key, attempt, duration_ms, expires_in } => write!(
                f,
                "token {key}: token received in {duration_ms} ms (attempt {attempt}), valid for {expires_in} s"
            ),
            FlowEvent::RetryScheduled { key, attempt, kind, status, wait_ms, retry_after } => {
                let status = status.map(|s| format!(" HTTP {s}")).unwrap_or_default();
                let source = if *retry_after { " (Retry-After)" } else { "" };
                write!(f, "token {key}: attempt {attempt} failed ({kind}{status}); retrying in {wait_ms} ms{source}")
            }
            FlowEvent::Refused { key, status, error, mp_code } => {
                let code = mp_code.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
                write!(f, "token {key}: Maskinporten refused the grant (HTTP {status} {error}{code})")
            }
            FlowEvent::FetchFailed { key, attempts, kind, status } => {
                let status = status.map(|s| format!(" HTTP {s}")).unwrap_or_default();
                write!(f, "token {key}: no token after {attempts} attempt(s) ({kind}{status})")
            }
            FlowEvent::RefreshAheadFailed { key, kind, mp_code, next_attempt_at_ms } => {
                let code = mp_code.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
                write!(
                    f,
                    "token {key}: refresh ahead of expiry failed ({kind}{code}); the valid token is kept, next try at {}",
                    crate::time::format_utc(next_attempt_at_ms.div_euclid(1000))
                )
            }
            FlowEvent::FetchCancelled { key } => write!(f, "token {key}: fetch cancelled; the next caller fetches"),
            FlowEvent::SharedTokenUsed { key, expires_in } => {
                write!(
                    f,
                    "token {key}: taken from the shared store (another replica fetched it), valid for {expires_in} s"
                )
            }
            FlowEvent::TokenRejected { key, dropped } => {
                let what = if *dropped { "dropped" } else { "already replaced" };
                write!(f, "token {key}: an API answered 401; the token was {what}")
            }
            FlowEvent::JwksRefreshed { keys, duration_ms } => {
                write!(f, "JWKS loaded: {keys} signing key(s) in {duration_ms} ms")
            }
            FlowEvent::JwksFailed { kind, status, keys_held, .. } => {
                let status = status.map(|s| format!(" HTTP {s}")).unwrap_or_default();
                let held = if *keys_held { "the keys held stay in use" } else { "no keys held" };
                write!(f, "JWKS fetch failed ({kind}{status}); {held}")
            }
        }
    }
}

/// A member value of an event's JSON form.
enum Json<'a> {
    Str(&'a str),
    Int(i64),
    Bool(bool),
    Null,
}

/// An optional string member: the text or `null`.
fn code(code: &Option<String>) -> Json<'_> {
    code.as_deref().map_or(Json::Null, Json::Str)
}

/// `text` as a JSON string, escaped as serde_json escapes.
fn write_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(c as u8 >> 4)]));
                out.push(char::from(HEX[usize::from(c as u8 & 0xf)]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The JSON form as serde_json writes it: what `to_json` must equal byte for byte.
    fn reference(event: &FlowEvent) -> String {
        let opt_status = |status: &Option<u16>| status.map_or(Value::Null, Value::from);
        let mut object = match event {
            FlowEvent::CacheHit { key } | FlowEvent::FetchCancelled { key } => json!({ "key": key }),
            FlowEvent::FetchStarted { key, attempt, refresh_ahead } => {
                json!({ "key": key, "attempt": attempt, "refresh_ahead": refresh_ahead })
            }
            FlowEvent::FetchSucceeded { key, attempt, duration_ms, expires_in } => {
                json!({ "key": key, "attempt": attempt, "duration_ms": duration_ms, "expires_in": expires_in })
            }
            FlowEvent::RetryScheduled { key, attempt, kind, status, wait_ms, retry_after } => json!({
                "key": key, "attempt": attempt, "kind": kind.as_str(), "status": opt_status(status),
                "wait_ms": wait_ms, "retry_after": retry_after,
            }),
            FlowEvent::Refused { key, status, error, mp_code } => {
                json!({ "key": key, "status": status, "error": error, "mp_code": mp_code })
            }
            FlowEvent::FetchFailed { key, attempts, kind, status } => {
                json!({ "key": key, "attempts": attempts, "kind": kind.as_str(), "status": opt_status(status) })
            }
            FlowEvent::RefreshAheadFailed { key, kind, mp_code, next_attempt_at_ms } => json!({
                "key": key, "kind": kind.as_str(), "mp_code": mp_code, "next_attempt_at_ms": next_attempt_at_ms,
            }),
            FlowEvent::TokenRejected { key, dropped } => json!({ "key": key, "dropped": dropped }),
            FlowEvent::SharedTokenUsed { key, expires_in } => json!({ "key": key, "expires_in": expires_in }),
            FlowEvent::JwksRefreshed { keys, duration_ms } => json!({ "keys": keys, "duration_ms": duration_ms }),
            FlowEvent::JwksFailed { kind, status, keys_held, next_attempt_at_ms } => json!({
                "kind": kind.as_str(), "status": opt_status(status), "keys_held": keys_held,
                "next_attempt_at_ms": next_attempt_at_ms,
            }),
        };
        if let Value::Object(fields) = &mut object {
            fields.insert("event".into(), event.name().into());
            fields.insert("level".into(), event.level().as_str().into());
        }
        object.to_string()
    }

    #[test]
    fn json_is_what_serde_json_writes() {
        let key = "a1b2c3d4".to_string();
        let odd = "quote \" backslash \\ newline \n tab \t bell \u{7} \u{8}\u{c}\r \u{1f} æ€ \u{7f}".to_string();
        let events = [
            FlowEvent::CacheHit { key: key.clone() },
            FlowEvent::FetchCancelled { key: odd.clone() },
            FlowEvent::FetchStarted { key: key.clone(), attempt: 3, refresh_ahead: true },
            FlowEvent::FetchSucceeded { key: key.clone(), attempt: 1, duration_ms: -5, expires_in: i64::MAX },
            FlowEvent::RetryScheduled {
                key: key.clone(),
                attempt: u32::MAX,
                kind: ErrorKind::Unavailable,
                status: Some(503),
                wait_ms: 150,
                retry_after: false,
            },
            FlowEvent::RetryScheduled {
                key: key.clone(),
                attempt: 1,
                kind: ErrorKind::Unavailable,
                status: None,
                wait_ms: 0,
                retry_after: true,
            },
            FlowEvent::Refused { key: key.clone(), status: 400, error: odd.clone(), mp_code: Some("MP-100".into()) },
            FlowEvent::Refused { key: key.clone(), status: 401, error: "invalid_client".into(), mp_code: None },
            FlowEvent::FetchFailed { key: key.clone(), attempts: 4, kind: ErrorKind::OauthError, status: None },
            FlowEvent::RefreshAheadFailed {
                key: key.clone(),
                kind: ErrorKind::MalformedResponse,
                mp_code: None,
                next_attempt_at_ms: i64::MIN,
            },
            FlowEvent::SharedTokenUsed { key: odd, expires_in: 119 },
            FlowEvent::TokenRejected { key, dropped: false },
            FlowEvent::JwksRefreshed { keys: usize::MAX, duration_ms: 40 },
            FlowEvent::JwksFailed {
                kind: ErrorKind::Unavailable,
                status: Some(502),
                keys_held: true,
                next_attempt_at_ms: 1_767_225_660_000,
            },
        ];
        for event in &events {
            let mut expected = reference(event);
            if let FlowEvent::JwksRefreshed { keys, .. } = event {
                // usize::MAX does not fit the i64 the JSON form carries: it is capped.
                expected = expected.replace(&keys.to_string(), &i64::MAX.to_string());
            }
            assert_eq!(event.to_json(), expected, "{}", event.name());
            let parsed: Value = serde_json::from_str(&event.to_json()).unwrap();
            assert_eq!(parsed["event"], event.name());
        }
    }
}
