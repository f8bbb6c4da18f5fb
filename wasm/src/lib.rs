//! WebAssembly binding of the `maskinporten` core, published on npm as `maskinporten`.
//!
//! Thin by design: each exported function checks and converts JS values, calls the core and maps
//! the error (in [`error`], once). The core's flows decide everything around the single steps;
//! the hand-written JS in `js/` executes them (`fetch`, the platform's RSA, timers). Classes
//! named `Core*` are internal to the JS layer and not re-exported by the package.
//!
//! Two modules come from this crate: the main one (feature `main`, the default) and the admin
//! module (feature `admin`, built alone: the self-service API and the rotation planner, in
//! [`admin`]), so the main module does not grow with the admin API.

#[cfg(feature = "admin")]
pub mod admin;
#[cfg(feature = "main")]
mod altinn;
#[cfg_attr(not(feature = "main"), allow(dead_code))]
mod args;
#[cfg(feature = "main")]
mod client;
#[cfg(feature = "main")]
mod environment;
#[cfg_attr(not(feature = "main"), allow(dead_code))]
mod error;
#[cfg(feature = "main")]
mod events;
#[cfg(feature = "main")]
mod flow;
#[cfg_attr(not(feature = "main"), allow(dead_code))]
mod http;
#[cfg(feature = "main")]
mod key;
#[cfg(feature = "main")]
mod options;
#[cfg(feature = "main")]
mod rejection;
#[cfg(feature = "main")]
mod requirements;
#[cfg(feature = "main")]
mod token;
#[cfg(feature = "main")]
mod validated;
#[cfg(feature = "main")]
mod validation;
#[cfg(feature = "main")]
mod validator;

#[cfg(feature = "main")]
pub use altinn::CoreAltinn;
#[cfg(feature = "main")]
pub use client::{CoreClient, PreparedGrant};
#[cfg(feature = "main")]
pub use environment::Environment;
pub use error::{error_kinds, set_error_class};
#[cfg(feature = "main")]
pub use flow::{CoreTokenCall, CoreTokenFlow};
#[cfg(feature = "main")]
pub use key::{AuthorizationDetail, Key};
#[cfg(feature = "main")]
pub use options::CoreGrant;
#[cfg(feature = "main")]
pub use rejection::{bearer_token, misconfigured_rejection};
#[cfg(feature = "main")]
pub use requirements::ValidationRequirements;
#[cfg(feature = "main")]
pub use token::{parse_token_response, AccessToken};
#[cfg(feature = "main")]
pub use validation::CoreValidation;
#[cfg(feature = "main")]
pub use validator::CoreValidator;

// Talc instead of the default dlmalloc: smaller in the module and faster (wasm32 only; the
// binding is single-threaded).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
