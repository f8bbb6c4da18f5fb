//! The token flow: one decision about fetching, waiting, retrying and refreshing, for every host.

use super::events::FlowEvent;
use super::http::{HttpResponse, TransportFailure};
use super::policy::RetryPolicy;
use super::retry_after;
use crate::altinn::AltinnExchange;
use crate::cache::CacheKey;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::grant::PreparedGrant;
use crate::options::GrantOptions;
use crate::request::TokenRequest;
use crate::response::AccessToken;
use std::collections::{HashMap, VecDeque};
use std::fmt;

mod exchange;
mod fetch;
mod shared;

use fetch::{misuse, release, sending};

/// Refresh this long before expiry by default (capped at half the token's lifetime).
const DEFAULT_REFRESH_SKEW_S: i64 = 30;
/// A fetch's lease outlives its holder's deadline by this much, so a waiter whose own deadline
/// is the same fails with its own error rather than taking over at the last moment.
const LEASE_GRACE_MS: i64 = 1_000;
/// Events kept when the host does not drain them; older ones are dropped first.
const MAX_QUEUED_EVENTS: usize = 1_024;
/// Earliest `now_ms` accepted (2000-01-01): anything smaller is seconds, not milliseconds.
const MIN_UNIX_MS: i64 = 946_684_800_000;

/// What a host does next for one call ([`TokenFlow::poll`]).
#[derive(Debug)]
#[must_use = "a step says what the host must do next"]
pub enum TokenStep {
    /// Done: use this token.
    Token(AccessToken),
    /// Send this token request (a fresh grant), abort it at `timeout_at_ms` (Unix milliseconds),
    /// then report with [`TokenFlow::handle_response`] or [`TokenFlow::handle_failure`].
    Send {
        /// The request, built and signed for this attempt. Its body is a credential: do not log it.
        request: TokenRequest,
        /// 1 for the first attempt.
        attempt: u32,
        /// When to give up on this exchange and report [`TransportFailure::Timeout`].
        timeout_at_ms: i64,
    },
    /// Sign this grant with the host's signer (HSM, KMS, platform keystore, WebCrypto), then
    /// report with [`TokenFlow::handle_signature`] or [`TokenFlow::handle_signer_failure`].
    Sign {
        /// The bytes to sign and the algorithm.
        grant: PreparedGrant,
        /// 1 for the first attempt.
        attempt: u32,
    },
    /// Another caller is fetching this token: wait until the flow's [`TokenFlow::generation`]
    /// changes (the host wakes its waiters after every `handle_*` and `cancel`) or until
    /// `until_ms`, whichever comes first, then poll again.
    Wait {
        /// Unix milliseconds.
        until_ms: i64,
    },
    /// Back off: sleep until `until_ms` (Unix milliseconds), then poll again.
    Sleep {
        /// Unix milliseconds.
        until_ms: i64,
    },
    /// Done: the call failed with this error.
    Fail(Error),
}

/// One caller's request for a token, from [`TokenFlow::call`] until a [`TokenStep::Token`] or
/// [`TokenStep::Fail`]. A call that is abandoned before that (a cancelled task, a dropped
/// future, an interrupted thread) must be handed to [`TokenFlow::cancel`], or other callers
/// wait for its lease to run out.
pub struct TokenCall {
    id: u64,
    key: CacheKey,
    deadline_ms: i64,
    state: CallState,
    exchange: Option<Box<ExchangeCall>>,
}

/// The second stage of a call for an Altinn token: the Maskinporten token it exchanges.
struct ExchangeCall {
    mp_key: CacheKey,
    config: AltinnExchange,
    /// Whether this call holds the Maskinporten entry's lease (it fetches the inner token).
    holds_mp_lease: bool,
    /// The Maskinporten token the outstanding exchange request carries (dropped on a 401).
    sent_with: Option<AccessToken>,
    /// A 401 from Altinn already led to a fresh Maskinporten token once.
    renewed_after_401: bool,
}

