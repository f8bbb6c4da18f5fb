//! Executes the `maskinporten` core's flows with [`reqwest`] (rustls, no OpenSSL) and tokio.
//!
//! The core decides everything around the single protocol steps: when a cached token is
//! served, which caller fetches while the others wait, what is retried and after how long
//! (`Retry-After` included), what a failed refresh ahead of expiry means, which token a 401
//! drops, when the issuer's JWKS is fetched, and how a refused API request is answered. This
//! crate carries out the steps:
//! 1. [`TokenProvider::token`] starts a call of the core's [`TokenFlow`] and polls it: it
//!    sends the request the core built ([`Transport`], reqwest by default) and aborts it at the
//!    step's deadline, sleeps the back-off the core asks for, or waits for another caller's
//!    fetch, and reports each outcome back to the core until it says *token* or *fail*.
//! 2. [`TokenProvider::reject`] reports a 401 from an API: the core drops only that token.
//! 3. [`TokenValidator::validate`] runs the core's validation flow for an API provider,
//!    fetching the JWKS when the core says so; [`TokenValidator::rejection`] is the RFC 6750
//!    answer to a refusal, and the [`mod@axum`] module (feature `axum`) sends it.
//! 4. Every event of the flows goes to `tracing` (target `maskinporten`).
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
//! Synchronous programs use [`blocking::TokenProvider`] (feature `blocking`, on by default).
//! Errors are the core's [`Error`]: no answer at all (refused, reset, timeout, TLS) is
//! [`Error::Unavailable`] with `status: None`.
//!
//! [`TokenFlow`]: maskinporten::TokenFlow
//! [`Error`]: maskinporten::Error
//! [`Error::Unavailable`]: maskinporten::Error::Unavailable

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "blocking")]
pub mod blocking;
mod clock;
mod events;
mod metadata;
mod provider;
mod signer;
pub mod store;
mod transport;
mod validator;

pub use clock::{BoxFuture, Clock, SystemClock};
pub use events::EventListener;
pub use maskinporten::{FlowEvent, FlowOptions, RetryPolicy, TransportFailure, ValidatorOptions};
pub use metadata::fetch_metadata;
pub use provider::{Jitter, TokenProvider};
pub use signer::Signer;
pub use transport::{default_http_client, RawResponse, ReqwestTransport, Transport, TransportError};
pub use validator::TokenValidator;

/// The README's Rust blocks run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
