//! Digdir's self-service API for Maskinporten clients and their keys (sans-IO).
//!
//! Request builders and answer parsers, in the style of the token request: the host sends what
//! a `*_request` method returns and hands the answer to the matching `parse_*` function. The
//! caller authenticates with an ordinary Maskinporten access token for the admin scopes
//! ([`AdminScope`]), obtained by an **admin client that signs with the enterprise certificate**
//! (`x5c`; [`check_admin_client`]), asking for the least scope each call needs
//! ([`SelfServiceCall::scope`]).
//!
//! [`RotationPlanner`] decides when to publish a new key, switch signing to it and remove the
//! old one, from the client's registered keys alone, so a rotation run is idempotent.
//!
//! ```
//! use maskinporten::{Environment, SelfService, NewClient};
//! let api = SelfService::for_environment(&Environment::test())?;
//! let request = api.create_client_request("admin-token", &NewClient::new("My integration", "Reads the register", ["brreg:losore/utlegg"]))?;
//! assert_eq!(request.url, "https://api.test.samarbeid.digdir.no/api/v1/clients");
//! # Ok::<(), maskinporten::Error>(())
//! ```

mod api;
mod error;
mod jwk_set;
mod parse;
mod rotation;
mod types;

pub use api::{check_admin_client, check_admin_signer, AdminScope, SelfService, SelfServiceCall};
pub use error::SelfServiceError;
pub use jwk_set::{check_public_key_set, MAX_REGISTERED_KEYS};
pub use parse::{parse_client, parse_client_keys, parse_clients, parse_empty, parse_public_scopes, parse_scope_access};
pub use rotation::{RotationAction, RotationPlanner, RotationPolicy};
pub use types::{ClientKeys, ClientUpdate, NewClient, PublicScope, RegisteredClient, RegisteredKey, ScopeAccess};
