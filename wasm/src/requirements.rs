//! What an API requires of a token, from the JS object `{ scopes, scopeMatch, audience,
//! requirePid, consumerOrgs, anyScopeUnchecked }`, converted once into the core's `Requirements`.

use std::rc::Rc;
use std::str::FromStr;

use maskinporten::{ErrorKind, Requirements, ScopeMatch};
use wasm_bindgen::prelude::*;

use crate::args::{absent, get, opt_bool, opt_string, options, strings};
use crate::error::{invalid, to_js, JsResult};
use crate::rejection::with_rejection;

const KEYS: &[&str] = &["scopes", "scopeMatch", "audience", "requirePid", "consumerOrgs", "anyScopeUnchecked"];

fn convert(v: &JsValue) -> JsResult<Requirements> {
    if !options(v, "requirements", KEYS)? {
        return Err(invalid(
            ErrorKind::InvalidRequirements,
            "requirements",
            "requirements are required: { scopes: [...] }, { audience }, or { anyScopeUnchecked: true }",
        ));
    }
    let list = |name: &'static str| {
        let value = get(v, name);
        if absent(&value) {
            Ok(Vec::new())
        } else {
            strings(&value, name)
        }
    };
    let scope_match = match opt_string(&get(v, "scopeMatch"), "scopeMatch")? {
        Some(name) => ScopeMatch::from_str(&name).map_err(to_js)?,
        None => ScopeMatch::Any,
    };
    let requirements = Requirements::from_parts(
        list("scopes")?,
        scope_match,
        opt_string(&get(v, "audience"), "audience")?,
        opt_bool(&get(v, "requirePid"), "requirePid")?,
        list("consumerOrgs")?,
        opt_bool(&get(v, "anyScopeUnchecked"), "anyScopeUnchecked")?,
    );
    requirements.check().map_err(to_js)?;
    Ok(requirements)
}

/// Requirements converted and checked once (the core checks them again on every validation).
/// `TokenValidator` keeps one per requirements object; a middleware converts its requirements
/// when it is created, so a misconfiguration fails at start-up.
#[wasm_bindgen]
pub struct ValidationRequirements {
    pub(crate) inner: Rc<Requirements>,
}

#[wasm_bindgen]
impl ValidationRequirements {
    /// Converts and checks `requirements`; the error carries its `rejection` (a 500: the API's
    /// configuration is wrong, not the token).
    #[wasm_bindgen(constructor)]
    pub fn new(requirements: JsValue) -> JsResult<ValidationRequirements> {
        match convert(&requirements) {
            Ok(inner) => Ok(ValidationRequirements { inner: Rc::new(inner) }),
            Err(error) => Err(with_rejection(error, None)),
        }
    }
}
