//! Fault injection and statistics, through the library API and the `/_sim` admin endpoints.

mod common;

use std::time::{Duration, Instant};

use common::*;
use maskinporten_simulator::{FaultKind, FaultSpec};
use serde_json::json;

async fn admin_post(sim: &maskinporten_simulator::Simulator, path: &str, body: serde_json::Value) -> u16 {
    http().post(format!("{}{path}", sim_base(sim))).json(&body).send().await.expect("admin").status().as_u16()
}

fn sim_base(sim: &maskinporten_simulator::Simulator) -> String {
    format!("http://127.0.0.1:{}", sim.port())
}

async fn stats(sim: &maskinporten_simulator::Simulator) -> serde_json::Value {
    http().get(format!("{}/_sim/stats", sim_base(sim))).send().await.expect("stats").json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_html_and_empty_faults_for_count_requests() {
    let sim = start().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Status).with_status(503).with_count(2)).expect("fault");
    for _ in 0..2 {
        let a = send(&sim, &Grant::x5c(&sim).sign()).await;
        assert_eq!(a.status, 503);
        assert!(a.body.is_null(), "not JSON: {}", a.text);
    }
    assert_eq!(send(&sim, &Grant::x5c(&sim).sign()).await.status, 200, "count exhausted");

    assert_eq!(admin_post(&sim, "/_sim/faults", json!({"kind": "html", "count": 1})).await, 200);
    let a = send(&sim, &Grant::x5c(&sim).sign()).await;
    assert_eq!(a.status, 502);
    assert!(a.content_type.as_deref().unwrap_or("").starts_with("text/html"));
    assert!(a.text.contains("<html>"));

    assert_eq!(admin_post(&sim, "/_sim/faults", json!({"kind": "empty", "status": 504, "count": 1})).await, 200);
    let a = send(&sim, &Grant::x5c(&sim).sign()).await;
    assert_eq!(a.status, 504);
    assert!(a.text.is_empty());

    let s = stats(&sim).await;
    assert_eq!(s["requests"], 5);
    assert_eq!(s["tokens_issued"], 1);
    assert_eq!(s["faults_injected"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_connection_fault() {
    let sim = start().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Close).with_count(1)).expect("fault");
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={}",
        Grant::x5c(&sim).sign()
    );
    let err = post_raw(&sim, "application/x-www-form-urlencoded", body).await;
    assert!(err.is_err(), "the connection must close without an answer");
    assert_eq!(send(&sim, &Grant::x5c(&sim).sign()).await.status, 200, "next request is served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_fault_delays_then_answers() {
    let sim = start().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(300).with_count(1)).expect("fault");
    let t = Instant::now();
    let a = send(&sim, &Grant::x5c(&sim).sign()).await;
    assert_eq!(a.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300), "took {:?}", t.elapsed());
    // A client with a shorter timeout sees a timeout.
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(2000).with_count(1)).expect("fault");
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_millis(200)).build().expect("client");
    let r = client
        .post(sim.token_endpoint())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x=1")
        .send()
        .await;
    assert!(r.map_err(|e| e.is_timeout()).err().unwrap_or(false), "expected a timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fraction_faults_hit_that_share_deterministically() {
    let sim = start().await;
    assert_eq!(admin_post(&sim, "/_sim/faults", json!({"kind": "status", "status": 500, "fraction": 0.5})).await, 200);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(send(&sim, &Grant::x5c(&sim).sign()).await.status);
    }
    assert_eq!(statuses, vec![200, 500, 200, 500, 200, 500]);
    // Fraction with a count stops after count hits.
    let resp = http().delete(format!("{}/_sim/faults", sim_base(&sim))).send().await.expect("delete");
    assert_eq!(resp.status().as_u16(), 200);
    sim.inject_fault(FaultSpec::new(FaultKind::Empty).with_fraction(1.0).with_count(1)).expect("fault");
    assert_eq!(send(&sim, &Grant::x5c(&sim).sign()).await.status, 503);
    assert_eq!(send(&sim, &Grant::x5c(&sim).sign()).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_target_paths_and_are_validated() {
    let sim = start().await;
    sim.inject_fault(FaultSpec::new(FaultKind::Status).with_path("/jwk")).expect("fault");
    assert_eq!(http().get(sim.jwks_uri()).send().await.expect("jwk").status().as_u16(), 503);
    assert_eq!(send(&sim, &Grant::x5c(&sim).sign()).await.status, 200, "token endpoint unaffected");
    sim.clear_faults();
    assert_eq!(http().get(sim.jwks_uri()).send().await.expect("jwk").status().as_u16(), 200);
    assert!(sim.inject_fault(FaultSpec::new(FaultKind::Status).with_fraction(1.5)).is_err());
    assert_eq!(admin_post(&sim, "/_sim/faults", json!({"kind": "explode"})).await, 400);
    assert_eq!(admin_post(&sim, "/_sim/faults", json!({"kind": "status", "status": 99})).await, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_errors_by_code_and_reset_clears() {
    let sim = start().await;
    let t = now();
    send(&sim, &Grant::x5c(&sim).claim("aud", json!("https://maskinporten.no")).sign()).await;
    send(&sim, &Grant::x5c(&sim).claim("aud", json!("https://maskinporten.no")).sign()).await;
    // iat set too: the grant's own iat is read later, and a second boundary in between made it 120 s.
    send(&sim, &Grant::x5c(&sim).claim("iat", json!(t)).claim("exp", json!(t + 121)).sign()).await;
    send(&sim, &Grant::x5c(&sim).sign()).await;
    let s = stats(&sim).await;
    assert_eq!(s["requests"], 4);
    assert_eq!(s["tokens_issued"], 1);
    assert_eq!(s["errors"], json!({"MP-110": 2, "MP-130": 1}));
    assert_eq!(s["oauth_errors"], json!({"invalid_grant": 3}));
    assert_eq!(sim.stats().errors.get("MP-110"), Some(&2));
    sim.inject_fault(FaultSpec::new(FaultKind::Status)).expect("fault");
    assert_eq!(admin_post(&sim, "/_sim/reset", json!({})).await, 200);
    let s = stats(&sim).await;
    assert_eq!(s["requests"], 0);
    assert_eq!(s["errors"], json!({}));
    assert_eq!(s["faults_active"], 0);
    assert_eq!(send(&sim, &Grant::x5c(&sim).sign()).await.status, 200, "faults cleared by reset");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_frees_the_port() {
    let sim = start().await;
    let port = sim.port();
    assert_eq!(send(&sim, &Grant::x5c(&sim).sign()).await.status, 200);
    sim.shutdown().await;
    let r = http().get(format!("http://127.0.0.1:{port}/jwk")).send().await;
    assert!(r.is_err(), "nothing listens after shutdown");
}

#[test]
fn blocking_start_serves_from_a_background_thread() {
    let sim = maskinporten_simulator::Simulator::start_blocking(config(), 0).expect("start");
    let resp = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(sim.metadata_url())
        .send()
        .expect("get");
    assert_eq!(resp.status().as_u16(), 200);
    let m: serde_json::Value = resp.json().expect("json");
    assert_eq!(m["issuer"], sim.issuer());
    assert_eq!(sim.stats().metadata_requests, 1);
    sim.shutdown();
}
