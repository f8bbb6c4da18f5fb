//! Every public type that can hold a key, a password, a grant, a token or a pid, formatted with
//! `{:?}`, `{:#?}` and `{}` (where it has `Display`): none may show the secret.
//!
//! The secrets looked for: the PKCS#12 password, lines of the private key's PEM, fragments of its
//! DER (as Rust prints bytes, in hex and in base64), the private JWK members, the grant (its
//! claims and its signature), access tokens, and a pid.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use maskinporten::{
    AccessToken, Authorization, AuthorizationDetail, Client, Environment, GrantOptions, Key, Organisation,
    ValidatedToken, Validator,
};

const PASSWORD: &str = "vector-password";
const PID: &str = "01017012345";
const NOW: i64 = 1_767_225_600;
const CLIENT_ID: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
const TOKEN: &str = "eyJraWQiOiJvcGFxdWUifQ.eyJzZWNyZXQiOiJhY2Nlc3MifQ.c2lnbmF0dXJlLW9mLWEtdG9rZW4";
const OPAQUE_TOKEN: &str = "opaque7Q";

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(name: &str) -> String {
    String::from_utf8(vector(name)).expect("UTF-8")
}

/// Everything that must never be shown.
struct Secrets(Vec<(String, String)>);

impl Secrets {
    fn add(&mut self, what: &str, secret: impl Into<String>) {
        let secret = secret.into();
        assert!(secret.len() >= 8, "{what}: too short a secret to look for");
        self.0.push((what.to_string(), secret));
    }

    fn add_private_key(&mut self, key: &Key) {
        let der = key.private_key_pkcs8_der().expect("a private key");
        // Fragments from the middle of the key (past the public modulus at its start).
        for start in (der.len() / 2..der.len() - 24).step_by(97) {
            let piece = &der[start..start + 16];
            let listed = format!("{piece:?}");
            self.add("private key DER as Rust lists bytes", &listed[1..listed.len() - 1]);
            self.add("private key DER in hex", piece.iter().map(|b| format!("{b:02x}")).collect::<String>());
            self.add("private key DER in base64", STANDARD.encode(&der[start..start + 18]));
            self.add("private key DER in base64url", URL_SAFE_NO_PAD.encode(&der[start..start + 18]));
        }
    }

    /// Fails naming the type, the format and the secret when any secret is shown.
    fn check(&self, what: &str, shown: &[String]) {
        for (format, output) in ["{:?}", "{:#?}", "{}"].iter().zip(shown) {
            for (secret_name, secret) in &self.0 {
                assert!(
                    !output.contains(secret.as_str()),
                    "{what} formatted with {format} shows the {secret_name}:\n{output}"
                );
            }
        }
    }
}

macro_rules! check_debug {
    ($secrets:expr, $value:expr) => {{
        let value = &$value;
        $secrets.check(stringify!($value), &[format!("{value:?}"), format!("{value:#?}")]);
    }};
}

macro_rules! check_display {
    ($secrets:expr, $value:expr) => {{
        let value = &$value;
        $secrets.check(stringify!($value), &[format!("{value:?}"), format!("{value:#?}"), format!("{value}")]);
    }};
}

fn secrets() -> Secrets {
    let mut secrets = Secrets(Vec::new());
    secrets.add("PKCS#12 password", PASSWORD);
    secrets.add("pid", PID);
    secrets.add("access token", TOKEN);
    secrets.add("access token's claims", TOKEN.split('.').nth(1).unwrap_or_default());
    secrets.add("opaque access token", OPAQUE_TOKEN);
    for file in ["keys/client.key.pem", "keys/client.pkcs1.pem"] {
        for line in text(file).lines().filter(|l| !l.starts_with("-----")).skip(1) {
            secrets.add("private key PEM line", line);
        }
    }
    let jwk: serde_json::Value = serde_json::from_str(&text("keys/client.jwk.json")).expect("JWK");
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        let value = jwk[member].as_str().expect("private member");
        secrets.add("private JWK member", &value[..24]);
        secrets.add("private JWK member", &value[value.len() - 24..]);
    }
    secrets
}

fn keys() -> Vec<(&'static str, Key)> {
    let p12 = vector("keys/client.p12");
    vec![
        ("from_pkcs12", Key::from_pkcs12(&p12, PASSWORD, None).expect("p12")),
        ("from_pkcs12 legacy", Key::from_pkcs12(&vector("keys/client-legacy.p12"), PASSWORD, None).expect("legacy")),
        ("from_jks (a PKCS#12 keystore)", Key::from_jks(&p12, PASSWORD, None, None).expect("jks")),
        (
            "from_pem PKCS#8",
            Key::from_pem(&text("keys/client.key.pem"), Some(&text("keys/client.chain.pem"))).expect("pem"),
        ),
        ("from_pem PKCS#1", Key::from_pem(&text("keys/client.pkcs1.pem"), None).expect("pkcs1")),
        ("from_jwk", Key::from_jwk(&text("keys/client.jwk.json")).expect("jwk")),
        ("from_external", Key::from_external(Some(&text("keys/client.chain.pem")), None).expect("external")),
    ]
}

