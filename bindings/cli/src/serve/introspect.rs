//! `POST /api/v1/introspect`: texas's introspection, by the core's validator and its JWKS flow.

use super::problem::ApiError;
use super::request::{Fields, INTROSPECT_FIELDS};
use super::state::AppState;
use super::token::body_error;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maskinporten::Requirements;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tracing::Instrument;

/// Answers `{active: true, ...claims}` for a valid token (signature, issuer, expiry, token type,
/// and the `scopes` (any of them) or `audience` when asked), `{active: false, error}` for an
/// invalid one, and 503 with `Retry-After` when the issuer's keys cannot be fetched.
pub async fn handle(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match answer(&app, &headers, body).instrument(tracing::info_span!("introspect_request")).await {
        Ok((result, body)) => {
            app.metrics.introspection(result);
            axum::Json(body).into_response()
        }
        Err(error) => {
            app.metrics.introspection(if error.status.as_u16() == 503 { "unavailable" } else { "invalid_request" });
            error.into_response()
        }
    }
}

async fn answer(
    app: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(&'static str, Value), ApiError> {
    let body = body.map_err(body_error)?;
    let fields = Fields::parse(headers, &body, INTROSPECT_FIELDS)?;
    fields.check_identity_provider()?;
    let token = fields.required("token")?;
    let client = app.clients.pick(fields.text("client")?)?;
    let scopes = fields.list("scopes")?;
    let audience = fields.text("audience")?.filter(|a| !a.is_empty());
    // Like texas: without scopes or audience, any valid token of the issuer is active.
    let mut requirements = if scopes.is_empty() && audience.is_none() {
        Requirements::any_scope_unchecked()
    } else {
        Requirements::any_scope(scopes)
    };
    if let Some(audience) = audience {
        requirements = requirements.with_audience(audience);
    }
    requirements.check().map_err(|e| ApiError::from_core(&e))?;
    match client.validator.validate(token, &requirements).await {
        Ok(valid) => {
            let mut claims: Map<String, Value> = serde_json::from_str(&valid.claims_json).unwrap_or_default();
            claims.insert("active".into(), Value::Bool(true));
            Ok(("active", Value::Object(claims)))
        }
        Err(error) if error.is_retryable() => Err(ApiError::from_core(&error)),
        Err(error) => {
            Ok(("inactive", json!({ "active": false, "error": error.to_string(), "kind": error.kind().as_str() })))
        }
    }
}
