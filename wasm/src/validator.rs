//! `CoreValidator`: the core's validator and its validation flow for the JS `TokenValidator`,
//! which executes the steps: JWKS fetches, waits, and the signature check with the platform's
//! RSA (`node:crypto` synchronously, through the verifier object given at construction, or
//! WebCrypto asynchronously, as a `verify` step). Internal: not re-exported by the package.

use std::cell::RefCell;
use std::rc::Rc;
use std::str::FromStr;

use js_sys::{Array, Uint8Array};
use maskinporten::{
    Algorithm, ErrorKind, HttpResponse, PendingValidation, Requirements, ValidationCall, ValidationStep,
    ValidatorOptions,
};
use wasm_bindgen::prelude::*;

use crate::args::{body, ms};
use crate::environment::Environment;
use crate::error::{invalid, set, to_js, IntoJs, JsResult};
use crate::events::event_to_js;
use crate::http::request_to_js;
use crate::rejection::{rejection_to_js, with_rejection};
use crate::requirements::ValidationRequirements;
use crate::validated::validated;
use crate::validation::{CoreValidation, Waiting};

#[wasm_bindgen]
extern "C" {
    /// The JS layer's synchronous platform verifier (`node:crypto`).
    pub type SyncVerifier;

    /// RSASSA-PKCS1-v1_5 over `data` with the issuer key of `slot` and SHA-`bits`: `true` or
    /// `false`, or `null` when the platform cannot use that key (then the core verifies). `jwk` is
    /// the key (JSON text), given the first time a slot is used.
    #[wasm_bindgen(method, structural)]
    fn verify(this: &SyncVerifier, slot: u32, bits: u32, data: &[u8], signature: &[u8], jwk: Option<String>)
        -> JsValue;
}

/// Key slots: a number per issuer key and algorithm, new for every JWKS loaded, that the JS layer
/// caches its imported platform key under (cheaper to hand over than the strings).
#[derive(Default)]
struct Slots {
    generation: u64,
    next: u32,
    held: Vec<(String, Algorithm, u32)>,
}

/// The validator of one issuer.
#[wasm_bindgen(js_name = CoreValidator)]
pub struct CoreValidator {
    pub(crate) inner: maskinporten::Validator,
    sync_verifier: Option<SyncVerifier>,
    token_buffer: RefCell<Vec<u8>>,
    slots: RefCell<Slots>,
}

/// SHA-`bits` of an algorithm, for the JS verifier (`sha256`, `SHA-256`).
pub(crate) fn hash_bits(algorithm: Algorithm) -> u32 {
    match algorithm {
        Algorithm::Rs384 => 384,
        Algorithm::Rs512 => 512,
        _ => 256,
    }
}

/// Where a validation stands after the core's steps this side could take.
pub(crate) enum Outcome {
    Done(JsResult<JsValue>),
    /// A JWKS fetch, a wait or an asynchronous verification for the JS layer.
    Host(Waiting),
}

