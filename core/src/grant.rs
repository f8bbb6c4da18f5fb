//! The grant's claims and the two-step (prepare, finish) signing.

use crate::algorithm::Algorithm;
use crate::authorization::AuthorizationDetail;
use crate::crypto;
use crate::error::{Error, ErrorKind, Result};
use crate::key::RsaPublic;
use crate::options::{GrantOptions, Resource};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use std::fmt;

/// The claims, in the order they are written.
#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'a str,
    scope: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a Resource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumer_org: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss_onbehalfof: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    authorization_details: &'a [AuthorizationDetail],
}

/// The base64url claims segment. Options must already be validated.
pub(crate) fn encode_claims(
    issuer: &str,
    client_id: &str,
    options: &GrantOptions,
    now: i64,
    lifetime: i64,
    jti: Option<&str>,
) -> Result<String> {
    let generated;
    let jti = match jti {
        Some(given) => check_jti(given)?,
        None => {
            generated = uuid::Uuid::new_v4().to_string();
            generated.as_str()
        }
    };
    let scope = options.scope_claim();
    let claims = Claims {
        aud: issuer,
        iss: client_id,
        scope: &scope,
        iat: now,
        exp: now + lifetime,
        jti,
        resource: options.resource.as_ref(),
        consumer_org: options.consumer_org.as_deref(),
        iss_onbehalfof: options.iss_onbehalfof.as_deref(),
        pid: options.pid.as_deref(),
        authorization_details: &options.authorization_details,
    };
    let json = serde_json::to_vec(&claims)
        .map_err(|e| Error::invalid(ErrorKind::InvalidAuthorizationDetails, "authorization_details", e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn check_jti(jti: &str) -> Result<&str> {
    if jti.is_empty() || jti.len() > 255 || jti.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(
            ErrorKind::InvalidJti,
            "jti",
            "jti must be 1 to 255 printable characters, unique per grant (leave it out to get a UUID v4)",
        ));
    }
    Ok(jti)
}

/// A grant waiting for its signature: the host signs [`PreparedGrant::signing_input`] with
/// RSASSA-PKCS1-v1_5 and [`PreparedGrant::algorithm`]'s hash, then calls
/// [`PreparedGrant::finish`].
///
/// ```
/// # use maskinporten::{Client, Environment, GrantOptions, Key};
/// # fn main() -> Result<(), maskinporten::Error> {
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/");
/// # let chain = std::fs::read_to_string(format!("{dir}client.chain.pem")).unwrap();
/// // Only the certificate is here; the private key lives in an HSM.
/// let key = Key::from_external(Some(&chain), None)?;
/// let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::test())?;
/// let prepared = client.prepare_grant(&GrantOptions::new(["test:scope.read"]), 1_767_225_600, None)?;
/// # let hsm = Key::from_pem(&std::fs::read_to_string(format!("{dir}client.key.pem")).unwrap(), None)?;
/// // The HSM signs the input with the prepared algorithm (RS256 here):
/// let signature = hsm.sign(prepared.algorithm(), prepared.signing_input().as_bytes())?;
/// let jwt = prepared.finish(&signature)?;
/// let request = client.token_request_for_assertion(&jwt);
/// # assert!(request.body.contains(&jwt));
/// # Ok(()) }
/// ```
///
/// `Debug` shows the algorithm and the signing input's length, not its claims (a `pid` may be
/// among them).
#[derive(Clone)]
pub struct PreparedGrant {
    signing_input: String,
    algorithm: Algorithm,
    public: Option<RsaPublic>,
}

impl fmt::Debug for PreparedGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedGrant")
            .field("signing_input", &crate::redact::Redacted(self.signing_input.len()))
            .field("algorithm", &self.algorithm)
            .field("verifies_signature", &self.public.is_some())
            .finish()
    }
}

impl PreparedGrant {
    pub(crate) fn new(signing_input: String, algorithm: Algorithm, public: Option<RsaPublic>) -> PreparedGrant {
        PreparedGrant { signing_input, algorithm, public }
    }

    /// The exact bytes to sign: `base64url(header) "." base64url(claims)`.
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The algorithm the header names; sign with its hash and PKCS#1 v1.5 padding.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Attaches the signature and returns the compact JWT. When the public key is known (from
    /// the certificate), the signature is verified first, so a wrong key or algorithm fails here
    /// rather than as MP-124 at Maskinporten.
    pub fn finish(self, signature: &[u8]) -> Result<String> {
        let valid = match &self.public {
            Some(public) => {
                crypto::verify(self.algorithm, &public.n, &public.e, self.signing_input.as_bytes(), signature)
            }
            None => !signature.is_empty(),
        };
        if !valid {
            return Err(Error::invalid(
                ErrorKind::InvalidSignature,
                "signature",
                format!(
                    "the signature does not verify with the certificate's public key: sign the signing input as-is with RSASSA-PKCS1-v1_5 and SHA-{} using the certificate's private key",
                    &self.algorithm.as_str()[2..]
                ),
            ));
        }
        Ok(self.into_jwt(signature))
    }

    /// Attaches a signature made with this client's own key by a trusted platform signer (for
    /// example the key imported into WebCrypto), skipping the verification [`finish`] does: it
    /// only checks the length. Use [`finish`] for signatures from an HSM or KMS.
    ///
    /// For binding crates only (feature `platform-crypto`).
    ///
    /// [`finish`]: PreparedGrant::finish
    #[cfg(feature = "platform-crypto")]
    pub fn finish_unverified(self, signature: &[u8]) -> Result<String> {
        let expected = self.public.as_ref().map(|p| p.n.len());
        if signature.is_empty() || expected.is_some_and(|len| len != signature.len()) {
            return Err(Error::invalid(
                ErrorKind::InvalidSignature,
                "signature",
                format!(
                    "the signature is {} bytes; an RSA signature with this key is {} bytes",
                    signature.len(),
                    expected.unwrap_or(0)
                ),
            ));
        }
        Ok(self.into_jwt(signature))
    }

    pub(crate) fn into_jwt(self, signature: &[u8]) -> String {
        let mut jwt = self.signing_input;
        jwt.reserve(1 + signature.len().div_ceil(3) * 4);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut jwt);
        jwt
    }
}
