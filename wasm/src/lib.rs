//! WebAssembly binding of the `maskinporten` core, published on npm as `maskinporten`.
//!
//! Thin by design: each exported function converts JS values, calls the core and maps the error
//! (in [`error`], once). The hand-written JS in `js/` adds the WebCrypto signer and the `fetch`
//! adapter; see the README for the API as JS users see it.

mod client;
mod environment;
mod error;
mod http;
mod key;
mod options;
mod token;
mod validated;
mod validator;

pub use client::{CoreClient, PreparedGrant};
pub use environment::Environment;
pub use error::{set_error_class, unavailable_error};
pub use key::{AuthorizationDetail, Key};
pub use token::{parse_token_response, AccessToken, FetchTicket, TokenCache};
pub use validator::{PendingValidation, ValidationRequirements, Validator};

use wasm_bindgen::prelude::*;

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