fn options() -> GrantOptions {
    let consent = AuthorizationDetail::consent(
        "0b5a4d2c-1e3f-4a5b-8c7d-9e0f1a2b3c4d",
        &format!("urn:altinn:person:identifier-no:{PID}"),
    )
    .expect("consent");
    GrantOptions::new(["test:scope.read"]).with_pid(PID).with_authorization_detail(consent)
}

#[test]
fn keys_clients_grants_and_requests_show_no_secret() {
    let mut secrets = secrets();
    let pem_key = Key::from_pem(&text("keys/client.key.pem"), Some(&text("keys/client.chain.pem"))).expect("pem");
    secrets.add_private_key(&pem_key);
    let client = Client::new(CLIENT_ID, pem_key.clone(), Environment::test()).expect("client");
    let request = client.token_request(&options(), NOW, None).expect("request");
    let grant = request.body.split("assertion=").nth(1).expect("assertion").to_string();
    let [_, claims, signature] = <[&str; 3]>::try_from(grant.split('.').collect::<Vec<_>>()).expect("a JWT");
    secrets.add("grant", grant.as_str());
    secrets.add("grant claims", &claims[claims.len() / 2..]);
    secrets.add("grant signature", signature);
    let prepared = client.prepare_grant(&options(), NOW, None).expect("prepared");
    secrets.add("signing input's claims", prepared.signing_input().split('.').nth(1).expect("claims"));

    for (loader, key) in keys() {
        check_debug!(secrets, key);
        if key.certificate().is_some() || key.kid().is_some() {
            let client = Client::new(CLIENT_ID, key, Environment::test()).expect(loader);
            check_debug!(secrets, client);
        }
    }
    check_debug!(secrets, client);
    check_debug!(secrets, request);
    check_debug!(secrets, client.token_request_for_assertion(&grant));
    check_debug!(secrets, prepared);
    check_debug!(secrets, options());
    check_debug!(secrets, options().authorization_details);
}

