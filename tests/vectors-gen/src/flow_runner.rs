//! Runs `flows.json` scenarios against the core's flows with a deterministic executor: the
//! reference every language's provider and validator must agree with. Callers in a phase start
//! together: each is polled to its first blocking step (send, wait, sleep) before any answer
//! arrives, so the waiting paths run too.

use maskinporten::{
    AltinnExchange, AltinnPlatform, Client, Environment, Error, GrantOptions, HttpResponse, Key, Requirements,
    TokenCall, TokenFlow, TokenStep, TransportFailure, ValidationCall, ValidationStep, Validator,
};
use serde_json::{json, Value};
use std::path::Path;

/// What one phase produced, in the vectors' terms.
#[derive(Debug, PartialEq, Default)]
pub struct PhaseOutcome {
    pub requests: usize,
    pub sleeps_ms: Vec<i64>,
    pub results: Vec<Value>,
    /// The requests sent, in order: `token` or `exchange <bearer token>` (exchange scenarios).
    pub sent: Vec<String>,
}

fn result_of_token(outcome: &Result<String, Error>) -> Value {
    match outcome {
        Ok(token) => json!({"token": token}),
        Err(error) => json!({"error": error.kind().as_str(), "status": error.status(), "mp_code": error.mp_code()}),
    }
}

/// The client of the scenarios.
pub fn scenario_client(doc: &Value, vectors: &Path) -> (Client, GrantOptions) {
    let spec = &doc["client"];
    let p12 = std::fs::read(vectors.join(spec["key"]["file"].as_str().expect("file"))).expect("p12");
    let key = Key::from_pkcs12(&p12, spec["key"]["password"].as_str().expect("password"), None).expect("key");
    let client = Client::new(spec["client_id"].as_str().expect("client_id"), key, Environment::test()).expect("client");
    let scopes: Vec<String> =
        spec["scopes"].as_array().expect("scopes").iter().filter_map(Value::as_str).map(str::to_string).collect();
    (client, GrantOptions::new(scopes))
}

/// A scripted answer: status, content type, Retry-After, body.
type Scripted = (u16, Option<String>, Option<String>, Vec<u8>);

