//! OTLP traces (feature `otlp`): spans of the service's requests, with the flows' events in
//! them, exported over OTLP/HTTP (protobuf) in batches; flushed when the service stops. Without
//! the feature, asking for them is an error that says how to get them.

use crate::error::{CliError, CliResult};
use tracing_subscriber::EnvFilter;

/// Without the `otlp` feature: refuses, saying how to build with it.
#[cfg(not(feature = "otlp"))]
pub fn init(_filter: EnvFilter, _format: &str, _endpoint: &str) -> CliResult<()> {
    Err(CliError::Usage(
        "--otlp-endpoint needs a build with traces: cargo install --path bindings/cli --features otlp".into(),
    ))
}

/// Without the `otlp` feature there is nothing to flush.
#[cfg(not(feature = "otlp"))]
pub fn shutdown() {}

#[cfg(feature = "otlp")]
static PROVIDER: std::sync::OnceLock<opentelemetry_sdk::trace::SdkTracerProvider> = std::sync::OnceLock::new();

/// Logs as without OTLP, plus spans exported to `endpoint` (`http://collector:4318`; the
/// `/v1/traces` path is added). Call before starting the async runtime: the exporter's HTTP
/// client is a blocking one on the batch processor's own thread.
#[cfg(feature = "otlp")]
pub fn init(filter: EnvFilter, format: &str, endpoint: &str) -> CliResult<()> {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::{SpanExporter, WithExportConfig};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;

    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        return Err(CliError::Usage(format!("--otlp-endpoint {endpoint:?}: give the collector's http(s):// URL")));
    }
    let exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()
        .map_err(|e| CliError::Message(format!("cannot set up the OTLP exporter: {e}")))?;
    let resource = opentelemetry_sdk::Resource::builder().with_service_name("maskinporten-serve").build();
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build();
    let tracer = provider.tracer("maskinporten");
    let _ = PROVIDER.set(provider);
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = match format {
        "text" => logs.boxed(),
        _ => logs.json().flatten_event(true).with_current_span(false).boxed(),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(logs)
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .try_init()
        .map_err(|e| CliError::Message(format!("cannot start logging: {e}")))
}

/// Exports the spans still buffered.
#[cfg(feature = "otlp")]
pub fn shutdown() {
    if let Some(provider) = PROVIDER.get() {
        if let Err(error) = provider.shutdown() {
            eprintln!("warning: OTLP export at shutdown failed: {error}");
        }
    }
}
