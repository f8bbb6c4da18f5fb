//! `TokenValidator` against tokens the simulator issued, with the JWKS fetched over loopback.

use maskinporten::{Client, Environment, GrantOptions, Key, Requirements, Validator};
use maskinporten_simulator::{Simulator, SimulatorConfig};
use maskinporten_transport::{TokenProvider, TokenValidator};

const SCOPE: &str = "test:scope.read";

fn vectors(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).expect("vector file")
}

async fn setup() -> (Simulator, TokenProvider, TokenValidator) {
    let config = SimulatorConfig::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/simulator/e2e.toml"));
    let sim = Simulator::start(config.expect("e2e.toml"), 0).await.expect("simulator");
    let environment = Environment::from_name(sim.issuer()).expect("environment");
    let key = Key::from_pkcs12(&vectors("keys/client.p12"), "vector-password", None).expect("key");
    let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, environment.clone()).expect("client");
    let validator = TokenValidator::new(Validator::new(environment)).expect("validator");
    (sim, TokenProvider::new(client).expect("provider"), validator)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validates_simulator_tokens_and_names_failed_checks() {
    let (sim, provider, validator) = setup().await;
    let token = provider.token(&GrantOptions::new([SCOPE])).await.expect("token");
    let bearer = format!("Bearer {}", token.access_token());
    let valid = validator.validate(&bearer, &Requirements::any_scope([SCOPE])).await.expect("valid");
    assert_eq!(valid.consumer.org_number.as_deref(), Some("311000004"));
    assert_eq!(valid.scopes, vec![SCOPE]);

    let err = validator.validate(token.access_token(), &Requirements::all_scopes([SCOPE, "test:scope.write"])).await;
    assert_eq!(err.expect_err("scope").kind(), "insufficient_scope");
    let err = validator
        .validate(token.access_token(), &Requirements::any_scope_unchecked().with_consumer_orgs(["312000008"]))
        .await;
    assert_eq!(err.expect_err("consumer").kind(), "consumer_not_allowed");

    // A token from another issuer's key names a kid this JWKS lacks: the core refetches at most once a
    // minute (the JWKS was just fetched), so it is refused as unknown_kid.
    let foreign =
        std::fs::read_to_string(format!("{}/../../tests/vectors/validation.json", env!("CARGO_MANIFEST_DIR")))
            .expect("validation vectors");
    let foreign: serde_json::Value = serde_json::from_str(&foreign).expect("JSON");
    let foreign_token = foreign["cases"][0]["token"].as_str().expect("token");
    let err = validator.validate(foreign_token, &Requirements::any_scope_unchecked()).await.expect_err("foreign key");
    assert_eq!(err.kind(), "unknown_kid");
    assert!(!err.to_string().contains(&foreign_token[..30]), "the error does not echo the token");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_issuer_is_a_retryable_error() {
    let environment = Environment::from_name("http://127.0.0.1:9/").expect("environment");
    let validator = TokenValidator::new(Validator::new(environment)).expect("validator");
    let err = validator.validate("a.b.c", &Requirements::any_scope_unchecked()).await.expect_err("no JWKS");
    assert!(err.is_retryable(), "{err}");
}
