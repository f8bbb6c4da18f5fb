//! Java's own keystores, read natively: Sun's JKS (what `keytool -storetype JKS` and the seed
//! page's `-deststoretype JKS` write, and what Digdir's jwt-grant-generator reads) and JCEKS.
//!
//! The layout (all integers big-endian, text as Java's `writeUTF`): `u32` magic (`FEEDFEED`
//! JKS, `CECECECE` JCEKS), `u32` version (1 or 2), `u32` entry count, the entries, then 20
//! bytes: SHA-1 over the store password (UTF-16BE), the ASCII `Mighty Aphrodite` and every
//! byte before it. An entry is `u32` tag, alias (stored lower-case), `u64` timestamp, then for
//! a private key (tag 1) the protected key (`u32` length + bytes, see [`protect`]) and its
//! certificate chain (`u32` count, each certificate `writeUTF("X.509")` in version 2 + `u32`
//! length + DER), for a trusted certificate (tag 2) one certificate. JCEKS also has secret-key
//! entries (tag 3), Java-serialised objects with no length, which cannot be skipped.
//!
//! Work is linear in the file's size: every length is checked against what is left before it
//! is used, nothing is allocated from a declared length, and the store is hashed once.

mod md5;
mod protect;
mod reader;

use super::certificate::ParsedCertificate;
use super::KeyMaterial;
use crate::crypto::{self, Hash};
use crate::error::{Error, ErrorKind, Result};
use protect::Failure;
use reader::{Reader, Truncated};

const JKS_MAGIC: u32 = 0xFEED_FEED;
const JCEKS_MAGIC: u32 = 0xCECE_CECE;
const INTEGRITY_SALT: &[u8] = b"Mighty Aphrodite";
const DIGEST_LEN: usize = 20;

/// A keystore holding a signing key is a few kilobytes; a trust store a few hundred.
const MAX_STORE_BYTES: usize = 16 << 20;
/// Java's `cacerts` has about 150 entries.
const MAX_ENTRIES: u32 = 65_536;
/// Real chains have 2 to 4 certificates.
const MAX_CHAIN: u32 = 64;

/// The two proprietary keystore formats, told apart by their first four bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Sun's JKS (`FEEDFEED`).
    Jks,
    /// Sun's JCEKS (`CECECECE`).
    Jceks,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Jks => "JKS",
            Format::Jceks => "JCEKS",
        }
    }
}

/// The format of `data` by its magic bytes; `None` for anything else (PKCS#12 among others).
pub(crate) fn sniff(data: &[u8]) -> Option<Format> {
    match data.get(..4).map(|m| u32::from_be_bytes([m[0], m[1], m[2], m[3]])) {
        Some(JKS_MAGIC) => Some(Format::Jks),
        Some(JCEKS_MAGIC) => Some(Format::Jceks),
        _ => None,
    }
}

/// What base64 text of a keystore begins with (as in a Kubernetes secret or a CI variable).
pub(crate) fn base64_text_hint(data: &[u8]) -> Option<&'static str> {
    let text = data.trim_ascii_start();
    if text.starts_with(b"/u3+7") {
        Some("this is a JKS keystore encoded as base64 text: decode it first (for example `base64 -d`)")
    } else if text.starts_with(b"zs7Ozg") {
        Some("this is a JCEKS keystore encoded as base64 text: decode it first (for example `base64 -d`)")
    } else if text.starts_with(b"MII") {
        Some("this looks like a PKCS#12 file encoded as base64 text: decode it first (for example `base64 -d`)")
    } else {
        None
    }
}

struct Certificate<'a> {
    kind: String,
    der: &'a [u8],
}

enum Body<'a> {
    PrivateKey { protected: &'a [u8], chain: Vec<Certificate<'a>> },
    TrustedCertificate,
}

struct Entry<'a> {
    alias: String,
    body: Body<'a>,
}

/// Reads the private key named `alias` (any case), or the only one, with its certificate chain
/// (leaf first). The key password defaults to the store password, as keytool sets it.
pub(crate) fn load(
    data: &[u8],
    format: Format,
    store_password: &str,
    alias: Option<&str>,
    key_password: Option<&str>,
) -> Result<KeyMaterial> {
    let name = format.name();
    if data.len() > MAX_STORE_BYTES {
        return Err(Error::key(
            ErrorKind::InvalidKey,
            format!(
                "the {name} keystore is {} bytes; at most {MAX_STORE_BYTES} are read (a keystore with one signing key is a few kilobytes): check the file",
                data.len()
            ),
        ));
    }
    let mut reader = Reader::new(data);
    let entries = read_entries(&mut reader, format)?;
    let end = reader.position();
    let stored_digest = reader.bytes(DIGEST_LEN)?;
    // Bytes after the digest are ignored, as Java does.
    let covered = data.get(..end).ok_or(Truncated)?;
    let computed = Hash::Sha1.digest(&[&protect::utf16_be(store_password), INTEGRITY_SALT, covered]);
    if !crypto::constant_time_eq(&computed, stored_digest) {
        return Err(Error::key(
            ErrorKind::WrongPassword,
            format!("the {name} keystore password is wrong (the keystore's integrity check failed; a damaged file fails it too): check the keystore password"),
        ));
    }
    let (alias, protected, chain) = pick(&entries, name, alias)?;
    let pkcs8 = protect::recover(protected, key_password.unwrap_or(store_password))
        .map_err(|failure| recover_error(failure, name, alias, key_password.is_some()))?;
    let chain = chain.iter().map(|cert| certificate(cert, name, alias)).collect::<Result<Vec<_>>>()?;
    Ok(KeyMaterial { pkcs8, chain })
}

