//! WebAssembly binding of the `maskinporten` core, published on npm as `maskinporten`.
//!
//! Thin by design: each exported function checks and converts JS values, calls the core and maps
//! the error (in [`error`], once). The core's flows decide everything around the single steps;
//! the hand-written JS in `js/` executes them (`fetch`, the platform's RSA, timers). Classes
//! named `Core*` are internal to the JS layer and not re-exported by the package.

mod altinn;
mod args;
mod client;
mod environment;
mod error;
mod events;
mod flow;
mod http;
mod key;
mod options;
mod rejection;
mod requirements;
mod token;
mod validated;
mod validation;
mod validator;

pub use altinn::CoreAltinn;
pub use client::{CoreClient, PreparedGrant};
pub use environment::Environment;
pub use error::{error_kinds, set_error_class};
pub use flow::{CoreTokenCall, CoreTokenFlow};
pub use key::{AuthorizationDetail, Key};
pub use options::CoreGrant;
pub use rejection::{bearer_token, misconfigured_rejection};
pub use requirements::ValidationRequirements;
pub use token::{parse_token_response, AccessToken};
pub use validation::CoreValidation;
pub use validator::CoreValidator;

// Talc instead of the default dlmalloc: smaller in the module and faster (wasm32 only; the
// binding is single-threaded).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
