//! `Key`: the signing key and its certificate, parsed by the core.

use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;

use crate::args::{bytes, opt_string, string};
use crate::error::{invalid, IntoJs, JsResult};
use maskinporten::ErrorKind;

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
    let text = if v.is_object() { JSON::stringify(v).ok().and_then(|s| s.as_string()) } else { None };
    text.ok_or_else(|| invalid(ErrorKind::InvalidArgument, field, format!("{field} must be JSON text or an object")))
}

#[wasm_bindgen]
impl Key {
    /// Reads a PKCS#12 file (`.p12`/`.pfx`, the enterprise certificate format). A Java JKS/JCEKS
    /// keystore is recognised and read with `password` for the store and the key.
    #[wasm_bindgen(js_name = fromPkcs12)]
    pub fn from_pkcs12(data: JsValue, password: JsValue, alias: JsValue) -> JsResult<Key> {
        let (data, password, alias) =
            (bytes(&data, "data")?, string(&password, "password")?, opt_string(&alias, "alias")?);
        maskinporten::Key::from_pkcs12(&data, &password, alias.as_deref()).js().map(|inner| Key { inner })
    }

    /// Reads a Java keystore: JKS (as used by Digdir's jwt-grant-generator) or PKCS#12; JCEKS keys
    /// are refused with the keytool command (this package leaves the core's `jceks` feature out
    /// for size). `keyPassword` is the key entry's own password when it differs from the keystore's.
    #[wasm_bindgen(js_name = fromJks)]
    pub fn from_jks(data: JsValue, password: JsValue, alias: JsValue, key_password: JsValue) -> JsResult<Key> {
        let (data, password, alias, key_password) = (
            bytes(&data, "data")?,
            string(&password, "password")?,
            opt_string(&alias, "alias")?,
            opt_string(&key_password, "keyPassword")?,
        );
        maskinporten::Key::from_jks(&data, &password, alias.as_deref(), key_password.as_deref())
            .js()
            .map(|inner| Key { inner })
    }

    /// Reads a PEM private key (PKCS#8 or PKCS#1) and optionally the certificate chain PEM.
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(key_pem: JsValue, cert_chain_pem: JsValue) -> JsResult<Key> {
        let (key_pem, chain) = (string(&key_pem, "keyPem")?, opt_string(&cert_chain_pem, "certChainPem")?);
        maskinporten::Key::from_pem(&key_pem, chain.as_deref()).js().map(|inner| Key { inner })
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
    pub fn from_external(cert_chain_pem: JsValue, kid: JsValue) -> JsResult<Key> {
        let (chain, kid) = (opt_string(&cert_chain_pem, "certChainPem")?, opt_string(&kid, "kid")?);
        maskinporten::Key::from_external(chain.as_deref(), kid.as_deref()).js().map(|inner| Key { inner })
    }

    /// A copy of this key that puts `kid` in the header instead of `x5c`.
    #[wasm_bindgen(js_name = withKid)]
    pub fn with_kid(&self, kid: JsValue) -> JsResult<Key> {
        let kid = string(&kid, "kid")?;
        self.inner.clone().with_kid(&kid).js().map(|inner| Key { inner })
    }

    /// The registered key id, if the header uses `kid`.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> Option<String> {
        self.inner.kid().map(str::to_owned)
    }

    /// Whether this key can sign here: the private key is present (false for `fromExternal`).
    #[wasm_bindgen(getter, js_name = canSign)]
    pub fn can_sign(&self) -> bool {
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
}

/// Builders for `authorizationDetails` entries (RAR, RFC 9396). Each returns a plain object to
/// put in the `authorizationDetails` array of the grant options.
#[wasm_bindgen]
pub struct AuthorizationDetail;

#[wasm_bindgen]
impl AuthorizationDetail {
    /// An Altinn system user: `{ type: "urn:altinn:systemuser", systemuser_org: {...}, externalRef? }`.
    #[wasm_bindgen(js_name = systemUser)]
    pub fn system_user(org_number: JsValue, external_ref: JsValue) -> JsResult<JsValue> {
        let (org, external_ref) = (string(&org_number, "orgNumber")?, opt_string(&external_ref, "externalRef")?);
        let detail = maskinporten::AuthorizationDetail::system_user(&org, external_ref.as_deref()).js()?;
        Ok(JSON::parse(&detail.to_json()).unwrap_or(JsValue::UNDEFINED))
    }

    /// An Altinn consent: `{ type: "urn:altinn:consent", id, from }`.
    pub fn consent(id: JsValue, from: JsValue) -> JsResult<JsValue> {
        let (id, from) = (string(&id, "id")?, string(&from, "from")?);
        let detail = maskinporten::AuthorizationDetail::consent(&id, &from).js()?;
        Ok(JSON::parse(&detail.to_json()).unwrap_or(JsValue::UNDEFINED))
    }
}
