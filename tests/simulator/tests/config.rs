//! Configuration files (TOML/JSON, relative paths) and the `maskinporten-simulator` binary.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::*;
use maskinporten_simulator::{ConfigError, Simulator, SimulatorConfig, SimulatorError};
use serde_json::json;

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("mp-sim-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(d.join("keys")).expect("mkdir");
    d
}

/// Writes a config like e2e.toml, but with this test's throwaway CA and JWK, in a temp folder.
fn write_config(dir: &std::path::Path) -> PathBuf {
    let f = fixture();
    std::fs::write(dir.join("keys/ca.pem"), &f.ca.cert_pem).expect("ca");
    std::fs::write(dir.join("keys/client.jwk.json"), f.kid_jwk.to_string()).expect("jwk");
    let e2e = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/e2e.toml")).expect("e2e.toml");
    let text = e2e.replace("../vectors/keys/", "keys/");
    let path = dir.join("sim.toml");
    std::fs::write(&path, text).expect("write");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_toml_shape_with_relative_paths_serves_both_clients_and_delegation() {
    let dir = temp_dir();
    let config = SimulatorConfig::from_file(write_config(&dir)).expect("load");
    assert_eq!(config.clients.len(), 2);
    let sim = Simulator::start(config, 0).await.expect("start");
    assert_eq!(send(&sim, &Grant::x5c(&sim).claim("scope", json!(WRITE)).sign()).await.status, 200);
    assert_eq!(send(&sim, &Grant::kid(&sim).claim("scope", json!(WRITE)).sign()).await.status, 200);
    let g = Grant::x5c(&sim).claim("scope", json!(DELEGABLE)).claim("consumer_org", json!(CONSUMER));
    assert_eq!(send(&sim, &g.sign()).await.status, 200);
    let rar = json!([{"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:313000001"}}]);
    assert_eq!(send(&sim, &Grant::kid(&sim).claim("authorization_details", rar).sign()).await.status, 200);
    expect_rejected(&sim, &Grant::kid(&sim).claim("scope", json!(DELEGABLE)).sign(), "MP-200", "invalid_scope").await;
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn json_config_and_errors_name_the_field() {
    let c = SimulatorConfig::from_json_str(
        r#"{"clients": [{"client_id": "c", "org_number": "311000004", "scopes": ["a:b"]}]}"#,
    )
    .expect("json");
    assert_eq!(c.clients[0].scopes, vec!["a:b".to_string()]);
    assert_eq!(c.token_lifetime, 120);
    assert!(matches!(SimulatorConfig::from_toml_str("nonsense = 1"), Err(ConfigError::Parse { .. })));
    let bad = SimulatorConfig::from_json_str(r#"{"clients": [{"client_id": "c", "org_number": "311000005"}]}"#)
        .expect("json");
    let err = Simulator::start_blocking(bad, 0).expect_err("bad org number");
    assert!(err.to_string().contains("clients[0].org_number"), "{err}");
    let missing = SimulatorConfig::from_toml_str("trusted_ca = [\"/nonexistent/ca.pem\"]").expect("toml");
    assert!(matches!(Simulator::start_blocking(missing, 0), Err(SimulatorError::Config(ConfigError::Io { .. }))));
}

#[test]
fn example_toml_parses() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/example.toml")).expect("example");
    let c = SimulatorConfig::from_toml_str(&text).expect("example.toml parses");
    assert_eq!(c.clients.len(), 2);
    assert_eq!(c.scopes[0].at_max_age, Some(60));
    assert_eq!(c.delegations[0].consumer_org, "312000008");
}

#[test]
fn binary_prints_the_ready_line_and_serves() {
    let dir = temp_dir();
    let path = write_config(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_maskinporten-simulator"))
        .args(["--config", path.to_str().unwrap_or(""), "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("ready line");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("JSON ready line");
    let port = ready["port"].as_u64().expect("port");
    assert_eq!(ready["issuer"], format!("http://127.0.0.1:{port}/"));
    assert_eq!(ready["token_endpoint"], format!("http://127.0.0.1:{port}/token"));
    assert_eq!(ready["jwks_uri"], format!("http://127.0.0.1:{port}/jwk"));
    let m: serde_json::Value = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("http://127.0.0.1:{port}/.well-known/oauth-authorization-server"))
        .send()
        .and_then(|r| r.json())
        .expect("metadata");
    assert_eq!(m["issuer"], ready["issuer"]);
    // SIGTERM shuts it down gracefully with exit code 0.
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "exit status {exit:?}");
    let status = Command::new(env!("CARGO_BIN_EXE_maskinporten-simulator")).arg("--bogus").output().expect("run");
    assert_eq!(status.status.code(), Some(2), "usage errors exit 2");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn throwaway_certificate_round_trips_through_pkcs12() {
    let (ca, cert) = maskinporten_simulator::certs::enterprise_certificate("312000008", "CONSUMER AS").expect("cert");
    assert!(cert.chain_pem.starts_with(&cert.cert_pem) && cert.chain_pem.ends_with(&ca.cert_pem));
    assert!(!format!("{cert:?}").contains("PRIVATE KEY"), "Debug must not show the key");
    let p12 = cert.to_pkcs12("pw", "client").expect("p12");
    let ks =
        p12_keystore::KeyStore::from_pkcs12(&p12, "pw", p12_keystore::Pkcs12ImportPolicy::Strict).expect("parse p12");
    let (alias, chain) = ks.private_key_chain().expect("key entry");
    assert_eq!(alias, "client");
    assert_eq!(chain.certs()[0].as_der(), cert.cert_der.as_slice());
    assert_eq!(chain.key().as_der(), cert.key_der.as_slice());
    assert!(p12_keystore::KeyStore::from_pkcs12(&p12, "wrong", p12_keystore::Pkcs12ImportPolicy::Strict).is_err());
    assert!(maskinporten_simulator::certs::enterprise_certificate("12", "X").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_config_file_resolves_relative_paths() {
    let dir = temp_dir();
    let f = fixture();
    std::fs::write(dir.join("keys/ca.pem"), &f.ca.cert_pem).expect("ca");
    let config = json!({
        "trusted_ca": ["keys/ca.pem"],
        "clients": [{"client_id": X5C_CLIENT, "org_number": SUPPLIER, "scopes": [READ]}],
        "scopes": [{"name": READ, "at_max_age": 30}]
    });
    let path = dir.join("sim.json");
    std::fs::write(&path, config.to_string()).expect("write");
    let sim = Simulator::start(SimulatorConfig::from_file(&path).expect("json file"), 0).await.expect("start");
    let a = send(&sim, &Grant::x5c(&sim).sign()).await;
    assert_eq!((a.status, a.body["expires_in"].as_i64()), (200, Some(30)), "{}", a.text);
    let _ = std::fs::remove_dir_all(dir);
}