fn respond(answer: &Value) -> Result<Scripted, TransportFailure> {
    if let Some(kind) = answer["failure"].as_str() {
        return Err(kind.parse().expect("failure kind"));
    }
    Ok((
        answer["status"].as_u64().expect("status") as u16,
        answer["content_type"].as_str().map(str::to_string),
        answer["retry_after"].as_str().map(str::to_string),
        answer["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
    ))
}

/// The exchange of the exchange scenarios (`altinn` in the document).
pub fn scenario_exchange(doc: &Value) -> AltinnExchange {
    let spec = &doc["altinn"];
    let platform = AltinnPlatform::from_name(spec["platform"].as_str().expect("platform")).expect("platform");
    AltinnExchange::new(platform).with_test_org(spec["test_org"].as_bool().expect("test_org")).expect("test_org")
}

/// Runs one token scenario; returns each phase's outcome.
pub fn run_token_scenario(doc: &Value, scenario: &Value, vectors: &Path) -> Vec<PhaseOutcome> {
    run_scenario(doc, scenario, vectors, None)
}

/// Runs one exchange scenario (every caller asks for an Altinn token); returns each phase's
/// outcome.
pub fn run_exchange_scenario(doc: &Value, scenario: &Value, vectors: &Path) -> Vec<PhaseOutcome> {
    run_scenario(doc, scenario, vectors, Some(scenario_exchange(doc)))
}

/// What a sent request was: `token`, or `exchange <the Maskinporten token it carries>`.
fn label(request: &maskinporten::HttpRequest, doc: &Value) -> String {
    if request.method == "POST" {
        return "token".into();
    }
    assert_eq!(request.url, doc["altinn"]["url"].as_str().expect("url"), "the exchange URL");
    let bearer = request.header("authorization").and_then(|v| v.strip_prefix("Bearer ")).expect("a bearer token");
    format!("exchange {bearer}")
}

fn run_scenario(doc: &Value, scenario: &Value, vectors: &Path, exchange: Option<AltinnExchange>) -> Vec<PhaseOutcome> {
    let (client, options) = scenario_client(doc, vectors);
    let start = doc["start_ms"].as_i64().expect("start_ms");
    let jitter = doc["jitter"].as_f64().expect("jitter");
    let mut flow = TokenFlow::new();
    let key = client.cache_key(&options);
    let mut outcomes = Vec::new();
    for phase in scenario["phases"].as_array().expect("phases") {
        let mut clock = start + phase["at_ms"].as_i64().expect("at_ms");
        let callers = phase["callers"].as_u64().expect("callers") as usize;
        let mut answers = phase["answers"].as_array().expect("answers").iter();
        let mut calls: Vec<TokenCall> = (0..callers)
            .map(|_| match &exchange {
                Some(exchange) => flow.call_exchanged(key.clone(), exchange, clock),
                None => flow.call(key.clone(), clock),
            })
            .collect();
        if let Some(rejected) = phase["reject"].as_str() {
            for call in &calls {
                flow.reject(call.key(), rejected);
            }
        }
        let mut results: Vec<Option<Result<String, Error>>> = (0..callers).map(|_| None).collect();
        let (mut requests, mut sleeps_ms, mut sent) = (0, Vec::new(), Vec::new());
        for _round in 0..1_000 {
            if results.iter().all(Option::is_some) {
                break;
            }
            let mut sending = Vec::new();
            let mut sleeping = Vec::new();
            for (i, call) in calls.iter_mut().enumerate() {
                if results[i].is_some() {
                    continue;
                }
                match flow.poll(call, &client, &options, clock) {
                    TokenStep::Token(token) => results[i] = Some(Ok(token.access_token().to_string())),
                    TokenStep::Fail(error) => results[i] = Some(Err(error)),
                    TokenStep::Send { request, .. } => {
                        sent.push(label(&request, doc));
                        sending.push(i)
                    }
                    TokenStep::Sleep { until_ms } => sleeping.push((i, until_ms)),
                    TokenStep::Wait { .. } => {}
                    TokenStep::Sign { .. } => panic!("the scenarios' key signs in the core"),
                }
            }
            for i in sending {
                requests += 1;
                let answer = answers.next().unwrap_or_else(|| panic!("more requests than scripted answers"));
                match respond(answer) {
                    Ok((status, content_type, retry_after, body)) => {
                        let response = HttpResponse::new(status, &body)
                            .with_content_type(content_type.as_deref())
                            .with_retry_after(retry_after.as_deref());
                        flow.handle_response(&mut calls[i], &client, response, clock, jitter);
                    }
                    Err(failure) => flow.handle_failure(&mut calls[i], failure, "scripted", clock, jitter),
                }
            }
            if let Some(&(_, until)) = sleeping.iter().min_by_key(|(_, until)| *until) {
                sleeps_ms.push(until - clock);
                clock = until;
            }
        }
        assert!(answers.next().is_none(), "fewer requests than scripted answers");
        let results = results.iter().map(|r| result_of_token(r.as_ref().expect("every caller finished"))).collect();
        outcomes.push(PhaseOutcome { requests, sleeps_ms, results, sent });
    }
    outcomes
}

fn result_of_validation(validator: &Validator, outcome: &Result<String, Error>, requirements: &Requirements) -> Value {
    match outcome {
        Ok(org) => json!({"valid": {"consumer_org": org}}),
        Err(error) => {
            let rejection = validator.rejection(error, requirements, 0);
            let challenge = rejection.www_authenticate().unwrap_or("");
            let code = challenge.split_once("error=\"").and_then(|(_, rest)| rest.split_once('"')).map(|(c, _)| c);
            let scope = challenge.split_once(", scope=\"").map(|(_, rest)| rest.trim_end_matches('"'));
            json!({"error": error.kind().as_str(),
                   "rejection": {"status": rejection.status(), "error": code, "scope": scope}})
        }
    }
}

/// Runs one validation scenario; returns each phase's outcome.
pub fn run_validation_scenario(doc: &Value, scenario: &Value) -> Vec<PhaseOutcome> {
    let start = doc["start_ms"].as_i64().expect("start_ms");
    let mut validator = Validator::new(Environment::test());
    let mut outcomes = Vec::new();
    for phase in scenario["phases"].as_array().expect("phases") {
        let clock = start + phase["at_ms"].as_i64().expect("at_ms");
        let callers = phase["callers"].as_u64().expect("callers") as usize;
        let token = phase["token"].as_str().expect("token");
        let scopes: Vec<String> = phase["requirements"]["scopes"]
            .as_array()
            .expect("scopes")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let requirements = Requirements::any_scope(scopes);
        let mut answers = phase["answers"].as_array().expect("answers").iter();
        let mut calls: Vec<ValidationCall> = (0..callers).map(|_| validator.validation(clock)).collect();
        let mut results: Vec<Option<Result<String, Error>>> = (0..callers).map(|_| None).collect();
        let mut requests = 0;
        for _round in 0..1_000 {
            if results.iter().all(Option::is_some) {
                break;
            }
            let mut fetching = Vec::new();
            for (i, call) in calls.iter_mut().enumerate() {
                if results[i].is_some() {
                    continue;
                }
                match validator.poll_validation(call, token, &requirements, clock) {
                    ValidationStep::Valid(valid) => {
                        results[i] = Some(Ok(valid.consumer.org_number.unwrap_or_default()))
                    }
                    ValidationStep::Fail(error) => results[i] = Some(Err(error)),
                    ValidationStep::FetchJwks { .. } => fetching.push(i),
                    ValidationStep::Wait { .. } => {}
                    #[allow(unreachable_patterns)]
                    other => panic!("unexpected step {other:?}"),
                }
            }
            for i in fetching {
                requests += 1;
                let answer = answers.next().unwrap_or_else(|| panic!("more JWKS requests than scripted answers"));
                match respond(answer) {
                    Ok((status, content_type, retry_after, body)) => {
                        let response = HttpResponse::new(status, &body)
                            .with_content_type(content_type.as_deref())
                            .with_retry_after(retry_after.as_deref());
                        validator.handle_jwks_response(&mut calls[i], response, clock);
                    }
                    Err(failure) => validator.handle_jwks_failure(&mut calls[i], failure, "scripted", clock),
                }
            }
        }
        assert!(answers.next().is_none(), "fewer JWKS requests than scripted answers");
        let results = results
            .iter()
            .map(|r| result_of_validation(&validator, r.as_ref().expect("every request finished"), &requirements))
            .collect();
        outcomes.push(PhaseOutcome { requests, sleeps_ms: Vec::new(), results, sent: Vec::new() });
    }
    outcomes
}

/// Compares a scenario's outcomes with its expectations; the first difference, if any.
pub fn check_scenario(scenario: &Value, outcomes: &[PhaseOutcome]) -> Result<(), String> {
    let name = scenario["name"].as_str().unwrap_or("?");
    for (index, (phase, outcome)) in scenario["phases"].as_array().expect("phases").iter().zip(outcomes).enumerate() {
        let expect = &phase["expect"];
        let requests = expect["requests"].as_u64().expect("requests") as usize;
        if outcome.requests != requests {
            return Err(format!("{name} phase {index}: {} requests, expected {requests}", outcome.requests));
        }
        if let Some(sleeps) = expect["sleeps_ms"].as_array() {
            let sleeps: Vec<i64> = sleeps.iter().filter_map(Value::as_i64).collect();
            if outcome.sleeps_ms != sleeps {
                return Err(format!("{name} phase {index}: sleeps {:?}, expected {sleeps:?}", outcome.sleeps_ms));
            }
        }
        if let Some(sent) = expect["sent"].as_array() {
            let sent: Vec<&str> = sent.iter().filter_map(Value::as_str).collect();
            if outcome.sent != sent {
                return Err(format!("{name} phase {index}: sent {:?}, expected {sent:?}", outcome.sent));
            }
        }
        for result in &outcome.results {
            if result != &expect["result"] {
                return Err(format!("{name} phase {index}: got {result}, expected {}", expect["result"]));
            }
        }
    }
    Ok(())
}
