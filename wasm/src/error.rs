//! The one place where core errors become JavaScript errors.
//!
//! Every core [`maskinporten::Error`] becomes an instance of the package's `MaskinportenError`
//! class (registered by the JS entry point through [`set_error_class`]), with `code` = the core's
//! stable kind and the other fields in camelCase. Before registration (only in Rust-side tests)
//! a plain `Error` with the same fields is thrown.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use maskinporten::ErrorKind;
use wasm_bindgen::prelude::*;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the JS class that errors are instances of. Called once by each entry point.
#[wasm_bindgen(js_name = setErrorClass)]
pub fn set_error_class(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// Sets `name` on a JS object. Setting a property on a fresh plain object cannot fail.
pub fn set(target: &JsValue, name: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(name), value);
}

/// A string or `null`.
pub fn opt_str(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// Maps a core error to a `MaskinportenError`.
pub fn to_js(err: maskinporten::Error) -> JsValue {
    let fields = Object::new();
    set(&fields, "code", &JsValue::from_str(err.kind().as_str()));
    set(&fields, "mpCode", &opt_str(err.mp_code()));
    set(&fields, "status", &err.status().map_or(JsValue::NULL, JsValue::from));
    set(&fields, "hint", &opt_str(err.hint()));
    set(&fields, "field", &opt_str(err.field()));
    set(&fields, "retryable", &JsValue::from_bool(err.is_retryable()));
    if let maskinporten::Error::OAuth(oauth) = &err {
        set(&fields, "error", &JsValue::from_str(&oauth.error));
        set(&fields, "errorDescription", &opt_str(oauth.error_description.as_deref()));
    }
    let message = JsValue::from_str(&err.to_string());
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    if let Some(class) = class {
        if let Ok(instance) = Reflect::construct(&class, &Array::of2(&message, &fields)) {
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
    /// The result with a `MaskinportenError` as its error.
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for maskinporten::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}

/// An argument error raised by the binding itself while converting JS values (a wrong type, an
/// unknown option); `kind` is one of the core's kinds.
pub fn invalid(kind: ErrorKind, field: &'static str, message: impl Into<String>) -> JsValue {
    to_js(maskinporten::Error::InvalidArgument { kind, field, message: message.into() })
}

/// Every error kind of the core, in its order: what `MaskinportenError.code` can be.
#[wasm_bindgen(js_name = errorKinds)]
pub fn error_kinds() -> Array {
    ErrorKind::ALL.iter().map(|kind| JsValue::from_str(kind.as_str())).collect()
}
