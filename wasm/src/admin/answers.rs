//! The `parse*` functions: the core reads the answer; this file only turns its values into plain
//! JS objects (camelCase, `null` for what the API did not say).

use js_sys::{Array, Object, JSON};
use wasm_bindgen::prelude::*;

use super::refusal::IntoAdminJs;
use super::selfservice::call_named;
use crate::args::{body, integer};
use crate::error::{opt_str, set, JsResult};

fn status(v: &JsValue) -> JsResult<u16> {
    Ok(integer(v, "status", 999.0)? as u16)
}

fn time(v: Option<i64>) -> JsValue {
    v.map_or(JsValue::NULL, |t| JsValue::from_f64(t as f64))
}

fn strings(list: &[String]) -> Array {
    list.iter().map(|s| JsValue::from_str(s)).collect()
}

fn client(c: &maskinporten::RegisteredClient) -> JsValue {
    let o: JsValue = Object::new().into();
    set(&o, "clientId", &JsValue::from_str(&c.client_id));
    set(&o, "clientName", &JsValue::from_str(&c.client_name));
    set(&o, "description", &JsValue::from_str(&c.description));
    set(&o, "clientOrgno", &opt_str(c.client_orgno.as_deref()));
    set(&o, "integrationType", &opt_str(c.integration_type.as_deref()));
    set(&o, "scopes", &strings(&c.scopes));
    set(&o, "active", &JsValue::from_bool(c.active));
    set(&o, "created", &time(c.created));
    set(&o, "lastUpdated", &time(c.last_updated));
    o
}

/// `GET /clients`: `[{ clientId, clientName, description, clientOrgno, integrationType, scopes,
/// active, created, lastUpdated }]`.
#[wasm_bindgen(js_name = parseClients)]
pub fn parse_clients(status_code: JsValue, response_body: JsValue) -> JsResult<Array> {
    let clients = maskinporten::parse_clients(status(&status_code)?, &body(&response_body, "body")?).js()?;
    Ok(clients.iter().map(client).collect())
}

/// The answer of `call` (`"getClient"`, `"createClient"` or `"updateClient"`): one client; a
/// refusal names that call's admin scope.
#[wasm_bindgen(js_name = parseClient)]
pub fn parse_client(call: JsValue, status_code: JsValue, response_body: JsValue) -> JsResult<JsValue> {
    let call = call_named(&call)?;
    Ok(client(&maskinporten::parse_client(call, status(&status_code)?, &body(&response_body, "body")?).js()?))
}

/// The answer of `call` (`"clientKeys"`, or `"replaceKeys"`, which returns the new set):
/// `{ keys: [{ kid, expiresAt, jwk }], created, lastUpdated }` (`jwk` the public JWK as an
/// object). What `RotationPlanner.plan` takes.
#[wasm_bindgen(js_name = parseClientKeys)]
pub fn parse_client_keys(call: JsValue, status_code: JsValue, response_body: JsValue) -> JsResult<JsValue> {
    let call = call_named(&call)?;
    let set_of = maskinporten::parse_client_keys(call, status(&status_code)?, &body(&response_body, "body")?).js()?;
    let keys: Array = set_of
        .keys
        .iter()
        .map(|k| {
            let o: JsValue = Object::new().into();
            set(&o, "kid", &JsValue::from_str(&k.kid));
            set(&o, "expiresAt", &time(k.expires_at));
            // The core re-serialised it from parsed JSON, so it parses.
            set(&o, "jwk", &JSON::parse(&k.jwk_json).unwrap_or(JsValue::NULL));
            o
        })
        .collect();
    let o: JsValue = Object::new().into();
    set(&o, "keys", &keys);
    set(&o, "created", &time(set_of.created));
    set(&o, "lastUpdated", &time(set_of.last_updated));
    Ok(o)
}

/// `GET /scopes/access/all`: `[{ scope, state }]`.
#[wasm_bindgen(js_name = parseScopeAccess)]
pub fn parse_scope_access(status_code: JsValue, response_body: JsValue) -> JsResult<Array> {
    let list = maskinporten::parse_scope_access(status(&status_code)?, &body(&response_body, "body")?).js()?;
    Ok(list
        .iter()
        .map(|a| {
            let o: JsValue = Object::new().into();
            set(&o, "scope", &JsValue::from_str(&a.scope));
            set(&o, "state", &JsValue::from_str(&a.state));
            o
        })
        .collect())
}

/// `GET /scopes/all?accessible_for_all=true`: `[{ name, description }]`.
#[wasm_bindgen(js_name = parsePublicScopes)]
pub fn parse_public_scopes(status_code: JsValue, response_body: JsValue) -> JsResult<Array> {
    let list = maskinporten::parse_public_scopes(status(&status_code)?, &body(&response_body, "body")?).js()?;
    Ok(list
        .iter()
        .map(|s| {
            let o: JsValue = Object::new().into();
            set(&o, "name", &JsValue::from_str(&s.name));
            set(&o, "description", &opt_str(s.description.as_deref()));
            o
        })
        .collect())
}

/// The answer of a `DELETE` (deactivate a client, remove its keys): nothing, or the refusal.
#[wasm_bindgen(js_name = parseEmpty)]
pub fn parse_empty(status_code: JsValue, response_body: JsValue) -> JsResult<()> {
    maskinporten::parse_empty(status(&status_code)?, &body(&response_body, "body")?).js()
}
