//! The core's real grants and response parsing against the simulator (`e2e.toml`, vector keys),
//! over loopback HTTP: the core's sans-IO steps with reqwest moving the bytes.

mod common;

use common::{CONSUMER, DELEGABLE, KID_CLIENT, READ, SYSTEM_USER_ORG, WRITE, X5C_CLIENT};
use maskinporten::{AuthorizationDetail, Client, Environment, GrantOptions, Key};
use maskinporten_simulator::{FaultKind, FaultSpec, Simulator, SimulatorConfig};

fn read(rel: &str) -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/").to_string() + rel;
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}; run `cargo run -p maskinporten-vectors -- write`"))
}

async fn e2e() -> Simulator {
    let config = SimulatorConfig::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/e2e.toml")).expect("e2e.toml");
    Simulator::start(config, 0).await.expect("start")
}

fn x5c_client(sim: &Simulator) -> Client {
    let key = Key::from_pkcs12(&read("keys/client.p12"), "vector-password", None).expect("p12");
    Client::new(X5C_CLIENT, key, Environment::from_name(sim.issuer()).expect("env")).expect("client")
}

fn kid_client(sim: &Simulator) -> Client {
    let jwk = String::from_utf8(read("keys/client.jwk.json")).expect("utf8");
    let key = Key::from_jwk(&jwk).expect("jwk");
    Client::new(KID_CLIENT, key, Environment::from_name(sim.issuer()).expect("env")).expect("client")
}

