//! Altinn's token exchange on the simulator: the Maskinporten token checked, the Altinn token's
//! claims and signature, every refusal status, and fault injection on the exchange path.

mod common;

use aws_lc_rs::signature::{self, RsaPublicKeyComponents};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use maskinporten_simulator::{FaultKind, FaultSpec, Simulator, SimulatorConfig};
use serde_json::{json, Value};

const EXCHANGE: &str = "/authentication/api/v1/exchange/maskinporten";

/// A Maskinporten access token for `scope` from `sim`.
async fn mp_token(sim: &Simulator, scope: &str) -> String {
    let a = send(sim, &Grant::x5c(sim).claim("scope", json!(scope)).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.body["access_token"].as_str().expect("access_token").to_string()
}

struct Exchanged {
    status: u16,
    text: String,
    content_type: String,
}

async fn exchange(sim: &Simulator, bearer: Option<&str>, query: &str, headers: &[(&str, &str)]) -> Exchanged {
    let mut request = http().get(format!("{}{EXCHANGE}{query}", sim.altinn_platform()));
    if let Some(token) = bearer {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let resp = request.send().await.expect("exchange");
    let status = resp.status().as_u16();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    Exchanged { status, text: resp.text().await.expect("body"), content_type }
}

/// Verifies an Altinn token against the simulator's Altinn JWKS (and not its Maskinporten JWKS).
fn verify_altinn(sim: &Simulator, token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("header");
    let jwks = sim.altinn_jwks();
    let jwk = &jwks["keys"][0];
    assert_eq!(header["kid"], jwk["kid"]);
    assert_ne!(jwk["kid"].as_str(), Some(sim.signing_kid()), "Altinn tokens have their own key");
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().expect("n")).expect("n");
    let e = URL_SAFE_NO_PAD.decode(jwk["e"].as_str().expect("e")).expect("e");
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).expect("sig");
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(&signature::RSA_PKCS1_2048_8192_SHA256, format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .expect("the Altinn token verifies with the Altinn JWKS");
    claims_of(token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_issues_an_altinn_token() {
    let sim = start().await;
    assert!(sim.ready_line().contains(&format!(r#""altinn_platform":"{}""#, sim.altinn_platform())));
    assert_eq!(sim.altinn_platform(), format!("{}altinn", sim.issuer()));
    let token = mp_token(&sim, &format!("{READ} {ALTINN_READ}")).await;
    let answer = exchange(&sim, Some(&token), "", &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(answer.content_type.starts_with("text/plain"), "plain text, not JSON: {}", answer.content_type);
    let claims = verify_altinn(&sim, &answer.text);
    assert_eq!(claims["urn:altinn:orgNumber"], SUPPLIER);
    assert_eq!(claims["urn:altinn:authenticatemethod"], "maskinporten");
    assert_eq!(claims["scope"], format!("{READ} {ALTINN_READ}"));
    assert_eq!(claims["consumer"]["ID"], format!("0192:{SUPPLIER}"));
    assert_eq!(claims["client_id"], X5C_CLIENT);
    assert!(claims.get("urn:altinn:org").is_none(), "only service owners get urn:altinn:org");
    assert_eq!(claims["iss"], format!("{}/authentication/api/v1/openid/", sim.altinn_platform()));
    let lifetime = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
    assert_eq!(lifetime, 1800, "the Altinn token's own lifetime, not the Maskinporten token's 120 s");
    let stats = sim.stats();
    assert_eq!((stats.altinn_requests, stats.altinn_tokens_issued), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_owner_and_test_organisation() {
    let sim = start().await;
    let owner = mp_token(&sim, SERVICE_OWNER).await;
    let claims = verify_altinn(&sim, &exchange(&sim, Some(&owner), "", &[]).await.text);
    assert_eq!(claims["urn:altinn:org"], "sim");
    let test = exchange(&sim, Some(&owner), "?test=true", &[]).await;
    assert_eq!(test.status, 200, "{}", test.text);
    assert_eq!(verify_altinn(&sim, &test.text)["urn:altinn:org"], "ttd");
    assert_eq!(exchange(&sim, Some(&owner), "?test=false", &[]).await.status, 200);

    // Not a service owner in this Altinn: the scope alone is not enough.
    let mut config = config();
    config.altinn.service_owners.clear();
    let other = Simulator::start(config, 0).await.expect("start");
    let token = mp_token(&other, SERVICE_OWNER).await;
    assert_eq!(exchange(&other, Some(&token), "", &[]).await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_have_altinns_statuses() {
    let sim = start().await;
    let token = mp_token(&sim, ALTINN_READ).await;
    // 410: the retired enterprise-user header, whatever else is sent.
    let gone = exchange(&sim, Some(&token), "", &[("X-Altinn-EnterpriseUser-Authentication", "dXNlcjpwdw==")]).await;
    assert_eq!(gone.status, 410, "{}", gone.text);
    assert!(gone.content_type.starts_with("application/problem+json"));
    // 400: a bad query.
    assert_eq!(exchange(&sim, Some(&token), "?test=yes", &[]).await.status, 400);
    // 401: no token, not a JWT, signed by another key, another issuer.
    assert_eq!(exchange(&sim, None, "", &[]).await.status, 401);
    assert_eq!(exchange(&sim, Some("not-a-token"), "", &[]).await.status, 401);
    let other = start().await;
    let foreign = mp_token(&other, ALTINN_READ).await;
    assert_eq!(exchange(&sim, Some(&foreign), "", &[]).await.status, 401, "another simulator's key");
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(exchange(&sim, Some(&tampered), "", &[]).await.status, 401);
    // 403: a valid token without an Altinn scope.
    let plain = mp_token(&sim, READ).await;
    let forbidden = exchange(&sim, Some(&plain), "", &[]).await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.text);
    assert!(!forbidden.text.contains(&plain), "a refusal never echoes the token");
    let stats = sim.stats();
    assert_eq!(stats.altinn_tokens_issued, 0);
    assert_eq!(stats.altinn_errors.get("401"), Some(&4));
    assert_eq!(stats.altinn_errors.get("403"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_maskinporten_token_is_401() {
    // Two simulators share the issuer and its key: one lives in the past.
    let key = certs_key_file();
    let issuer = "http://simulated-maskinporten.test/";
    let mut past = config();
    past.issuer = Some(issuer.into());
    past.signing_key = Some(key.clone());
    past.fixed_time = Some(now() - 3_600);
    let past = Simulator::start(past, 0).await.expect("past");
    let mut present = config();
    present.issuer = Some(issuer.into());
    present.signing_key = Some(key.clone());
    let present = Simulator::start(present, 0).await.expect("present");

    let g = Grant::x5c(&past).claim("scope", json!(ALTINN_READ));
    let (iat, exp) = (now() - 3_600, now() - 3_600 + 60);
    let a = send(&past, &g.claim("iat", json!(iat)).claim("exp", json!(exp)).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let old = a.body["access_token"].as_str().expect("token");
    assert_eq!(exchange(&past, Some(old), "", &[]).await.status, 200, "valid at its own time");
    let answer = exchange(&present, Some(old), "", &[]).await;
    assert_eq!(answer.status, 401, "{}", answer.text);
    assert!(answer.text.contains("expired"));
    let _ = std::fs::remove_file(key);
}

/// A PKCS#8 PEM RSA key in a temporary file.
fn certs_key_file() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("sim-altinn-{}.key.pem", uuid::Uuid::new_v4()));
    std::fs::write(&path, &fixture().other_org.key_pem).expect("write key");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_the_exchange_path() {
    let sim = start().await;
    let token = mp_token(&sim, ALTINN_READ).await;
    let path = format!("/altinn{EXCHANGE}");
    sim.inject_fault(FaultSpec::new(FaultKind::Status).with_status(429).with_count(1).with_path(&path)).expect("fault");
    sim.inject_fault(FaultSpec::new(FaultKind::Html).with_status(502).with_count(1).with_path(&path)).expect("fault");
    assert_eq!(exchange(&sim, Some(&token), "", &[]).await.status, 429);
    let proxy = exchange(&sim, Some(&token), "", &[]).await;
    assert_eq!(proxy.status, 502);
    assert!(proxy.content_type.starts_with("text/html"));
    assert_eq!(exchange(&sim, Some(&token), "", &[]).await.status, 200);
    // The default fault path is /token: the exchange is untouched.
    sim.inject_fault(FaultSpec::new(FaultKind::Status).with_count(1)).expect("fault");
    assert_eq!(exchange(&sim, Some(&token), "", &[]).await.status, 200);
    let stats = sim.stats();
    assert_eq!((stats.altinn_requests, stats.altinn_tokens_issued), (4, 2));
    assert!(sim.inject_fault(FaultSpec::new(FaultKind::Status).with_path("/altinn")).is_err());
}

#[test]
fn altinn_configuration_is_checked() {
    let bad = |text: &str| {
        let config = SimulatorConfig::from_toml_str(text).expect("parses");
        Simulator::start_blocking(config, 0).expect_err("refused").to_string()
    };
    assert!(bad("[altinn]\ntoken_lifetime = 0\n").contains("altinn.token_lifetime"));
    assert!(bad("[[altinn.service_owners]]\norg_number = \"123\"\norg = \"x\"\n").contains("org_number"));
    let consent = "[[consents]]\nid = \"c\"\nfrom = \"urn:altinn:person:identifier-no:01017012345\"\nto = \"311000004\"\nvalid_to = \"tomorrow\"\n";
    assert!(bad(consent).contains("consents[0].valid_to"));
    let eseal = "[[eseal.consumers]]\nclient_id = \"eidas-1\"\norganization_identifier = \"VATSE-1\"\n";
    assert!(bad(eseal).contains("eseal.trusted_ca"), "an eSeal consumer needs an eSeal CA");
}
