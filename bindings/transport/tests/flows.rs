//! Every scenario of `tests/vectors/flows.json` through the real `TokenProvider` and
//! `TokenValidator`: a fake clock (Unix ms) whose sleeps record their length and move time
//! forward, the document's fixed jitter, a scripted transport, and each phase's callers as
//! concurrent tokio tasks. Outcomes are compared by the reference executor's own
//! `flow_runner::check_scenario`. Also `validation.json`'s cases (with `expected_rejection` and
//! `any_scope_unchecked`) and its `headers` list, through the same validator.

use common::{FakeClock, Script};
use maskinporten::{bearer_token, Environment, Error, Requirements, ValidatedToken, Validator};
use maskinporten_transport::{TokenProvider, TokenValidator};
use maskinporten_vectors::flow_runner::{check_scenario, scenario_client, PhaseOutcome};
use maskinporten_vectors::vectors_dir;
use serde_json::{json, Value};
use std::sync::Arc;

mod common;

fn flows() -> Value {
    serde_json::from_slice(&std::fs::read(vectors_dir().join("flows.json")).expect("flows.json")).expect("JSON")
}

fn result_of_token(outcome: &Result<maskinporten::AccessToken, Error>) -> Value {
    match outcome {
        Ok(token) => json!({"token": token.access_token()}),
        Err(error) => json!({"error": error.kind().as_str(), "status": error.status(), "mp_code": error.mp_code()}),
    }
}

/// The rejection as the vectors write it: status, the challenge's `error` and `scope`.
fn rejection_json(validator: &TokenValidator, error: &Error, requirements: &Requirements) -> Value {
    let rejection = validator.rejection(error, requirements);
    let challenge = rejection.www_authenticate().unwrap_or("");
    let code = challenge.split_once("error=\"").and_then(|(_, rest)| rest.split_once('"')).map(|(c, _)| c);
    let scope = challenge.split_once(", scope=\"").map(|(_, rest)| rest.trim_end_matches('"'));
    json!({"status": rejection.status(), "error": code, "scope": scope})
}

fn result_of_validation(
    validator: &TokenValidator,
    outcome: &Result<ValidatedToken, Error>,
    requirements: &Requirements,
) -> Value {
    match outcome {
        Ok(token) => json!({"valid": {"consumer_org": token.consumer.org_number}}),
        Err(error) => {
            json!({"error": error.kind().as_str(), "rejection": rejection_json(validator, error, requirements)})
        }
    }
}

fn assert_default_policy(scenario: &Value) {
    let name = scenario["name"].as_str().unwrap_or("?");
    assert!(scenario["policy"].is_null(), "{name}: this runner knows only the default policy; teach it this one");
}

