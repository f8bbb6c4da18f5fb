//! Conversion of the JS grant options bag (`{ scopes, resource, consumerOrg, ... }`) into the
//! core's `GrantOptions`. Type conversion only: every protocol rule is the core's.

use js_sys::JSON;
use maskinporten::{AuthorizationDetail, ErrorKind, GrantOptions, Resource};
use wasm_bindgen::prelude::*;

use crate::args::{absent, get, opt_string, options, strings};
use crate::error::{invalid, IntoJs, JsResult};

/// The grant's own options. Unknown keys are an error, so a typo such as `consumerOrgno` cannot
/// silently drop a claim.
const GRANT: &[&str] = &["scopes", "resource", "consumerOrg", "issOnbehalfof", "pid", "authorizationDetails"];
/// `grant()` and `tokenRequest()` also take the time and the grant id.
const GRANT_CALL: &[&str] =
    &["scopes", "resource", "consumerOrg", "issOnbehalfof", "pid", "authorizationDetails", "now", "jti"];

/// Reads a grant options bag; `with_call` accepts `now` and `jti` too (read by the caller).
pub fn grant_options(opts: &JsValue, with_call: bool) -> JsResult<GrantOptions> {
    if !options(opts, "options", if with_call { GRANT_CALL } else { GRANT })? {
        return Ok(GrantOptions::default());
    }
    let scopes = get(opts, "scopes");
    let scopes = if absent(&scopes) { Vec::new() } else { strings(&scopes, "scopes")? };
    let mut out = GrantOptions::new(scopes);
    let resource = get(opts, "resource");
    if !absent(&resource) {
        out.resource = Some(match resource.as_string() {
            Some(one) => Resource::One(one),
            None => Resource::Many(strings(&resource, "resource")?),
        });
    }
    out.consumer_org = opt_string(&get(opts, "consumerOrg"), "consumerOrg")?;
    out.iss_onbehalfof = opt_string(&get(opts, "issOnbehalfof"), "issOnbehalfof")?;
    out.pid = opt_string(&get(opts, "pid"), "pid")?;
    let details = get(opts, "authorizationDetails");
    if !absent(&details) {
        out.authorization_details = authorization_details(&details)?;
    }
    Ok(out)
}

/// Authorization details as given in JS: objects (or an array of them), or JSON text.
fn authorization_details(v: &JsValue) -> JsResult<Vec<AuthorizationDetail>> {
    let json = match v.as_string() {
        Some(s) => s,
        None => JSON::stringify(v).ok().and_then(|s| s.as_string()).ok_or_else(|| {
            invalid(
                ErrorKind::InvalidArgument,
                "authorizationDetails",
                "authorizationDetails must be objects or JSON text",
            )
        })?,
    };
    AuthorizationDetail::from_json(&json).js()
}
