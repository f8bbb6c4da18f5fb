//! `CoreSelfService` (wrapped by the JS `SelfService`): the core's request builders, and the
//! checks that go with them (`adminScope`, `checkPublicKeySet`, `checkAdminSigner`).

use js_sys::{Array, Reflect, JSON};
use maskinporten::{ClientUpdate, Environment, ErrorKind, NewClient, SelfService, SelfServiceCall};
use wasm_bindgen::prelude::*;

use super::refusal::{admin_error, IntoAdminJs};
use crate::args::{absent, body, opt_string, string};
use crate::error::{invalid, JsResult};
use crate::http::request_to_js;

/// The self-service API of one environment. Internal: the JS `SelfService` wraps it.
#[wasm_bindgen]
pub struct CoreSelfService {
    inner: SelfService,
}

fn with_base(environment: Environment, base: &JsValue) -> JsResult<CoreSelfService> {
    let environment = match opt_string(base, "base")? {
        Some(base) => environment.with_self_service_base(&base).js()?,
        None => environment,
    };
    SelfService::for_environment(&environment).js().map(|inner| CoreSelfService { inner })
}

/// A call by the name of its JS method without `Request` (`"createClient"`) or the core's name
/// (`"create_client"`).
pub(super) fn call_named(name: &JsValue) -> JsResult<SelfServiceCall> {
    let name = string(name, "call")?;
    let mut snake = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake.parse::<SelfServiceCall>().js()
}

/// A member of an options object (already checked for unknown keys by the JS layer).
fn member(data: &JsValue, name: &str) -> JsValue {
    if absent(data) {
        return JsValue::UNDEFINED;
    }
    Reflect::get(data, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Scopes as an array of strings (or one string, one scope); absent is none when `required` is false.
fn scopes(v: &JsValue, required: bool) -> JsResult<Vec<String>> {
    if let Some(one) = v.as_string() {
        return Ok(vec![one]);
    }
    if absent(v) && !required {
        return Ok(Vec::new());
    }
    let wrong = || invalid(ErrorKind::InvalidScope, "scopes", "scopes must be an array of scope strings");
    if !Array::is_array(v) {
        return Err(wrong());
    }
    Array::from(v).iter().map(|s| s.as_string().ok_or_else(wrong)).collect()
}

/// Public JWKs as JSON text each: objects (as `Key.publicJwk()` gives them) or JSON strings.
fn jwk_texts(v: &JsValue) -> JsResult<Vec<String>> {
    let wrong = || {
        invalid(
            ErrorKind::InvalidKeySet,
            "keys",
            "keys must be an array of public JWKs (objects, as Key.publicJwk() gives them, or JSON strings)",
        )
    };
    if !Array::is_array(v) {
        return Err(wrong());
    }
    Array::from(v)
        .iter()
        .map(|jwk| {
            if let Some(text) = jwk.as_string() {
                return Ok(text);
            }
            if !jwk.is_object() {
                return Err(wrong());
            }
            JSON::stringify(&jwk).ok().and_then(|s| s.as_string()).ok_or_else(wrong)
        })
        .collect()
}

#[wasm_bindgen]
impl CoreSelfService {
    /// `"test"`, `"prod"` or an issuer URL; `base` names the API for other issuers.
    pub fn named(name: JsValue, base: JsValue) -> JsResult<CoreSelfService> {
        with_base(Environment::from_name(&string(&name, "environment")?).js()?, &base)
    }

    /// Explicit URLs (an `Environment` of the main module, read through its getters).
    pub fn custom(
        issuer: JsValue,
        token_endpoint: JsValue,
        jwks_uri: JsValue,
        base: JsValue,
    ) -> JsResult<CoreSelfService> {
        let (issuer, token, jwks) =
            (string(&issuer, "issuer")?, string(&token_endpoint, "tokenEndpoint")?, string(&jwks_uri, "jwksUri")?);
        with_base(Environment::custom(&issuer, &token, &jwks).js()?, &base)
    }

    /// From a metadata document whose `self_service_endpoint` names the API (the simulator's).
    #[wasm_bindgen(js_name = fromMetadata)]
    pub fn from_metadata(json: JsValue) -> JsResult<CoreSelfService> {
        with_base(Environment::from_metadata(&body(&json, "metadata")?).js()?, &JsValue::UNDEFINED)
    }

    /// The base URL (no trailing slash).
    #[wasm_bindgen(getter)]
    pub fn base(&self) -> String {
        self.inner.base().to_owned()
    }

    /// The request of `call` (a `SelfServiceCall` name): `{ method, url, headers, body }`.
    /// `clientId` for the calls on one client; `data` the new client or update (`{ clientName,
    /// description, scopes }`) or the public JWKs for `replaceKeys`.
    pub fn request(&self, call: JsValue, token: JsValue, client_id: JsValue, data: JsValue) -> JsResult<JsValue> {
        let call = call_named(&call)?;
        let token = string(&token, "accessToken")?;
        let id = || string(&client_id, "clientId");
        let api = &self.inner;
        let request = match call {
            SelfServiceCall::ListClients => api.list_clients_request(&token),
            SelfServiceCall::GetClient => api.get_client_request(&token, &id()?),
            SelfServiceCall::CreateClient => {
                let client = NewClient {
                    client_name: string(&member(&data, "clientName"), "clientName")?,
                    description: string(&member(&data, "description"), "description")?,
                    scopes: scopes(&member(&data, "scopes"), false)?,
                };
                api.create_client_request(&token, &client)
            }
            SelfServiceCall::UpdateClient => {
                let update = ClientUpdate {
                    client_name: string(&member(&data, "clientName"), "clientName")?,
                    description: string(&member(&data, "description"), "description")?,
                    scopes: scopes(&member(&data, "scopes"), true)?,
                };
                api.update_client_request(&token, &id()?, &update)
            }
            SelfServiceCall::DeactivateClient => api.deactivate_client_request(&token, &id()?),
            SelfServiceCall::GetKeys => api.client_keys_request(&token, &id()?),
            SelfServiceCall::ReplaceKeys => api.replace_keys_request(&token, &id()?, &jwk_texts(&data)?),
            SelfServiceCall::RemoveKeys => api.remove_keys_request(&token, &id()?),
            SelfServiceCall::ScopeAccess => api.scope_access_request(&token),
            SelfServiceCall::PublicScopes => api.public_scopes_request(&token),
        };
        request.map(|r| request_to_js(&r)).map_err(admin_error)
    }
}

/// The least admin scope of a call (`"createClient"` or `"create_client"`): `idporten:dcr.read`,
/// `.write` or `.modify`.
#[wasm_bindgen(js_name = adminScope)]
pub fn admin_scope(call: JsValue) -> JsResult<String> {
    Ok(call_named(&call)?.scope().as_str().to_owned())
}

/// Checks a key set for `replaceKeysRequest` without building anything.
#[wasm_bindgen(js_name = checkPublicKeySet)]
pub fn check_public_key_set(jwks: JsValue) -> JsResult<()> {
    maskinporten::check_public_key_set(&jwk_texts(&jwks)?).js().map(|_| ())
}

/// The core's admin-client check from a key's `kid` and whether it has a certificate.
#[wasm_bindgen(js_name = checkAdminSigner)]
pub fn check_admin_signer(kid: JsValue, has_certificate: bool) -> JsResult<()> {
    maskinporten::check_admin_signer(opt_string(&kid, "kid")?.as_deref(), has_certificate).js()
}
