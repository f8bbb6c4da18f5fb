//! The Rust core against the committed shared vectors, and the drift check.

use maskinporten::parse_token_response;
use maskinporten_vectors::{drift, harness, vectors_dir};
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(vectors_dir().join(name)).expect("vector file");
    let doc: Value = serde_json::from_str(&text).expect("vector JSON");
    doc["cases"].as_array().expect("cases").clone()
}

#[test]
fn committed_vectors_match_their_generator() {
    let drifted = drift(&vectors_dir());
    assert!(drifted.is_empty(), "drifted vector files: {drifted:?}; run `cargo run -p maskinporten-vectors -- write`");
}

#[test]
fn grants_are_byte_identical() {
    let dir = vectors_dir();
    let cases = load("grants.json");
    assert!(cases.len() >= 15);
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (jwt, body) = harness::run_grant_case(&case, &dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(jwt, case["expected"]["jwt"].as_str().unwrap(), "{name}: jwt");
        assert_eq!(body, case["expected"]["body"].as_str().unwrap(), "{name}: body");
    }
}

#[test]
fn negative_grants_fail_with_their_kind() {
    let dir = vectors_dir();
    for case in load("grant_errors.json") {
        let name = case["name"].as_str().unwrap_or("?");
        let error = harness::run_grant_case(&case, &dir).err().unwrap_or_else(|| panic!("{name}: expected an error"));
        assert_eq!(error.kind(), case["expected_error"].as_str().unwrap(), "{name}: {error}");
        let text = format!("{error} {error:?}");
        assert!(!text.contains("vector-password") && !text.contains("not-the-password"), "{name}: password leaked");
    }
}

#[test]
fn responses_parse_as_expected() {
    for case in load("responses.json") {
        let name = case["name"].as_str().unwrap_or("?");
        let status = case["status"].as_u64().unwrap() as u16;
        let body = case["body"].as_str().unwrap().as_bytes();
        let result = parse_token_response(status, body, case["content_type"].as_str(), case["now"].as_i64().unwrap());
        match (result, case.get("expected")) {
            (Ok(token), Some(expected)) => {
                assert_eq!(token.access_token(), expected["access_token"].as_str().unwrap(), "{name}");
                assert_eq!(token.token_type(), "Bearer", "{name}");
                assert_eq!(token.expires_in(), expected["expires_in"].as_i64().unwrap(), "{name}");
                assert_eq!(token.scope(), expected["scope"].as_str(), "{name}");
                assert_eq!(token.expires_at(), expected["expires_at"].as_i64().unwrap(), "{name}");
            }
            (Err(error), None) => {
                let expected = &case["expected_error"];
                assert_eq!(error.kind(), expected["kind"].as_str().unwrap(), "{name}: {error}");
                assert_eq!(error.mp_code(), expected["mp_code"].as_str(), "{name}");
                assert_eq!(error.is_retryable(), expected["retryable"].as_bool().unwrap(), "{name}");
                assert_eq!(error.status(), expected["status"].as_u64().map(|s| s as u16), "{name}");
                assert_eq!(error.hint().is_some(), expected["has_hint"].as_bool().unwrap(), "{name}: hint");
                if let maskinporten::Error::OAuth(oauth) = &error {
                    assert_eq!(Some(oauth.error.as_str()), expected["error"].as_str(), "{name}");
                }
            }
            (Ok(_), None) => panic!("{name}: expected an error, got a token"),
            (Err(e), Some(_)) => panic!("{name}: expected a token, got {e}"),
        }
    }
}

#[test]
fn access_tokens_validate_as_expected() {
    let jwks = std::fs::read(vectors_dir().join("keys/issuer.jwks.json")).expect("JWKS");
    let cases = load("validation.json");
    assert!(cases.len() >= 25);
    for case in cases {
        let outcome = harness::run_validation_case(&case, &jwks);
        if let Err(difference) = harness::check_validation_case(&case, &outcome) {
            panic!("{difference}");
        }
        if let Err(error) = outcome {
            let token = case["token"].as_str().unwrap();
            let shown = format!("{error} {error:?}");
            assert!(token.len() < 40 || !shown.contains(&token[..40]), "the error echoes the token");
        }
    }
}

#[test]
fn claims_checked_during_verification_answer_as_finish_validation() {
    let jwks = std::fs::read(vectors_dir().join("keys/issuer.jwks.json")).expect("JWKS");
    let mut compared = 0;
    for case in load("validation.json") {
        let now = case["now"].as_i64().expect("now");
        let requirements = harness::requirements(&case["requirements"]);
        let mut validator = maskinporten::Validator::new(maskinporten::Environment::test());
        validator.update_jwks(&jwks, now).expect("JWKS");
        let Ok(pending) = validator.prepare_validation(case["token"].as_str().expect("token"), now) else {
            continue;
        };
        for signature_valid in [true, false] {
            let early = validator.check_claims_unverified(&pending, now, &requirements).conclude(signature_valid);
            let late = validator.finish_validation(pending.clone(), signature_valid, now, &requirements);
            let name = case["name"].as_str().unwrap_or("?");
            match (early, late) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}"),
                (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{name}, signature valid: {signature_valid}"),
                (a, b) => panic!("{name}, signature valid: {signature_valid}: {a:?} vs {b:?}"),
            }
            compared += 1;
        }
    }
    assert!(compared >= 40, "{compared}");
}
