//! PKCS#12 (`.p12`/`.pfx`, RFC 7292) loading: the enterprise certificate as CAs deliver it.
//!
//! Only what a signing key needs is kept: private keys, X.509 certificates, their
//! `friendlyName` (the alias) and `localKeyId` (which certificate belongs to which key). The
//! structure is walked with `der` (see `der_walk` for why not the derived `pkcs12`/`cms` types);
//! the KDFs, ciphers and MACs are RustCrypto's. The work a file may ask for is bounded
//! (`limits.rs`) and the chain is built in linear time (`chain.rs`): files are read before any
//! password check.

pub(super) mod cbc;
mod chain;
mod decrypt;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzz;
mod kdf;
mod limits;
#[cfg(test)]
mod tests;

use super::certificate;
use super::der_walk::{self, children, explicit, is_oid, octets};
use super::KeyMaterial;
use crate::error::{Error, ErrorKind, Result};
use chain::{CertEntry, Chains};
use decrypt::{malformed, Password};
use der::asn1::ObjectIdentifier;
use der::{AnyRef, Tag, TagNumber, Tagged};
use limits::Budget;
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
    load_within(data, password, alias, &mut Budget::default())
}

/// [`load`], counting the work in `budget`.
fn load_within(data: &[u8], password: &str, alias: Option<&str>, budget: &mut Budget) -> Result<KeyMaterial> {
    if data.is_empty() {
        return Err(Error::key(ErrorKind::InvalidKey, "the PKCS#12 data is empty: check the file path"));
    }
    limits::check_size(data.len())?;
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
    let safes =
        der_walk::element(auth_safe).as_ref().and_then(children).ok_or_else(|| malformed("authenticated safe"))?;
    // Everything this level declares, read by planning runs that derive nothing: a file asking
    // for too much is refused before a round is spent.
    let has_mac = pfx.get(2).is_some();
    // Every derivation spends from `budget` before it runs, and the bags of each SafeContents
    // are planned before any of them is derived.
    let password = match pfx.get(2) {
        Some(mac) => decrypt::verify_mac(mac, Password::new(password), auth_safe, budget)?,
        None => Password::new(password),
    };
    let mut store = Store { keys: Vec::new(), certs: Vec::new(), has_mac, budget };
    for safe in &safes {
        let (content_type, _) = content_info(safe)?;
        if is_oid(&content_type, &DATA) {
            store.add_bags(data_content(safe)?, &password, false)?;
        } else if is_oid(&content_type, &ENCRYPTED_DATA) {
            let contents = encrypted_content(safe, &password, store.budget)?;
            store.add_bags(&contents, &password, true)?;
        } else if is_oid(&content_type, &ENVELOPED_DATA) {
            return Err(Error::key(
                ErrorKind::UnsupportedKey,
                "the PKCS#12 file is encrypted to a public key (public-key privacy mode), not with a password: re-export it with `openssl pkcs12 -export`",
            ));
        }
    }
    store.pick(alias, password.utf8)
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
fn encrypted_content(info: &AnyRef<'_>, password: &Password<'_>, budget: &mut Budget) -> Result<Zeroizing<Vec<u8>>> {
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
    decrypt::decrypt(algorithm, &ciphertext, password, budget)
}

/// Adds to `plan` the rounds the shrouded keys of a SafeContents declare.
fn plan_bags(contents: &[u8], password: &Password<'_>, plan: &mut Budget) {
    for bag in der_walk::element(contents).as_ref().and_then(children).unwrap_or_default() {
        let shrouded = children(&bag)
            .filter(|fields| fields.first().is_some_and(|id| is_oid(id, &SHROUDED_KEY_BAG)))
            .and_then(|fields| children(&explicit(fields.get(1)?, 0)?));
        if let Some(algorithm) = shrouded.as_ref().and_then(|fields| fields.first()) {
            decrypt::decrypt(algorithm, &[], password, plan).ok();
        }
    }
}

struct KeyEntry {
    name: Option<String>,
    local_key_id: Option<Vec<u8>>,
    pkcs8: Zeroizing<Vec<u8>>,
}

struct Store<'b> {
    keys: Vec<KeyEntry>,
    certs: Vec<CertEntry>,
    has_mac: bool,
    budget: &'b mut Budget,
}

impl Store<'_> {
    /// `SafeContents ::= SEQUENCE OF SafeBag`, `SafeBag ::= SEQUENCE { bagId, bagValue [0]
    /// EXPLICIT, bagAttributes SET OF PKCS12Attribute OPTIONAL }`. `decrypted` says the contents
    /// come out of a decryption, so that junk may be a wrong password's doing.
    fn add_bags(&mut self, contents: &[u8], password: &Password<'_>, decrypted: bool) -> Result<()> {
        let bags = der_walk::element(contents).as_ref().and_then(children).ok_or_else(|| {
            if decrypted {
                self.undecodable("safe contents")
            } else {
                malformed("safe contents")
            }
        })?;
        self.budget.add_bags(bags.len())?;
        let mut plan = Budget::planning();
        plan_bags(contents, password, &mut plan);
        self.budget.afford(plan.rounds)?;
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
                let pkcs8 = decrypt::decrypt(algorithm, ciphertext, password, self.budget)?;
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
                self.budget.add_certificate()?;
                let cert = CertEntry::new(der, local_key_id(attributes)).ok_or_else(|| {
                    Error::key(ErrorKind::InvalidKey, "a certificate in the PKCS#12 file is not valid X.509 DER")
                })?;
                self.certs.push(cert);
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

    /// The key named `alias` (or the only one) and its chain. An alias equal to the password is
    /// not quoted back: that is the password given twice, or arguments swapped.
    fn pick(mut self, alias: Option<&str>, password: &str) -> Result<KeyMaterial> {
        let mut chains = Chains::new(&self.certs);
        let only_key = self.keys.len() == 1;
        let names: Vec<String> = self.keys.iter().map(|key| alias_of(key, &mut chains, only_key)).collect();
        let listed = || names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
        let index = match alias {
            Some(wanted) => names.iter().position(|n| n == wanted).ok_or_else(|| {
                let wanted = if wanted == password { "(not shown: it is the password)".into() } else { format!("{wanted:?}") };
                Error::key(
                    ErrorKind::KeyNotFound,
                    format!("no key entry with alias {wanted} in the PKCS#12 file; it holds: {}", listed()),
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
        let key_id = self.keys[index].local_key_id.as_deref();
        let chain = chains.leaf(key_id, only_key).map(|leaf| chains.chain(leaf)).unwrap_or_default();
        let key = self.keys.swap_remove(index);
        Ok(KeyMaterial { pkcs8: key.pkcs8, chain })
    }
}

/// The `friendlyName`, else the subject of the key's certificate, else the `localKeyId` in hex.
fn alias_of(key: &KeyEntry, chains: &mut Chains<'_>, only_key: bool) -> String {
    if let Some(name) = &key.name {
        return name.clone();
    }
    let leaf = chains.leaf(key.local_key_id.as_deref(), only_key).map(|index| chains.cert(index));
    if let Some(subject) = leaf.and_then(|cert| cert.parsed()).as_ref().and_then(certificate::subject_of) {
        return subject;
    }
    key.local_key_id.as_deref().map(certificate::hex_lower).unwrap_or_default()
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
