//! What a fetching call does: look up, build and send, and decide after success or failure.

use super::{CallState, Entry, Fetch, Lease, Phase, TokenCall, TokenFlow, TokenStep, LEASE_GRACE_MS};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::flow::events::FlowEvent;
use crate::grant::PreparedGrant;
use crate::options::GrantOptions;
use crate::request::TokenRequest;
use crate::response::AccessToken;

impl TokenFlow {
    pub(super) fn lookup(&mut self, call: &mut TokenCall, waited_on: Option<u64>, now_ms: i64) -> Option<TokenStep> {
        let now_s = now_ms.div_euclid(1000);
        let skew = self.refresh_skew_s;
        let entry = self.entries.entry(call.key.clone()).or_default();
        if let Some(token) = entry.token.as_ref().filter(|t| t.is_fresh(now_s, skew)) {
            let token = token.clone();
            self.emit(|| FlowEvent::CacheHit { key: call.key.label().to_string() });
            return Some(self.finish(call, Ok(token)));
        }
        let valid = entry.token.as_ref().filter(|t| !t.is_expired(now_s)).cloned();
        if valid.is_none() {
            if let (Some(waited), Some((failed_call, error))) = (waited_on, &entry.failed) {
                if waited == *failed_call {
                    let error = error.clone();
                    return Some(self.finish(call, Err(error)));
                }
            }
        }
        if let Some(lease) = entry.lease.filter(|lease| lease.until_ms > now_ms && lease.call != call.id) {
            if let Some(token) = valid {
                return Some(self.finish(call, Ok(token)));
            }
            if now_ms >= call.deadline_ms {
                let error = Error::unavailable(format!(
                    "no token within {} ms: another caller's token request is still running",
                    self.policy.deadline_ms()
                ));
                return Some(self.finish(call, Err(error)));
            }
            call.state = CallState::Lookup { waited_on: Some(lease.call) };
            return Some(TokenStep::Wait { until_ms: lease.until_ms.min(call.deadline_ms) });
        }
        let lease_until = match &valid {
            Some(token) if now_ms < entry.refresh_not_before_ms => {
                let token = token.clone();
                return Some(self.finish(call, Ok(token)));
            }
            Some(_) => now_ms.saturating_add(self.policy.attempt_timeout_ms()).saturating_add(LEASE_GRACE_MS),
            None if now_ms >= call.deadline_ms => {
                let error = Error::unavailable(format!("no token within {} ms", self.policy.deadline_ms()));
                return Some(self.finish(call, Err(error)));
            }
            None => call.deadline_ms.saturating_add(LEASE_GRACE_MS),
        };
        entry.lease = Some(Lease { call: call.id, until_ms: lease_until });
        call.state = CallState::Fetching(Fetch { attempt: 1, inner: false, current: valid, phase: Phase::Build });
        None
    }

    /// The attempt's request (or grant to sign); `None` when building failed and the call's state
    /// says what follows.
    pub(super) fn build(
        &mut self,
        call: &mut TokenCall,
        client: &Client,
        options: &GrantOptions,
        now_ms: i64,
    ) -> Option<TokenStep> {
        let now_s = now_ms.div_euclid(1000);
        let CallState::Fetching(fetch) = &mut call.state else { unreachable!("build runs while fetching") };
        let host_signs = self.host_signing || client.key().signing_key().is_none();
        if host_signs {
            return match client.prepare_grant(options, now_s, None) {
                Ok(grant) => {
                    fetch.phase = Phase::Signing(grant.clone());
                    Some(TokenStep::Sign { grant, attempt: fetch.attempt })
                }
                Err(error) => {
                    self.attempt_failed(call, error, None, now_ms, 0.5);
                    None
                }
            };
        }
        match client.token_request(options, now_s, None) {
            Ok(request) => Some(self.send(call, request, now_ms)),
            Err(error) => {
                self.attempt_failed(call, error, None, now_ms, 0.5);
                None
            }
        }
    }

    pub(super) fn send(&mut self, call: &mut TokenCall, request: TokenRequest, now_ms: i64) -> TokenStep {
        let CallState::Fetching(fetch) = &mut call.state else { unreachable!("send runs while fetching") };
        let timeout_at_ms = now_ms.saturating_add(self.policy.attempt_timeout_ms()).min(match fetch.current {
            Some(_) => i64::MAX,
            None => call.deadline_ms,
        });
        fetch.phase = Phase::Sending { url: request.url.clone(), sent_ms: now_ms };
        let (attempt, refresh_ahead) = (fetch.attempt, fetch.current.is_some());
        self.emit(|| FlowEvent::FetchStarted { key: call.key.label().to_string(), attempt, refresh_ahead });
        TokenStep::Send { request, attempt, timeout_at_ms }
    }

    pub(super) fn signed(
        &mut self,
        call: &mut TokenCall,
        client: &Client,
        now_ms: i64,
        finish: impl FnOnce(PreparedGrant) -> Result<String>,
    ) {
        let CallState::Fetching(fetch) = &mut call.state else { return };
        if !matches!(fetch.phase, Phase::Signing(_)) {
            return;
        }
        let Phase::Signing(grant) = std::mem::replace(&mut fetch.phase, Phase::Build) else { unreachable!("checked") };
        match finish(grant) {
            Ok(jwt) => fetch.phase = Phase::Signed(client.token_request_for_assertion(&jwt)),
            Err(error) => self.attempt_failed(call, error, None, now_ms, 0.5),
        }
    }

