//! `CoreClient` (wrapped by the JS `Client`) and `PreparedGrant`, the two-step signer.

use std::rc::Rc;
use std::str::FromStr;

use js_sys::Uint8Array;
use maskinporten::Algorithm;
use wasm_bindgen::prelude::*;

use crate::args::{body, bytes, integer, now_or_clock, opt_string, string};
use crate::environment::Environment;
use crate::error::{invalid, IntoJs, JsResult};
use crate::http::request_to_js;
use crate::key::Key;
use crate::options::CoreGrant;
use crate::token::AccessToken;

/// The core's client. JS code uses the `Client` class of `js/client.js`, which adds the platform
/// signers (`node:crypto`, WebCrypto).
#[wasm_bindgen(js_name = CoreClient)]
pub struct CoreClient {
    /// Shared with the token flows of the providers using this client (no copy of the key).
    pub(crate) inner: Rc<maskinporten::Client>,
}

/// `now` in Unix seconds (checked as a whole number by the JS layer), or the clock.
fn now_s(now: Option<f64>) -> i64 {
    now.map_or_else(|| (js_sys::Date::now() / 1000.0).floor() as i64, |n| n as i64)
}

#[wasm_bindgen(js_class = CoreClient)]
impl CoreClient {
    /// Checks and converts the `Client` options (types are checked in JS).
    #[wasm_bindgen(constructor)]
    pub fn new(
        client_id: &str,
        key: &Key,
        environment: &Environment,
        algorithm: Option<String>,
        lifetime: Option<f64>,
        x5c: Option<String>,
    ) -> JsResult<CoreClient> {
        let mut inner = maskinporten::Client::new(client_id, key.inner.clone(), environment.inner.clone()).js()?;
        if let Some(alg) = algorithm {
            inner = inner.with_algorithm(Algorithm::from_str(&alg).js()?);
        }
        if let Some(lifetime) = lifetime {
            inner = inner.with_lifetime(lifetime as i64).js()?;
        }
        if let Some(x5c) = x5c {
            inner = inner.with_x5c(maskinporten::X5c::from_str(&x5c).js()?);
        }
        Ok(CoreClient { inner: Rc::new(inner) })
    }

    /// The client id.
    #[wasm_bindgen(getter, js_name = clientId)]
    pub fn client_id(&self) -> String {
        self.inner.client_id().to_owned()
    }

    /// `"RS256"`, `"RS384"` or `"RS512"`.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_owned()
    }

    /// The node:crypto hash name of the algorithm (`"sha256"`, ...).
    #[wasm_bindgen(getter, js_name = hashName)]
    pub fn hash_name(&self) -> String {
        self.inner.algorithm().hash_name().to_owned()
    }

    /// A grant signed by the core (RSA in WebAssembly).
    pub fn grant(&self, grant: &CoreGrant, now: Option<f64>, jti: Option<String>) -> JsResult<String> {
        self.inner.grant(&grant.options, now_s(now), jti.as_deref()).js()
    }

    /// Step one of the two-step signer.
    #[wasm_bindgen(js_name = prepareGrant)]
    pub fn prepare_grant(&self, grant: &CoreGrant, now: Option<f64>, jti: Option<String>) -> JsResult<PreparedGrant> {
        let inner = self.inner.prepare_grant(&grant.options, now_s(now), jti.as_deref()).js()?;
        Ok(PreparedGrant { inner: Some(inner) })
    }

    /// Attaches a signature made by the platform (`node:crypto`, WebCrypto) with the key the core
    /// parsed itself, which needs no verification (only the length is checked). Internal to the
    /// JS `Client`: signatures from anywhere else go through `PreparedGrant.finish`.
    #[wasm_bindgen(js_name = finishOwn)]
    pub fn finish_own(&self, prepared: &mut PreparedGrant, signature: &[u8]) -> JsResult<String> {
        let grant = prepared.inner.take().ok_or_else(finished)?;
        grant.finish_unverified(signature).js()
    }

    /// The token request, with a grant signed by the core.
    #[wasm_bindgen(js_name = tokenRequest)]
    pub fn token_request(&self, grant: &CoreGrant, now: Option<f64>, jti: Option<String>) -> JsResult<JsValue> {
        self.inner.token_request(&grant.options, now_s(now), jti.as_deref()).js().map(|r| request_to_js(&r))
    }

    /// The token request for an assertion signed elsewhere.
    #[wasm_bindgen(js_name = tokenRequestForAssertion)]
    pub fn token_request_for_assertion(&self, jwt: JsValue) -> JsResult<JsValue> {
        Ok(request_to_js(&self.inner.token_request_for_assertion(&string(&jwt, "jwt")?)))
    }

    /// Parses the token endpoint's response.
    #[wasm_bindgen(js_name = parseTokenResponse)]
    pub fn parse_token_response(
        &self,
        status: JsValue,
        response_body: JsValue,
        content_type: JsValue,
        now: JsValue,
    ) -> JsResult<AccessToken> {
        let status = integer(&status, "status", 999.0)? as u16;
        let (body, content_type) = (body(&response_body, "body")?, opt_string(&content_type, "contentType")?);
        self.inner
            .parse_token_response(status, &body, content_type.as_deref(), now_or_clock(&now)?)
            .js()
            .map(AccessToken::from)
    }
}

