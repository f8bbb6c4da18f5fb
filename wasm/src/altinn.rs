//! `CoreAltinn`: an Altinn token exchange (`{ platform, testOrg, subscriptionKey }` of the JS
//! `altinn` option) for the provider, and the token flow's entry points for an Altinn token
//! (the core's `call_exchanged`: the Maskinporten token, then the exchange, in one call and one
//! cache). Internal: not re-exported by the package.

use std::cell::OnceCell;

use maskinporten::{AltinnExchange, AltinnPlatform, CacheKey};
use wasm_bindgen::prelude::*;

use crate::args::ms;
use crate::client::CoreClient;
use crate::error::{IntoJs, JsResult};
use crate::flow::{CoreTokenCall, CoreTokenFlow};
use crate::options::CoreGrant;
use crate::token::AccessToken;

/// An exchange converted and checked once, with the Altinn token's cache key once known.
#[wasm_bindgen(js_name = CoreAltinn)]
pub struct CoreAltinn {
    exchange: AltinnExchange,
    key: OnceCell<CacheKey>,
}

#[wasm_bindgen(js_class = CoreAltinn)]
impl CoreAltinn {
    /// `platform`: `"tt02"`, `"prod"` or a base URL; absent: the one that goes with the client's
    /// environment (TT02 with test, production with prod).
    #[wasm_bindgen(constructor)]
    pub fn new(
        client: &CoreClient,
        platform: Option<String>,
        test_org: bool,
        subscription_key: Option<String>,
    ) -> JsResult<CoreAltinn> {
        let platform = match platform {
            Some(name) => AltinnPlatform::from_name(&name),
            None => AltinnPlatform::for_environment(client.inner.environment()),
        }
        .js()?;
        let mut exchange = AltinnExchange::new(platform).with_test_org(test_org).js()?;
        if let Some(key) = subscription_key {
            exchange = exchange.with_subscription_key(&key).js()?;
        }
        Ok(CoreAltinn { exchange, key: OnceCell::new() })
    }
}

impl CoreAltinn {
    fn key(&self, grant: &CoreGrant, client: &maskinporten::Client) -> &CacheKey {
        self.key.get_or_init(|| self.exchange.cache_key(grant.key(client)))
    }
}

#[wasm_bindgen(js_class = CoreTokenFlow)]
impl CoreTokenFlow {
    /// The cached Altinn token of `grant` through `altinn` if it is fresh at `now_ms`.
    #[wasm_bindgen(js_name = freshExchanged)]
    pub fn fresh_exchanged(&mut self, grant: &CoreGrant, altinn: &CoreAltinn, now_ms: f64) -> Option<AccessToken> {
        let key = altinn.key(grant, &self.client).clone();
        self.inner.fresh(&key, ms(now_ms)).map(AccessToken::from)
    }

    /// Starts a caller's call for an Altinn token; polled with `poll(call, grant, now)` as any.
    #[wasm_bindgen(js_name = callExchanged)]
    pub fn call_exchanged(&mut self, grant: &CoreGrant, altinn: &CoreAltinn, now_ms: f64) -> CoreTokenCall {
        self.inner.purge_expired(ms(now_ms));
        let key = grant.key(&self.client).clone();
        CoreTokenCall::new(self.inner.call_exchanged(key, &altinn.exchange, ms(now_ms)))
    }

    /// An API answered 401 to this Altinn token: drops it only. Whether it did.
    #[wasm_bindgen(js_name = rejectExchanged)]
    pub fn reject_exchanged(&mut self, grant: &CoreGrant, altinn: &CoreAltinn, rejected_access_token: &str) -> bool {
        let key = altinn.key(grant, &self.client).clone();
        self.inner.reject(&key, rejected_access_token)
    }
}

#[wasm_bindgen(js_class = CoreGrant)]
impl CoreGrant {
    /// What may be wrong in these options without being refused (an `externalRef` with
    /// characters Altinn's client does not use), for the provider to show once.
    pub fn warnings(&self) -> Vec<String> {
        self.options.warnings()
    }
}
