//! Flow vectors: scripted scenarios (a clock, callers, the answers a scripted transport gives)
//! and what every caller gets, for the token flow and the validation flow. Each language runs
//! them through its real provider and validator with a fake clock, a fake sleep, a fixed jitter
//! and a scripted transport (see `tests/vectors/README.md`).

use crate::keys::rsa_key_from_seed;
use crate::validation::{expected_rejection, jwks_document, ISSUER, ISSUER_KID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};

/// Thu, 01 Jan 2026 00:00:00 GMT, in Unix milliseconds.
pub const START_MS: i64 = 1_767_225_600_000;
/// The rotated issuer key's `kid`.
pub const ROTATED_KID: &str = "mp-vector-issuer-2";
pub(crate) const SCOPE: &str = "test:scope.read";
const MP100: &str =
    r#"{"error":"invalid_grant","error_description":"Invalid assertion. Client authentication failed. (MP-100)"}"#;

fn token_body(token: &str, expires_in: i64) -> String {
    format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{expires_in},"scope":"{SCOPE}"}}"#)
}

pub(crate) fn ok(token: &str, expires_in: i64) -> Value {
    json!({"status": 200, "content_type": "application/json", "body": token_body(token, expires_in)})
}

pub(crate) fn answer(status: u16, content_type: Option<&str>, body: &str, retry_after: Option<&str>) -> Value {
    json!({"status": status, "content_type": content_type, "body": body, "retry_after": retry_after})
}

pub(crate) fn failure(kind: &str) -> Value {
    json!({"failure": kind})
}

pub(crate) fn token_result(token: &str) -> Value {
    json!({"token": token})
}

pub(crate) fn error_result(kind: &str, status: Option<u16>, mp_code: Option<&str>) -> Value {
    json!({"error": kind, "status": status, "mp_code": mp_code})
}

/// One phase: at `at_ms` after the start, `callers` callers ask at once (each first reporting a
/// 401 for `reject`, when given); the transport gives `answers` in order; `requests` token
/// requests are sent, the provider sleeps `sleeps_ms` (in order), every caller gets `result`.
fn phase(
    at_ms: i64,
    callers: u32,
    reject: Option<&str>,
    answers: Vec<Value>,
    sleeps_ms: &[i64],
    result: Value,
) -> Value {
    let requests = answers.len();
    json!({"at_ms": at_ms, "callers": callers, "reject": reject, "answers": answers,
           "expect": {"requests": requests, "sleeps_ms": sleeps_ms, "result": result}})
}

pub(crate) fn scenario(name: &str, about: &str, phases: Vec<Value>) -> Value {
    json!({"name": name, "about": about, "policy": null, "phases": phases})
}