impl fmt::Debug for TokenCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCall")
            .field("id", &self.id)
            .field("key", &self.key.label())
            .field("deadline_ms", &self.deadline_ms)
            .field("state", &self.state.name())
            .finish()
    }
}

impl TokenCall {
    /// The cache key this call fetches for.
    pub fn key(&self) -> &CacheKey {
        &self.key
    }

    /// Whether the call has ended (its token or error was handed out).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, CallState::Finished)
    }
}

enum CallState {
    Lookup { waited_on: Option<u64> },
    Fetching(Fetch),
    Outcome(Result<AccessToken>),
    Finished,
}

impl CallState {
    fn name(&self) -> &'static str {
        match self {
            CallState::Lookup { waited_on: None } => "lookup",
            CallState::Lookup { waited_on: Some(_) } => "waiting",
            CallState::Fetching(fetch) => fetch.phase.name(),
            CallState::Outcome(_) => "outcome",
            CallState::Finished => "finished",
        }
    }
}

struct Fetch {
    attempt: u32,
    /// Whether the outstanding request is for the inner Maskinporten token of an exchange call.
    inner: bool,
    /// The still-valid token while refreshing ahead of expiry: what the caller gets if this fails.
    current: Option<AccessToken>,
    phase: Phase,
}

enum Phase {
    Build,
    Signing(PreparedGrant),
    Signed(TokenRequest),
    Sending { url: String, sent_ms: i64 },
    Sleeping { until_ms: i64 },
}

impl Phase {
    fn name(&self) -> &'static str {
        match self {
            Phase::Build => "build",
            Phase::Signing(_) => "signing",
            Phase::Signed(_) => "signed",
            Phase::Sending { .. } => "sending",
            Phase::Sleeping { .. } => "sleeping",
        }
    }
}

#[derive(Default)]
struct Entry {
    token: Option<AccessToken>,
    lease: Option<Lease>,
    /// After a failed refresh ahead of expiry, no new refresh before this (Unix ms).
    refresh_not_before_ms: i64,
    /// Failed refreshes ahead of expiry in a row (the back-off's exponent).
    refresh_failures: u32,
    /// The last call that gave up, so the callers that waited for it get its error.
    failed: Option<(u64, Error)>,
}

#[derive(Clone, Copy)]
struct Lease {
    call: u64,
    until_ms: i64,
}

