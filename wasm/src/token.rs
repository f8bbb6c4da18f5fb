//! `AccessToken`, `TokenCache` and its tickets.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::{IntoJs, JsResult};
use crate::http::body_bytes;
use crate::options::seconds;

/// An access token from Maskinporten. `toString()` and `toJSON()` redact the token itself.
#[wasm_bindgen]
#[derive(Clone)]
pub struct AccessToken {
    inner: maskinporten::AccessToken,
}

impl From<maskinporten::AccessToken> for AccessToken {
    fn from(inner: maskinporten::AccessToken) -> Self {
        AccessToken { inner }
    }
}

#[wasm_bindgen]
impl AccessToken {
    /// The bearer token to send as `Authorization: Bearer <accessToken>`. Secret.
    #[wasm_bindgen(getter, js_name = accessToken)]
    pub fn access_token(&self) -> String {
        self.inner.access_token().to_owned()
    }

    /// `"Bearer"`.
    #[wasm_bindgen(getter, js_name = tokenType)]
    pub fn token_type(&self) -> String {
        self.inner.token_type().to_owned()
    }

    /// Lifetime in seconds as the server sent it.
    #[wasm_bindgen(getter, js_name = expiresIn)]
    pub fn expires_in(&self) -> f64 {
        self.inner.expires_in() as f64
    }

    /// The granted scopes, space-separated, if the server said.
    #[wasm_bindgen(getter)]
    pub fn scope(&self) -> Option<String> {
        self.inner.scope().map(str::to_owned)
    }

    /// Unix seconds when the response was parsed.
    #[wasm_bindgen(getter, js_name = issuedAt)]
    pub fn issued_at(&self) -> f64 {
        self.inner.issued_at() as f64
    }

    /// Unix seconds when the token expires.
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> f64 {
        self.inner.expires_at() as f64
    }

    /// Whether the token is still usable at `now` with `skew` seconds to spare.
    #[wasm_bindgen(js_name = isFresh)]
    pub fn is_fresh(&self, now: f64, skew: f64) -> JsResult<bool> {
        Ok(self.inner.is_fresh(seconds(now, "now")?, seconds(skew, "skew")?))
    }

    /// Unix seconds from which to refresh it.
    #[wasm_bindgen(js_name = refreshAt)]
    pub fn refresh_at(&self, skew: f64) -> JsResult<f64> {
        Ok(self.inner.refresh_at(seconds(skew, "skew")?) as f64)
    }

    /// A description without the token.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("{:?}", self.inner)
    }

    /// For `JSON.stringify`: everything except the token.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        let _ = Reflect::set(&o, &"tokenType".into(), &JsValue::from_str(self.inner.token_type()));
        let _ = Reflect::set(&o, &"expiresIn".into(), &JsValue::from_f64(self.inner.expires_in() as f64));
        let _ = Reflect::set(&o, &"scope".into(), &self.inner.scope().map_or(JsValue::NULL, JsValue::from_str));
        let _ = Reflect::set(&o, &"expiresAt".into(), &JsValue::from_f64(self.inner.expires_at() as f64));
        o.into()
    }
}

/// Parses a token endpoint response without a client.
#[wasm_bindgen(js_name = parseTokenResponse)]
pub fn parse_token_response(
    status: u16,
    body: JsValue,
    content_type: Option<String>,
    now: f64,
) -> JsResult<AccessToken> {
    let body = body_bytes(&body)?;
    maskinporten::parse_token_response(status, &body, content_type.as_deref(), seconds(now, "now")?)
        .js()
        .map(AccessToken::from)
}

/// The right to fetch a token for one key, handed out by `TokenCache.lookup`; give it back with
/// `complete` or `fail`.
#[wasm_bindgen]
pub struct FetchTicket {
    inner: Option<maskinporten::FetchTicket>,
}

/// The sans-IO token cache with single-flight refresh. `lookup` answers
/// `{ kind: "hit", token }`, `{ kind: "fetch", ticket, current? }` or `{ kind: "wait", until }`.
#[wasm_bindgen]
pub struct TokenCache {
    inner: maskinporten::TokenCache,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache { inner: maskinporten::TokenCache::new() }
    }
}

#[wasm_bindgen]
impl TokenCache {
    /// `refreshSkew` (default 30 s, capped by the core relative to the token's lifetime) and
    /// `fetchLease` (default 30 s: how long one fetcher holds the key before others may try).
    #[wasm_bindgen(constructor)]
    pub fn new(refresh_skew: Option<f64>, fetch_lease: Option<f64>) -> JsResult<TokenCache> {
        let mut inner = maskinporten::TokenCache::new();
        if let Some(s) = refresh_skew {
            inner = inner.with_refresh_skew(seconds(s, "refreshSkew")?);
        }
        if let Some(s) = fetch_lease {
            inner = inner.with_fetch_lease(seconds(s, "fetchLease")?);
        }
        Ok(TokenCache { inner })
    }

    /// What to do for this cache key (from `client.cacheKey(options)`) at `now`.
    pub fn lookup(&mut self, key: &str, now: f64) -> JsResult<JsValue> {
        let o = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        match self.inner.lookup(&maskinporten::CacheKey::from_string(key.to_owned()), seconds(now, "now")?) {
            maskinporten::CacheLookup::Hit(token) => {
                set("kind", "hit".into());
                set("token", AccessToken::from(token).into());
            }
            maskinporten::CacheLookup::Fetch { ticket, current } => {
                set("kind", "fetch".into());
                set("ticket", FetchTicket { inner: Some(ticket) }.into());
                set("current", current.map_or(JsValue::UNDEFINED, |t| AccessToken::from(t).into()));
            }
            maskinporten::CacheLookup::Wait { until } => {
                set("kind", "wait".into());
                set("until", JsValue::from_f64(until as f64));
            }
        }
        Ok(o.into())
    }

    /// Stores the fetched token and releases the ticket.
    pub fn complete(&mut self, ticket: &mut FetchTicket, token: &AccessToken, now: f64) -> JsResult<()> {
        let now = seconds(now, "now")?;
        if let Some(t) = ticket.inner.take() {
            self.inner.complete(t, token.inner.clone(), now);
        }
        Ok(())
    }

    /// Releases the ticket after a failed fetch, so the next caller fetches.
    pub fn fail(&mut self, ticket: &mut FetchTicket) {
        if let Some(t) = ticket.inner.take() {
            self.inner.fail(t);
        }
    }

    /// Drops the cached token for a key, whatever it is.
    pub fn invalidate(&mut self, key: &str) {
        self.inner.invalidate(&maskinporten::CacheKey::from_string(key.to_owned()));
    }

    /// Drops the cached token for a key only if it is `rejectedAccessToken` (the one an API
    /// answered 401 to), so a token another caller already refreshed survives a late 401.
    /// Returns whether a token was dropped.
    #[wasm_bindgen(js_name = invalidateToken)]
    pub fn invalidate_token(&mut self, key: &str, rejected_access_token: &str) -> bool {
        self.inner.invalidate_token(&maskinporten::CacheKey::from_string(key.to_owned()), rejected_access_token)
    }
}
