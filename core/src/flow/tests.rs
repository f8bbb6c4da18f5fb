//! The token flow's decisions, one scenario each.

use super::*;
use crate::{Client, Environment, Error, GrantOptions, Key};

const T0: i64 = 1_767_225_600_000;

fn client() -> Client {
    let p12 = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/client.p12")).unwrap();
    let key = Key::from_pkcs12(&p12, "vector-password", None).unwrap();
    Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::test()).unwrap()
}

fn token_body(token: &str, expires_in: i64) -> Vec<u8> {
    format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{expires_in}}}"#).into_bytes()
}

const MP100: &[u8] =
    br#"{"error":"invalid_grant","error_description":"Invalid assertion. Client authentication failed. (MP-100)"}"#;

struct Host {
    flow: TokenFlow,
    client: Client,
    options: GrantOptions,
}

impl Host {
    fn new(flow: TokenFlow) -> Host {
        Host { flow, client: client(), options: GrantOptions::new(["test:scope.read"]) }
    }

    fn call(&mut self, now_ms: i64) -> TokenCall {
        let key = self.client.cache_key(&self.options);
        self.flow.call(key, now_ms)
    }

    fn poll(&mut self, call: &mut TokenCall, now_ms: i64) -> TokenStep {
        self.flow.poll(call, &self.client, &self.options, now_ms)
    }

    fn answer(&mut self, call: &mut TokenCall, status: u16, body: &[u8], retry_after: Option<&str>, now_ms: i64) {
        let response = HttpResponse::new(status, body).with_retry_after(retry_after);
        self.flow.handle_response(call, &self.client, response, now_ms, 0.5);
    }

    /// Polls once and expects a Send; returns the request body.
    fn expect_send(&mut self, call: &mut TokenCall, now_ms: i64) -> (String, u32) {
        match self.poll(call, now_ms) {
            TokenStep::Send { request, attempt, timeout_at_ms } => {
                assert!(timeout_at_ms > now_ms);
                (request.body, attempt)
            }
            other => panic!("expected Send, got {other:?}"),
        }
    }

    fn expect_token(&mut self, call: &mut TokenCall, now_ms: i64) -> String {
        match self.poll(call, now_ms) {
            TokenStep::Token(token) => token.access_token().to_string(),
            other => panic!("expected Token, got {other:?}"),
        }
    }

    fn expect_fail(&mut self, call: &mut TokenCall, now_ms: i64) -> Error {
        match self.poll(call, now_ms) {
            TokenStep::Fail(error) => error,
            other => panic!("expected Fail, got {other:?}"),
        }
    }

    /// One caller gets a token at `now_ms` through one request answered `body`.
    fn fetch(&mut self, now_ms: i64, body: &[u8]) -> String {
        let mut call = self.call(now_ms);
        self.expect_send(&mut call, now_ms);
        self.answer(&mut call, 200, body, None, now_ms);
        self.expect_token(&mut call, now_ms)
    }

    fn events(&mut self) -> Vec<String> {
        std::iter::from_fn(|| self.flow.poll_event()).map(|e| e.name().to_string()).collect()
    }
}

#[test]
fn one_caller_fetches_then_hits() {
    let mut host = Host::new(TokenFlow::new().with_events(true));
    assert_eq!(host.fetch(T0, &token_body("a", 120)), "a");
    let mut again = host.call(T0 + 1_000);
    assert_eq!(host.expect_token(&mut again, T0 + 1_000), "a");
    let key = host.client.cache_key(&host.options);
    assert_eq!(host.flow.fresh(&key, T0 + 2_000).map(|t| t.access_token().to_string()).as_deref(), Some("a"));
    assert_eq!(host.events(), ["fetch_started", "fetch_succeeded", "cache_hit", "cache_hit"]);
}

#[test]
fn fresh_until_is_the_refresh_time_of_the_held_token_and_ends_with_a_reject() {
    let mut host = Host::new(TokenFlow::new());
    let key = host.client.cache_key(&host.options);
    let mut call = host.call(T0);
    host.expect_send(&mut call, T0);
    host.answer(&mut call, 200, &token_body("a", 120), None, T0);
    let TokenStep::Token(token) = host.poll(&mut call, T0) else { panic!("expected the token") };
    let until = host.flow.fresh_until_ms(&key, &token).unwrap();
    assert_eq!(until, T0 + 90_000, "120 s token, 30 s skew");
    assert!(host.flow.fresh(&key, until - 1).is_some());
    assert!(host.flow.fresh(&key, until).is_none(), "a memo and the flow agree at the boundary");
    let other = crate::AccessToken::new("b", 120, None, T0 / 1000);
    assert_eq!(host.flow.fresh_until_ms(&key, &other), None, "not the token held");
    host.flow.reject(&key, "a");
    assert_eq!(host.flow.fresh_until_ms(&key, &token), None);
}

