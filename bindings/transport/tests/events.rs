//! Events go to `tracing` (target `maskinporten`, the event's level, its name and JSON fields)
//! and to the listener, and never carry a token or a grant. Alone in its test binary: a
//! thread-scoped subscriber misses events whose callsites other test threads register first.

use common::{FakeClock, Script};
use maskinporten::{Client, Environment, GrantOptions, Key};
use maskinporten_transport::TokenProvider;
use maskinporten_vectors::vectors_dir;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

mod common;

fn provider(answers: serde_json::Value) -> TokenProvider {
    let p12 = std::fs::read(vectors_dir().join("keys/client.p12")).expect("client.p12");
    let key = Key::from_pkcs12(&p12, "vector-password", None).expect("key");
    let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::test()).expect("client");
    let (clock, script) = (FakeClock::default(), Script::default());
    clock.set(1_767_225_600_000);
    script.load(&answers);
    TokenProvider::new(client).expect("provider").with_clock(clock).with_transport(script).with_jitter(|| 0.5)
}

/// Records every event: level, target and all fields as text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(tracing::Level, String, String)>>>);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let metadata = event.metadata();
        self.0.lock().expect("events").push((*metadata.level(), metadata.target().to_string(), fields.0));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn events_go_to_tracing_with_their_level_and_never_a_token() {
    let recorder = Recorder::default();
    let secret = "eyJzZWNyZXQtYWNjZXNzLXRva2Vu";
    let listened = Arc::new(AtomicUsize::new(0));
    let seen = listened.clone();
    tracing::subscriber::with_default(recorder.clone(), || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let ok = format!(r#"{{"access_token":"{secret}","token_type":"Bearer","expires_in":120}}"#);
            let answers = json!([{"status": 503, "body": ""}, {"status": 200, "body": ok}]);
            let provider = provider(answers).with_event_listener(move |_| {
                seen.fetch_add(1, Ordering::SeqCst);
            });
            let options = GrantOptions::new(["test:scope.read"]);
            provider.token(&options).await.expect("token");
            provider.token(&options).await.expect("cache hit");
        });
    });
    let events = recorder.0.lock().expect("events").clone();
    let find = |name: &str| {
        events
            .iter()
            .find(|(_, target, fields)| target == "maskinporten" && fields.contains(&format!("event=\"{name}\"")))
            .unwrap_or_else(|| panic!("no {name} event in {events:?}"))
    };
    assert_eq!(find("fetch_started").0, tracing::Level::DEBUG);
    assert_eq!(find("retry_scheduled").0, tracing::Level::WARN);
    assert!(find("retry_scheduled").2.contains(r#""wait_ms":150"#), "fields as JSON: {:?}", find("retry_scheduled"));
    assert_eq!(find("fetch_succeeded").0, tracing::Level::INFO);
    assert_eq!(find("cache_hit").0, tracing::Level::DEBUG);
    assert_eq!(listened.load(Ordering::SeqCst), events.len(), "the listener gets the same events");
    for (_, _, fields) in &events {
        assert!(!fields.contains(secret), "an event quoted the token: {fields}");
        assert!(!fields.contains("assertion"), "an event quoted the grant: {fields}");
    }
}
