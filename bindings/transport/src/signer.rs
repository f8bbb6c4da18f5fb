//! Signing grants outside this process (HSM, cloud KMS) when the key has no private half here.

use crate::clock::BoxFuture;
use maskinporten::Algorithm;

/// Signs grants for a client whose key lives elsewhere ([`maskinporten::Key::from_external`]):
/// an HSM, a cloud KMS, a signing service. The provider asks for a signature when the core's
/// flow says [`maskinporten::TokenStep::Sign`]; the core checks it against the certificate
/// before sending, so a wrong key fails here instead of as `MP-124` at Maskinporten.
///
/// ```
/// use maskinporten::Algorithm;
/// use maskinporten_transport::{BoxFuture, Signer};
///
/// struct Kms; // your KMS client
/// impl Signer for Kms {
///     fn sign<'a>(&'a self, signing_input: &'a [u8], algorithm: Algorithm) -> BoxFuture<'a, Result<Vec<u8>, String>> {
///         Box::pin(async move {
///             // call the KMS with `signing_input` and `algorithm` (RS256: RSASSA-PKCS1-v1_5 SHA-256)
///             Err(format!("KMS not reachable for {} ({} bytes)", algorithm.as_str(), signing_input.len()))
///         })
///     }
/// }
/// ```
pub trait Signer: Send + Sync {
    /// The signature of `signing_input` with `algorithm`, or why there is none (a message
    /// without secrets: it becomes the core's `signer_failed` error).
    fn sign<'a>(&'a self, signing_input: &'a [u8], algorithm: Algorithm) -> BoxFuture<'a, Result<Vec<u8>, String>>;
}

/// What the flow is told when it asks for a signature and the provider has no signer.
pub(crate) const NO_SIGNER: &str =
    "this client's key has no private key in this process: give the provider a signer (TokenProvider::with_signer)";
