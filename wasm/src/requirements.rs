//! What an API requires of a token, from the JS object `{ scopes, scopeMatch, audience,
//! requirePid, consumerOrgs, anyScopeUnchecked, esealConsumers, consent, systemUser }`, converted
//! once into the core's `Requirements`.

use std::rc::Rc;
use std::str::FromStr;

use maskinporten::{ConsentRequirement, Requirements, ScopeMatch, SystemUserRequirement};
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
    /// `rejection` (a 500: the API's configuration is wrong, not the token). `consent` and
    /// `system_user` say whether those requirements are set; their fields may each be absent.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)] // one crossing for the whole requirements object
    pub fn new(
        scopes: Vec<String>,
        scope_match: Option<String>,
        audience: Option<String>,
        require_pid: bool,
        consumer_orgs: Vec<String>,
        any_scope_unchecked: bool,
        eseal_consumers: bool,
        consent: bool,
        consent_id: Option<String>,
        consent_from: Option<String>,
        system_user: bool,
        system_user_org: Option<String>,
        system_id: Option<String>,
    ) -> JsResult<ValidationRequirements> {
        let scope_match = match scope_match {
            Some(name) => ScopeMatch::from_str(&name).map_err(|e| with_rejection(to_js(e), None))?,
            None => ScopeMatch::Any,
        };
        let mut requirements =
            Requirements::from_parts(scopes, scope_match, audience, require_pid, consumer_orgs, any_scope_unchecked);
        if eseal_consumers {
            requirements = requirements.with_eseal_consumers();
        }
        if consent {
            requirements = requirements.with_consent(ConsentRequirement { id: consent_id, from: consent_from });
        }
        if system_user {
            requirements = requirements.with_system_user(SystemUserRequirement { org: system_user_org, system_id });
        }
        requirements.check().map_err(|e| with_rejection(to_js(e), None))?;
        Ok(ValidationRequirements { inner: Rc::new(requirements) })
    }
}
