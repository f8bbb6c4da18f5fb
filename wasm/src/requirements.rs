//! What an API requires of a token, from the JS object `{ scopes, scopeMatch, audience,
//! requirePid, consumerOrgs, anyScopeUnchecked }`, converted once into the core's `Requirements`.

use std::rc::Rc;
use std::str::FromStr;

use maskinporten::{Requirements, ScopeMatch};
use wasm_bindgen::prelude::*;

use crate::error::{to_js, JsResult};
use crate::rejection::with_rejection;

/// Requirements converted and checked once (the core checks them again on every validation).
/// `TokenValidator` keeps one per requirements object; a middleware converts its requirements
/// when it is created, so a misconfiguration fails at start-up.
#[wasm_bindgen]
pub struct ValidationRequirements {
    pub(crate) inner: Rc<Requirements>,
}

#[wasm_bindgen]
impl ValidationRequirements {
    /// Converts and checks the requirements (types checked in JS); the error carries its
    /// `rejection` (a 500: the API's configuration is wrong, not the token).
    #[wasm_bindgen(constructor)]
    pub fn new(
        scopes: Vec<String>,
        scope_match: Option<String>,
        audience: Option<String>,
        require_pid: bool,
        consumer_orgs: Vec<String>,
        any_scope_unchecked: bool,
    ) -> JsResult<ValidationRequirements> {
        let scope_match = match scope_match {
            Some(name) => ScopeMatch::from_str(&name).map_err(|e| with_rejection(to_js(e), None))?,
            None => ScopeMatch::Any,
        };
        let requirements =
            Requirements::from_parts(scopes, scope_match, audience, require_pid, consumer_orgs, any_scope_unchecked);
        requirements.check().map_err(|e| with_rejection(to_js(e), None))?;
        Ok(ValidationRequirements { inner: Rc::new(requirements) })
    }
}
