//! The one place where core errors become JavaScript errors.
//!
//! Every core [`maskinporten::Error`] becomes an instance of the package's `MaskinportenError`
//! class (registered by the JS entry point through [`set_error_class`]), with `code` = the core's
//! stable kind and the other fields in camelCase. Before registration (only in Rust-side tests)
//! a plain `Error` with the same fields is thrown.

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the JS class that errors are instances of. Called once by each entry point.
#[wasm_bindgen(js_name = setErrorClass)]
pub fn set_error_class(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

fn set(target: &Object, name: &str, value: JsValue) {
    // Setting a property on a fresh plain object cannot fail; ignore the impossible error.
    let _ = Reflect::set(target, &JsValue::from_str(name), &value);
}

fn opt_str(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// Maps a core error to a `MaskinportenError`.
pub fn to_js(err: maskinporten::Error) -> JsValue {
    let fields = Object::new();
    set(&fields, "code", JsValue::from_str(err.kind().as_str()));
    set(&fields, "mpCode", opt_str(err.mp_code()));
    set(&fields, "status", err.status().map_or(JsValue::NULL, JsValue::from));
    set(&fields, "hint", opt_str(err.hint()));
    set(&fields, "field", opt_str(err.field()));
    set(&fields, "retryable", JsValue::from_bool(err.is_retryable()));
    if let maskinporten::Error::OAuth(oauth) = &err {
        set(&fields, "error", JsValue::from_str(&oauth.error));
        set(&fields, "errorDescription", opt_str(oauth.error_description.as_deref()));
    }
    let message = JsValue::from_str(&err.to_string());
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    if let Some(class) = class {
        let args = js_sys::Array::of2(&message, &fields);
        if let Ok(instance) = Reflect::construct(&class, &args) {
            return instance;
        }
    }
    let plain = js_sys::Error::new(&err.to_string());
    plain.set_name("MaskinportenError");
    let _ = Object::assign(&plain, &fields);
    plain.into()
}

/// `Result` with the error already mapped to JS.
pub type JsResult<T> = Result<T, JsValue>;

/// Maps a core result's error to JS.
pub trait IntoJs<T> {
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for maskinporten::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}

/// An invalid-argument error raised by the binding itself while converting JS values
/// (a wrong type, an unknown option); `kind` is one of the core's stable kinds.
pub fn invalid(kind: &'static str, field: &'static str, message: impl Into<String>) -> JsValue {
    let kind = kind.parse().unwrap_or(maskinporten::ErrorKind::InvalidArgument);
    to_js(maskinporten::Error::InvalidArgument { kind, field, message: message.into() })
}

/// For JS hosts: an invalid-argument `MaskinportenError` (bad option given to the JS layer).
#[wasm_bindgen(js_name = invalidArgument)]
pub fn invalid_argument(kind: String, field: String, message: String) -> JsValue {
    // The core's field/kind are &'static str; leak-free mapping to the known names.
    let kind: &'static str = match kind.as_str() {
        "invalid_environment" => "invalid_environment",
        "missing_signing_key" => "missing_signing_key",
        "invalid_key" => "invalid_key",
        _ => "invalid_argument",
    };
    let field: &'static str = match field.as_str() {
        "environment" => "environment",
        "signer" => "signer",
        "verifier" => "verifier",
        "rejected" => "rejected",
        "client" => "client",
        "fetch" => "fetch",
        "key" => "key",
        "cryptoKey" => "cryptoKey",
        _ => "argument",
    };
    invalid(kind, field, message)
}

/// For JS hosts: the core's retryable "unavailable" error for a transport failure
/// (connection refused, timeout, reset). The message must not contain secrets.
#[wasm_bindgen(js_name = unavailableError)]
pub fn unavailable_error(message: String) -> JsValue {
    to_js(maskinporten::Error::unavailable(message))
}
