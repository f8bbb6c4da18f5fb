//! The async token provider: the core's cache in front, single flight, retries, deadline.

use crate::retry::{RetryEvent, RetryPolicy};
use crate::send::{default_http_client, send_request};
use maskinporten::{AccessToken, CacheLookup, Client, Error, FetchTicket, GrantOptions, Result, TokenCache};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

type Observer = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// Gets access tokens for one [`Client`]: from the core's [`TokenCache`] while they are fresh,
/// else from Maskinporten, with one fetch per cache key at a time (other callers wait for it, or
/// keep using the still-valid token during a refresh ahead of expiry).
///
/// Share it between tasks by reference or in an `Arc`; it is `Send + Sync`.
///
/// The cache sits behind a `std::sync::Mutex` that is never held across an `.await`, and
/// waiters sleep on a `tokio::sync::Notify`: a fetch that is cancelled (its future dropped)
/// still hands its ticket back, so no caller waits for a fetch that no longer runs.
pub struct TokenProvider {
    client: Client,
    http: reqwest::Client,
    cache: Mutex<TokenCache>,
    notify: Notify,
    policy: RetryPolicy,
    observer: Option<Observer>,
}

impl std::fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProvider")
            .field("client_id", &self.client.client_id())
            .field("token_endpoint", &self.client.environment().token_endpoint())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// A provider with [`crate::default_http_client`], an empty [`TokenCache::new`] and
    /// [`RetryPolicy::default`].
    pub fn new(client: Client) -> Result<TokenProvider> {
        Ok(TokenProvider {
            client,
            http: default_http_client()?,
            cache: Mutex::new(TokenCache::new()),
            notify: Notify::new(),
            policy: RetryPolicy::default(),
            observer: None,
        })
    }

    /// Uses your reqwest client (proxy, extra root certificates, pooling shared with your API calls).
    pub fn with_http_client(mut self, http: reqwest::Client) -> TokenProvider {
        self.http = http;
        self
    }

    /// Retry and deadline settings.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> TokenProvider {
        self.policy = policy;
        self
    }

    /// Replaces the cache (for example `TokenCache::new().with_refresh_skew(10)`).
    pub fn with_cache(mut self, cache: TokenCache) -> TokenProvider {
        self.cache = Mutex::new(cache);
        self
    }

    /// Calls `observer` before each pause between attempts (progress output, logging). The
    /// event's error is safe to print: core errors never hold secrets.
    pub fn on_retry(mut self, observer: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> TokenProvider {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The core client this provider signs with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// A token for `options`: cached while fresh, else fetched (see the type's docs). If a
    /// refresh fails while the previous token is still valid, that token is returned and the
    /// next call tries again.
    pub async fn token(&self, options: &GrantOptions) -> Result<AccessToken> {
        let deadline = Instant::now() + self.policy.deadline();
        let key = self.client.cache_key(options);
        loop {
            // Registered before the lookup, so a fetch that ends in between still wakes us.
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = maskinporten::unix_now();
            let lookup = self.lock().lookup(&key, now);
            match lookup {
                CacheLookup::Hit(token) => return Ok(token),
                CacheLookup::Fetch { ticket, current } => {
                    let guard = TicketGuard { provider: self, ticket: Some(ticket) };
                    return match self.fetch_until(options, deadline).await {
                        Ok(token) => {
                            guard.complete(token.clone());
                            Ok(token)
                        }
                        Err(error) => {
                            drop(guard);
                            match current {
                                Some(token) if !token.is_fresh(maskinporten::unix_now(), 0) => Err(error),
                                Some(token) => Ok(token),
                                None => Err(error),
                            }
                        }
                    };
                }
                CacheLookup::Wait { until } => {
                    let lease = Duration::from_secs(u64::try_from(until.saturating_sub(now)).unwrap_or(0).max(1));
                    let wake = (Instant::now() + lease).min(deadline);
                    if tokio::time::timeout_at(wake, notified).await.is_err() && Instant::now() >= deadline {
                        return Err(Error::unavailable(format!(
                            "no token within {} ms: another caller's request to {} is still running",
                            self.policy.deadline().as_millis(),
                            self.client.environment().token_endpoint()
                        )));
                    }
                }
            }
        }
    }

    /// Fetches a new token now, bypassing the cache (which is left as it is), with retries.
    pub async fn fetch(&self, options: &GrantOptions) -> Result<AccessToken> {
        self.fetch_until(options, Instant::now() + self.policy.deadline()).await
    }

    /// Forgets the cached token for `options` (for example after the API answered 401).
    pub fn invalidate(&self, options: &GrantOptions) {
        let key = self.client.cache_key(options);
        self.lock().invalidate(&key);
    }

    async fn fetch_until(&self, options: &GrantOptions, deadline: Instant) -> Result<AccessToken> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            // A fresh grant (new jti, iat) per attempt: a resent grant would be a replay (MP-012).
            let request = self.client.token_request(options, maskinporten::unix_now(), None)?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let result = if remaining.is_zero() {
                Err(Error::unavailable(format!(
                    "no answer from {} within the {} ms deadline",
                    request.url,
                    self.policy.deadline().as_millis()
                )))
            } else {
                send_request(&self.http, &request, self.policy.attempt_timeout().min(remaining)).await
            };
            let result = result.and_then(|raw| {
                self.client.parse_token_response(
                    raw.status,
                    &raw.body,
                    raw.content_type.as_deref(),
                    maskinporten::unix_now(),
                )
            });
            let error = match result {
                Ok(token) => return Ok(token),
                Err(error) => error,
            };
            if !error.is_retryable() || attempt >= self.policy.max_attempts() {
                return Err(error);
            }
            let pause = self.policy.backoff(attempt);
            if Instant::now() + pause >= deadline {
                return Err(error);
            }
            if let Some(observer) = &self.observer {
                observer(&RetryEvent { attempt, max_attempts: self.policy.max_attempts(), error: &error, pause });
            }
            tokio::time::sleep(pause).await;
        }
    }

    fn lock(&self) -> MutexGuard<'_, TokenCache> {
        // The cache has no invariant a panicking holder could break halfway: keep using it.
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Hands the ticket back on every path: `complete` on success, `fail` on error or cancellation.
struct TicketGuard<'a> {
    provider: &'a TokenProvider,
    ticket: Option<FetchTicket>,
}

impl TicketGuard<'_> {
    fn complete(mut self, token: AccessToken) {
        if let Some(ticket) = self.ticket.take() {
            self.provider.lock().complete(ticket, token, maskinporten::unix_now());
            self.provider.notify.notify_waiters();
        }
    }
}

impl Drop for TicketGuard<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.provider.lock().fail(ticket);
            self.provider.notify.notify_waiters();
        }
    }
}