/// Header and entries, up to the integrity digest.
fn read_entries<'a>(reader: &mut Reader<'a>, format: Format) -> Result<Vec<Entry<'a>>> {
    let name = format.name();
    let _magic = reader.u32()?;
    let version = reader.u32()?;
    if version != 1 && version != 2 {
        return Err(Error::key(
            ErrorKind::InvalidKey,
            format!("the {name} keystore has version {version}; Java writes versions 1 and 2: the file is damaged or is not a keystore"),
        ));
    }
    let count = reader.u32()?;
    if count > MAX_ENTRIES {
        return Err(Error::key(
            ErrorKind::InvalidKey,
            format!(
                "the {name} keystore declares {count} entries (at most {MAX_ENTRIES} are read): the file is damaged"
            ),
        ));
    }
    let mut entries = Vec::new();
    for index in 0..count {
        let tag = reader.u32()?;
        let alias = reader.utf()?;
        let _timestamp = reader.u64()?;
        let body = match tag {
            1 => {
                let protected = reader.sized_bytes()?;
                let chain_len = reader.u32()?;
                if chain_len > MAX_CHAIN {
                    let shown = list([alias.as_str()]);
                    return Err(Error::key(
                        ErrorKind::InvalidKey,
                        format!("the key entry {shown} declares {chain_len} certificates (at most {MAX_CHAIN} are read): the {name} file is damaged"),
                    ));
                }
                let mut chain = Vec::new();
                for _ in 0..chain_len {
                    chain.push(read_certificate(reader, version)?);
                }
                Body::PrivateKey { protected, chain }
            }
            2 => {
                read_certificate(reader, version)?;
                Body::TrustedCertificate
            }
            3 if format == Format::Jceks => {
                let shown = list([alias.as_str()]);
                return Err(Error::key(
                    ErrorKind::UnsupportedKey,
                    format!(
                        "the JCEKS keystore holds a secret-key entry ({shown}), a serialised Java object that cannot be read here: \
                         copy the signing key to a PKCS#12 file with `keytool -importkeystore -srckeystore STORE.jceks -srcstoretype JCEKS \
                         -srcalias KEY_ALIAS -destkeystore store.p12 -deststoretype PKCS12` and load that"
                    ),
                ));
            }
            other => {
                return Err(Error::key(
                    ErrorKind::InvalidKey,
                    format!(
                        "entry {} of the {name} keystore has the unknown type {other}: the file is damaged",
                        index + 1
                    ),
                ));
            }
        };
        entries.push(Entry { alias, body });
    }
    Ok(entries)
}

fn read_certificate<'a>(reader: &mut Reader<'a>, version: u32) -> Result<Certificate<'a>> {
    let kind = if version == 2 { reader.utf()? } else { "X.509".to_string() };
    let der = reader.sized_bytes()?;
    Ok(Certificate { kind, der })
}

/// A chosen key entry: its alias, protected key and certificate chain.
type KeyEntry<'e, 'a> = (&'e str, &'a [u8], &'e [Certificate<'a>]);

