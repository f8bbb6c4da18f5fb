//! The self-service API's refusals as `MaskinportenError`s: the shared mapping (`crate::error`)
//! plus what only a refusal carries, so a caller can tell a missing scope from a bad field.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::error::{opt_str, set, to_js, JsResult};

/// Maps a core error; a `SelfService` refusal also gets `error` (the server's code),
/// `errorDescription` (its message, redacted by the core), `fieldErrors` (`[{ field, reason }]`)
/// and `neededScope` (for 401 and 403).
pub fn admin_error(err: maskinporten::Error) -> JsValue {
    let extra = match &err {
        maskinporten::Error::SelfService(refusal) => Some((
            opt_str(refusal.error.as_deref()),
            opt_str(refusal.message.as_deref()),
            refusal
                .field_errors
                .iter()
                .map(|(field, reason)| {
                    let o: JsValue = Object::new().into();
                    set(&o, "field", &JsValue::from_str(field));
                    set(&o, "reason", &JsValue::from_str(reason));
                    o
                })
                .collect::<Array>(),
            opt_str(refusal.needed_scope),
        )),
        _ => None,
    };
    let js = to_js(err);
    if let Some((error, message, fields, scope)) = extra {
        set(&js, "error", &error);
        set(&js, "errorDescription", &message);
        set(&js, "fieldErrors", &fields);
        set(&js, "neededScope", &scope);
    }
    js
}

/// Maps a core result's error with [`admin_error`].
pub trait IntoAdminJs<T> {
    /// The result with a `MaskinportenError` as its error.
    fn js(self) -> JsResult<T>;
}

impl<T> IntoAdminJs<T> for maskinporten::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(admin_error)
    }
}
