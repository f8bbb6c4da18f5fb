//! Keys: enterprise certificate (PKCS#12, JKS, PEM) or a registered JWK, or an external signer.

use crate::error::Result;
use maskinporten::CertificateInfo;
use std::sync::Arc;

/// A signing key: an enterprise certificate with its private key (sent as `x5c`), or a key
/// registered on the client (sent as `kid`). `toString()` never shows secrets.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Key(pub(crate) maskinporten::Key);

#[uniffi::export]
impl Key {
    /// A PKCS#12 (`.p12`/`.pfx`) enterprise certificate; `alias` picks an entry when there are several.
    /// A Java JKS/JCEKS keystore is recognised and read with `password` for the store and the key.
    #[uniffi::constructor(default(alias = None))]
    pub fn from_pkcs12(data: Vec<u8>, password: String, alias: Option<String>) -> Result<Arc<Key>> {
        Ok(Arc::new(Key(maskinporten::Key::from_pkcs12(&data, &password, alias.as_deref())?)))
    }

    /// A Java keystore: JKS (as used by Digdir's jwt-grant-generator), JCEKS or PKCS#12. `alias`
    /// picks a key entry (any case); `key_password` is the entry's own password when it differs
    /// from the keystore's (default: `password`).
    #[uniffi::constructor(default(alias = None, key_password = None))]
    pub fn from_jks(
        data: Vec<u8>,
        password: String,
        alias: Option<String>,
        key_password: Option<String>,
    ) -> Result<Arc<Key>> {
        Ok(Arc::new(Key(maskinporten::Key::from_jks(&data, &password, alias.as_deref(), key_password.as_deref())?)))
    }

    /// A PEM private key (PKCS#8 or PKCS#1), with the certificate chain (leaf first) for `x5c`.
    #[uniffi::constructor(default(cert_chain_pem = None))]
    pub fn from_pem(key_pem: String, cert_chain_pem: Option<String>) -> Result<Arc<Key>> {
        Ok(Arc::new(Key(maskinporten::Key::from_pem(&key_pem, cert_chain_pem.as_deref())?)))
    }

    /// A private RSA JWK with a `kid` (a key registered on the client).
    #[uniffi::constructor]
    pub fn from_jwk(jwk_json: String) -> Result<Arc<Key>> {
        Ok(Arc::new(Key(maskinporten::Key::from_jwk(&jwk_json)?)))
    }

    /// No private key here: sign with an [`crate::ExternalSigner`] (Android Keystore, iOS
    /// keychain/Secure Enclave, a JCA `PrivateKey` in an HSM). Give the certificate chain for
    /// `x5c`, or the registered `kid`.
    #[uniffi::constructor(default(cert_chain_pem = None, kid = None))]
    pub fn from_external(cert_chain_pem: Option<String>, kid: Option<String>) -> Result<Arc<Key>> {
        Ok(Arc::new(Key(maskinporten::Key::from_external(cert_chain_pem.as_deref(), kid.as_deref())?)))
    }

    /// The same key, sending `kid` in the header instead of `x5c`.
    pub fn with_kid(&self, kid: String) -> Result<Arc<Key>> {
        Ok(Arc::new(Key(self.0.clone().with_kid(&kid)?)))
    }

    /// The `kid`, if the key has one.
    pub fn kid(&self) -> Option<String> {
        self.0.kid().map(str::to_string)
    }

    /// The leaf certificate's details, if there is a certificate.
    pub fn certificate(&self) -> Option<CertificateInfo> {
        self.0.certificate().cloned()
    }

    /// The certificate chain (DER), leaf first.
    pub fn certificate_chain_der(&self) -> Vec<Vec<u8>> {
        self.0.certificate_chain_der().to_vec()
    }

    /// The public key as a JWK (to register on the client), if known.
    pub fn public_jwk(&self) -> Option<String> {
        self.0.public_jwk()
    }

    /// A stable identity of the key (used in cache keys); not secret.
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint().to_string()
    }

    /// Whether this key holds a private key (false for `fromExternal`).
    pub fn can_sign(&self) -> bool {
        self.0.can_sign()
    }
}