/// What a sent request was, as `expect.sent` lists it: `token`, or `exchange <bearer token>`.
fn label(doc: &Value, request: &maskinporten::HttpRequest) -> String {
    if request.method == "POST" {
        return "token".into();
    }
    assert_eq!(request.url, doc["altinn"]["url"].as_str().expect("url"), "the exchange URL");
    let bearer = request.header("authorization").and_then(|v| v.strip_prefix("Bearer ")).expect("bearer");
    format!("exchange {bearer}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_token_scenario_through_the_real_provider() {
    run_token_scenarios("token_scenarios", 15).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_exchange_scenario_through_the_real_provider() {
    run_token_scenarios("exchange_scenarios", 10).await;
}

/// Runs `list`'s scenarios; an exchange scenario's callers ask for Altinn tokens.
async fn run_token_scenarios(list: &str, at_least: usize) {
    let doc = flows();
    let start = doc["start_ms"].as_i64().expect("start_ms");
    let jitter = doc["jitter"].as_f64().expect("jitter");
    let scenarios = doc[list].as_array().expect("scenarios");
    assert!(scenarios.len() >= at_least, "the document has its scenarios");
    let exchange = (list == "exchange_scenarios").then(|| maskinporten_vectors::flow_runner::scenario_exchange(&doc));
    for scenario in scenarios {
        assert_default_policy(scenario);
        let name = scenario["name"].as_str().expect("name");
        let (client, options) = scenario_client(&doc, &vectors_dir());
        let (clock, script) = (FakeClock::default(), Script::default());
        let provider = Arc::new(
            TokenProvider::new(client)
                .expect("provider")
                .with_clock(clock.clone())
                .with_transport(script.clone())
                .with_jitter(move || jitter),
        );
        let mut outcomes = Vec::new();
        for phase in scenario["phases"].as_array().expect("phases") {
            clock.set(start + phase["at_ms"].as_i64().expect("at_ms"));
            script.load(&phase["answers"]);
            let rejected = phase["reject"].as_str().map(str::to_string);
            let sent_before = script.sent().len();
            let callers: Vec<_> = (0..phase["callers"].as_u64().expect("callers"))
                .map(|_| {
                    let (provider, options, rejected) = (provider.clone(), options.clone(), rejected.clone());
                    let exchange = exchange.clone();
                    tokio::spawn(async move {
                        match (rejected, &exchange) {
                            (Some(token), Some(exchange)) => _ = provider.reject_altinn(&options, exchange, &token),
                            (Some(token), None) => _ = provider.reject(&options, &token),
                            _ => {}
                        }
                        match &exchange {
                            Some(exchange) => provider.altinn_token(&options, exchange).await,
                            None => provider.token(&options).await,
                        }
                    })
                })
                .collect();
            let mut results = Vec::new();
            for caller in callers {
                results.push(result_of_token(&caller.await.expect("caller task")));
            }
            let sent = script.sent()[sent_before..].iter().map(|request| label(&doc, request)).collect();
            outcomes.push(PhaseOutcome {
                requests: script.requests(name),
                sleeps_ms: clock.take_sleeps(),
                results,
                sent,
            });
        }
        check_scenario(scenario, &outcomes).unwrap_or_else(|difference| panic!("{difference}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_validation_scenario_through_the_real_validator() {
    let doc = flows();
    let start = doc["start_ms"].as_i64().expect("start_ms");
    let scenarios = doc["validation_scenarios"].as_array().expect("validation_scenarios");
    assert!(scenarios.len() >= 8, "the document has its scenarios");
    for scenario in scenarios {
        assert_default_policy(scenario);
        let name = scenario["name"].as_str().expect("name");
        let (clock, script) = (FakeClock::default(), Script::default());
        let validator = Arc::new(
            TokenValidator::new(Validator::new(Environment::test()))
                .expect("validator")
                .with_clock(clock.clone())
                .with_transport(script.clone()),
        );
        let mut outcomes = Vec::new();
        for phase in scenario["phases"].as_array().expect("phases") {
            clock.set(start + phase["at_ms"].as_i64().expect("at_ms"));
            script.load(&phase["answers"]);
            let scopes: Vec<String> = serde_json::from_value(phase["requirements"]["scopes"].clone()).expect("scopes");
            let requirements = Requirements::any_scope(scopes);
            let token = phase["token"].as_str().expect("token").to_string();
            let callers: Vec<_> = (0..phase["callers"].as_u64().expect("callers"))
                .map(|_| {
                    let (validator, token, requirements) = (validator.clone(), token.clone(), requirements.clone());
                    tokio::spawn(async move { validator.validate(&token, &requirements).await })
                })
                .collect();
            let mut results = Vec::new();
            for caller in callers {
                results.push(result_of_validation(&validator, &caller.await.expect("caller task"), &requirements));
            }
            outcomes.push(PhaseOutcome {
                requests: script.requests(name),
                sleeps_ms: clock.take_sleeps(),
                results,
                ..PhaseOutcome::default()
            });
        }
        check_scenario(scenario, &outcomes).unwrap_or_else(|difference| panic!("{difference}"));
    }
}

/// `validation.json`'s cases: a validator whose first fetch gets the vectors' JWKS, at the
/// case's time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_cases_with_their_rejections() {
    let doc: Value =
        serde_json::from_slice(&std::fs::read(vectors_dir().join("validation.json")).expect("file")).expect("JSON");
    let jwks =
        std::fs::read_to_string(vectors_dir().join(doc["jwks_file"].as_str().expect("jwks_file"))).expect("JWKS");
    let environment = Environment::from_name(doc["issuer"].as_str().expect("issuer")).expect("environment");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.iter().any(|c| c["requirements"]["any_scope_unchecked"] == true), "the opt-out is covered");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let (clock, script) = (FakeClock::default(), Script::default());
        clock.set(case["now"].as_i64().expect("now") * 1000);
        script.load(&json!([{"status": 200, "content_type": "application/json", "body": jwks}]));
        let validator = TokenValidator::new(Validator::new(environment.clone()))
            .expect("validator")
            .with_clock(clock)
            .with_transport(script.clone());
        let requirements = maskinporten_vectors::harness::requirements(&case["requirements"]);
        let outcome = validator.validate(case["token"].as_str().expect("token"), &requirements).await;
        match (&outcome, case.get("expected")) {
            (Ok(token), Some(expected)) => {
                let got = json!({
                    "client_id": token.client_id,
                    "consumer_org": token.consumer.org_number,
                    "consumer_id": token.consumer.id,
                    "consumer_authority": token.consumer.authority,
                    "consumer_sub_unit": token.consumer.sub_unit,
                    "expires_at": token.expires_at,
                    "supplier_org": token.supplier.as_ref().and_then(|s| s.org_number.clone()),
                });
                assert_eq!(&got, expected, "{name}");
            }
            (Err(error), None) => {
                assert_eq!(error.kind().as_str(), case["expected_error"], "{name}: {error}");
                let rejection = rejection_json(&validator, error, &requirements);
                assert_eq!(rejection, case["expected_rejection"], "{name}");
            }
            (outcome, _) => panic!("{name}: unexpected {outcome:?}"),
        }
        // Requirements refused before any fetch leave the answer unused; every other case fetched once.
        let unused = if case["expected_error"] == "invalid_requirements" { 1 } else { 0 };
        assert_eq!(script.left(), unused, "{name}: JWKS fetched once");
    }
}

/// `validation.json`'s `headers`: what the core reads from each `Authorization` value, and the
/// answer to a refusal, as the axum adapter sends it.
#[test]
fn authorization_headers_and_their_rejections() {
    let doc: Value =
        serde_json::from_slice(&std::fs::read(vectors_dir().join("validation.json")).expect("file")).expect("JSON");
    let validator = TokenValidator::new(Validator::new(Environment::test())).expect("validator");
    let requirements = Requirements::any_scope(["test:scope.read"]);
    let headers = doc["headers"].as_array().expect("headers");
    assert!(headers.len() >= 10);
    for case in headers {
        let header = case["authorization"].as_str();
        match bearer_token(header) {
            Ok(token) => assert_eq!(token, case["expected_token"], "{header:?}"),
            Err(error) => {
                assert_eq!(error.kind().as_str(), case["expected_error"], "{header:?}");
                assert_eq!(rejection_json(&validator, &error, &requirements), case["expected_rejection"], "{header:?}");
            }
        }
    }
}
