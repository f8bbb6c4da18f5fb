//! Prometheus metrics, fed by the core flows' events ([`FlowEvent`]) and the handlers'
//! outcomes. Labels are client names (from the configuration), outcomes, error kinds and
//! `MP-nnn` codes: never a token, a grant, a key or a caller's value.

use maskinporten::FlowEvent;
use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::sync::atomic::{AtomicU64, Ordering};

/// Every metric of the service.
pub struct Metrics {
    registry: Registry,
    token_requests: IntCounterVec,
    cache: IntCounterVec,
    fetch_seconds: Histogram,
    retries: IntCounterVec,
    fetch_failures: IntCounterVec,
    refresh_ahead_failures: IntCounterVec,
    jwks: IntCounterVec,
    introspections: IntCounterVec,
    certificate_days: IntGaugeVec,
    store_up: IntGaugeVec,
    store_errors: IntCounter,
    store_errors_seen: AtomicU64,
    maskinporten_up: IntGauge,
}

/// Fetch latency buckets in seconds: Maskinporten answers in tens to hundreds of milliseconds.
const FETCH_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

impl Metrics {
    /// The metrics, registered (names are constants: registration cannot clash).
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry.register(Box::new(metric.clone())).expect("unique metric");
            metric
        };
        let token_requests = counter(
            "maskinporten_token_requests_total",
            "POST /api/v1/token answers by client, outcome (ok, refused, unavailable, invalid_request, unauthorized, error) and MP code",
            &["client", "outcome", "mp_code"],
        );
        let cache = counter(
            "maskinporten_token_cache_total",
            "Token lookups: hit (served from this replica's cache), miss (a fetch started), shared (taken from the shared store)",
            &["result"],
        );
        let retries =
            counter("maskinporten_token_retries_total", "Token request attempts retried, by error kind", &["kind"]);
        let fetch_failures = counter(
            "maskinporten_token_fetch_failures_total",
            "Token fetches that failed a caller, by error kind",
            &["kind"],
        );
        let refresh_ahead_failures = counter(
            "maskinporten_token_refresh_ahead_failures_total",
            "Refreshes ahead of expiry that failed (callers kept the valid token), by error kind",
            &["kind"],
        );
        let jwks =
            counter("maskinporten_jwks_refreshes_total", "JWKS fetches for introspection, by result", &["result"]);
        let introspections = counter(
            "maskinporten_introspections_total",
            "POST /api/v1/introspect answers: active, inactive, unavailable, invalid_request",
            &["result"],
        );
        let fetch_seconds = Histogram::with_opts(
            HistogramOpts::new("maskinporten_token_fetch_duration_seconds", "Time from a token request to its answer")
                .buckets(FETCH_BUCKETS.to_vec()),
        )
        .expect("valid histogram");
        registry.register(Box::new(fetch_seconds.clone())).expect("unique metric");
        let certificate_days = IntGaugeVec::new(
            Opts::new("maskinporten_certificate_days_left", "Whole days until a client's certificate expires"),
            &["client"],
        )
        .expect("valid metric");
        registry.register(Box::new(certificate_days.clone())).expect("unique metric");
        let gauge = |name: &str, help: &str| {
            let metric = IntGauge::new(name, help).expect("valid metric");
            registry.register(Box::new(metric.clone())).expect("unique metric");
            metric
        };
        let store_up = IntGaugeVec::new(
            Opts::new(
                "maskinporten_store_up",
                "1 while the shared store answers; 0 while this replica fetches for itself (absent without a store)",
            ),
            &["store"],
        )
        .expect("valid metric");
        registry.register(Box::new(store_up.clone())).expect("unique metric");
        let maskinporten_up =
            gauge("maskinporten_up", "1 if Maskinporten answered the last token request (a refusal counts), else 0");
        let store_errors = IntCounter::new("maskinporten_store_errors_total", "Shared store operations that failed")
            .expect("valid metric");
        registry.register(Box::new(store_errors.clone())).expect("unique metric");
        maskinporten_up.set(1);
        Metrics {
            registry,
            token_requests,
            cache,
            fetch_seconds,
            retries,
            fetch_failures,
            refresh_ahead_failures,
            jwks,
            introspections,
            certificate_days,
            store_up,
            store_errors,
            store_errors_seen: AtomicU64::new(0),
            maskinporten_up,
        }
    }

    /// Counts one event of a provider's or validator's flow.
    pub fn event(&self, event: &FlowEvent) {
        match event {
            FlowEvent::CacheHit { .. } => self.cache.with_label_values(&["hit"]).inc(),
            FlowEvent::FetchStarted { attempt: 1, .. } => self.cache.with_label_values(&["miss"]).inc(),
            FlowEvent::SharedTokenUsed { .. } => self.cache.with_label_values(&["shared"]).inc(),
            FlowEvent::FetchSucceeded { duration_ms, .. } => {
                self.fetch_seconds.observe(*duration_ms as f64 / 1000.0);
                self.maskinporten_up.set(1);
            }
            FlowEvent::Refused { .. } => self.maskinporten_up.set(1),
            FlowEvent::RetryScheduled { kind, .. } => {
                self.retries.with_label_values(&[kind.as_str()]).inc();
                self.maskinporten_up.set(0);
            }
            FlowEvent::FetchFailed { kind, .. } => {
                self.fetch_failures.with_label_values(&[kind.as_str()]).inc();
                if *kind == maskinporten::ErrorKind::Unavailable {
                    self.maskinporten_up.set(0);
                }
            }
            FlowEvent::RefreshAheadFailed { kind, .. } => {
                self.refresh_ahead_failures.with_label_values(&[kind.as_str()]).inc();
                if *kind == maskinporten::ErrorKind::Unavailable {
                    self.maskinporten_up.set(0);
                }
            }
            FlowEvent::JwksRefreshed { .. } => self.jwks.with_label_values(&["ok"]).inc(),
            FlowEvent::JwksFailed { .. } => self.jwks.with_label_values(&["failed"]).inc(),
            _ => {}
        }
    }

    /// Counts one token answer.
    pub fn token_answer(&self, client: &str, outcome: &str, mp_code: Option<&str>) {
        self.token_requests.with_label_values(&[client, outcome, mp_code.unwrap_or("")]).inc();
    }

    /// Counts one introspection answer.
    pub fn introspection(&self, result: &str) {
        self.introspections.with_label_values(&[result]).inc();
    }

    /// Sets a client's certificate days left.
    pub fn certificate_days(&self, client: &str, days: i64) {
        self.certificate_days.with_label_values(&[client]).set(days);
    }

    /// The store's state, as sampled now: up or not, and its error count so far.
    pub fn store_state(&self, up: bool, errors: u64) {
        self.store_up.with_label_values(&["redis"]).set(i64::from(up));
        let seen = self.store_errors_seen.swap(errors, Ordering::Relaxed);
        self.store_errors.inc_by(errors.saturating_sub(seen));
    }

    /// Whether Maskinporten answered the last token request.
    pub fn maskinporten_up(&self) -> bool {
        self.maskinporten_up.get() == 1
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding in memory into a Vec cannot fail for well-formed metrics.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_become_counters() {
        let metrics = Metrics::new();
        metrics.event(&FlowEvent::CacheHit { key: "k".into() });
        metrics.event(&FlowEvent::FetchStarted { key: "k".into(), attempt: 1, refresh_ahead: false });
        metrics.event(&FlowEvent::FetchStarted { key: "k".into(), attempt: 2, refresh_ahead: false });
        metrics.event(&FlowEvent::FetchSucceeded { key: "k".into(), attempt: 2, duration_ms: 40, expires_in: 120 });
        metrics.token_answer("default", "refused", Some("MP-200"));
        metrics.store_state(false, 3);
        metrics.store_state(false, 5);
        let text = metrics.render();
        assert!(text.contains("maskinporten_token_cache_total{result=\"hit\"} 1"), "{text}");
        assert!(text.contains("maskinporten_token_cache_total{result=\"miss\"} 1"), "{text}");
        assert!(text.contains("maskinporten_token_fetch_duration_seconds_count 1"), "{text}");
        assert!(text.contains("client=\"default\",mp_code=\"MP-200\",outcome=\"refused\"} 1"), "{text}");
        assert!(text.contains("maskinporten_store_up{store=\"redis\"} 0"), "{text}");
        assert!(text.contains("maskinporten_store_errors_total 5"), "{text}");
    }
}
