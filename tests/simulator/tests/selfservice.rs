//! The self-service API against the core's own request builders and parsers: admin tokens from
//! the simulator, clients and key sets created through the API taking effect on `/token`, the
//! typed refusals, the propagation delay, key expiry, removed kids and the state file.

mod common;

use aws_lc_rs::encoding::AsDer;
use common::{fixture, READ, SUPPLIER, X5C_CLIENT};
use maskinporten::{
    parse_client, parse_client_keys, parse_clients, parse_empty, parse_public_scopes, parse_scope_access, Client,
    ClientUpdate, Environment, ErrorKind, GrantOptions, HttpRequest, Key, NewClient, SelfService, SelfServiceCall,
};
use maskinporten_simulator::{BlockingSimulator, Simulator, SimulatorConfig};

const ADMIN_SCOPES: [&str; 3] = ["idporten:dcr.read", "idporten:dcr.write", "idporten:dcr.modify"];
const YEAR: i64 = 365 * 86_400;

fn config() -> SimulatorConfig {
    let mut config = common::config();
    for client in &mut config.clients {
        if client.client_id == X5C_CLIENT || client.client_id == common::KID_CLIENT {
            client.scopes.extend(ADMIN_SCOPES.map(String::from));
        }
    }
    config
}

fn start(config: SimulatorConfig) -> BlockingSimulator {
    Simulator::start_blocking(config, 0).expect("simulator")
}

fn environment(sim: &BlockingSimulator) -> Environment {
    Environment::from_name(sim.issuer())
        .and_then(|e| e.with_self_service_base(&sim.self_service_endpoint()))
        .expect("environment")
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().no_proxy().build().expect("http")
}

/// Sends a core request; returns the status and body.
fn send(request: &HttpRequest) -> (u16, Vec<u8>) {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("method");
    let mut builder = http().request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let answer = builder.body(request.body.clone()).send().expect("send");
    (answer.status().as_u16(), answer.bytes().expect("body").to_vec())
}

/// A token from the simulator for `client` (the core's build, reqwest, the core's parse).
fn token(client: &Client, scopes: &[&str]) -> maskinporten::Result<String> {
    let now = maskinporten::unix_now();
    let request = client.token_request(&GrantOptions::new(scopes.iter().copied()), now, None)?;
    let answer = http()
        .post(&request.url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(request.body.clone())
        .send()
        .expect("token request");
    let status = answer.status().as_u16();
    let body = answer.bytes().expect("body");
    Ok(client.parse_token_response(status, &body, Some("application/json"), now)?.access_token().to_string())
}

fn enterprise_key() -> Key {
    let cert = &fixture().cert;
    Key::from_pem(&cert.key_pem, Some(&cert.chain_pem)).expect("enterprise key")
}

fn admin(sim: &BlockingSimulator) -> Client {
    Client::new(X5C_CLIENT, enterprise_key(), environment(sim)).expect("admin client")
}

fn admin_token(sim: &BlockingSimulator, scope: &str) -> String {
    token(&admin(sim), &[scope]).expect("admin token")
}

/// A new RSA key with `kid`: the signing key and its public JWK with `exp`.
fn new_key(kid: &str, exp: i64) -> (Key, String) {
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("keygen");
    let der = pair.as_der().expect("pkcs8");
    let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_ref().to_vec()));
    let key = Key::from_pem(&pem, None).and_then(|k| k.with_kid(kid)).expect("key");
    let mut jwk: serde_json::Value = serde_json::from_str(&key.public_jwk().expect("jwk")).expect("json");
    jwk["exp"] = serde_json::json!(exp);
    (key, jwk.to_string())
}

fn create(sim: &BlockingSimulator, api: &SelfService, scopes: &[&str]) -> String {
    let new = NewClient::new("Seed 003", "a client with its own key", scopes.iter().copied());
    let request = api.create_client_request(&admin_token(sim, "idporten:dcr.write"), &new).expect("request");
    let (status, body) = send(&request);
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let created = parse_client(SelfServiceCall::CreateClient, status, &body).expect("created client");
    assert_eq!(created.client_orgno.as_deref(), Some(SUPPLIER));
    assert!(created.active && created.created.is_some());
    created.client_id
}

fn mp_code(result: maskinporten::Result<String>) -> String {
    result.expect_err("refused").mp_code().unwrap_or_default().to_string()
}

