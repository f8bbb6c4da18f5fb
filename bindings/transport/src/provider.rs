//! The async token provider: executes the core's [`TokenFlow`] with reqwest and tokio.

use crate::clock::{duration_until, Clock, SystemClock};
use crate::events::{forward, EventListener};
use crate::signer::{Signer, NO_SIGNER};
use crate::store::shared::{Before, SharedFetch};
use crate::store::TokenStore;
use crate::transport::{RawResponse, ReqwestTransport, Transport, TransportError};
use maskinporten::{
    AccessToken, AltinnExchange, CacheKey, Client, FlowEvent, FlowOptions, GrantOptions, HttpRequest, PreparedGrant,
    Result, RetryPolicy, TokenCall, TokenFlow, TokenStep, TransportFailure,
};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// The host's jitter source for the core's back-off: a number in `0.0..=1.0` per retry.
pub type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;

/// Cache keys remembered per provider, so a cache hit does not hash the options again.
const KEY_MEMO_SIZE: usize = 16;

/// Gets access tokens for one [`Client`] by executing the core's [`TokenFlow`]: the core
/// decides when a token is served from its cache, when one caller fetches while the others wait
/// or keep the still-valid token, how failures are retried (back-off, `Retry-After`, deadline),
/// what a failed refresh ahead of expiry means, and which token a 401 drops. This type only
/// sends the requests (reqwest), sleeps and waits (tokio) and reports back.
///
/// Share it between tasks by reference or in an `Arc`; it is `Send + Sync`.
///
/// ```no_run
/// use maskinporten::{Client, Environment, FlowOptions, GrantOptions, Key};
/// use maskinporten_transport::TokenProvider;
/// # async fn run(key: Key) -> Result<(), maskinporten::Error> {
/// let client = Client::new("my-client-id", key, Environment::test())?;
/// let options = FlowOptions { max_attempts: Some(2), deadline_ms: Some(5_000), ..FlowOptions::default() };
/// let provider = TokenProvider::new(client)?.with_options(&options)?;
/// let grant = GrantOptions::new(["skatteetaten:medhjemmel"]);
/// let token = provider.token(&grant).await?;
/// // ... the API answered 401 to this token:
/// provider.reject(&grant, token.access_token());
/// # Ok(()) }
/// ```
///
/// Executor notes: the flow sits behind a `std::sync::Mutex` that is never held across an
/// `.await`; callers told to wait sleep on a `tokio::sync::Notify` that is woken whenever the
/// flow's generation changes; a `token()` future dropped midway (a timeout, a `select!`, an
/// aborted task) hands its call to [`TokenFlow::cancel`] in a guard's `Drop`, so the next
/// caller fetches at once. The core builds and signs each attempt's grant inside its `poll`,
/// so that one step holds the lock for the signature (about a millisecond with AWS-LC, once per
/// token lifetime).
pub struct TokenProvider {
    client: Client,
    state: Mutex<State>,
    notify: Notify,
    transport: Arc<dyn Transport>,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
    signer: Option<Arc<dyn Signer>>,
    listener: Option<EventListener>,
    store: Option<Arc<dyn TokenStore>>,
}

struct State {
    flow: TokenFlow,
    keys: Vec<(GrantOptions, CacheKey)>,
    /// Tokens an API refused lately: never taken back from the shared store.
    rejected: Vec<String>,
    /// (Maskinporten token's key, exchange) -> the Altinn token's key.
    altinn_keys: Vec<(CacheKey, AltinnExchange, CacheKey)>,
}

/// Refused tokens remembered per provider (the store's copy is replaced by the next fetch).
const REJECTED_MEMO_SIZE: usize = 8;