#[test]
fn tokens_and_validated_tokens_show_no_secret() {
    let secrets = secrets();
    let token = AccessToken::new(TOKEN, 120, Some("test:scope.read".into()), NOW);
    check_debug!(secrets, token);
    check_debug!(secrets, AccessToken::new(OPAQUE_TOKEN, 120, None, NOW));
    let client =
        Client::new(CLIENT_ID, Key::from_jwk(&text("keys/client.jwk.json")).expect("jwk"), Environment::test())
            .expect("client");
    let body = format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":120}}"#);
    let parsed = client.parse_token_response(200, body.as_bytes(), Some("application/json"), NOW).expect("token");
    check_debug!(secrets, parsed);

    let mut flow = maskinporten::TokenFlow::new();
    let mut call = flow.call(client.cache_key(&options()), NOW * 1000);
    if let maskinporten::TokenStep::Send { request, .. } = flow.poll(&mut call, &client, &options(), NOW * 1000) {
        check_debug!(secrets, request);
        flow.handle_response(
            &mut call,
            &client,
            maskinporten::HttpResponse::new(200, body.as_bytes()),
            NOW * 1000,
            0.5,
        );
    }
    check_debug!(secrets, call);
    check_debug!(secrets, flow.poll(&mut call, &client, &options(), NOW * 1000));
    check_debug!(secrets, flow);

    let consumer = Organisation::parse_id("0192:311000004").expect("org");
    let validated = ValidatedToken {
        consumer,
        supplier: None,
        delegation_source: None,
        client_id: CLIENT_ID.into(),
        client_amr: Some("virksomhetssertifikat".into()),
        scopes: vec!["test:scope.read".into()],
        audience: Vec::new(),
        pid: Some(PID.into()),
        issued_at: NOW,
        expires_at: NOW + 120,
        jti: Some("f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b".into()),
        authorization_details: vec![
            Authorization::Consent {
                id: Some("c1".into()),
                from: Some(format!("urn:altinn:person:identifier-no:{PID}")),
                to: None,
                consented: Some("2025-12-01T10:00:00Z".into()),
                valid_to: Some(NOW + 3600),
                consent_rights: Some(format!(r#"[{{"action":["read"],"metadata":{{"pid":"{PID}"}}}}]"#)),
            },
            Authorization::Other(format!(r#"{{"type":"x","pid":"{PID}"}}"#)),
        ],
        claims_json: format!(r#"{{"pid":"{PID}","scope":"test:scope.read","token":"{OPAQUE_TOKEN}"}}"#),
    };
    check_debug!(secrets, validated);
}

// `prepare_validation` exists with the platform-crypto feature only (the workspace's test run
// has it through the JS binding; `clippy -p maskinporten --features aws-lc-rs,fuzzing` does not).
#[cfg(feature = "platform-crypto")]
#[test]
fn a_pending_validation_shows_no_part_of_the_token() {
    let mut secrets = secrets();
    let cases: serde_json::Value = serde_json::from_slice(&vector("validation.json")).expect("vectors");
    let valid = &cases["cases"][0];
    let token = valid["token"].as_str().expect("token");
    for (name, part) in ["header", "claims", "signature"].iter().zip(token.split('.')) {
        if *name != "header" {
            secrets.add(&format!("validated token's {name}"), &part[part.len() / 2..]);
        }
    }
    let mut validator = Validator::new(Environment::from_name(cases["issuer"].as_str().expect("issuer")).expect("env"));
    validator.update_jwks(&vector("keys/issuer.jwks.json"), NOW).expect("jwks");
    let now = valid["now"].as_i64().expect("now");
    let pending = validator.prepare_validation(token, now).expect("pending");
    check_debug!(secrets, pending);
}

#[test]
fn errors_show_no_password_key_token_or_pid() {
    let secrets = secrets();
    let p12 = vector("keys/client.p12");
    check_display!(secrets, Key::from_pkcs12(&p12, "wrong-password", None).unwrap_err());
    // The password given as the alias too (a mistake with swapped arguments).
    check_display!(secrets, Key::from_pkcs12(&p12, PASSWORD, Some(PASSWORD)).unwrap_err());
    let pem = text("keys/client.key.pem");
    check_display!(
        secrets,
        Key::from_pem(&pem.replace("PRIVATE KEY-----\nMII", "PRIVATE KEY-----\n!II"), None).unwrap_err()
    );
    check_display!(secrets, Key::from_pem(&pem[..pem.len() / 2], None).unwrap_err());
    check_display!(secrets, Key::from_external(Some(&pem), None).unwrap_err());
    check_display!(secrets, Key::from_pkcs12(pem.as_bytes(), PASSWORD, None).unwrap_err());
    let jwk = text("keys/client.jwk.json");
    check_display!(secrets, Key::from_jwk(&jwk.replace("\"RSA\"", "\"EC\"")).unwrap_err());
    check_display!(secrets, Key::from_jwk(&jwk.replace("\"kid\"", "\"kid_\"")).unwrap_err());
    check_display!(secrets, Key::from_jwk(&jwk[..jwk.len() - 40]).unwrap_err());
    check_display!(secrets, Key::from_jwk(&format!("\"{jwk}\"")).unwrap_err());

    let json = format!(r#"{{"access_token":"{OPAQUE_TOKEN}","token_type":"Bearer","expires_in":120}}"#);
    for body in [
        format!("\u{feff}{json}"),
        format!("{json}x"),
        format!("[{json}]"),
        format!("access_token={OPAQUE_TOKEN}&token_type=Bearer"),
        format!("\"{TOKEN}\""),
        format!(r#"{{"access_token":"{TOKEN}","token_type":"{TOKEN}","expires_in":120}}"#),
    ] {
        for status in [200, 400, 503] {
            check_display!(
                secrets,
                maskinporten::parse_token_response(status, body.as_bytes(), None, NOW).unwrap_err()
            );
        }
    }
    let oauth = format!(r#"{{"error":"invalid_grant","error_description":"bad assertion {TOKEN} for {PID}"}}"#);
    check_display!(secrets, maskinporten::parse_token_response(400, oauth.as_bytes(), None, NOW).unwrap_err());

    let mut validator = Validator::new(Environment::test());
    check_display!(secrets, validator.update_jwks(format!("\"{TOKEN}\"").as_bytes(), NOW).unwrap_err());
    check_display!(secrets, Environment::from_metadata(format!("[\"{TOKEN}\"]").as_bytes()).unwrap_err());
    check_display!(
        secrets,
        Environment::from_name(&format!("https://u:{PASSWORD}@test.maskinporten.no/")).unwrap_err()
    );
    check_display!(
        secrets,
        Environment::custom("http://127.0.0.1/", &format!("http://{PASSWORD}@x/"), "http://127.0.0.1/").unwrap_err()
    );
    let client = Client::new(CLIENT_ID, Key::from_jwk(&jwk).expect("jwk"), Environment::test()).expect("client");
    check_display!(secrets, client.grant(&GrantOptions::new(["s"]).with_consumer_org(PID), NOW, None).unwrap_err());
    check_display!(secrets, AuthorizationDetail::system_user(PID, None).unwrap_err());
    check_display!(secrets, AuthorizationDetail::from_json(&format!(r#"{{"type": "x", "pid": "{PID}""#)).unwrap_err());
}
