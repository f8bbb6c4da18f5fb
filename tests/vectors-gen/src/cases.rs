//! The vector cases, with their expected outputs written out independently of the core.

use crate::harness::{self, Files};
use crate::keys::{self, CLIENT_ORG, JWK_KID, P12_PASSWORD};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use serde_json::{json, Value};

pub const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const JTI: &str = "0e6f5a3c-1b2d-4e8f-9a7b-6c5d4e3f2a10";
pub const X5C_CLIENT: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
pub const KID_CLIENT: &str = "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20";
pub const CONSUMER_ORG: &str = "312000008";
pub const SYSTEM_USER_ORG: &str = "313000001";
pub const TEST_ISSUER: &str = "https://test.maskinporten.no/";

fn p12_key(file: &str) -> Value {
    json!({"type": "pkcs12", "file": format!("keys/{file}"), "password": P12_PASSWORD, "alias": null})
}
fn pem_key(key: &str, cert: Option<&str>) -> Value {
    json!({"type": "pem", "key_file": format!("keys/{key}"), "cert_file": cert.map(|c| format!("keys/{c}")), "kid": null})
}
fn jwk_key() -> Value {
    json!({"type": "jwk", "file": "keys/client.jwk.json"})
}
fn client(client_id: &str) -> Value {
    json!({"client_id": client_id, "environment": "test", "algorithm": null, "lifetime": null, "x5c": null})
}
fn grant(scopes: &[&str]) -> Value {
    json!({"scopes": scopes, "resource": null, "consumer_org": null, "iss_onbehalfof": null, "pid": null, "authorization_details": null})
}
fn with(mut base: Value, field: &str, value: Value) -> Value {
    base[field] = value;
    base
}

struct GrantCase {
    name: &'static str,
    description: &'static str,
    key: Value,
    client: Value,
    grant: Value,
    now: i64,
}

fn case(name: &'static str, description: &'static str, key: Value, client: Value, grant: Value) -> GrantCase {
    GrantCase { name, description, key, client, grant, now: NOW }
}

fn grant_cases() -> Vec<GrantCase> {
    let read = || grant(&["test:scope.read"]);
    let x5c = || client(X5C_CLIENT);
    vec![
        case(
            "x5c_modern_p12",
            "x5c from a PKCS#12 with PBES2/AES-256 (OpenSSL 3 default)",
            p12_key("client.p12"),
            x5c(),
            read(),
        ),
        case(
            "x5c_legacy_p12",
            "x5c from a legacy PKCS#12 (3DES, SHA-1 MAC)",
            p12_key("client-legacy.p12"),
            x5c(),
            read(),
        ),
        case(
            "x5c_pem_pkcs8",
            "PKCS#8 PEM key with a certificate chain PEM",
            pem_key("client.key.pem", Some("client.chain.pem")),
            x5c(),
            read(),
        ),
        case(
            "x5c_pem_pkcs1",
            "PKCS#1 PEM key with the leaf certificate",
            pem_key("client.pkcs1.pem", Some("client.cert.pem")),
            x5c(),
            read(),
        ),
        case(
            "x5c_full_chain",
            "x5c with the whole chain, leaf first",
            p12_key("client.p12"),
            with(x5c(), "x5c", json!("full_chain")),
            read(),
        ),
        case("kid_jwk", "a registered key (private JWK) sends kid, not x5c", jwk_key(), client(KID_CLIENT), read()),
        case("rs384", "RS384", p12_key("client.p12"), with(x5c(), "algorithm", json!("RS384")), read()),
        case("rs512", "RS512", jwk_key(), with(client(KID_CLIENT), "algorithm", json!("RS512")), read()),
        case(
            "lifetime_60",
            "a shorter grant lifetime",
            p12_key("client.p12"),
            with(x5c(), "lifetime", json!(60)),
            read(),
        ),
        case(
            "prod_environment",
            "aud is the production issuer",
            p12_key("client.p12"),
            with(x5c(), "environment", json!("prod")),
            read(),
        ),
        case(
            "custom_issuer",
            "a loopback issuer such as the simulator's",
            jwk_key(),
            with(client(KID_CLIENT), "environment", json!("http://127.0.0.1:8123/")),
            read(),
        ),
        case(
            "two_scopes",
            "several scopes, space-separated",
            p12_key("client.p12"),
            x5c(),
            grant(&["test:scope.read", "test:scope.write"]),
        ),
        case(
            "consumer_org",
            "a supplier acting for a consumer (Altinn delegation)",
            p12_key("client.p12"),
            x5c(),
            with(grant(&["brreg:reelle/rapporteringspliktig"]), "consumer_org", json!(CONSUMER_ORG)),
        ),
        case(
            "iss_onbehalfof",
            "a supplier's sub-client",
            p12_key("client.p12"),
            x5c(),
            with(read(), "iss_onbehalfof", json!("kommune-x")),
        ),
        case(
            "resource_string",
            "resource as a string (what clients send)",
            p12_key("client.p12"),
            x5c(),
            with(read(), "resource", json!("https://api.example.no/")),
        ),
        case(
            "resource_array",
            "resource as an array (what the docs show)",
            p12_key("client.p12"),
            x5c(),
            with(read(), "resource", json!(["https://api.example.no/", "https://other.example.no/"])),
        ),
        case("pid", "a person-bound token", jwk_key(), client(KID_CLIENT), with(read(), "pid", json!("01017012345"))),
        case(
            "rar_system_user",
            "an Altinn system user with externalRef",
            p12_key("client.p12"),
            x5c(),
            with(
                read(),
                "authorization_details",
                json!([{"type": "urn:altinn:systemuser",
                "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{SYSTEM_USER_ORG}")}, "externalRef": "vendor-ref-1"}]),
            ),
        ),
        case(
            "rar_consent",
            "an Altinn consent",
            jwk_key(),
            client(KID_CLIENT),
            with(
                read(),
                "authorization_details",
                json!([{"type": "urn:altinn:consent", "id": "d5e2a4c6-0000-4000-8000-000000000001", "from": "urn:altinn:person:identifier-no:01017012345"}]),
            ),
        ),
    ]
}

