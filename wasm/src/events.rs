//! Flow events as JS objects for the `onEvent` callback.

use js_sys::JSON;
use maskinporten::FlowEvent;
use wasm_bindgen::prelude::*;

use crate::error::set;

/// `{ event, level, message, ...fields }`: the core's JSON form (the same names in every
/// language) plus its one-line text. Events never carry a token, a grant or a key.
pub fn event_to_js(event: &FlowEvent) -> JsValue {
    let object = JSON::parse(&event.to_json()).unwrap_or_else(|_| js_sys::Object::new().into());
    set(&object, "message", &JsValue::from_str(&event.to_string()));
    object
}