#[test]
fn a_second_caller_waits_and_shares_the_fetch() {
    let mut host = Host::new(TokenFlow::new());
    let mut first = host.call(T0);
    let mut second = host.call(T0);
    host.expect_send(&mut first, T0);
    let generation = host.flow.generation();
    match host.poll(&mut second, T0) {
        TokenStep::Wait { until_ms } => assert_eq!(until_ms, T0 + 30_000, "until the second caller's deadline"),
        other => panic!("{other:?}"),
    }
    host.answer(&mut first, 200, &token_body("a", 120), None, T0 + 50);
    assert_ne!(host.flow.generation(), generation, "waiters must be woken");
    assert_eq!(host.expect_token(&mut first, T0 + 50), "a");
    assert_eq!(host.expect_token(&mut second, T0 + 50), "a");
}

#[test]
fn waiters_share_a_failure_instead_of_refetching() {
    let mut host = Host::new(TokenFlow::new());
    let mut first = host.call(T0);
    let mut second = host.call(T0);
    host.expect_send(&mut first, T0);
    assert!(matches!(host.poll(&mut second, T0), TokenStep::Wait { .. }));
    host.answer(&mut first, 400, MP100, None, T0 + 10);
    assert_eq!(host.expect_fail(&mut first, T0 + 10).mp_code(), Some("MP-100"));
    assert_eq!(host.expect_fail(&mut second, T0 + 10).mp_code(), Some("MP-100"));
    let mut later = host.call(T0 + 20);
    host.expect_send(&mut later, T0 + 20);
}

