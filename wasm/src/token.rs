//! `AccessToken` and the client-less `parseTokenResponse`.

use wasm_bindgen::prelude::*;

use crate::args::{body, integer, now_or_clock, opt_string};
use crate::error::{IntoJs, JsResult};

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
}

/// Parses a token endpoint response without a client.
#[wasm_bindgen(js_name = parseTokenResponse)]
pub fn parse_token_response(
    status: JsValue,
    response_body: JsValue,
    content_type: JsValue,
    now: JsValue,
) -> JsResult<AccessToken> {
    let status = integer(&status, "status", 999.0)? as u16;
    let (body, content_type) = (body(&response_body, "body")?, opt_string(&content_type, "contentType")?);
    maskinporten::parse_token_response(status, &body, content_type.as_deref(), now_or_clock(&now)?)
        .js()
        .map(AccessToken::from)
}
