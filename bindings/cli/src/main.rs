//! `maskinporten`: signed grants, access tokens, token inspection, key generation, a local
//! Maskinporten simulator and a demo of the whole flow. See the crate README.

#![forbid(unsafe_code)]

mod admin_args;
mod args;
mod clients;
mod credentials;
mod demo;
mod demo_self_service;
mod error;
mod inspect;
mod keydir;
mod keygen;
mod keys;
mod keystore;
mod properties;
mod rotate;
mod serve;
mod session;
mod token;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse(); // usage errors: clap prints them and exits 2
    let subcommand = match &cli.command {
        args::Command::Grant(_) => "grant",
        args::Command::Token(_) => "token",
        args::Command::Inspect(_) => "inspect",
        args::Command::Keygen(_) => "keygen",
        args::Command::Simulator(_) => "simulator",
        args::Command::Demo(_) => "demo",
        args::Command::Clients(_) => "clients",
        args::Command::Keys(_) => "keys",
        args::Command::Serve(_) => "serve",
    };
    let result = match cli.command {
        args::Command::Grant(a) => token::grant(&a),
        args::Command::Token(a) => token::token(&a),
        args::Command::Inspect(a) => inspect::run(&a),
        args::Command::Keygen(a) => keygen::run(&a),
        args::Command::Simulator(a) => maskinporten_simulator::cli::run(a.config.as_deref(), a.port)
            .map_err(|e| error::CliError::Message(e.to_string())),
        args::Command::Demo(a) if a.self_service => demo_self_service::run(),
        args::Command::Demo(_) => demo::run(),
        args::Command::Clients(c) => clients::run(&c),
        args::Command::Keys(k) => keys::run(&k),
        args::Command::Serve(a) => serve::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error::CliError::Usage(message)) => args::usage_error(subcommand, &message),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
