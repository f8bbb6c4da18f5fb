//! OTLP traces. Built only with the `otlp` feature; without it, asking for them is an error
//! that says how to get them.

use crate::error::{CliError, CliResult};
use tracing_subscriber::EnvFilter;

/// Without the `otlp` feature: refuses, saying how to build with it.
#[cfg(not(feature = "otlp"))]
pub fn init(_filter: EnvFilter, _format: &str, endpoint: &str) -> CliResult<()> {
    let _ = endpoint;
    Err(CliError::Usage(
        "--otlp-endpoint needs a build with traces: cargo install --path bindings/cli --features otlp".into(),
    ))
}