fn error_cases() -> Vec<(GrantCase, &'static str)> {
    let read = || grant(&["test:scope.read"]);
    let x5c = || client(X5C_CLIENT);
    let p12 = || p12_key("client.p12");
    let mut not_yet = case("certificate_not_yet_valid", "now before the certificate's notBefore", p12(), x5c(), read());
    not_yet.now = 1_700_000_000;
    let mut millis = case("now_in_milliseconds", "now given in milliseconds", p12(), x5c(), read());
    millis.now = NOW * 1000;
    vec![
        (
            case("lifetime_121", "a grant may live 120 s at most", p12(), with(x5c(), "lifetime", json!(121)), read()),
            "invalid_lifetime",
        ),
        (
            case(
                "consumer_org_bad_check_digit",
                "org number with a wrong mod-11 digit",
                p12(),
                x5c(),
                with(read(), "consumer_org", json!("312000009")),
            ),
            "invalid_consumer_org",
        ),
        (
            case(
                "consumer_org_eight_digits",
                "org number of 8 digits",
                p12(),
                x5c(),
                with(read(), "consumer_org", json!("31200000")),
            ),
            "invalid_consumer_org",
        ),
        (
            case(
                "consumer_org_is_own_org",
                "consumer_org equal to the certificate's org",
                p12(),
                x5c(),
                with(read(), "consumer_org", json!(CLIENT_ORG)),
            ),
            "invalid_consumer_org",
        ),
        (
            case(
                "consumer_org_and_iss_onbehalfof",
                "the two delegation claims exclude each other",
                p12(),
                x5c(),
                with(with(read(), "consumer_org", json!(CONSUMER_ORG)), "iss_onbehalfof", json!("kommune-x")),
            ),
            "conflicting_delegation",
        ),
        (
            case("expired_certificate", "the certificate expired in 2021", p12_key("expired.p12"), x5c(), read()),
            "certificate_not_valid",
        ),
        (not_yet, "certificate_not_valid"),
        (
            case(
                "wrong_password",
                "wrong PKCS#12 password",
                json!({"type": "pkcs12", "file": "keys/client.p12", "password": "not-the-password", "alias": null}),
                x5c(),
                read(),
            ),
            "wrong_password",
        ),
        (
            case(
                "alias_not_found",
                "an alias the file does not hold",
                json!({"type": "pkcs12", "file": "keys/client.p12", "password": P12_PASSWORD, "alias": "nope"}),
                x5c(),
                read(),
            ),
            "key_not_found",
        ),
        (
            case(
                "certificate_of_another_key",
                "the certificate does not match the private key",
                pem_key("other.key.pem", Some("client.cert.pem")),
                x5c(),
                read(),
            ),
            "invalid_key",
        ),
        (
            case(
                "no_certificate_no_kid",
                "a PEM key alone has neither x5c nor kid",
                pem_key("client.key.pem", None),
                x5c(),
                read(),
            ),
            "missing_certificate_or_kid",
        ),
        (case("no_scope", "at least one scope", p12(), x5c(), grant(&[])), "invalid_scope"),
        (
            case(
                "scope_with_space",
                "scopes go as separate items",
                p12(),
                x5c(),
                grant(&["test:scope.read test:scope.write"]),
            ),
            "invalid_scope",
        ),
        (
            case("pid_ten_digits", "pid has 11 digits", p12(), x5c(), with(read(), "pid", json!("0101701234"))),
            "invalid_pid",
        ),
        (
            case(
                "resource_not_uri",
                "resource is an absolute URI",
                p12(),
                x5c(),
                with(read(), "resource", json!("api")),
            ),
            "invalid_resource",
        ),
        (
            case(
                "rar_without_type",
                "each authorization_details entry has a type",
                p12(),
                x5c(),
                with(read(), "authorization_details", json!([{"id": "x"}])),
            ),
            "invalid_authorization_details",
        ),
        (
            case(
                "rar_system_user_bad_org",
                "systemuser_org.ID carries a valid org number",
                p12(),
                x5c(),
                with(
                    read(),
                    "authorization_details",
                    json!([{"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:123"}}]),
                ),
            ),
            "invalid_authorization_details",
        ),
        (
            case(
                "algorithm_es256",
                "Maskinporten takes RS256/RS384/RS512 only",
                p12(),
                with(x5c(), "algorithm", json!("ES256")),
                read(),
            ),
            "invalid_algorithm",
        ),
        (
            case(
                "issuer_without_slash",
                "aud is the issuer with trailing slash",
                p12(),
                with(x5c(), "environment", json!("https://test.maskinporten.no")),
                read(),
            ),
            "invalid_environment",
        ),
        (
            case("empty_client_id", "client_id is required", p12(), with(x5c(), "client_id", json!("")), read()),
            "invalid_client_id",
        ),
        (millis, "invalid_now"),
    ]
}

