//! `maskinporten grant` and `maskinporten token`.

use crate::args::{GrantArgs, TokenArgs};
use crate::credentials;
use crate::error::{CliError, CliResult};
use maskinporten::{AltinnExchange, AltinnPlatform};
use maskinporten_transport::blocking::TokenProvider;
use maskinporten_transport::FlowEvent;
use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

/// Prints a signed grant.
pub fn grant(args: &GrantArgs) -> CliResult<()> {
    let request = credentials::from_args(args)?;
    let jwt = request.client.grant(&request.options, maskinporten::unix_now(), None)?;
    println!("{jwt}");
    Ok(())
}

/// Posts a grant and prints the access token (or, with --json, the response and its expiry).
pub fn token(args: &TokenArgs) -> CliResult<()> {
    let request = credentials::from_args(&args.grant)?;
    let exchange = if args.altinn { Some(altinn_exchange(args, request.client.environment())?) } else { None };
    for warning in request.options.warnings() {
        eprintln!("maskinporten: warning: {warning}");
    }
    let endpoint = match &exchange {
        Some(exchange) => {
            format!("{} (Altinn: {})", request.client.environment().token_endpoint(), exchange.platform().base())
        }
        None => request.client.environment().token_endpoint().to_string(),
    };
    let provider = TokenProvider::new(request.client)?;
    let max_attempts = provider.retry_policy().max_attempts();
    let provider = provider.with_event_listener(move |event| progress(event, max_attempts));
    let token = {
        let _ticker = Ticker::start(endpoint);
        match &exchange {
            Some(exchange) => provider.altinn_token(&request.options, exchange)?,
            None => provider.token(&request.options)?,
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "access_token": token.access_token(),
            "token_type": token.token_type(),
            "expires_in": token.expires_in(),
            "scope": token.scope(),
            "issued_at": token.issued_at(),
            "expires_at": token.expires_at(),
            "expires_at_utc": maskinporten::format_utc(token.expires_at()),
        });
        let _ = writeln!(out, "{json:#}");
    } else {
        let _ = writeln!(out, "{}", token.access_token());
    }
    Ok(())
}

/// The exchange `--altinn`, `--altinn-env` and `--altinn-test-org` ask for.
fn altinn_exchange(args: &TokenArgs, environment: &maskinporten::Environment) -> CliResult<AltinnExchange> {
    let platform = match &args.altinn_env {
        Some(name) => AltinnPlatform::from_name(name)?,
        None => AltinnPlatform::for_environment(environment).map_err(|_| {
            CliError::Usage(format!(
                "--altinn with --env {} needs --altinn-env (tt02, prod or the platform's base URL)",
                environment.issuer()
            ))
        })?,
    };
    Ok(AltinnExchange::new(platform).with_test_org(args.altinn_test_org)?)
}

/// Long waits show progress: one line on stderr per retry the core schedules.
fn progress(event: &FlowEvent, max_attempts: u32) {
    if let FlowEvent::RetryScheduled { attempt, kind, status, wait_ms, .. } = event {
        let status = status.map(|s| format!(" HTTP {s}")).unwrap_or_default();
        let pause = *wait_ms as f64 / 1000.0;
        eprintln!("maskinporten: attempt {attempt}/{max_attempts} failed ({kind}{status}); retrying in {pause:.1} s");
    }
}

/// Long waits show progress: after 3 s without an answer, a line on stderr every 5 s.
struct Ticker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    fn start(endpoint: String) -> Ticker {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut wait = Duration::from_secs(3);
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(wait) {
                eprintln!("maskinporten: still waiting for {endpoint} ({} s)", started.elapsed().as_secs());
                wait = Duration::from_secs(5);
            }
        });
        Ticker { stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
