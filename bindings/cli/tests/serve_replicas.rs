//! Three `serve` replicas on one real `redis-server`, against the simulator with short tokens:
//! many concurrent callers for a bounded time get tokens with zero failures, and the replicas
//! make one Maskinporten request per token between them; then Redis is killed mid-run: still
//! zero failures, and each replica fetches for itself.

mod common;

use common::*;
use maskinporten_simulator::{Simulator, SimulatorConfig};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Token lifetime at the simulator (the scope's `at_max_age`), and the refresh skew: each token
/// is replaced `LIFETIME_S - SKEW_S` seconds after it was issued.
const LIFETIME_S: u64 = 6;
const SKEW_S: u64 = 2;
const CALLERS: usize = 48;
const SHARED_PHASE: Duration = Duration::from_secs(12);
const REDIS_DOWN_PHASE: Duration = Duration::from_secs(9);

struct Load {
    ok: AtomicU64,
    failed: AtomicU64,
}

/// `CALLERS` tasks calling the replicas in turn until `until`; each waits 5 ms between calls so
/// the debug build and the simulator share two cores without starving the refreshes.
async fn run_callers(urls: &[String], until: Instant, load: &Arc<Load>) {
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    for caller in 0..CALLERS {
        let (http, load) = (http.clone(), load.clone());
        let urls = urls.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut turn = caller;
            while Instant::now() < until {
                let url = &urls[turn % urls.len()];
                turn += 1;
                let body = json!({"identity_provider": "maskinporten", "target": READ});
                let answer = http.post(url).json(&body).timeout(Duration::from_secs(10)).send().await;
                let good = match answer {
                    Ok(response) if response.status().is_success() => response
                        .json::<Value>()
                        .await
                        .is_ok_and(|b| b["access_token"].as_str().is_some_and(|t| t.len() > 100)),
                    Ok(response) => {
                        eprintln!(
                            "caller {caller}: HTTP {} {}",
                            response.status(),
                            response.text().await.unwrap_or_default()
                        );
                        false
                    }
                    Err(error) => {
                        eprintln!("caller {caller}: {error}");
                        false
                    }
                };
                let counter = if good { &load.ok } else { &load.failed };
                counter.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("caller task");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_one_token_and_survive_redis_dying() {
    let Some(mut redis) = Redis::start() else { return };
    let ca = std::fs::read_to_string(repo("tests/vectors/keys/ca.pem")).expect("ca.pem");
    let config = SimulatorConfig::builder()
        .trust_ca_pem(&ca)
        .client(X5C_CLIENT, "311000004", [READ])
        .scope_max_age(READ, LIFETIME_S as i64)
        .build();
    let sim = Simulator::start(config, 0).await.expect("simulator");

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("serve.toml");
    std::fs::write(&config, format!("[flow]\nrefresh_skew = {SKEW_S}\n[store]\ntimeout_ms = 200\n")).unwrap();
    let mut env = one_client_env(sim.issuer());
    env.push(("MASKINPORTEN_REDIS_URL", redis.url.clone()));
    env.push(("MASKINPORTEN_STORE_KEY", STORE_KEY.to_string()));
    let replicas: Vec<Serve> =
        (0..3).map(|_| Serve::start(&["--config", config.to_str().unwrap()], &env_refs(&env))).collect();
    assert!(replicas.iter().all(|r| r.ready["store"] == "redis"));
    let urls: Vec<String> = replicas.iter().map(|r| r.endpoint("/api/v1/token")).collect();

    // Phase 1: one Redis.
    let load = Arc::new(Load { ok: AtomicU64::new(0), failed: AtomicU64::new(0) });
    let started = Instant::now();
    run_callers(&urls, started + SHARED_PHASE, &load).await;
    let elapsed = started.elapsed().as_secs_f64();
    let requests = sim.stats().requests;
    let (ok, failed) = (load.ok.load(Ordering::Relaxed), load.failed.load(Ordering::Relaxed));
    eprintln!("shared phase: {ok} calls, {failed} failed, {requests} Maskinporten requests in {elapsed:.1} s");
    assert_eq!(failed, 0, "no call fails");
    assert!(ok > 1_000, "the load ran: {ok} calls");
    // Each token serves LIFETIME_S - SKEW_S seconds before the next is fetched: one request
    // per token, for the three replicas together (plus one for the first token).
    let per_token = (LIFETIME_S - SKEW_S) as f64;
    let bound = (elapsed / per_token).ceil() as u64 + 1;
    assert!(requests <= bound, "{requests} Maskinporten requests in {elapsed:.1} s; at most {bound} (one per token)");
    assert!(requests >= 2, "tokens were refreshed during the run: {requests}");
    for replica in &replicas {
        let metrics = reqwest::get(replica.endpoint("/metrics")).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("maskinporten_store_up{store=\"redis\"} 1"), "{metrics}");
    }
    let shared: u64 = futures_sum(&replicas, "maskinporten_token_cache_total{result=\"shared\"}").await;
    assert!(shared >= 2, "replicas took tokens another fetched: {shared}");

    // Phase 2: Redis dies mid-run.
    let before = sim.stats().requests;
    let mut misses_before = Vec::new();
    for replica in &replicas {
        let metrics = reqwest::get(replica.endpoint("/metrics")).await.unwrap().text().await.unwrap();
        misses_before.push(metric(&metrics, "maskinporten_token_cache_total{result=\"miss\"}"));
    }
    let load = Arc::new(Load { ok: AtomicU64::new(0), failed: AtomicU64::new(0) });
    let until = Instant::now() + REDIS_DOWN_PHASE;
    let callers = {
        let (urls, load) = (urls.clone(), load.clone());
        tokio::spawn(async move { run_callers(&urls, until, &load).await })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    redis.kill();
    callers.await.unwrap();
    let (ok, failed) = (load.ok.load(Ordering::Relaxed), load.failed.load(Ordering::Relaxed));
    let requests = sim.stats().requests - before;
    eprintln!("Redis down: {ok} calls, {failed} failed, {requests} Maskinporten requests");
    assert_eq!(failed, 0, "no call fails because Redis is down");
    assert!(ok > 500, "the load ran: {ok} calls");
    assert!(requests >= 3, "each replica fetched for itself: {requests} requests");
    for (replica, misses_before) in replicas.iter().zip(misses_before) {
        let ready: Value = reqwest::get(replica.endpoint("/readyz")).await.unwrap().json().await.unwrap();
        assert_eq!(ready["ready"], true, "ready without Redis: {ready}");
        assert_eq!(ready["store"]["up"], false, "{ready}");
        let metrics = reqwest::get(replica.endpoint("/metrics")).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("maskinporten_store_up{store=\"redis\"} 0"), "{metrics}");
        let fetched = metric(&metrics, "maskinporten_token_cache_total{result=\"miss\"}") - misses_before;
        assert!(fetched >= 1, "each replica fetched for itself while Redis was down: {metrics}");
        assert!(!replica.logs().contains(STORE_KEY), "the store key is not logged");
    }
}

async fn futures_sum(replicas: &[Serve], name: &str) -> u64 {
    let mut sum = 0;
    for replica in replicas {
        let text = reqwest::get(replica.endpoint("/metrics")).await.unwrap().text().await.unwrap();
        sum += metric(&text, name);
    }
    sum
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name).map(|v| v.trim().parse::<f64>().unwrap_or(0.0) as u64))
        .unwrap_or(0)
}
