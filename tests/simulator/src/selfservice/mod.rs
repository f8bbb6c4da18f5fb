//! Digdir's self-service API for clients and their keys, simulated at `{base}api/v1`.
//!
//! The API's view of clients and key sets ([`directory`]) is authoritative; a change reaches the
//! token endpoint at once or after `[self_service] propagation_delay`. Callers authenticate with
//! the simulator's own access tokens for the admin scopes ([`auth`]); a key set is checked as
//! Digdir checks it ([`jwks`]); the state can live in a file ([`state_file`]).

// A refusal is the whole HTTP answer (`Result<_, Response>`), built once on a cold path.
#![allow(clippy::result_large_err)]

mod auth;
pub(crate) mod config;
pub(crate) mod directory;
mod jwks;
pub(crate) mod routes;
mod state_file;
mod time;

pub use config::SelfServiceConfig;
