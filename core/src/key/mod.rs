//! The signing key and its certificate chain.
//!
//! One [`Key`] type, loaded from PKCS#12, a Java keystore (JKS, JCEKS), PEM, a private JWK, or
//! (for external signers) from the certificate or `kid` alone. The private key is parsed once
//! into the crypto backend's form and kept there; building a grant never re-parses it.

mod certificate;
mod der_walk;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzz;
mod jks;
mod jwk;
mod pem;
mod pkcs12;
mod rsa_der;

pub use certificate::CertificateInfo;

use crate::crypto::{self, SigningKey};
use crate::error::{Error, ErrorKind, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// A key that signs grants, with its certificate chain (for `x5c`) or its `kid`.
///
/// Cheap to clone (shared). `Debug` shows only public facts.
///
/// ```
/// # fn main() -> Result<(), maskinporten::Error> {
/// let p12 = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/client.p12")).unwrap();
/// let key = maskinporten::Key::from_pkcs12(&p12, "vector-password", None)?;
/// assert_eq!(key.certificate().unwrap().org_number.as_deref(), Some("311000004"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Key {
    inner: Arc<KeyInner>,
}

#[derive(Clone)]
struct KeyInner {
    signing: Option<Arc<SigningKey>>,
    pkcs8: Option<Arc<Zeroizing<Vec<u8>>>>,
    public: Option<RsaPublic>,
    chain: Vec<Vec<u8>>,
    certificate: Option<CertificateInfo>,
    kid: Option<String>,
    fingerprint: String,
}

/// A private key as PKCS#8 and the certificates found beside it (leaf first).
pub(crate) struct KeyMaterial {
    pub(crate) pkcs8: Zeroizing<Vec<u8>>,
    pub(crate) chain: Vec<Vec<u8>>,
}

/// An RSA public key as big-endian modulus and exponent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RsaPublic {
    pub(crate) n: Vec<u8>,
    pub(crate) e: Vec<u8>,
}

impl Key {
    /// Loads the enterprise certificate's PKCS#12 file (`.p12`/`.pfx`): modern (PBES2, AES-256)
    /// and legacy (3DES / RC2-40, SHA-1 MAC) files both work. With several key entries, `alias`
    /// picks one (its friendly name); with one, it is used.
    ///
    /// A Java JKS or JCEKS keystore given here is recognised by its first bytes and read as
    /// [`Key::from_jks`] reads it, with `password` for the keystore and its key entry (as keytool
    /// sets them unless told otherwise).
    pub fn from_pkcs12(data: &[u8], password: &str, alias: Option<&str>) -> Result<Key> {
        Key::from_keystore(data, password, alias, None)
    }

    /// Loads a PEM private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`), with an
    /// optional certificate chain PEM (leaf first) for `x5c`. Certificates may also follow the
    /// key in `key_pem`.
    pub fn from_pem(key_pem: &str, cert_chain_pem: Option<&str>) -> Result<Key> {
        let mut material = pem::load_key(key_pem)?;
        if let Some(certs) = cert_chain_pem {
            material.chain.extend(pem::load_certificates(certs)?);
        }
        Key::from_parts(material.pkcs8, material.chain, None)
    }

    /// Loads a private RSA JWK (`kty: RSA`, with `d`, `p`, `q`, `dp`, `dq`, `qi`) and its `kid`,
    /// for a client with a registered key. Grants then carry `kid` instead of `x5c`.
    pub fn from_jwk(jwk_json: &str) -> Result<Key> {
        let (pkcs8, kid) = jwk::load(jwk_json)?;
        Key::from_parts(pkcs8, Vec::new(), Some(kid))
    }

    /// Loads a Java keystore: Sun's JKS (what `keytool -storetype JKS` writes and Digdir's
    /// jwt-grant-generator reads), JCEKS (with the `jceks` feature, on by default; without it a
    /// JCEKS key is refused with the `keytool` command that converts it), or PKCS#12 (keytool's
    /// default since Java 9), told apart by their first bytes.
    ///
    /// `store_password` opens the keystore (its integrity check is verified). With several key
    /// entries, `alias` picks one (aliases compare without case, as Java stores them
    /// lower-cased); with one, it is used. `key_password` is the key entry's own password when
    /// it differs from the keystore's (keytool's `-keypass`); `None` uses `store_password`. A
    /// PKCS#12 file has one password, and `key_password` is not used for it (as in keytool).
    /// The certificate chain stored with the key becomes `x5c`, leaf first.
    ///
    /// Errors: `wrong_password` (the keystore password), `wrong_key_password` (the key entry's),
    /// `key_not_found` (no such alias, several keys and no alias, or only trusted certificates),
    /// `invalid_key` (a damaged or truncated file), `unsupported_key`.
    ///
    /// ```
    /// # fn main() -> Result<(), maskinporten::Error> {
    /// let jks = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jks/one-key.jks")).unwrap();
    /// let key = maskinporten::Key::from_jks(&jks, "fixture-pw", None, None)?;
    /// assert_eq!(key.certificate().unwrap().org_number.as_deref(), Some("311000004"));
    /// # Ok(()) }
    /// ```
    pub fn from_jks(data: &[u8], store_password: &str, alias: Option<&str>, key_password: Option<&str>) -> Result<Key> {
        Key::from_keystore(data, store_password, alias, key_password)
    }

