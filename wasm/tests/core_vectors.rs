//! The core on wasm32, under Node with wasm-bindgen-test: every shared vector runs through the
//! core's own vector harness (`tests/vectors-gen/src/harness.rs`, included as is), so the
//! WebAssembly build of ring, the PKCS#12 readers and the JSON/base64 code give the same bytes
//! as on the host. Run by scripts/test-wasm:
//! `cargo test --profile release --target wasm32-unknown-unknown -p maskinporten-wasm --test core_vectors`
//! with `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner`.
#![cfg(target_arch = "wasm32")]

#[allow(dead_code)]
#[path = "../../tests/vectors-gen/src/harness.rs"]
mod harness;

use harness::Files;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(module = "fs")]
extern "C" {
    #[wasm_bindgen(js_name = readFileSync, catch)]
    fn read_file_sync(path: &str) -> Result<Vec<u8>, JsValue>;
}

/// The vectors folder, read through Node's `fs` (std::fs does not exist on wasm32).
struct NodeFiles;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/");

impl Files for NodeFiles {
    fn read(&self, path: &str) -> Vec<u8> {
        read_file_sync(&format!("{DIR}{path}")).unwrap_or_else(|_| panic!("cannot read vector file {path}"))
    }
}

fn document(name: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&NodeFiles.read(name)).expect("vector JSON");
    doc["cases"].as_array().expect("cases").clone()
}

#[wasm_bindgen_test]
fn grants_are_byte_identical() {
    let cases = document("grants.json");
    assert!(!cases.is_empty());
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let (jwt, body) = harness::run_grant_case(case, &NodeFiles).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(jwt, case["expected"]["jwt"].as_str().expect("jwt"), "{name}: jwt");
        assert_eq!(body, case["expected"]["body"].as_str().expect("body"), "{name}: body");
    }
}

#[wasm_bindgen_test]
fn grant_errors_have_their_kind() {
    let cases = document("grant_errors.json");
    assert!(!cases.is_empty());
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let err = harness::run_grant_case(case, &NodeFiles).err().unwrap_or_else(|| panic!("{name}: no error"));
        assert_eq!(err.kind(), case["expected_error"].as_str().expect("kind"), "{name}");
    }
}

#[wasm_bindgen_test]
fn responses_parse_as_expected() {
    let cases = document("responses.json");
    assert!(!cases.is_empty());
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let status = case["status"].as_u64().expect("status") as u16;
        let body = case["body"].as_str().expect("body").as_bytes();
        let result = maskinporten::parse_token_response(
            status,
            body,
            case["content_type"].as_str(),
            case["now"].as_i64().expect("now"),
        );
        match (&case.get("expected"), result) {
            (Some(want), Ok(token)) if !want.is_null() => {
                assert_eq!(token.access_token(), want["access_token"].as_str().expect("access_token"), "{name}");
                assert_eq!(token.expires_at(), want["expires_at"].as_i64().expect("expires_at"), "{name}");
                assert_eq!(token.scope(), want["scope"].as_str(), "{name}");
            }
            (_, Err(err)) => {
                let want = &case["expected_error"];
                assert_eq!(err.kind(), want["kind"].as_str().expect("kind"), "{name}");
                assert_eq!(err.mp_code(), want["mp_code"].as_str(), "{name}");
                assert_eq!(err.is_retryable(), want["retryable"].as_bool().expect("retryable"), "{name}");
            }
            (_, Ok(_)) => panic!("{name}: parsed, but an error was expected"),
        }
    }
}

#[wasm_bindgen_test]
fn random_jti_comes_from_crypto_get_random_values() {
    let key = harness::load_key(&serde_json::json!({"type": "jwk", "file": "keys/client.jwk.json"}), &NodeFiles)
        .expect("key");
    let client =
        maskinporten::Client::new("a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20", key, maskinporten::Environment::test())
            .expect("client");
    let opts = maskinporten::GrantOptions::new(["test:scope.read"]);
    let a = client.grant(&opts, 1_700_000_000, None).expect("grant");
    let b = client.grant(&opts, 1_700_000_000, None).expect("grant");
    assert_ne!(a, b, "two grants without a jti must differ (fresh UUIDs)");
}

#[wasm_bindgen_test]
fn validation_vectors_through_the_core_validator() {
    let doc: Value = serde_json::from_slice(&NodeFiles.read("validation.json")).expect("validation JSON");
    let jwks = NodeFiles.read(doc["jwks_file"].as_str().expect("jwks_file"));
    let cases = doc["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    for case in cases {
        let outcome = harness::run_validation_case(case, &jwks);
        if let Err(message) = harness::check_validation_case(case, &outcome) {
            panic!("{message}");
        }
    }
}
