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

mod jceks;
#[cfg(feature = "jceks")]
mod md5;
mod protect;
mod reader;

use super::certificate::ParsedCertificate;
use super::KeyMaterial;
use crate::crypto;
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

enum Body<'a> {
    /// The protected key and the chain's DER certificates, leaf first (`None`: not X.509).
    PrivateKey {
        protected: &'a [u8],
        chain: Vec<Option<&'a [u8]>>,
    },
    TrustedCertificate,
}

struct Entry<'a> {
    /// As stored: modified UTF-8, lower-cased by Java.
    alias: &'a [u8],
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
        return Err(damaged(name));
    }
    let mut reader = Reader::new(data);
    let entries = read_entries(&mut reader, format)?;
    let covered = data.get(..reader.position()).ok_or(Truncated)?;
    let stored_digest = reader.bytes(DIGEST_LEN)?;
    // Bytes after the digest are ignored, as Java does.
    let computed = protect::sha1(&[&protect::utf16_be(store_password), INTEGRITY_SALT, covered]);
    if !crypto::constant_time_eq(&computed, stored_digest) {
        return Err(store_error(
            ErrorKind::WrongPassword,
            name,
            "password is wrong (the integrity check failed; a damaged file fails it too): check the keystore password",
        ));
    }
    let entry = pick(&entries, name, alias)?;
    // `pick` answers key entries only; a trusted certificate here would be its bug, not a panic.
    let (alias, Body::PrivateKey { protected, chain }) = (entry.alias, &entry.body) else {
        return Err(store_error(ErrorKind::KeyNotFound, name, "has no such key entry"));
    };
    let pkcs8 = protect::recover(protected, key_password.unwrap_or(store_password)).map_err(|failure| {
        let (kind, message) = match failure {
            Failure::WrongPassword if key_password.is_some() => (
                ErrorKind::WrongKeyPassword,
                "does not open with the key password given (the keystore password was right): check the key password",
            ),
            Failure::WrongPassword => (
                ErrorKind::WrongKeyPassword,
                "has a password of its own, different from the keystore password: give the key password too",
            ),
            Failure::PasswordNotAscii => {
                (ErrorKind::WrongKeyPassword, "has a JCEKS key password, which is printable ASCII: check the key password")
            }
            Failure::Malformed | Failure::TooManyIterations => (
                ErrorKind::InvalidKey,
                "is not protected the way Java writes it (or asks for over 1000000 key-derivation rounds): the file is damaged",
            ),
            Failure::Unsupported | Failure::JceksNotBuilt => (
                ErrorKind::UnsupportedKey,
                "is protected in a way not read here (JCEKS in the WebAssembly build): convert the keystore with \
                 `keytool -importkeystore -srckeystore STORE -destkeystore store.p12 -deststoretype PKCS12`",
            ),
        };
        entry_error(kind, name, alias, message)
    })?;
    let mut certificates = Vec::with_capacity(chain.len());
    for der in chain {
        match *der {
            Some(der) if ParsedCertificate::from_der(der).is_some() => certificates.push(der.to_vec()),
            Some(_) => {
                return Err(entry_error(
                    ErrorKind::InvalidKey,
                    name,
                    alias,
                    "has a certificate that is not valid X.509 DER",
                ))
            }
            None => {
                return Err(entry_error(ErrorKind::UnsupportedKey, name, alias, "has a certificate that is not X.509"))
            }
        }
    }
    Ok(KeyMaterial { pkcs8, chain: certificates })
}

/// Header and entries, up to the integrity digest.
fn read_entries<'a>(reader: &mut Reader<'a>, format: Format) -> Result<Vec<Entry<'a>>> {
    let name = format.name();
    let _magic = reader.u32()?;
    let version = reader.u32()?;
    if version != 1 && version != 2 {
        return Err(damaged(name));
    }
    let count = reader.u32()?;
    if count > MAX_ENTRIES {
        return Err(damaged(name));
    }
    let mut entries = Vec::new();
    for _ in 0..count {
        let tag = reader.u32()?;
        let alias = reader.utf()?;
        let _timestamp = reader.bytes(8)?;
        let body = match tag {
            1 => {
                let protected = reader.sized_bytes()?;
                let chain_len = reader.u32()?;
                if chain_len > MAX_CHAIN {
                    return Err(entry_error(ErrorKind::InvalidKey, name, alias, "has more than 64 certificates"));
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
                return Err(entry_error(
                    ErrorKind::UnsupportedKey,
                    name,
                    alias,
                    "is a secret key (a Java object): copy the signing key out with `keytool -importkeystore \
                     -srckeystore STORE -srcalias KEY_ALIAS -destkeystore store.p12 -deststoretype PKCS12`",
                ));
            }
            _ => return Err(damaged(name)),
        };
        entries.push(Entry { alias, body });
    }
    Ok(entries)
}

/// A certificate's DER, or `None` when its type is not X.509.
fn read_certificate<'a>(reader: &mut Reader<'a>, version: u32) -> Result<Option<&'a [u8]>> {
    let x509 = version == 1 || reader.utf()? == b"X.509";
    let der = reader.sized_bytes()?;
    Ok(x509.then_some(der))
}