#[test]
fn a_client_created_through_the_api_gets_tokens_and_loses_them_when_deactivated() {
    let sim = start(config());
    let api = SelfService::for_environment(&environment(&sim)).expect("api");
    let id = create(&sim, &api, &[READ]);
    let client = Client::new(&id, enterprise_key(), environment(&sim)).expect("client");
    token(&client, &[READ]).expect("a token for the new client at once");

    let read = admin_token(&sim, "idporten:dcr.read");
    let (status, body) = send(&api.list_clients_request(&read).expect("list"));
    let listed = parse_clients(status, &body).expect("clients");
    assert!(listed.iter().any(|c| c.client_id == id) && listed.iter().any(|c| c.client_id == X5C_CLIENT));

    let modify = admin_token(&sim, "idporten:dcr.modify");
    let current = listed.iter().find(|c| c.client_id == id).expect("listed");
    let mut update = ClientUpdate::from_client(current);
    update.scopes.push(common::WRITE.into());
    let (status, body) = send(&api.update_client_request(&modify, &id, &update).expect("update"));
    assert_eq!(parse_client(SelfServiceCall::UpdateClient, status, &body).expect("updated").scopes.len(), 2);
    token(&client, &[common::WRITE]).expect("the new scope works at once");

    let (status, body) = send(&api.deactivate_client_request(&modify, &id).expect("deactivate"));
    parse_empty(status, &body).expect("deactivated");
    assert_eq!(mp_code(token(&client, &[READ])), "MP-100");
    let (status, body) = send(&api.get_client_request(&read, &id).expect("get"));
    assert!(!parse_client(SelfServiceCall::GetClient, status, &body).expect("still listed").active);
}

#[test]
fn an_uploaded_key_signs_until_it_is_removed_or_expires() {
    let sim = start(config());
    let api = SelfService::for_environment(&environment(&sim)).expect("api");
    let id = create(&sim, &api, &[READ]);
    let now = maskinporten::unix_now();
    let (first, first_jwk) = new_key("first-key", now + 90 * 86_400);
    let (second, second_jwk) = new_key("second-key", now + 90 * 86_400);
    let modify = admin_token(&sim, "idporten:dcr.modify");
    let (status, body) = send(&api.replace_keys_request(&modify, &id, &[first_jwk]).expect("replace"));
    let keys = parse_client_keys(SelfServiceCall::ReplaceKeys, status, &body).expect("key set");
    assert_eq!((keys.keys.len(), keys.keys[0].expires_at), (1, Some(now + 90 * 86_400)));
    let kid_client = |key: &Key| Client::new(&id, key.clone(), environment(&sim)).expect("client");
    token(&kid_client(&first), &[READ]).expect("kid token");

    let (status, body) = send(&api.replace_keys_request(&modify, &id, &[second_jwk]).expect("replace"));
    parse_client_keys(SelfServiceCall::ReplaceKeys, status, &body).expect("second set");
    token(&kid_client(&second), &[READ]).expect("the new kid");
    assert_eq!(mp_code(token(&kid_client(&first), &[READ])), "MP-100", "a removed kid is an unknown kid");

    sim.age_registrations(YEAR);
    assert_eq!(mp_code(token(&kid_client(&second), &[READ])), "MP-121", "expired a year later");
    let read = admin_token(&sim, "idporten:dcr.read");
    let (status, body) = send(&api.client_keys_request(&read, &id).expect("keys"));
    let aged = parse_client_keys(SelfServiceCall::GetKeys, status, &body).expect("keys");
    assert!(aged.keys[0].expires_at.expect("exp") < now, "the API shows the key expired");

    let (status, body) = send(&api.remove_keys_request(&modify, &id).expect("remove"));
    parse_empty(status, &body).expect("removed");
    let (status, body) = send(&api.client_keys_request(&read, &id).expect("keys"));
    assert!(parse_client_keys(SelfServiceCall::GetKeys, status, &body).expect("empty").keys.is_empty());
}

