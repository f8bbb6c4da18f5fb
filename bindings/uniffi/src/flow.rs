//! The core's token flow behind a mutex, for the hosts that execute it (Kotlin's and Swift's
//! `TokenProvider`). Every decision (cache, single flight, retries, back-off, `Retry-After`,
//! refresh ahead of expiry, 401s) is the core's; these objects only carry values across.

use crate::client::Client;
use crate::error::{misuse, Result};
use crate::options::GrantOptions;
use crate::request::HttpRequest;
use crate::token::AccessToken;
use maskinporten::{Algorithm, EventLevel, FlowOptions, HttpResponse, TransportFailure};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// One provider's token flow (`maskinporten::TokenFlow`) for one client. Thread-safe. The call
/// order is the core's:
/// 1. `key(options)` once per grant options (converts them and computes the cache key),
/// 2. `start(key, nowMs)` per caller, then `poll(call, nowMs)` until a `Token` (or an error):
///    `Send` -> send it, report `handleResponse`/`handleFailure`; `Sign` -> sign, report
///    `handleSignature`/`handleSignerFailure`; `Sleep` -> sleep until `untilMs`; `Wait` -> wait
///    until `generation()` differs from the step's or `untilMs`;
/// 3. every `handle*`, `cancel` and `reject` returns the generation: wake waiters when it changed;
/// 4. an abandoned call goes to `cancel`; an API's 401 goes to `reject`;
/// 5. `pollEvents()` drains the flow's events for the host's logging.
#[derive(uniffi::Object)]
pub struct TokenFlow {
    flow: Mutex<maskinporten::TokenFlow>,
    client: maskinporten::Client,
}

impl fmt::Debug for TokenFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenFlow").field("client_id", &self.client.client_id()).finish_non_exhaustive()
    }
}

/// Grant options converted once, with their cache key: what a provider keeps per options so a
/// call does not convert or hash them again.
#[derive(uniffi::Object)]
pub struct TokenKey {
    options: maskinporten::GrantOptions,
    key: maskinporten::CacheKey,
    /// For an Altinn token: the Maskinporten token's key and the exchange (`key` is the
    /// Altinn token's).
    exchange: Option<(maskinporten::CacheKey, maskinporten::AltinnExchange)>,
}

impl TokenKey {
    /// The key of the Altinn token exchanged from this key's Maskinporten token.
    pub(crate) fn exchanged(&self, exchange: &maskinporten::AltinnExchange) -> TokenKey {
        let inner = self.exchange.as_ref().map_or(&self.key, |(inner, _)| inner).clone();
        TokenKey {
            options: self.options.clone(),
            key: exchange.cache_key(&inner),
            exchange: Some((inner, exchange.clone())),
        }
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKey").field("label", &self.key.label()).finish_non_exhaustive()
    }
}

#[uniffi::export]
impl TokenKey {
    /// A short, non-secret name of the cache key, as the flow's events name it.
    pub fn label(&self) -> String {
        self.key.label().to_string()
    }

    /// What may be wrong in these options without being refused (an `externalRef` with
    /// characters Altinn's client does not use), for the host to show once as a warning.
    pub fn warnings(&self) -> Vec<String> {
        self.options.warnings()
    }
}

/// One caller's request for a token, from `TokenFlow.start` to its `Token` or error.
#[derive(uniffi::Object)]
pub struct TokenCall {
    call: Mutex<Option<maskinporten::TokenCall>>,
    key: Arc<TokenKey>,
}

impl fmt::Debug for TokenCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCall").field("key", &self.key.key.label()).finish_non_exhaustive()
    }
}

