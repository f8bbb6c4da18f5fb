//! Conversion of the JS grant options bag (`{ scopes, resource, consumerOrg, ... }`) and of
//! times (JS numbers) into core values. Type conversion only: every protocol rule is the core's.

use js_sys::{Array, Object, Reflect, JSON};
use maskinporten::{AuthorizationDetail, GrantOptions, Resource};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{invalid, IntoJs, JsResult};

/// Option names accepted in a grant options bag. `now` and `jti` are read by the caller.
const KNOWN: &[&str] =
    &["scopes", "resource", "consumerOrg", "issOnbehalfof", "pid", "authorizationDetails", "now", "jti"];

fn get(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn is_absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn opt_string(obj: &JsValue, name: &'static str, kind: &'static str) -> JsResult<Option<String>> {
    let v = get(obj, name);
    if is_absent(&v) {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| invalid(kind, name, format!("{name} must be a string")))
}

fn strings(v: &JsValue, name: &'static str, kind: &'static str) -> JsResult<Vec<String>> {
    if let Some(s) = v.as_string() {
        return Ok(vec![s]);
    }
    if !Array::is_array(v) {
        return Err(invalid(kind, name, format!("{name} must be a string or an array of strings")));
    }
    Array::from(v)
        .iter()
        .map(|item| item.as_string().ok_or_else(|| invalid(kind, name, format!("{name} must contain only strings"))))
        .collect()
}

/// Reads a grant options bag. Unknown keys are an error, so a typo such as `consumerOrgno`
/// cannot silently drop a claim.
pub fn grant_options(opts: &JsValue) -> JsResult<GrantOptions> {
    if is_absent(opts) {
        return Ok(GrantOptions::default());
    }
    if !opts.is_object() {
        return Err(invalid("invalid_argument", "options", "grant options must be an object"));
    }
    for key in Object::keys(opts.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !KNOWN.contains(&key.as_str()) {
            return Err(invalid(
                "invalid_argument",
                "options",
                format!("unknown grant option {key:?}; known: {}", KNOWN.join(", ")),
            ));
        }
    }
    let scopes_v = get(opts, "scopes");
    let scopes = if is_absent(&scopes_v) { Vec::new() } else { strings(&scopes_v, "scopes", "invalid_scope")? };
    let mut out = GrantOptions::new(scopes);
    let resource = get(opts, "resource");
    if !is_absent(&resource) {
        out.resource = Some(if let Some(s) = resource.as_string() {
            Resource::One(s)
        } else {
            Resource::Many(strings(&resource, "resource", "invalid_resource")?)
        });
    }
    out.consumer_org = opt_string(opts, "consumerOrg", "invalid_consumer_org")?;
    out.iss_onbehalfof = opt_string(opts, "issOnbehalfof", "invalid_iss_onbehalfof")?;
    out.pid = opt_string(opts, "pid", "invalid_pid")?;
    let details = get(opts, "authorizationDetails");
    if !is_absent(&details) {
        out.authorization_details = authorization_details(&details)?;
    }
    Ok(out)
}

/// Authorization details as given in JS: objects (or an array of them), or JSON text.
pub fn authorization_details(v: &JsValue) -> JsResult<Vec<AuthorizationDetail>> {
    let json = match v.as_string() {
        Some(s) => s,
        None => JSON::stringify(v).ok().and_then(|s| s.as_string()).ok_or_else(|| {
            invalid(
                "invalid_authorization_details",
                "authorizationDetails",
                "authorizationDetails must be JSON-serialisable objects",
            )
        })?,
    };
    AuthorizationDetail::from_json(&json).js()
}

/// A JS number of Unix seconds as the core's `i64`.
pub fn seconds(v: f64, field: &'static str) -> JsResult<i64> {
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > 9.0e15 {
        let kind = if field == "now" { "invalid_now" } else { "invalid_lifetime" };
        return Err(invalid(kind, field, "must be a whole number of seconds (a JS number, not a Date)"));
    }
    Ok(v as i64)
}