/// The token flow: the cache, single-flight fetching, retries, refresh ahead of expiry and 401
/// handling, decided once for every language. Sans-IO: the host asks for the next step of a
/// call and reports what happened; time (`now_ms`, Unix **milliseconds**) and jitter come in
/// as values.
///
/// # Call order
/// 1. `let mut call = flow.call(client.cache_key(&options), now_ms)` for each caller.
/// 2. Loop on [`TokenFlow::poll`]`(&mut call, &client, &options, now_ms)`:
///    - [`TokenStep::Token`] / [`TokenStep::Fail`]: done.
///    - [`TokenStep::Send`]: send the request with your HTTP client, then report the answer with
///      [`TokenFlow::handle_response`] or the failure to get one with
///      [`TokenFlow::handle_failure`] (abort at `timeout_at_ms` and report
///      [`TransportFailure::Timeout`]). Poll again.
///    - [`TokenStep::Sign`]: sign with your signer, report with [`TokenFlow::handle_signature`]
///      (or [`TokenFlow::handle_signer_failure`]). Poll again.
///    - [`TokenStep::Sleep`]: sleep until `until_ms`; poll again.
///    - [`TokenStep::Wait`]: wait until [`TokenFlow::generation`] changes or `until_ms`; poll again.
/// 3. After every `handle_*` and `cancel`, wake the callers waiting on this flow if
///    [`TokenFlow::generation`] changed. A call abandoned midway goes to [`TokenFlow::cancel`].
/// 4. When an API answers 401 to a token, report it with [`TokenFlow::reject`]: only that token
///    is dropped, so many callers seeing the same 401 cause one fetch.
/// 5. Drain [`TokenFlow::poll_event`] (after [`TokenFlow::with_events`]) into your logging.
///
/// # What the flow decides
/// - **Cache**: a token is served until `expires_at - min(skew, lifetime / 2)` (skew 30 s).
/// - **Single flight**: one call per cache key fetches; the others use a still-valid token or
///   wait for that fetch and share its outcome, token or error.
/// - **Retries** ([`RetryPolicy`]): only retryable errors (5xx, 429, no answer), a fresh grant
///   each attempt, exponential back-off with the host's jitter, `Retry-After` honoured when
///   longer (seconds or HTTP-date), all within the call's deadline.
/// - **Refresh ahead of expiry**: while the cached token is still valid, one caller makes one
///   attempt to refresh it and a failed refresh never fails a caller: they get the valid token.
///   A retryable failure is tried again after the back-off (the next caller after that time
///   does it); a refusal (an OAuth error such as MP-100 or MP-200) is reported once as an event
///   and not tried again before the token expires. The first caller after expiry fetches as
///   usual and gets the error if it persists.
/// - **Cancellation**: a cancelled call releases its right to fetch; the next caller fetches.
///
/// ```
/// use maskinporten::{Client, Environment, GrantOptions, HttpResponse, Key, TokenFlow, TokenStep};
/// # fn main() -> Result<(), maskinporten::Error> {
/// # let p12 = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/client.p12")).unwrap();
/// let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", Key::from_pkcs12(&p12, "vector-password", None)?, Environment::test())?;
/// let options = GrantOptions::new(["test:scope.read"]);
/// let mut flow = TokenFlow::new();
/// let now_ms = 1_767_225_600_000; // the host passes its clock
/// let mut call = flow.call(client.cache_key(&options), now_ms);
/// let token = loop {
///     match flow.poll(&mut call, &client, &options, now_ms) {
///         TokenStep::Token(token) => break token,
///         TokenStep::Send { request, .. } => {
///             assert_eq!(request.url, "https://test.maskinporten.no/token"); // your HTTP client sends it
///             let body = br#"{"access_token":"eyJ...","token_type":"Bearer","expires_in":120}"#;
///             flow.handle_response(&mut call, &client, HttpResponse::new(200, body), now_ms, 0.5);
///         }
///         TokenStep::Fail(error) => return Err(error),
///         other => unreachable!("one caller, a working server: {other:?}"),
///     }
/// };
/// assert_eq!(token.expires_in(), 120);
/// # Ok(()) }
/// ```
pub struct TokenFlow {
    entries: HashMap<CacheKey, Entry>,
    policy: RetryPolicy,
    refresh_skew_s: i64,
    next_call: u64,
    generation: u64,
    events: Option<VecDeque<FlowEvent>>,
    host_signing: bool,
}

impl Default for TokenFlow {
    fn default() -> Self {
        TokenFlow::new()
    }
}

