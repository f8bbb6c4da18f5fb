//! The axum adapter: the extractor and the middleware answer exactly with the core's
//! `Rejection` (status, `WWW-Authenticate`, `Cache-Control`, `Retry-After`, JSON body). Tokens
//! and keys are the shared vectors'; the JWKS comes from a scripted transport at the vectors'
//! time.

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::routing::get;
use axum::{Extension, Router};
use common::{FakeClock, Script};
use maskinporten::{Environment, Requirements, ValidatedToken, Validator};
use maskinporten_transport::axum::{require_token, Authorized, BearerAuth};
use maskinporten_transport::TokenValidator;
use maskinporten_vectors::vectors_dir;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

mod common;

struct Fixture {
    valid_token: String,
    validator: Arc<TokenValidator>,
}

/// A validator at the vectors' time whose JWKS fetches get `answers`.
fn fixture(answers: Value) -> Fixture {
    let doc: Value =
        serde_json::from_slice(&std::fs::read(vectors_dir().join("validation.json")).expect("file")).expect("JSON");
    let case = doc["cases"].as_array().expect("cases").iter().find(|c| c["name"] == "valid").expect("valid case");
    let clock = FakeClock::default();
    clock.set(case["now"].as_i64().expect("now") * 1000);
    let script = Script::default();
    script.load(&answers);
    let validator = TokenValidator::new(Validator::new(Environment::test()))
        .expect("validator")
        .with_clock(clock)
        .with_transport(script);
    Fixture { valid_token: case["token"].as_str().expect("token").to_string(), validator: Arc::new(validator) }
}

fn jwks_answer() -> Value {
    let jwks = std::fs::read_to_string(vectors_dir().join("keys/issuer.jwks.json")).expect("JWKS");
    json!([{"status": 200, "content_type": "application/json", "body": jwks}])
}

async fn owners(Authorized(token): Authorized) -> String {
    format!("served for {}", token.consumer.id)
}

async fn admin(Extension(token): Extension<ValidatedToken>) -> String {
    format!("admin for {}", token.consumer.id)
}

fn app(fixture: &Fixture) -> Router {
    let read = BearerAuth::new(fixture.validator.clone(), Requirements::any_scope(["test:scope.read"])).expect("auth");
    let admin_auth =
        BearerAuth::new(fixture.validator.clone(), Requirements::any_scope(["test:scope.admin"])).expect("auth");
    Router::new()
        .route("/owners", get(owners))
        .route("/admin", get(admin).layer(axum::middleware::from_fn_with_state(admin_auth, require_token)))
        .with_state(read)
}

struct Answer {
    status: StatusCode,
    challenge: Option<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn call(app: &Router, path: &str, authorization: Option<HeaderValue>) -> Answer {
    let mut request = Request::get(path);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).expect("request")).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.expect("body");
    Answer {
        status: parts.status,
        challenge: parts.headers.get(header::WWW_AUTHENTICATE).map(|v| v.to_str().expect("ascii").to_string()),
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).expect("UTF-8"),
    }
}

fn bearer(token: &str) -> Option<HeaderValue> {
    Some(HeaderValue::from_str(&format!("Bearer {token}")).expect("header"))
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_any_scheme_case() {
    let fixture = fixture(jwks_answer());
    let app = app(&fixture);
    let ok = call(&app, "/owners", bearer(&fixture.valid_token)).await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "served for 0192:311000004"));
    let lower = HeaderValue::from_str(&format!("bearer {}", fixture.valid_token)).expect("header");
    assert_eq!(call(&app, "/owners", Some(lower)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn refusals_are_the_cores_rejection() {
    let fixture = fixture(jwks_answer());
    let app = app(&fixture);

    let missing = call(&app, "/owners", None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.challenge.as_deref(), Some("Bearer"), "RFC 6750 §3.1: no error code without a token");
    assert_eq!(missing.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(missing.headers[header::CONTENT_TYPE], "application/json");
    let body: Value = serde_json::from_str(&missing.body).expect("JSON body");
    assert_eq!((body.get("error"), &body["kind"]), (None, &json!("token_missing")));

    let basic = call(&app, "/owners", Some(HeaderValue::from_static("Basic dXNlcjpwYXNz"))).await;
    assert_eq!((basic.status, basic.challenge.as_deref()), (StatusCode::UNAUTHORIZED, Some("Bearer")));

    let malformed = call(&app, "/owners", Some(HeaderValue::from_static("Bearer secret-part other"))).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.challenge.expect("challenge").starts_with("Bearer error=\"invalid_request\""));
    assert!(!malformed.body.contains("secret-part"), "the header is never quoted: {}", malformed.body);

    let not_visible_ascii = HeaderValue::from_bytes(b"Bearer \xffabc").expect("opaque header");
    assert_eq!(call(&app, "/owners", Some(not_visible_ascii)).await.status, StatusCode::BAD_REQUEST);

    let garbage = call(&app, "/owners", bearer("not.a.token")).await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
    assert!(garbage.challenge.expect("challenge").starts_with("Bearer error=\"invalid_token\""));

    let forbidden = call(&app, "/admin", bearer(&fixture.valid_token)).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "the middleware's requirements: {}", forbidden.body);
    let challenge = forbidden.challenge.expect("challenge");
    assert!(challenge.starts_with("Bearer error=\"insufficient_scope\""), "{challenge}");
    assert!(challenge.ends_with("scope=\"test:scope.admin\""), "{challenge}");
    assert!(!forbidden.body.contains(&fixture.valid_token[..40]), "the token is never quoted");
}

#[tokio::test]
async fn an_unreachable_issuer_is_503_with_retry_after() {
    let fixture = fixture(json!([{"failure": "connect"}]));
    let outage = call(&app(&fixture), "/owners", bearer(&fixture.valid_token)).await;
    assert_eq!(outage.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(outage.challenge, None);
    assert_eq!(outage.headers[header::RETRY_AFTER], "60", "the core's refetch interval after a failed fetch");
    assert_eq!(outage.headers[header::CACHE_CONTROL], "no-store");
}

#[test]
fn requirements_that_name_nothing_are_refused_up_front() {
    let fixture = fixture(json!([]));
    let nothing = Requirements::any_scope(Vec::<String>::new());
    let error = BearerAuth::new(fixture.validator.clone(), nothing).expect_err("names no scope");
    assert_eq!(error.kind(), "invalid_requirements");
    assert!(BearerAuth::new(fixture.validator, Requirements::any_scope_unchecked()).is_ok(), "the named opt-out");
}
