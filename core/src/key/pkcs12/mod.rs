//! PKCS#12 (`.p12`/`.pfx`, RFC 7292) loading: the enterprise certificate as CAs deliver it.
//!
//! Only what a signing key needs is kept: private keys, X.509 certificates, their
//! `friendlyName` (the alias) and `localKeyId` (which certificate belongs to which key). The
//! structure is walked with `der` (see `der_walk` for why not the derived `pkcs12`/`cms` types);
//! the KDFs, ciphers and MACs are RustCrypto's.

pub(super) mod cbc;
mod decrypt;
mod kdf;

use super::certificate::{self, ParsedCertificate};
use super::der_walk::{self, children, explicit, is_oid, octets};
use super::KeyMaterial;
use crate::error::{Error, ErrorKind, Result};
use decrypt::{malformed, Password};
use der::asn1::ObjectIdentifier;
use der::{AnyRef, Tag, TagNumber, Tagged};
use std::borrow::Cow;
use zeroize::Zeroizing;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");

pub(crate) fn load(data: &[u8], password: &str, alias: Option<&str>) -> Result<KeyMaterial> {
    if data.is_empty() {
        return Err(Error::key(ErrorKind::InvalidKey, "the PKCS#12 data is empty: check the file path"));
    }
    // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData OPTIONAL }
    let pfx = der_walk::element(data)
        .as_ref()
        .and_then(children)
        .filter(|f| f.first().and_then(der_walk::small_uint) == Some(3));
    let pfx = pfx.ok_or_else(|| {
        Error::key(
            ErrorKind::InvalidKey,
            "the data is not a readable PKCS#12 file: check that it is the .p12/.pfx file itself, not PEM or base64 text",
        )
    })?;
    let auth_safe = data_content(pfx.get(1).ok_or_else(|| malformed("content"))?)?;
    let has_mac = pfx.get(2).is_some();
    let password = match pfx.get(2) {
        Some(mac) => decrypt::verify_mac(mac, Password::new(password), auth_safe)?,
        None => Password::new(password),
    };
    let mut store = Store { keys: Vec::new(), certs: Vec::new(), has_mac };
    let safes =
        der_walk::element(auth_safe).as_ref().and_then(children).ok_or_else(|| malformed("authenticated safe"))?;
    for safe in &safes {
        let (content_type, _) = content_info(safe)?;
        if is_oid(&content_type, &DATA) {
            store.add_bags(data_content(safe)?, &password)?;
        } else if is_oid(&content_type, &ENCRYPTED_DATA) {
            store.add_bags(&encrypted_content(safe, &password)?, &password)?;
        } else if is_oid(&content_type, &ENVELOPED_DATA) {
            return Err(Error::key(
                ErrorKind::UnsupportedKey,
                "the PKCS#12 file is encrypted to a public key (public-key privacy mode), not with a password: re-export it with `openssl pkcs12 -export`",
            ));
        }
    }
    store.pick(alias)
}

/// `ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY }`
fn content_info<'a>(info: &AnyRef<'a>) -> Result<(AnyRef<'a>, AnyRef<'a>)> {
    let fields = children(info).ok_or_else(|| malformed("content info"))?;
    let content_type =
        *fields.first().filter(|f| f.tag() == Tag::ObjectIdentifier).ok_or_else(|| malformed("content type"))?;
    let content = fields.get(1).and_then(|c| explicit(c, 0)).ok_or_else(|| malformed("content"))?;
    Ok((content_type, content))
}

/// The octets of an `id-data` ContentInfo.
fn data_content<'a>(info: &AnyRef<'a>) -> Result<&'a [u8]> {
    let (content_type, content) = content_info(info)?;
    if !is_oid(&content_type, &DATA) {
        return Err(Error::key(
            ErrorKind::UnsupportedKey,
            "the PKCS#12 file is signed with a public key (public-key integrity mode), not protected by a password: re-export it with `openssl pkcs12 -export`",
        ));
    }
    octets(&content).ok_or_else(|| malformed("content"))
}