impl fmt::Debug for TokenFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenFlow")
            .field("keys", &self.entries.len())
            .field("policy", &self.policy)
            .field("refresh_skew_s", &self.refresh_skew_s)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl TokenFlow {
    /// An empty flow with [`RetryPolicy::default`] and a 30 s refresh skew.
    pub fn new() -> TokenFlow {
        TokenFlow {
            entries: HashMap::new(),
            policy: RetryPolicy::default(),
            refresh_skew_s: DEFAULT_REFRESH_SKEW_S,
            next_call: 0,
            generation: 0,
            events: None,
            host_signing: false,
        }
    }

    /// Retry settings.
    pub fn with_policy(mut self, policy: RetryPolicy) -> TokenFlow {
        self.policy = policy;
        self
    }

    /// Refresh this many seconds before expiry (0 to 3600; capped at half each token's lifetime).
    pub fn with_refresh_skew(mut self, seconds: i64) -> Result<TokenFlow> {
        if !(0..=3600).contains(&seconds) {
            return Err(Error::invalid(
                ErrorKind::InvalidArgument,
                "refresh_skew",
                format!("{seconds} s is outside 0..=3600 seconds"),
            ));
        }
        self.refresh_skew_s = seconds;
        Ok(self)
    }

    /// Keeps events for [`TokenFlow::poll_event`] (off by default: nothing is queued).
    pub fn with_events(mut self, on: bool) -> TokenFlow {
        self.events = on.then(VecDeque::new);
        self
    }

    /// Hands every grant to the host for signing ([`TokenStep::Sign`]) even when the key could
    /// sign here: for hosts whose platform signs faster (WebCrypto, `node:crypto`). Keys without
    /// a private key ([`crate::Key::from_external`]) are always signed by the host.
    pub fn with_host_signing(mut self, on: bool) -> TokenFlow {
        self.host_signing = on;
        self
    }

    /// The retry settings.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// A counter that changes whenever a fetch ends (token, error or cancellation) or a token is
    /// dropped: the moment waiting callers must poll again.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Starts one caller's request for the token of `key` (from [`Client::cache_key`]) at
    /// `now_ms`; the call's deadline is `now_ms` plus the policy's deadline.
    pub fn call(&mut self, key: CacheKey, now_ms: i64) -> TokenCall {
        self.next_call += 1;
        TokenCall {
            id: self.next_call,
            key,
            deadline_ms: now_ms.saturating_add(self.policy.deadline_ms()),
            state: CallState::Lookup { waited_on: None },
            exchange: None,
        }
    }

    /// Starts one caller's request for an **Altinn token**: the Maskinporten token of `key` (from
    /// [`Client::cache_key`]) exchanged through `exchange`. It is cached under its own key, with
    /// the same single flight, retries and refresh rules; when the Maskinporten token is due too,
    /// the call fetches it first (sharing it with callers of the Maskinporten token). If Altinn
    /// refuses the Maskinporten token (401), that token is dropped and a new one is fetched once.
    /// [`TokenCall::key`] is the Altinn token's key ([`AltinnExchange::cache_key`]), for
    /// [`TokenFlow::reject`].
    pub fn call_exchanged(&mut self, key: CacheKey, exchange: &AltinnExchange, now_ms: i64) -> TokenCall {
        let mut call = self.call(exchange.cache_key(&key), now_ms);
        call.exchange = Some(Box::new(ExchangeCall {
            mp_key: key,
            config: exchange.clone(),
            holds_mp_lease: false,
            sent_with: None,
            renewed_after_401: false,
        }));
        call
    }

    /// The fast path of a cache hit: the token for `key` if it is fresh at `now_ms`, without
    /// starting a call. `None` means: start a call.
    pub fn fresh(&mut self, key: &CacheKey, now_ms: i64) -> Option<AccessToken> {
        let token = self.entries.get(key)?.token.as_ref()?;
        if !token.is_fresh(now_ms.div_euclid(1000), self.refresh_skew_s) {
            return None;
        }
        let token = token.clone();
        self.emit(|| FlowEvent::CacheHit { key: key.label().to_string() });
        Some(token)
    }

    /// Until when (Unix milliseconds) `token`, just handed out for `key`, is served without a
    /// fetch: its refresh time (`expires_at - min(skew, lifetime / 2)`) while it is the token
    /// held for `key`; `None` when another token (or none) is held. Hosts whose calls into the
    /// flow are costly (an FFI crossing) may keep the token until then and skip the flow on a
    /// hit; a [`TokenFlow::reject`] of that token must end such a memo.
    pub fn fresh_until_ms(&self, key: &CacheKey, token: &AccessToken) -> Option<i64> {
        let held = self.entries.get(key)?.token.as_ref()?;
        (held.access_token() == token.access_token()).then(|| held.refresh_at(self.refresh_skew_s).saturating_mul(1000))
    }

    /// The next step of `call` at `now_ms`. `client` and `options` must be the ones the call's key
    /// was made from (they build and sign each attempt's grant).
    pub fn poll(&mut self, call: &mut TokenCall, client: &Client, options: &GrantOptions, now_ms: i64) -> TokenStep {
        if let Err(error) = check_now_ms(now_ms) {
            return self.finish(call, Err(error));
        }
        loop {
            match &mut call.state {
                CallState::Finished => {
                    return TokenStep::Fail(Error::invalid(
                        ErrorKind::InvalidArgument,
                        "call",
                        "this call has ended: start a new one with TokenFlow::call",
                    ))
                }
                CallState::Outcome(_) => {
                    let CallState::Outcome(outcome) = std::mem::replace(&mut call.state, CallState::Finished) else {
                        unreachable!("matched above")
                    };
                    return self.finish(call, outcome);
                }
                CallState::Lookup { waited_on } => {
                    let waited_on = *waited_on;
                    if let Some(step) = self.lookup(call, waited_on, now_ms) {
                        return step;
                    }
                }
                CallState::Fetching(fetch) => match &mut fetch.phase {
                    Phase::Build => {
                        let step = if call.exchange.is_some() {
                            self.build_exchange(call, client, options, now_ms)
                        } else {
                            self.build(call, client, options, now_ms)
                        };
                        if let Some(step) = step {
                            return step;
                        }
                    }
                    Phase::Signing(_) => {
                        return TokenStep::Fail(misuse("report the signature with handle_signature before polling"))
                    }
                    Phase::Signed(_) => {
                        let Phase::Signed(request) = std::mem::replace(&mut fetch.phase, Phase::Build) else {
                            unreachable!("matched above")
                        };
                        return self.send(call, request, now_ms);
                    }
                    Phase::Sending { .. } => {
                        return TokenStep::Fail(misuse(
                            "report the answer with handle_response or handle_failure before polling",
                        ))
                    }
                    Phase::Sleeping { until_ms } if now_ms < *until_ms => {
                        return TokenStep::Sleep { until_ms: *until_ms }
                    }
                    Phase::Sleeping { .. } => {
                        fetch.attempt += 1;
                        fetch.phase = Phase::Build;
                    }
                },
            }
        }
    }

    /// Reports the HTTP answer to the last [`TokenStep::Send`] of `call`. `jitter` (0.0 to 1.0,
    /// from the host's random source) places the back-off if the flow retries.
    pub fn handle_response(
        &mut self,
        call: &mut TokenCall,
        client: &Client,
        response: HttpResponse<'_>,
        now_ms: i64,
        jitter: f64,
    ) {
        let Some((_, sent_ms)) = sending(call) else { return };
        if call.exchange.is_some() {
            return self.exchange_response(call, client, response, sent_ms, now_ms, jitter);
        }
        let parsed =
            client.parse_token_response(response.status, response.body, response.content_type, now_ms.div_euclid(1000));
        match parsed {
            Ok(token) => self.succeeded(call, token, now_ms.saturating_sub(sent_ms)),
            Err(error) => {
                let retry_after = response.retry_after.and_then(|value| retry_after::wait_ms(value, now_ms));
                self.attempt_failed(call, error, retry_after, now_ms, jitter);
            }
        }
    }

    /// Reports that the last [`TokenStep::Send`] of `call` got no HTTP answer. `detail` is the
    /// HTTP client's description (no secrets). `jitter` as for [`TokenFlow::handle_response`].
    pub fn handle_failure(
        &mut self,
        call: &mut TokenCall,
        failure: TransportFailure,
        detail: &str,
        now_ms: i64,
        jitter: f64,
    ) {
        let Some((url, _)) = sending(call) else { return };
        let error = failure.to_error(&url, detail);
        self.attempt_failed(call, error, None, now_ms, jitter);
    }

    /// Reports the signature for the last [`TokenStep::Sign`] of `call`. It is verified with the
    /// certificate's public key when the key has one, so a wrong key fails here, not as MP-124.
    pub fn handle_signature(&mut self, call: &mut TokenCall, client: &Client, signature: &[u8], now_ms: i64) {
        self.signed(call, client, now_ms, |grant| grant.finish(signature));
    }

    /// Reports the signature of a platform signer that holds this client's own private key
    /// (WebCrypto, `node:crypto`), without verifying it: for binding crates whose platform
    /// signs; a signature from an HSM or KMS goes to [`TokenFlow::handle_signature`].
    #[cfg(feature = "platform-crypto")]
    pub fn handle_platform_signature(&mut self, call: &mut TokenCall, client: &Client, signature: &[u8], now_ms: i64) {
        self.signed(call, client, now_ms, |grant| grant.finish_unverified(signature));
    }

    /// Reports that the host's signer failed for the last [`TokenStep::Sign`] of `call`
    /// (`signer_failed`, not retried by the flow).
    pub fn handle_signer_failure(&mut self, call: &mut TokenCall, message: &str, now_ms: i64) {
        let CallState::Fetching(fetch) = &call.state else { return };
        if !matches!(fetch.phase, Phase::Signing(_)) {
            return;
        }
        let message: String = message.chars().filter(|c| !c.is_control()).take(300).collect();
        self.attempt_failed(call, Error::signer_failed(message), None, now_ms, 0.5);
    }

    /// Ends a call that will not be polled again (a cancelled task, a dropped future). If it was
    /// fetching, the right to fetch is released and the next caller fetches.
    pub fn cancel(&mut self, mut call: TokenCall) {
        if !matches!(call.state, CallState::Fetching(_)) {
            return;
        }
        if self.release_inner(&mut call, None) {
            self.generation += 1;
        }
        if let Some(entry) = self.entries.get_mut(&call.key) {
            if entry.lease.is_some_and(|lease| lease.call == call.id) {
                entry.lease = None;
                self.generation += 1;
                self.emit(|| FlowEvent::FetchCancelled { key: call.key.label().to_string() });
            }
        }
    }

    /// Reports that an API answered 401 to `rejected_access_token` (the token of `key`): that token
    /// is dropped, and only that one, so when many callers report the same 401 the first
    /// caller's new token is kept. Returns whether a token was dropped.
    pub fn reject(&mut self, key: &CacheKey, rejected_access_token: &str) -> bool {
        let dropped = match self.entries.get_mut(key) {
            Some(entry) if entry.token.as_ref().is_some_and(|t| t.access_token() == rejected_access_token) => {
                entry.token = None;
                entry.refresh_not_before_ms = 0;
                entry.refresh_failures = 0;
                true
            }
            _ => false,
        };
        if dropped {
            self.generation += 1;
        }
        self.emit(|| FlowEvent::TokenRejected { key: key.label().to_string(), dropped });
        dropped
    }

    /// Forgets the token of `key` whatever it is (for a configuration change). After a 401 use
    /// [`TokenFlow::reject`], which drops only the rejected token.
    pub fn forget(&mut self, key: &CacheKey) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.token = None;
            entry.refresh_not_before_ms = 0;
            entry.refresh_failures = 0;
            self.generation += 1;
        }
    }

    /// Drops expired tokens and finished failures of keys nobody is fetching, to bound memory in
    /// long-lived hosts.
    pub fn purge_expired(&mut self, now_ms: i64) {
        let now_s = now_ms.div_euclid(1000);
        self.entries.retain(|_, entry| {
            entry.lease.is_some_and(|lease| lease.until_ms > now_ms)
                || entry.token.as_ref().is_some_and(|t| !t.is_expired(now_s))
        });
    }

    /// Number of cache keys held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The next queued event, oldest first (only with [`TokenFlow::with_events`]).
    pub fn poll_event(&mut self) -> Option<FlowEvent> {
        self.events.as_mut()?.pop_front()
    }

    fn emit(&mut self, event: impl FnOnce() -> FlowEvent) {
        if let Some(queue) = &mut self.events {
            if queue.len() >= MAX_QUEUED_EVENTS {
                queue.pop_front();
            }
            queue.push_back(event());
        }
    }
}

/// Refuses a `now_ms` that cannot be Unix milliseconds (seconds given, zero, negative, absurd).
pub(crate) fn check_now_ms(now_ms: i64) -> Result<()> {
    if (MIN_UNIX_MS..=crate::time::MAX_UNIX_SECONDS.saturating_mul(1000)).contains(&now_ms) {
        Ok(())
    } else {
        Err(Error::invalid(
            ErrorKind::InvalidNow,
            "now_ms",
            format!("{now_ms} is not a Unix time in milliseconds (seconds given?)"),
        ))
    }
}
