//! The admin module (feature `admin`): Digdir's self-service API for clients and keys and the
//! key-rotation planner, as thin conversions of the core's `SelfService`, `parse_*` functions and
//! `RotationPlanner`. Built into its own .wasm (`maskinporten/admin` on npm), so applications
//! that only fetch tokens do not download it.

mod answers;
mod refusal;
mod rotation;
mod selfservice;

pub use answers::{
    parse_client, parse_client_keys, parse_clients, parse_empty, parse_public_scopes, parse_scope_access,
};
pub use rotation::{CoreRotationPlanner, CoreRotationPolicy};
pub use selfservice::{admin_scope, check_admin_signer, check_public_key_set, CoreSelfService};
