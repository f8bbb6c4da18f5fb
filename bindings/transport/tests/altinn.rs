//! Altinn tokens through the real provider against the simulator's Altinn platform: both
//! stages, the cached token reused, a due one refreshed, and each error status typed.

use maskinporten::{AltinnExchange, AltinnPlatform, Client, Environment, FlowOptions, GrantOptions, Key};
use maskinporten_simulator::{FaultKind, FaultSpec, Simulator, SimulatorConfig};
use maskinporten_transport::{BoxFuture, Clock, SystemClock, TokenProvider};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

const X5C_CLIENT: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
const ALTINN_READ: &str = "altinn:instances.read";
const EXCHANGE_PATH: &str = "/altinn/authentication/api/v1/exchange/maskinporten";

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

async fn simulator() -> Simulator {
    let config = SimulatorConfig::from_file(repo("tests/simulator/e2e.toml")).expect("e2e.toml");
    Simulator::start(config, 0).await.expect("simulator starts")
}

/// The system clock moved by an offset the test sets: the provider's time only (the simulator
/// keeps the real time).
#[derive(Clone, Default)]
struct AheadClock(Arc<AtomicI64>);

impl Clock for AheadClock {
    fn now_ms(&self) -> i64 {
        SystemClock.now_ms() + self.0.load(Ordering::SeqCst)
    }

    fn sleep_until(&self, until_ms: i64) -> BoxFuture<'_, ()> {
        SystemClock.sleep_until(until_ms - self.0.load(Ordering::SeqCst))
    }
}

fn provider(sim: &Simulator, clock: AheadClock) -> TokenProvider {
    let data = std::fs::read(repo("tests/vectors/keys/client.p12")).expect("client.p12");
    let key = Key::from_pkcs12(&data, "vector-password", None).expect("key");
    let client = Client::new(X5C_CLIENT, key, Environment::from_name(sim.issuer()).expect("env")).expect("client");
    let quick = FlowOptions { initial_backoff_ms: Some(10), max_backoff_ms: Some(20), ..FlowOptions::default() };
    TokenProvider::new(client).expect("provider").with_options(&quick).expect("options").with_clock(clock)
}

fn exchange(sim: &Simulator) -> AltinnExchange {
    AltinnExchange::new(AltinnPlatform::custom(&sim.altinn_platform()).expect("platform"))
}

fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url");
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn altinn_token_cached_and_refreshed() {
    let sim = simulator().await;
    let clock = AheadClock::default();
    let provider = provider(&sim, clock.clone());
    let (options, exchange) = (GrantOptions::new([ALTINN_READ]), exchange(&sim));

    let first = provider.altinn_token(&options, &exchange).await.expect("Altinn token");
    let c = claims(first.access_token());
    assert_eq!(c["urn:altinn:orgNumber"], "311000004");
    assert_eq!(c["urn:altinn:authenticatemethod"], "maskinporten");
    assert_eq!(first.expires_in(), 60, "the Altinn token's own exp (e2e.toml: 60 s), not the 120 s of Maskinporten's");
    let stats = sim.stats();
    assert_eq!((stats.tokens_issued, stats.altinn_tokens_issued), (1, 1));

    // Cached: no request at all; the Maskinporten token is cached too, for token() callers.
    let again = provider.altinn_token(&options, &exchange).await.expect("cached");
    assert_eq!(again.access_token(), first.access_token());
    let mp = provider.token(&options).await.expect("the inner Maskinporten token");
    assert_ne!(mp.access_token(), first.access_token());
    assert_eq!(sim.stats().tokens_issued, 1, "the exchange's Maskinporten token is shared");

    // 40 s later the Altinn token is due (refresh 30 s before exp), the Maskinporten token is not.
    clock.0.store(40_000, Ordering::SeqCst);
    let refreshed = provider.altinn_token(&options, &exchange).await.expect("refreshed");
    assert_ne!(refreshed.access_token(), first.access_token());
    let stats = sim.stats();
    assert_eq!((stats.tokens_issued, stats.altinn_tokens_issued), (1, 2), "only the exchange again");

    // An API's 401 for the Altinn token drops it; the next call exchanges again.
    assert!(provider.reject_altinn(&options, &exchange, refreshed.access_token()));
    assert!(!provider.reject_altinn(&options, &exchange, refreshed.access_token()), "already dropped");
    let after = provider.altinn_token(&options, &exchange).await.expect("after 401");
    assert_ne!(after.access_token(), refreshed.access_token());
    assert_eq!(sim.stats().altinn_tokens_issued, 3);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_organisation_on_a_platform_that_allows_it() {
    let sim = simulator().await;
    let exchange = exchange(&sim).with_test_org(true).expect("loopback http platform allows test=true");
    let token = provider(&sim, AheadClock::default())
        .altinn_token(&GrantOptions::new(["altinn:serviceowner"]), &exchange)
        .await
        .expect("token");
    assert_eq!(claims(token.access_token())["urn:altinn:org"], "ttd");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_error_status_is_typed() {
    let sim = simulator().await;
    let provider = provider(&sim, AheadClock::default());
    let exchange = exchange(&sim);
    let fault = |status: u16, count: u64| {
        sim.inject_fault(
            FaultSpec::new(FaultKind::Status).with_status(status).with_count(count).with_path(EXCHANGE_PATH),
        )
        .expect("fault");
    };
    let kind = |result: maskinporten::Result<maskinporten::AccessToken>| {
        let error = result.expect_err("refused");
        (error.kind().as_str().to_string(), error.status(), error.is_retryable())
    };

    // 403 from the platform itself: the Maskinporten token has no Altinn scope.
    let plain = GrantOptions::new(["test:scope.read"]);
    assert_eq!(kind(provider.altinn_token(&plain, &exchange).await), ("altinn_forbidden".into(), Some(403), false));

    let options = GrantOptions::new([ALTINN_READ]);
    fault(400, 1);
    let bad = provider.altinn_token(&options, &exchange).await;
    assert_eq!(kind(bad), ("altinn_exchange_invalid".into(), Some(400), false));
    fault(410, 1);
    assert_eq!(
        kind(provider.altinn_token(&options, &exchange).await),
        ("altinn_exchange_invalid".into(), Some(410), false)
    );

    // 401 twice: a new Maskinporten token once, then the typed error.
    let issued = sim.stats().tokens_issued;
    fault(401, 2);
    let rejected = provider.altinn_token(&options, &exchange).await;
    assert_eq!(kind(rejected), ("altinn_token_rejected".into(), Some(401), false));
    assert_eq!(sim.stats().tokens_issued, issued + 1, "renewed once after the first 401");

    // 429 and 503 are retried; four in a row exhaust the attempts.
    fault(429, 1);
    fault(503, 1);
    let before = sim.stats().altinn_requests;
    provider.altinn_token(&options, &exchange).await.expect("retried to success");
    assert_eq!(sim.stats().altinn_requests, before + 3);
    // A cached token is served without asking: drop it, then fail every attempt.
    let cached = provider.altinn_token(&options, &exchange).await.expect("cached");
    assert!(provider.reject_altinn(&options, &exchange, cached.access_token()));
    fault(503, 4);
    assert_eq!(kind(provider.altinn_token(&options, &exchange).await), ("unavailable".into(), Some(503), true));
    sim.shutdown().await;
}
