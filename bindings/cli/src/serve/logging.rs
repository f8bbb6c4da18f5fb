//! Logs: structured JSON lines on stderr (or text), filtered by `MASKINPORTEN_LOG` (default
//! `info`); traces over OTLP with the `otlp` feature. The flows' events arrive through
//! `tracing` (target `maskinporten`) and never carry a token, a grant or a key.

use crate::error::{CliError, CliResult};
use tracing_subscriber::EnvFilter;

/// Installs the subscriber. `otlp_endpoint` needs the `otlp` feature.
pub fn init(format: &str, otlp_endpoint: Option<&str>) -> CliResult<()> {
    let filter = EnvFilter::try_from_env("MASKINPORTEN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    if let Some(endpoint) = otlp_endpoint {
        return super::otlp::init(filter, format, endpoint);
    }
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = match format {
        "text" => builder.try_init(),
        _ => builder.json().flatten_event(true).with_current_span(false).try_init(),
    };
    installed.map_err(|e| CliError::Message(format!("cannot start logging: {e}")))
}