fn token_scenarios() -> Vec<Value> {
    let fetch_a = || phase(0, 1, None, vec![ok("tok-a", 120)], &[], token_result("tok-a"));
    vec![
        scenario("fetch_once", "one caller, one request", vec![fetch_a()]),
        scenario(
            "cache_hit",
            "a fresh token is served without a request",
            vec![fetch_a(), phase(60_000, 1, None, vec![], &[], token_result("tok-a"))],
        ),
        scenario(
            "retry_503_then_200",
            "a 503 is retried after the back-off (attempt 1: 100..200 ms, jitter 0.5: 150 ms) with a fresh grant",
            vec![phase(
                0,
                1,
                None,
                vec![answer(503, Some("text/html"), "<html><body>Service Unavailable</body></html>", None), ok("tok-a", 120)],
                &[150],
                token_result("tok-a"),
            )],
        ),
        scenario(
            "retry_after_seconds",
            "Retry-After (seconds) longer than the back-off is honoured",
            vec![phase(0, 1, None, vec![answer(503, None, "", Some("2")), ok("tok-a", 120)], &[2_000], token_result("tok-a"))],
        ),
        scenario(
            "retry_after_http_date_429",
            "a 429 with Retry-After as an HTTP-date three seconds ahead",
            vec![phase(
                0,
                1,
                None,
                vec![answer(429, None, "", Some("Thu, 01 Jan 2026 00:00:03 GMT")), ok("tok-a", 120)],
                &[3_000],
                token_result("tok-a"),
            )],
        ),
        scenario(
            "retry_after_beyond_deadline",
            "a Retry-After past the call's 30 s deadline ends the call with the error",
            vec![phase(0, 1, None, vec![answer(503, None, "", Some("60"))], &[], error_result("unavailable", Some(503), None))],
        ),
        scenario(
            "html_from_proxy",
            "a proxy's 502 HTML page is retryable",
            vec![phase(
                0,
                1,
                None,
                vec![answer(502, Some("text/html"), "<!DOCTYPE html><html><title>502 Bad Gateway</title></html>", None), ok("tok-a", 120)],
                &[150],
                token_result("tok-a"),
            )],
        ),
        scenario(
            "connection_reset",
            "a reset connection is retried",
            vec![phase(0, 1, None, vec![failure("reset"), ok("tok-a", 120)], &[150], token_result("tok-a"))],
        ),
        scenario(
            "timeout",
            "a timed-out attempt is retried",
            vec![phase(0, 1, None, vec![failure("timeout"), ok("tok-a", 120)], &[150], token_result("tok-a"))],
        ),
        scenario(
            "attempts_exhausted",
            "four attempts, back-offs 150, 300, 600 ms, then the last error",
            vec![phase(
                0,
                1,
                None,
                vec![
                    answer(503, None, "", None),
                    answer(503, None, "", None),
                    answer(503, None, "", None),
                    answer(503, None, "", None),
                ],
                &[150, 300, 600],
                error_result("unavailable", Some(503), None),
            )],
        ),
        scenario(
            "refused_not_retried",
            "an OAuth refusal (MP-100) is not retried",
            vec![phase(0, 1, None, vec![answer(400, Some("application/json"), MP100, None)], &[], error_result("oauth_error", Some(400), Some("MP-100")))],
        ),
        scenario(
            "malformed_success_not_retried",
            "a 200 that is not a token response is not retried",
            vec![phase(0, 1, None, vec![answer(200, Some("application/json"), "{\"access_token\":", None)], &[], error_result("malformed_response", Some(200), None))],
        ),
        scenario(
            "refresh_ahead_refused",
            "a refusal during the refresh ahead of expiry keeps the valid token, is not retried before expiry, and the first caller after expiry gets the error",
            vec![
                fetch_a(),
                phase(95_000, 1, None, vec![answer(400, Some("application/json"), MP100, None)], &[], token_result("tok-a")),
                phase(110_000, 1, None, vec![], &[], token_result("tok-a")),
                phase(120_000, 1, None, vec![answer(400, Some("application/json"), MP100, None)], &[], error_result("oauth_error", Some(400), Some("MP-100"))),
            ],
        ),
        scenario(
            "refresh_ahead_retryable",
            "a retryable failure during the refresh ahead keeps the valid token and is tried again after the back-off (here Retry-After: 10)",
            vec![
                fetch_a(),
                phase(95_000, 1, None, vec![answer(503, None, "", Some("10"))], &[], token_result("tok-a")),
                phase(100_000, 1, None, vec![], &[], token_result("tok-a")),
                phase(106_000, 1, None, vec![ok("tok-b", 120)], &[], token_result("tok-b")),
            ],
        ),
        scenario(
            "concurrent_callers_one_fetch",
            "twenty callers at once cause one request",
            vec![phase(0, 20, None, vec![ok("tok-a", 120)], &[], token_result("tok-a"))],
        ),
        scenario(
            "api_401_twenty_callers",
            "twenty callers report the same 401 and ask again: one request, everyone gets the new token",
            vec![fetch_a(), phase(10_000, 20, Some("tok-a"), vec![ok("tok-b", 120)], &[], token_result("tok-b"))],
        ),
        scenario(
            "stale_401_keeps_the_new_token",
            "a 401 for a token already replaced does not drop the new one",
            vec![
                fetch_a(),
                phase(10_000, 1, Some("tok-a"), vec![ok("tok-b", 120)], &[], token_result("tok-b")),
                phase(11_000, 1, Some("tok-a"), vec![], &[], token_result("tok-b")),
            ],
        ),
    ]
}

fn rotated_key() -> RsaPrivateKey {
    rsa_key_from_seed(6)
}

fn jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    let public = key.to_public_key();
    json!({"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()), "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())})
}

fn access_token(key: &RsaPrivateKey, kid: &str, scope: &str) -> String {
    let start = START_MS / 1000;
    let header = json!({"kid": kid, "alg": "RS256"});
    let claims = json!({
        "iss": ISSUER, "client_amr": "virksomhetssertifikat", "token_type": "Bearer",
        "client_id": "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", "scope": scope,
        "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:311000004"},
        // Long-lived, so that phases a day apart still see a token within its time.
        "iat": start, "exp": start + 200_000, "jti": format!("flow-{kid}"),
    });
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = SigningKey::<sha2::Sha256>::new(key.clone()).sign(input.as_bytes()).to_vec();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn jwks_answer(body: &Value) -> Value {
    json!({"status": 200, "content_type": "application/json", "body": body.to_string()})
}

