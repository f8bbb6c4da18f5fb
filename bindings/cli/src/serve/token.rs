//! `POST /api/v1/token`: texas's request and answer, executed by the client's token provider
//! (the core's token flow: cache, single flight, retries, refresh ahead of expiry).

use super::problem::ApiError;
use super::request::{Fields, TokenRequest, TOKEN_FIELDS};
use super::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maskinporten::AccessToken;
use serde_json::json;
use std::sync::Arc;
use tracing::Instrument;

/// Answers `{access_token, expires_in, token_type}` (`expires_in`: seconds left), or an error
/// (see [`super::problem`]).
pub async fn handle(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut client = "";
    let span = tracing::info_span!("token_request", client = tracing::field::Empty, outcome = tracing::field::Empty);
    let result = answer(&app, &headers, body, &mut client).instrument(span.clone()).await;
    span.record("client", client);
    span.record("outcome", result.as_ref().map_or_else(|e| e.outcome(), |_| "ok"));
    match result {
        Ok(token) => {
            app.metrics.token_answer(client, "ok", None);
            let now_s = maskinporten::unix_now();
            let body = json!({
                "access_token": token.access_token(),
                "expires_in": token.expires_at().saturating_sub(now_s).max(0),
                "token_type": token.token_type(),
            });
            let mut response = axum::Json(body).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            app.metrics.token_answer(client, error.outcome(), error.mp_code.as_deref());
            error.into_response()
        }
    }
}

async fn answer<'a>(
    app: &'a AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    client_name: &mut &'a str,
) -> Result<AccessToken, ApiError> {
    let body = body.map_err(body_error)?;
    let request = TokenRequest::from_fields(&Fields::parse(headers, &body, TOKEN_FIELDS)?)?;
    let client = app.clients.pick(request.client.as_deref())?;
    *client_name = &client.name;
    client.check_scopes(&request.options.scopes)?;
    let provider = &client.provider;
    if request.altinn {
        let exchange = client.altinn.as_ref().ok_or_else(|| {
            ApiError::service(
                StatusCode::BAD_REQUEST,
                "altinn_platform_unknown",
                format!(
                    "client {:?} has no Altinn platform: set altinn_platform (tt02, prod or a base URL) in its configuration",
                    client.name
                ),
            )
            .with_field("altinn")
        })?;
        // skip_cache drops only the Altinn token: the Maskinporten token under it stays shared.
        let token = provider.altinn_token(&request.options, exchange).await.map_err(|e| ApiError::from_core(&e))?;
        if !request.skip_cache {
            return Ok(token);
        }
        provider.reject_altinn(&request.options, exchange, token.access_token());
        return provider.altinn_token(&request.options, exchange).await.map_err(|e| ApiError::from_core(&e));
    }
    let token = provider.token(&request.options).await.map_err(|e| ApiError::from_core(&e))?;
    if !request.skip_cache {
        return Ok(token);
    }
    // texas's skip_cache: this token is dropped (only this one, so concurrent skip_cache calls
    // cause one fetch) and the flow fetches a new one.
    provider.reject(&request.options, token.access_token());
    provider.token(&request.options).await.map_err(|e| ApiError::from_core(&e))
}

/// A body that could not be read: over the size limit (413) or broken.
pub fn body_error(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::service(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is over the size limit")
    } else {
        ApiError::service(rejection.status(), "invalid_request", "the request body could not be read")
    }
}
