//! `Validator`: the core's access-token validator for API providers (issue 7), sans-IO.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array, JSON};
use maskinporten::{Algorithm, Requirements, ScopeMatch, UnverifiedOutcome};
use std::cell::RefCell;
use std::rc::Rc;
use std::str::FromStr;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::client::webcrypto_hash;
use crate::environment::Environment;
use crate::error::{invalid, IntoJs, JsResult};
use crate::http::{body_bytes, request_to_js};
use crate::options::seconds;
use crate::validated::validated;

/// Validates Maskinporten access tokens of one issuer. The host fetches the JWKS when
/// `jwksRequest(now)` returns a request and hands the body to `updateJwks`.
#[wasm_bindgen]
pub struct Validator {
    inner: maskinporten::Validator,
    /// Where the JS layer writes a token with `TextEncoder.encodeInto` (`tokenBuffer`).
    token_buffer: RefCell<Vec<u8>>,
    /// `kid` + algorithm of the keys tokens were prepared for since the JWKS was last loaded;
    /// a pending validation's `keySlot` is an index here.
    key_slots: RefCell<Vec<(String, Algorithm)>>,
}

fn get(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn opt_seconds(obj: &JsValue, name: &'static str) -> JsResult<Option<i64>> {
    let v = get(obj, name);
    if absent(&v) {
        return Ok(None);
    }
    let n = v.as_f64().ok_or_else(|| invalid("invalid_argument", name, "must be a number of seconds"))?;
    seconds(n, name).map(Some)
}

fn string_list(v: &JsValue, name: &'static str) -> JsResult<Vec<String>> {
    if absent(v) {
        return Ok(Vec::new());
    }
    if let Some(s) = v.as_string() {
        return Ok(vec![s]);
    }
    if !Array::is_array(v) {
        return Err(invalid("invalid_argument", name, "must be a string or an array of strings"));
    }
    Array::from(v)
        .iter()
        .map(|s| s.as_string().ok_or_else(|| invalid("invalid_argument", name, "must contain only strings")))
        .collect()
}

const REQUIREMENT_KEYS: &[&str] = &["scopes", "scopeMatch", "audience", "requirePid", "consumerOrgs"];

/// `{ scopes, scopeMatch: "any" | "all", audience?, requirePid?, consumerOrgs? }`
fn requirements(v: &JsValue) -> JsResult<Requirements> {
    if absent(v) {
        return Err(invalid("invalid_argument", "requirements", "requirements with at least { scopes } are required"));
    }
    for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !REQUIREMENT_KEYS.contains(&key.as_str()) {
            return Err(invalid(
                "invalid_argument",
                "requirements",
                format!("unknown requirement {key:?}; known: {}", REQUIREMENT_KEYS.join(", ")),
            ));
        }
    }
    let scopes = string_list(&get(v, "scopes"), "scopes")?;
    let mut out = Requirements::any_scope(scopes);
    let scope_match = get(v, "scopeMatch");
    if !absent(&scope_match) {
        let name = scope_match
            .as_string()
            .ok_or_else(|| invalid("invalid_scope_match", "scopeMatch", "scopeMatch must be \"any\" or \"all\""))?;
        out = out.with_scope_match(ScopeMatch::from_str(&name).js()?);
    }
    if let Some(aud) = get(v, "audience").as_string() {
        out = out.with_audience(aud);
    }
    if get(v, "requirePid").as_bool() == Some(true) {
        out = out.with_pid_required();
    }
    let orgs = string_list(&get(v, "consumerOrgs"), "consumerOrgs")?;
    if !orgs.is_empty() {
        out = out.with_consumer_orgs(orgs);
    }
    Ok(out)
}

/// Requirements converted once from a JS object (`{ scopes, scopeMatch?, audience?, requirePid?,
/// consumerOrgs? }`, the same conversion and errors as the methods that take the object), so a
/// host that validates many tokens against the same requirements converts them once.
/// `TokenValidator` keeps one per requirements object.
#[wasm_bindgen]
pub struct ValidationRequirements {
    inner: Rc<Requirements>,
}

#[wasm_bindgen]
impl ValidationRequirements {
    /// Converts and checks `requirements`.
    #[wasm_bindgen(constructor)]
    pub fn new(requirements_js: JsValue) -> JsResult<ValidationRequirements> {
        Ok(ValidationRequirements { inner: Rc::new(requirements(&requirements_js)?) })
    }
}

