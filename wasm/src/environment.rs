//! `Environment`: which Maskinporten (test, prod, a custom issuer or the simulator).

use wasm_bindgen::prelude::*;

use crate::args::{body, string};
use crate::error::{IntoJs, JsResult};
use crate::http::request_to_js;

/// A Maskinporten environment: issuer (the grant's `aud`), token endpoint and JWKS URL.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Environment {
    pub(crate) inner: maskinporten::Environment,
}

#[wasm_bindgen]
impl Environment {
    /// `https://test.maskinporten.no/`
    pub fn test() -> Environment {
        Environment { inner: maskinporten::Environment::test() }
    }

    /// `https://maskinporten.no/`
    pub fn prod() -> Environment {
        Environment { inner: maskinporten::Environment::prod() }
    }

    /// Explicit URLs (https, or http on loopback for the simulator).
    pub fn custom(issuer: JsValue, token_endpoint: JsValue, jwks_uri: JsValue) -> JsResult<Environment> {
        let (issuer, token, jwks) =
            (string(&issuer, "issuer")?, string(&token_endpoint, "tokenEndpoint")?, string(&jwks_uri, "jwksUri")?);
        maskinporten::Environment::custom(&issuer, &token, &jwks).js().map(|inner| Environment { inner })
    }

    /// `"test"`, `"prod"`, or an issuer URL.
    #[wasm_bindgen(js_name = fromName)]
    pub fn from_name(name: JsValue) -> JsResult<Environment> {
        maskinporten::Environment::from_name(&string(&name, "name")?).js().map(|inner| Environment { inner })
    }

    /// From an RFC 8414 metadata document (the body of `metadataRequest`'s response).
    #[wasm_bindgen(js_name = fromMetadata)]
    pub fn from_metadata(json: JsValue) -> JsResult<Environment> {
        maskinporten::Environment::from_metadata(&body(&json, "json")?).js().map(|inner| Environment { inner })
    }

    /// The request that fetches an issuer's metadata: `{ method, url, headers, body }`.
    #[wasm_bindgen(js_name = metadataRequest)]
    pub fn metadata_request(issuer: JsValue) -> JsResult<JsValue> {
        maskinporten::Environment::metadata_request(&string(&issuer, "issuer")?).js().map(|r| request_to_js(&r))
    }

    /// The issuer, with its trailing slash.
    #[wasm_bindgen(getter)]
    pub fn issuer(&self) -> String {
        self.inner.issuer().to_owned()
    }

    /// The token endpoint URL.
    #[wasm_bindgen(getter, js_name = tokenEndpoint)]
    pub fn token_endpoint(&self) -> String {
        self.inner.token_endpoint().to_owned()
    }

    /// The JWKS URL.
    #[wasm_bindgen(getter, js_name = jwksUri)]
    pub fn jwks_uri(&self) -> String {
        self.inner.jwks_uri().to_owned()
    }
}
