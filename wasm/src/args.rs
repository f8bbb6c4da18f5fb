//! Type checks of the arguments of exported functions: a wrong type is a `MaskinportenError`
//! with `code: 'invalid_argument'` naming the argument, never a crash in the wasm-bindgen glue
//! (which reads `.length` of whatever it is given, or passes a number as a pointer).

use js_sys::{ArrayBuffer, Uint8Array};
use maskinporten::ErrorKind;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{invalid, JsResult};

/// `undefined` or `null`.
pub fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// What the caller passed, for messages: `undefined`, `null`, `number`, `object`, ...
fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        return "null".into();
    }
    v.js_typeof().as_string().unwrap_or_default()
}

fn wrong(field: &'static str, expected: &str, v: &JsValue) -> JsValue {
    invalid(ErrorKind::InvalidArgument, field, format!("{field} must be {expected} (got {})", type_name(v)))
}

/// A required string.
pub fn string(v: &JsValue, field: &'static str) -> JsResult<String> {
    v.as_string().ok_or_else(|| wrong(field, "a string", v))
}

/// An optional string (`undefined` and `null` are absent).
pub fn opt_string(v: &JsValue, field: &'static str) -> JsResult<Option<String>> {
    if absent(v) {
        return Ok(None);
    }
    string(v, field).map(Some)
}

/// Bytes given as a `Uint8Array` (a Node `Buffer` is one) or an `ArrayBuffer`.
pub fn bytes(v: &JsValue, field: &'static str) -> JsResult<Vec<u8>> {
    if v.is_instance_of::<Uint8Array>() || v.is_instance_of::<ArrayBuffer>() {
        return Ok(Uint8Array::new(v).to_vec());
    }
    Err(wrong(field, "a Uint8Array or an ArrayBuffer", v))
}

/// A response body: a `Uint8Array`, an `ArrayBuffer` or a string; absent is empty.
pub fn body(v: &JsValue, field: &'static str) -> JsResult<Vec<u8>> {
    if let Some(s) = v.as_string() {
        return Ok(s.into_bytes());
    }
    if absent(v) {
        return Ok(Vec::new());
    }
    bytes(v, field).map_err(|_| wrong(field, "a Uint8Array, an ArrayBuffer or a string", v))
}

/// A whole number (an HTTP status, a count).
pub fn integer(v: &JsValue, field: &'static str, max: f64) -> JsResult<f64> {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=max).contains(&n) => Ok(n),
        _ => Err(wrong(field, &format!("a whole number from 0 to {}", max as u64), v)),
    }
}

/// A time or duration in whole seconds (a JS number, not a `Date`).
pub fn seconds(v: &JsValue, field: &'static str) -> JsResult<i64> {
    match v.as_f64() {
        Some(n) if n.is_finite() && n.fract() == 0.0 && n.abs() <= 9.0e15 => Ok(n as i64),
        _ => {
            let kind = if field == "now" { ErrorKind::InvalidNow } else { ErrorKind::InvalidArgument };
            Err(invalid(
                kind,
                field,
                format!("{field} must be a whole number of seconds, not a Date (got {})", type_name(v)),
            ))
        }
    }
}

/// `now` in seconds, or the clock when absent.
pub fn now_or_clock(v: &JsValue) -> JsResult<i64> {
    if absent(v) {
        return Ok((js_sys::Date::now() / 1000.0).floor() as i64);
    }
    seconds(v, "now")
}

/// A Unix time in milliseconds from the JS layer's clock; the core checks its range.
pub fn ms(v: f64) -> i64 {
    // NaN becomes 0, which the core refuses with a message saying what a time must be.
    v.floor() as i64
}
