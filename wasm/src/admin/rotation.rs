//! `CoreRotationPolicy` and `CoreRotationPlanner` (wrapped by the JS `RotationPolicy` and
//! `RotationPlanner`): the core decides; this file reads the key set `parseClientKeys` gave and
//! writes the action as a plain object tagged by `kind`.

use js_sys::{Array, Object, Reflect};
use maskinporten::{ClientKeys, ErrorKind, RegisteredKey, RotationAction, RotationPlanner, RotationPolicy};
use wasm_bindgen::prelude::*;

use super::refusal::IntoAdminJs;
use crate::args::{absent, integer, now_or_clock, opt_string, seconds, string};
use crate::error::{invalid, set, JsResult};

/// A checked rotation policy. Internal: the JS `RotationPolicy` wraps it.
#[wasm_bindgen]
pub struct CoreRotationPolicy {
    inner: RotationPolicy,
}

fn opt_seconds(v: &JsValue, field: &'static str) -> JsResult<Option<i64>> {
    if absent(v) {
        return Ok(None);
    }
    seconds(v, field).map(Some)
}

#[wasm_bindgen]
impl CoreRotationPolicy {
    /// The core's defaults, changed by each value given (seconds; `maxKeys` a count).
    #[wasm_bindgen(constructor)]
    pub fn new(
        key_lifetime: JsValue,
        rotate_after: JsValue,
        rotate_before_expiry: JsValue,
        propagation_delay: JsValue,
        grace_period: JsValue,
        max_keys: JsValue,
    ) -> JsResult<CoreRotationPolicy> {
        let mut p = RotationPolicy::default();
        if let Some(v) = opt_seconds(&key_lifetime, "keyLifetime")? {
            p = p.with_key_lifetime(v).js()?;
        }
        if let Some(v) = opt_seconds(&rotate_after, "rotateAfter")? {
            p = p.with_rotate_after(v).js()?;
        }
        if let Some(v) = opt_seconds(&rotate_before_expiry, "rotateBeforeExpiry")? {
            p = p.with_rotate_before_expiry(v).js()?;
        }
        if let Some(v) = opt_seconds(&propagation_delay, "propagationDelay")? {
            p = p.with_propagation_delay(v).js()?;
        }
        if let Some(v) = opt_seconds(&grace_period, "gracePeriod")? {
            p = p.with_grace_period(v).js()?;
        }
        if !absent(&max_keys) {
            p = p.with_max_keys(integer(&max_keys, "maxKeys", 1000.0)? as usize).js()?;
        }
        Ok(CoreRotationPolicy { inner: p })
    }

    /// How long a new key lives (seconds).
    #[wasm_bindgen(getter, js_name = keyLifetime)]
    pub fn key_lifetime(&self) -> f64 {
        self.inner.key_lifetime() as f64
    }

    /// The most keys registered at once.
    #[wasm_bindgen(getter, js_name = maxKeys)]
    pub fn max_keys(&self) -> f64 {
        self.inner.max_keys() as f64
    }
}

/// The core's planner. Internal: the JS `RotationPlanner` wraps it.
#[wasm_bindgen]
pub struct CoreRotationPlanner {
    inner: RotationPlanner,
}

fn member(o: &JsValue, name: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn opt_time(o: &JsValue, name: &'static str) -> JsResult<Option<i64>> {
    opt_seconds(&member(o, name), name)
}

/// `{ keys: [{ kid, expiresAt }], created, lastUpdated }`, as `parseClientKeys` returns it.
fn client_keys(v: &JsValue) -> JsResult<ClientKeys> {
    let wrong = || {
        invalid(
            ErrorKind::InvalidArgument,
            "keys",
            "keys must be the client's key set as parseClientKeys returns it: { keys: [{ kid, expiresAt }], lastUpdated }",
        )
    };
    if !v.is_object() || !Array::is_array(&member(v, "keys")) {
        return Err(wrong());
    }
    let keys = Array::from(&member(v, "keys"))
        .iter()
        .map(|k| {
            if !k.is_object() {
                return Err(wrong());
            }
            Ok(RegisteredKey {
                kid: string(&member(&k, "kid"), "kid")?,
                expires_at: opt_time(&k, "expiresAt")?,
                jwk_json: String::new(),
            })
        })
        .collect::<JsResult<Vec<_>>>()?;
    Ok(ClientKeys { keys, created: opt_time(v, "created")?, last_updated: opt_time(v, "lastUpdated")? })
}

fn strings(list: &[String]) -> Array {
    list.iter().map(|s| JsValue::from_str(s)).collect()
}

fn action_to_js(action: &RotationAction) -> JsValue {
    let o: JsValue = Object::new().into();
    let kind = |k: &str| set(&o, "kind", &JsValue::from_str(k));
    match action {
        RotationAction::Nothing { next_at, reason } => {
            kind("nothing");
            set(&o, "nextAt", &JsValue::from_f64(*next_at as f64));
            set(&o, "reason", &JsValue::from_str(reason));
        }
        RotationAction::Publish { kid, expires_at, keep } => {
            kind("publish");
            set(&o, "kid", &JsValue::from_str(kid));
            set(&o, "expiresAt", &JsValue::from_f64(*expires_at as f64));
            set(&o, "keep", &strings(keep));
        }
        RotationAction::Switch { kid } => {
            kind("switch");
            set(&o, "kid", &JsValue::from_str(kid));
        }
        RotationAction::Remove { remove, keep } => {
            kind("remove");
            set(&o, "remove", &strings(remove));
            set(&o, "keep", &strings(keep));
        }
    }
    o
}

#[wasm_bindgen]
impl CoreRotationPlanner {
    /// A planner with `policy`.
    #[wasm_bindgen(constructor)]
    pub fn new(policy: &CoreRotationPolicy) -> CoreRotationPlanner {
        CoreRotationPlanner { inner: RotationPlanner::new(policy.inner) }
    }

    /// What to do at `now` (Unix seconds; the clock when absent) for a client whose registered
    /// set is `keys`, while the host signs with `signingKid` (absent when it has no key yet).
    pub fn plan(&self, keys: JsValue, signing_kid: JsValue, now: JsValue) -> JsResult<JsValue> {
        let keys = client_keys(&keys)?;
        let signing = opt_string(&signing_kid, "signingKid")?;
        let action = self.inner.plan(&keys, signing.as_deref(), now_or_clock(&now)?).js()?;
        Ok(action_to_js(&action))
    }
}
