//! The validator's JWKS schedule and validation flow.

use super::*;
use crate::flow::{HttpResponse, TransportFailure};
use crate::request::HttpRequest;
use crate::Key;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const T0_MS: i64 = 1_767_225_600_000;
const T0: i64 = T0_MS / 1000;

fn issuer_key(file: &str) -> Key {
    let pem = std::fs::read_to_string(format!("{}/../tests/vectors/keys/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    Key::from_pem(&pem, None).unwrap()
}

/// A JWKS with the public key of `file` under `kid`.
fn jwks(file: &str, kid: &str) -> Vec<u8> {
    let mut jwk: serde_json::Value = serde_json::from_str(&issuer_key(file).public_jwk().unwrap()).unwrap();
    jwk["kid"] = kid.into();
    serde_json::json!({ "keys": [jwk] }).to_string().into_bytes()
}

/// A token of the test issuer signed by `file` with `kid`, for `scope`.
fn token(file: &str, kid: &str, scope: &str) -> String {
    token_at(file, kid, scope, T0)
}

fn token_at(file: &str, kid: &str, scope: &str, iat: i64) -> String {
    let header = serde_json::json!({"alg": "RS256", "kid": kid});
    let claims = serde_json::json!({
        "iss": "https://test.maskinporten.no/", "client_id": "c", "client_amr": "virksomhetssertifikat",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:311000004"}, "scope": scope,
        "token_type": "Bearer", "iat": iat, "exp": iat + 120, "jti": "j",
    });
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = issuer_key(file).sign(Algorithm::Rs256, input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn requirements() -> Requirements {
    Requirements::any_scope(["test:scope.read"])
}

fn fetch_step(validator: &Validator, call: &mut ValidationCall, token: &str, now_ms: i64) -> HttpRequest {
    match validator.poll_validation(call, token, &requirements(), now_ms) {
        ValidationStep::FetchJwks { request, timeout_at_ms } => {
            assert_eq!(timeout_at_ms, now_ms + 10_000);
            request
        }
        other => panic!("expected FetchJwks, got {other:?}"),
    }
}

fn outcome(validator: &Validator, call: &mut ValidationCall, token: &str, now_ms: i64) -> Result<ValidatedToken> {
    match validator.poll_validation(call, token, &requirements(), now_ms) {
        ValidationStep::Valid(token) => Ok(token),
        ValidationStep::Fail(error) => Err(error),
        other => panic!("expected an outcome, got {other:?}"),
    }
}

#[test]
fn first_use_fetches_then_validates() {
    let mut validator = Validator::new(Environment::test()).with_events(true);
    let token = token("client.key.pem", "k1", "test:scope.read");
    let mut call = validator.validation(T0_MS);
    let request = fetch_step(&validator, &mut call, &token, T0_MS);
    assert_eq!(request.url, "https://test.maskinporten.no/jwk");
    validator.handle_jwks_response(&mut call, HttpResponse::new(200, &jwks("client.key.pem", "k1")), T0_MS + 40);
    assert_eq!(
        outcome(&validator, &mut call, &token, T0_MS + 40).unwrap().consumer.org_number.as_deref(),
        Some("311000004")
    );
    let event = validator.poll_event().unwrap();
    assert_eq!((event.name(), event.to_json().contains("\"duration_ms\":40")), ("jwks_refreshed", true));
    let mut next = validator.validation(T0_MS + 50);
    assert!(outcome(&validator, &mut next, &format!("bearer {token}"), T0_MS + 50).is_ok(), "the scheme may be given");
}

#[test]
fn concurrent_first_use_fetches_once_and_the_others_wait() {
    let mut validator = Validator::new(Environment::test());
    let token = token("client.key.pem", "k1", "test:scope.read");
    let mut first = validator.validation(T0_MS);
    let mut second = validator.validation(T0_MS);
    fetch_step(&validator, &mut first, &token, T0_MS);
    let generation = validator.generation();
    assert!(matches!(
        validator.poll_validation(&mut second, &token, &requirements(), T0_MS),
        ValidationStep::Wait { until_ms } if until_ms == T0_MS + 11_000
    ));
    validator.handle_jwks_response(&mut first, HttpResponse::new(200, &jwks("client.key.pem", "k1")), T0_MS + 5);
    assert_ne!(validator.generation(), generation);
    assert!(outcome(&validator, &mut second, &token, T0_MS + 5).is_ok());
    assert!(outcome(&validator, &mut first, &token, T0_MS + 5).is_ok());
}

#[test]
fn an_outage_on_first_use_is_unavailable_for_everyone_until_the_back_off_ends() {
    let mut validator = Validator::new(Environment::test());
    let token = token("client.key.pem", "k1", "test:scope.read");
    let mut first = validator.validation(T0_MS);
    let mut second = validator.validation(T0_MS);
    fetch_step(&validator, &mut first, &token, T0_MS);
    assert!(matches!(
        validator.poll_validation(&mut second, &token, &requirements(), T0_MS),
        ValidationStep::Wait { .. }
    ));
    validator.handle_jwks_failure(&mut first, TransportFailure::Connect, "connection refused", T0_MS + 3);
    for call in [&mut first, &mut second] {
        let error = outcome(&validator, call, &token, T0_MS + 3).unwrap_err();
        assert_eq!((error.kind(), error.is_retryable()), (ErrorKind::Unavailable, true));
        let rejection = validator.rejection(&error, &requirements(), T0_MS + 3);
        assert_eq!((rejection.status(), rejection.retry_after_seconds()), (503, Some(60)));
    }
    let mut during_backoff = validator.validation(T0_MS + 30_000);
    assert_eq!(
        outcome(&validator, &mut during_backoff, &token, T0_MS + 30_000).unwrap_err().kind(),
        ErrorKind::Unavailable
    );
    let mut after = validator.validation(T0_MS + 60_003);
    fetch_step(&validator, &mut after, &token, T0_MS + 60_003);
}

#[test]
fn an_unknown_kid_after_rotation_refetches_once() {
    let mut validator = Validator::new(Environment::test());
    validator.update_jwks(&jwks("client.key.pem", "old"), T0).unwrap();
    let rotated = token("other.key.pem", "new", "test:scope.read");
    let mut call = validator.validation(T0_MS + 120_000);
    fetch_step(&validator, &mut call, &rotated, T0_MS + 120_000);
    validator.handle_jwks_response(&mut call, HttpResponse::new(200, &jwks("other.key.pem", "new")), T0_MS + 120_010);
    assert!(outcome(&validator, &mut call, &rotated, T0_MS + 120_010).is_ok());

    let made_up = token("other.key.pem", "made-up", "test:scope.read");
    let mut call = validator.validation(T0_MS + 120_020);
    let error = outcome(&validator, &mut call, &made_up, T0_MS + 120_020).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnknownKid, "no second refetch within the minimum interval");
    assert_eq!(validator.rejection(&error, &requirements(), T0_MS).status(), 401);
}

#[test]
fn a_stale_jwks_is_refetched_by_one_request_while_the_others_use_it() {
    let mut validator = Validator::new(Environment::test()).with_max_jwks_age(3600).unwrap();
    validator.update_jwks(&jwks("client.key.pem", "k1"), T0).unwrap();
    let later = T0_MS + 3_600_000;
    let token = token_at("client.key.pem", "k1", "test:scope.read", later / 1000);
    let mut fetching = validator.validation(later);
    fetch_step(&validator, &mut fetching, &token, later);
    let mut other = validator.validation(later);
    assert!(outcome(&validator, &mut other, &token, later).is_ok(), "keys held stay in use meanwhile");
    validator.handle_jwks_response(&mut fetching, HttpResponse::new(503, b""), later + 10);
    assert!(outcome(&validator, &mut fetching, &token, later + 10).is_ok(), "an outage keeps the held keys");
}

#[test]
fn requirements_and_now_are_checked() {
    let validator = Validator::new(Environment::test());
    let mut call = validator.validation(T0_MS);
    let step = validator.poll_validation(&mut call, "x", &Requirements::any_scope(Vec::<String>::new()), T0_MS);
    assert!(matches!(step, ValidationStep::Fail(e) if e.kind() == ErrorKind::InvalidRequirements));
    let mut call = validator.validation(T0);
    let step = validator.poll_validation(&mut call, "x", &requirements(), T0);
    assert!(matches!(step, ValidationStep::Fail(e) if e.kind() == ErrorKind::InvalidNow), "seconds given");
    assert_eq!(validator.validate("x", T0_MS, &requirements()).unwrap_err().kind(), ErrorKind::InvalidNow);
}

#[test]
fn settings_are_checked() {
    assert_eq!(Validator::new(Environment::test()).with_leeway(301).unwrap_err().field(), Some("leeway"));
    assert!(Validator::new(Environment::test()).with_algorithms(&[]).is_err());
    assert!(Validator::new(Environment::test()).with_max_jwks_age(59).is_err());
}

#[test]
fn wrong_scope_is_403_with_the_required_scope() {
    let mut validator = Validator::new(Environment::test());
    validator.update_jwks(&jwks("client.key.pem", "k1"), T0).unwrap();
    let token = token("client.key.pem", "k1", "other:api");
    let error = validator.validate(&token, T0, &requirements()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InsufficientScope);
    let rejection = validator.rejection(&error, &requirements(), T0_MS);
    assert_eq!(rejection.status(), 403);
    assert!(rejection.www_authenticate().unwrap().contains("scope=\"test:scope.read\""));
}

#[cfg(feature = "platform-crypto")]
#[test]
fn the_platform_verdict_concludes_the_flow() {
    let mut validator = Validator::new(Environment::test()).with_platform_verifier(true);
    validator.update_jwks(&jwks("client.key.pem", "k1"), T0).unwrap();
    let token = token("client.key.pem", "k1", "test:scope.read");
    for verdict in [true, false] {
        let mut call = validator.validation(T0_MS);
        let ValidationStep::Verify(pending) = validator.poll_validation(&mut call, &token, &requirements(), T0_MS)
        else {
            panic!("expected Verify")
        };
        assert!(!format!("{pending:?}").contains(pending.signing_input()), "Debug redacts the token");
        match validator.conclude_validation(&mut call, pending, verdict, &requirements(), T0_MS) {
            ValidationStep::Valid(_) => assert!(verdict),
            ValidationStep::Fail(error) => assert_eq!((verdict, error.kind()), (false, ErrorKind::SignatureInvalid)),
            other => panic!("{other:?}"),
        }
    }
}