#[wasm_bindgen(js_class = CoreValidator)]
impl CoreValidator {
    /// A validator for `environment` with the core's `ValidatorOptions` (types checked in JS, ranges
    /// by the core); `platform`: signatures go to the platform (through `sync_verifier` when
    /// given, else as `verify` steps); `events`: events are kept.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        environment: &Environment,
        algorithms: Option<Vec<String>>,
        leeway: Option<f64>,
        max_jwks_age: Option<f64>,
        min_refetch_interval: Option<f64>,
        jwks_timeout_ms: Option<f64>,
        platform: bool,
        sync_verifier: Option<SyncVerifier>,
        events: bool,
    ) -> JsResult<CoreValidator> {
        let algorithms = match algorithms {
            Some(names) => {
                Some(names.iter().map(|n| Algorithm::from_str(n)).collect::<maskinporten::Result<_>>().js()?)
            }
            None => None,
        };
        let whole = |n: Option<f64>| n.map(|n| n as i64);
        let options = ValidatorOptions {
            algorithms,
            leeway: whole(leeway),
            max_jwks_age: whole(max_jwks_age),
            min_refetch_interval: whole(min_refetch_interval),
            jwks_timeout_ms: whole(jwks_timeout_ms),
        };
        let inner = maskinporten::Validator::new(environment.inner.clone())
            .with_options(&options)
            .js()?
            .with_platform_verifier(platform)
            .with_events(events);
        let token_buffer = RefCell::new(vec![0; 3 * maskinporten::MAX_TOKEN_BYTES]);
        Ok(CoreValidator { inner, sync_verifier, token_buffer, slots: RefCell::default() })
    }

    /// A view of this validator's token buffer: room for the UTF-8 of any string of up to
    /// `MAX_TOKEN_BYTES` UTF-16 units (a third of its length), for `TextEncoder.encodeInto(token,
    /// view)` followed at once by `validateBuffered(written, ...)`; a longer token goes to
    /// `validate` as a string, and the core names the error. The buffer never moves; the view is
    /// detached when the module's memory grows (its `byteLength` is then 0): ask again then.
    /// wasm-bindgen's own string passing copies ASCII character by character in JS, which costs
    /// more than parsing the token.
    #[wasm_bindgen(js_name = tokenBuffer)]
    pub fn token_buffer(&self) -> Uint8Array {
        // SAFETY: the buffer is allocated once and never resized, so the view stays valid until
        // the memory grows (which detaches it); JS writes through it only between calls, when no
        // Rust borrow of the buffer exists.
        unsafe { Uint8Array::view(&self.token_buffer.borrow()) }
    }

    /// Validates the token `encodeInto` wrote into `tokenBuffer()` (`written` bytes) at `now_ms`:
    /// the validated token, or a `CoreValidation` when the JS layer must act (see `step`).
    #[wasm_bindgen(js_name = validateBuffered)]
    pub fn validate_buffered(
        &self,
        written: usize,
        now_ms: f64,
        requirements: &ValidationRequirements,
    ) -> JsResult<JsValue> {
        // Held while the flow runs: the JS verifier it calls does not touch the buffer.
        let buffer = self.token_buffer.borrow();
        match std::str::from_utf8(buffer.get(..written).unwrap_or_default()) {
            Ok(token) => self.start(token, now_ms, requirements),
            Err(_) => Err(invalid(ErrorKind::InvalidArgument, "token", "the token is not UTF-8")),
        }
    }

    /// `validateBuffered` for a token given as a string (or anything else, which is refused).
    pub fn validate(&self, token: JsValue, now_ms: f64, requirements: &ValidationRequirements) -> JsResult<JsValue> {
        match token.as_string() {
            Some(token) => self.start(&token, now_ms, requirements),
            None => Err(with_rejection(
                invalid(
                    ErrorKind::InvalidArgument,
                    "token",
                    "the token must be a string (the Authorization value or the token)",
                ),
                None,
            )),
        }
    }

    /// The next step of a validation the JS layer acted on: the validated token, or `undefined`
    /// (then `validation.step` says what to do). Throws the refusal.
    pub fn poll(&self, validation: &mut CoreValidation, now_ms: f64) -> JsResult<JsValue> {
        let now_ms = ms(now_ms);
        validation.now_ms = now_ms;
        match self.drive(&mut validation.call, &validation.token, &validation.requirements, now_ms) {
            Outcome::Done(result) => {
                validation.finished = true;
                result
            }
            Outcome::Host(waiting) => {
                validation.waiting = Some(waiting);
                Ok(JsValue::UNDEFINED)
            }
        }
    }

    /// Ends a `verify` step with WebCrypto's verdict (`null`: WebCrypto refused the key, the core
    /// verifies): the validated token, or the refusal thrown.
    pub fn conclude(&self, validation: &mut CoreValidation, verdict: Option<bool>) -> JsResult<JsValue> {
        validation.finished = true;
        let Some(Waiting::Verify { pending, .. }) = validation.waiting.take() else {
            return Err(invalid(ErrorKind::InvalidArgument, "validation", "no signature check is pending"));
        };
        let (now_ms, requirements) = (validation.now_ms, &validation.requirements);
        match verdict {
            Some(ok) => {
                let step = self.inner.conclude_validation(&mut validation.call, pending, ok, requirements, now_ms);
                self.answer(step, requirements, now_ms)
            }
            None => self
                .core_verified(&validation.token, now_ms, requirements)
                .map_err(|e| self.reject_js(e, requirements, now_ms)),
        }
    }

    /// Reports the answer to a `fetch` step.
    #[wasm_bindgen(js_name = handleJwksResponse)]
    pub fn handle_jwks_response(
        &mut self,
        validation: &mut CoreValidation,
        status: u16,
        content_type: Option<String>,
        body: &[u8],
        now_ms: f64,
    ) {
        let response = HttpResponse::new(status, body).with_content_type(content_type.as_deref());
        self.inner.handle_jwks_response(&mut validation.call, response, ms(now_ms));
    }

    /// Reports that a `fetch` step got no answer (`timeout`, `connect`, `reset`, `tls`, `other`).
    #[wasm_bindgen(js_name = handleJwksFailure)]
    pub fn handle_jwks_failure(
        &mut self,
        validation: &mut CoreValidation,
        failure: &str,
        detail: &str,
        now_ms: f64,
    ) -> JsResult<()> {
        let failure = failure.parse().js()?;
        self.inner.handle_jwks_failure(&mut validation.call, failure, detail, ms(now_ms));
        Ok(())
    }

    /// Ends a validation that will not be polled again (its caller was aborted).
    pub fn cancel(&mut self, validation: &mut CoreValidation) {
        if !validation.finished {
            validation.finished = true;
            let call = std::mem::replace(&mut validation.call, self.inner.validation(0));
            self.inner.cancel_validation(call);
        }
    }

    /// Validates with the keys held and the core's own RSA (in WebAssembly), without fetching.
    #[wasm_bindgen(js_name = validateSync)]
    pub fn validate_sync(
        &self,
        token: JsValue,
        now_ms: f64,
        requirements: &ValidationRequirements,
    ) -> JsResult<JsValue> {
        let now_ms = ms(now_ms);
        let Some(token) = token.as_string() else {
            return Err(with_rejection(
                invalid(ErrorKind::InvalidArgument, "token", "the token must be a string"),
                None,
            ));
        };
        self.core_verified(&token, now_ms, &requirements.inner)
            .map_err(|e| self.reject_js(e, &requirements.inner, now_ms))
    }

    /// Loads a JWKS the host obtained itself (JSON text or bytes) at `now_ms`.
    #[wasm_bindgen(js_name = updateJwks)]
    pub fn update_jwks(&mut self, jwks: JsValue, now_ms: f64) -> JsResult<()> {
        let jwks = body(&jwks, "jwks")?;
        self.inner.update_jwks(&jwks, ms(now_ms).div_euclid(1000)).js()
    }

    /// Whether a JWKS has been loaded.
    #[wasm_bindgen(getter, js_name = hasJwks)]
    pub fn has_jwks(&self) -> bool {
        self.inner.has_jwks()
    }

    /// Changes whenever a JWKS fetch ends: waiting validations poll again, imported keys go.
    #[wasm_bindgen(getter)]
    pub fn generation(&self) -> f64 {
        self.inner.generation() as f64
    }

    /// The queued events, or `undefined`.
    pub fn events(&mut self) -> JsValue {
        let mut list: Option<Array> = None;
        while let Some(event) = self.inner.poll_event() {
            list.get_or_insert_with(Array::new).push(&event_to_js(&event));
        }
        list.map_or(JsValue::UNDEFINED, Into::into)
    }
}

