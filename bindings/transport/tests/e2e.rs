//! The transport against the simulator over loopback: success paths, MP errors, each injected
//! fault, retries only for retryable errors, the deadline, the cache and single flight, all
//! decided by the core's token flow that the provider executes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use maskinporten::{AuthorizationDetail, Client, Environment, FlowEvent, FlowOptions, GrantOptions, Key, Resource};
use maskinporten_simulator::{FaultKind, FaultSpec, Simulator, SimulatorConfig};
use maskinporten_transport::TokenProvider;
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const X5C_CLIENT: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
const KID_CLIENT: &str = "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20";
const READ: &str = "test:scope.read";
const DELEGABLE: &str = "brreg:reelle/rapporteringspliktig";

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

async fn simulator() -> Simulator {
    let config = SimulatorConfig::from_file(repo("tests/simulator/e2e.toml")).expect("e2e.toml");
    Simulator::start(config, 0).await.expect("simulator starts")
}

fn p12_key() -> Key {
    let data = std::fs::read(repo("tests/vectors/keys/client.p12")).expect("client.p12");
    Key::from_pkcs12(&data, "vector-password", None).expect("key")
}

fn x5c_client(sim: &Simulator) -> Client {
    Client::new(X5C_CLIENT, p12_key(), Environment::from_name(sim.issuer()).expect("env")).expect("client")
}

/// Fast retries so fault tests take milliseconds.
fn quick() -> FlowOptions {
    FlowOptions {
        initial_backoff_ms: Some(10),
        max_backoff_ms: Some(20),
        attempt_timeout_ms: Some(5_000),
        deadline_ms: Some(10_000),
        ..FlowOptions::default()
    }
}

fn provider(sim: &Simulator) -> TokenProvider {
    TokenProvider::new(x5c_client(sim)).expect("provider").with_options(&quick()).expect("options")
}

