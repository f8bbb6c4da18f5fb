//! What `maskinporten simulator [--config FILE] [--port N] [--state FILE]` runs.

use std::io::Write;
use std::path::Path;

use crate::config::SimulatorConfig;
use crate::server::{Simulator, SimulatorError};

/// Loads the config (or an empty one), starts on `127.0.0.1:port` (0 = ephemeral), prints the
/// ready line (see the README) on stdout, and serves until SIGINT/SIGTERM. Blocking.
pub fn run(config: Option<&Path>, port: u16) -> Result<(), SimulatorError> {
    run_with_state(config, port, None)
}

/// [`run`], keeping the self-service API's state in `state` (loaded at start when the file
/// exists, saved after every change; a relative path is relative to the current folder).
pub fn run_with_state(config: Option<&Path>, port: u16, state: Option<&Path>) -> Result<(), SimulatorError> {
    let mut config = match config {
        Some(p) => SimulatorConfig::from_file(p)?,
        None => SimulatorConfig::default(),
    };
    if let Some(state) = state {
        let absolute = std::path::absolute(state).map_err(|e| SimulatorError::Startup(format!("--state: {e}")))?;
        config.self_service.state_file = Some(absolute);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| SimulatorError::Startup(e.to_string()))?;
    rt.block_on(async move {
        let sim = Simulator::start(config, port).await?;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", sim.ready_line());
        let _ = out.flush();
        drop(out);
        wait_for_signal().await;
        sim.shutdown().await;
        Ok(())
    })
}

pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