/// The header and claims a correct client must send, written from the protocol doc.
fn expected_parts(c: &GrantCase, files: &dyn Files) -> (Value, Value) {
    let alg = c.client["algorithm"].as_str().unwrap_or("RS256");
    let header = if c.key["type"] == "jwk" {
        json!({"alg": alg, "typ": "JWT", "kid": JWK_KID})
    } else {
        let chain_file = if c.client["x5c"] == "full_chain" { "keys/client.chain.pem" } else { "keys/client.cert.pem" };
        let chain = String::from_utf8(files.read(chain_file)).expect("PEM");
        let x5c: Vec<String> = pem_bodies(&chain);
        json!({"alg": alg, "typ": "JWT", "x5c": x5c})
    };
    let issuer = match c.client["environment"].as_str().unwrap_or("test") {
        "test" => TEST_ISSUER.to_string(),
        "prod" => "https://maskinporten.no/".to_string(),
        other => other.to_string(),
    };
    let lifetime = c.client["lifetime"].as_i64().unwrap_or(120);
    let scopes: Vec<&str> = c.grant["scopes"].as_array().expect("scopes").iter().filter_map(Value::as_str).collect();
    let mut claims = json!({
        "aud": issuer, "iss": c.client["client_id"], "scope": scopes.join(" "),
        "iat": c.now, "exp": c.now + lifetime, "jti": JTI,
    });
    for optional in ["resource", "consumer_org", "iss_onbehalfof", "pid", "authorization_details"] {
        if !c.grant[optional].is_null() {
            claims[optional] = c.grant[optional].clone();
        }
    }
    (header, claims)
}

fn pem_bodies(pem_text: &str) -> Vec<String> {
    pem_text
        .split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .map(|block| block.split("-----END CERTIFICATE-----").next().unwrap_or("").split_whitespace().collect())
        .collect()
}

fn decode_segment(segment: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).expect("base64url segment")).expect("JSON segment")
}

/// Checks the JWT against the independently written parts and an independent RSA verifier.
fn check_jwt(c: &GrantCase, jwt: &str, header: &Value, claims: &Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{}: compact JWT", c.name);
    assert_eq!(&decode_segment(parts[0]), header, "{}: header", c.name);
    assert_eq!(&decode_segment(parts[1]), claims, "{}: claims", c.name);
    let public = if c.key["type"] == "jwk" { keys::jwk_public() } else { keys::client_public() };
    let signature =
        Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).expect("signature").as_slice()).expect("signature");
    let input = format!("{}.{}", parts[0], parts[1]);
    let verified = match header["alg"].as_str() {
        Some("RS384") => VerifyingKey::<sha2::Sha384>::new(public).verify(input.as_bytes(), &signature),
        Some("RS512") => VerifyingKey::<sha2::Sha512>::new(public).verify(input.as_bytes(), &signature),
        _ => VerifyingKey::<sha2::Sha256>::new(public).verify(input.as_bytes(), &signature),
    };
    assert!(verified.is_ok(), "{}: signature verifies with an independent RSA implementation", c.name);
}