/// Counts the retries the core schedules, from the provider's events.
fn count_retries(provider: TokenProvider) -> (TokenProvider, Arc<AtomicU32>) {
    let retries = Arc::new(AtomicU32::new(0));
    let seen = retries.clone();
    let provider = provider.with_event_listener(move |event| {
        if matches!(event, FlowEvent::RetryScheduled { .. }) {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    (provider, retries)
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x5c_client_gets_a_token_with_maskinportens_claims() {
    let sim = simulator().await;
    let token = provider(&sim).token(&GrantOptions::new([READ])).await.expect("token");
    assert_eq!(token.token_type(), "Bearer");
    assert_eq!(token.scope(), Some(READ));
    let c = claims(token.access_token());
    assert_eq!(c["iss"], sim.issuer());
    assert_eq!(c["client_id"], X5C_CLIENT);
    assert_eq!(c["client_amr"], "virksomhetssertifikat");
    assert_eq!(c["consumer"]["ID"], "0192:311000004");
    assert!(c.get("aud").is_none(), "no aud without resource");
    assert_eq!(sim.stats().tokens_issued, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kid_client_with_registered_jwk() {
    let sim = simulator().await;
    let jwk = std::fs::read_to_string(repo("tests/vectors/keys/client.jwk.json")).expect("jwk");
    let key = Key::from_jwk(&jwk).expect("key");
    let client = Client::new(KID_CLIENT, key, Environment::from_name(sim.issuer()).expect("env")).expect("client");
    let token = TokenProvider::new(client).expect("provider").token(&GrantOptions::new([READ])).await.expect("token");
    assert_eq!(claims(token.access_token())["client_amr"], "private_key_jwt");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegation_resource_and_system_user() {
    let sim = simulator().await;
    let p = provider(&sim);

    let delegated = p.token(&GrantOptions::new([DELEGABLE]).with_consumer_org("312000008")).await.expect("delegated");
    let c = claims(delegated.access_token());
    assert_eq!(c["consumer"]["ID"], "0192:312000008");
    assert_eq!(c["supplier"]["ID"], "0192:311000004");
    assert!(c.get("delegation_source").is_some());

    let resource = "https://api.example.no/";
    let scoped =
        p.token(&GrantOptions::new([READ]).with_resource(Resource::One(resource.into()))).await.expect("resource");
    assert_eq!(claims(scoped.access_token())["aud"], resource);

    let detail = AuthorizationDetail::system_user("313000001", None).expect("detail");
    let rar = p.token(&GrantOptions::new([READ]).with_authorization_detail(detail)).await.expect("system user");
    let c = claims(rar.access_token());
    assert_eq!(c["authorization_details"][0]["type"], "urn:altinn:systemuser");
    assert_eq!(c["authorization_details"][0]["systemuser_org"]["ID"], "0192:313000001");
    assert_eq!(sim.stats().tokens_issued, 3, "three different cache keys, three tokens");
    sim.shutdown().await;
}

/// One MP error per kind of mistake the transport can make reach the server; none is retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp_errors_come_back_typed_and_are_not_retried() {
    let sim = simulator().await;
    let env = Environment::from_name(sim.issuer()).expect("env");
    let wrong_aud = Environment::custom("http://127.0.0.1:1/", &sim.token_endpoint(), &sim.jwks_uri()).expect("env");
    let other_key = std::fs::read_to_string(repo("tests/vectors/keys/other.key.pem")).expect("other key");
    let cases: Vec<(&str, Client, GrantOptions, &str, &str)> = vec![
        ("unregistered scope", x5c_client(&sim), GrantOptions::new(["test:not.granted"]), "MP-200", "invalid_scope"),
        (
            "wrong aud",
            Client::new(X5C_CLIENT, p12_key(), wrong_aud).expect("c"),
            GrantOptions::new([READ]),
            "MP-110",
            "invalid_grant",
        ),
        (
            "unknown client",
            Client::new("no-such-client", p12_key(), env.clone()).expect("c"),
            GrantOptions::new([READ]),
            "MP-100",
            "invalid_grant",
        ),
        (
            "unknown kid",
            Client::new(
                KID_CLIENT,
                Key::from_pem(&other_key, None).and_then(|k| k.with_kid("unknown-kid")).expect("k"),
                env.clone(),
            )
            .expect("c"),
            GrantOptions::new([READ]),
            "MP-100",
            "invalid_grant",
        ),
        (
            "not delegated",
            x5c_client(&sim),
            GrantOptions::new([READ]).with_consumer_org("312000008"),
            "MP-251",
            "invalid_scope",
        ),
        (
            "unknown onbehalfof",
            x5c_client(&sim),
            GrantOptions::new([READ]).with_iss_onbehalfof("kommune-y"),
            "MP-011",
            "invalid_request",
        ),
        (
            "unknown system user",
            x5c_client(&sim),
            GrantOptions::new([READ])
                .with_authorization_detail(AuthorizationDetail::system_user("974760673", None).expect("d")),
            "MP-303",
            "invalid_authorization_details",
        ),
    ];
    for (name, client, options, mp, oauth) in cases {
        sim.reset();
        let p = TokenProvider::new(client).expect("provider").with_options(&quick()).expect("options");
        let err = p.token(&options).await.expect_err(name);
        assert_eq!(err.kind(), "oauth_error", "{name}: {err}");
        assert_eq!(err.mp_code(), Some(mp), "{name}: {err}");
        assert!(!err.is_retryable(), "{name}");
        match &err {
            maskinporten::Error::OAuth(o) => assert_eq!(o.error, oauth, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(sim.stats().requests, 1, "{name}: a refusal is not retried");
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_retryable_fault_is_retried_then_succeeds() {
    let sim = simulator().await;
    let faults = [
        FaultSpec::new(FaultKind::Status).with_status(503).with_count(2),
        FaultSpec::new(FaultKind::Html).with_status(502).with_count(2),
        FaultSpec::new(FaultKind::Empty).with_status(504).with_count(2),
        FaultSpec::new(FaultKind::Close).with_count(2),
        FaultSpec::new(FaultKind::Status).with_status(429).with_count(2),
    ];
    for fault in faults {
        sim.reset();
        let (p, retries) = count_retries(provider(&sim));
        let label = format!("{fault:?}");
        sim.inject_fault(fault).expect("fault");
        let token = p.token(&GrantOptions::new([READ])).await.unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(!token.access_token().is_empty());
        let stats = sim.stats();
        assert_eq!(stats.requests, 3, "{label}: two faulted attempts and one good one");
        assert_eq!(stats.tokens_issued, 1, "{label}");
        assert_eq!(retries.load(Ordering::SeqCst), 2, "{label}: an event for each retry");
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_5xx_gives_up_after_max_attempts_with_the_status() {
    let sim = simulator().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Html).with_status(502)).expect("fault");
    let p = TokenProvider::new(x5c_client(&sim))
        .expect("provider")
        .with_options(&FlowOptions { max_attempts: Some(3), ..quick() })
        .expect("options");
    let err = p.token(&GrantOptions::new([READ])).await.expect_err("502 forever");
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(502));
    assert!(!err.to_string().contains("<html>") || err.to_string().len() < 400, "short snippet only: {err}");
    assert_eq!(sim.stats().requests, 3);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_beyond_the_deadline_is_unavailable_in_time() {
    let sim = simulator().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(3000)).expect("fault");
    let options =
        FlowOptions { attempt_timeout_ms: Some(300), deadline_ms: Some(800), max_attempts: Some(10), ..quick() };
    let p = TokenProvider::new(x5c_client(&sim)).expect("provider").with_options(&options).expect("options");
    let started = Instant::now();
    let err = p.token(&GrantOptions::new([READ])).await.expect_err("too slow");
    let took = started.elapsed();
    assert_eq!(err.kind(), "unavailable", "{err}");
    assert_eq!(err.status(), None);
    assert!(took >= Duration::from_millis(300), "at least one attempt timed out: {took:?}");
    assert!(
        took < Duration::from_millis(2000),
        "the deadline (800 ms) holds, with room for a loaded machine: {took:?}"
    );
    assert!(sim.stats().requests >= 2, "timeouts are retried within the deadline");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_latency_is_just_waited_for() {
    let sim = simulator().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(200).with_count(1)).expect("fault");
    let started = Instant::now();
    provider(&sim).token(&GrantOptions::new([READ])).await.expect("token");
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(sim.stats().requests, 1, "no retry for a slow but timely answer");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection_is_unavailable_and_retried() {
    // Bind then drop a listener: a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let env = Environment::from_name(&format!("http://127.0.0.1:{port}/")).expect("env");
    let client = Client::new(X5C_CLIENT, p12_key(), env).expect("client");
    let options = FlowOptions { max_attempts: Some(3), ..quick() };
    let (p, attempts) =
        count_retries(TokenProvider::new(client).expect("provider").with_options(&options).expect("options"));
    let err = p.token(&GrantOptions::new([READ])).await.expect_err("nobody listens");
    assert_eq!(err.kind(), "unavailable");
    assert!(err.to_string().contains("could not connect"), "{err}");
    assert_eq!(attempts.load(Ordering::SeqCst), 2, "3 attempts, 2 pauses");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_call_is_served_from_the_cache() {
    let sim = simulator().await;
    let p = provider(&sim);
    let options = GrantOptions::new([READ]);
    let first = p.token(&options).await.expect("first");
    let second = p.token(&options).await.expect("second");
    assert_eq!(first.access_token(), second.access_token());
    assert_eq!(sim.stats().requests, 1, "no second token request");
    assert!(p.reject(&options, first.access_token()), "the API's 401 drops that token");
    let third = p.token(&options).await.expect("third");
    assert_ne!(third.access_token(), first.access_token());
    assert_eq!(sim.stats().requests, 2);
    assert!(!p.reject(&options, first.access_token()), "a late 401 for the old token keeps the new one");
    assert_eq!(p.token(&options).await.expect("fourth").access_token(), third.access_token());
    assert_eq!(sim.stats().requests, 2);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_fetch() {
    let sim = simulator().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(300).with_count(1)).expect("fault");
    let p = Arc::new(provider(&sim));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.token(&GrantOptions::new([READ])).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.expect("join").expect("token").access_token().to_string());
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "every caller got the same token");
    assert_eq!(sim.stats().requests, 1, "single flight: one token request for eight callers");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_fetch_does_not_block_the_next_caller() {
    let sim = simulator().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(2000).with_count(1)).expect("fault");
    let p = provider(&sim);
    let options = GrantOptions::new([READ]);
    let cancelled = tokio::time::timeout(Duration::from_millis(200), p.token(&options)).await;
    assert!(cancelled.is_err(), "the first call was cancelled mid-fetch");
    let started = Instant::now();
    p.token(&options).await.expect("the next caller fetches at once");
    assert!(started.elapsed() < Duration::from_secs(10), "did not wait for the cancelled fetch's 30 s lease");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_is_discovered() {
    let sim = simulator().await;
    let http = maskinporten_transport::default_http_client().expect("http");
    let env = maskinporten_transport::fetch_metadata(&http, sim.issuer()).await.expect("metadata");
    assert_eq!(env.issuer(), sim.issuer());
    assert_eq!(env.token_endpoint(), sim.token_endpoint());
    assert_eq!(env.jwks_uri(), sim.jwks_uri());
    sim.inject_fault(
        FaultSpec::new(FaultKind::Status).with_status(503).with_path("/.well-known/oauth-authorization-server"),
    )
    .expect("fault");
    let err = maskinporten_transport::fetch_metadata(&http, sim.issuer()).await.expect_err("503");
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(503));
    sim.shutdown().await;
}

#[test]
fn blocking_provider_caches_and_maps_errors() {
    let config = SimulatorConfig::from_file(repo("tests/simulator/e2e.toml")).expect("e2e.toml");
    let sim = Simulator::start_blocking(config, 0).expect("simulator");
    let client =
        Client::new(X5C_CLIENT, p12_key(), Environment::from_name(sim.issuer()).expect("env")).expect("client");
    let p = maskinporten_transport::blocking::TokenProvider::new(client)
        .expect("provider")
        .with_options(&quick())
        .expect("options");
    let a = p.token(&GrantOptions::new([READ])).expect("token");
    let b = p.token(&GrantOptions::new([READ])).expect("cached");
    assert_eq!(a.access_token(), b.access_token());
    assert_eq!(sim.stats().requests, 1);
    let err = p.token(&GrantOptions::new(["test:not.granted"])).expect_err("MP-200");
    assert_eq!(err.mp_code(), Some("MP-200"));
    assert!(err.hint().is_some(), "the core adds a hint for MP-200");
    let env = maskinporten_transport::blocking::fetch_metadata(sim.issuer()).expect("metadata");
    assert_eq!(env.token_endpoint(), sim.token_endpoint());
    sim.shutdown();
}

#[test]
fn debug_output_never_shows_the_token() {
    let raw = maskinporten_transport::RawResponse {
        status: 200,
        content_type: None,
        retry_after: None,
        body: b"{\"access_token\":\"secret-token\"}".to_vec(),
    };
    assert!(!format!("{raw:?}").contains("secret-token"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_provider_also_works_inside_a_runtime() {
    let sim = simulator().await;
    let client = x5c_client(&sim);
    let p = maskinporten_transport::blocking::TokenProvider::new(client).expect("provider");
    let token = p.token(&GrantOptions::new([READ])).expect("token from a helper thread");
    assert_eq!(token.token_type(), "Bearer");
    drop(p); // no panic: its runtime is shut down in the background
    let env = maskinporten_transport::blocking::fetch_metadata(sim.issuer()).expect("metadata");
    assert_eq!(env.issuer(), sim.issuer());
    sim.shutdown().await;
}
