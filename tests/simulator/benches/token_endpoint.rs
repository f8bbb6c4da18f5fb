//! Throughput and latency of `POST /token` over loopback (one keep-alive client, sequential),
//! for valid x5c grants and for rejected ones. Run: `cargo bench -p maskinporten-simulator`.
//! Prints figures; asserts nothing about speed.

use std::time::Instant;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use maskinporten_simulator::certs::TestCa;
use maskinporten_simulator::{Simulator, SimulatorConfig};
use serde_json::json;

const N: usize = 2000;

fn sign(key: &RsaKeyPair, header: &serde_json::Value, claims: &serde_json::Value) -> String {
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut sig).expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(label: &str, sim: &Simulator, bodies: Vec<String>, expect: u16) {
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let mut lat = Vec::with_capacity(bodies.len());
    let start = Instant::now();
    for body in bodies {
        let t = Instant::now();
        let r = client
            .post(sim.token_endpoint())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), expect);
        let _ = r.bytes().await.expect("body");
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let total = start.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{label:<28} {:>7.0} req/s   p50 {:.2} ms   p99 {:.2} ms   ({} requests)",
        lat.len() as f64 / total,
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat.len()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let ca = TestCa::generate("bench CA").expect("ca");
    let cert = ca.issue_enterprise("311000004", "BENCH AS").expect("cert");
    let key = RsaKeyPair::from_pkcs8(&cert.key_der).expect("key");
    let config = SimulatorConfig::builder()
        .trust_ca_pem(&ca.cert_pem)
        .client("bench-client", "311000004", ["test:scope.read"])
        .build();
    let sim = Simulator::start(config, 0).await.expect("start");
    let header = json!({"alg": "RS256", "x5c": [STANDARD.encode(&cert.cert_der)]});
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    let grant = |i: usize, aud: &str| {
        let claims = json!({"aud": aud, "iss": "bench-client", "scope": "test:scope.read",
            "iat": now, "exp": now + 120, "jti": format!("bench-{i}-{aud}")});
        format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={}",
            sign(&key, &header, &claims)
        )
    };
    let valid: Vec<String> = (0..N).map(|i| grant(i, sim.issuer())).collect();
    let wrong_aud: Vec<String> = (0..N).map(|i| grant(i, "https://maskinporten.no")).collect();
    // Warm-up.
    run("warm-up (valid x5c)", &sim, (0..200).map(|i| grant(N + i, sim.issuer())).collect(), 200).await;
    run("valid x5c grant -> token", &sim, valid, 200).await;
    run("wrong aud -> MP-110", &sim, wrong_aud, 400).await;
    sim.shutdown().await;
}