/// `EncryptedData ::= SEQUENCE { version, EncryptedContentInfo ::= SEQUENCE { contentType,
/// contentEncryptionAlgorithm, encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL } }`
fn encrypted_content(info: &AnyRef<'_>, password: &Password<'_>) -> Result<Zeroizing<Vec<u8>>> {
    let (_, content) = content_info(info)?;
    let fields = children(&content).ok_or_else(|| malformed("encrypted data"))?;
    let inner = fields.get(1).and_then(children).ok_or_else(|| malformed("encrypted content info"))?;
    let algorithm = inner.get(1).ok_or_else(|| malformed("encryption algorithm"))?;
    let ciphertext: Cow<'_, [u8]> = match inner.get(2) {
        None => return Ok(Zeroizing::new(Vec::new())),
        Some(c) if c.tag() == (Tag::ContextSpecific { constructed: false, number: TagNumber(0) }) => {
            Cow::Borrowed(c.value())
        }
        // BER writers may split the ciphertext into constructed OCTET STRING chunks.
        Some(c) if c.tag() == (Tag::ContextSpecific { constructed: true, number: TagNumber(0) }) => {
            let chunks = der_walk::elements(c.value()).ok_or_else(|| malformed("encrypted content"))?;
            let parts = chunks.iter().map(octets).collect::<Option<Vec<_>>>();
            Cow::Owned(parts.ok_or_else(|| malformed("encrypted content"))?.concat())
        }
        Some(_) => return Err(malformed("encrypted content")),
    };
    decrypt::decrypt(algorithm, &ciphertext, password)
}

struct KeyEntry {
    name: Option<String>,
    local_key_id: Option<Vec<u8>>,
    pkcs8: Zeroizing<Vec<u8>>,
}

struct CertEntry {
    local_key_id: Option<Vec<u8>>,
    der: Vec<u8>,
}

impl CertEntry {
    fn parsed(&self) -> Option<ParsedCertificate<'_>> {
        ParsedCertificate::from_der(&self.der)
    }

    /// Whether `self` names `other` as its issuer (DER names compare byte for byte).
    fn issued_by(&self, other: &CertEntry) -> bool {
        match (self.parsed(), other.parsed()) {
            (Some(me), Some(them)) => me.issuer.value() == them.subject.value(),
            _ => false,
        }
    }

    fn self_signed(&self) -> bool {
        self.parsed().is_some_and(|c| c.issuer.value() == c.subject.value())
    }
}

struct Store {
    keys: Vec<KeyEntry>,
    certs: Vec<CertEntry>,
    has_mac: bool,
}

impl Store {
    /// `SafeContents ::= SEQUENCE OF SafeBag`, `SafeBag ::= SEQUENCE { bagId, bagValue [0]
    /// EXPLICIT, bagAttributes SET OF PKCS12Attribute OPTIONAL }`
    fn add_bags(&mut self, contents: &[u8], password: &Password<'_>) -> Result<()> {
        let bags =
            der_walk::element(contents).as_ref().and_then(children).ok_or_else(|| self.undecodable("safe contents"))?;
        for bag in &bags {
            let fields = children(bag).ok_or_else(|| malformed("bag"))?;
            let (Some(bag_id), Some(wrapper)) = (fields.first(), fields.get(1)) else {
                return Err(malformed("bag"));
            };
            let value = explicit(wrapper, 0).ok_or_else(|| malformed("bag"))?;
            let attributes = fields.get(2);
            if is_oid(bag_id, &KEY_BAG) {
                self.keys.push(KeyEntry {
                    name: friendly_name(attributes),
                    local_key_id: local_key_id(attributes),
                    // The [0] wrapper holds exactly the key's DER, checked by `explicit`.
                    pkcs8: Zeroizing::new(wrapper.value().to_vec()),
                });
            } else if is_oid(bag_id, &SHROUDED_KEY_BAG) {
                // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }
                let shrouded = children(&value).ok_or_else(|| malformed("shrouded key"))?;
                let (Some(algorithm), Some(ciphertext)) = (shrouded.first(), shrouded.get(1).and_then(octets)) else {
                    return Err(malformed("shrouded key"));
                };
                let pkcs8 = decrypt::decrypt(algorithm, ciphertext, password)?;
                // Without a MAC, a wrong password can decrypt to junk with valid padding.
                if der_walk::element(&pkcs8).as_ref().and_then(children).is_none() {
                    return Err(self.undecodable("private key"));
                }
                self.keys.push(KeyEntry {
                    name: friendly_name(attributes),
                    local_key_id: local_key_id(attributes),
                    pkcs8,
                });
            } else if is_oid(bag_id, &CERT_BAG) {
                // CertBag ::= SEQUENCE { certId, certValue [0] EXPLICIT OCTET STRING }
                let cert_bag = children(&value).ok_or_else(|| malformed("certificate bag"))?;
                if !cert_bag.first().is_some_and(|id| is_oid(id, &X509_CERTIFICATE)) {
                    continue;
                }
                let der = cert_bag.get(1).and_then(|v| explicit(v, 0)).as_ref().and_then(octets);
                let der = der.ok_or_else(|| malformed("certificate bag"))?.to_vec();
                if ParsedCertificate::from_der(&der).is_none() {
                    return Err(Error::key(
                        ErrorKind::InvalidKey,
                        "a certificate in the PKCS#12 file is not valid X.509 DER",
                    ));
                }
                self.certs.push(CertEntry { local_key_id: local_key_id(attributes), der });
            }
        }
        Ok(())
    }