/// What the host does next for one call. (The flow's failure is the thrown error.)
#[derive(Debug, uniffi::Enum)]
pub enum TokenStep {
    /// Done: use this token. `fresh_until_ms`: the host may hand out this token without asking
    /// the flow until then (Unix ms), unless it is rejected; null: ask every time.
    Token { token: Arc<AccessToken>, fresh_until_ms: Option<i64> },
    /// Send this token request (its body is a credential), abort it at `timeout_at_ms`, report.
    Send { request: Arc<HttpRequest>, attempt: u32, timeout_at_ms: i64 },
    /// Sign these bytes with the host's signer (`ExternalSigner`), report.
    Sign { signing_input: Vec<u8>, algorithm: Algorithm, attempt: u32 },
    /// Another caller is fetching: wait until the flow's generation differs from `generation`,
    /// or until `until_ms`, then poll again.
    Wait { until_ms: i64, generation: u64 },
    /// Back off: sleep until `until_ms`, then poll again.
    Sleep { until_ms: i64 },
}

/// Something that happened in a flow, for the host's logging: `name` (`fetch_started`,
/// `retry_scheduled`, ...), `level`, `message` (one human line) and `json` (the same as one JSON
/// object with every field). Never a token, a grant or a key.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FlowEvent {
    pub name: String,
    pub level: EventLevel,
    pub message: String,
    pub json: String,
}

