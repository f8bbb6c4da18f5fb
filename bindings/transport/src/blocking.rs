//! Synchronous twins of [`crate::TokenProvider`] and [`crate::TokenValidator`], for programs
//! without an async runtime (such as the CLI).
//!
//! They drive the async types on a small private runtime (one worker thread), so the core's
//! flows run exactly the same. Calling them from inside an async runtime also works (the call
//! runs on a helper thread), but async code should use the async types directly.
//!
//! ```no_run
//! use maskinporten::{Client, Environment, GrantOptions, Key};
//! # fn run(key: Key) -> Result<(), maskinporten::Error> {
//! let client = Client::new("my-client-id", key, Environment::test())?;
//! let provider = maskinporten_transport::blocking::TokenProvider::new(client)?;
//! let token = provider.token(&GrantOptions::new(["skatteetaten:medhjemmel"]))?;
//! # let _ = token; Ok(()) }
//! ```

use maskinporten::{
    AccessToken, AltinnExchange, Client, Environment, Error, FlowEvent, FlowOptions, GrantOptions, Rejection,
    Requirements, Result, RetryPolicy, ValidatedToken, Validator,
};
use std::future::Future;

/// The blocking twin of [`crate::TokenProvider`]; same methods without `async`.
#[derive(Debug)]
pub struct TokenProvider {
    inner: crate::TokenProvider,
    runtime: OwnedRuntime,
}

impl TokenProvider {
    /// A provider with the core's default flow settings and the default HTTP client.
    pub fn new(client: Client) -> Result<TokenProvider> {
        TokenProvider::from_async(crate::TokenProvider::new(client)?)
    }

    /// Wraps an async provider built with any of its options (transport, clock, signer...).
    pub fn from_async(inner: crate::TokenProvider) -> Result<TokenProvider> {
        Ok(TokenProvider { inner, runtime: OwnedRuntime(Some(runtime()?)) })
    }

    /// The flow's settings, checked by the core (see [`crate::TokenProvider::with_options`]).
    pub fn with_options(mut self, options: &FlowOptions) -> Result<TokenProvider> {
        self.inner = self.inner.with_options(options)?;
        Ok(self)
    }

    /// Sends with your (async) reqwest client.
    pub fn with_http_client(mut self, http: reqwest::Client) -> TokenProvider {
        self.inner = self.inner.with_http_client(http);
        self
    }

    /// Also hands every flow event to `listener` (see [`crate::TokenProvider::with_event_listener`]).
    pub fn with_event_listener(mut self, listener: impl Fn(&FlowEvent) + Send + Sync + 'static) -> TokenProvider {
        self.inner = self.inner.with_event_listener(listener);
        self
    }

    /// The core client.
    pub fn client(&self) -> &Client {
        self.inner.client()
    }

    /// The flow's retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry_policy()
    }

    /// A token for `options` (see [`crate::TokenProvider::token`]).
    pub fn token(&self, options: &GrantOptions) -> Result<AccessToken> {
        block_on(self.runtime.get()?, self.inner.token(options))
    }

    /// Reports that an API answered 401 to this token (see [`crate::TokenProvider::reject`]).
    pub fn reject(&self, options: &GrantOptions, rejected_access_token: &str) -> bool {
        self.inner.reject(options, rejected_access_token)
    }

    /// An Altinn token for `options` exchanged at `exchange` (see
    /// [`crate::TokenProvider::altinn_token`]).
    pub fn altinn_token(&self, options: &GrantOptions, exchange: &AltinnExchange) -> Result<AccessToken> {
        block_on(self.runtime.get()?, self.inner.altinn_token(options, exchange))
    }

    /// Reports that an API answered 401 to this Altinn token (see
    /// [`crate::TokenProvider::reject_altinn`]).
    pub fn reject_altinn(
        &self,
        options: &GrantOptions,
        exchange: &AltinnExchange,
        rejected_altinn_token: &str,
    ) -> bool {
        self.inner.reject_altinn(options, exchange, rejected_altinn_token)
    }
}

/// The blocking twin of [`crate::TokenValidator`].
#[derive(Debug)]
pub struct TokenValidator {
    inner: crate::TokenValidator,
    runtime: OwnedRuntime,
}

impl TokenValidator {
    /// Executes `validator` with the default HTTP client.
    pub fn new(validator: Validator) -> Result<TokenValidator> {
        TokenValidator::from_async(crate::TokenValidator::new(validator)?)
    }

    /// Wraps an async validator built with any of its options.
    pub fn from_async(inner: crate::TokenValidator) -> Result<TokenValidator> {
        Ok(TokenValidator { inner, runtime: OwnedRuntime(Some(runtime()?)) })
    }

    /// Validates `authorization_or_token` now (see [`crate::TokenValidator::validate`]).
    pub fn validate(&self, authorization_or_token: &str, requirements: &Requirements) -> Result<ValidatedToken> {
        block_on(self.runtime.get()?, self.inner.validate(authorization_or_token, requirements))
    }

    /// The HTTP answer to a refused request (see [`crate::TokenValidator::rejection`]).
    pub fn rejection(&self, error: &Error, requirements: &Requirements) -> Rejection {
        self.inner.rejection(error, requirements)
    }
}

/// Blocking [`crate::fetch_metadata`] with the default HTTP client.
pub fn fetch_metadata(issuer: &str) -> Result<Environment> {
    let runtime = OwnedRuntime(Some(runtime()?));
    let http = crate::default_http_client()?;
    block_on(runtime.get()?, crate::fetch_metadata(&http, issuer))
}

/// The private runtime; dropping it inside another runtime shuts it down in the background
/// (a plain drop there would panic).
#[derive(Debug)]
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl OwnedRuntime {
    fn get(&self) -> Result<&tokio::runtime::Runtime> {
        self.0.as_ref().ok_or_else(|| Error::unavailable("the HTTP runtime has stopped"))
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                drop(runtime);
            }
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
