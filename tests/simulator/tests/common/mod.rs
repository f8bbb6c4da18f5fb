//! Test helpers: throwaway keys and certificates, a small grant signer, an HTTP client.
#![allow(dead_code)]

use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair, RsaKeyPair, RsaPublicKeyComponents};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use maskinporten_simulator::certs::{EnterpriseCert, TestCa, Validity};
use maskinporten_simulator::{ClientConfig, KeyConfig, Simulator, SimulatorConfig};
use serde_json::{json, Map, Value};

pub const X5C_CLIENT: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
pub const KID_CLIENT: &str = "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20";
pub const KID: &str = "mp-vector-key-1";
pub const SUPPLIER: &str = "311000004";
pub const CONSUMER: &str = "312000008";
pub const SYSTEM_USER_ORG: &str = "313000001";
pub const READ: &str = "test:scope.read";
pub const WRITE: &str = "test:scope.write";
pub const DELEGABLE: &str = "brreg:reelle/rapporteringspliktig";
pub const ALTINN_READ: &str = "altinn:instances.read";
pub const SERVICE_OWNER: &str = "altinn:serviceowner";
pub const CONSENT_ID: &str = "d5e2a4c6-0000-4000-8000-000000000001";
pub const CONSENT_FROM: &str = "urn:altinn:person:identifier-no:01017012345";
pub const EXPIRED_CONSENT_ID: &str = "d5e2a4c6-0000-4000-8000-000000000002";
pub const ESEAL_CLIENT: &str = "eidas-5a6b7c8d";
pub const ESEAL_OID: &str = "VATSE-556000000001";

pub struct Fixture {
    pub ca: TestCa,
    pub cert: EnterpriseCert,
    pub expired: EnterpriseCert,
    pub other_org: EnterpriseCert,
    pub prod_cert: EnterpriseCert,
    pub kid_key: RsaKeyPair,
    pub kid_jwk: Value,
    pub other_key: RsaKeyPair,
    /// A second CA, for eSeals, and a qualified eSeal of a Swedish company.
    pub eseal_ca: TestCa,
    pub eseal: EnterpriseCert,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let ca = TestCa::generate("Simulator Test CA (test environment)").expect("ca");
        let cert = ca.issue_enterprise(SUPPLIER, "SUPPLIER AS").expect("cert");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let expired = ca
            .issue_enterprise_with(SUPPLIER, "SUPPLIER AS", Validity { not_before: now - 400 * 86400, not_after: now - 86400 })
            .expect("expired");
        let other_org = ca.issue_enterprise("974760673", "OTHER AS").expect("other");
        let prod = TestCa::generate("Simulator Prod CA (production environment)").expect("prod ca");
        let prod_cert = prod.issue_enterprise(SUPPLIER, "SUPPLIER AS").expect("prod cert");
        let kid_key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("kid key");
        let comps: RsaPublicKeyComponents<Vec<u8>> = kid_key.public_key().into();
        let kid_jwk = json!({"kty": "RSA", "kid": KID, "n": URL_SAFE_NO_PAD.encode(&comps.n), "e": URL_SAFE_NO_PAD.encode(&comps.e)});
        let other_key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("other key");
        let eseal_ca = TestCa::generate("Simulator eSeal CA (EU trusted list)").expect("eseal ca");
        let eseal = eseal_ca.issue_eseal(ESEAL_OID, "Exempel AB", "SE").expect("eseal");
        Fixture { ca, cert, expired, other_org, prod_cert, kid_key, kid_jwk, other_key, eseal_ca, eseal }
    })
}

pub fn config() -> SimulatorConfig {
    let f = fixture();
    let mut c = SimulatorConfig::builder()
        .trust_ca_pem(&f.ca.cert_pem)
        .client(X5C_CLIENT, SUPPLIER, [READ, WRITE, DELEGABLE, ALTINN_READ, SERVICE_OWNER])
        .delegation(CONSUMER, SUPPLIER, [DELEGABLE])
        .system_user(SYSTEM_USER_ORG)
        .scope_max_age(WRITE, 60)
        .consent(CONSENT_ID, CONSENT_FROM, SUPPLIER, "2099-12-31T23:59:59Z")
        .consent(EXPIRED_CONSENT_ID, CONSENT_FROM, SUPPLIER, "2020-01-01T00:00:00Z")
        .altinn_service_owner(SUPPLIER, "sim")
        .trust_eseal_ca_pem(&f.eseal_ca.cert_pem)
        .eseal_consumer(ESEAL_CLIENT, ESEAL_OID, [READ, ALTINN_READ])
        .build();
    c.clients.push(ClientConfig {
        client_id: KID_CLIENT.into(),
        org_number: SUPPLIER.into(),
        scopes: vec![READ.into(), WRITE.into()],
        x5c: false,
        keys: vec![KeyConfig { jwk: Some(f.kid_jwk.clone()), ..KeyConfig::default() }],
        ..ClientConfig::default()
    });
    c
}

pub async fn start() -> Simulator {
    Simulator::start(config(), 0).await.expect("simulator starts")
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn key_of(cert: &EnterpriseCert) -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(&cert.key_der).expect("pkcs8")
}

