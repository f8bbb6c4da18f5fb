//! The grant options, converted once into the core's `GrantOptions` (`CoreGrant`). The JS layer
//! checks the types and the option names (`js/options.js`); every protocol rule is the core's.

use std::cell::OnceCell;

use maskinporten::{AuthorizationDetail, CacheKey, GrantOptions, Resource};
use wasm_bindgen::prelude::*;

use crate::error::{IntoJs, JsResult};

/// Grant options converted and checked once, with their cache key (computed on first use by a
/// token flow): what `TokenProvider` keeps per options object, so a cache hit neither converts
/// the options nor hashes them again.
#[wasm_bindgen(js_name = CoreGrant)]
pub struct CoreGrant {
    pub(crate) options: GrantOptions,
    key: OnceCell<CacheKey>,
}

#[wasm_bindgen(js_class = CoreGrant)]
impl CoreGrant {
    /// `resource` is one URL unless `resource_many`; `authorization_details` is JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(
        scopes: Vec<String>,
        resource: Option<Vec<String>>,
        resource_many: bool,
        consumer_org: Option<String>,
        iss_onbehalfof: Option<String>,
        pid: Option<String>,
        authorization_details: Option<String>,
    ) -> JsResult<CoreGrant> {
        let mut options = GrantOptions::new(scopes);
        options.resource = resource.map(|mut urls| match (resource_many, urls.pop()) {
            (false, Some(one)) => Resource::One(one),
            (_, last) => Resource::Many(urls.into_iter().chain(last).collect()),
        });
        options.consumer_org = consumer_org;
        options.iss_onbehalfof = iss_onbehalfof;
        options.pid = pid;
        if let Some(json) = authorization_details {
            options.authorization_details = AuthorizationDetail::from_json(&json).js()?;
        }
        Ok(CoreGrant { options, key: OnceCell::new() })
    }
}

impl CoreGrant {
    /// The cache key of these options for `client`.
    pub(crate) fn key(&self, client: &maskinporten::Client) -> &CacheKey {
        self.key.get_or_init(|| client.cache_key(&self.options))
    }
}
