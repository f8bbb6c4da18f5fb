//! PEM loading: PKCS#8 and PKCS#1 RSA private keys, and certificate chains.

use super::{rsa_der, KeyMaterial};
use crate::error::{Error, ErrorKind, Result};
use zeroize::Zeroizing;

/// The private key (as PKCS#8) and any certificates that share the PEM text.
pub(crate) fn load_key(text: &str) -> Result<KeyMaterial> {
    let blocks = parse(text, "private key PEM")?;
    let mut key = None;
    let mut certs = Vec::new();
    for block in blocks {
        let tag = block.tag().to_string();
        let contents = Zeroizing::new(block.into_contents());
        let pkcs8 = match tag.as_str() {
            "PRIVATE KEY" => Zeroizing::new(contents.to_vec()),
            "RSA PRIVATE KEY" => rsa_der::pkcs1_to_pkcs8(&contents)?,
            "CERTIFICATE" => {
                certs.push(contents.to_vec());
                continue;
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err(Error::key(
                    ErrorKind::UnsupportedKey,
                    "encrypted PEM keys are not read: decrypt with `openssl pkcs8 -in key.pem -out plain.pem` (keep it private), or load the .p12 with its password",
                ))
            }
            "EC PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
                return Err(Error::key(ErrorKind::UnsupportedKey, format!("a {tag} is not an RSA key: Maskinporten grants need RSA")))
            }
            _ => continue,
        };
        if key.replace(pkcs8).is_some() {
            return Err(Error::key(
                ErrorKind::InvalidKey,
                "the PEM text holds more than one private key: give exactly one",
            ));
        }
    }
    let key = key.ok_or_else(|| {
        Error::key(ErrorKind::InvalidKey, "no PRIVATE KEY or RSA PRIVATE KEY block in the PEM text: check that you passed the key file, not the certificate")
    })?;
    Ok(KeyMaterial { pkcs8: key, chain: certs })
}

/// Every CERTIFICATE block, in order (leaf first by convention).
pub(crate) fn load_certificates(text: &str) -> Result<Vec<Vec<u8>>> {
    let certs: Vec<Vec<u8>> = parse(text, "certificate PEM")?
        .into_iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| b.into_contents())
        .collect();
    if certs.is_empty() {
        return Err(Error::key(
            ErrorKind::InvalidKey,
            "no CERTIFICATE block in the certificate chain PEM: check the file",
        ));
    }
    Ok(certs)
}

fn parse(text: &str, what: &str) -> Result<Vec<pem::Pem>> {
    let blocks = pem::parse_many(text)
        .map_err(|_| Error::key(ErrorKind::InvalidKey, format!("the {what} is not valid PEM: check the file")))?;
    if blocks.is_empty() {
        return Err(Error::key(
            ErrorKind::InvalidKey,
            format!("the {what} holds no PEM block (-----BEGIN ...-----): check the file"),
        ));
    }
    Ok(blocks)
}
