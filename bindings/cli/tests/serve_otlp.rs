//! `serve --otlp-endpoint` (feature `otlp`): the spans of a token request reach an OTLP/HTTP
//! collector (a small one in this test) when the service stops.
#![cfg(feature = "otlp")]

mod common;

use common::*;
use maskinporten_simulator::{Simulator, SimulatorConfig};
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Accepts OTLP/HTTP posts, keeps each request's head and body, answers 200.
async fn collector() -> (u16, Arc<Mutex<Vec<(String, Vec<u8>)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buffer = [0u8; 8192];
                loop {
                    let Ok(n) = stream.read(&mut buffer).await else { return };
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buffer[..n]);
                    let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&data[..end]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0usize);
                    if data.len() < end + 4 + length {
                        continue;
                    }
                    let body = data[end + 4..end + 4 + length].to_vec();
                    data.drain(..end + 4 + length);
                    store.lock().unwrap().push((head, body));
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
                }
            });
        }
    });
    (port, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_reach_the_collector() {
    let config = SimulatorConfig::from_file(repo("tests/simulator/e2e.toml")).expect("e2e.toml");
    let sim = Simulator::start(config, 0).await.expect("simulator");
    let (port, seen) = collector().await;
    let endpoint = format!("http://127.0.0.1:{port}");
    let env = one_client_env(sim.issuer());
    let serve = Serve::start(&["--otlp-endpoint", &endpoint], &env_refs(&env));
    let response = reqwest::Client::new()
        .post(serve.endpoint("/api/v1/token"))
        .json(&json!({"identity_provider": "maskinporten", "target": READ}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let token = response.json::<serde_json::Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    assert_eq!(tokio::task::spawn_blocking(move || serve.terminate()).await.unwrap(), Some(0));

    let seen = seen.lock().unwrap();
    let (head, body) = seen.iter().find(|(head, _)| head.starts_with("POST /v1/traces")).expect("a trace export");
    assert!(head.to_ascii_lowercase().contains("application/x-protobuf"), "{head}");
    let contains = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"maskinporten-serve"), "the service name");
    assert!(contains(b"token_request"), "the request's span");
    assert!(!contains(token.as_bytes()) && !contains(&token.as_bytes()[..40]), "no token in a span");
}