    /// The one keystore loader behind both: JKS/JCEKS by their magic bytes, else PKCS#12.
    fn from_keystore(data: &[u8], password: &str, alias: Option<&str>, key_password: Option<&str>) -> Result<Key> {
        let material = match jks::sniff(data) {
            Some(format) => jks::load(data, format, password, alias, key_password)?,
            None => pkcs12::load(data, password, alias)?,
        };
        Key::from_parts(material.pkcs8, material.chain, None)
    }

    /// A key whose private half lives elsewhere (HSM, cloud KMS, Android Keystore, the iOS
    /// keychain, WebCrypto): give the certificate chain PEM for `x5c`, or the registered `kid`.
    /// Sign with [`crate::Client::prepare_grant`] and [`crate::PreparedGrant::finish`].
    pub fn from_external(cert_chain_pem: Option<&str>, kid: Option<&str>) -> Result<Key> {
        let chain = match cert_chain_pem {
            Some(pem_text) => pem::load_certificates(pem_text)?,
            None => Vec::new(),
        };
        if chain.is_empty() && kid.is_none() {
            return Err(Error::invalid(
                ErrorKind::MissingCertificateOrKid,
                "kid",
                "an external key needs its certificate chain (for x5c) or the kid registered on the client",
            ));
        }
        let kid = kid.map(validate_kid).transpose()?;
        let (certificate, public) = match chain.first() {
            Some(leaf) => {
                let (info, public) = certificate::parse(leaf)?;
                (Some(info), public)
            }
            None => (None, None),
        };
        let fingerprint = match (&public, &kid) {
            (Some(public), _) => fingerprint_of(public),
            (None, Some(kid)) => format!("kid:{kid}"),
            (None, None) => String::new(),
        };
        Ok(Key {
            inner: Arc::new(KeyInner { signing: None, pkcs8: None, public, chain, certificate, kid, fingerprint }),
        })
    }

    fn from_parts(pkcs8: Zeroizing<Vec<u8>>, chain: Vec<Vec<u8>>, kid: Option<String>) -> Result<Key> {
        let signing = SigningKey::from_pkcs8(&pkcs8)?;
        let public = rsa_der::public_from_pkcs8(&pkcs8)?;
        let certificate = match chain.first() {
            Some(leaf) => {
                let (info, cert_public) = certificate::parse(leaf)?;
                if cert_public.as_ref() != Some(&public) {
                    return Err(Error::key(
                        ErrorKind::InvalidKey,
                        format!(
                            "the certificate \"{}\" does not belong to this private key: give the certificate issued for this key, leaf first",
                            info.subject
                        ),
                    ));
                }
                Some(info)
            }
            None => None,
        };
        let fingerprint = fingerprint_of(&public);
        Ok(Key {
            inner: Arc::new(KeyInner {
                signing: Some(Arc::new(signing)),
                pkcs8: Some(Arc::new(pkcs8)),
                public: Some(public),
                chain,
                certificate,
                kid,
                fingerprint,
            }),
        })
    }

    /// The same key with a `kid`: grants then carry `kid` (a key registered on the client)
    /// instead of `x5c`. A `kid` matches `[A-Za-z0-9._-]+`.
    pub fn with_kid(self, kid: &str) -> Result<Key> {
        let kid = validate_kid(kid)?;
        let mut inner = (*self.inner).clone();
        if inner.signing.is_none() && inner.public.is_none() {
            inner.fingerprint = format!("kid:{kid}");
        }
        inner.kid = Some(kid);
        Ok(Key { inner: Arc::new(inner) })
    }

    /// The `kid` grants carry, if any.
    pub fn kid(&self) -> Option<&str> {
        self.inner.kid.as_deref()
    }

