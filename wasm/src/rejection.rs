//! The core's RFC 6750 answers to refused requests, as plain JS objects, and the reading of the
//! `Authorization` header. The JS middlewares send these as they are.

use js_sys::Object;
use maskinporten::{Error, ErrorKind, Rejection, Requirements};
use wasm_bindgen::prelude::*;

use crate::args::{absent, string};
use crate::error::{set, to_js, JsResult};

/// `{ status, headers, body, kind, wwwAuthenticate, retryAfter }`: the HTTP answer, headers as
/// an object (`WWW-Authenticate`, `Content-Type`, `Cache-Control: no-store`, `Retry-After`).
pub fn rejection_to_js(rejection: &Rejection) -> JsValue {
    let headers: JsValue = Object::new().into();
    for (name, value) in rejection.headers() {
        set(&headers, name, &JsValue::from_str(&value));
    }
    let o: JsValue = Object::new().into();
    set(&o, "status", &JsValue::from(rejection.status()));
    set(&o, "headers", &headers);
    set(&o, "body", &JsValue::from_str(rejection.body()));
    set(&o, "kind", &JsValue::from_str(rejection.kind().as_str()));
    set(&o, "wwwAuthenticate", &crate::error::opt_str(rejection.www_authenticate()));
    set(&o, "retryAfter", &rejection.retry_after_seconds().map_or(JsValue::NULL, JsValue::from));
    o
}

/// The core's answer to a request an API cannot check because its own configuration is wrong
/// (bad requirements or arguments): a 500 that does not say why.
fn misconfigured() -> Rejection {
    let error =
        Error::InvalidArgument { kind: ErrorKind::InvalidArgument, field: "requirements", message: String::new() };
    Rejection::for_error(&error, &Requirements::any_scope_unchecked())
}

/// For the JS layer's argument checks of a validation: the core's answer to a misconfigured API.
#[wasm_bindgen(js_name = misconfiguredRejection)]
pub fn misconfigured_rejection() -> JsValue {
    rejection_to_js(&misconfigured())
}

/// The error as a `MaskinportenError` whose `rejection` is `rejection`, or (`None`) the core's
/// answer to a misconfigured API.
pub fn with_rejection(error: JsValue, rejection: Option<Rejection>) -> JsValue {
    set(&error, "rejection", &rejection_to_js(&rejection.unwrap_or_else(misconfigured)));
    error
}

/// A refusal with its answer (kinds whose answer names no scope: a missing or malformed header).
fn refused(error: Error) -> JsValue {
    let rejection = Rejection::for_error(&error, &Requirements::any_scope_unchecked());
    with_rejection(to_js(error), Some(rejection))
}

/// The token of an `Authorization` header value (`"Bearer <token>"`, scheme in any case). No
/// header, an empty one or another scheme throws `token_missing`; a malformed Bearer header
/// `invalid_authorization_header`; each error's `rejection` is the HTTP answer (401 with a bare
/// `Bearer` challenge, 400).
#[wasm_bindgen(js_name = bearerToken)]
pub fn bearer_token(authorization: JsValue) -> JsResult<String> {
    let header = if absent(&authorization) { None } else { Some(string(&authorization, "authorization")?) };
    maskinporten::bearer_token(header.as_deref()).map(str::to_owned).map_err(refused)
}