/// The key entry `alias` names (aliases compare without case, as Java stores them lower-cased),
/// or the only one.
fn pick<'e, 'a>(entries: &'e [Entry<'a>], name: &str, alias: Option<&str>) -> Result<&'e Entry<'a>> {
    let is_key = |e: &&Entry<'a>| matches!(e.body, Body::PrivateKey { .. });
    let keys = || entries.iter().filter(is_key);
    let (message, listed) = match (alias, keys().next(), keys().nth(1)) {
        (Some(wanted), _, _) => {
            let wanted = reader::modified_utf8(wanted);
            let mut named = entries.iter().filter(|e| same_alias(e.alias, &wanted));
            if let Some(key) = named.clone().find(is_key) {
                return Ok(key);
            }
            let message = if named.next().is_some() {
                "has the alias given on a trusted certificate, which has no private key; its key entries"
            } else {
                "has no key entry with the alias given; its key entries"
            };
            (message, list(&mut keys()))
        }
        (None, Some(only), None) => return Ok(only),
        (None, None, _) => (
            "holds no private key, only trusted certificates if any: import the enterprise certificate with its \
             private key (keytool -importkeystore from its .p12 file); its entries",
            list(&mut entries.iter()),
        ),
        (None, Some(_), Some(_)) => ("holds several keys; give the alias of the one to use", list(&mut keys())),
    };
    Err(store_error(ErrorKind::KeyNotFound, name, &format!("{message}: {listed}")))
}

/// Whether a stored alias and a wanted one (both modified UTF-8) are the same but for case.
/// Java stores aliases lower-cased (`toLowerCase(Locale.ENGLISH)`); ASCII and Latin-1 letters
/// (Norwegian Æ, Ø and Å among them) are folded here. Letters of other scripts compare as
/// written, as `keytool -list` shows them: Unicode's full case tables would cost the
/// WebAssembly build about 3 KB gzipped.
fn same_alias(stored: &[u8], wanted: &[u8]) -> bool {
    let fold = |previous: u8, byte: u8| match (previous, byte) {
        // U+00C0..=U+00DE but U+00D7 (×) are C3 80..=C3 9E: lower case is 0x20 higher.
        (0xC3, 0x80..=0x9E) if byte != 0x97 => byte + 0x20,
        (_, b'A'..=b'Z') => byte + 0x20,
        _ => byte,
    };
    stored.len() == wanted.len()
        && (0..stored.len()).all(|i| {
            let previous = |text: &[u8]| if i == 0 { 0 } else { text[i - 1] };
            fold(previous(stored), stored[i]) == fold(previous(wanted), wanted[i])
        })
}

/// Aliases for a message, quoted: at most 20, each at most 64 characters (a crafted store may
/// hold thousands of long ones).
fn list<'e, 'a: 'e>(entries: &mut dyn Iterator<Item = &'e Entry<'a>>) -> String {
    let mut out = String::new();
    for (index, alias) in entries.map(|e| e.alias).enumerate() {
        if index == 20 {
            out.push_str(", ...");
            break;
        }
        if index > 0 {
            out.push_str(", ");
        }
        out.push_str(&quoted(alias));
    }
    if out.is_empty() {
        out.push_str("none");
    }
    out
}

/// An alias for a message: its first 64 bytes, quoted and escaped.
fn quoted(alias: &[u8]) -> String {
    let cut = alias.len() > 64;
    let text = String::from_utf8_lossy(&alias[..alias.len().min(64)]);
    format!("{text:?}{}", if cut { "..." } else { "" })
}

/// A store whose version or entry types Java does not write, or that is beyond the limits.
fn damaged(name: &str) -> Error {
    store_error(
        ErrorKind::InvalidKey,
        name,
        "is damaged (a version or entry type Java does not write, over 65536 entries or over 16 MiB): check the file",
    )
}

fn store_error(kind: ErrorKind, name: &str, message: &str) -> Error {
    Error::key(kind, format!("the {name} keystore {message}"))
}

fn entry_error(kind: ErrorKind, name: &str, alias: &[u8], message: &str) -> Error {
    Error::key(kind, format!("the {name} keystore's entry {} {message}", quoted(alias)))
}

impl From<Truncated> for Error {
    fn from(_: Truncated) -> Error {
        Error::key(ErrorKind::InvalidKey, "the keystore is truncated: copy the whole file again, as binary")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(stored: &str, wanted: &str) -> bool {
        same_alias(&reader::modified_utf8(stored), &reader::modified_utf8(wanted))
    }

    #[test]
    fn aliases_fold_ascii_and_latin_1_case() {
        assert!(same("virksomhetssertifikat", "Virksomhetssertifikat"));
        assert!(same("nøkkel-æøå", "NØKKEL-ÆØÅ"));
        assert!(!same("key", "keys"));
        assert!(!same("\u{F7}", "\u{D7}"), "× is not the capital of ÷");
        assert!(!same("σκ", "ΣΚ"), "other scripts compare as written");
        assert!(!same("\u{C3}\u{81}", "\u{E3}\u{A1}"), "only the letter after C3 is folded");
    }

    #[test]
    fn the_magic_tells_the_formats_apart() {
        assert_eq!(sniff(&[0xFE, 0xED, 0xFE, 0xED, 0]), Some(Format::Jks));
        assert_eq!(sniff(&[0xCE, 0xCE, 0xCE, 0xCE]), Some(Format::Jceks));
        assert_eq!(sniff(&[0x30, 0x82, 0x01, 0x00]), None);
        assert_eq!(sniff(&[0xFE, 0xED]), None);
    }

    #[test]
    fn alias_lists_are_bounded() {
        let long = vec![b'a'; 1000];
        let entries: Vec<Entry<'_>> =
            (0..300).map(|_| Entry { alias: &long, body: Body::TrustedCertificate }).collect();
        let text = list(&mut entries.iter());
        assert!(text.ends_with(", ...") && text.len() < 20 * 72, "{} bytes", text.len());
    }
}