    pub(super) fn succeeded(&mut self, call: &mut TokenCall, token: AccessToken, duration_ms: i64) {
        let CallState::Fetching(fetch) = &call.state else { return };
        let attempt = fetch.attempt;
        let expires_in = token.expires_in();
        self.emit(|| FlowEvent::FetchSucceeded { key: call.key.label().to_string(), attempt, duration_ms, expires_in });
        self.adopt(call, token);
    }

    /// Ends the fetching `call` with `token`: cached, the lease released, waiters woken.
    pub(super) fn adopt(&mut self, call: &mut TokenCall, token: AccessToken) {
        let entry = self.entries.entry(call.key.clone()).or_default();
        // A late, slow fetch does not replace a token that lives longer.
        if entry.token.as_ref().is_none_or(|held| token.expires_at() >= held.expires_at()) {
            entry.token = Some(token.clone());
        }
        release(entry, call.id);
        entry.refresh_not_before_ms = 0;
        entry.refresh_failures = 0;
        self.generation += 1;
        call.state = CallState::Outcome(Ok(token));
    }

    /// Decides what a failed attempt leads to: a back-off (the call sleeps), the still-valid token
    /// (a refresh ahead of expiry), or the error; the call's state holds the decision.
    pub(super) fn attempt_failed(
        &mut self,
        call: &mut TokenCall,
        error: Error,
        retry_after_ms: Option<i64>,
        now_ms: i64,
        jitter: f64,
    ) {
        let CallState::Fetching(fetch) = &mut call.state else { unreachable!("only fetches fail") };
        let key = call.key.label().to_string();
        let entry = self.entries.entry(call.key.clone()).or_default();
        if let Some(current) = fetch.current.take() {
            entry.refresh_failures = entry.refresh_failures.saturating_add(1);
            let expiry_ms = current.expires_at().saturating_mul(1000);
            let next_attempt_at_ms = if error.is_retryable() {
                let wait = self.policy.backoff_ms(entry.refresh_failures, jitter).max(retry_after_ms.unwrap_or(0));
                now_ms.saturating_add(wait).min(expiry_ms)
            } else {
                expiry_ms
            };
            entry.refresh_not_before_ms = next_attempt_at_ms;
            release(entry, call.id);
            self.generation += 1;
            self.release_inner(call, Some(&error));
            if let Some(refused) = FlowEvent::refused(&key, &error) {
                self.emit(|| refused);
            }
            let mp_code = error.mp_code().map(str::to_string);
            self.emit(|| FlowEvent::RefreshAheadFailed { key, kind: error.kind(), mp_code, next_attempt_at_ms });
            call.state = CallState::Outcome(Ok(current));
            return;
        }
        let attempt = fetch.attempt;
        if error.is_retryable() && attempt < self.policy.max_attempts() {
            let backoff = self.policy.backoff_ms(attempt, jitter);
            let (wait_ms, from_header) = match retry_after_ms {
                Some(asked) if asked > backoff => (asked, true),
                _ => (backoff, false),
            };
            let until_ms = now_ms.saturating_add(wait_ms);
            if until_ms < call.deadline_ms {
                fetch.phase = Phase::Sleeping { until_ms };
                let (kind, status) = (error.kind(), error.status());
                self.emit(|| FlowEvent::RetryScheduled {
                    key,
                    attempt,
                    kind,
                    status,
                    wait_ms,
                    retry_after: from_header,
                });
                return;
            }
        }
        release(entry, call.id);
        entry.failed = Some((call.id, error.clone()));
        self.generation += 1;
        self.release_inner(call, Some(&error));
        if let Some(refused) = FlowEvent::refused(&key, &error) {
            self.emit(|| refused);
        }
        let (kind, status) = (error.kind(), error.status());
        self.emit(|| FlowEvent::FetchFailed { key, attempts: attempt, kind, status });
        call.state = CallState::Outcome(Err(error));
    }

    pub(super) fn finish(&mut self, call: &mut TokenCall, outcome: Result<AccessToken>) -> TokenStep {
        call.state = CallState::Finished;
        match outcome {
            Ok(token) => TokenStep::Token(token),
            Err(error) => TokenStep::Fail(error),
        }
    }
}

pub(super) fn release(entry: &mut Entry, call: u64) {
    if entry.lease.is_some_and(|lease| lease.call == call) {
        entry.lease = None;
    }
}

pub(super) fn sending(call: &TokenCall) -> Option<(String, i64)> {
    match &call.state {
        CallState::Fetching(Fetch { phase: Phase::Sending { url, sent_ms }, .. }) => Some((url.clone(), *sent_ms)),
        _ => None,
    }
}

pub(super) fn misuse(message: &str) -> Error {
    Error::invalid(ErrorKind::InvalidArgument, "call", message.to_string())
}
