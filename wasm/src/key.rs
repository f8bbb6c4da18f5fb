//! `Key`: the signing key and its certificate, parsed by the core.

use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;

use crate::error::{invalid, IntoJs, JsResult};

/// A client's key: an RSA private key with its enterprise certificate (`x5c`) or a `kid`, or
/// only the public half for external signing. Never shows the private key.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Key {
    pub(crate) inner: maskinporten::Key,
}

fn json_text(v: &JsValue, field: &'static str) -> JsResult<String> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| invalid("invalid_key", field, format!("{field} must be JSON text or an object")))
}

#[wasm_bindgen]
impl Key {
    /// Reads a PKCS#12 file (`.p12`/`.pfx`, the enterprise certificate format). A Java JKS/JCEKS
    /// keystore is recognised and read with `password` for the store and the key.
    #[wasm_bindgen(js_name = fromPkcs12)]
    pub fn from_pkcs12(data: &[u8], password: &str, alias: Option<String>) -> JsResult<Key> {
        maskinporten::Key::from_pkcs12(data, password, alias.as_deref()).js().map(|inner| Key { inner })
    }

    /// Reads a Java keystore: JKS (as used by Digdir's jwt-grant-generator) or PKCS#12; JCEKS keys
    /// are refused with the keytool command (this package leaves the core's `jceks` feature out
    /// for size). `keyPassword` is the key entry's own password when it differs from the keystore's.
    #[wasm_bindgen(js_name = fromJks)]
    pub fn from_jks(data: &[u8], password: &str, alias: Option<String>, key_password: Option<String>) -> JsResult<Key> {
        maskinporten::Key::from_jks(data, password, alias.as_deref(), key_password.as_deref())
            .js()
            .map(|inner| Key { inner })
    }

    /// Reads a PEM private key (PKCS#8 or PKCS#1) and optionally the certificate chain PEM.
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(key_pem: &str, cert_chain_pem: Option<String>) -> JsResult<Key> {
        maskinporten::Key::from_pem(key_pem, cert_chain_pem.as_deref()).js().map(|inner| Key { inner })
    }

    /// Reads a private RSA JWK with a `kid` (JSON text or an object).
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(jwk: JsValue) -> JsResult<Key> {
        let text = json_text(&jwk, "jwk")?;
        maskinporten::Key::from_jwk(&text).js().map(|inner| Key { inner })
    }

    /// A key without its private half: sign through `client.prepareGrant()` and a signer of
    /// your own (an HSM, a KMS, a `CryptoKey` passed as `cryptoKey` to `Client`).
    #[wasm_bindgen(js_name = fromExternal)]
    pub fn from_external(cert_chain_pem: Option<String>, kid: Option<String>) -> JsResult<Key> {
        maskinporten::Key::from_external(cert_chain_pem.as_deref(), kid.as_deref()).js().map(|inner| Key { inner })
    }

    /// A copy of this key that puts `kid` in the header instead of `x5c`.
    #[wasm_bindgen(js_name = withKid)]
    pub fn with_kid(&self, kid: &str) -> JsResult<Key> {
        self.inner.clone().with_kid(kid).js().map(|inner| Key { inner })
    }

    /// The registered key id, if the header uses `kid`.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> Option<String> {
        self.inner.kid().map(str::to_owned)
    }

    /// Whether the private key is present (false for `fromExternal`).
    #[wasm_bindgen(getter, js_name = hasPrivateKey)]
    pub fn has_private_key(&self) -> bool {
        self.inner.can_sign()
    }

    /// The leaf certificate's details: `{ subject, issuer, serial, orgNumber, notBefore, notAfter }`.
    #[wasm_bindgen(getter)]
    pub fn certificate(&self) -> JsValue {
        let Some(cert) = self.inner.certificate() else { return JsValue::UNDEFINED };
        let o = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        set("subject", JsValue::from_str(&cert.subject));
        set("issuer", JsValue::from_str(&cert.issuer));
        set("serial", JsValue::from_str(&cert.serial));
        set("orgNumber", cert.org_number.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        set("notBefore", JsValue::from_f64(cert.not_before as f64));
        set("notAfter", JsValue::from_f64(cert.not_after as f64));
        o.into()
    }

    /// The certificate chain as DER, leaf first.
    #[wasm_bindgen(js_name = certificateChainDer)]
    pub fn certificate_chain_der(&self) -> Array {
        self.inner.certificate_chain_der().iter().map(|der| Uint8Array::from(der.as_slice())).collect()
    }

    /// The public key as a JWK object (for registering the key on the client).
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> JsValue {
        self.inner.public_jwk().and_then(|s| JSON::parse(&s).ok()).unwrap_or(JsValue::UNDEFINED)
    }

    /// The private key as PKCS#8 DER, for importing into WebCrypto (non-extractable). Zero the
    /// array after use. Undefined for external keys.
    #[wasm_bindgen(js_name = privateKeyPkcs8Der)]
    pub fn private_key_pkcs8_der(&self) -> Option<Uint8Array> {
        self.inner.private_key_pkcs8_der().map(|der| Uint8Array::from(der.as_slice()))
    }

    /// A stable identity of the key (for cache keys); not secret.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint().to_owned()
    }

    /// A description without secrets.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// Builders for `authorizationDetails` entries (RAR, RFC 9396). Each returns a plain object to
/// put in the `authorizationDetails` array of the grant options.
#[wasm_bindgen]
pub struct AuthorizationDetail;

#[wasm_bindgen]
impl AuthorizationDetail {
    /// An Altinn system user: `{ type: "urn:altinn:systemuser", systemuser_org: {...}, externalRef? }`.
    #[wasm_bindgen(js_name = systemUser)]
    pub fn system_user(org_number: &str, external_ref: Option<String>) -> JsResult<JsValue> {
        let detail = maskinporten::AuthorizationDetail::system_user(org_number, external_ref.as_deref()).js()?;
        Ok(JSON::parse(&detail.to_json()).unwrap_or(JsValue::UNDEFINED))
    }

    /// An Altinn consent: `{ type: "urn:altinn:consent", id, from }`.
    pub fn consent(id: &str, from: &str) -> JsResult<JsValue> {
        let detail = maskinporten::AuthorizationDetail::consent(id, from).js()?;
        Ok(JSON::parse(&detail.to_json()).unwrap_or(JsValue::UNDEFINED))
    }
}
