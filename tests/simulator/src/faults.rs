//! Fault injection and request statistics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What an injected fault does to a matching request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Waits `latency_ms`, then answers normally.
    Latency,
    /// Answers `status` (default 503) with a short `text/plain` body.
    Status,
    /// Answers `status` (default 502) with an HTML error page, like a proxy.
    Html,
    /// Answers `status` (default 503) with an empty body.
    Empty,
    /// Closes the connection without answering.
    Close,
}

/// A fault to inject, as posted to `POST /_sim/faults`.
///
/// With `count`, it applies to that many matching requests; with `fraction`, to that share of
/// them (deterministically: an accumulator adds `fraction` per request and fires at each whole
/// step, so 0.5 hits every second request); with both, to a fraction until `count` hits;
/// with neither, to every matching request until cleared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// What to do.
    pub kind: FaultKind,
    /// Status for `status`, `html`, `empty`.
    #[serde(default)]
    pub status: Option<u16>,
    /// Delay for `latency` (default 1000 ms).
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Number of requests to affect.
    #[serde(default)]
    pub count: Option<u64>,
    /// Share of requests to affect, 0.0..=1.0.
    #[serde(default)]
    pub fraction: Option<f64>,
    /// Path it applies to: `/token` (default), `/jwk`, `/.well-known/oauth-authorization-server`,
    /// Altinn's `/altinn/authentication/api/v1/exchange/maskinporten`, or `*` for all of them.
    #[serde(default)]
    pub path: Option<String>,
}

impl FaultSpec {
    /// A fault of `kind` for every matching request (narrow it with the `with_*` methods).
    pub fn new(kind: FaultKind) -> Self {
        FaultSpec { kind, status: None, latency_ms: None, count: None, fraction: None, path: None }
    }
    /// Only the next `n` matching requests.
    pub fn with_count(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }
    /// Only this share of matching requests.
    pub fn with_fraction(mut self, f: f64) -> Self {
        self.fraction = Some(f);
        self
    }
    /// The HTTP status to answer.
    pub fn with_status(mut self, s: u16) -> Self {
        self.status = Some(s);
        self
    }
    /// The added latency.
    pub fn with_latency_ms(mut self, ms: u64) -> Self {
        self.latency_ms = Some(ms);
        self
    }
    /// The path it applies to (`*` for all).
    pub fn with_path(mut self, p: &str) -> Self {
        self.path = Some(p.to_string());
        self
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if let Some(f) = self.fraction {
            if !(0.0..=1.0).contains(&f) {
                return Err("fraction must be within 0.0..=1.0".into());
            }
        }
        if let Some(s) = self.status {
            if !(100..=599).contains(&s) {
                return Err("status must be 100..=599".into());
            }
        }
        if matches!(self.latency_ms, Some(ms) if ms > 600_000) {
            return Err("latency_ms must be at most 600000".into());
        }
        if let Some(p) = &self.path {
            let paths =
                ["*", "/token", "/jwk", "/.well-known/oauth-authorization-server", crate::altinn::EXCHANGE_PATH];
            if !paths.contains(&p.as_str()) {
                return Err(format!("path must be one of {}", paths.join(", ")));
            }
        }
        Ok(())
    }
}

#[derive(Debug)]
pub(crate) struct ActiveFault {
    spec: FaultSpec,
    remaining: Option<u64>,
    acc: f64,
}

/// What the server must do for one request.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub latency_ms: u64,
    pub terminal: Option<(FaultKind, u16)>,
    pub hits: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    active: Vec<ActiveFault>,
}

impl Faults {
    pub(crate) fn add(&mut self, spec: FaultSpec) {
        let remaining = spec.count;
        if remaining == Some(0) {
            return;
        }
        self.active.push(ActiveFault { spec, remaining, acc: 0.0 });
    }
    pub(crate) fn clear(&mut self) {
        self.active.clear();
    }
    pub(crate) fn len(&self) -> usize {
        self.active.len()
    }

    pub(crate) fn decide(&mut self, path: &str) -> Decision {
        let mut d = Decision::default();
        for f in &mut self.active {
            let matches = match f.spec.path.as_deref() {
                None => path == "/token",
                Some("*") => true,
                Some(p) => p == path,
            };
            if !matches {
                continue;
            }
            if f.spec.kind != FaultKind::Latency && d.terminal.is_some() {
                continue;
            }
            let fire = match f.spec.fraction {
                None => true,
                Some(fr) => {
                    f.acc += fr;
                    if f.acc >= 1.0 - 1e-9 {
                        f.acc -= 1.0;
                        true
                    } else {
                        false
                    }
                }
            };
            if !fire {
                continue;
            }
            if let Some(r) = &mut f.remaining {
                *r = r.saturating_sub(1);
            }
            d.hits += 1;
            match f.spec.kind {
                FaultKind::Latency => d.latency_ms += f.spec.latency_ms.unwrap_or(1000),
                FaultKind::Html => d.terminal = Some((FaultKind::Html, f.spec.status.unwrap_or(502))),
                FaultKind::Status => d.terminal = Some((FaultKind::Status, f.spec.status.unwrap_or(503))),
                FaultKind::Empty => d.terminal = Some((FaultKind::Empty, f.spec.status.unwrap_or(503))),
                FaultKind::Close => d.terminal = Some((FaultKind::Close, 0)),
            }
        }
        self.active.retain(|f| f.remaining != Some(0));
        d
    }
}

/// What the simulator saw since start or the last reset (`GET /_sim/stats`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests to `/token` (including faulted ones).
    pub requests: u64,
    /// Access tokens issued.
    pub tokens_issued: u64,
    /// Rejections by `MP-nnn` code.
    pub errors: BTreeMap<String, u64>,
    /// Rejections by OAuth `error`.
    pub oauth_errors: BTreeMap<String, u64>,
    /// Faults applied (a latency plus a status on one request counts 2).
    pub faults_injected: u64,
    /// Faults still armed.
    pub faults_active: u64,
    /// Requests to `/jwk`.
    pub jwks_requests: u64,
    /// Requests to the metadata document.
    pub metadata_requests: u64,
    /// Requests to Altinn's token exchange (including faulted ones).
    #[serde(default)]
    pub altinn_requests: u64,
    /// Altinn tokens issued.
    #[serde(default)]
    pub altinn_tokens_issued: u64,
    /// Refused exchanges by HTTP status.
    #[serde(default)]
    pub altinn_errors: BTreeMap<String, u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_is_deterministic() {
        let mut f = Faults::default();
        f.add(FaultSpec::new(FaultKind::Status).with_fraction(0.25));
        let hits = (0..100).filter(|_| f.decide("/token").terminal.is_some()).count();
        assert_eq!(hits, 25);
    }

    #[test]
    fn count_expires() {
        let mut f = Faults::default();
        f.add(FaultSpec::new(FaultKind::Empty).with_count(2));
        assert!(f.decide("/jwk").terminal.is_none());
        assert!(f.decide("/token").terminal.is_some());
        assert!(f.decide("/token").terminal.is_some());
        assert!(f.decide("/token").terminal.is_none());
        assert_eq!(f.len(), 0);
    }
}
