//! A sans-IO client for [Maskinporten], Digdir's OAuth2 server for machine-to-machine access to
//! Norwegian public APIs.
//!
//! The crate builds and signs the JWT grant (RFC 7523) with the enterprise certificate
//! (virksomhetssertifikat) or a registered key, builds the token request, reads the answer and
//! decides when a cached token must be refreshed. It does no I/O: it reads no clock, no
//! environment variable and no file, and opens no socket. Time (`now`, Unix seconds) and, in
//! tests, the `jti` come in as values; your HTTP client does the sending.
//!
//! # Call order
//! The single steps, for hosts that want them:
//! 1. Build the token request: [`Client::token_request`] (or [`Client::prepare_grant`] then
//!    [`PreparedGrant::finish`] and [`Client::token_request_for_assertion`] when the key lives in
//!    an HSM, a cloud KMS or WebCrypto).
//! 2. Send it with your HTTP client: `POST` the `body` to `url` with the `headers`.
//! 3. Hand the status, body and content type to [`Client::parse_token_response`]: you get an
//!    [`AccessToken`] or a typed [`Error`] (an OAuth error carries its `MP-nnn` code and a hint).
//!
//! Around them, the **flows** decide everything else, the same for every host: [`TokenFlow`]
//! (cache, single flight, retries with `Retry-After`, refresh ahead of expiry, 401s, the Altinn
//! exchange) and the validation flow of [`Validator`] (JWKS schedule, single flight, RFC 6750
//! answers through [`Rejection`]). A host asks a flow for the next step and reports what
//! happened; see their docs for the call order.
//!
//! ```
//! use maskinporten::{Client, Environment, GrantOptions, HttpResponse, Key, TokenFlow, TokenStep};
//! # fn send(_: &maskinporten::TokenRequest) -> (u16, Vec<u8>) {
//! #     (200, br#"{"access_token":"eyJraWQiOi...","token_type":"Bearer","expires_in":120,"scope":"test:scope.read"}"#.to_vec())
//! # }
//! # fn main() -> Result<(), maskinporten::Error> {
//! # let p12_bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/client.p12")).unwrap();
//! let key = Key::from_pkcs12(&p12_bytes, "vector-password", None)?;
//! let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::test())?;
//! let options = GrantOptions::new(["test:scope.read"]);
//! let mut flow = TokenFlow::new();
//! let now_ms = 1_767_225_600_000; // the host's clock, Unix milliseconds
//!
//! let mut call = flow.call(client.cache_key(&options), now_ms);
//! let token = loop {
//!     match flow.poll(&mut call, &client, &options, now_ms) {
//!         TokenStep::Token(token) => break token,
//!         TokenStep::Send { request, .. } => {
//!             let (status, body) = send(&request); // your HTTP client
//!             flow.handle_response(&mut call, &client, HttpResponse::new(status, &body), now_ms, 0.5);
//!         }
//!         TokenStep::Fail(error) => return Err(error),
//!         other => unreachable!("one caller and a working server: {other:?}"),
//!     }
//! };
//! assert_eq!(token.token_type(), "Bearer");
//! # Ok(()) }
//! ```
//!
//! # Features
//! - `ring` (default): portable RSA, builds for `wasm32-unknown-unknown`.
//! - `aws-lc-rs`: AWS-LC's RSA, about twice as fast natively; wins when both are on.
//!
//! [Maskinporten]: https://docs.digdir.no/docs/Maskinporten/

// The `uniffi` feature's generated FFI scaffolding is `unsafe` by nature (extern "C" functions);
// the core's own code stays free of it, checked by every build without that feature.
#![cfg_attr(not(feature = "uniffi"), forbid(unsafe_code))]
#![warn(missing_docs)]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

mod algorithm;
mod altinn;
mod authorization;
mod cache;
mod client;
mod crypto;
mod endpoint_url;
mod environment;
mod error;
mod error_kind;
mod flow;
mod grant;
mod hints;
mod identifiers;
mod key;
mod options;
mod redact;
mod request;
mod response;
mod selfservice;
mod snippet;
mod time;
mod validator;

/// Internal parsers for the differential fuzz targets in `core/fuzz`: not part of the API, no
/// stability promise, only with the `fuzzing` feature (never enabled by default or by a binding).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::key::fuzz::*;
    pub use crate::validator::fuzz::*;
}

pub use algorithm::Algorithm;
pub use altinn::{AltinnExchange, AltinnPlatform};
pub use authorization::{AuthorizationDetail, CONSENT_TYPE, SYSTEM_USER_TYPE};
pub use cache::CacheKey;
pub use client::{Client, X5c, MAX_GRANT_LIFETIME};
pub use crypto::BACKEND;
pub use environment::Environment;
pub use error::{Error, ErrorKind, OAuthError, Result};
pub use flow::{
    EventLevel, FlowEvent, FlowOptions, HttpResponse, RetryPolicy, TokenCall, TokenFlow, TokenStep, TransportFailure,
};
pub use grant::PreparedGrant;
pub use identifiers::{is_valid_org_number, is_valid_pid};
pub use key::{CertificateInfo, Key};
pub use options::{GrantOptions, Resource};
pub use request::{HttpRequest, TokenRequest, JWT_BEARER_GRANT_TYPE};
pub use response::{parse_token_response, AccessToken, MAX_EXPIRES_IN};
pub use selfservice::{
    check_admin_client, check_admin_signer, check_public_key_set, parse_client, parse_client_keys, parse_clients,
    parse_empty, parse_public_scopes, parse_scope_access, AdminScope, ClientKeys, ClientUpdate, NewClient, PublicScope,
    RegisteredClient, RegisteredKey, RotationAction, RotationPlanner, RotationPolicy, ScopeAccess, SelfService,
    SelfServiceCall, SelfServiceError, MAX_REGISTERED_KEYS,
};
pub use time::{format_utc, unix_now};
pub use validator::{
    bearer_token, Authorization, ConsentRequirement, Organisation, Rejection, Requirements, ScopeMatch,
    SystemUserRequirement, ValidatedToken, ValidationCall, ValidationStep, Validator, ValidatorOptions,
    ISO6523_AUTHORITY, MAX_TOKEN_BYTES,
};
#[cfg(feature = "platform-crypto")]
pub use validator::{PendingValidation, UnverifiedOutcome};
