//! `CoreClient` (wrapped by the JS `Client`) and `PreparedGrant`, the two-step signer.

use std::str::FromStr;

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::environment::Environment;
use crate::error::{invalid, IntoJs, JsResult};
use crate::http::{body_bytes, request_to_js};
use crate::key::Key;
use crate::options::{grant_options, seconds};
use crate::token::AccessToken;

/// The core's client. JS code uses the `Client` class of `js/client.js`, which adds WebCrypto.
#[wasm_bindgen(js_name = CoreClient)]
pub struct CoreClient {
    inner: maskinporten::Client,
    client_id: String,
}

#[wasm_bindgen(js_class = CoreClient)]
impl CoreClient {
    #[wasm_bindgen(constructor)]
    pub fn new(
        client_id: JsValue,
        key: &Key,
        environment: &Environment,
        algorithm: Option<String>,
        lifetime: Option<f64>,
        x5c: Option<String>,
    ) -> JsResult<CoreClient> {
        let client_id = client_id
            .as_string()
            .ok_or_else(|| invalid("invalid_client_id", "clientId", "clientId must be a string"))?;
        let mut inner = maskinporten::Client::new(&client_id, key.inner.clone(), environment.inner.clone()).js()?;
        if let Some(alg) = algorithm {
            inner = inner.with_algorithm(maskinporten::Algorithm::from_str(&alg).js()?);
        }
        if let Some(lifetime) = lifetime {
            inner = inner.with_lifetime(seconds(lifetime, "lifetime")?).js()?;
        }
        if let Some(x5c) = x5c {
            inner = inner.with_x5c(maskinporten::X5c::from_str(&x5c).js()?);
        }
        Ok(CoreClient { inner, client_id })
    }

    #[wasm_bindgen(getter, js_name = clientId)]
    pub fn client_id(&self) -> String {
        self.client_id.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_owned()
    }

    /// The WebCrypto hash of the algorithm (`"SHA-256"`, ...), for `importKey`.
    #[wasm_bindgen(getter, js_name = webCryptoHash)]
    pub fn webcrypto_hash(&self) -> String {
        webcrypto_hash(self.inner.algorithm())
    }

    /// A grant signed by the core (RSA in WebAssembly).
    pub fn grant(&self, options: JsValue, now: f64, jti: Option<String>) -> JsResult<String> {
        let opts = grant_options(&options)?;
        self.inner.grant(&opts, seconds(now, "now")?, jti.as_deref()).js()
    }

    /// Step one of the two-step signer.
    #[wasm_bindgen(js_name = prepareGrant)]
    pub fn prepare_grant(&self, options: JsValue, now: f64, jti: Option<String>) -> JsResult<PreparedGrant> {
        let opts = grant_options(&options)?;
        let inner = self.inner.prepare_grant(&opts, seconds(now, "now")?, jti.as_deref()).js()?;
        Ok(PreparedGrant { inner: Some(inner) })
    }

    /// The token request, with a grant signed by the core.
    #[wasm_bindgen(js_name = tokenRequest)]
    pub fn token_request(&self, options: JsValue, now: f64, jti: Option<String>) -> JsResult<JsValue> {
        let opts = grant_options(&options)?;
        self.inner.token_request(&opts, seconds(now, "now")?, jti.as_deref()).js().map(|r| request_to_js(&r))
    }

    /// The token request for an assertion signed elsewhere.
    #[wasm_bindgen(js_name = tokenRequestForAssertion)]
    pub fn token_request_for_assertion(&self, jwt: &str) -> JsValue {
        request_to_js(&self.inner.token_request_for_assertion(jwt))
    }

    /// Parses the token endpoint's response.
    #[wasm_bindgen(js_name = parseTokenResponse)]
    pub fn parse_token_response(
        &self,
        status: u16,
        body: JsValue,
        content_type: Option<String>,
        now: f64,
    ) -> JsResult<AccessToken> {
        let body = body_bytes(&body)?;
        self.inner
            .parse_token_response(status, &body, content_type.as_deref(), seconds(now, "now")?)
            .js()
            .map(AccessToken::from)
    }

    /// The cache key of these options.
    #[wasm_bindgen(js_name = cacheKey)]
    pub fn cache_key(&self, options: JsValue) -> JsResult<String> {
        let opts = grant_options(&options)?;
        Ok(self.inner.cache_key(&opts).as_str().to_owned())
    }
}

/// A grant waiting for its signature: sign `signingInputBytes()` with RSASSA-PKCS1-v1_5 and the
/// hash of `algorithm`, then call `finish(signature)` once.
#[wasm_bindgen]
pub struct PreparedGrant {
    inner: Option<maskinporten::PreparedGrant>,
}

/// The core's hash name (`sha256`) in WebCrypto's spelling (`SHA-256`).
pub(crate) fn webcrypto_hash(algorithm: maskinporten::Algorithm) -> String {
    let name = algorithm.hash_name();
    format!("SHA-{}", name.strip_prefix("sha").unwrap_or(name))
}

fn finished() -> JsValue {
    invalid("invalid_signature", "signature", "this prepared grant was already finished; prepare a new one")
}

#[wasm_bindgen]
impl PreparedGrant {
    /// The ASCII text to sign (`base64url(header).base64url(claims)`).
    #[wasm_bindgen(getter, js_name = signingInput)]
    pub fn signing_input(&self) -> JsResult<String> {
        self.inner.as_ref().map(|p| p.signing_input().to_owned()).ok_or_else(finished)
    }

    /// The same as bytes, ready for `crypto.subtle.sign`.
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
    /// the finished JWT. For signatures from an HSM, a KMS or a user's own `CryptoKey`.
    pub fn finish(&mut self, signature: &[u8]) -> JsResult<String> {
        let prepared = self.inner.take().ok_or_else(finished)?;
        prepared.finish(signature).js()
    }

    /// Adds a signature made with the client's own key (the default WebCrypto signer, which
    /// imported the core's own PKCS#8) without re-verifying it; only its length is checked.
    #[wasm_bindgen(js_name = finishUnverified)]
    pub fn finish_unverified(&mut self, signature: &[u8]) -> JsResult<String> {
        let prepared = self.inner.take().ok_or_else(finished)?;
        prepared.finish_unverified(signature).js()
    }
}