/// A token parsed and matched to its issuer key, waiting for the host's signature check
/// (`crypto.subtle.verify` with RSASSA-PKCS1-v1_5 over `signingInputBytes()` with
/// `publicJwk`), then `validator.finishValidation(pending, valid)`.
#[wasm_bindgen]
pub struct PendingValidation {
    inner: Option<maskinporten::PendingValidation>,
    requirements: Rc<Requirements>,
    now: i64,
    key_slot: u32,
    /// The claims' outcome, already converted, from `checkClaimsUnverified`.
    unverified: Option<UnverifiedOutcome<JsResult<JsValue>>>,
}

#[wasm_bindgen]
extern "C" {
    /// WebCrypto's `SubtleCrypto`, as far as verification goes.
    type SubtleVerify;

    #[wasm_bindgen(method, catch, js_name = verify)]
    fn verify(
        this: &SubtleVerify,
        algorithm: &JsValue,
        key: &JsValue,
        signature: &[u8],
        data: &[u8],
    ) -> Result<Promise, JsValue>;
}

thread_local! {
    static RSASSA_PKCS1: JsValue = JsValue::from_str("RSASSA-PKCS1-v1_5");
}

fn pending_used() -> JsValue {
    invalid("invalid_argument", "pending", "this pending validation was already finished; prepare a new one")
}

#[wasm_bindgen]
impl PendingValidation {
    /// The bytes the signature covers (`header.claims`).
    #[wasm_bindgen(js_name = signingInputBytes)]
    pub fn signing_input_bytes(&self) -> JsResult<Uint8Array> {
        self.inner.as_ref().map(|p| Uint8Array::from(p.signing_input().as_bytes())).ok_or_else(pending_used)
    }

    /// The decoded signature.
    pub fn signature(&self) -> JsResult<Uint8Array> {
        self.inner.as_ref().map(|p| Uint8Array::from(p.signature())).ok_or_else(pending_used)
    }

    /// `"RS256"`, `"RS384"` or `"RS512"` (already checked against the allow-list).
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> JsResult<String> {
        self.inner.as_ref().map(|p| p.algorithm().as_str().to_owned()).ok_or_else(pending_used)
    }

    /// The WebCrypto hash of `algorithm` (`"SHA-256"`, ...).
    #[wasm_bindgen(getter, js_name = webCryptoHash)]
    pub fn webcrypto_hash(&self) -> JsResult<String> {
        self.inner.as_ref().map(|p| webcrypto_hash(p.algorithm())).ok_or_else(pending_used)
    }

    /// The issuer key's `kid`.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> JsResult<String> {
        self.inner.as_ref().map(|p| p.kid().to_owned()).ok_or_else(pending_used)
    }

    /// A small number naming `kid` + `algorithm` until the validator loads another JWKS, to
    /// cache the imported platform key under (cheaper to hand over than the strings).
    #[wasm_bindgen(getter, js_name = keySlot)]
    pub fn key_slot(&self) -> u32 {
        self.key_slot
    }

    /// Starts `subtle.verify("RSASSA-PKCS1-v1_5", key, signature, signingInput)` with `key`, the
    /// issuer key imported for `algorithm`, and returns its promise. The bytes are handed over
    /// as views into the module's memory, without a copy: WebCrypto copies its arguments before
    /// `verify` returns, and this pending validation keeps them alive until it is freed.
    #[wasm_bindgen(js_name = verifyWith)]
    pub fn verify_with(&self, subtle: &JsValue, key: &JsValue) -> JsResult<Promise> {
        let p = self.inner.as_ref().ok_or_else(pending_used)?;
        let subtle = subtle.unchecked_ref::<SubtleVerify>();
        RSASSA_PKCS1.with(|algorithm| subtle.verify(algorithm, key, p.signature(), p.signing_input().as_bytes()))
    }

    /// The issuer's public key as a JWK object (`kty`, `n`, `e`) for `crypto.subtle.importKey("jwk", ...)`.
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> JsResult<JsValue> {
        let jwk = self.inner.as_ref().map(|p| p.public_jwk()).ok_or_else(pending_used)?;
        JSON::parse(&jwk).map_err(|_| invalid("invalid_argument", "pending", "the public key could not be converted"))
    }
}