    /// Decrypted bytes that do not parse: junk from a wrong password when no MAC vouched for it.
    fn undecodable(&self, what: &str) -> Error {
        if self.has_mac {
            malformed(what)
        } else {
            decrypt::wrong_password()
        }
    }

    fn pick(mut self, alias: Option<&str>) -> Result<KeyMaterial> {
        let names: Vec<String> = (0..self.keys.len()).map(|i| self.alias_of(i)).collect();
        let listed = || names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
        let index = match alias {
            Some(wanted) => names.iter().position(|n| n == wanted).ok_or_else(|| {
                Error::key(
                    ErrorKind::KeyNotFound,
                    format!("no key entry with alias {wanted:?} in the PKCS#12 file; it holds: {}", listed()),
                )
            })?,
            None => match names.len() {
                1 => 0,
                0 => {
                    return Err(Error::key(
                        ErrorKind::KeyNotFound,
                        "the PKCS#12 file holds no private key (only certificates): export it with the private key included",
                    ))
                }
                _ => {
                    return Err(Error::key(
                        ErrorKind::KeyNotFound,
                        format!("the PKCS#12 file holds several keys ({}): pass the alias of the one to use", listed()),
                    ))
                }
            },
        };
        let chain = self.chain_of(index);
        let key = self.keys.swap_remove(index);
        Ok(KeyMaterial { pkcs8: key.pkcs8, chain })
    }

    /// The key's certificate: the one sharing its `localKeyId`, or, for a file holding one key
    /// and no IDs, the certificate that issued no other (the end-entity one).
    fn leaf_of(&self, index: usize) -> Option<&CertEntry> {
        let id = self.keys[index].local_key_id.as_ref();
        if let Some(cert) = self.certs.iter().find(|c| id.is_some() && c.local_key_id.as_ref() == id) {
            return Some(cert);
        }
        if self.keys.len() != 1 {
            return None;
        }
        self.certs.iter().find(|leaf| !self.certs.iter().any(|other| other.der != leaf.der && other.issued_by(leaf)))
    }

    /// Leaf first, then each issuer found in the file up to a self-signed root.
    fn chain_of(&self, index: usize) -> Vec<Vec<u8>> {
        let Some(mut current) = self.leaf_of(index) else { return Vec::new() };
        let mut chain = vec![current.der.clone()];
        while !current.self_signed() {
            let issuer = self.certs.iter().find(|c| current.issued_by(c));
            match issuer {
                Some(next) if !chain.contains(&next.der) => {
                    chain.push(next.der.clone());
                    current = next;
                }
                _ => break,
            }
        }
        chain
    }

    /// The `friendlyName`, else the certificate's subject, else the `localKeyId` in hex.
    fn alias_of(&self, index: usize) -> String {
        let key = &self.keys[index];
        if let Some(name) = &key.name {
            return name.clone();
        }
        if let Some(leaf) = self.leaf_of(index) {
            if let Some(subject) = leaf.parsed().as_ref().and_then(certificate::subject_of) {
                return subject;
            }
        }
        key.local_key_id.as_deref().map(certificate::hex_lower).unwrap_or_default()
    }
}

/// The first value of the attribute `oid`: `SET OF SEQUENCE { attrId, attrValues SET OF ANY }`.
fn attribute<'a>(attributes: Option<&AnyRef<'a>>, oid: &ObjectIdentifier) -> Option<AnyRef<'a>> {
    children(attributes?)?.iter().find_map(|attribute| {
        let fields = children(attribute)?;
        is_oid(fields.first()?, oid).then(|| children(fields.get(1)?)?.first().copied()).flatten()
    })
}

fn friendly_name(attributes: Option<&AnyRef<'_>>) -> Option<String> {
    der_walk::bmp_string(&attribute(attributes, &FRIENDLY_NAME)?)
}

fn local_key_id(attributes: Option<&AnyRef<'_>>) -> Option<Vec<u8>> {
    octets(&attribute(attributes, &LOCAL_KEY_ID)?).map(<[u8]>::to_vec)
}
