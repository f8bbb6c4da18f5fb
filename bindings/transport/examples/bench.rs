//! Benchmark figures for the transport against the local simulator (loopback), side by side
//! with the core it executes, in one run:
//! - a cache hit through `TokenProvider::token()` against the core's `TokenFlow::fresh` behind a
//!   mutex (the floor) and against hashing the options into a cache key (what the provider's
//!   memo saves per call);
//! - a fetch round trip (sign + POST + parse) through the flow;
//! - single flight under concurrency;
//! - `TokenValidator::validate` against the core's `Validator::validate` with the same keys.
//!
//! ```bash
//! cargo run --release -p maskinporten-transport --example bench
//! ```
//! Prints figures; asserts nothing about speed (targets belong here, not in tests).

use maskinporten::{Client, Environment, GrantOptions, Key, Requirements, TokenFlow, Validator};
use maskinporten_simulator::{Simulator, SimulatorConfig};
use maskinporten_transport::{TokenProvider, TokenValidator};
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn per_call(started: Instant, n: u32) -> f64 {
    started.elapsed().as_nanos() as f64 / f64::from(n)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let sim = Simulator::start(SimulatorConfig::from_file(format!("{repo}/tests/simulator/e2e.toml"))?, 0).await?;
    let key =
        Key::from_pkcs12(&std::fs::read(format!("{repo}/tests/vectors/keys/client.p12"))?, "vector-password", None)?;
    let environment = Environment::from_name(sim.issuer())?;
    let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, environment.clone())?;
    let provider = Arc::new(TokenProvider::new(client.clone())?);
    let options = GrantOptions::new(["test:scope.read"]);

    // Fetches: each round drops the token (as an API's 401 would) and asks again.
    let mut token = provider.token(&options).await?; // also warms the connection pool
    let n = 200;
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        provider.reject(&options, token.access_token());
        token = provider.token(&options).await?;
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "fetch (reject + token: sign RS256 + POST + simulator verify/sign + parse), {n} sequential: p50 {:.2} ms, p99 {:.2} ms, {:.0} tokens/s",
        ms(times[n / 2]),
        ms(times[n * 99 / 100]),
        n as f64 / total.as_secs_f64()
    );

    // Cache hits, three ways, one after the other in this run.
    let hits = 500_000;
    let started = Instant::now();
    for _ in 0..hits {
        black_box(provider.token(black_box(&options)).await?);
    }
    let provider_ns = per_call(started, hits);

    let floor = Mutex::new(TokenFlow::new());
    let cache_key = client.cache_key(&options);
    let now_ms = maskinporten::unix_now() * 1000;
    {
        let mut flow = floor.lock().map_err(|_| "poisoned")?;
        let mut call = flow.call(cache_key.clone(), now_ms);
        let body = format!(r#"{{"access_token":"{}","token_type":"Bearer","expires_in":120}}"#, token.access_token());
        if let maskinporten::TokenStep::Send { .. } = flow.poll(&mut call, &client, &options, now_ms) {
            flow.handle_response(
                &mut call,
                &client,
                maskinporten::HttpResponse::new(200, body.as_bytes()),
                now_ms,
                0.5,
            );
        }
        let _ = flow.poll(&mut call, &client, &options, now_ms);
    }
    let started = Instant::now();
    for _ in 0..hits {
        let now = maskinporten::unix_now() * 1000;
        black_box(floor.lock().map_err(|_| "poisoned")?.fresh(black_box(&cache_key), now));
    }
    let floor_ns = per_call(started, hits);

    let keys = 100_000;
    let started = Instant::now();
    for _ in 0..keys {
        black_box(client.cache_key(black_box(&options)));
    }
    let key_ns = per_call(started, keys);
    println!(
        "cache hit: TokenProvider::token() {provider_ns:.0} ns per call; the core's TokenFlow::fresh behind a mutex \
         {floor_ns:.0} ns ({:.2}x); hashing the options into a cache key (saved by the provider's memo) {key_ns:.0} ns",
        provider_ns / floor_ns
    );

    // Single flight.
    let fresh = Arc::new(TokenProvider::new(client.clone())?);
    sim.reset();
    let callers = 64;
    let started = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let p = fresh.clone();
            let o = options.clone();
            tokio::spawn(async move { p.token(&o).await })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    println!(
        "single flight: {callers} concurrent callers on an empty cache -> {} token request(s), all served in {:.2} ms",
        sim.stats().requests,
        ms(started.elapsed())
    );

    // Validation: the executor against the core alone, same token and keys.
    let requirements = Requirements::any_scope(["test:scope.read"]);
    let validator = TokenValidator::new(Validator::new(environment.clone()))?;
    validator.validate(token.access_token(), &requirements).await?; // fetches the JWKS once
    let jwks = reqwest::get(sim.jwks_uri()).await?.bytes().await?;
    let mut core = Validator::new(environment);
    core.update_jwks(&jwks, maskinporten::unix_now())?;
    let rounds = 5_000;
    let started = Instant::now();
    for _ in 0..rounds {
        black_box(validator.validate(black_box(token.access_token()), &requirements).await?);
    }
    let executor_ns = per_call(started, rounds);
    let started = Instant::now();
    for _ in 0..rounds {
        black_box(core.validate(black_box(token.access_token()), maskinporten::unix_now(), &requirements)?);
    }
    let core_ns = per_call(started, rounds);
    println!(
        "validate: TokenValidator::validate {:.1} µs, the core's Validator::validate {:.1} µs ({:.2}x)",
        executor_ns / 1000.0,
        core_ns / 1000.0,
        executor_ns / core_ns
    );
    sim.shutdown().await;
    Ok(())
}