impl CoreValidator {
    fn start(&self, token: &str, now_ms: f64, requirements: &ValidationRequirements) -> JsResult<JsValue> {
        let now_ms = ms(now_ms);
        let mut call = self.inner.validation(now_ms);
        match self.drive(&mut call, token, &requirements.inner, now_ms) {
            Outcome::Done(result) => result,
            Outcome::Host(waiting) => {
                let requirements = Rc::clone(&requirements.inner);
                Ok(CoreValidation::new(call, token.to_owned(), requirements, now_ms, waiting).into())
            }
        }
    }

    /// Polls until the validation ends or needs the JS layer; a `verify` step is answered here
    /// when the platform verifies synchronously.
    pub(crate) fn drive(
        &self,
        call: &mut ValidationCall,
        token: &str,
        requirements: &Rc<Requirements>,
        now_ms: i64,
    ) -> Outcome {
        let step = self.inner.poll_validation(call, token, requirements, now_ms);
        let step = match step {
            ValidationStep::Verify(pending) => match &self.sync_verifier {
                Some(verifier) => {
                    let (slot, jwk) = self.slot(&pending);
                    let bits = hash_bits(pending.algorithm());
                    match verifier
                        .verify(slot, bits, pending.signing_input().as_bytes(), pending.signature(), jwk)
                        .as_bool()
                    {
                        Some(ok) => self.inner.conclude_validation(call, pending, ok, requirements, now_ms),
                        // The platform cannot use this key: the core verifies.
                        None => {
                            return Outcome::Done(
                                self.core_verified(token, now_ms, requirements)
                                    .map_err(|e| self.reject_js(e, requirements, now_ms)),
                            )
                        }
                    }
                }
                None => {
                    let (slot, _) = self.slot(&pending);
                    return Outcome::Host(Waiting::Verify { pending, slot });
                }
            },
            other => other,
        };
        match step {
            ValidationStep::FetchJwks { request, timeout_at_ms } => {
                Outcome::Host(Waiting::Fetch { request, timeout_at_ms })
            }
            ValidationStep::Wait { until_ms } => Outcome::Host(Waiting::Wait { until_ms }),
            other => Outcome::Done(self.answer(other, requirements, now_ms)),
        }
    }