impl std::fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProvider")
            .field("client_id", &self.client.client_id())
            .field("token_endpoint", &self.client.environment().token_endpoint())
            .field("policy", &self.retry_policy())
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// A provider with the core's default flow settings ([`RetryPolicy::default`], 30 s refresh
    /// skew), [`ReqwestTransport`] over [`crate::default_http_client`], the system clock and
    /// random jitter.
    pub fn new(client: Client) -> Result<TokenProvider> {
        Ok(TokenProvider {
            client,
            state: Mutex::new(State {
                flow: new_flow(&FlowOptions::default())?,
                keys: Vec::new(),
                rejected: Vec::new(),
                altinn_keys: Vec::new(),
            }),
            notify: Notify::new(),
            transport: Arc::new(ReqwestTransport::with_default_client()?),
            clock: Arc::new(SystemClock),
            jitter: Arc::new(fastrand::f64),
            signer: None,
            listener: None,
            store: None,
        })
    }

    /// The flow's settings (attempts, back-off, timeouts, deadline, refresh skew), each checked
    /// by the core (`invalid_argument` naming the field). Replaces the flow, so call it before
    /// the first token.
    pub fn with_options(self, options: &FlowOptions) -> Result<TokenProvider> {
        let flow = new_flow(options)?;
        self.lock().flow = flow;
        Ok(self)
    }

    /// Sends with your reqwest client (proxy, extra root certificates, pooling shared with your
    /// API calls).
    pub fn with_http_client(self, http: reqwest::Client) -> TokenProvider {
        self.with_transport(ReqwestTransport::new(http))
    }

    /// Sends with another [`Transport`] (a test double, another HTTP stack).
    pub fn with_transport(mut self, transport: impl Transport + 'static) -> TokenProvider {
        self.transport = Arc::new(transport);
        self
    }

    /// Runs on another [`Clock`] (tests: a clock whose sleeps move time forward at once).
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> TokenProvider {
        self.clock = Arc::new(clock);
        self
    }

    /// Draws the back-off jitter from `jitter` (`0.0..=1.0`) instead of a random source; a
    /// constant makes retries reproducible in tests.
    pub fn with_jitter(mut self, jitter: impl Fn() -> f64 + Send + Sync + 'static) -> TokenProvider {
        self.jitter = Arc::new(jitter);
        self
    }

    /// Signs grants with `signer` when the client's key has no private key here
    /// ([`maskinporten::Key::from_external`]: an HSM, a cloud KMS).
    pub fn with_signer(mut self, signer: impl Signer + 'static) -> TokenProvider {
        self.signer = Some(Arc::new(signer));
        self
    }

    /// Also hands every flow event to `listener` (progress output, metrics); events always go
    /// to `tracing` (target `maskinporten`).
    pub fn with_event_listener(mut self, listener: impl Fn(&FlowEvent) + Send + Sync + 'static) -> TokenProvider {
        self.listener = Some(Arc::new(listener));
        self
    }

    /// Shares tokens with other providers through `store` (replicas on
    /// [`crate::store::RedisStore`], providers in one process on [`crate::store::MemoryStore`]):
    /// before a fetch the flow asks for, the store's token is offered to the flow, else one
    /// provider fetches under the store's lock while the others wait for its token; a fetched
    /// token is written back. A failing store never fails a call: the provider fetches for
    /// itself. See the [`crate::store`] module.
    pub fn with_store(mut self, store: Arc<dyn TokenStore>) -> TokenProvider {
        self.store = Some(store);
        self
    }

    /// The core client this provider signs with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The flow's retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        *self.lock().flow.policy()
    }

    /// A token for `options`: the cached one while fresh, else whatever the core's flow decides
    /// (fetch, wait for another caller's fetch, retry, keep the still-valid token), as
    /// described on [`TokenFlow`]. Errors are the core's; a refused grant carries its `MP-nnn`
    /// code and is never retried.
    pub async fn token(&self, options: &GrantOptions) -> Result<AccessToken> {
        self.run(options, None).await
    }

    /// An **Altinn token**: the Maskinporten token for `options` (which must hold an Altinn
    /// scope, `altinn:...`) exchanged at `exchange`'s platform. The core's flow caches it until
    /// its own `exp`, fetches the Maskinporten token first when that one is due too (sharing it
    /// with [`TokenProvider::token`] callers), retries 429 and 5xx like token requests, and
    /// when Altinn refuses the Maskinporten token (401) fetches a new one once. Refusals are
    /// typed: `altinn_token_rejected` (401), `altinn_forbidden` (403), `altinn_exchange_invalid`
    /// (400, 410).
    ///
    /// ```no_run
    /// use maskinporten::{AltinnExchange, AltinnPlatform, GrantOptions};
    /// # async fn run(provider: maskinporten_transport::TokenProvider) -> Result<(), maskinporten::Error> {
    /// let exchange = AltinnExchange::new(AltinnPlatform::tt02());
    /// let token = provider.altinn_token(&GrantOptions::new(["altinn:instances.read"]), &exchange).await?;
    /// println!("Authorization: Bearer {}", token.access_token());
    /// # Ok(()) }
    /// ```
    pub async fn altinn_token(&self, options: &GrantOptions, exchange: &AltinnExchange) -> Result<AccessToken> {
        self.run(options, Some(exchange)).await
    }

    /// Reports that an API answered 401 to `rejected_altinn_token` (an Altinn token from
    /// [`TokenProvider::altinn_token`] for `options` and `exchange`): only that token is dropped.
    pub fn reject_altinn(
        &self,
        options: &GrantOptions,
        exchange: &AltinnExchange,
        rejected_altinn_token: &str,
    ) -> bool {
        self.with_flow(|flow, (keys, altinn_keys), client| {
            let key = State::key_in(keys, client, options).clone();
            let altinn_key = State::altinn_key_in(altinn_keys, &key, exchange);
            flow.reject(altinn_key, rejected_altinn_token)
        })
    }

    /// A Maskinporten token, or with `exchange` an Altinn token: the fast path of a cache hit,
    /// else a call of the flow driven to its end.
    async fn run(&self, options: &GrantOptions, exchange: Option<&AltinnExchange>) -> Result<AccessToken> {
        let now_ms = self.clock.now_ms();
        let call = {
            let mut state = self.lock();
            let State { flow, keys, altinn_keys, .. } = &mut *state;
            let key = State::key_in(keys, &self.client, options);
            let fresh_key = match exchange {
                Some(exchange) => State::altinn_key_in(altinn_keys, key, exchange),
                None => key,
            };
            if let Some(token) = flow.fresh(fresh_key, now_ms) {
                let events = drain(flow);
                drop(state);
                forward(events, self.listener.as_ref());
                return Ok(token);
            }
            let key = key.clone();
            match exchange {
                Some(exchange) => flow.call_exchanged(key, exchange, now_ms),
                None => flow.call(key, now_ms),
            }
        };
        let mut guard = CallGuard { provider: self, call: None };
        let call = guard.call.insert(call);
        // Altinn tokens are not shared through the store: the core's flow fetches them for
        // itself (`handle_shared_token` refuses them), so a store lock would only serialize.
        self.drive(call, options, exchange.is_none()).await
    }

    /// Reports that an API answered 401 to `rejected_access_token` (a token this provider gave
    /// for `options`): that token is dropped, and only that one, so many callers reporting the
    /// same 401 cause one new fetch. Returns whether a token was dropped (false: it had already
    /// been replaced).
    pub fn reject(&self, options: &GrantOptions, rejected_access_token: &str) -> bool {
        if self.store.is_some() {
            let mut state = self.lock();
            if state.rejected.len() >= REJECTED_MEMO_SIZE {
                state.rejected.remove(0);
            }
            state.rejected.push(rejected_access_token.to_string());
        }
        self.with_flow(|flow, (keys, _), client| {
            let key = State::key_in(keys, client, options);
            flow.reject(key, rejected_access_token)
        })
    }

    /// Polls `call` to its end, carrying out each step.
    async fn drive(&self, call: &mut TokenCall, options: &GrantOptions, use_store: bool) -> Result<AccessToken> {
        let store = if use_store { self.store.clone() } else { None };
        let mut shared = store.map(|store| SharedFetch::new(store, call.key().clone()));
        let outcome = self.drive_steps(call, options, shared.as_mut()).await;
        if let Some(shared) = &mut shared {
            shared.finish(outcome.as_ref().ok(), self.clock.now_ms()).await;
        }
        outcome
    }

    async fn drive_steps(
        &self,
        call: &mut TokenCall,
        options: &GrantOptions,
        mut shared: Option<&mut SharedFetch>,
    ) -> Result<AccessToken> {
        loop {
            // Registered before polling, so a generation change between the poll and the wait
            // still wakes this caller.
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now_ms = self.clock.now_ms();
            match self.with_flow(|flow, _, client| flow.poll(call, client, options, now_ms)) {
                TokenStep::Token(token) => return Ok(token),
                TokenStep::Fail(error) => return Err(error),
                TokenStep::Send { request, timeout_at_ms, .. } => {
                    if let Some(shared) = shared.as_deref_mut() {
                        let offer = |token: AccessToken, now_ms| {
                            let refused = self.lock().rejected.iter().any(|t| t == token.access_token());
                            !refused && self.with_flow(|flow, _, _| flow.handle_shared_token(call, token, now_ms))
                        };
                        if let Before::Taken = shared.before_send(&*self.clock, timeout_at_ms, offer).await {
                            continue;
                        }
                    }
                    let answer = self.exchange(&request, timeout_at_ms).await;
                    let (now_ms, jitter) = (self.clock.now_ms(), (self.jitter)());
                    self.with_flow(|flow, _, client| match &answer {
                        Ok(response) => flow.handle_response(call, client, response.as_http(), now_ms, jitter),
                        Err(error) => flow.handle_failure(call, error.failure, &error.detail, now_ms, jitter),
                    });
                }
                TokenStep::Sign { grant, .. } => {
                    let signature = self.sign(&grant).await;
                    let now_ms = self.clock.now_ms();
                    self.with_flow(|flow, _, client| match &signature {
                        Ok(signature) => flow.handle_signature(call, client, signature, now_ms),
                        Err(message) => flow.handle_signer_failure(call, message, now_ms),
                    });
                }
                TokenStep::Sleep { until_ms } => self.clock.sleep_until(until_ms).await,
                TokenStep::Wait { until_ms } => {
                    let _ = tokio::time::timeout(duration_until(until_ms, self.clock.now_ms()), notified).await;
                }
            }
        }
    }

    /// Sends `request`, aborting it at `timeout_at_ms` (this provider's clock).
    async fn exchange(
        &self,
        request: &HttpRequest,
        timeout_at_ms: i64,
    ) -> std::result::Result<RawResponse, TransportError> {
        let limit = duration_until(timeout_at_ms, self.clock.now_ms());
        match tokio::time::timeout(limit, self.transport.send(request)).await {
            Ok(answer) => answer,
            Err(_) => Err(TransportError::new(
                TransportFailure::Timeout,
                format!("no answer within {} ms", limit.as_millis()),
            )),
        }
    }

    async fn sign(&self, grant: &PreparedGrant) -> std::result::Result<Vec<u8>, String> {
        match &self.signer {
            Some(signer) => signer.sign(grant.signing_input().as_bytes(), grant.algorithm()).await,
            None => Err(NO_SIGNER.to_string()),
        }
    }

    /// Runs `f` on the flow under the lock; then, outside it, wakes the waiters if the flow's
    /// generation changed and forwards the events.
    fn with_flow<T>(&self, f: impl FnOnce(&mut TokenFlow, Memos<'_>, &Client) -> T) -> T {
        let (out, changed, events) = {
            let mut state = self.lock();
            let State { flow, keys, altinn_keys, .. } = &mut *state;
            let before = flow.generation();
            let out = f(flow, (keys, altinn_keys), &self.client);
            (out, flow.generation() != before, drain(flow))
        };
        if changed {
            self.notify.notify_waiters();
        }
        forward(events, self.listener.as_ref());
        out
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The flow's methods do not panic; a panic elsewhere under the lock (a listener does not
        // run under it) leaves no half-made change behind: keep using it.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The provider's key memos, borrowed beside the flow.
type Memos<'a> = (&'a mut Vec<(GrantOptions, CacheKey)>, &'a mut Vec<(CacheKey, AltinnExchange, CacheKey)>);

impl State {
    /// The cache key of `options`, computed once per distinct options value (a free function
    /// over the memo, so the flow can be borrowed beside it). New options' warnings (see
    /// [`GrantOptions::warnings`]) are logged once, here.
    fn key_in<'k>(
        keys: &'k mut Vec<(GrantOptions, CacheKey)>,
        client: &Client,
        options: &GrantOptions,
    ) -> &'k CacheKey {
        let index = match keys.iter().position(|(known, _)| known == options) {
            Some(index) => index,
            None => {
                if keys.len() >= KEY_MEMO_SIZE {
                    keys.remove(0);
                }
                for warning in options.warnings() {
                    tracing::warn!(target: "maskinporten", event = "options_warning", "{warning}");
                }
                keys.push((options.clone(), client.cache_key(options)));
                keys.len() - 1
            }
        };
        &keys[index].1
    }

    /// The Altinn token's key for the Maskinporten token's `key` and `exchange`, memoized.
    fn altinn_key_in<'k>(
        altinn_keys: &'k mut Vec<(CacheKey, AltinnExchange, CacheKey)>,
        key: &CacheKey,
        exchange: &AltinnExchange,
    ) -> &'k CacheKey {
        let index = match altinn_keys.iter().position(|(inner, known, _)| inner == key && known == exchange) {
            Some(index) => index,
            None => {
                if altinn_keys.len() >= KEY_MEMO_SIZE {
                    altinn_keys.remove(0);
                }
                altinn_keys.push((key.clone(), exchange.clone(), exchange.cache_key(key)));
                altinn_keys.len() - 1
            }
        };
        &altinn_keys[index].2
    }
}

fn new_flow(options: &FlowOptions) -> Result<TokenFlow> {
    Ok(TokenFlow::with_options(options)?.with_events(true))
}

fn drain(flow: &mut TokenFlow) -> Vec<FlowEvent> {
    std::iter::from_fn(|| flow.poll_event()).collect()
}

/// Hands an unfinished call to [`TokenFlow::cancel`] when the `token()` future is dropped.
struct CallGuard<'a> {
    provider: &'a TokenProvider,
    call: Option<TokenCall>,
}

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        if let Some(call) = self.call.take().filter(|call| !call.is_finished()) {
            self.provider.with_flow(|flow, _, _| flow.cancel(call));
        }
    }
}
