//! The second stage of a call for an Altinn token: the inner Maskinporten token, then the
//! exchange.

use super::fetch::misuse;
use super::{release, CallState, Lease, Phase, TokenCall, TokenFlow, TokenStep, LEASE_GRACE_MS};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::flow::events::FlowEvent;
use crate::flow::http::HttpResponse;
use crate::flow::retry_after;
use crate::options::GrantOptions;
use crate::response::AccessToken;

impl TokenFlow {
    /// The exchange request with a fresh Maskinporten token, or the request for a new one (or a
    /// wait for another caller fetching it). `None` when building failed.
    pub(super) fn build_exchange(
        &mut self,
        call: &mut TokenCall,
        client: &Client,
        options: &GrantOptions,
        now_ms: i64,
    ) -> Option<TokenStep> {
        let now_s = now_ms.div_euclid(1000);
        let skew = self.refresh_skew_s;
        // Callers only come here for exchange calls; a plain call is built as one.
        let Some(exchange) = call.exchange.as_mut() else { return self.build(call, client, options, now_ms) };
        let mp_entry = self.entries.entry(exchange.mp_key.clone()).or_default();
        if let Some(mp_token) = mp_entry.token.as_ref().filter(|t| t.is_fresh(now_s, skew)).cloned() {
            return match exchange.config.request(mp_token.access_token()) {
                Ok(request) => {
                    exchange.sent_with = Some(mp_token);
                    if let CallState::Fetching(fetch) = &mut call.state {
                        fetch.inner = false;
                    }
                    Some(self.send(call, request, now_ms))
                }
                Err(error) => {
                    self.attempt_failed(call, error, None, now_ms, 0.5);
                    None
                }
            };
        }
        if let Some(lease) = mp_entry.lease.filter(|lease| lease.until_ms > now_ms && lease.call != call.id) {
            if now_ms >= call.deadline_ms {
                let error = Error::unavailable(format!(
                    "no Maskinporten token to exchange within {} ms: another caller's token request is still running",
                    self.policy.deadline_ms()
                ));
                self.attempt_failed(call, error, None, now_ms, 0.5);
                return None;
            }
            return Some(TokenStep::Wait { until_ms: lease.until_ms.min(call.deadline_ms) });
        }
        mp_entry.lease = Some(Lease { call: call.id, until_ms: call.deadline_ms.saturating_add(LEASE_GRACE_MS) });
        exchange.holds_mp_lease = true;
        if let CallState::Fetching(fetch) = &mut call.state {
            fetch.inner = true;
        }
        self.build(call, client, options, now_ms)
    }

    /// Reads the answer of either stage.
    pub(super) fn exchange_response(
        &mut self,
        call: &mut TokenCall,
        client: &Client,
        response: HttpResponse<'_>,
        sent_ms: i64,
        now_ms: i64,
        jitter: f64,
    ) {
        let now_s = now_ms.div_euclid(1000);
        let inner = matches!(&call.state, CallState::Fetching(fetch) if fetch.inner);
        let retry_after = response.retry_after.and_then(|value| retry_after::wait_ms(value, now_ms));
        let duration_ms = now_ms.saturating_sub(sent_ms);
        if inner {
            match client.parse_token_response(response.status, response.body, response.content_type, now_s) {
                Ok(token) => self.inner_succeeded(call, token, duration_ms),
                Err(error) => self.attempt_failed(call, error, retry_after, now_ms, jitter),
            }
            return;
        }
        let Some(exchange) = call.exchange.as_mut() else {
            let error = misuse("an Altinn exchange answer was reported for a call without an exchange");
            return self.attempt_failed(call, error, None, now_ms, jitter);
        };
        match exchange.config.parse_response(response.status, response.body, now_s) {
            Ok(token) => self.succeeded(call, token, duration_ms),
            Err(error) if error.kind() == ErrorKind::AltinnTokenRejected && !exchange.renewed_after_401 => {
                exchange.renewed_after_401 = true;
                if let Some(rejected) = exchange.sent_with.take() {
                    let mp_key = exchange.mp_key.clone();
                    self.reject(&mp_key, rejected.access_token());
                }
                if let CallState::Fetching(fetch) = &mut call.state {
                    fetch.phase = Phase::Build;
                }
            }
            Err(error) => self.attempt_failed(call, error, retry_after, now_ms, jitter),
        }
    }

    /// Stores the inner Maskinporten token (other callers of it get it too); the exchange follows.
    fn inner_succeeded(&mut self, call: &mut TokenCall, token: AccessToken, duration_ms: i64) {
        // Only an exchange call has an inner token; a plain call's token is its outcome.
        let Some(exchange) = call.exchange.as_mut() else { return self.succeeded(call, token, duration_ms) };
        let entry = self.entries.entry(exchange.mp_key.clone()).or_default();
        if entry.token.as_ref().is_none_or(|held| token.expires_at() >= held.expires_at()) {
            entry.token = Some(token.clone());
        }
        release(entry, call.id);
        entry.refresh_not_before_ms = 0;
        entry.refresh_failures = 0;
        exchange.holds_mp_lease = false;
        self.generation += 1;
        let key = exchange.mp_key.label().to_string();
        let attempt = match &mut call.state {
            CallState::Fetching(fetch) => {
                fetch.inner = false;
                fetch.phase = Phase::Build;
                fetch.attempt
            }
            _ => 0,
        };
        let expires_in = token.expires_in();
        self.emit(|| FlowEvent::FetchSucceeded { key, attempt, duration_ms, expires_in });
    }

    /// Releases the inner token's lease the call holds, recording `failure` for the callers that
    /// waited on it. Returns whether a lease was released.
    pub(super) fn release_inner(&mut self, call: &mut TokenCall, failure: Option<&Error>) -> bool {
        let Some(exchange) = call.exchange.as_mut().filter(|e| e.holds_mp_lease) else { return false };
        exchange.holds_mp_lease = false;
        if let Some(entry) = self.entries.get_mut(&exchange.mp_key) {
            release(entry, call.id);
            if let Some(error) = failure {
                entry.failed = Some((call.id, error.clone()));
            }
        }
        true
    }
}
