//! The two-step external signer: the core prepares the signing input, the host's key signs it
//! (Android Keystore, iOS keychain/Secure Enclave, a JCA `PrivateKey` in an HSM), the core
//! checks the signature against the certificate and assembles the JWT.

use crate::error::Result;
use crate::options::Algorithm;

/// Implemented in Kotlin/Swift: sign `signing_input` with RSASSA-PKCS1-v1_5 and the hash of
/// `algorithm` (`RS256` = SHA-256, ...), returning the raw signature bytes.
#[uniffi::export(callback_interface)]
pub trait ExternalSigner: Send + Sync {
    /// Signs the bytes as-is. Throw `MaskinportenException` (or anything) to abort.
    fn sign(&self, signing_input: Vec<u8>, algorithm: String) -> Result<Vec<u8>>;
}

/// A grant waiting for its signature (see `Client.prepareGrant`), for hosts whose signer is
/// asynchronous. `signingInput()` is not secret but single-use.
#[derive(Debug, uniffi::Object)]
pub struct PreparedGrant(pub(crate) maskinporten::PreparedGrant);

#[uniffi::export]
impl PreparedGrant {
    /// The exact bytes to sign (ASCII `base64url(header).base64url(claims)`).
    pub fn signing_input(&self) -> Vec<u8> {
        self.0.signing_input().as_bytes().to_vec()
    }

    /// The algorithm the header names.
    pub fn algorithm(&self) -> Algorithm {
        self.0.algorithm().into()
    }

    /// Attaches the signature (checked against the certificate when there is one) and returns the JWT.
    pub fn finish(&self, signature: Vec<u8>) -> Result<String> {
        Ok(self.0.clone().finish(&signature)?)
    }
}

pub(crate) fn sign_with(prepared: maskinporten::PreparedGrant, signer: &dyn ExternalSigner) -> Result<String> {
    let input = prepared.signing_input().as_bytes().to_vec();
    let signature = signer.sign(input, prepared.algorithm().as_str().to_string())?;
    Ok(prepared.finish(&signature)?)
}
