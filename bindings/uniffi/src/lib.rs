//! uniffi bindings (Kotlin/JVM, Swift) over the `maskinporten` core.
//!
//! Thin by design: each item converts its arguments, calls the core and maps the result and the
//! error ([`MaskinportenError`], mapped once in `error.rs`). The core's plain value types
//! (`ErrorKind`, `Algorithm`, `X5c`, `ScopeMatch`, `TransportFailure`, `EventLevel`,
//! `FlowOptions`, `ValidatorOptions`, `CertificateInfo`, `Organisation`) are derived in the core
//! under its `uniffi` feature, not mirrored here.
//!
//! The flows are the core's and the foreign executors (`TokenProvider`, `TokenValidator` in
//! Kotlin and Swift) drive them:
//! - [`TokenFlow`]: `key(options)` once, then `start` -> `poll` until a token, sending, signing,
//!   sleeping or waiting as each step says and reporting back with `handle*`.
//! - [`Validator`] -> [`Guard`] (bound to one set of [`Requirements`]): `begin` -> `Valid` or
//!   `Refused` (with the core's [`Rejection`]), or fetch the JWKS / wait and `poll`.
//!
//! Generate the foreign sources with this crate's own binary, in library mode:
//! `cargo run -p maskinporten-uniffi --bin uniffi-bindgen -- generate --library target/debug/libmaskinporten_uniffi.so --language kotlin --out-dir OUT`.

// The FFI error carries the same eight fields on every variant (read without a cast in Kotlin and
// Swift); errors are rare, so its size on the error path does not matter.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

mod altinn;
mod altinn_requirements;
mod claims;
mod client;
mod environment;
mod error;
mod flow;
mod key;
mod options;
mod redacted;
mod request;
mod selfservice;
mod signer;
mod token;
mod validator;

pub use altinn::AltinnExchange;
pub use altinn_requirements::{ConsentRequirement, SystemUserRequirement};
pub use claims::{bearer_token, check_requirements, Authorization, Rejection, Requirements, ValidatedToken};
pub use client::Client;
pub use environment::{metadata_request, Environment};
pub use error::{error_kind_name, error_kinds, FieldError, MaskinportenError};
pub use flow::{FlowEvent, TokenCall, TokenFlow, TokenKey, TokenStep};
pub use key::Key;
pub use options::{
    algorithm_from_name, algorithm_name, authorization_details_from_json, AuthorizationDetail, GrantOptions, Resource,
};
pub use request::{Header, HttpRequest};
pub use selfservice::{
    admin_scope_name, check_admin_client, check_public_key_set, max_registered_keys, parse_client, parse_client_keys,
    parse_clients, parse_empty, parse_public_scopes, parse_scope_access, self_service_scope, RotationPlanner,
    RotationPolicy, SelfService,
};
pub use signer::{ExternalSigner, PreparedGrant};
pub use token::{parse_token_response, unix_now, AccessToken};
pub use validator::{guard_begin, Guard, ValidationCall, ValidationStep, Validator};

/// The crypto backend the core was built with (`aws-lc-rs` here).
#[uniffi::export]
pub fn crypto_backend() -> String {
    maskinporten::BACKEND.to_string()
}
