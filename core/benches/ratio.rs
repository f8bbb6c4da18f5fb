//! Paired measurements against the raw RSA-2048 PKCS#1 SHA-256 operation of the same backend:
//! grant build+sign against a raw signature (target: at most 1.10), and full access-token
//! validation against a raw verify (target: at most 1.5). Short batches of each, alternated, so
//! load from other processes hits both alike; prints median per-operation times and ratios.
//! Run: `cargo bench -p maskinporten --bench ratio` (add `--features aws-lc-rs`).

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs as backend;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use maskinporten::{Algorithm, Client, Environment, GrantOptions, Key, Requirements, Validator};
#[cfg(not(feature = "aws-lc-rs"))]
use ring as backend;
use std::hint::black_box;
use std::time::Instant;

const ROUNDS: usize = 41;
const BATCH: u32 = 25;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

fn per_op(mut op: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..BATCH {
        op();
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH)
}

fn vector(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).expect("vector file")
}

fn validation() {
    let cases: serde_json::Value = serde_json::from_slice(&vector("validation.json")).expect("JSON");
    let case = &cases["cases"][0];
    let (token, now) = (case["token"].as_str().expect("token"), case["now"].as_i64().expect("now"));
    let jwks_bytes = vector("keys/issuer.jwks.json");
    let mut validator = Validator::new(Environment::test());
    validator.update_jwks(&jwks_bytes, now).expect("JWKS");
    let requirements = Requirements::any_scope(["test:scope.read"]);
    let jwks: serde_json::Value = serde_json::from_slice(&jwks_bytes).expect("JWKS JSON");
    let b64 = |name: &str| URL_SAFE_NO_PAD.decode(jwks["keys"][0][name].as_str().expect("member")).expect("base64url");
    let (n, e) = (b64("n"), b64("e"));
    let (input, signature) = token.rsplit_once('.').expect("JWS");
    let signature = URL_SAFE_NO_PAD.decode(signature).expect("signature");
    let public = backend::signature::RsaPublicKeyComponents { n: &n, e: &e };
    let (mut raw, mut full) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        raw.push(per_op(|| {
            public
                .verify(&backend::signature::RSA_PKCS1_2048_8192_SHA256, black_box(input.as_bytes()), &signature)
                .expect("verifies");
        }));
        full.push(per_op(|| {
            black_box(validator.validate(black_box(token), now, &requirements).expect("valid"));
        }));
    }
    let (raw, full) = (median(raw), median(full));
    println!(
        "backend {:<9} raw RS256 verify {raw:7.1} µs | full validation {full:8.1} µs | ratio {:.3}",
        maskinporten::BACKEND,
        full / raw
    );
}

fn main() {
    signing();
    validation();
}

fn signing() {
    let p12 =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/client.p12")).expect("vector p12");
    let key = Key::from_pkcs12(&p12, "vector-password", None).expect("key");
    let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::test()).expect("client");
    let options = GrantOptions::new(["test:scope.read"]);
    let now = 1_767_225_600;
    let input = client.prepare_grant(&options, now, None).expect("prepare").signing_input().to_string();
    let (mut raw, mut grant) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        raw.push(per_op(|| {
            black_box(client.key().sign(Algorithm::Rs256, black_box(input.as_bytes())).expect("sign"));
        }));
        grant.push(per_op(|| {
            black_box(client.grant(black_box(&options), now, None).expect("grant"));
        }));
    }
    let (raw, grant) = (median(raw), median(grant));
    println!(
        "backend {:<9} raw RS256 sign {raw:8.1} µs | grant build+sign {grant:8.1} µs | ratio {:.3}",
        maskinporten::BACKEND,
        grant / raw
    );
}