fn case_json(c: &GrantCase) -> Value {
    json!({"name": c.name, "description": c.description, "key": c.key, "client": c.client, "grant": c.grant, "now": c.now, "jti": JTI})
}

pub fn grants_document(files: &dyn Files) -> Value {
    let cases: Vec<Value> = grant_cases()
        .iter()
        .map(|c| {
            let mut doc = case_json(c);
            let (jwt, body) = harness::run_grant_case(&doc, files).unwrap_or_else(|e| panic!("{}: {e}", c.name));
            let (header, claims) = expected_parts(c, files);
            check_jwt(c, &jwt, &header, &claims);
            let expected_body =
                format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={jwt}");
            assert_eq!(body, expected_body, "{}: form body", c.name);
            doc["expected"] = json!({"header": header, "claims": claims, "jwt": jwt, "body": body});
            doc
        })
        .collect();
    json!({"about": "Grant cases: for the fixed now and jti, every binding must produce exactly this JWT and body. Regenerate with `cargo run -p maskinporten-vectors -- write`.", "cases": cases})
}

pub fn grant_errors_document(files: &dyn Files) -> Value {
    let cases: Vec<Value> = error_cases()
        .iter()
        .map(|(c, kind)| {
            let mut doc = case_json(c);
            match harness::run_grant_case(&doc, files) {
                Err(error) => assert_eq!(error.kind(), *kind, "{}: {error}", c.name),
                Ok(_) => panic!("{}: expected {kind}, got a grant", c.name),
            }
            doc["expected_error"] = json!(kind);
            doc
        })
        .collect();
    json!({"about": "Negative grant cases: loading the key, building the client or signing must fail with this error kind (the first error met).", "cases": cases})
}

/// Which answers carry a hint: every MP code, and the OAuth codes a caller can act on.
fn has_hint(mp_code: Option<&str>, error: Option<&str>) -> bool {
    mp_code.is_some()
        || matches!(
            error,
            Some(
                "invalid_scope"
                    | "invalid_client"
                    | "unsupported_grant_type"
                    | "temporarily_unavailable"
                    | "server_error"
            )
        )
}