#[test]
fn refusals_are_typed() {
    let sim = start(config());
    let api = SelfService::for_environment(&environment(&sim)).expect("api");
    let kind = |request: HttpRequest| {
        let (status, body) = send(&request);
        parse_client(SelfServiceCall::CreateClient, status, &body).expect_err("refused").kind()
    };
    let read = admin_token(&sim, "idporten:dcr.read");
    let new = NewClient::new("x", "y", [READ]);
    assert_eq!(kind(api.create_client_request(&read, &new).expect("request")), ErrorKind::AdminScopeMissing);
    assert_eq!(kind(api.create_client_request("not-a-token", &new).expect("request")), ErrorKind::AdminTokenRejected);
    assert_eq!(
        kind(api.get_client_request(&read, "00000000-0000-4000-8000-000000000000").expect("request")),
        ErrorKind::ClientNotFound
    );
    let write = admin_token(&sim, "idporten:dcr.write");
    let unknown = NewClient::new("x", "y", ["not:granted"]);
    let (status, body) = send(&api.create_client_request(&write, &unknown).expect("request"));
    let error = parse_client(SelfServiceCall::CreateClient, status, &body).expect_err("unknown scope");
    assert_eq!(error.kind(), ErrorKind::SelfServiceInvalid);
    assert!(error.to_string().contains("scopes"), "{error}");

    // Admin scopes are Digdir's to grant: a client cannot be given them through the API.
    let id = create(&sim, &api, &[READ]);
    let modify = admin_token(&sim, "idporten:dcr.modify");
    let update = ClientUpdate {
        client_name: "x".into(),
        description: "y".into(),
        scopes: vec![READ.into(), "idporten:dcr.read".into()],
    };
    let (status, body) = send(&api.update_client_request(&modify, &id, &update).expect("request"));
    assert_eq!(
        parse_client(SelfServiceCall::UpdateClient, status, &body).expect_err("admin scope").kind(),
        ErrorKind::SelfServiceInvalid
    );

    // A registered-key (kid) client's token is refused even with the admin scope.
    let der = fixture().kid_key.as_der().expect("pkcs8");
    let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_ref().to_vec()));
    let key = Key::from_pem(&pem, None).and_then(|k| k.with_kid(common::KID)).expect("kid key");
    let kid_admin = Client::new(common::KID_CLIENT, key, environment(&sim)).expect("client");
    let kid_token = token(&kid_admin, &["idporten:dcr.read"]).expect("the token endpoint issues it");
    let (status, body) = send(&api.list_clients_request(&kid_token).expect("list"));
    let error = parse_clients(status, &body).expect_err("kid admin");
    assert_eq!(error.kind(), ErrorKind::AdminTokenRejected);
    assert!(error.to_string().contains("enterprise certificate"), "{error}");
}

#[test]
fn the_api_checks_key_sets_itself() {
    let sim = start(config());
    let id = {
        let api = SelfService::for_environment(&environment(&sim)).expect("api");
        create(&sim, &api, &[READ])
    };
    let modify = admin_token(&sim, "idporten:dcr.modify");
    let post = |body: serde_json::Value| {
        let answer = http()
            .post(format!("{}/clients/{id}/jwks", sim.self_service_endpoint()))
            .bearer_auth(&modify)
            .json(&body)
            .send()
            .expect("post");
        let status = answer.status().as_u16();
        (status, answer.json::<serde_json::Value>().unwrap_or_default())
    };
    let (_, jwk) = new_key("k", maskinporten::unix_now() + 86_400);
    let jwk: serde_json::Value = serde_json::from_str(&jwk).expect("json");
    let with = |kid: &str, member: &str, value: serde_json::Value| {
        let mut key = jwk.clone();
        key["kid"] = serde_json::json!(kid);
        if !member.is_empty() {
            key[member] = value;
        }
        key
    };
    let first_field = |answer: (u16, serde_json::Value)| {
        assert_eq!(answer.0, 400, "{}", answer.1);
        answer.1["errors"][0]["field"].as_str().unwrap_or_default().to_string()
    };
    let six: Vec<_> = (0..6).map(|i| with(&format!("k{i}"), "", serde_json::Value::Null)).collect();
    assert_eq!(first_field(post(serde_json::json!({ "keys": six }))), "keys");
    assert_eq!(first_field(post(serde_json::json!({"keys": [with("a", "d", "c2VjcmV0".into())]}))), "keys[0].d");
    assert_eq!(
        first_field(post(serde_json::json!({"keys": [with("a/b", "", serde_json::Value::Null)]}))),
        "keys[0].kid"
    );
    let far = serde_json::json!(maskinporten::unix_now() + 2 * YEAR);
    assert_eq!(first_field(post(serde_json::json!({"keys": [with("a", "exp", far)]}))), "keys[0].exp");
    let (status, body) = post(serde_json::json!({"keys": [with("a", "", serde_json::Value::Null)]}));
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["keys"][0]["kid"], "a");
}

