//! An API that accepts Maskinporten tokens, with the crate's axum adapter (feature `axum`).
//!
//! Run it (`cargo run -p maskinporten-transport --features axum --example axum_api`): it starts
//! the local simulator, serves the API on loopback, fetches a token as a client would and calls
//! the API with it, without it, and with a token that lacks the route's scope.

use axum::routing::get;
use axum::{Extension, Json, Router};
use maskinporten::{Client, Environment, GrantOptions, Key, Requirements, ValidatedToken, Validator};
use maskinporten_simulator::{Simulator, SimulatorConfig};
use maskinporten_transport::axum::{require_token, Authorized, BearerAuth};
use maskinporten_transport::{TokenProvider, TokenValidator};
use std::sync::Arc;

const READ: &str = "test:scope.read";
const WRITE: &str = "test:scope.write";

/// Guarded by the router's state: a token with `test:scope.read`.
async fn owners(Authorized(token): Authorized) -> Json<serde_json::Value> {
    // Authorize on the consumer organisation, never on client_id.
    Json(serde_json::json!({
        "served_for": token.consumer.id,
        "via_supplier": token.supplier.map(|s| s.org_number),
        "scopes": token.scopes,
    }))
}

/// Guarded by the middleware: a token with `test:scope.write`.
async fn change(Extension(token): Extension<ValidatedToken>) -> String {
    format!("changed for {}", token.consumer.id)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let sim = Simulator::start(SimulatorConfig::from_file(format!("{repo}/tests/simulator/e2e.toml"))?, 0).await?;
    let environment = Environment::from_name(sim.issuer())?;

    let validator = Arc::new(TokenValidator::new(Validator::new(environment.clone()))?);
    let read = BearerAuth::new(validator.clone(), Requirements::any_scope([READ]))?;
    let write = BearerAuth::new(validator, Requirements::any_scope([WRITE]))?;
    let app = Router::new()
        .route("/owners", get(owners))
        .route("/change", get(change).layer(axum::middleware::from_fn_with_state(write, require_token)))
        .with_state(read);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let api = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("API on {api}, accepting tokens from {}", sim.issuer());

    let p12 = std::fs::read(format!("{repo}/tests/vectors/keys/client.p12"))?;
    let key = Key::from_pkcs12(&p12, "vector-password", None)?;
    let provider = TokenProvider::new(Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, environment)?)?;
    let token = provider.token(&GrantOptions::new([READ])).await?;

    let http = reqwest::Client::new();
    let with = http.get(format!("{api}/owners")).bearer_auth(token.access_token()).send().await?;
    println!("with a token:     {} {}", with.status(), with.text().await?);
    for (what, request) in [
        ("without a token: ", http.get(format!("{api}/owners"))),
        ("without the scope:", http.get(format!("{api}/change")).bearer_auth(token.access_token())),
    ] {
        let answer = request.send().await?;
        let challenge = answer.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("");
        println!("{what} {} WWW-Authenticate: {challenge}", answer.status());
    }
    sim.shutdown().await;
    Ok(())
}
