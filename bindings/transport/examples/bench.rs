//! Benchmark figures for the transport against the local simulator (loopback):
//! fetch round trips (sign + POST + parse), cache hits, and single flight under concurrency.
//!
//! ```bash
//! cargo run --release -p maskinporten-transport --example bench
//! ```
//! Prints figures; asserts nothing about speed (targets belong here, not in tests).

use maskinporten::{Client, Environment, GrantOptions, Key};
use maskinporten_simulator::{Simulator, SimulatorConfig};
use maskinporten_transport::TokenProvider;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let sim = Simulator::start(SimulatorConfig::from_file(format!("{repo}/tests/simulator/e2e.toml"))?, 0).await?;
    let key =
        Key::from_pkcs12(&std::fs::read(format!("{repo}/tests/vectors/keys/client.p12"))?, "vector-password", None)?;
    let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::from_name(sim.issuer())?)?;
    let provider = Arc::new(TokenProvider::new(client)?);
    let options = GrantOptions::new(["test:scope.read"]);

    // Warm up the connection pool.
    provider.fetch(&options).await?;

    let n = 200;
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        provider.fetch(&options).await?;
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "fetch (sign RS256 + POST + simulator verify/sign + parse), {n} sequential: p50 {:.2} ms, p99 {:.2} ms, {:.0} tokens/s",
        ms(times[n / 2]),
        ms(times[n * 99 / 100]),
        n as f64 / total.as_secs_f64()
    );

    provider.token(&options).await?;
    let hits = 200_000;
    let started = Instant::now();
    for _ in 0..hits {
        provider.token(&options).await?;
    }
    println!(
        "cache hit (token() with a fresh token): {:.0} ns per call",
        started.elapsed().as_nanos() as f64 / hits as f64
    );

    let fresh = Arc::new(TokenProvider::new(provider.client().clone())?);
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
    sim.shutdown().await;
    Ok(())
}