/// The key entry `alias` names (aliases compare without case, as Java stores them lower-cased),
/// or the only one.
fn pick<'e, 'a>(entries: &'e [Entry<'a>], name: &str, alias: Option<&str>) -> Result<KeyEntry<'e, 'a>> {
    let keys: Vec<KeyEntry<'e, 'a>> = entries
        .iter()
        .filter_map(|e| match &e.body {
            Body::PrivateKey { protected, chain } => Some((e.alias.as_str(), *protected, chain.as_slice())),
            Body::TrustedCertificate => None,
        })
        .collect();
    let listed = || {
        if keys.is_empty() {
            "none".to_string()
        } else {
            list(keys.iter().map(|(alias, _, _)| *alias))
        }
    };
    match alias {
        Some(wanted) => {
            let wanted_lower = wanted.to_lowercase();
            if let Some(key) = keys.iter().find(|(alias, _, _)| alias.to_lowercase() == wanted_lower) {
                return Ok(*key);
            }
            let found = entries.iter().find(|e| e.alias.to_lowercase() == wanted_lower);
            match found {
                Some(entry) => Err(Error::key(
                    ErrorKind::KeyNotFound,
                    format!(
                        "{} in the {name} keystore is a trusted certificate, which has no private key; its key entries: {}",
                        list([entry.alias.as_str()]),
                        listed()
                    ),
                )),
                None => Err(Error::key(
                    ErrorKind::KeyNotFound,
                    format!(
                        "no key entry with alias {} in the {name} keystore; its key entries: {}",
                        list([wanted]),
                        listed()
                    ),
                )),
            }
        }
        None => match keys.as_slice() {
            [only] => Ok(*only),
            [] => {
                let trusted = list(entries.iter().map(|e| e.alias.as_str()));
                Err(Error::key(
                    ErrorKind::KeyNotFound,
                    if entries.is_empty() {
                        format!("the {name} keystore is empty: import the enterprise certificate with its private key (keytool -importkeystore from its .p12 file)")
                    } else {
                        format!(
                            "the {name} keystore holds no private key, only trusted certificates ({trusted}): import the enterprise certificate with its private key (keytool -importkeystore from its .p12 file)"
                        )
                    },
                ))
            }
            _ => Err(Error::key(
                ErrorKind::KeyNotFound,
                format!("the {name} keystore holds several keys ({}): give the alias of the one to use", listed()),
            )),
        },
    }
}

/// Aliases for a message, quoted: at most 20, each at most 64 characters (a crafted store may
/// hold thousands of long ones).
fn list<'s>(aliases: impl IntoIterator<Item = &'s str>) -> String {
    const MAX_SHOWN: usize = 20;
    let mut shown = Vec::new();
    let mut more = 0usize;
    for alias in aliases {
        if shown.len() == MAX_SHOWN {
            more += 1;
            continue;
        }
        let mut text: String = alias.chars().take(64).collect();
        if text.len() < alias.len() {
            text.push_str("...");
        }
        shown.push(format!("{text:?}"));
    }
    let mut out = shown.join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

fn recover_error(failure: Failure, name: &str, alias: &str, key_password_given: bool) -> Error {
    let shown = list([alias]);
    match failure {
        Failure::WrongPassword if key_password_given => Error::key(
            ErrorKind::WrongKeyPassword,
            format!("the key password is wrong for the key entry {shown} (the {name} keystore password was right): check the key password"),
        ),
        Failure::WrongPassword => Error::key(
            ErrorKind::WrongKeyPassword,
            format!(
                "the key entry {shown} has a password of its own, different from the {name} keystore password: give the key password too"
            ),
        ),
        Failure::PasswordNotAscii => Error::key(
            ErrorKind::WrongKeyPassword,
            format!("the key password for {shown} has characters outside printable ASCII, which JCEKS key passwords cannot have: check the key password"),
        ),
        Failure::Malformed(part) => Error::key(
            ErrorKind::InvalidKey,
            format!("the key entry {shown} is not protected the way Java writes it (its {part} is malformed): the {name} file is damaged"),
        ),
        Failure::Unsupported(oid) => Error::key(
            ErrorKind::UnsupportedKey,
            format!(
                "the key entry {shown} is protected with {oid}, neither Sun's JKS nor JCEKS protection: convert the keystore with \
                 `keytool -importkeystore -srckeystore STORE -destkeystore store.p12 -deststoretype PKCS12` and load store.p12"
            ),
        ),
        Failure::TooManyIterations(count) => Error::key(
            ErrorKind::InvalidKey,
            format!("the key entry {shown} asks for {count} key-derivation rounds (Java writes 200000; at most 1000000 are accepted): re-create the keystore"),
        ),
    }
}

fn certificate(cert: &Certificate<'_>, name: &str, alias: &str) -> Result<Vec<u8>> {
    let shown = list([alias]);
    if cert.kind != "X.509" {
        return Err(Error::key(
            ErrorKind::UnsupportedKey,
            format!("the key entry {shown} has a {} certificate; only X.509 is used", list([cert.kind.as_str()])),
        ));
    }
    if ParsedCertificate::from_der(cert.der).is_none() {
        return Err(Error::key(
            ErrorKind::InvalidKey,
            format!("a certificate of the key entry {shown} is not valid X.509 DER: the {name} file is damaged"),
        ));
    }
    Ok(cert.der.to_vec())
}

impl From<Truncated> for Error {
    fn from(_: Truncated) -> Error {
        Error::key(
            ErrorKind::InvalidKey,
            "the keystore is truncated (it ends inside an entry or before its integrity digest): copy the whole file again, as binary",
        )
    }
}
