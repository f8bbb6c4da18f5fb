//! `maskinporten serve` end to end: the built binary against the simulator over loopback.
//! Every endpoint, every error status, texas's request shapes, caller authentication and the
//! loopback rule, the body limit, the concurrency and time limits, and no secret in the logs.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use maskinporten_simulator::{FaultKind, FaultSpec, Simulator, SimulatorConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

async fn simulator() -> Simulator {
    let config = SimulatorConfig::from_file(repo("tests/simulator/e2e.toml")).expect("e2e.toml");
    Simulator::start(config, 0).await.expect("simulator")
}

fn one_client(sim: &Simulator, args: &[&str]) -> Serve {
    let env = one_client_env(sim.issuer());
    Serve::start(args, &env_refs(&env))
}

async fn post_json(serve: &Serve, path: &str, body: Value) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = reqwest::Client::new().post(serve.endpoint(path)).json(&body).send().await.expect("send");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.json().await.unwrap_or(Value::Null))
}

fn claims(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("claims")
}

fn token_body(target: &str) -> Value {
    json!({ "identity_provider": "maskinporten", "target": target })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn altinn_tokens_through_the_exchange_cached_and_skipped() {
    let sim = simulator().await;
    let mut env = one_client_env(sim.issuer());
    env.push(("MASKINPORTEN_ALTINN_PLATFORM", sim.altinn_platform()));
    let serve = Serve::start(&[], &env_refs(&env));
    let altinn = json!({"identity_provider": "maskinporten", "target": "altinn:instances.read", "altinn": true});
    let (status, _, body) = post_json(&serve, "/api/v1/token", altinn.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().expect("access_token").to_string();
    let altinn_claims = claims(&token);
    assert!(
        altinn_claims["iss"].as_str().is_some_and(|iss| iss.starts_with(&sim.altinn_platform())),
        "{altinn_claims}"
    );
    assert_eq!(altinn_claims["urn:altinn:orgNumber"], "311000004");
    assert_eq!((sim.stats().tokens_issued, sim.stats().altinn_tokens_issued), (1, 1));

    let (_, _, again) = post_json(&serve, "/api/v1/token", altinn.clone()).await;
    assert_eq!(again["access_token"], token.as_str(), "the Altinn token is cached");
    assert_eq!(sim.stats().altinn_tokens_issued, 1);

    let mut skip = altinn.clone();
    skip["skip_cache"] = json!(true);
    let (status, _, fresh) = post_json(&serve, "/api/v1/token", skip).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_ne!(fresh["access_token"], token.as_str(), "skip_cache gets a new Altinn token");
    assert_eq!(
        (sim.stats().tokens_issued, sim.stats().altinn_tokens_issued),
        (1, 2),
        "only the Altinn token was renewed: the Maskinporten token under it stays cached"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texas_shapes_json_and_form_get_one_cached_token() {
    let sim = simulator().await;
    let serve = one_client(&sim, &[]);
    let (status, headers, body) = post_json(&serve, "/api/v1/token", token_body(READ)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    let expires_in = body["expires_in"].as_i64().expect("expires_in");
    assert!((100..=120).contains(&expires_in), "{body}");
    let token = body["access_token"].as_str().expect("access_token").to_string();
    assert_eq!(claims(&token)["scope"], READ);
    assert_eq!(body.as_object().map(|o| o.len()), Some(3), "exactly texas's fields: {body}");

    // A texas client posting a form gets the cached token.
    let form = [("identity_provider", "maskinporten"), ("target", READ)];
    let response = reqwest::Client::new().post(serve.endpoint("/api/v1/token")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["access_token"], token.as_str());
    assert_eq!(sim.stats().tokens_issued, 1, "the second answer came from the cache");

    // skip_cache fetches a new one (texas: bypass the cache).
    let (status, _, body) = post_json(
        &serve,
        "/api/v1/token",
        json!({"identity_provider": "maskinporten", "target": READ, "skip_cache": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(body["access_token"], token.as_str());
    assert_eq!(sim.stats().tokens_issued, 2);

    // No token, grant, key or password in the logs, even at debug level.
    let logs = serve.logs();
    assert!(logs.contains("fetch_succeeded"), "the flows' events are logged: {logs}");
    for line in logs.lines() {
        let parsed: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("a JSON log line: {line}"));
        assert!(parsed["level"].is_string(), "{line}");
    }
    assert!(!logs.contains(&token) && !logs.contains(&token[..40]), "a token in the logs");
    assert!(!logs.contains(PASSWORD), "the password in the logs");
    assert!(!logs.contains("assertion="), "a grant in the logs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fields_texas_lacks_reach_the_grant() {
    let sim = simulator().await;
    let serve = one_client(&sim, &[]);
    let (status, _, body) = post_json(
        &serve,
        "/api/v1/token",
        json!({
            "identity_provider": "maskinporten",
            "target": "brreg:reelle/rapporteringspliktig",
            "consumer_org": "312000008",
            "resource": "https://api.example.no/",
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = claims(body["access_token"].as_str().unwrap());
    assert_eq!(token["consumer"]["ID"], "0192:312000008", "{token}");
    assert_eq!(token["aud"], "https://api.example.no/");

    let details = json!([{"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:313000001"}}]);
    let form = [
        ("identity_provider", "maskinporten".to_string()),
        ("target", READ.to_string()),
        ("authorization_details", details.to_string()),
    ];
    let response = reqwest::Client::new().post(serve.endpoint("/api/v1/token")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let token = claims(body["access_token"].as_str().unwrap());
    assert_eq!(token["authorization_details"][0]["systemuser_org"]["ID"], "0192:313000001", "{token}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_has_its_status_kind_and_code() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("serve.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[limits]
max_body_bytes = 1024
[flow]
max_attempts = 2
deadline_ms = 3000
[[clients]]
name = "default"
client_id = "{X5C_CLIENT}"
env = "{issuer}"
p12 = "{p12}"
password_env = "SERVE_TEST_PASSWORD"
[[clients]]
name = "limited"
client_id = "{KID_CLIENT}"
env = "{issuer}"
jwk = "{jwk}"
scopes = ["test:scope.write"]
"#,
            issuer = sim.issuer(),
            p12 = repo("tests/vectors/keys/client.p12"),
            jwk = repo("tests/vectors/keys/client.jwk.json"),
        ),
    )
    .unwrap();
    let serve = Serve::start(&["--config", config.to_str().unwrap()], &[("SERVE_TEST_PASSWORD", PASSWORD)]);
    assert_eq!(serve.ready["clients"], json!(["default", "limited"]));
    let token = |body: Value| post_json(&serve, "/api/v1/token", body);

    // Maskinporten refuses the scope: 403 with the kind, MP code and hint.
    let (status, headers, body) = token(token_body("test:scope.unknown")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!((body["kind"].as_str(), body["mp_code"].as_str()), (Some("oauth_error"), Some("MP-200")));
    assert_eq!(body["error"], "oauth_error");
    assert!(body["hint"].as_str().is_some_and(|h| !h.is_empty()), "{body}");
    assert_eq!(headers["cache-control"], "no-store");

    // The core refuses a field: 400 naming it.
    let (status, _, body) =
        token(json!({"identity_provider": "maskinporten", "target": READ, "consumer_org": "123"})).await;
    assert_eq!((status, body["kind"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_consumer_org")), "{body}");

    // The request's shape.
    for (request, field) in [
        (json!({"target": READ}), "identity_provider"),
        (json!({"identity_provider": "maskinporten"}), "target"),
        (json!({"identity_provider": "maskinporten", "target": READ, "consumerOrg": "312000008"}), "body"),
        (json!({"identity_provider": "maskinporten", "target": READ, "client": "nobody"}), "client"),
    ] {
        let (status, _, body) = token(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["field"], field, "{body}");
    }
    let (status, _, body) = token(json!({"identity_provider": "azuread", "target": READ})).await;
    assert_eq!((status, body["kind"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_identity_provider")));
    let (status, _, body) =
        token(json!({"identity_provider": "maskinporten", "target": READ, "client": "limited"})).await;
    assert_eq!((status, body["kind"].as_str()), (StatusCode::FORBIDDEN, Some("scope_not_allowed")), "{body}");
    let (status, _, body) =
        token(json!({"identity_provider": "maskinporten", "target": "test:scope.write", "client": "limited"})).await;
    assert_eq!(status, StatusCode::OK, "the kid client serves its allowed scope: {body}");
    // The simulator's issuer has no known Altinn platform, and this configuration names none.
    let (status, _, body) = token(json!({"identity_provider": "maskinporten", "target": READ, "altinn": true})).await;
    assert_eq!((status, body["kind"].as_str()), (StatusCode::BAD_REQUEST, Some("altinn_platform_unknown")), "{body}");

    let http = reqwest::Client::new();
    let plain =
        http.post(serve.endpoint("/api/v1/token")).header("content-type", "text/plain").body("x").send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let missing = http.get(serve.endpoint("/api/v1/nothing")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let wrong_method = http.get(serve.endpoint("/api/v1/token")).send().await.unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);

    // A body over the limit: 413, before any parsing.
    let big = json!({"identity_provider": "maskinporten", "target": "x".repeat(2000)});
    let (status, _, body) = token(big).await;
    assert_eq!((status, body["kind"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")), "{body}");

    // Maskinporten down for every attempt: 503 with Retry-After.
    sim.inject_fault(FaultSpec::new(FaultKind::Status).with_status(503)).unwrap();
    let (status, headers, body) = token(token_body("test:scope.write")).await;
    assert_eq!((status, body["kind"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")), "{body}");
    assert_eq!(headers["retry-after"], "5");
    let (status, _, ready) = get_json(&serve, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "not ready while Maskinporten is unreachable: {ready}");
    assert_eq!(ready["maskinporten_reachable"], false);
    sim.clear_faults();
    let (status, _, _) = token(token_body("test:scope.write")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, ready) = get_json(&serve, "/readyz").await;
    assert_eq!(status, StatusCode::OK, "{ready}");

    let metrics = get_text(&serve, "/metrics").await;
    for line in [
        r#"maskinporten_token_requests_total{client="default",mp_code="MP-200",outcome="refused"} 1"#,
        r#"maskinporten_token_requests_total{client="limited",mp_code="",outcome="invalid_request"} 1"#,
        r#"maskinporten_token_requests_total{client="default",mp_code="",outcome="unavailable"} 1"#,
        r#"maskinporten_token_retries_total{kind="unavailable"} 1"#,
        r#"maskinporten_certificate_days_left{client="default"}"#,
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    assert!(!metrics.contains("certificate_days_left{client=\"limited\"}"), "a JWK has no certificate");
}

async fn get_json(serve: &Serve, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = reqwest::get(serve.endpoint(path)).await.expect("get");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.json().await.unwrap_or(Value::Null))
}

async fn get_text(serve: &Serve, path: &str) -> String {
    reqwest::get(serve.endpoint(path)).await.expect("get").text().await.expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_validates_with_the_issuers_keys() {
    let sim = simulator().await;
    let serve = one_client(&sim, &[]);
    let (_, _, body) = post_json(&serve, "/api/v1/token", token_body(READ)).await;
    let token = body["access_token"].as_str().unwrap().to_string();
    let introspect = |body: Value| post_json(&serve, "/api/v1/introspect", body);

    let (status, _, body) = introspect(json!({"identity_provider": "maskinporten", "token": token})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["active"], true, "{body}");
    assert_eq!(body["scope"], READ);
    assert_eq!(body["consumer"]["ID"], "0192:311000004");
    assert_eq!(body["iss"], sim.issuer());

    let (_, _, body) = introspect(json!({"identity_provider": "maskinporten", "token": token, "scopes": [READ]})).await;
    assert_eq!(body["active"], true, "{body}");
    let (_, _, body) =
        introspect(json!({"identity_provider": "maskinporten", "token": token, "scopes": "test:scope.write"})).await;
    assert_eq!((body["active"].as_bool(), body["kind"].as_str()), (Some(false), Some("insufficient_scope")), "{body}");

    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    let (status, _, body) = introspect(json!({"identity_provider": "maskinporten", "token": forged})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["active"], false, "{body}");
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    let (_, _, body) = introspect(json!({"identity_provider": "maskinporten", "token": "not-a-jwt"})).await;
    assert_eq!((body["active"].as_bool(), body["kind"].as_str()), (Some(false), Some("token_malformed")), "{body}");
    let (status, _, body) = introspect(json!({"identity_provider": "maskinporten"})).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("token")));

    // A fresh service whose issuer's JWKS cannot be fetched: 503, not "inactive".
    let fresh = one_client(&sim, &[]);
    sim.inject_fault(FaultSpec::new(FaultKind::Status).with_status(503).with_path("/jwk")).unwrap();
    let (status, headers, body) =
        post_json(&fresh, "/api/v1/introspect", json!({"identity_provider": "maskinporten", "token": token})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(headers.contains_key("retry-after"));
    let metrics = get_text(&serve, "/metrics").await;
    assert!(metrics.contains(r#"maskinporten_introspections_total{result="active"} 2"#), "{metrics}");
    assert!(metrics.contains(r#"maskinporten_jwks_refreshes_total{result="ok"} 1"#), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness() {
    let sim = simulator().await;
    let serve = one_client(&sim, &[]);
    let (status, _, body) = get_json(&serve, "/healthz").await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, _, body) = get_json(&serve, "/readyz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["keys_loaded"], 1);
    let days = body["certificates"][0]["days_left"].as_i64().expect("days left");
    assert!(days > 14, "{body}");
    assert_eq!(body["store"]["kind"], "none");

    // A certificate with fewer days left than required: not ready.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "cert_min_days = {}\n[[clients]]\nclient_id = \"{X5C_CLIENT}\"\nenv = \"{}\"\np12 = \"{}\"\npassword_env = \"P\"\n",
            days + 1,
            sim.issuer(),
            repo("tests/vectors/keys/client.p12")
        ),
    )
    .unwrap();
    let expiring = Serve::start(&["--config", config.to_str().unwrap()], &[("P", PASSWORD)]);
    let (status, _, body) = get_json(&expiring, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["certificates"][0]["ok"], false);
    assert_eq!(expiring.terminate(), Some(0), "SIGTERM stops it cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_addresses_need_the_flag_and_caller_keys() {
    let sim = simulator().await;
    let env = one_client_env(sim.issuer());
    let env = env_refs(&env);
    let refused = |args: &[&str]| match Serve::try_start(args, &env) {
        Started::Exited { code, stderr } => (code, stderr),
        Started::Running(serve) => panic!("started on {}", serve.url),
    };
    let (code, stderr) = refused(&["--listen", "0.0.0.0:0"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("not a loopback address") && stderr.contains("--allow-non-loopback"), "{stderr}");
    let (code, stderr) = refused(&["--listen", "0.0.0.0:0", "--allow-non-loopback"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("without caller authentication") && stderr.contains("--api-keys"), "{stderr}");

    let key = "7c1e5a9d3b2f4e6a8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f";
    let hash: String = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("api-keys");
    std::fs::write(&keys, format!("sha256:{hash} test-caller\n")).unwrap();
    let serve =
        Serve::start(&["--listen", "0.0.0.0:0", "--allow-non-loopback", "--api-keys", keys.to_str().unwrap()], &env);
    let port = serve.ready["port"].as_u64().unwrap();
    let url = format!("http://127.0.0.1:{port}/api/v1/token");
    let http = reqwest::Client::new();
    let anonymous = http.post(&url).json(&token_body(READ)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let wrong = http.post(&url).bearer_auth(format!("{key}0")).json(&token_body(READ)).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let metrics = http.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::UNAUTHORIZED, "metrics need the key too");
    let probe = http.get(format!("http://127.0.0.1:{port}/healthz")).send().await.unwrap();
    assert_eq!(probe.status(), StatusCode::OK, "probes do not");
    let allowed = http.post(&url).bearer_auth(key).json(&token_body(READ)).send().await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(!serve.logs().contains(key), "the caller's key is not logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_excess_requests_are_cut_off() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "[limits]\nmax_concurrency = 1\nrequest_timeout_ms = 1500\nheader_timeout_ms = 300\n\
             [[clients]]\nclient_id = \"{X5C_CLIENT}\"\nenv = \"{}\"\np12 = \"{}\"\npassword_file = \"{}\"\n",
            sim.issuer(),
            repo("tests/vectors/keys/client.p12"),
            dir.path().join("password").display()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("password"), format!("{PASSWORD}\n")).unwrap();
    let serve = Serve::start(&["--config", config.to_str().unwrap()], &[]);

    // One request waits for a slow Maskinporten; a second one at the same time is refused at
    // once (concurrency 1), and the first is cut off at the request time limit.
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(4_000).with_count(1)).unwrap();
    let slow = tokio::spawn(post_json_owned(serve.endpoint("/api/v1/token"), token_body(READ)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let (status, headers, body) = post_json(&serve, "/api/v1/token", token_body("test:scope.write")).await;
    assert_eq!((status, body["kind"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("overloaded")), "{body}");
    assert!(headers.contains_key("retry-after"));
    assert!(started.elapsed() < Duration::from_millis(500), "refused at once, not queued");
    let (status, body) = slow.await.unwrap();
    assert_eq!((status, body["kind"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("timeout")), "{body}");

    // A caller that never finishes its headers is disconnected.
    use std::io::{Read, Write};
    let port = serve.ready["port"].as_u64().unwrap() as u16;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(b"POST /api/v1/token HTTP/1.1\r\nHost: x\r\n").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(started.elapsed() < Duration::from_secs(3), "closed after the header timeout");
}

async fn post_json_owned(url: String, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new().post(url).json(&body).send().await.expect("send");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[test]
fn no_clients_and_bad_configurations_say_what_to_do() {
    let run = |args: &[&str], env: &[(&str, &str)]| match Serve::try_start(args, env) {
        Started::Exited { code, stderr } => (code, stderr),
        Started::Running(serve) => panic!("started on {}", serve.url),
    };
    let (code, stderr) = run(&[], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("MASKINPORTEN_CLIENT_ID"), "{stderr}");
    let env = [
        ("MASKINPORTEN_CLIENT_ID", X5C_CLIENT),
        ("MASKINPORTEN_P12", "/nonexistent.p12"),
        ("MASKINPORTEN_P12_PASSWORD", "x"),
    ];
    let (code, stderr) = run(&[], &env);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("client \"default\"") && stderr.contains("nonexistent.p12"), "{stderr}");
    let wrong = [
        ("MASKINPORTEN_CLIENT_ID", X5C_CLIENT),
        ("MASKINPORTEN_P12", &repo("tests/vectors/keys/client.p12")),
        ("MASKINPORTEN_P12_PASSWORD", "wrong-password"),
    ];
    let (code, stderr) = run(&[], &wrong);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("password") && !stderr.contains("wrong-password"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[[clients]]\nclient_id = \"x\"\nsurprise = 1\n").unwrap();
    let (code, stderr) = run(&["--config", config.to_str().unwrap()], &[]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("surprise"), "{stderr}");
    let with_store = [
        ("MASKINPORTEN_CLIENT_ID", X5C_CLIENT),
        ("MASKINPORTEN_P12", &repo("tests/vectors/keys/client.p12")),
        ("MASKINPORTEN_P12_PASSWORD", PASSWORD),
        ("MASKINPORTEN_REDIS_URL", "redis://127.0.0.1:1/"),
        ("MASKINPORTEN_STORE_KEY", "c2hvcnQ="),
    ];
    let (code, stderr) = run(&[], &with_store);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("32"), "{stderr}");
}
