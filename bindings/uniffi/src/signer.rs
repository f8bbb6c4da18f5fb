//! The external signer: the core prepares the signing input, the host's key signs it (Android
//! Keystore, iOS keychain/Secure Enclave, a JCA `PrivateKey` in an HSM), the core checks the
//! signature against the certificate and assembles the JWT.

use crate::error::{misuse, Result};
use maskinporten::Algorithm;
use std::sync::Mutex;

/// Implemented in Kotlin/Swift: sign `signing_input` with RSASSA-PKCS1-v1_5 and the hash of
/// `algorithm` (`RS256` = SHA-256, ...), returning the raw signature bytes. `TokenProvider`
/// calls it for keys made with `Key.fromExternal`.
#[uniffi::export(callback_interface)]
pub trait ExternalSigner: Send + Sync {
    /// Signs the bytes as-is. Throw `MaskinportenException` (or anything) to abort.
    fn sign(&self, signing_input: Vec<u8>, algorithm: String) -> Result<Vec<u8>>;
}

/// A grant waiting for its signature (see `Client.prepareGrant`), for hosts whose signer is
/// asynchronous. `signingInput()` is not secret. Single use: a second `finish` is an error.
#[derive(Debug, uniffi::Object)]
pub struct PreparedGrant {
    grant: Mutex<Option<maskinporten::PreparedGrant>>,
    signing_input: Vec<u8>,
    algorithm: Algorithm,
}

impl PreparedGrant {
    pub(crate) fn new(grant: maskinporten::PreparedGrant) -> PreparedGrant {
        PreparedGrant {
            signing_input: grant.signing_input().as_bytes().to_vec(),
            algorithm: grant.algorithm(),
            grant: Mutex::new(Some(grant)),
        }
    }
}

#[uniffi::export]
impl PreparedGrant {
    /// The exact bytes to sign (ASCII `base64url(header).base64url(claims)`).
    pub fn signing_input(&self) -> Vec<u8> {
        self.signing_input.clone()
    }

    /// The algorithm the header names.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Attaches the signature (checked against the certificate when there is one) and returns
    /// the JWT. Once only: the grant is consumed, a second call is `invalid_argument`.
    pub fn finish(&self, signature: Vec<u8>) -> Result<String> {
        let grant = self.grant.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        match grant {
            Some(grant) => Ok(grant.finish(&signature)?),
            None => Err(misuse("grant", "this grant was already finished: prepare a new one (grants are single use)")),
        }
    }
}

pub(crate) fn sign_with(prepared: maskinporten::PreparedGrant, signer: &dyn ExternalSigner) -> Result<String> {
    let input = prepared.signing_input().as_bytes().to_vec();
    let signature = signer.sign(input, prepared.algorithm().as_str().to_string())?;
    Ok(prepared.finish(&signature)?)
}