impl From<maskinporten::FlowEvent> for FlowEvent {
    fn from(event: maskinporten::FlowEvent) -> Self {
        FlowEvent {
            name: event.name().to_string(),
            level: event.level(),
            message: event.to_string(),
            json: event.to_json(),
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The core does not panic while a lock is held, but a poisoned lock must not turn into a
    // panic across the FFI boundary either.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn ended() -> crate::error::MaskinportenError {
    misuse("call", "this call has ended: start a new one with TokenFlow.start")
}

#[uniffi::export]
impl TokenFlow {
    /// A flow for `client` with these settings (retries, timeouts, deadline, refresh skew),
    /// each checked by the core. Events are kept for `pollEvents`.
    #[uniffi::constructor]
    pub fn new(client: Arc<Client>, options: FlowOptions) -> Result<Arc<TokenFlow>> {
        let flow = maskinporten::TokenFlow::with_options(&options)?.with_events(true);
        Ok(Arc::new(TokenFlow { flow: Mutex::new(flow), client: client.0.clone() }))
    }

    /// `options` converted once, with their cache key.
    pub fn key(&self, options: GrantOptions) -> Arc<TokenKey> {
        let options: maskinporten::GrantOptions = (&options).into();
        let key = self.client.cache_key(&options);
        Arc::new(TokenKey { options, key, exchange: None })
    }

    /// Starts one caller's request at `now_ms` (Unix ms); its deadline is the policy's. With a
    /// key from `exchangedKey`, the call is for the Altinn token (both stages).
    pub fn start(&self, key: Arc<TokenKey>, now_ms: i64) -> Arc<TokenCall> {
        let call = match &key.exchange {
            Some((inner, exchange)) => lock(&self.flow).call_exchanged(inner.clone(), exchange, now_ms),
            None => lock(&self.flow).call(key.key.clone(), now_ms),
        };
        Arc::new(TokenCall { call: Mutex::new(Some(call)), key })
    }

    /// The next step of `call`; the call's failure is thrown (`MaskinportenException`).
    pub fn poll(&self, call: Arc<TokenCall>, now_ms: i64) -> Result<TokenStep> {
        let mut flow = lock(&self.flow);
        let mut slot = lock(&call.call);
        let Some(inner) = slot.as_mut() else { return Err(ended()) };
        let step = match flow.poll(inner, &self.client, &call.key.options, now_ms) {
            maskinporten::TokenStep::Token(token) => {
                let fresh_until_ms = flow.fresh_until_ms(&call.key.key, &token);
                TokenStep::Token { token: Arc::new(AccessToken(token)), fresh_until_ms }
            }
            maskinporten::TokenStep::Send { request, attempt, timeout_at_ms } => {
                TokenStep::Send { request: Arc::new(HttpRequest(request)), attempt, timeout_at_ms }
            }
            maskinporten::TokenStep::Sign { grant, attempt } => TokenStep::Sign {
                signing_input: grant.signing_input().as_bytes().to_vec(),
                algorithm: grant.algorithm(),
                attempt,
            },
            maskinporten::TokenStep::Wait { until_ms } => TokenStep::Wait { until_ms, generation: flow.generation() },
            maskinporten::TokenStep::Sleep { until_ms } => TokenStep::Sleep { until_ms },
            maskinporten::TokenStep::Fail(error) => return Err(error.into()),
        };
        if matches!(step, TokenStep::Token { .. }) {
            *slot = None;
        }
        Ok(step)
    }

    /// Reports the HTTP answer to the call's last `Send`. `jitter` (0 to 1, from the host's
    /// random source) places the back-off if the flow retries. Returns the generation.
    #[allow(clippy::too_many_arguments)] // one FFI call carries the whole answer
    pub fn handle_response(
        &self,
        call: Arc<TokenCall>,
        status: u16,
        content_type: Option<String>,
        retry_after: Option<String>,
        body: Vec<u8>,
        now_ms: i64,
        jitter: f64,
    ) -> u64 {
        let mut flow = lock(&self.flow);
        if let Some(inner) = lock(&call.call).as_mut() {
            let response = HttpResponse::new(status, &body)
                .with_content_type(content_type.as_deref())
                .with_retry_after(retry_after.as_deref());
            flow.handle_response(inner, &self.client, response, now_ms, jitter);
        }
        flow.generation()
    }

    /// Reports that the call's last `Send` got no HTTP answer (`detail`: the HTTP client's
    /// description, no secrets). Returns the generation.
    pub fn handle_failure(
        &self,
        call: Arc<TokenCall>,
        failure: TransportFailure,
        detail: String,
        now_ms: i64,
        jitter: f64,
    ) -> u64 {
        let mut flow = lock(&self.flow);
        if let Some(inner) = lock(&call.call).as_mut() {
            flow.handle_failure(inner, failure, &detail, now_ms, jitter);
        }
        flow.generation()
    }

    /// Reports the signature for the call's last `Sign` (verified against the certificate when
    /// the key has one). Returns the generation.
    pub fn handle_signature(&self, call: Arc<TokenCall>, signature: Vec<u8>, now_ms: i64) -> u64 {
        let mut flow = lock(&self.flow);
        if let Some(inner) = lock(&call.call).as_mut() {
            flow.handle_signature(inner, &self.client, &signature, now_ms);
        }
        flow.generation()
    }

    /// Reports that the host's signer failed for the call's last `Sign`. Returns the generation.
    pub fn handle_signer_failure(&self, call: Arc<TokenCall>, message: String, now_ms: i64) -> u64 {
        let mut flow = lock(&self.flow);
        if let Some(inner) = lock(&call.call).as_mut() {
            flow.handle_signer_failure(inner, &message, now_ms);
        }
        flow.generation()
    }

    /// Ends a call that will not be polled again (cancelled, interrupted); a fetch it held is
    /// released and the next caller fetches. Returns the generation.
    pub fn cancel(&self, call: Arc<TokenCall>) -> u64 {
        let mut flow = lock(&self.flow);
        if let Some(inner) = lock(&call.call).take() {
            flow.cancel(inner);
        }
        flow.generation()
    }

    /// Reports that an API answered 401 to `access_token` of `key`: only that token is dropped
    /// (a newer one is kept). Returns the generation.
    pub fn reject(&self, key: Arc<TokenKey>, access_token: String) -> u64 {
        let mut flow = lock(&self.flow);
        flow.reject(&key.key, &access_token);
        flow.generation()
    }

    /// Changes whenever a fetch ends or a token is dropped.
    pub fn generation(&self) -> u64 {
        lock(&self.flow).generation()
    }

    /// Every queued event, oldest first.
    pub fn poll_events(&self) -> Vec<FlowEvent> {
        let mut flow = lock(&self.flow);
        std::iter::from_fn(|| flow.poll_event()).map(FlowEvent::from).collect()
    }

    /// Drops expired tokens nobody is fetching (bounds memory in long-lived hosts).
    pub fn purge_expired(&self, now_ms: i64) {
        lock(&self.flow).purge_expired(now_ms);
    }

    /// Number of cache keys held.
    pub fn size(&self) -> u64 {
        lock(&self.flow).len() as u64
    }
}
