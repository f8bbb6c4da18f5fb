//! Requests for the host to send, as `{ method, url, headers, body }` objects for `fetch`.

use js_sys::Object;
use wasm_bindgen::prelude::*;

use crate::error::set;

/// `{ method, url, headers: { name: value }, body }`, ready for `fetch(url, init)`.
pub fn request_to_js(r: &maskinporten::HttpRequest) -> JsValue {
    let headers: JsValue = Object::new().into();
    for (name, value) in &r.headers {
        set(&headers, name, &JsValue::from_str(value));
    }
    let o: JsValue = Object::new().into();
    set(&o, "method", &JsValue::from_str(&r.method));
    set(&o, "url", &JsValue::from_str(&r.url));
    set(&o, "headers", &headers);
    set(&o, "body", &JsValue::from_str(&r.body));
    o
}