#[wasm_bindgen]
impl Validator {
    /// `options`: `{ algorithms?: ["RS256", ...], leeway?, maxJwksAge?, minRefetchInterval? }`
    /// (seconds).
    #[wasm_bindgen(constructor)]
    pub fn new(environment: &Environment, options: JsValue) -> JsResult<Validator> {
        let inner = maskinporten::Validator::new(environment.inner.clone());
        if absent(&options) {
            return Ok(Validator::wrap(inner));
        }
        let algs = get(&options, "algorithms");
        let algorithms = if absent(&algs) {
            None
        } else {
            let names = string_list(&algs, "algorithms")?;
            Some(names.iter().map(|n| Algorithm::from_str(n)).collect::<maskinporten::Result<Vec<_>>>().js()?)
        };
        let settings = maskinporten::ValidatorOptions {
            algorithms,
            leeway: opt_seconds(&options, "leeway")?,
            max_jwks_age: opt_seconds(&options, "maxJwksAge")?,
            min_refetch_interval: opt_seconds(&options, "minRefetchInterval")?,
            jwks_timeout_ms: None,
        };
        Ok(Validator::wrap(inner.with_options(&settings).js()?))
    }

    /// The JWKS request to send now (`{ method, url, headers, body }`), or `undefined`.
    #[wasm_bindgen(js_name = jwksRequest)]
    pub fn jwks_request(&self, now: f64) -> JsResult<JsValue> {
        Ok(self.inner.jwks_request(seconds(now, "now")?).map_or(JsValue::UNDEFINED, |r| request_to_js(&r)))
    }

    /// Takes the fetched JWKS body (string or bytes).
    #[wasm_bindgen(js_name = updateJwks)]
    pub fn update_jwks(&mut self, body: JsValue, now: f64) -> JsResult<()> {
        let body = body_bytes(&body)?;
        self.inner.update_jwks(&body, seconds(now, "now")?).js()?;
        self.key_slots.get_mut().clear();
        Ok(())
    }

    /// Takes the JWKS endpoint's whole answer: a 200 loads the keys (as `updateJwks`); any other
    /// status keeps the keys held, starts the back-off and throws the core's retryable
    /// `unavailable` error with the status.
    #[wasm_bindgen(js_name = updateJwksResponse)]
    pub fn update_jwks_response(&mut self, status: u16, body: JsValue, now: f64) -> JsResult<()> {
        let body = body_bytes(&body)?;
        self.inner.update_jwks_response(status, &body, seconds(now, "now")?).js()?;
        self.key_slots.get_mut().clear();
        Ok(())
    }

    /// Tells the core the JWKS fetch failed: keys held so far stay in use, and `jwksRequest`
    /// waits the minimum refetch interval before asking again.
    #[wasm_bindgen(js_name = jwksFetchFailed)]
    pub fn jwks_fetch_failed(&mut self, now: f64) -> JsResult<()> {
        self.inner.jwks_fetch_failed(seconds(now, "now")?);
        Ok(())
    }

    /// Whether a JWKS has been loaded.
    #[wasm_bindgen(getter, js_name = hasJwks)]
    pub fn has_jwks(&self) -> bool {
        self.inner.has_jwks()
    }

    /// Step one of validation with a host verifier: reads the requirements, parses the token,
    /// applies the alg allow-list and finds the key by `kid`, without checking the signature.
    /// The errors and their order are those of `validate`.
    #[wasm_bindgen(js_name = prepareValidation)]
    pub fn prepare_validation(&self, token: &str, now: f64, requirements_js: JsValue) -> JsResult<PendingValidation> {
        let requirements = Rc::new(requirements(&requirements_js)?);
        self.prepare(token, now, requirements)
    }

    /// A view of `utf16_length * 3` bytes of this validator's memory (room for any string of that
    /// many UTF-16 units), for `TextEncoder.encodeInto(token, view)` followed at once by
    /// `prepareValidationBuffered(written, ...)`; `undefined` when the token is too long to be
    /// valid (then pass the string, and the core names the error). wasm-bindgen's own string
    /// passing copies ASCII character by character in JS, which costs more than parsing the token.
    #[wasm_bindgen(js_name = tokenBuffer)]
    pub fn token_buffer(&self, utf16_length: usize) -> Option<Uint8Array> {
        // UTF-8 never takes fewer bytes than UTF-16 units, so a longer string is too long.
        if utf16_length > maskinporten::MAX_TOKEN_BYTES {
            return None;
        }
        let mut buffer = self.token_buffer.borrow_mut();
        buffer.clear();
        buffer.resize(utf16_length * 3, 0);
        // SAFETY: the view is used by `encodeInto` before anything else runs in this module (no
        // allocation can move or grow the memory in between); `prepareValidationBuffered` then
        // reads the bytes on the Rust side.
        Some(unsafe { Uint8Array::view(&buffer) })
    }

