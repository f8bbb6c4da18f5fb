//! A synchronous [`TokenProvider`] for programs without an async runtime (such as the CLI).
//!
//! It drives the async provider on a small private runtime (one worker thread), so caching,
//! single flight, retries and the deadline behave exactly the same. Calling it from inside an
//! async runtime also works (the call runs on a helper thread), but async code should use
//! [`crate::TokenProvider`] directly.
//!
//! ```no_run
//! use maskinporten::{Client, Environment, GrantOptions, Key};
//! # fn run(key: Key) -> Result<(), maskinporten::Error> {
//! let client = Client::new("my-client-id", key, Environment::test())?;
//! let provider = maskinporten_transport::blocking::TokenProvider::new(client)?;
//! let token = provider.token(&GrantOptions::new(["skatteetaten:medhjemmel"]))?;
//! # let _ = token; Ok(()) }
//! ```

use crate::retry::{RetryEvent, RetryPolicy};
use maskinporten::{AccessToken, Client, Environment, Error, GrantOptions, Result, TokenCache};
use std::future::Future;

/// The blocking twin of [`crate::TokenProvider`]; same methods without `async`.
#[derive(Debug)]
pub struct TokenProvider {
    inner: crate::TokenProvider,
    runtime: OwnedRuntime,
}

/// The private runtime; dropping it inside another runtime shuts it down in the background
/// (a plain drop there would panic).
#[derive(Debug)]
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            stop(runtime);
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("maskinporten-transport")
        .enable_all()
        .build()
        .map_err(|e| Error::unavailable(format!("could not start the HTTP runtime: {e}")))
}

fn block_on<F: Future + Send>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output
where
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        // block_on inside a runtime would panic: run it from a plain thread instead.
        std::thread::scope(|scope| {
            let handle = scope.spawn(|| runtime.block_on(future));
            match handle.join() {
                Ok(output) => output,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    } else {
        runtime.block_on(future)
    }
}

impl TokenProvider {
    /// A provider with the default HTTP client, cache and retry policy.
    pub fn new(client: Client) -> Result<TokenProvider> {
        Ok(TokenProvider { inner: crate::TokenProvider::new(client)?, runtime: OwnedRuntime(Some(runtime()?)) })
    }

    /// Uses your (async) reqwest client.
    pub fn with_http_client(mut self, http: reqwest::Client) -> TokenProvider {
        self.inner = self.inner.with_http_client(http);
        self
    }

    /// Retry and deadline settings.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> TokenProvider {
        self.inner = self.inner.with_retry_policy(policy);
        self
    }

    /// Replaces the cache.
    pub fn with_cache(mut self, cache: TokenCache) -> TokenProvider {
        self.inner = self.inner.with_cache(cache);
        self
    }

    /// Calls `observer` before each pause between attempts.
    pub fn on_retry(mut self, observer: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> TokenProvider {
        self.inner = self.inner.on_retry(observer);
        self
    }

    /// The core client.
    pub fn client(&self) -> &Client {
        self.inner.client()
    }

    /// A token for `options`, cached while fresh (see [`crate::TokenProvider::token`]).
    pub fn token(&self, options: &GrantOptions) -> Result<AccessToken> {
        block_on(self.runtime()?, self.inner.token(options))
    }

    /// A new token now, bypassing the cache, with retries.
    pub fn fetch(&self, options: &GrantOptions) -> Result<AccessToken> {
        block_on(self.runtime()?, self.inner.fetch(options))
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        self.runtime.0.as_ref().ok_or_else(|| Error::unavailable("the HTTP runtime has stopped"))
    }

    /// Forgets the cached token for `options`.
    pub fn invalidate(&self, options: &GrantOptions) {
        self.inner.invalidate(options);
    }
}

/// A synchronous [`crate::TokenValidator`]: validates access tokens, fetching the issuer's JWKS
/// when the core's validator asks.
pub struct TokenValidator {
    inner: crate::TokenValidator,
    runtime: OwnedRuntime,
}

impl TokenValidator {
    /// Wraps a configured validator with the default HTTP client.
    pub fn new(validator: maskinporten::Validator) -> Result<TokenValidator> {
        Ok(TokenValidator { inner: crate::TokenValidator::new(validator)?, runtime: OwnedRuntime(Some(runtime()?)) })
    }

    /// Validates `token` now (see [`crate::TokenValidator::validate`]).
    pub fn validate(
        &self,
        token: &str,
        requirements: &maskinporten::Requirements,
    ) -> Result<maskinporten::ValidatedToken> {
        let runtime = self.runtime.0.as_ref().ok_or_else(|| Error::unavailable("the HTTP runtime has stopped"))?;
        block_on(runtime, self.inner.validate(token, requirements))
    }
}

/// Dropping a runtime inside another one would panic: shut it down in the background there.
fn stop(runtime: tokio::runtime::Runtime) {
    if tokio::runtime::Handle::try_current().is_ok() {
        runtime.shutdown_background();
    } else {
        drop(runtime);
    }
}

/// Blocking [`crate::fetch_metadata`] with the default HTTP client.
pub fn fetch_metadata(issuer: &str) -> Result<Environment> {
    let runtime = runtime()?;
    let http = crate::default_http_client()?;
    let result = block_on(&runtime, crate::fetch_metadata(&http, issuer));
    stop(runtime);
    result
}
