//! Altinn 3's token exchange: a Maskinporten token traded for an Altinn token (sans-IO).
//!
//! `GET {platform}/authentication/api/v1/exchange/maskinporten` with the Maskinporten token as
//! bearer; the answer is the Altinn JWT as plain text, whose own `exp` says when it expires.
//! [`crate::TokenFlow::call_exchanged`] runs it as a second stage of the token flow, with the
//! same cache, single flight, retries and refresh rules.

mod exchange;
mod platform;

pub use exchange::AltinnExchange;
pub use platform::AltinnPlatform;
