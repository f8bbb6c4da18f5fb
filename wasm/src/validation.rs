//! `CoreValidation`: a validation waiting for the JS layer (a JWKS fetch, a wait for another
//! request's fetch, or WebCrypto's asynchronous signature check).

use std::rc::Rc;

use js_sys::{Object, Promise, JSON};
use maskinporten::{HttpRequest, PendingValidation, Requirements, ValidationCall};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{set, JsResult};
use crate::validator::{fetch_step, hash_bits};

/// What the JS layer must do before the validation can go on.
pub(crate) enum Waiting {
    Fetch { request: HttpRequest, timeout_at_ms: i64 },
    Wait { until_ms: i64 },
    Verify { pending: PendingValidation, slot: u32 },
}

/// One validation in progress. `step` says what the JS layer does next.
#[wasm_bindgen]
pub struct CoreValidation {
    pub(crate) call: ValidationCall,
    pub(crate) token: String,
    pub(crate) requirements: Rc<Requirements>,
    pub(crate) now_ms: i64,
    pub(crate) waiting: Option<Waiting>,
    pub(crate) finished: bool,
}

#[wasm_bindgen]
extern "C" {
    /// WebCrypto's `SubtleCrypto`, as far as verification goes.
    type SubtleVerify;

    #[wasm_bindgen(method, catch, js_name = verify)]
    fn verify(
        this: &SubtleVerify,
        algorithm: &str,
        key: &JsValue,
        signature: &[u8],
        data: &[u8],
    ) -> Result<Promise, JsValue>;
}

impl CoreValidation {
    pub(crate) fn new(
        call: ValidationCall,
        token: String,
        requirements: Rc<Requirements>,
        now_ms: i64,
        waiting: Waiting,
    ) -> CoreValidation {
        CoreValidation { call, token, requirements, now_ms, waiting: Some(waiting), finished: false }
    }
}

#[wasm_bindgen]
impl CoreValidation {
    /// `{ kind: 'fetch', request, timeoutAtMs }`, `{ kind: 'wait', untilMs }` or `{ kind:
    /// 'verify', slot, webCryptoHash }`; `undefined` when nothing is asked.
    #[wasm_bindgen(getter)]
    pub fn step(&self) -> JsValue {
        match &self.waiting {
            Some(Waiting::Fetch { request, timeout_at_ms }) => fetch_step(request, *timeout_at_ms),
            Some(Waiting::Wait { until_ms }) => {
                let o: JsValue = Object::new().into();
                set(&o, "kind", &JsValue::from_str("wait"));
                set(&o, "untilMs", &JsValue::from_f64(*until_ms as f64));
                o
            }
            Some(Waiting::Verify { pending, slot, .. }) => {
                let o: JsValue = Object::new().into();
                set(&o, "kind", &JsValue::from_str("verify"));
                set(&o, "slot", &JsValue::from(*slot));
                set(&o, "webCryptoHash", &JsValue::from_str(&format!("SHA-{}", hash_bits(pending.algorithm()))));
                o
            }
            None => JsValue::UNDEFINED,
        }
    }

    /// The issuer key of a `verify` step as a JWK object, for `crypto.subtle.importKey('jwk', ...)`.
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> JsValue {
        match &self.waiting {
            Some(Waiting::Verify { pending, .. }) => JSON::parse(&pending.public_jwk()).unwrap_or(JsValue::UNDEFINED),
            _ => JsValue::UNDEFINED,
        }
    }

    /// Starts `subtle.verify('RSASSA-PKCS1-v1_5', key, signature, signingInput)` for a `verify`
    /// step and returns its promise. The bytes go over as views of the module's memory: WebCrypto
    /// copies its arguments before `verify` returns.
    #[wasm_bindgen(js_name = verifyWith)]
    pub fn verify_with(&self, subtle: &JsValue, key: &JsValue) -> JsResult<Promise> {
        match &self.waiting {
            Some(Waiting::Verify { pending, .. }) => subtle.unchecked_ref::<SubtleVerify>().verify(
                "RSASSA-PKCS1-v1_5",
                key,
                pending.signature(),
                pending.signing_input().as_bytes(),
            ),
            _ => Ok(Promise::resolve(&JsValue::FALSE)),
        }
    }
}
