//! Grant build+sign beside a raw RSA-2048 PKCS#1 SHA-256 signature of the same backend, response
//! parsing, and a cache hit. Run: `cargo bench -p maskinporten` (ring) and
//! `cargo bench -p maskinporten --features aws-lc-rs`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use maskinporten::{
    parse_token_response, Algorithm, Client, Environment, GrantOptions, HttpResponse, Key, TokenFlow, TokenStep,
};

const NOW: i64 = 1_767_225_600;

fn client() -> Client {
    let p12 =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/client.p12")).expect("vector p12");
    let key = Key::from_pkcs12(&p12, "vector-password", None).expect("key");
    Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::test()).expect("client")
}

fn signing(c: &mut Criterion) {
    let client = client();
    let options = GrantOptions::new(["test:scope.read"]);
    // The same number of bytes a grant signs, so the comparison is like for like.
    let input = client.prepare_grant(&options, NOW, None).expect("prepare").signing_input().to_string();
    let mut group = c.benchmark_group(format!("rsa2048/{}", maskinporten::BACKEND));
    group.bench_function("raw_sign_rs256", |b| {
        b.iter(|| client.key().sign(Algorithm::Rs256, black_box(input.as_bytes())))
    });
    group.bench_function("grant_build_and_sign", |b| b.iter(|| client.grant(black_box(&options), NOW, None)));
    group.finish();
}

fn parsing(c: &mut Criterion) {
    let token = format!("eyJraWQiOiJrIiwiYWxnIjoiUlMyNTYifQ.{}.{}", "a".repeat(600), "b".repeat(342));
    let body =
        format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":119,"scope":"test:scope.read"}}"#);
    c.bench_function("parse_token_response", |b| {
        b.iter(|| parse_token_response(200, black_box(body.as_bytes()), Some("application/json"), NOW))
    });
}

fn caching(c: &mut Criterion) {
    let client = client();
    let options = GrantOptions::new(["test:scope.read"]);
    let key = client.cache_key(&options);
    let mut flow = TokenFlow::new();
    let now_ms = NOW * 1000;
    let mut call = flow.call(key.clone(), now_ms);
    if let TokenStep::Send { .. } = flow.poll(&mut call, &client, &options, now_ms) {
        let body = br#"{"access_token":"t","token_type":"Bearer","expires_in":120}"#;
        flow.handle_response(&mut call, &client, HttpResponse::new(200, body), now_ms, 0.5);
    }
    assert!(matches!(flow.poll(&mut call, &client, &options, now_ms), TokenStep::Token(_)));
    c.bench_function("cache_hit", |b| {
        b.iter(|| flow.fresh(black_box(&key), now_ms + 1000).expect("the token is fresh"))
    });
    c.bench_function("cache_key", |b| b.iter(|| client.cache_key(black_box(&options))));
}

criterion_group!(benches, signing, parsing, caching);
criterion_main!(benches);