fn check(token: &str, answers: Vec<Value>, at_ms: i64, callers: u32, result: Value) -> Value {
    let requests = answers.len();
    json!({"at_ms": at_ms, "callers": callers, "token": token, "requirements": {"scopes": [SCOPE]},
           "answers": answers, "expect": {"requests": requests, "result": result}})
}

fn valid() -> Value {
    json!({"valid": {"consumer_org": "311000004"}})
}

fn refused(kind: &str) -> Value {
    let rejection = expected_rejection(kind, &json!({"scopes": [SCOPE]}));
    json!({"error": kind, "rejection": rejection})
}

fn validation_scenarios() -> Vec<Value> {
    let issuer = rsa_key_from_seed(5);
    let jwks = jwks_document();
    let both = json!({"keys": [jwks["keys"][0].clone(), jwk(&rotated_key(), ROTATED_KID)]});
    let token = access_token(&issuer, ISSUER_KID, SCOPE);
    let rotated = access_token(&rotated_key(), ROTATED_KID, SCOPE);
    let made_up = access_token(&rotated_key(), "made-up-kid", SCOPE);
    let other_api = access_token(&issuer, ISSUER_KID, "other:api");
    let day_ms = 86_400_000;
    vec![
        scenario("jwks_first_use", "the first validation fetches the JWKS", vec![check(&token, vec![jwks_answer(&jwks)], 0, 1, valid())]),
        scenario(
            "jwks_concurrent_first_use",
            "ten requests at once fetch the JWKS once",
            vec![check(&token, vec![jwks_answer(&jwks)], 0, 10, valid())],
        ),
        scenario(
            "jwks_outage_first_use",
            "the issuer unreachable while no keys are held is the retryable unavailable (503); no new fetch before the minimum refetch interval (60 s)",
            vec![
                check(&token, vec![failure("connect")], 0, 1, refused("unavailable")),
                check(&token, vec![], 30_000, 1, refused("unavailable")),
                check(&token, vec![jwks_answer(&jwks)], 61_000, 1, valid()),
            ],
        ),
        scenario(
            "jwks_5xx_first_use",
            "a 503 from the JWKS endpoint on first use",
            vec![check(&token, vec![answer(503, Some("text/html"), "<html>down</html>", None)], 0, 1, refused("unavailable"))],
        ),
        scenario(
            "unknown_kid_after_rotation",
            "a token signed with a new key refetches the JWKS once; a made-up kid right after is refused without a fetch",
            vec![
                check(&token, vec![jwks_answer(&jwks)], 0, 1, valid()),
                check(&rotated, vec![jwks_answer(&both)], 120_000, 1, valid()),
                check(&made_up, vec![], 130_000, 1, refused("unknown_kid")),
            ],
        ),
        scenario(
            "stale_jwks_refetched",
            "keys older than 24 h are fetched again",
            vec![check(&token, vec![jwks_answer(&jwks)], 0, 1, valid()), check(&token, vec![jwks_answer(&jwks)], day_ms, 1, valid())],
        ),
        scenario(
            "outage_keeps_held_keys",
            "a failed refetch of a stale JWKS keeps the held keys in use",
            vec![check(&token, vec![jwks_answer(&jwks)], 0, 1, valid()), check(&token, vec![failure("timeout")], day_ms, 1, valid())],
        ),
        scenario(
            "wrong_scope",
            "a valid token for another API is 403 insufficient_scope",
            vec![check(&other_api, vec![jwks_answer(&jwks)], 0, 1, refused("insufficient_scope"))],
        ),
    ]
}

/// The whole `flows.json` document.
pub fn flows_document() -> Value {
    json!({
        "about": "Flow scenarios. Token: a client (keys/client.p12, client_id 5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d, environment test) asks for scope test:scope.read through the real provider, with the default retry policy, jitter 0.5, a clock starting at start_ms (advanced by each phase's at_ms and by the provider's sleeps) and a scripted transport. Exchange: the same provider asks for Altinn tokens (altinn: TT02, test organisation), each phase listing the requests it sends. Validation: a validator for the test issuer with default settings validates token with requirements through its real JWKS fetching. See tests/vectors/README.md.",
        "start_ms": START_MS,
        "jitter": 0.5,
        "client": {"key": {"type": "pkcs12", "file": "keys/client.p12", "password": crate::keys::P12_PASSWORD, "alias": null},
                   "client_id": "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", "environment": "test", "scopes": [SCOPE]},
        "token_scenarios": token_scenarios(),
        "validation_scenarios": validation_scenarios(),
        "altinn": crate::exchange_flows::altinn_config(),
        "exchange_scenarios": crate::exchange_flows::exchange_scenarios(),
    })
}
