//! Access-token validation vectors: tokens signed here with the `rsa` crate (independently of the
//! core) by a fixed issuer key, published in `keys/issuer.jwks.json`.

use crate::keys::rsa_key_from_seed;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};

pub const ISSUER_KID: &str = "mp-vector-issuer-1";
pub const ISSUER: &str = "https://test.maskinporten.no/";
pub const NOW: i64 = 1_767_225_600;

fn issuer_key() -> RsaPrivateKey {
    rsa_key_from_seed(5)
}

/// The issuer's JWKS (public key only).
pub fn jwks_document() -> Value {
    let public = issuer_key().to_public_key();
    json!({"keys": [{"kty": "RSA", "kid": ISSUER_KID, "alg": "RS256", "use": "sig",
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()), "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())}]})
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn sign_rs256(key: &RsaPrivateKey, header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let signature = SigningKey::<sha2::Sha256>::new(key.clone()).sign(input.as_bytes()).to_vec();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn header() -> Value {
    json!({"kid": ISSUER_KID, "alg": "RS256"})
}

fn claims() -> Value {
    json!({
        "iss": ISSUER, "client_amr": "virksomhetssertifikat", "token_type": "Bearer",
        "client_id": "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", "scope": "test:scope.read test:scope.write",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:311000004"},
        "iat": NOW - 10, "exp": NOW + 110, "jti": "vector-token-1",
    })
}

fn with(mut base: Value, field: &str, value: Value) -> Value {
    base[field] = value;
    base
}

fn requirements(scopes: &[&str]) -> Value {
    json!({"scopes": scopes, "scope_match": "any", "audience": null, "require_pid": false, "consumer_orgs": [],
           "any_scope_unchecked": false, "eseal_consumers": false, "consent": null, "system_user": null})
}

fn ok(
    name: &str,
    token: String,
    req: Value,
    consumer: Option<&str>,
    supplier: Option<&str>,
    sub_unit: &[&str],
) -> Value {
    let claims_segment = token.split('.').nth(1).unwrap_or_default();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims_segment).unwrap_or_default()).unwrap_or_default();
    json!({"name": name, "token": token, "now": NOW, "requirements": req,
           "expected": {"consumer_org": consumer, "supplier_org": supplier, "consumer_sub_unit": sub_unit,
                        "consumer_id": claims["consumer"]["ID"], "consumer_authority": claims["consumer"]["authority"],
                        "client_id": claims["client_id"], "expires_at": claims["exp"]}})
}

fn bad(name: &str, token: String, req: Value, kind: &str) -> Value {
    let rejection = expected_rejection(kind, &req);
    json!({"name": name, "token": token, "now": NOW, "requirements": req, "expected_error": kind,
           "expected_rejection": rejection})
}

/// RFC 6750 §3 as the protocol doc reads it, written here independently of the core: the status,
/// the challenge's error code (none for a missing token) and its `scope` parameter (403 only).
pub fn expected_rejection(kind: &str, requirements: &Value) -> Value {
    let (status, error) = match kind {
        "token_missing" => (401, None),
        "invalid_authorization_header" => (400, Some("invalid_request")),
        "insufficient_scope"
        | "audience_mismatch"
        | "pid_missing"
        | "consumer_not_allowed"
        | "consent_invalid"
        | "system_user_missing" => (403, Some("insufficient_scope")),
        "unavailable" | "jwks_missing" => (503, None),
        "token_too_large"
        | "token_malformed"
        | "algorithm_not_allowed"
        | "unknown_kid"
        | "signature_invalid"
        | "issuer_mismatch"
        | "token_expired"
        | "token_not_yet_valid"
        | "wrong_token_type" => (401, Some("invalid_token")),
        _ => (500, None),
    };
    let scopes: Vec<&str> =
        requirements["scopes"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let scope = (status == 403 && !scopes.is_empty()).then(|| scopes.join(" "));
    json!({"status": status, "error": error, "scope": scope})
}

/// `Authorization` header values and what reading them gives.
fn header_cases() -> Value {
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzY29wZSI6InkifQ.c2ln-_+/~";
    let read = |header: Option<&str>, expected: Value| {
        let mut case = json!({"authorization": header});
        match expected {
            Value::String(kind)
                if kind == "token_missing" || kind == "invalid_authorization_header" || kind == "token_too_large" =>
            {
                case["expected_rejection"] = expected_rejection(&kind, &requirements(&["test:scope.read"]));
                case["expected_error"] = Value::String(kind);
            }
            token => case["expected_token"] = token,
        }
        case
    };
    let long = format!("Bearer {}", "a".repeat(16 * 1024 + 1));
    json!([
        read(Some(&format!("Bearer {token}")), json!(token)),
        read(Some(&format!("bearer {token}")), json!(token)),
        read(Some(&format!("BEARER   {token}")), json!(token)),
        read(Some(&format!("  Bearer {token}  ")), json!(token)),
        read(Some("Bearer YWJj=="), json!("YWJj==")),
        read(None, json!("token_missing")),
        read(Some(""), json!("token_missing")),
        read(Some("Basic dXNlcjpwYXNz"), json!("token_missing")),
        read(Some(&format!("Bearerx {token}")), json!("token_missing")),
        read(Some("Bearer"), json!("invalid_authorization_header")),
        read(Some("Bearer "), json!("invalid_authorization_header")),
        read(Some(&format!("Bearer {token} extra")), json!("invalid_authorization_header")),
        read(Some("Bearer a\"b"), json!("invalid_authorization_header")),
        read(Some("Bearer a,b"), json!("invalid_authorization_header")),
        read(Some("Bearer ==="), json!("invalid_authorization_header")),
        read(Some(&long), json!("token_too_large")),
    ])
}

const CONSENT_ID: &str = "9f7a3c52-6e1d-4b8a-a5f0-2c4d6e8f0a1b";
const CONSENT_FROM: &str = "urn:altinn:person:identifier-no:01017012345";

/// A consent token (Altinn `urn:altinn:consent`) given to `to`, valid until `valid_to`.
fn consent(valid_to: i64, to: &str) -> Value {
    let valid_to = time::OffsetDateTime::from_unix_timestamp(valid_to)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    with(
        claims(),
        "authorization_details",
        json!([{"type": "urn:altinn:consent", "id": CONSENT_ID, "from": CONSENT_FROM,
            "to": {"authority": "iso6523-actorid-upis", "ID": to}, "consented": "2025-12-01T10:00:00Z",
            "validTo": valid_to,
            "consentRights": [{"action": ["read"], "resource": [{"type": "urn:altinn:resource", "value": "ttd_inntektsopplysninger"}]}]}]),
    )
}

fn consent_read() -> Value {
    with(requirements(&["test:scope.read"]), "consent", json!({"id": CONSENT_ID, "from": CONSENT_FROM}))
}

/// A token for a foreign organisation with a qualified eSeal (the pilot's shape).
fn eseal() -> Value {
    let eseal = with(
        claims(),
        "consumer",
        json!({"authority": "etsi-en-319-412", "ID": "NTRSE-5560000001", "organizationName": "Exempel AB", "countryName": "SE"}),
    );
    let eseal = with(eseal, "client_amr", json!("QCForESeal"));
    with(eseal, "client_id", json!("eidas-1a2b3c"))
}

pub fn validation_document() -> Value {
    let key = issuer_key();
    let read = || requirements(&["test:scope.read"]);
    let valid = sign_rs256(&key, &header(), &claims());
    let (valid_input, _) = valid.rsplit_once('.').unwrap_or_default();
    let public_pem = key.to_public_key().to_public_key_pem(LineEnding::LF).unwrap_or_default();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(public_pem.as_bytes()).expect("HMAC takes any key");
    let hs_input = format!("{}.{}", b64(&json!({"kid": ISSUER_KID, "alg": "HS256"})), b64(&claims()));
    mac.update(hs_input.as_bytes());
    let hs256 = format!("{hs_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
    let other_key = rsa_key_from_seed(4);
    let delegated = with(
        with(claims(), "supplier", json!({"authority": "iso6523-actorid-upis", "ID": "0192:311000004"})),
        "consumer",
        json!({"authority": "iso6523-actorid-upis", "ID": "0192:312000008"}),
    );
    let delegated = with(delegated, "delegation_source", json!("https://www.altinn.no/"));
    let system_user = with(
        claims(),
        "authorization_details",
        json!([{"type": "urn:altinn:systemuser",
        "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:313000001"}, "systemuser_id": ["a1b2"], "system_id": "vendor_system"}]),
    );
    let cases = vec![
        ok("valid", valid.clone(), read(), Some("311000004"), None, &[]),
        ok(
            "valid_all_scopes",
            valid.clone(),
            with(requirements(&["test:scope.read", "test:scope.write"]), "scope_match", json!("all")),
            Some("311000004"),
            None,
            &[],
        ),
        ok(
            "valid_within_leeway_after_exp",
            sign_rs256(&key, &header(), &with(claims(), "exp", json!(NOW - 5))),
            read(),
            Some("311000004"),
            None,
            &[],
        ),
        ok("delegated", sign_rs256(&key, &header(), &delegated), read(), Some("312000008"), Some("311000004"), &[]),
        ok(
            "sub_unit_consumer",
            sign_rs256(
                &key,
                &header(),
                &with(
                    claims(),
                    "consumer",
                    json!({"authority": "iso6523-actorid-upis", "ID": "0192:991825827:ER//987464291:1"}),
                ),
            ),
            read(),
            Some("991825827"),
            None,
            &["ER//987464291", "1"],
        ),
        ok(
            "consumer_three_parts",
            sign_rs256(
                &key,
                &header(),
                &with(claims(), "consumer", json!({"authority": "iso6523-actorid-upis", "ID": "0192:991825827:ER"})),
            ),
            read(),
            Some("991825827"),
            None,
            &["ER"],
        ),
        ok(
            "audience_matches",
            sign_rs256(&key, &header(), &with(claims(), "aud", json!("https://api.example.no/"))),
            with(read(), "audience", json!("https://api.example.no/")),
            Some("311000004"),
            None,
            &[],
        ),
        ok("system_user", sign_rs256(&key, &header(), &system_user), read(), Some("311000004"), None, &[]),
        ok(
            "system_user_required",
            sign_rs256(&key, &header(), &system_user),
            with(read(), "system_user", json!({"org": "313000001", "system_id": "vendor_system"})),
            Some("311000004"),
            None,
            &[],
        ),
        bad(
            "system_user_other_org",
            sign_rs256(&key, &header(), &system_user),
            with(read(), "system_user", json!({"org": "312000008", "system_id": null})),
            "system_user_missing",
        ),
        bad(
            "system_user_absent",
            valid.clone(),
            with(read(), "system_user", json!({"org": null, "system_id": null})),
            "system_user_missing",
        ),
        ok(
            "consent_valid",
            sign_rs256(&key, &header(), &consent(NOW + 86_400, "0192:311000004")),
            consent_read(),
            Some("311000004"),
            None,
            &[],
        ),
        bad(
            "consent_expired",
            sign_rs256(&key, &header(), &consent(NOW - 1, "0192:311000004")),
            consent_read(),
            "consent_invalid",
        ),
        bad(
            "consent_to_another_org",
            sign_rs256(&key, &header(), &consent(NOW + 86_400, "0192:312000008")),
            consent_read(),
            "consent_invalid",
        ),
        bad("consent_absent", valid.clone(), consent_read(), "consent_invalid"),
        bad(
            "consent_other_id",
            sign_rs256(&key, &header(), &consent(NOW + 86_400, "0192:311000004")),
            with(read(), "consent", json!({"id": "00000000-0000-4000-8000-000000000000", "from": null})),
            "consent_invalid",
        ),
        bad("eseal_refused_by_default", sign_rs256(&key, &header(), &eseal()), read(), "consumer_not_allowed"),
        ok(
            "eseal_allowed",
            sign_rs256(&key, &header(), &eseal()),
            with(read(), "eseal_consumers", json!(true)),
            None,
            None,
            &[],
        ),
        ok(
            "consumer_allowed",
            valid.clone(),
            with(read(), "consumer_orgs", json!(["311000004"])),
            Some("311000004"),
            None,
            &[],
        ),
        bad("expired", sign_rs256(&key, &header(), &with(claims(), "exp", json!(NOW - 60))), read(), "token_expired"),
        bad(
            "not_yet_valid",
            sign_rs256(&key, &header(), &with(claims(), "iat", json!(NOW + 60))),
            read(),
            "token_not_yet_valid",
        ),
        bad(
            "wrong_issuer",
            sign_rs256(&key, &header(), &with(claims(), "iss", json!("https://maskinporten.no/"))),
            read(),
            "issuer_mismatch",
        ),
        bad(
            "issuer_without_slash",
            sign_rs256(&key, &header(), &with(claims(), "iss", json!("https://test.maskinporten.no"))),
            read(),
            "issuer_mismatch",
        ),
        bad(
            "wrong_audience",
            sign_rs256(&key, &header(), &with(claims(), "aud", json!("https://other.example.no/"))),
            with(read(), "audience", json!("https://api.example.no/")),
            "audience_mismatch",
        ),
        bad("missing_scope", valid.clone(), requirements(&["test:scope.admin"]), "insufficient_scope"),
        bad("nothing_required", valid.clone(), requirements(&[]), "invalid_requirements"),
        ok(
            "any_scope_unchecked",
            valid.clone(),
            with(requirements(&[]), "any_scope_unchecked", json!(true)),
            Some("311000004"),
            None,
            &[],
        ),
        ok(
            "audience_without_scope",
            sign_rs256(&key, &header(), &with(claims(), "aud", json!("https://api.example.no/"))),
            with(requirements(&[]), "audience", json!("https://api.example.no/")),
            Some("311000004"),
            None,
            &[],
        ),
        ok("bearer_scheme_any_case", format!("bearer {valid}"), read(), Some("311000004"), None, &[]),
        bad(
            "not_all_scopes",
            valid.clone(),
            with(requirements(&["test:scope.read", "test:scope.admin"]), "scope_match", json!("all")),
            "insufficient_scope",
        ),
        bad("pid_required", valid.clone(), with(read(), "require_pid", json!(true)), "pid_missing"),
        bad(
            "consumer_not_allowed",
            valid.clone(),
            with(read(), "consumer_orgs", json!(["312000008"])),
            "consumer_not_allowed",
        ),
        bad(
            "unknown_kid",
            sign_rs256(&key, &json!({"kid": "rotated-key", "alg": "RS256"}), &claims()),
            read(),
            "unknown_kid",
        ),
        bad(
            "alg_none",
            format!("{}.{}.", b64(&json!({"kid": ISSUER_KID, "alg": "none"})), b64(&claims())),
            read(),
            "algorithm_not_allowed",
        ),
        bad("hs256_with_public_key_as_secret", hs256, read(), "algorithm_not_allowed"),
        bad(
            "ps256",
            sign_rs256(&key, &json!({"kid": ISSUER_KID, "alg": "PS256"}), &claims()),
            read(),
            "algorithm_not_allowed",
        ),
        bad("signed_by_another_key", sign_rs256(&other_key, &header(), &claims()), read(), "signature_invalid"),
        bad(
            "tampered_claims",
            format!(
                "{}.{}.{}",
                b64(&header()),
                b64(&with(claims(), "scope", json!("test:scope.admin"))),
                valid.rsplit('.').next().unwrap_or_default()
            ),
            read(),
            "signature_invalid",
        ),
        bad("truncated", valid_input.to_string(), read(), "token_malformed"),
        bad("huge", format!("{}.{}.x", b64(&header()), "A".repeat(20_000)), read(), "token_too_large"),
        bad("malformed_base64", format!("{}.{}.{}", b64(&header()), "%%%", "x"), read(), "token_malformed"),
        bad(
            "malformed_header_json",
            format!("{}.{}.x", URL_SAFE_NO_PAD.encode("{\"alg\":"), b64(&claims())),
            read(),
            "token_malformed",
        ),
        bad("malformed_claims_json", sign_rs256(&key, &header(), &json!("not an object")), read(), "token_malformed"),
        bad(
            "wrong_token_type",
            sign_rs256(&key, &header(), &with(claims(), "token_type", json!("DPoP"))),
            read(),
            "wrong_token_type",
        ),
        bad(
            "consumer_id_one_part",
            sign_rs256(
                &key,
                &header(),
                &with(claims(), "consumer", json!({"authority": "iso6523-actorid-upis", "ID": "311000004"})),
            ),
            read(),
            "token_malformed",
        ),
    ];
    let jwks = jwks_document().to_string();
    for case in &cases {
        let outcome = crate::harness::run_validation_case(case, jwks.as_bytes());
        if let Err(difference) = crate::harness::check_validation_case(case, &outcome) {
            panic!("validation vector disagrees with the core: {difference}");
        }
    }
    let headers = header_cases();
    for case in headers.as_array().into_iter().flatten() {
        let read = maskinporten::bearer_token(case["authorization"].as_str());
        match (&read, case["expected_token"].as_str(), case["expected_error"].as_str()) {
            (Ok(token), Some(expected), None) if token == &expected => {}
            (Err(error), None, Some(kind)) if error.kind() == kind => {
                let rejection = maskinporten::Rejection::for_error(
                    error,
                    &maskinporten::Requirements::any_scope(["test:scope.read"]),
                );
                assert_eq!(u64::from(rejection.status()), case["expected_rejection"]["status"].as_u64().unwrap_or(0));
            }
            _ => panic!("header vector disagrees with the core: {case} gives {read:?}"),
        }
    }
    json!({"about": "Access-token validation: a Validator for the test issuer, fed keys/issuer.jwks.json, validates token at now with these requirements; a refused token is answered with expected_rejection (RFC 6750). headers: Authorization values read with bearer_token.", "issuer": ISSUER, "jwks_file": "keys/issuer.jwks.json", "cases": cases, "headers": headers})
}