/// A grant waiting for its signature: sign `signingInputBytes()` with RSASSA-PKCS1-v1_5 and the
/// hash of `algorithm`, then call `finish(signature)` once.
#[wasm_bindgen]
pub struct PreparedGrant {
    inner: Option<maskinporten::PreparedGrant>,
}

/// The core's hash name (`sha256`) in WebCrypto's spelling (`SHA-256`).
pub(crate) fn webcrypto_hash(algorithm: Algorithm) -> String {
    let name = algorithm.hash_name();
    format!("SHA-{}", name.strip_prefix("sha").unwrap_or(name))
}

fn finished() -> JsValue {
    invalid(
        maskinporten::ErrorKind::InvalidSignature,
        "signature",
        "this prepared grant was already finished; prepare a new one",
    )
}

#[wasm_bindgen]
impl PreparedGrant {
    /// The ASCII text to sign (`base64url(header).base64url(claims)`).
    #[wasm_bindgen(getter, js_name = signingInput)]
    pub fn signing_input(&self) -> JsResult<String> {
        self.inner.as_ref().map(|p| p.signing_input().to_owned()).ok_or_else(finished)
    }

    /// The same as bytes, ready for `crypto.subtle.sign` or `crypto.sign`.
    #[wasm_bindgen(js_name = signingInputBytes)]
    pub fn signing_input_bytes(&self) -> JsResult<Uint8Array> {
        self.inner.as_ref().map(|p| Uint8Array::from(p.signing_input().as_bytes())).ok_or_else(finished)
    }

    /// `"RS256"`, `"RS384"` or `"RS512"`.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> JsResult<String> {
        self.inner.as_ref().map(|p| p.algorithm().as_str().to_owned()).ok_or_else(finished)
    }

    /// The WebCrypto hash of `algorithm` (`"SHA-256"`, ...).
    #[wasm_bindgen(getter, js_name = webCryptoHash)]
    pub fn webcrypto_hash(&self) -> JsResult<String> {
        self.inner.as_ref().map(|p| webcrypto_hash(p.algorithm())).ok_or_else(finished)
    }

    /// Adds the signature, after checking it against the certificate's public key, and returns
    /// the finished JWT. For signatures from an HSM, a KMS or a user's own `CryptoKey`. Once only.
    pub fn finish(&mut self, signature: JsValue) -> JsResult<String> {
        let signature = bytes(&signature, "signature")?;
        let prepared = self.inner.take().ok_or_else(finished)?;
        prepared.finish(&signature).js()
    }
}
