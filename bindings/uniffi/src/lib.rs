//! uniffi bindings (Kotlin/JVM, Swift) over the `maskinporten` core.
//!
//! Thin by design: each item converts its arguments, calls the core and maps the result and the
//! error ([`MaskinportenError`], mapped once in `error.rs`). The call order is the core's:
//! 1. `client.tokenRequest(options, now)` (or `tokenRequestWithSigner` with an [`ExternalSigner`]),
//! 2. send it with the platform's HTTP client,
//! 3. `client.parseTokenResponse(status, body, contentType, now)`,
//! 4. keep the token in a [`TokenCache`] until its refresh time.
//!
//! Generate the foreign sources with this crate's own binary, in library mode:
//! `cargo run -p maskinporten-uniffi --bin uniffi-bindgen -- generate --library target/debug/libmaskinporten_uniffi.so --language kotlin --out-dir OUT`.

// The FFI error carries the same eight fields on every variant (read without a cast in Kotlin and
// Swift); errors are rare, so its size on the error path does not matter.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

mod cache;
mod client;
mod environment;
mod error;
mod key;
mod options;
mod request;
mod signer;
mod token;
mod validator;

pub use cache::{CacheLookup, FetchTicket, TokenCache};
pub use client::Client;
pub use environment::{metadata_request, Environment};
pub use error::{transport_error, MaskinportenError};
pub use key::{CertificateInfo, Key};
pub use options::{
    algorithm_from_name, algorithm_name, authorization_details_from_json, Algorithm, AuthorizationDetail, GrantOptions,
    Resource, X5c,
};
pub use request::{Header, HttpRequest};
pub use signer::{ExternalSigner, PreparedGrant};
pub use token::{parse_token_response, unix_now, AccessToken};
pub use validator::{Authorization, Organisation, Requirements, ScopeMatch, ValidatedToken, Validator};

/// The crypto backend the core was built with (`aws-lc-rs` here).
#[uniffi::export]
pub fn crypto_backend() -> String {
    maskinporten::BACKEND.to_string()
}
