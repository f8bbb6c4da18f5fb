//! The routes and the layers every request passes: authentication, body size limit, a bound
//! on requests in flight (excess answered 503 at once, not queued) and a time limit.

use super::config::Limits;
use super::problem::ApiError;
use super::state::AppState;
use super::{health, introspect, token};
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{BoxError, Router};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;

/// The service's router.
pub fn router(state: Arc<AppState>, limits: &Limits) -> Router {
    let authenticated = Router::new()
        .route("/api/v1/token", post(token::handle))
        .route("/api/v1/introspect", post(introspect::handle))
        .route("/metrics", get(health::metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate));
    let probes = Router::new().route("/healthz", get(health::healthz)).route("/readyz", get(health::readyz));
    authenticated
        .merge(probes)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                .concurrency_limit(limits.max_concurrency.max(1))
                .timeout(Duration::from_millis(limits.request_timeout_ms.max(1))),
        )
        .with_state(state)
}

/// Callers present a known bearer key when the service requires one.
async fn authenticate(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match &app.keys {
        Some(keys) if !keys.allows(request.headers()) => ApiError::service(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this service requires `Authorization: Bearer <key>` with a key it knows",
        )
        .into_response(),
        _ => next.run(request).await,
    }
}

async fn not_found() -> Response {
    ApiError::service(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint: POST /api/v1/token, POST /api/v1/introspect, GET /healthz, GET /readyz, GET /metrics",
    )
    .into_response()
}

/// The layers' refusals: too many requests in flight, or too slow.
async fn overloaded(error: BoxError) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::service(StatusCode::SERVICE_UNAVAILABLE, "timeout", "the request took longer than the service allows")
            .into_response()
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        ApiError::service(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "too many requests in flight; try again shortly",
        )
        .into_response()
    } else {
        ApiError::service(StatusCode::INTERNAL_SERVER_ERROR, "error", "the request failed").into_response()
    }
}
