//! PKCS#12 (`.p12`/`.pfx`) loading: the enterprise certificate as CAs deliver it.

use super::KeyMaterial;
use crate::error::{Error, Result};
use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy, PrivateKeyChain};
use zeroize::Zeroizing;

pub(crate) fn load(data: &[u8], password: &str, alias: Option<&str>) -> Result<KeyMaterial> {
    if data.is_empty() {
        return Err(Error::key("invalid_key", "the PKCS#12 data is empty: check the file path"));
    }
    let store = KeyStore::from_pkcs12(data, password, Pkcs12ImportPolicy::Relaxed).map_err(map_error)?;
    let chain = pick(&store, alias)?;
    Ok(KeyMaterial {
        pkcs8: Zeroizing::new(chain.key().as_der().to_vec()),
        chain: chain.certs().iter().map(|c| c.as_der().to_vec()).collect(),
    })
}

fn pick<'a>(store: &'a KeyStore, alias: Option<&str>) -> Result<&'a PrivateKeyChain> {
    let keys: Vec<(&String, &PrivateKeyChain)> = store
        .entries()
        .filter_map(|(name, entry)| match entry {
            KeyStoreEntry::PrivateKeyChain(chain) => Some((name, chain)),
            _ => None,
        })
        .collect();
    let names = || keys.iter().map(|(n, _)| format!("{n:?}")).collect::<Vec<_>>().join(", ");
    match alias {
        Some(wanted) => keys.iter().find(|(name, _)| name.as_str() == wanted).map(|(_, c)| *c).ok_or_else(|| {
            Error::key(
                "key_not_found",
                format!("no key entry with alias {wanted:?} in the PKCS#12 file; it holds: {}", names()),
            )
        }),
        None => match keys.as_slice() {
            [(_, chain)] => Ok(*chain),
            [] => Err(Error::key(
                "key_not_found",
                "the PKCS#12 file holds no private key (only certificates): export it with the private key included",
            )),
            _ => Err(Error::key(
                "key_not_found",
                format!("the PKCS#12 file holds several keys ({}): pass the alias of the one to use", names()),
            )),
        },
    }
}

fn map_error(error: p12_keystore::error::Error) -> Error {
    use p12_keystore::error::Error as P12;
    match error {
        P12::MacError(_) => Error::key(
            "wrong_password",
            "the PKCS#12 password is wrong (the file's integrity check failed): check the password you were given with the certificate",
        ),
        P12::UnpadError => Error::key("wrong_password", "the PKCS#12 file could not be decrypted: the password is probably wrong"),
        P12::UnsupportedEncryptionScheme | P12::UnsupportedMacAlgorithm => Error::key(
            "unsupported_key",
            "the PKCS#12 file uses an encryption or MAC scheme this library does not read: re-export it with `openssl pkcs12 -export` (AES-256, the OpenSSL 3 default)",
        ),
        other => Error::key(
            "invalid_key",
            format!("the data is not a readable PKCS#12 file ({other}): check that it is the .p12/.pfx file itself, not PEM or base64 text"),
        ),
    }
}