#[test]
fn retryable_errors_back_off_with_a_fresh_grant() {
    let mut host = Host::new(TokenFlow::new().with_events(true));
    let mut call = host.call(T0);
    let (first_body, attempt) = host.expect_send(&mut call, T0);
    assert_eq!(attempt, 1);
    host.answer(&mut call, 503, b"<html>busy</html>", None, T0 + 100);
    match host.poll(&mut call, T0 + 100) {
        TokenStep::Sleep { until_ms } => {
            assert_eq!(until_ms, T0 + 100 + 150, "half of 200 ms plus half of the rest at jitter 0.5")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(host.poll(&mut call, T0 + 200), TokenStep::Sleep { .. }), "still sleeping");
    let (second_body, attempt) = host.expect_send(&mut call, T0 + 250);
    assert_eq!(attempt, 2);
    assert_ne!(first_body, second_body, "each attempt signs a new grant (new jti)");
    host.answer(&mut call, 200, &token_body("a", 120), None, T0 + 300);
    assert_eq!(host.expect_token(&mut call, T0 + 300), "a");
    assert_eq!(host.events(), ["fetch_started", "retry_scheduled", "fetch_started", "fetch_succeeded"]);
}

#[test]
fn retry_after_is_honoured_when_longer_and_capped_by_the_deadline() {
    let mut host = Host::new(TokenFlow::new());
    let mut call = host.call(T0);
    host.expect_send(&mut call, T0);
    host.answer(&mut call, 429, b"", Some("3"), T0);
    assert!(matches!(host.poll(&mut call, T0), TokenStep::Sleep { until_ms } if until_ms == T0 + 3_000));
    host.expect_send(&mut call, T0 + 3_000);
    host.answer(&mut call, 503, b"", Some("Thu, 01 Jan 2026 00:01:00 GMT"), T0 + 3_000);
    let error = host.expect_fail(&mut call, T0 + 3_000);
    assert_eq!(
        (error.kind(), error.status()),
        (crate::ErrorKind::Unavailable, Some(503)),
        "60 s is past the 30 s deadline"
    );
}

#[test]
fn attempts_run_out() {
    let mut host = Host::new(TokenFlow::new().with_policy(RetryPolicy::default().with_max_attempts(2).unwrap()));
    let mut call = host.call(T0);
    host.expect_send(&mut call, T0);
    host.flow.handle_failure(&mut call, TransportFailure::Reset, "connection reset by peer", T0 + 5, 0.0);
    assert!(matches!(host.poll(&mut call, T0 + 5), TokenStep::Sleep { until_ms } if until_ms == T0 + 105));
    host.expect_send(&mut call, T0 + 105);
    host.flow.handle_failure(&mut call, TransportFailure::Timeout, "", T0 + 10_105, 0.0);
    let error = host.expect_fail(&mut call, T0 + 10_105);
    assert_eq!(error.kind(), crate::ErrorKind::Unavailable);
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[test]
fn refusals_are_not_retried() {
    let mut host = Host::new(TokenFlow::new());
    let mut call = host.call(T0);
    host.expect_send(&mut call, T0);
    host.answer(&mut call, 400, MP100, Some("1"), T0);
    assert_eq!(host.expect_fail(&mut call, T0).kind(), crate::ErrorKind::OauthError);
}

#[test]
fn a_refused_refresh_ahead_keeps_the_valid_token_until_expiry() {
    let mut host = Host::new(TokenFlow::new().with_events(true));
    host.fetch(T0, &token_body("a", 120));
    host.events();
    // Refresh window: 90 s after issue (30 s skew).
    let mut refresh = host.call(T0 + 95_000);
    let (_, attempt) = host.expect_send(&mut refresh, T0 + 95_000);
    assert_eq!(attempt, 1);
    let mut meanwhile = host.call(T0 + 95_500);
    assert_eq!(host.expect_token(&mut meanwhile, T0 + 95_500), "a", "others keep the valid token during the refresh");
    host.answer(&mut refresh, 400, MP100, None, T0 + 96_000);
    assert_eq!(host.expect_token(&mut refresh, T0 + 96_000), "a", "a failed refresh ahead never fails the caller");
    assert_eq!(host.events(), ["fetch_started", "refused", "refresh_ahead_failed"]);
    let mut later = host.call(T0 + 110_000);
    assert_eq!(host.expect_token(&mut later, T0 + 110_000), "a", "not retried before expiry");
    let mut after_expiry = host.call(T0 + 120_000);
    host.expect_send(&mut after_expiry, T0 + 120_000);
    host.answer(&mut after_expiry, 400, MP100, None, T0 + 120_100);
    assert_eq!(host.expect_fail(&mut after_expiry, T0 + 120_100).mp_code(), Some("MP-100"));
}

#[test]
fn a_retryable_refresh_failure_is_retried_after_the_back_off() {
    let mut host = Host::new(TokenFlow::new());
    host.fetch(T0, &token_body("a", 120));
    let mut refresh = host.call(T0 + 95_000);
    host.expect_send(&mut refresh, T0 + 95_000);
    host.answer(&mut refresh, 503, b"", Some("10"), T0 + 95_000);
    assert_eq!(host.expect_token(&mut refresh, T0 + 95_000), "a");
    let mut early = host.call(T0 + 104_000);
    assert_eq!(host.expect_token(&mut early, T0 + 104_000), "a", "Retry-After: 10 s");
    let mut retry = host.call(T0 + 105_000);
    host.expect_send(&mut retry, T0 + 105_000);
    host.answer(&mut retry, 200, &token_body("b", 120), None, T0 + 105_100);
    assert_eq!(host.expect_token(&mut retry, T0 + 105_100), "b");
}

#[test]
fn a_cancelled_fetch_lets_the_next_caller_fetch() {
    let mut host = Host::new(TokenFlow::new().with_events(true));
    let mut first = host.call(T0);
    let mut second = host.call(T0);
    host.expect_send(&mut first, T0);
    assert!(matches!(host.poll(&mut second, T0), TokenStep::Wait { .. }));
    let generation = host.flow.generation();
    host.flow.cancel(first);
    assert_ne!(host.flow.generation(), generation);
    host.expect_send(&mut second, T0 + 1);
    assert!(host.events().contains(&"fetch_cancelled".to_string()));
}

#[test]
fn a_rejected_token_is_dropped_once_and_many_401s_cause_one_fetch() {
    let mut host = Host::new(TokenFlow::new());
    host.fetch(T0, &token_body("a", 120));
    let key = host.client.cache_key(&host.options);
    let mut calls: Vec<TokenCall> = Vec::new();
    let mut rejected = 0;
    for _ in 0..20 {
        rejected += usize::from(host.flow.reject(&key, "a"));
        calls.push(host.call(T0 + 1_000));
    }
    assert_eq!(rejected, 1);
    let mut sends = 0;
    let mut fetcher = None;
    for (i, call) in calls.iter_mut().enumerate() {
        match host.poll(call, T0 + 1_000) {
            TokenStep::Send { .. } => {
                sends += 1;
                fetcher = Some(i);
            }
            TokenStep::Wait { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(sends, 1);
    let fetcher = fetcher.unwrap();
    host.answer(&mut calls[fetcher], 200, &token_body("b", 120), None, T0 + 1_100);
    for call in &mut calls {
        assert_eq!(host.expect_token(call, T0 + 1_100), "b");
    }
    assert!(!host.flow.reject(&key, "a"), "a late 401 for the old token keeps the new one");
}

#[test]
fn a_waiter_gives_up_at_its_deadline() {
    let mut host = Host::new(TokenFlow::new());
    let mut first = host.call(T0);
    host.expect_send(&mut first, T0);
    let mut second = host.call(T0 + 5_000);
    assert!(
        matches!(host.poll(&mut second, T0 + 5_000), TokenStep::Wait { until_ms } if until_ms == T0 + 31_000),
        "until the fetching call's lease ends"
    );
    let error = host.expect_fail(&mut second, T0 + 35_000);
    assert_eq!(error.kind(), crate::ErrorKind::Unavailable);
}

#[test]
fn now_must_be_milliseconds() {
    let mut host = Host::new(TokenFlow::new());
    let mut call = host.call(T0 / 1000);
    let error = host.expect_fail(&mut call, T0 / 1000);
    assert_eq!(error.kind(), crate::ErrorKind::InvalidNow);
    assert!(error.to_string().contains("milliseconds"));
}

#[test]
fn host_signing_and_signer_failures() {
    let mut host = Host::new(TokenFlow::new().with_host_signing(true));
    let mut call = host.call(T0);
    let grant = match host.poll(&mut call, T0) {
        TokenStep::Sign { grant, attempt: 1 } => grant,
        other => panic!("{other:?}"),
    };
    let signature = host.client.key().sign(grant.algorithm(), grant.signing_input().as_bytes()).unwrap();
    host.flow.handle_signature(&mut call, &host.client, &signature, T0);
    let (body, _) = host.expect_send(&mut call, T0);
    assert!(body.contains(grant.signing_input()));
    host.answer(&mut call, 200, &token_body("a", 60), None, T0);
    assert_eq!(host.expect_token(&mut call, T0), "a");

    let mut host = Host::new(TokenFlow::new().with_host_signing(true));
    let mut call = host.call(T0);
    assert!(matches!(host.poll(&mut call, T0), TokenStep::Sign { .. }));
    host.flow.handle_signature(&mut call, &host.client, &[7; 256], T0);
    assert_eq!(host.expect_fail(&mut call, T0).kind(), crate::ErrorKind::InvalidSignature);

    let mut host = Host::new(TokenFlow::new().with_host_signing(true));
    let mut call = host.call(T0);
    assert!(matches!(host.poll(&mut call, T0), TokenStep::Sign { .. }));
    host.flow.handle_signer_failure(&mut call, "HSM offline", T0);
    assert_eq!(host.expect_fail(&mut call, T0).kind(), crate::ErrorKind::SignerFailed);
}

#[test]
fn polling_out_of_order_is_an_error_not_a_hang() {
    let mut host = Host::new(TokenFlow::new());
    let mut call = host.call(T0);
    host.expect_send(&mut call, T0);
    assert_eq!(host.expect_fail(&mut call, T0).field(), Some("call"));
    host.answer(&mut call, 200, &token_body("a", 120), None, T0);
    assert_eq!(host.expect_token(&mut call, T0), "a", "the call goes on once the answer is reported");
    assert_eq!(host.expect_fail(&mut call, T0).field(), Some("call"), "an ended call");
}

#[test]
fn events_carry_no_token() {
    let mut host = Host::new(TokenFlow::new().with_events(true));
    host.fetch(T0, &token_body("secret-token-value", 120));
    let key = host.client.cache_key(&host.options);
    host.flow.reject(&key, "secret-token-value");
    while let Some(event) = host.flow.poll_event() {
        for text in [event.to_string(), event.to_json(), format!("{event:?}")] {
            assert!(!text.contains("secret-token-value"), "{text}");
        }
    }
}

mod exchange {
    use super::*;
    use crate::{AltinnExchange, AltinnPlatform};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn altinn_jwt(name: &str, exp_s: i64) -> Vec<u8> {
        let claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp_s},"name":"{name}"}}"#));
        format!("eyJhbGciOiJSUzI1NiJ9.{claims}.c2ln").into_bytes()
    }

    fn exchange() -> AltinnExchange {
        AltinnExchange::new(AltinnPlatform::tt02())
    }

    fn exchanged(host: &mut Host, now_ms: i64) -> TokenCall {
        let key = host.client.cache_key(&host.options);
        host.flow.call_exchanged(key, &exchange(), now_ms)
    }

    fn expect_request(host: &mut Host, call: &mut TokenCall, now_ms: i64) -> crate::HttpRequest {
        match host.poll(call, now_ms) {
            TokenStep::Send { request, .. } => request,
            other => panic!("expected Send, got {other:?}"),
        }
    }

    #[test]
    fn both_stages_then_the_cache() {
        let mut host = Host::new(TokenFlow::new());
        let mut call = exchanged(&mut host, T0);
        let first = expect_request(&mut host, &mut call, T0);
        assert_eq!(first.url, "https://test.maskinporten.no/token", "the Maskinporten token first");
        host.answer(&mut call, 200, &token_body("mp-1", 120), None, T0);
        let second = expect_request(&mut host, &mut call, T0);
        assert!(second.url.ends_with("/authentication/api/v1/exchange/maskinporten"));
        assert_eq!(second.header("authorization"), Some("Bearer mp-1"));
        host.answer(&mut call, 200, &altinn_jwt("a1", T0 / 1000 + 1800), None, T0 + 10);
        let altinn = host.expect_token(&mut call, T0 + 10);
        assert!(altinn.starts_with("eyJ"));

        let mut again = exchanged(&mut host, T0 + 1000);
        assert_eq!(host.expect_token(&mut again, T0 + 1000), altinn, "cached for its own lifetime");
        let mut plain = host.call(T0 + 1000);
        assert_eq!(host.expect_token(&mut plain, T0 + 1000), "mp-1", "the inner token is shared with its own callers");
    }

    #[test]
    fn an_altinn_token_outlives_its_maskinporten_token_and_is_refreshed_with_a_new_one() {
        let mut host = Host::new(TokenFlow::new());
        let mut call = exchanged(&mut host, T0);
        expect_request(&mut host, &mut call, T0);
        host.answer(&mut call, 200, &token_body("mp-1", 120), None, T0);
        expect_request(&mut host, &mut call, T0);
        host.answer(&mut call, 200, &altinn_jwt("a1", T0 / 1000 + 600), None, T0);
        host.expect_token(&mut call, T0);
        // At 10 minutes the Altinn token is due; the Maskinporten token expired long ago.
        let later = T0 + 580_000;
        let mut refresh = exchanged(&mut host, later);
        assert_eq!(expect_request(&mut host, &mut refresh, later).url, "https://test.maskinporten.no/token");
        host.answer(&mut refresh, 200, &token_body("mp-2", 120), None, later);
        assert_eq!(expect_request(&mut host, &mut refresh, later).header("authorization"), Some("Bearer mp-2"));
    }

    #[test]
    fn a_401_from_altinn_renews_the_maskinporten_token_once() {
        let mut host = Host::new(TokenFlow::new());
        host.fetch(T0, &token_body("mp-stale", 120));
        let mut call = exchanged(&mut host, T0 + 1000);
        assert_eq!(expect_request(&mut host, &mut call, T0 + 1000).header("authorization"), Some("Bearer mp-stale"));
        host.answer(&mut call, 401, b"", None, T0 + 1000);
        assert_eq!(expect_request(&mut host, &mut call, T0 + 1000).url, "https://test.maskinporten.no/token");
        host.answer(&mut call, 200, &token_body("mp-new", 120), None, T0 + 1000);
        assert_eq!(expect_request(&mut host, &mut call, T0 + 1000).header("authorization"), Some("Bearer mp-new"));
        host.answer(&mut call, 401, b"", None, T0 + 1000);
        assert_eq!(host.expect_fail(&mut call, T0 + 1000).kind(), crate::ErrorKind::AltinnTokenRejected, "only once");
    }

    #[test]
    fn exchange_outages_are_retried_and_refusals_are_typed() {
        let mut host = Host::new(TokenFlow::new());
        host.fetch(T0, &token_body("mp-1", 120));
        let mut call = exchanged(&mut host, T0);
        expect_request(&mut host, &mut call, T0);
        host.answer(&mut call, 503, b"", Some("1"), T0);
        assert!(matches!(host.poll(&mut call, T0), TokenStep::Sleep { until_ms } if until_ms == T0 + 1000));
        expect_request(&mut host, &mut call, T0 + 1000);
        host.answer(&mut call, 403, b"", None, T0 + 1000);
        assert_eq!(host.expect_fail(&mut call, T0 + 1000).kind(), crate::ErrorKind::AltinnForbidden);
    }

    #[test]
    fn a_cancelled_exchange_call_releases_the_inner_fetch() {
        let mut host = Host::new(TokenFlow::new());
        let mut call = exchanged(&mut host, T0);
        expect_request(&mut host, &mut call, T0);
        host.flow.cancel(call);
        let mut plain = host.call(T0);
        host.expect_send(&mut plain, T0);
    }
}

mod shared;
