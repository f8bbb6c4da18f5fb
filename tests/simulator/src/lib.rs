//! A strict local Maskinporten for tests and demos.
//!
//! It serves `/.well-known/oauth-authorization-server`, `/token` and `/jwk` on loopback,
//! validates each JWT-bearer grant the way Digdir documents it (ordered checks, each failing
//! with Maskinporten's JSON error and `MP-nnn` code), issues RS256 access tokens with
//! Maskinporten's claims, injects faults on request and counts what it saw.
//!
//! Grant verification uses AWS-LC and x509-parser directly, never the `maskinporten` core, so
//! the simulator catches the core's mistakes.
//!
//! ```no_run
//! use maskinporten_simulator::{FaultKind, FaultSpec, Simulator, SimulatorConfig};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = SimulatorConfig::from_file("tests/simulator/e2e.toml")?;
//! let sim = Simulator::start(config, 0).await?;          // ephemeral port on 127.0.0.1
//! println!("{}", sim.token_endpoint());
//! sim.inject_fault(FaultSpec::new(FaultKind::Status).with_status(503).with_count(1))?;
//! // ... run a client against sim.issuer() ...
//! assert_eq!(sim.stats().requests, 0);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod altinn;
pub mod certs;
pub mod cli;
mod config;
mod config_altinn;
mod crypto;
mod details;
mod eseal;
mod faults;
mod registry;
mod selfservice;
mod server;
mod validate;

pub use config::{
    ClientConfig, ConfigError, DelegationConfig, KeyConfig, ScopeConfig, SimulatorConfig, SimulatorConfigBuilder,
    SystemUserConfig,
};
pub use config_altinn::{AltinnConfig, ConsentConfig, EsealConfig, EsealConsumerConfig, ServiceOwnerConfig};
pub use crypto::valid_org_number;
pub use faults::{FaultKind, FaultSpec, Stats};
pub use selfservice::SelfServiceConfig;
pub use server::{Bind, BlockingSimulator, Simulator, SimulatorError};
pub use validate::Rejection;

/// The README's Rust blocks run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