pub fn responses_document() -> Value {
    let ok = |name: &str, body: Value, scope: Value, expires_in: i64| {
        json!({"name": name, "status": 200, "content_type": "application/json", "body": body.to_string(), "now": NOW,
               "expected": {"access_token": body["access_token"], "token_type": "Bearer", "expires_in": expires_in, "scope": scope, "expires_at": NOW + expires_in}})
    };
    let token = "eyJraWQiOiJzaW0ta2V5LTEiLCJhbGciOiJSUzI1NiJ9.eyJzY29wZSI6InRlc3Q6c2NvcGUucmVhZCJ9.c2lnbmF0dXJl";
    let fail = |name: &str,
                status: u16,
                content_type: Option<&str>,
                body: &str,
                kind: &str,
                mp: Option<&str>,
                error: Option<&str>,
                retryable: bool| {
        json!({"name": name, "status": status, "content_type": content_type, "body": body, "now": NOW,
               "expected_error": {"kind": kind, "mp_code": mp, "error": error, "retryable": retryable, "status": status, "has_hint": has_hint(mp, error)}})
    };
    let mp = |code: &str, error: &str, text: &str| {
        let body = json!({"error": error, "error_description": format!("{text} ({code})"), "error_uri": "https://docs.digdir.no/"}).to_string();
        fail(
            &format!("error_{}", code.replace('-', "").to_lowercase()),
            400,
            Some("application/json"),
            &body,
            "oauth_error",
            Some(code),
            Some(error),
            false,
        )
    };
    let mut cases = vec![
        ok(
            "success",
            json!({"access_token": token, "token_type": "Bearer", "expires_in": 119, "scope": "test:scope.read"}),
            json!("test:scope.read"),
            119,
        ),
        ok(
            "success_unknown_fields",
            json!({"access_token": token, "token_type": "Bearer", "expires_in": 120, "scope": "a b", "issued_token_type": "x", "extra": {"n": 1}}),
            json!("a b"),
            120,
        ),
        ok(
            "success_without_scope",
            json!({"access_token": token, "token_type": "Bearer", "expires_in": 30}),
            Value::Null,
            30,
        ),
        ok(
            "success_lowercase_bearer",
            json!({"access_token": token, "token_type": "bearer", "expires_in": 60, "scope": "s"}),
            json!("s"),
            60,
        ),
    ];
    for (code, error, text) in [
        ("MP-011", "invalid_request", "Invalid parameter value"),
        ("MP-012", "invalid_grant", "Grant already used"),
        ("MP-100", "invalid_grant", "Invalid assertion. Client authentication failed"),
        ("MP-110", "invalid_grant", "Invalid assertion. Client authentication failed. Invalid audience"),
        ("MP-120", "invalid_grant", "Invalid assertion. Client authentication failed. Invalid certificate"),
        ("MP-121", "invalid_grant", "Invalid assertion. Client authentication failed. Registered key has expired"),
        ("MP-122", "invalid_grant", "Certificate organization number does not match client organization number"),
        ("MP-123", "invalid_grant", "Invalid assertion. x5c is invalid"),
        ("MP-124", "invalid_grant", "Invalid assertion. Signature verification failed"),
        ("MP-130", "invalid_grant", "The jwt is expired or issue time is in the future"),
        ("MP-200", "invalid_scope", "Scope not registered on client"),
        ("MP-201", "invalid_scope", "Scope not allowed for this integration type"),
        ("MP-250", "invalid_scope", "Consumer has not been granted access to the scope"),
        ("MP-251", "invalid_scope", "Scope not delegated in Altinn"),
        ("MP-301", "invalid_authorization_details", "Unknown authorization_details type"),
        ("MP-302", "invalid_authorization_details", "Unknown fields in authorization_details"),
        ("MP-303", "invalid_authorization_details", "Invalid values in authorization_details"),
    ] {
        cases.push(mp(code, error, text));
    }
    let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";
    cases.extend([
        fail(
            "oauth_error_without_mp_code",
            400,
            Some("application/json"),
            r#"{"error":"unsupported_grant_type"}"#,
            "oauth_error",
            None,
            Some("unsupported_grant_type"),
            false,
        ),
        fail(
            "rate_limited_oauth_error",
            429,
            Some("application/json"),
            r#"{"error":"slow_down","error_description":"Too many requests"}"#,
            "oauth_error",
            None,
            Some("slow_down"),
            true,
        ),
        fail(
            "server_error_json",
            500,
            Some("application/json"),
            r#"{"error":"server_error","error_description":"Internal error"}"#,
            "oauth_error",
            None,
            Some("server_error"),
            true,
        ),
        fail("html_502", 502, Some("text/html"), html, "unavailable", None, None, true),
        fail("empty_503", 503, None, "", "unavailable", None, None, true),
        fail("html_504_without_content_type", 504, None, html, "unavailable", None, None, true),
        fail("html_200", 200, Some("text/html"), html, "malformed_response", None, None, false),
        fail("empty_200", 200, Some("application/json"), "", "malformed_response", None, None, false),
        fail(
            "truncated_json",
            200,
            Some("application/json"),
            r#"{"access_token":"eyJ","token_type":"Bea"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail("json_array", 200, Some("application/json"), "[1,2]", "malformed_response", None, None, false),
        fail(
            "missing_access_token",
            200,
            Some("application/json"),
            r#"{"token_type":"Bearer","expires_in":120}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "empty_access_token",
            200,
            Some("application/json"),
            r#"{"access_token":"","token_type":"Bearer","expires_in":120}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "missing_token_type",
            200,
            Some("application/json"),
            r#"{"access_token":"abc","expires_in":120}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "token_type_mac",
            200,
            Some("application/json"),
            r#"{"access_token":"abc","token_type":"MAC","expires_in":120}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "missing_expires_in",
            200,
            Some("application/json"),
            r#"{"access_token":"abc","token_type":"Bearer"}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "expires_in_zero",
            200,
            Some("application/json"),
            r#"{"access_token":"abc","token_type":"Bearer","expires_in":0}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "expires_in_negative",
            200,
            Some("application/json"),
            r#"{"access_token":"abc","token_type":"Bearer","expires_in":-5}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "expires_in_absurd",
            200,
            Some("application/json"),
            r#"{"access_token":"abc","token_type":"Bearer","expires_in":999999999}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "expires_in_string",
            200,
            Some("application/json"),
            r#"{"access_token":"abc","token_type":"Bearer","expires_in":"120"}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "html_400",
            400,
            Some("text/html"),
            "<html><body>Bad Request</body></html>",
            "malformed_response",
            None,
            None,
            false,
        ),
        fail(
            "json_400_without_error",
            400,
            Some("application/json"),
            r#"{"message":"bad"}"#,
            "malformed_response",
            None,
            None,
            false,
        ),
    ]);
    json!({"about": "Token-response cases: parse_token_response(status, body, content_type, now) gives this token, or an error of this kind.", "cases": cases})
}
