//! `maskinporten serve`: a token service next to a workload, for programs in any language.
//!
//! It speaks NAV texas's API (`POST /api/v1/token`, `POST /api/v1/introspect`) plus the fields
//! texas lacks (`consumer_org`, `authorization_details`, `altinn`), and is one more executor of
//! the core's flows: each client's [`maskinporten_transport::TokenProvider`] runs the core's
//! token flow (cache, single flight, retries, refresh ahead of expiry), optionally sharing
//! tokens with other replicas through a Redis store; introspection runs the core's validation
//! flow. Metrics come from the flows' events.
//!
//! One file per concept: [`config`] (TOML and environment), [`listen`] (loopback policy),
//! [`auth`] (callers' bearer keys), [`clients`], [`request`] (JSON or form bodies),
//! [`token`], [`introspect`], [`health`], [`problem`] (error answers), [`metrics`], [`app`]
//! (routes and layers), [`server`] (connections), [`logging`] and [`otlp`].

mod app;
mod auth;
mod clients;
mod config;
mod health;
mod introspect;
mod listen;
mod logging;
mod metrics;
mod otlp;
mod problem;
mod request;
mod server;
mod state;
mod token;

use crate::args::ServeArgs;
use crate::error::{CliError, CliResult};
use maskinporten_transport::store::{RedisStore, RedisStoreOptions, TokenStore};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// Days of certificate validity below which `/readyz` fails, by default.
const DEFAULT_CERT_MIN_DAYS: i64 = 14;

/// Runs the service until SIGTERM or SIGINT.
pub fn run(args: &ServeArgs) -> CliResult<()> {
    let config = config::ServiceConfig::load(args)?;
    let keys = config.api_keys_file.as_deref().map(auth::ApiKeys::load).transpose()?;
    let listen = config.listen.as_deref().unwrap_or(listen::DEFAULT_LISTEN);
    let address = listen::check(listen, config.allow_non_loopback, keys.is_some())?;
    logging::init(config.log_format.as_deref().unwrap_or("json"), config.otlp_endpoint.as_deref())?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Message(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let metrics = Arc::new(metrics::Metrics::new());
        let store = match config.store_secrets()? {
            Some((url, key)) => {
                let settings = config.store.clone().unwrap_or_default();
                let mut options = RedisStoreOptions::default();
                if let Some(prefix) = settings.prefix {
                    options.prefix = prefix;
                }
                if let Some(ms) = settings.timeout_ms {
                    options.timeout = Duration::from_millis(ms.max(1));
                }
                Some(Arc::new(RedisStore::new(&url, &key, options)?))
            }
            None => None,
        };
        let shared: Option<Arc<dyn TokenStore>> = store.clone().map(|s| s as Arc<dyn TokenStore>);
        let clients = clients::Clients::load(&config.clients, &config.flow, shared, &metrics)?;
        let state = Arc::new(state::AppState {
            clients,
            metrics,
            store,
            keys,
            cert_min_days: config.cert_min_days.unwrap_or(DEFAULT_CERT_MIN_DAYS),
        });
        state.sample(maskinporten::unix_now());
        if let Some(store) = &state.store {
            if let Err(error) = store.ping().await {
                tracing::warn!(
                    "shared store: {error}; starting anyway, each replica fetches for itself until it answers"
                );
            }
        }
        let router = app::router(state.clone(), &config.limits);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| CliError::Message(format!("cannot listen on {address}: {e}")))?;
        let bound = listener.local_addr().map_err(|e| CliError::Message(format!("cannot listen on {address}: {e}")))?;
        ready_line(&bound, &state);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(server::signals(stop));
        let limits = server::ConnectionLimits {
            max_connections: config.limits.max_connections,
            header_timeout: Duration::from_millis(config.limits.header_timeout_ms.max(1)),
        };
        server::serve(listener, router, limits, stopped).await;
        tracing::info!("stopped");
        Ok::<(), CliError>(())
    })?;
    // Outside the runtime: the exporter's client blocks.
    otlp::shutdown();
    Ok(())
}

/// One JSON line on stdout once the port accepts connections (what test harnesses wait for).
fn ready_line(bound: &std::net::SocketAddr, state: &state::AppState) {
    let clients: Vec<&str> = state.clients.iter().map(|c| c.name.as_str()).collect();
    let line = serde_json::json!({
        "listen": bound.to_string(),
        "port": bound.port(),
        "url": format!("http://{bound}"),
        "clients": clients,
        "store": state.store.as_ref().map_or("none", |_| "redis"),
        "authentication": state.keys.is_some(),
    });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    tracing::info!(listen = %bound, "serving");
}
