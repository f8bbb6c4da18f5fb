//! `maskinporten-simulator [--config FILE] [--port N] [--state FILE]`: prints one JSON ready line,
//! then serves.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: maskinporten-simulator [--config FILE] [--port N] [--state FILE]";
const HELP: &str =
    "Serves on 127.0.0.1:<port>: Maskinporten at / (/token, /jwk, /.well-known/oauth-authorization-server),
Altinn 3's token exchange at /altinn (GET /altinn/authentication/api/v1/exchange/maskinporten)
and Digdir's self-service API at /api/v1 (clients, key sets, scopes; its own admin-scope tokens).
Prints one JSON ready line once listening: issuer, token_endpoint, jwks_uri, port,
self_service_endpoint, altinn_platform.
--state FILE saves the self-service API's clients and keys there and loads them at start.
Admin (loopback only): POST/DELETE /_sim/faults, GET /_sim/stats, POST /_sim/reset.";

fn main() -> ExitCode {
    let mut config: Option<PathBuf> = None;
    let mut state: Option<PathBuf> = None;
    let mut port: u16 = 0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        match name.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}\n\n{HELP}");
                return ExitCode::SUCCESS;
            }
            "--config" | "--port" | "--state" => {
                let Some(v) = inline.or_else(|| args.next()) else {
                    eprintln!("error: {name} needs a value\n{USAGE}");
                    return ExitCode::from(2);
                };
                if name == "--config" {
                    config = Some(PathBuf::from(v));
                } else if name == "--state" {
                    state = Some(PathBuf::from(v));
                } else {
                    match v.parse() {
                        Ok(p) => port = p,
                        Err(_) => {
                            eprintln!("error: --port must be 0..=65535, got {v:?}\n{USAGE}");
                            return ExitCode::from(2);
                        }
                    }
                }
            }
            other => {
                eprintln!("error: unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match maskinporten_simulator::cli::run_with_state(config.as_deref(), port, state.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