    /// The JS value of a finished step: the validated token, or the refusal with its rejection.
    fn answer(&self, step: ValidationStep, requirements: &Requirements, now_ms: i64) -> JsResult<JsValue> {
        match step {
            ValidationStep::Valid(token) => validated(&token),
            ValidationStep::Fail(error) => Err(self.reject_js(error, requirements, now_ms)),
            _ => Err(invalid(ErrorKind::InvalidArgument, "validation", "the validation did not end")),
        }
    }

    /// Verifies with the core's own RSA (the pure-WebAssembly fallback), with the keys held.
    fn core_verified(
        &self,
        token: &str,
        now_ms: i64,
        requirements: &Requirements,
    ) -> Result<JsValue, maskinporten::Error> {
        let token = self.inner.validate(token, now_ms.div_euclid(1000), requirements)?;
        // The conversion cannot fail for a token the core accepted; say so if it ever does.
        validated(&token).map_err(|_| maskinporten::Error::unavailable("the validated token could not be converted"))
    }

    /// The refusal as a `MaskinportenError` with its `rejection` (the validator's answer).
    fn reject_js(&self, error: maskinporten::Error, requirements: &Requirements, now_ms: i64) -> JsValue {
        let rejection = self.inner.rejection(&error, requirements, now_ms);
        let js = to_js(error);
        set(&js, "rejection", &rejection_to_js(&rejection));
        js
    }

    /// The slot of a pending token's key, and the key as a JWK when the slot is new.
    fn slot(&self, pending: &PendingValidation) -> (u32, Option<String>) {
        let mut slots = self.slots.borrow_mut();
        if slots.generation != self.inner.generation() {
            slots.generation = self.inner.generation();
            slots.held.clear();
        }
        let (kid, algorithm) = (pending.kid(), pending.algorithm());
        if let Some((_, _, slot)) = slots.held.iter().find(|(k, a, _)| k == kid && *a == algorithm) {
            return (*slot, None);
        }
        slots.next = slots.next.wrapping_add(1);
        let slot = slots.next;
        slots.held.push((kid.to_owned(), algorithm, slot));
        (slot, Some(pending.public_jwk()))
    }
}

/// The request of a `fetch` step for the JS layer.
pub(crate) fn fetch_step(request: &maskinporten::HttpRequest, timeout_at_ms: i64) -> JsValue {
    let o: JsValue = js_sys::Object::new().into();
    set(&o, "kind", &JsValue::from_str("fetch"));
    set(&o, "request", &request_to_js(request));
    set(&o, "timeoutAtMs", &JsValue::from_f64(timeout_at_ms as f64));
    o
}
