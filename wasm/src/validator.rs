//! `Validator`: the core's access-token validator for API providers (issue 7), sans-IO.

use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use maskinporten::{Algorithm, Authorization, Organisation, Requirements, ScopeMatch, ValidatedToken};
use serde_json::{json, Value};
use std::str::FromStr;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::client::webcrypto_hash;
use crate::environment::Environment;
use crate::error::{invalid, IntoJs, JsResult};
use crate::http::{body_bytes, request_to_js};
use crate::options::seconds;

/// Validates Maskinporten access tokens of one issuer. The host fetches the JWKS when
/// `jwksRequest(now)` returns a request and hands the body to `updateJwks`.
#[wasm_bindgen]
pub struct Validator {
    inner: maskinporten::Validator,
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
        out.scope_match = ScopeMatch::from_str(&name).js()?;
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

fn organisation(org: Option<&Organisation>) -> Value {
    let Some(org) = org else { return Value::Null };
    json!({ "id": org.id, "orgNumber": org.org_number, "subUnit": org.sub_unit })
}

fn authorization(a: &Authorization) -> Value {
    match a {
        Authorization::SystemUser { org, system_user_ids, system_id, external_ref } => json!({
            "type": "urn:altinn:systemuser",
            "org": organisation(org.as_ref()),
            "systemUserIds": system_user_ids,
            "systemId": system_id,
            "externalRef": external_ref,
        }),
        Authorization::Consent { id, from } => json!({ "type": "urn:altinn:consent", "id": id, "from": from }),
        Authorization::Other(raw) => {
            json!({ "type": "other", "value": serde_json::from_str::<Value>(raw).unwrap_or(Value::Null) })
        }
        #[allow(unreachable_patterns)]
        _ => json!({ "type": "unknown" }),
    }
}

/// The validated token as one JSON text, parsed once on the JS side (one crossing instead of one
/// per field). `claims` is the core's raw claims JSON, spliced in unparsed.
fn validated(t: &ValidatedToken) -> JsResult<JsValue> {
    let fields = json!({
        "consumer": organisation(Some(&t.consumer)),
        "consumerOrg": t.consumer.org_number,
        "supplier": organisation(t.supplier.as_ref()),
        "delegationSource": t.delegation_source,
        "clientId": t.client_id,
        "clientAmr": t.client_amr,
        "scopes": t.scopes,
        "audience": t.audience,
        "pid": t.pid,
        "issuedAt": t.issued_at,
        "expiresAt": t.expires_at,
        "jti": t.jti,
        "authorizationDetails": t.authorization_details.iter().map(authorization).collect::<Vec<_>>(),
    })
    .to_string();
    // `fields` is a JSON object, so it ends with '}'; the claims are a JSON object from the core.
    let claims = if t.claims_json.starts_with('{') { t.claims_json.as_str() } else { "null" };
    let text = match fields.strip_suffix('}') {
        Some(head) => format!("{head},\"claims\":{claims}}}"),
        None => fields,
    };
    JSON::parse(&text).map_err(|_| invalid("invalid_argument", "token", "the validated token could not be converted"))
}

/// A token parsed and matched to its issuer key, waiting for the host's signature check
/// (`crypto.subtle.verify` with RSASSA-PKCS1-v1_5 over `signingInputBytes()` with
/// `publicJwk`), then `validator.finishValidation(pending, valid)`.
#[wasm_bindgen]
pub struct PendingValidation {
    inner: Option<maskinporten::PendingValidation>,
    requirements: Requirements,
    now: i64,
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
        let mut inner = maskinporten::Validator::new(environment.inner.clone());
        if absent(&options) {
            return Ok(Validator { inner });
        }
        let algs = get(&options, "algorithms");
        if !absent(&algs) {
            let names = string_list(&algs, "algorithms")?;
            let algs = names.iter().map(|n| Algorithm::from_str(n)).collect::<maskinporten::Result<Vec<_>>>().js()?;
            inner = inner.with_algorithms(&algs);
        }
        if let Some(s) = opt_seconds(&options, "leeway")? {
            inner = inner.with_leeway(s);
        }
        if let Some(s) = opt_seconds(&options, "maxJwksAge")? {
            inner = inner.with_max_jwks_age(s);
        }
        if let Some(s) = opt_seconds(&options, "minRefetchInterval")? {
            inner = inner.with_min_refetch_interval(s);
        }
        Ok(Validator { inner })
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
        self.inner.update_jwks(&body, seconds(now, "now")?).js()
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
        let requirements = requirements(&requirements_js)?;
        let now = seconds(now, "now")?;
        let inner = self.inner.prepare_validation(token, now).js()?;
        Ok(PendingValidation { inner: Some(inner), requirements, now })
    }

    /// Step two: the host's verdict on the signature, then the claim checks. Returns the claims,
    /// typed, as `validate` does.
    #[wasm_bindgen(js_name = finishValidation)]
    pub fn finish_validation(&self, pending: &mut PendingValidation, signature_valid: bool) -> JsResult<JsValue> {
        let inner = pending.inner.take().ok_or_else(pending_used)?;
        self.inner
            .finish_validation(inner, signature_valid, pending.now, &pending.requirements)
            .js()
            .and_then(|t| validated(&t))
    }

    /// Validates a token (with or without the `Bearer ` prefix) and returns its claims, typed.
    pub fn validate(&self, token: &str, now: f64, requirements_js: JsValue) -> JsResult<JsValue> {
        let req = requirements(&requirements_js)?;
        self.inner.validate(token, seconds(now, "now")?, &req).js().and_then(|t| validated(&t))
    }
}
