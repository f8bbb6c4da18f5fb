//! `Validator`: the core's access-token validator for API providers (issue 7), sans-IO.

use js_sys::{Array, Object, Reflect, JSON};
use maskinporten::{Algorithm, Authorization, Organisation, Requirements, ValidatedToken};
use std::str::FromStr;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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
    let mut out = match get(v, "scopeMatch").as_string().as_deref() {
        None | Some("any") => Requirements::any_scope(scopes),
        Some("all") => Requirements::all_scopes(scopes),
        Some(_) => return Err(invalid("invalid_argument", "scopeMatch", "scopeMatch must be \"any\" or \"all\"")),
    };
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

fn set(o: &Object, k: &str, v: JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v);
}

fn opt_str(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

fn strings(v: &[String]) -> JsValue {
    v.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into()
}

fn organisation(org: Option<&Organisation>) -> JsValue {
    let Some(org) = org else { return JsValue::NULL };
    let o = Object::new();
    set(&o, "id", JsValue::from_str(&org.id));
    set(&o, "orgNumber", JsValue::from_str(&org.org_number));
    set(&o, "subUnit", strings(&org.sub_unit));
    o.into()
}

fn authorization(a: &Authorization) -> JsValue {
    let o = Object::new();
    match a {
        Authorization::SystemUser { org, system_user_ids, system_id, external_ref } => {
            set(&o, "type", "urn:altinn:systemuser".into());
            set(&o, "org", organisation(org.as_ref()));
            set(&o, "systemUserIds", strings(system_user_ids));
            set(&o, "systemId", opt_str(system_id.as_deref()));
            set(&o, "externalRef", opt_str(external_ref.as_deref()));
        }
        Authorization::Consent { id, from } => {
            set(&o, "type", "urn:altinn:consent".into());
            set(&o, "id", opt_str(id.as_deref()));
            set(&o, "from", opt_str(from.as_deref()));
        }
        Authorization::Other(json) => {
            set(&o, "type", "other".into());
            set(&o, "value", JSON::parse(json).unwrap_or(JsValue::NULL));
        }
        #[allow(unreachable_patterns)]
        _ => set(&o, "type", "unknown".into()),
    }
    o.into()
}

fn validated(t: &ValidatedToken) -> JsValue {
    let o = Object::new();
    set(&o, "consumer", organisation(Some(&t.consumer)));
    set(&o, "consumerOrg", JsValue::from_str(&t.consumer.org_number));
    set(&o, "supplier", organisation(t.supplier.as_ref()));
    set(&o, "delegationSource", opt_str(t.delegation_source.as_deref()));
    set(&o, "clientId", JsValue::from_str(&t.client_id));
    set(&o, "clientAmr", opt_str(t.client_amr.as_deref()));
    set(&o, "scopes", strings(&t.scopes));
    set(&o, "audience", strings(&t.audience));
    set(&o, "pid", opt_str(t.pid.as_deref()));
    set(&o, "issuedAt", JsValue::from_f64(t.issued_at as f64));
    set(&o, "expiresAt", JsValue::from_f64(t.expires_at as f64));
    set(&o, "jti", opt_str(t.jti.as_deref()));
    set(&o, "authorizationDetails", t.authorization_details.iter().map(authorization).collect::<Array>().into());
    set(&o, "claims", JSON::parse(&t.claims_json).unwrap_or(JsValue::NULL));
    o.into()
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

    /// Validates a token (with or without the `Bearer ` prefix) and returns its claims, typed.
    pub fn validate(&self, token: &str, now: f64, requirements_js: JsValue) -> JsResult<JsValue> {
        let req = requirements(&requirements_js)?;
        self.inner.validate(token, seconds(now, "now")?, &req).js().map(|t| validated(&t))
    }
}
