//! Paired measurement of grant build+sign against a raw RSA-2048 PKCS#1 SHA-256 signature of the
//! same backend: short batches of each, alternated, so load from other processes hits both
//! alike. Prints the median per-operation times and their ratio (target: at most 1.10).
//! Run: `cargo bench -p maskinporten --bench ratio` (add `--features aws-lc-rs`).

use maskinporten::{Algorithm, Client, Environment, GrantOptions, Key};
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

fn main() {
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