/// A grant under construction: header and claims are plain JSON maps a test may edit.
pub struct Grant {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

impl Grant {
    /// A valid x5c grant for the x5c client.
    pub fn x5c(sim: &Simulator) -> Grant {
        Self::x5c_with(sim, &fixture().cert)
    }
    pub fn x5c_with(sim: &Simulator, cert: &EnterpriseCert) -> Grant {
        let mut g = Self::base(sim, X5C_CLIENT);
        g.header.insert("x5c".into(), json!([STANDARD.encode(&cert.cert_der)]));
        g
    }
    /// A valid eSeal grant: the full chain (leaf, CA) in x5c.
    pub fn eseal(sim: &Simulator) -> Grant {
        let f = fixture();
        let mut g = Self::base(sim, ESEAL_CLIENT);
        g.header
            .insert("x5c".into(), json!([STANDARD.encode(&f.eseal.cert_der), STANDARD.encode(&f.eseal_ca.cert_der)]));
        g
    }
    /// A valid kid grant for the kid client.
    pub fn kid(sim: &Simulator) -> Grant {
        let mut g = Self::base(sim, KID_CLIENT);
        g.header.insert("kid".into(), json!(KID));
        g
    }
    fn base(sim: &Simulator, iss: &str) -> Grant {
        let now = now();
        let header = json!({"alg": "RS256", "typ": "JWT"}).as_object().cloned().unwrap_or_default();
        let claims = json!({
            "aud": sim.issuer(), "iss": iss, "scope": READ, "iat": now, "exp": now + 120,
            "jti": uuid::Uuid::new_v4().to_string(),
        })
        .as_object()
        .cloned()
        .unwrap_or_default();
        Grant { header, claims }
    }
    pub fn claim(mut self, k: &str, v: Value) -> Self {
        self.claims.insert(k.into(), v);
        self
    }
    pub fn without(mut self, k: &str) -> Self {
        self.claims.remove(k);
        self
    }
    pub fn header(mut self, k: &str, v: Value) -> Self {
        self.header.insert(k.into(), v);
        self
    }
    pub fn signing_input(&self) -> String {
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(Value::Object(self.header.clone()).to_string()),
            URL_SAFE_NO_PAD.encode(Value::Object(self.claims.clone()).to_string())
        )
    }
    /// Signs with the key matching `alg` in the header (RS256/384/512); other algs sign RS256.
    pub fn sign_with(&self, key: &RsaKeyPair) -> String {
        let input = self.signing_input();
        let enc: &'static dyn signature::RsaEncoding = match self.header.get("alg").and_then(Value::as_str) {
            Some("RS384") => &signature::RSA_PKCS1_SHA384,
            Some("RS512") => &signature::RSA_PKCS1_SHA512,
            Some("PS256") => &signature::RSA_PSS_SHA256,
            _ => &signature::RSA_PKCS1_SHA256,
        };
        let mut sig = vec![0u8; key.public_modulus_len()];
        key.sign(enc, &SystemRandom::new(), input.as_bytes(), &mut sig).expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }
    /// Signs x5c grants with the fixture's enterprise key (the eSeal's for the eSeal client),
    /// kid grants with the registered key.
    pub fn sign(&self) -> String {
        if self.header.contains_key("kid") {
            self.sign_with(&fixture().kid_key)
        } else if self.claims.get("iss").and_then(Value::as_str) == Some(ESEAL_CLIENT) {
            self.sign_with(&key_of(&fixture().eseal))
        } else {
            self.sign_with(&key_of(&fixture().cert))
        }
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("client")
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub content_type: Option<String>,
}

impl Answer {
    pub fn mp(&self) -> &str {
        let d = self.body.get("error_description").and_then(Value::as_str).unwrap_or("");
        match d.find("MP-") {
            Some(i) => &d[i..(i + 6).min(d.len())],
            None => "",
        }
    }
    pub fn error(&self) -> &str {
        self.body.get("error").and_then(Value::as_str).unwrap_or("")
    }
}

pub async fn post_form(sim: &Simulator, body: String) -> Answer {
    post_raw(sim, "application/x-www-form-urlencoded", body).await.expect("request")
}

pub async fn post_raw(sim: &Simulator, ct: &str, body: String) -> reqwest::Result<Answer> {
    let resp = http().post(sim.token_endpoint()).header("content-type", ct).body(body).send().await?;
    let status = resp.status().as_u16();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = resp.text().await?;
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(Answer { status, body, text, content_type })
}

pub async fn send(sim: &Simulator, jwt: &str) -> Answer {
    let body = format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={jwt}");
    post_form(sim, body).await
}

/// Asserts a rejection with the given MP code and OAuth error.
pub async fn expect_rejected(sim: &Simulator, jwt: &str, mp: &str, error: &str) -> Answer {
    let a = send(sim, jwt).await;
    assert_eq!((a.mp(), a.error()), (mp, error), "unexpected answer {} {}", a.status, a.text);
    assert_eq!(a.status, 400, "Maskinporten answers every refused grant with 400");
    a
}

/// Decodes a JWS payload without verifying (for assertions after verification).
pub fn claims_of(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap_or("");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap_or_default()).unwrap_or(Value::Null)
}

/// Verifies an access token's RS256 signature against the simulator's `/jwk` over HTTP.
pub async fn verify_access_token(sim: &Simulator, token: &str) -> Value {
    let jwks: Value = http().get(sim.jwks_uri()).send().await.expect("jwk").json().await.expect("jwks json");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("header");
    assert_eq!(header["alg"], "RS256");
    let kid = header["kid"].as_str().expect("kid in header");
    let jwk = jwks["keys"].as_array().expect("keys").iter().find(|k| k["kid"] == kid).expect("kid published on /jwk");
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().expect("n")).expect("n b64");
    let e = URL_SAFE_NO_PAD.decode(jwk["e"].as_str().expect("e")).expect("e b64");
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).expect("sig b64");
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(&signature::RSA_PKCS1_2048_8192_SHA256, format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .expect("access token signature verifies against /jwk");
    claims_of(token)
}
