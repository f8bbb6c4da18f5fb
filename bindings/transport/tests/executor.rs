//! The executor's own duties, beyond the flow vectors: cancellation of a dropped future, host signing, naming reqwest's failures by the core's kinds, the cache-key
//! memo, and redaction of every public object that can hold a token, a grant or a key.

use common::{FakeClock, Script};
use maskinporten::{
    Algorithm, Client, Environment, FlowEvent, FlowOptions, GrantOptions, HttpRequest, Key, Requirements,
    TransportFailure, Validator,
};
use maskinporten_transport::{
    BoxFuture, RawResponse, ReqwestTransport, Signer, TokenProvider, TokenValidator, Transport, TransportError,
};
use maskinporten_vectors::vectors_dir;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

const CLIENT_ID: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
const START_MS: i64 = 1_767_225_600_000;

fn p12_key() -> Key {
    let data = std::fs::read(vectors_dir().join("keys/client.p12")).expect("client.p12");
    Key::from_pkcs12(&data, "vector-password", None).expect("key")
}

fn client() -> Client {
    Client::new(CLIENT_ID, p12_key(), Environment::test()).expect("client")
}

fn ok_answer(token: &str) -> Value {
    json!({"status": 200, "content_type": "application/json",
           "body": format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":120}}"#)})
}

/// A provider on a fake clock with these scripted answers.
fn scripted(answers: Value) -> (TokenProvider, Script) {
    let (clock, script) = (FakeClock::default(), Script::default());
    clock.set(START_MS);
    script.load(&answers);
    let provider = TokenProvider::new(client())
        .expect("provider")
        .with_clock(clock)
        .with_transport(script.clone())
        .with_jitter(|| 0.5);
    (provider, script)
}

// ---- cancellation ----

/// The first request never gets an answer; later ones get `answer`.
struct StallFirst {
    sent: AtomicUsize,
    answer: RawResponse,
}

impl Transport for StallFirst {
    fn send<'a>(&'a self, _: &'a HttpRequest) -> BoxFuture<'a, Result<RawResponse, TransportError>> {
        let first = self.sent.fetch_add(1, Ordering::SeqCst) == 0;
        let answer = self.answer.clone();
        Box::pin(async move {
            if first {
                std::future::pending::<()>().await;
            }
            Ok(answer)
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_token_future_hands_its_fetch_to_the_next_caller() {
    let body = br#"{"access_token":"tok-b","token_type":"Bearer","expires_in":120}"#.to_vec();
    let answer = RawResponse { status: 200, body, ..RawResponse::default() };
    let cancelled = Arc::new(AtomicUsize::new(0));
    let seen = cancelled.clone();
    let provider = TokenProvider::new(client())
        .expect("provider")
        .with_transport(StallFirst { sent: AtomicUsize::new(0), answer })
        .with_event_listener(move |event| {
            if matches!(event, FlowEvent::FetchCancelled { .. }) {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
    let options = GrantOptions::new(["test:scope.read"]);
    let first = tokio::time::timeout(Duration::from_millis(100), provider.token(&options)).await;
    assert!(first.is_err(), "the first caller gave up while its request hung");
    assert_eq!(cancelled.load(Ordering::SeqCst), 1, "the dropped future cancelled its call");
    let started = Instant::now();
    let token = provider.token(&options).await.expect("the next caller fetches at once");
    assert_eq!(token.access_token(), "tok-b");
    assert!(started.elapsed() < Duration::from_secs(5), "no wait for the abandoned lease");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_validation_hands_the_jwks_fetch_back() {
    let jwks = std::fs::read(vectors_dir().join("keys/issuer.jwks.json")).expect("JWKS");
    let answer = RawResponse { status: 200, body: jwks, ..RawResponse::default() };
    let validator = TokenValidator::new(Validator::new(Environment::test()))
        .expect("validator")
        .with_transport(StallFirst { sent: AtomicUsize::new(0), answer });
    let requirements = Requirements::any_scope(["test:scope.read"]);
    let first = tokio::time::timeout(Duration::from_millis(100), validator.validate("a.b.c", &requirements)).await;
    assert!(first.is_err(), "the first validation gave up while the JWKS request hung");
    let started = Instant::now();
    let error = validator.validate("a.b.c", &requirements).await.expect_err("a malformed token");
    assert_eq!(error.kind(), "token_malformed", "the JWKS was fetched anew and the token checked: {error}");
    assert!(started.elapsed() < Duration::from_secs(5), "no wait for the abandoned fetch");
}

// ---- host signing ----

struct KeySigner(Key);

impl Signer for KeySigner {
    fn sign<'a>(&'a self, signing_input: &'a [u8], algorithm: Algorithm) -> BoxFuture<'a, Result<Vec<u8>, String>> {
        Box::pin(async move { self.0.sign(algorithm, signing_input).map_err(|e| e.to_string()) })
    }
}

fn external_client() -> Client {
    let chain = std::fs::read_to_string(vectors_dir().join("keys/client.chain.pem")).expect("chain");
    let key = Key::from_external(Some(&chain), None).expect("external key");
    Client::new(CLIENT_ID, key, Environment::test()).expect("client")
}

fn pem_key(file: &str) -> Key {
    Key::from_pem(&std::fs::read_to_string(vectors_dir().join(file)).expect("key file"), None).expect("key")
}

#[tokio::test]
async fn a_key_elsewhere_is_signed_by_the_hosts_signer() {
    let run = |signer: Option<KeySigner>| async move {
        let (clock, script) = (FakeClock::default(), Script::default());
        clock.set(START_MS);
        script.load(&json!([ok_answer("tok-hsm")]));
        let mut provider =
            TokenProvider::new(external_client()).expect("provider").with_clock(clock).with_transport(script.clone());
        if let Some(signer) = signer {
            provider = provider.with_signer(signer);
        }
        (provider.token(&GrantOptions::new(["test:scope.read"])).await, script)
    };

    let (token, script) = run(Some(KeySigner(pem_key("keys/client.key.pem")))).await;
    assert_eq!(token.expect("signed by the signer").access_token(), "tok-hsm");
    assert!(script.sent()[0].body.contains("assertion=ey"), "the signed grant was posted");

    let (wrong, script) = run(Some(KeySigner(pem_key("keys/other.key.pem")))).await;
    let error = wrong.expect_err("a signature by another key");
    assert!(script.sent().is_empty(), "checked against the certificate before sending: {error}");

    let (unsigned, _) = run(None).await;
    let error = unsigned.expect_err("no signer");
    assert_eq!(error.kind(), "signer_failed");
    assert!(error.to_string().contains("with_signer"), "says how to fix it: {error}");
}

// ---- reqwest failures by kind ----

fn get(url: &str) -> HttpRequest {
    HttpRequest { method: "GET".into(), url: url.into(), headers: Vec::new(), body: String::new() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_failures_are_named_by_the_cores_kinds() {
    let transport = ReqwestTransport::with_default_client().expect("transport");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let refused = transport.send(&get(&format!("http://{closed}/"))).await.expect_err("nobody listens");
    assert_eq!(refused.failure, TransportFailure::Connect, "{refused:?}");

    // Accepts and closes at once: the connection breaks before an answer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    let reset = transport.send(&get(&format!("http://{address}/"))).await.expect_err("closed");
    assert_eq!(reset.failure, TransportFailure::Reset, "{reset:?}");

    // Speaks plain HTTP where TLS is expected.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = plain.local_addr().expect("addr");
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut socket, _)) = plain.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await;
        }
    });
    let tls = transport.send(&get(&format!("https://{address}/"))).await.expect_err("not TLS");
    assert_eq!(tls.failure, TransportFailure::Tls, "{tls:?}");
}

// ---- the cache-key memo ----

#[tokio::test]
async fn more_option_sets_than_the_memo_holds_still_hit_the_cache() {
    let answers: Vec<Value> = (0..20).map(|i| ok_answer(&format!("tok-{i}"))).collect();
    let (provider, script) = scripted(Value::Array(answers));
    let options: Vec<GrantOptions> = (0..20).map(|i| GrantOptions::new([format!("test:scope.{i}")])).collect();
    for (i, option) in options.iter().enumerate() {
        assert_eq!(provider.token(option).await.expect("token").access_token(), format!("tok-{i}"));
    }
    for (i, option) in options.iter().enumerate() {
        assert_eq!(provider.token(option).await.expect("cached").access_token(), format!("tok-{i}"));
    }
    assert_eq!(script.sent().len(), 20, "each option set fetched once, then served from the core's cache");
    assert!(!provider.reject(&options[0], "tok-unknown"), "a 401 for a token never given drops nothing");
    assert!(provider.reject(&options[0], "tok-0"));
}

#[test]
fn settings_are_checked_by_the_core() {
    let error = TokenProvider::new(client())
        .expect("provider")
        .with_options(&FlowOptions { deadline_ms: Some(1_767_225_600_000), ..FlowOptions::default() })
        .expect_err("a timestamp is not a deadline");
    assert_eq!((error.kind().as_str(), error.field()), ("invalid_argument", Some("deadline_ms")));
    let provider = TokenProvider::new(client())
        .expect("provider")
        .with_options(&FlowOptions { max_attempts: Some(2), ..FlowOptions::default() })
        .expect("options");
    assert_eq!(provider.retry_policy().max_attempts(), 2);
}

// ---- redaction ----

#[tokio::test]
async fn no_public_object_prints_a_secret() {
    let secret_token = "eyJ0b3Atc2VjcmV0LWFjY2Vzcy10b2tlbg";
    let (provider, script) = scripted(json!([ok_answer(secret_token)]));
    let options = GrantOptions::new(["test:scope.read"]);
    let token = provider.token(&options).await.expect("token");
    let grant = script.sent()[0].body.clone();
    let assertion = grant.split("assertion=").nth(1).expect("assertion").to_string();
    let key_pem = std::fs::read_to_string(vectors_dir().join("keys/client.key.pem")).expect("PEM");
    let key_line = key_pem.lines().nth(1).expect("a base64 line of the key").to_string();

    let validator = Arc::new(TokenValidator::new(Validator::new(Environment::test())).expect("validator"));
    let auth = maskinporten_transport::axum::BearerAuth::new(validator.clone(), Requirements::any_scope(["a:b"]))
        .expect("auth");
    let raw = RawResponse {
        status: 200,
        body: format!(r#"{{"access_token":"{secret_token}"}}"#).into_bytes(),
        ..RawResponse::default()
    };
    let blocking = tokio::task::spawn_blocking(|| {
        let provider = maskinporten_transport::blocking::TokenProvider::new(client()).expect("provider");
        let validator = maskinporten_transport::blocking::TokenValidator::new(Validator::new(Environment::test()))
            .expect("validator");
        (format!("{provider:?} {provider:#?}"), format!("{validator:?} {validator:#?}"))
    })
    .await
    .expect("blocking");
    let printed = [
        format!("{provider:?}"),
        format!("{provider:#?}"),
        format!("{validator:?} {validator:#?}"),
        format!("{auth:?} {auth:#?}"),
        format!("{raw:?} {raw:#?}"),
        format!("{:?}", TransportError::new(TransportFailure::Reset, "connection reset")),
        blocking.0,
        blocking.1,
    ];
    assert!(token.access_token() == secret_token);
    for text in printed {
        for secret in [secret_token, assertion.as_str(), key_line.as_str(), "vector-password"] {
            assert!(!text.contains(secret), "{text} shows a secret");
        }
    }
}