/// Steps 1-3 of the core's call order: build, send, parse.
async fn fetch(client: &Client, opts: &GrantOptions) -> maskinporten::Result<maskinporten::AccessToken> {
    let now = maskinporten::unix_now();
    let req = client.token_request(opts, now, None)?;
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    let mut builder = http.post(&req.url);
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let resp = match builder.body(req.body.clone()).send().await {
        Ok(r) => r,
        Err(e) => return Err(maskinporten::Error::unavailable(e.to_string())),
    };
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => return Err(maskinporten::Error::unavailable(e.to_string())),
    };
    client.parse_token_response(status, &body, ct.as_deref(), now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_grants_are_accepted() {
    let sim = e2e().await;
    let x5c = x5c_client(&sim);
    let kid = kid_client(&sim);
    let t = fetch(&x5c, &GrantOptions::new([READ])).await.expect("x5c token");
    assert_eq!(t.expires_in(), 120);
    assert_eq!(t.scope(), Some(READ));
    let t = fetch(&kid, &GrantOptions::new([READ, WRITE])).await.expect("kid token");
    assert_eq!(t.scope(), Some("test:scope.read test:scope.write"));
    fetch(&x5c, &GrantOptions::new([DELEGABLE]).with_consumer_org(CONSUMER)).await.expect("delegated token");
    let su = AuthorizationDetail::system_user(SYSTEM_USER_ORG, Some("ref-1")).expect("rar");
    fetch(&kid, &GrantOptions::new([READ]).with_authorization_detail(su)).await.expect("system user token");
    fetch(&x5c, &GrantOptions::new([READ]).with_iss_onbehalfof("kommune-x")).await.expect("onbehalfof token");
    let short = x5c_client(&sim).with_lifetime(30).expect("lifetime");
    fetch(&short, &GrantOptions::new([READ])).await.expect("30 s grant");
    assert_eq!(sim.stats().tokens_issued, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_maps_simulator_errors_and_faults() {
    let sim = e2e().await;
    let kid = kid_client(&sim);
    let err = fetch(&kid, &GrantOptions::new([DELEGABLE])).await.expect_err("scope not granted");
    assert_eq!((err.kind().as_str(), err.mp_code(), err.status()), ("oauth_error", Some("MP-200"), Some(400)), "{err}");
    assert!(!err.is_retryable());
    let x5c = x5c_client(&sim);
    let err =
        fetch(&x5c, &GrantOptions::new([DELEGABLE]).with_consumer_org("974760673")).await.expect_err("not delegated");
    assert_eq!(err.mp_code(), Some("MP-251"), "{err}");

    for (spec, status) in [
        (FaultSpec::new(FaultKind::Status).with_status(503), Some(503)),
        (FaultSpec::new(FaultKind::Html).with_status(502), Some(502)),
        (FaultSpec::new(FaultKind::Empty).with_status(504), Some(504)),
        (FaultSpec::new(FaultKind::Close), None),
    ] {
        sim.inject_fault(spec.with_count(1)).expect("fault");
        let err = fetch(&x5c, &GrantOptions::new([READ])).await.expect_err("fault");
        assert!(err.is_retryable(), "{status:?}: {err}");
        assert_eq!(err.status(), status, "{err}");
    }
    fetch(&x5c, &GrantOptions::new([READ])).await.expect("served again after faults");
}

/// The core's validator (issue 7) on tokens the simulator issued, with the JWKS fetched when the
/// validator asks for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_validator_accepts_simulator_tokens() {
    use maskinporten::{Requirements, Resource, Validator};
    let sim = e2e().await;
    let x5c = x5c_client(&sim);
    let now = maskinporten::unix_now();
    let mut validator = Validator::new(Environment::from_name(sim.issuer()).expect("env"));
    let jwks_uri = validator.environment().jwks_uri().to_string();
    let jwks = reqwest::get(&jwks_uri).await.expect("GET /jwk").bytes().await.expect("body");
    validator.update_jwks(&jwks, now).expect("JWKS");

    let plain = fetch(&x5c, &GrantOptions::new([READ])).await.expect("token");
    let checked = validator.validate(plain.access_token(), now, &Requirements::any_scope([READ])).expect("valid");
    assert_eq!(checked.consumer.org_number.as_deref(), Some("311000004"));
    assert_eq!(checked.client_id, X5C_CLIENT);
    assert!(checked.supplier.is_none());
    let err = validator.validate(plain.access_token(), now, &Requirements::any_scope([WRITE])).expect_err("scope");
    assert_eq!(err.kind(), "insufficient_scope");

    let delegated = fetch(&x5c, &GrantOptions::new([DELEGABLE]).with_consumer_org(CONSUMER)).await.expect("delegated");
    let checked =
        validator.validate(delegated.access_token(), now, &Requirements::any_scope([DELEGABLE])).expect("valid");
    assert_eq!(checked.consumer.org_number.as_deref(), Some(CONSUMER));
    assert_eq!(checked.supplier.and_then(|s| s.org_number).as_deref(), Some("311000004"));

    let api = "https://api.example.no/";
    let audienced =
        fetch(&x5c, &GrantOptions::new([READ]).with_resource(Resource::One(api.into()))).await.expect("resource");
    let requirements = Requirements::any_scope([READ]).with_audience(api);
    assert_eq!(validator.validate(audienced.access_token(), now, &requirements).expect("aud").audience, vec![api]);
    let err = validator.validate(plain.access_token(), now, &requirements).expect_err("no aud");
    assert_eq!(err.kind(), "audience_mismatch");
}

/// An eSeal consumer with the core: the grant needs the full chain (`X5c::FullChain`); with the
/// leaf only, the simulator refuses it as Maskinporten does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_eseal_grant_needs_the_full_chain() {
    let sim = common::start().await;
    let f = common::fixture();
    let chain = format!("{}{}", f.eseal.cert_pem, f.eseal_ca.cert_pem);
    let key = Key::from_pem(&f.eseal.key_pem, Some(&chain)).expect("eSeal key");
    let environment = Environment::from_name(sim.issuer()).expect("env");
    let client = Client::new(common::ESEAL_CLIENT, key, environment).expect("client");
    let options = GrantOptions::new([READ]);
    let refused = fetch(&client, &options).await.expect_err("leaf only");
    assert_eq!(refused.mp_code(), Some("MP-120"), "{refused}");
    let token = fetch(&client.with_x5c(maskinporten::X5c::FullChain), &options).await.expect("full chain");
    let claims = common::verify_access_token(&sim, token.access_token()).await;
    assert_eq!(claims["client_amr"], "QCForESeal");
    assert_eq!(claims["consumer"]["authority"], "etsi-en-319-412");
    assert_eq!(claims["consumer"]["ID"], common::ESEAL_OID);
}

/// The core's exchange request and answer parsing against the simulator's Altinn platform.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_altinn_exchange() {
    let sim = e2e().await;
    let mp = fetch(&x5c_client(&sim), &GrantOptions::new(["altinn:instances.read"])).await.expect("token");
    let platform = maskinporten::AltinnPlatform::custom(&sim.altinn_platform()).expect("platform");
    let exchange = maskinporten::AltinnExchange::new(platform);
    let request = exchange.request(mp.access_token()).expect("request");
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    let mut builder = http.get(&request.url);
    for (k, v) in &request.headers {
        builder = builder.header(k, v);
    }
    let resp = builder.send().await.expect("exchange");
    let status = resp.status().as_u16();
    let body = resp.bytes().await.expect("body");
    let now = maskinporten::unix_now();
    let altinn = exchange.parse_response(status, &body, now).expect("Altinn token");
    assert_eq!(altinn.expires_in(), 60, "its own exp (e2e.toml: 60 s), not Maskinporten's 120 s");
    assert_ne!(altinn.access_token(), mp.access_token());
    let error = exchange.parse_response(403, b"", now).expect_err("403");
    assert_eq!(error.kind().as_str(), "altinn_forbidden");
}
