//! `GET /healthz` (the process answers), `GET /readyz` (it can serve tokens) and `GET /metrics`.

use super::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maskinporten_transport::store::TokenStore;
use serde_json::json;
use std::sync::Arc;

/// Always 200 while the process serves.
pub async fn healthz() -> Response {
    axum::Json(json!({ "status": "ok" })).into_response()
}

/// 200 when ready, 503 when not, with each check: keys loaded, every certificate valid for more
/// than `cert_min_days`, Maskinporten answering at the last try. The shared store's state is
/// reported but never makes the service unready: without it each replica fetches for itself.
pub async fn readyz(State(app): State<Arc<AppState>>) -> Response {
    if let Some(store) = &app.store {
        let _ = store.ping().await;
    }
    let days = app.sample(maskinporten::unix_now());
    let certificates: Vec<_> = days
        .iter()
        .map(|(client, days)| {
            let ok = days.is_none_or(|d| d > app.cert_min_days);
            json!({ "client": client, "days_left": days, "ok": ok })
        })
        .collect();
    let certificates_ok = days.iter().all(|(_, d)| d.is_none_or(|d| d > app.cert_min_days));
    let maskinporten_ok = app.metrics.maskinporten_up();
    let store = match &app.store {
        None => json!({ "kind": "none" }),
        Some(store) if store.available() => json!({ "kind": "redis", "address": store.address(), "up": true }),
        Some(store) => json!({
            "kind": "redis", "address": store.address(), "up": false,
            "note": "each replica fetches for itself until Redis is back",
        }),
    };
    let ready = certificates_ok && maskinporten_ok;
    let body = json!({
        "ready": ready,
        "keys_loaded": app.clients.iter().count(),
        "certificates": certificates,
        "cert_min_days": app.cert_min_days,
        "maskinporten_reachable": maskinporten_ok,
        "store": store,
    });
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body)).into_response()
}

/// Prometheus text format.
pub async fn metrics(State(app): State<Arc<AppState>>) -> Response {
    app.sample(maskinporten::unix_now());
    let mut response = app.metrics.render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}
