//! The shared vectors against `e2e.toml`: every grant the vectors expect the core to produce is
//! accepted by the simulator (replayed at the vector's fixed time), and grants signed here with
//! the vector keys get the expected answers at the real time.

mod common;

use std::path::PathBuf;

use aws_lc_rs::signature::RsaKeyPair;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use maskinporten_simulator::{Simulator, SimulatorConfig};
use serde_json::{json, Value};

fn vectors_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors"))
}

fn read(rel: &str) -> Vec<u8> {
    let p = vectors_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| {
        panic!("{}: {e}; generate the vectors with `cargo run -p maskinporten-vectors -- write`", p.display())
    })
}

fn e2e() -> SimulatorConfig {
    SimulatorConfig::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/e2e.toml")).expect("e2e.toml loads")
}

fn issuer_of(env: &str) -> String {
    match env {
        "test" => "https://test.maskinporten.no/".into(),
        "prod" => "https://maskinporten.no/".into(),
        other => other.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vector_grant_is_accepted_by_the_simulator() {
    let vectors: Value = serde_json::from_slice(&read("grants.json")).expect("grants.json");
    let cases = vectors["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10, "expected the full vector set");
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let mut config = e2e();
        config.issuer = Some(issuer_of(case["client"]["environment"].as_str().unwrap_or("test")));
        config.fixed_time = case["now"].as_i64();
        let sim = Simulator::start(config, 0).await.expect("start");
        let body = case["expected"]["body"].as_str().expect("body").to_string();
        let a = post_form(&sim, body).await;
        assert_eq!(a.status, 200, "vector {name}: {}", a.text);
        let scopes: Vec<&str> =
            case["grant"]["scopes"].as_array().expect("scopes").iter().filter_map(Value::as_str).collect();
        assert_eq!(a.body["scope"], scopes.join(" "), "vector {name}");
        let claims = verify_access_token(&sim, a.body["access_token"].as_str().unwrap_or("")).await;
        if let Some(org) = case["grant"]["consumer_org"].as_str() {
            assert_eq!(claims["consumer"]["ID"], format!("0192:{org}"), "vector {name}");
            assert_eq!(claims["supplier"]["ID"], "0192:311000004", "vector {name}");
        }
        if !case["grant"]["resource"].is_null() {
            assert_eq!(claims["aud"], case["grant"]["resource"], "vector {name}");
        }
        // The same grant again is a replay.
        let again = post_form(&sim, case["expected"]["body"].as_str().unwrap_or("").to_string()).await;
        assert_eq!(again.mp(), "MP-012", "vector {name}: {}", again.text);
        sim.shutdown().await;
    }
}

fn der_len(n: usize, out: &mut Vec<u8>) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
}

fn der_uint(v: &[u8], out: &mut Vec<u8>) {
    let v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    let pad = v.first().map(|b| b & 0x80 != 0).unwrap_or(true);
    out.push(0x02);
    der_len(v.len() + usize::from(pad), out);
    if pad {
        out.push(0);
    }
    out.extend(v);
}

/// A private RSA JWK as a key pair (through a PKCS#1 RSAPrivateKey DER built here).
fn key_from_jwk(jwk: &Value) -> RsaKeyPair {
    let mut body = Vec::new();
    der_uint(&[0], &mut body);
    for f in ["n", "e", "d", "p", "q", "dp", "dq", "qi"] {
        let v = URL_SAFE_NO_PAD.decode(jwk[f].as_str().expect("jwk field")).expect("b64");
        der_uint(&v, &mut body);
    }
    let mut der = vec![0x30];
    der_len(body.len(), &mut der);
    der.extend(body);
    RsaKeyPair::from_der(&der).expect("PKCS#1 key")
}

fn pem_key(rel: &str) -> RsaKeyPair {
    let block = pem::parse(read(rel)).expect("pem");
    RsaKeyPair::from_pkcs8(block.contents()).expect("pkcs8")
}

fn pem_cert_b64(rel: &str) -> Vec<String> {
    pem::parse_many(read(rel)).expect("pem").iter().map(|p| STANDARD.encode(p.contents())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vector_keys_against_e2e_toml_at_the_real_time() {
    let sim = Simulator::start(e2e(), 0).await.expect("start");
    let client_key = pem_key("keys/client.key.pem");
    let leaf = pem_cert_b64("keys/client.cert.pem");
    let chain = pem_cert_b64("keys/client.chain.pem");

    let g = Grant::x5c(&sim).header("x5c", json!(leaf.clone()));
    let a = send(&sim, &g.sign_with(&client_key)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let g = Grant::x5c(&sim).header("x5c", json!(chain)).claim("scope", json!("test:scope.write"));
    assert_eq!(send(&sim, &g.sign_with(&client_key)).await.status, 200);

    let jwk: Value = serde_json::from_slice(&read("keys/client.jwk.json")).expect("jwk");
    let kid_key = key_from_jwk(&jwk);
    let a = send(&sim, &Grant::kid(&sim).sign_with(&kid_key)).await;
    assert_eq!(a.status, 200, "{}", a.text);

    // The vector's expired certificate: MP-120.
    let ks = p12_keystore::KeyStore::from_pkcs12(&read("keys/expired.p12"), "vector-password", Default::default())
        .expect("expired.p12");
    let (_, entry) = ks.private_key_chain().expect("key");
    let expired_key = RsaKeyPair::from_pkcs8(entry.key().as_der()).expect("pkcs8");
    let expired_leaf = STANDARD.encode(entry.certs()[0].as_der());
    let g = Grant::x5c(&sim).header("x5c", json!([expired_leaf]));
    expect_rejected(&sim, &g.sign_with(&expired_key), "MP-120", "invalid_grant").await;

    // An unrelated key with the client's certificate: MP-124.
    let g = Grant::x5c(&sim).header("x5c", json!(leaf));
    expect_rejected(&sim, &g.sign_with(&pem_key("keys/other.key.pem")), "MP-124", "invalid_grant").await;

    // The test fixture's certificate is from another CA than the vectors': wrong environment.
    expect_rejected(&sim, &Grant::x5c(&sim).sign(), "MP-120", "invalid_grant").await;
}
