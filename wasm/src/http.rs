//! HTTP values between the core and JS: requests out, bodies in.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{invalid, JsResult};

/// `{ method, url, headers: { name: value }, body }`, ready for `fetch(url, init)`.
pub fn request_to_js(r: &maskinporten::HttpRequest) -> JsValue {
    let headers = Object::new();
    for (name, value) in &r.headers {
        let _ = Reflect::set(&headers, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    let o = Object::new();
    let _ = Reflect::set(&o, &"method".into(), &JsValue::from_str(&r.method));
    let _ = Reflect::set(&o, &"url".into(), &JsValue::from_str(&r.url));
    let _ = Reflect::set(&o, &"headers".into(), &headers);
    let _ = Reflect::set(&o, &"body".into(), &JsValue::from_str(&r.body));
    o.into()
}

/// A response body given as a `Uint8Array`, an `ArrayBuffer` or a string.
pub fn body_bytes(v: &JsValue) -> JsResult<Vec<u8>> {
    if let Some(s) = v.as_string() {
        return Ok(s.into_bytes());
    }
    if v.is_instance_of::<Uint8Array>() || v.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(v).to_vec());
    }
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    Err(invalid("invalid_argument", "body", "body must be a Uint8Array, an ArrayBuffer or a string"))
}
