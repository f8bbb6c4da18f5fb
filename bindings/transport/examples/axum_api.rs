//! An API that accepts Maskinporten tokens: an axum extractor over [`TokenValidator`].
//!
//! Run it (`cargo run -p maskinporten-transport --example axum_api`): it starts the local
//! simulator, serves the API on loopback, fetches a token as a client would and calls the API
//! with and without it.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use maskinporten::{Client, Environment, GrantOptions, Key, Requirements, ValidatedToken, Validator};
use maskinporten_simulator::{Simulator, SimulatorConfig};
use maskinporten_transport::{TokenProvider, TokenValidator};
use std::sync::Arc;

const SCOPE: &str = "test:scope.read";

/// A request that carried a valid token with the scope this API requires.
struct Authorized(ValidatedToken);

/// Why a request was refused: 401 for a missing or invalid token, 403 for a valid token that
/// lacks the scope or the organisation (RFC 6750).
struct Refused {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

impl From<maskinporten::Error> for Refused {
    fn from(error: maskinporten::Error) -> Refused {
        let status = match error.kind().as_str() {
            "insufficient_scope" | "consumer_not_allowed" | "audience_mismatch" | "pid_missing" => {
                StatusCode::FORBIDDEN
            }
            "unavailable" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        };
        Refused { status, kind: error.kind().as_str(), message: error.to_string() }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{}\"", self.kind);
        (self.status, [(header::WWW_AUTHENTICATE, challenge)], self.message).into_response()
    }
}

impl<S> FromRequestParts<S> for Authorized
where
    Arc<TokenValidator>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let Some(bearer) = bearer else {
            return Err(Refused {
                status: StatusCode::UNAUTHORIZED,
                kind: "missing_token",
                message: "send Authorization: Bearer <Maskinporten access token>".into(),
            });
        };
        let validator = Arc::<TokenValidator>::from_ref(state);
        Ok(Authorized(validator.validate(bearer, &Requirements::any_scope([SCOPE])).await?))
    }
}

async fn owners(Authorized(token): Authorized) -> Json<serde_json::Value> {
    // Authorize on the consumer organisation, never on client_id.
    Json(serde_json::json!({
        "served_for": token.consumer.org_number,
        "via_supplier": token.supplier.map(|s| s.org_number),
        "scopes": token.scopes,
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let sim = Simulator::start(SimulatorConfig::from_file(format!("{repo}/tests/simulator/e2e.toml"))?, 0).await?;
    let environment = Environment::from_name(sim.issuer())?;

    let validator = Arc::new(TokenValidator::new(Validator::new(environment.clone()))?);
    let app = Router::new().route("/owners", get(owners)).with_state(validator);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let api = format!("http://{}/owners", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("API on {api}, accepting tokens from {}", sim.issuer());

    let p12 = std::fs::read(format!("{repo}/tests/vectors/keys/client.p12"))?;
    let key = Key::from_pkcs12(&p12, "vector-password", None)?;
    let provider = TokenProvider::new(Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, environment)?)?;
    let token = provider.token(&GrantOptions::new([SCOPE])).await?;

    let http = reqwest::Client::new();
    let with = http.get(&api).bearer_auth(token.access_token()).send().await?;
    println!("with a token:    {} {}", with.status(), with.text().await?);
    let without = http.get(&api).send().await?;
    println!(
        "without a token: {} {}",
        without.status(),
        without.headers().get("www-authenticate").map(|v| v.to_str().unwrap_or("")).unwrap_or("")
    );
    sim.shutdown().await;
    Ok(())
}