#[test]
fn terms_not_accepted_answers_precondition_required() {
    let mut config = config();
    config.self_service.terms_not_accepted = vec![SUPPLIER.into()];
    let sim = start(config);
    let api = SelfService::for_environment(&environment(&sim)).expect("api");
    let (status, body) = send(&api.list_clients_request(&admin_token(&sim, "idporten:dcr.read")).expect("list"));
    assert_eq!(status, 428);
    assert_eq!(parse_clients(status, &body).expect_err("terms").kind(), ErrorKind::TermsNotAccepted);
}

#[test]
fn changes_reach_the_token_endpoint_after_the_propagation_delay() {
    let mut config = config();
    config.self_service.propagation_delay = 100;
    let sim = start(config);
    let api = SelfService::for_environment(&environment(&sim)).expect("api");
    let id = create(&sim, &api, &[READ]);
    let client = Client::new(&id, enterprise_key(), environment(&sim)).expect("client");
    assert_eq!(mp_code(token(&client, &[READ])), "MP-100", "not there yet");
    // 101 s on: a grant signed on the real clock is still inside its lifetime and skew.
    sim.set_clock_offset(101);
    token(&client, &[READ]).expect("propagated");
}

#[test]
fn the_state_file_keeps_clients_across_restarts() {
    let dir = std::env::temp_dir().join(format!("mp-sim-state-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let state = dir.join("state.json");
    let mut config = config();
    config.self_service.state_file = Some(state.clone());
    let sim = start(config.clone());
    let api = SelfService::for_environment(&environment(&sim)).expect("api");
    let id = create(&sim, &api, &[READ]);
    sim.shutdown();
    assert!(std::fs::read_to_string(&state).expect("saved").contains(&id));

    let sim = start(config);
    let api = SelfService::for_environment(&environment(&sim)).expect("api");
    let read = admin_token(&sim, "idporten:dcr.read");
    let (status, body) = send(&api.get_client_request(&read, &id).expect("get"));
    assert_eq!(parse_client(SelfServiceCall::GetClient, status, &body).expect("loaded").client_id, id);
    let client = Client::new(&id, enterprise_key(), environment(&sim)).expect("client");
    token(&client, &[READ]).expect("a loaded client gets tokens");
    sim.shutdown();

    std::fs::write(&state, "{not json").expect("write");
    let mut broken = common::config();
    broken.self_service.state_file = Some(state);
    let error = Simulator::start_blocking(broken, 0).expect_err("a broken state file is refused");
    assert!(error.to_string().contains("self_service.state_file"), "{error}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn scopes_and_the_endpoint_are_discoverable() {
    let mut config = config();
    config.scopes.push(maskinporten_simulator::ScopeConfig {
        name: "brreg:losore/utlegg".into(),
        consumers: Some(vec![SUPPLIER.into()]),
        ..Default::default()
    });
    let sim = start(config);
    let metadata: serde_json::Value = http().get(sim.metadata_url()).send().and_then(|r| r.json()).expect("metadata");
    assert_eq!(metadata["self_service_endpoint"], sim.self_service_endpoint());
    let ready: serde_json::Value = serde_json::from_str(&sim.ready_line()).expect("ready line");
    assert_eq!(ready["self_service_endpoint"], format!("{}api/v1", sim.issuer()));
    let api = SelfService::for_environment(&environment(&sim)).expect("api");
    let read = admin_token(&sim, "idporten:dcr.read");
    let (status, body) = send(&api.scope_access_request(&read).expect("access"));
    let access = parse_scope_access(status, &body).expect("access");
    assert_eq!(
        access.iter().map(|a| (a.scope.as_str(), a.state.as_str())).collect::<Vec<_>>(),
        [("brreg:losore/utlegg", "APPROVED")]
    );
    let (status, body) = send(&api.public_scopes_request(&read).expect("public"));
    let public = parse_public_scopes(status, &body).expect("public");
    assert!(public.iter().any(|s| s.name == READ) && !public.iter().any(|s| s.name.starts_with("idporten:")));
}