    /// Facts about the leaf certificate, if the key has one.
    pub fn certificate(&self) -> Option<&CertificateInfo> {
        self.inner.certificate.as_ref()
    }

    /// The certificate chain as DER, leaf first (empty for a JWK).
    pub fn certificate_chain_der(&self) -> &[Vec<u8>] {
        &self.inner.chain
    }

    /// Whether the private key is held here (false for [`Key::from_external`]).
    pub fn can_sign(&self) -> bool {
        self.inner.signing.is_some()
    }

    /// The public key as a JWK (`kty`, `n`, `e`, `alg: RS256`, `use: sig`, and `kid` when set),
    /// for registering on a client through Digdir's self-service API. `None` without a public key.
    pub fn public_jwk(&self) -> Option<String> {
        let public = self.inner.public.as_ref()?;
        let mut jwk = serde_json::Map::new();
        jwk.insert("kty".into(), "RSA".into());
        if let Some(kid) = &self.inner.kid {
            jwk.insert("kid".into(), kid.clone().into());
        }
        jwk.insert("alg".into(), "RS256".into());
        jwk.insert("use".into(), "sig".into());
        jwk.insert("n".into(), URL_SAFE_NO_PAD.encode(&public.n).into());
        jwk.insert("e".into(), URL_SAFE_NO_PAD.encode(&public.e).into());
        Some(serde_json::Value::Object(jwk).to_string())
    }

    /// The private key as PKCS#8 DER, for importing into a platform signer such as WebCrypto
    /// (`crypto.subtle.importKey("pkcs8", ...)`, non-extractable). The copy is zeroized on drop.
    pub fn private_key_pkcs8_der(&self) -> Option<Zeroizing<Vec<u8>>> {
        self.inner.pkcs8.as_ref().map(|der| Zeroizing::new(der.to_vec()))
    }

    /// The private key as a JWK (`kty`, `kid` when set, `alg: RS256`, `use: sig`, `n`, `e`, `d`,
    /// `p`, `q`, `dp`, `dq`, `qi`), which [`Key::from_jwk`] reads back: for saving a key the host
    /// generated (such as a key rotation's new key) in the form key-management tools use. It is
    /// the secret key: write it where the PEM would go (a file only its owner reads), never to a
    /// log. The text is wiped on drop. `None` for [`Key::from_external`].
    pub fn private_jwk(&self) -> Option<Zeroizing<String>> {
        jwk::export(self.inner.pkcs8.as_deref()?, self.inner.kid.as_deref())
    }

    /// A stable identity of the key (SHA-256 of its public key, base64url), used in cache keys.
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 and the algorithm's hash: the raw primitive under
    /// every grant (for external-signer tests and benchmarks; grants use [`crate::Client::grant`]).
    pub fn sign(&self, algorithm: crate::Algorithm, message: &[u8]) -> Result<Vec<u8>> {
        match self.signing_key() {
            Some(signer) => signer.sign(algorithm, message),
            None => Err(Error::invalid(
                ErrorKind::MissingSigningKey,
                "key",
                "this key has no private key here (Key::from_external)",
            )),
        }
    }

    pub(crate) fn signing_key(&self) -> Option<&SigningKey> {
        self.inner.signing.as_deref()
    }

    pub(crate) fn public(&self) -> Option<&RsaPublic> {
        self.inner.public.as_ref()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.inner.kid)
            .field("certificate", &self.inner.certificate.as_ref().map(|c| &c.subject))
            .field("chain_len", &self.inner.chain.len())
            .field("private_key", &if self.can_sign() { "<redacted>" } else { "<external>" })
            .field("fingerprint", &self.inner.fingerprint)
            .finish()
    }
}

fn fingerprint_of(public: &RsaPublic) -> String {
    let mut material = Vec::with_capacity(public.n.len() + public.e.len() + 1);
    material.extend_from_slice(&public.n);
    material.push(0);
    material.extend_from_slice(&public.e);
    URL_SAFE_NO_PAD.encode(crypto::sha256(&material))
}

/// Checks a `kid` against the self-service API's rule `[A-Za-z0-9._-]+`.
pub(crate) fn validate_kid(kid: &str) -> Result<String> {
    let ok = !kid.is_empty()
        && kid.len() <= 255
        && kid.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(kid.to_string())
    } else {
        Err(Error::invalid(
            ErrorKind::InvalidKid,
            "kid",
            format!("{kid:?} is not a valid kid: use 1 to 255 characters from A-Z, a-z, 0-9, '.', '_' and '-', as registered on the client"),
        ))
    }
}
