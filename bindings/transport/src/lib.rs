//! The HTTP half of the `maskinporten` core: sends its [`TokenRequest`]s with
//! [`reqwest`] (rustls, no OpenSSL) and hands the answers back to the core.
//!
//! The core builds the grant, reads the answer and decides when a token must be refreshed; this
//! crate only moves bytes, with the core's [`TokenCache`] in front:
//! 1. [`TokenProvider::token`] looks the token up in the cache (one caller per key fetches,
//!    the others wait for it or keep using the still-valid token),
//! 2. builds the token request with [`Client::token_request`] (a fresh `jti` per attempt),
//! 3. posts it with reqwest and passes status, content type and body to
//!    [`Client::parse_token_response`],
//! 4. retries only what [`Error::is_retryable`] says (5xx, 429, transport failures mapped with
//!    [`Error::unavailable`]) with exponential backoff and jitter, within a total deadline
//!    ([`RetryPolicy`]).
//!
//! ```no_run
//! use maskinporten::{Client, Environment, GrantOptions, Key};
//! use maskinporten_transport::TokenProvider;
//! # async fn run() -> Result<(), maskinporten::Error> {
//! let p12 = std::fs::read("client.p12").map_err(|e| maskinporten::Error::unavailable(e.to_string()))?;
//! let password = std::env::var("P12_PASSWORD").unwrap_or_default();
//! let key = Key::from_pkcs12(&p12, &password, None)?;
//! let client = Client::new("my-client-id", key, Environment::test())?;
//! let provider = TokenProvider::new(client)?;
//! let token = provider.token(&GrantOptions::new(["skatteetaten:medhjemmel"])).await?;
//! println!("Authorization: Bearer {}", token.access_token());
//! # Ok(()) }
//! ```
//!
//! API providers validate incoming tokens with [`TokenValidator`], which fetches the issuer's
//! JWKS when the core's validator asks.
//!
//! Synchronous programs use [`blocking::TokenProvider`] (feature `blocking`, on by default).
//! Errors are the core's [`Error`]: a refused connection or a timeout is
//! [`Error::Unavailable`] with `status: None`.
//!
//! [`TokenRequest`]: maskinporten::TokenRequest
//! [`TokenCache`]: maskinporten::TokenCache
//! [`Client::token_request`]: maskinporten::Client::token_request
//! [`Client::parse_token_response`]: maskinporten::Client::parse_token_response
//! [`Client`]: maskinporten::Client
//! [`Error`]: maskinporten::Error
//! [`Error::is_retryable`]: maskinporten::Error::is_retryable
//! [`Error::unavailable`]: maskinporten::Error::unavailable
//! [`Error::Unavailable`]: maskinporten::Error::Unavailable

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod provider;
mod retry;
mod send;
mod validator;

pub use provider::TokenProvider;
pub use retry::{RetryEvent, RetryPolicy};
pub use send::{default_http_client, fetch_metadata, send_request, send_token_request, RawResponse};
pub use validator::TokenValidator;

/// The README's Rust blocks run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