    /// `prepareValidationWith` for a token that `encodeInto` wrote into `tokenBuffer()` (`written`
    /// bytes).
    #[wasm_bindgen(js_name = prepareValidationBuffered)]
    pub fn prepare_validation_buffered(
        &self,
        written: usize,
        now: f64,
        requirements: &ValidationRequirements,
    ) -> JsResult<PendingValidation> {
        let buffer = self.token_buffer.borrow();
        let bytes = buffer.get(..written).unwrap_or_default();
        let token = std::str::from_utf8(bytes).map_err(|_| invalid("invalid_argument", "token", "not UTF-8"))?;
        self.prepare(token, now, Rc::clone(&requirements.inner))
    }

    /// `prepareValidation` with requirements converted beforehand.
    #[wasm_bindgen(js_name = prepareValidationWith)]
    pub fn prepare_validation_with(
        &self,
        token: &str,
        now: f64,
        requirements: &ValidationRequirements,
    ) -> JsResult<PendingValidation> {
        self.prepare(token, now, Rc::clone(&requirements.inner))
    }

    /// Step two: the host's verdict on the signature, then the claim checks. Returns the claims,
    /// typed, as `validate` does.
    #[wasm_bindgen(js_name = finishValidation)]
    pub fn finish_validation(&self, pending: &mut PendingValidation, signature_valid: bool) -> JsResult<JsValue> {
        let inner = pending.inner.take().ok_or_else(pending_used)?;
        if let Some(unverified) = pending.unverified.take() {
            return unverified.conclude(signature_valid).js()?;
        }
        self.inner
            .finish_validation(inner, signature_valid, pending.now, &pending.requirements)
            .js()
            .and_then(|t| validated(&t))
    }

    /// Checks the claims of `pending` (and converts the result) while the platform verifier runs,
    /// keeping the outcome inside `pending`: `finishValidation` then answers from it at once,
    /// exactly as it would have (`signature_invalid` first, whatever the claims said).
    #[wasm_bindgen(js_name = checkClaimsUnverified)]
    pub fn check_claims_unverified(&self, pending: &mut PendingValidation) -> JsResult<()> {
        let inner = pending.inner.as_ref().ok_or_else(pending_used)?;
        let outcome = self.inner.check_claims_unverified(inner, pending.now, &pending.requirements);
        pending.unverified = Some(outcome.map(|t| validated(&t)));
        Ok(())
    }

    /// Validates a token (with or without the `Bearer ` prefix) and returns its claims, typed.
    pub fn validate(&self, token: &str, now: f64, requirements_js: JsValue) -> JsResult<JsValue> {
        let req = requirements(&requirements_js)?;
        self.inner.validate(token, seconds(now, "now")?, &req).js().and_then(|t| validated(&t))
    }

    /// `validate` with requirements converted beforehand.
    #[wasm_bindgen(js_name = validateWith)]
    pub fn validate_with(&self, token: &str, now: f64, requirements: &ValidationRequirements) -> JsResult<JsValue> {
        self.inner.validate(token, seconds(now, "now")?, &requirements.inner).js().and_then(|t| validated(&t))
    }
}

impl Validator {
    fn wrap(inner: maskinporten::Validator) -> Validator {
        Validator { inner, token_buffer: RefCell::default(), key_slots: RefCell::default() }
    }

    fn prepare(&self, token: &str, now: f64, requirements: Rc<Requirements>) -> JsResult<PendingValidation> {
        let now = seconds(now, "now")?;
        let inner = self.inner.prepare_validation(token, now).js()?;
        let mut slots = self.key_slots.borrow_mut();
        let (kid, algorithm) = (inner.kid(), inner.algorithm());
        let key_slot = match slots.iter().position(|(k, a)| k == kid && *a == algorithm) {
            Some(slot) => slot,
            None => {
                slots.push((kid.to_owned(), algorithm));
                slots.len() - 1
            }
        };
        Ok(PendingValidation { inner: Some(inner), requirements, now, key_slot: key_slot as u32, unverified: None })
    }
}
