//! Flow vectors for Altinn tokens: the Maskinporten token exchanged at Altinn's platform, as the
//! second stage of the same token flow (`TokenFlow::call_exchanged`). Each request a phase sends
//! is listed in `expect.sent`: `"token"` for a Maskinporten token request, `"exchange <token>"`
//! for the exchange carrying that Maskinporten access token as bearer.

use crate::flows::{answer, error_result, failure, ok, scenario, token_result, SCOPE, START_MS};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

/// The exchange every scenario asks for: TT02, for Altinn's test organisation.
pub fn altinn_config() -> Value {
    json!({
        "platform": "tt02",
        "test_org": true,
        "url": "https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten?test=true",
    })
}

/// An Altinn token as the exchange answers it: a JWT (not verified by a client) whose own `exp`
/// says when it expires, `exp_s` seconds after the document's start. `name` tells tokens apart.
pub fn altinn_token(name: &str, exp_s: i64) -> String {
    let start = START_MS / 1000;
    let header = json!({"alg": "RS256", "typ": "JWT"});
    let claims = json!({
        "urn:altinn:orgNumber": "311000004",
        "urn:altinn:authenticatemethod": "maskinporten",
        "urn:altinn:authlevel": 3,
        "scope": SCOPE,
        "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:311000004"},
        "iss": "https://platform.tt02.altinn.no/authentication/api/v1/openid/",
        "jti": name,
        "iat": start,
        "exp": start + exp_s,
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(format!("signature-of-{name}"))
    )
}

fn exchanged(token: &str) -> Value {
    json!({"status": 200, "content_type": "text/plain; charset=utf-8", "body": token})
}

fn status(code: u16) -> Value {
    answer(code, Some("application/problem+json"), r#"{"title":"refused","status":0}"#, None)
}

/// One phase (see [`crate::flows`]'s `phase`), with the requests it sends in order.
fn phase(
    at_ms: i64,
    callers: u32,
    reject: Option<&str>,
    answers: Vec<Value>,
    sent: &[&str],
    sleeps_ms: &[i64],
    result: Value,
) -> Value {
    assert_eq!(answers.len(), sent.len(), "one answer per request sent");
    json!({"at_ms": at_ms, "callers": callers, "reject": reject, "answers": answers,
           "expect": {"requests": sent.len(), "sent": sent, "sleeps_ms": sleeps_ms, "result": result}})
}

const MP100: &str =
    r#"{"error":"invalid_grant","error_description":"Invalid assertion. Client authentication failed. (MP-100)"}"#;

/// The exchange scenarios.
pub fn exchange_scenarios() -> Vec<Value> {
    let a = altinn_token("altinn-a", 1_800);
    let b = altinn_token("altinn-b", 3_600);
    let short = altinn_token("altinn-short", 60);
    let first_use = |token: &str| {
        phase(
            0,
            1,
            None,
            vec![ok("tok-a", 120), exchanged(token)],
            &["token", "exchange tok-a"],
            &[],
            token_result(token),
        )
    };
    vec![
        scenario(
            "exchange_first_use",
            "the first call fetches a Maskinporten token, then exchanges it",
            vec![first_use(&a)],
        ),
        scenario(
            "exchange_cached",
            "the Altinn token is served from the cache until its own exp, even after the Maskinporten token expired",
            vec![first_use(&a), phase(600_000, 1, None, vec![], &[], &[], token_result(&a))],
        ),
        scenario(
            "exchange_concurrent_callers",
            "ten callers at once: one token request, one exchange",
            vec![phase(
                0,
                10,
                None,
                vec![ok("tok-a", 120), exchanged(&a)],
                &["token", "exchange tok-a"],
                &[],
                token_result(&a),
            )],
        ),
        scenario(
            "exchange_expired_refreshed",
            "an expired Altinn token is exchanged again with the still-fresh Maskinporten token",
            vec![
                first_use(&short),
                phase(65_000, 1, None, vec![exchanged(&b)], &["exchange tok-a"], &[], token_result(&b)),
            ],
        ),
        scenario(
            "exchange_both_due",
            "when both tokens have expired, a new Maskinporten token is fetched, then exchanged",
            vec![
                first_use(&a),
                phase(
                    1_800_000,
                    1,
                    None,
                    vec![ok("tok-b", 120), exchanged(&b)],
                    &["token", "exchange tok-b"],
                    &[],
                    token_result(&b),
                ),
            ],
        ),
        scenario(
            "exchange_401_renews_maskinporten_token",
            "Altinn refuses the Maskinporten token (401): it is dropped, a new one is fetched and exchanged once",
            vec![phase(
                0,
                1,
                None,
                vec![ok("tok-a", 120), status(401), ok("tok-b", 120), exchanged(&a)],
                &["token", "exchange tok-a", "token", "exchange tok-b"],
                &[],
                token_result(&a),
            )],
        ),
        scenario(
            "exchange_401_twice",
            "a second 401 with the new Maskinporten token is the typed altinn_token_rejected",
            vec![phase(
                0,
                1,
                None,
                vec![ok("tok-a", 120), status(401), ok("tok-b", 120), status(401)],
                &["token", "exchange tok-a", "token", "exchange tok-b"],
                &[],
                error_result("altinn_token_rejected", Some(401), None),
            )],
        ),
        scenario(
            "exchange_503_retried",
            "a 503 from the exchange is retried after the back-off with the same Maskinporten token",
            vec![phase(
                0,
                1,
                None,
                vec![ok("tok-a", 120), answer(503, Some("text/plain"), "Service Unavailable", None), exchanged(&a)],
                &["token", "exchange tok-a", "exchange tok-a"],
                &[150],
                token_result(&a),
            )],
        ),
        scenario(
            "exchange_reset_retried",
            "a reset connection during the exchange is retried",
            vec![phase(
                0,
                1,
                None,
                vec![ok("tok-a", 120), failure("reset"), exchanged(&a)],
                &["token", "exchange tok-a", "exchange tok-a"],
                &[150],
                token_result(&a),
            )],
        ),
        scenario(
            "exchange_403_typed",
            "a 403 is the typed altinn_forbidden, not retried",
            vec![phase(
                0,
                1,
                None,
                vec![ok("tok-a", 120), status(403)],
                &["token", "exchange tok-a"],
                &[],
                error_result("altinn_forbidden", Some(403), None),
            )],
        ),
        scenario(
            "exchange_410_typed",
            "a 410 (the retired enterprise-user header) is altinn_exchange_invalid",
            vec![phase(
                0,
                1,
                None,
                vec![ok("tok-a", 120), status(410)],
                &["token", "exchange tok-a"],
                &[],
                error_result("altinn_exchange_invalid", Some(410), None),
            )],
        ),
        scenario(
            "exchange_maskinporten_refused",
            "a refusal of the Maskinporten token request reaches the caller as is",
            vec![phase(
                0,
                1,
                None,
                vec![answer(400, Some("application/json"), MP100, None)],
                &["token"],
                &[],
                error_result("oauth_error", Some(400), Some("MP-100")),
            )],
        ),
        scenario(
            "exchange_api_401",
            "three callers report an API's 401 for the Altinn token: one exchange with the cached Maskinporten token",
            vec![
                first_use(&a),
                phase(10_000, 3, Some(&a), vec![exchanged(&b)], &["exchange tok-a"], &[], token_result(&b)),
            ],
        ),
    ]
}
