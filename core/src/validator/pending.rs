//! Validation with a platform verifier (WebCrypto, `node:crypto`), for binding crates only
//! (feature `platform-crypto`): the core prepares, the platform verifies, the core concludes.
//!
//! These steps take the platform's verdict as given. They exist because RSA in WebAssembly is
//! many times slower than the platform's; an application never needs them.

use super::flow::{ValidationCall, ValidationStep};
use super::{signature_invalid, Requirements, ValidatedToken, Validator};
use crate::algorithm::Algorithm;
use crate::error::Result;
use crate::validator::jwks::VerificationKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::fmt;
use std::sync::Arc;

/// A token waiting for its signature check by a platform verifier. `Debug` shows neither the
/// signing input nor the signature: together they are the bearer token.
#[derive(Clone)]
pub struct PendingValidation {
    signing_input: String,
    claims_start: usize,
    signature: Vec<u8>,
    algorithm: Algorithm,
    kid: String,
    key: Arc<VerificationKey>,
}

impl fmt::Debug for PendingValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingValidation")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.kid)
            .field("signing_input", &format_args!("<redacted, {} bytes>", self.signing_input.len()))
            .field("signature", &format_args!("<redacted, {} bytes>", self.signature.len()))
            .finish()
    }
}

impl PendingValidation {
    /// The bytes the signature covers (`header.claims`).
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The signature, decoded.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The algorithm (from the allow-list); verify with RSASSA-PKCS1-v1_5 and its hash.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The `kid` of the issuer key, for caching an imported platform key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The issuer's public key as a JWK (`kty`, `n`, `e`), for `crypto.subtle.importKey("jwk", ...)`.
    pub fn public_jwk(&self) -> String {
        let mut jwk = serde_json::Map::new();
        jwk.insert("kty".into(), "RSA".into());
        jwk.insert("n".into(), URL_SAFE_NO_PAD.encode(self.key.rsa.n()).into());
        jwk.insert("e".into(), URL_SAFE_NO_PAD.encode(self.key.rsa.e()).into());
        serde_json::Value::Object(jwk).to_string()
    }
}

/// The outcome of a pending token's claim checks, held until the platform's verdict: nothing in
/// it can be read before [`UnverifiedOutcome::conclude`].
#[must_use = "conclude it with the platform's verdict"]
#[derive(Debug)]
pub struct UnverifiedOutcome<T = ValidatedToken> {
    outcome: Result<T>,
}

impl<T> UnverifiedOutcome<T> {
    /// Converts the token (not an error) ahead of the verdict, e.g. into a host-language object.
    pub fn map<U>(self, convert: impl FnOnce(T) -> U) -> UnverifiedOutcome<U> {
        UnverifiedOutcome { outcome: self.outcome.map(convert) }
    }

    /// The answer given the platform verifier's verdict: `signature_invalid` when the signature
    /// failed (whatever the claims said), else the claims' outcome.
    pub fn conclude(self, platform_verified: bool) -> Result<T> {
        if !platform_verified {
            return Err(signature_invalid());
        }
        self.outcome
    }
}

impl Validator {
    /// Makes the validation flow hand signatures to the platform ([`ValidationStep::Verify`]).
    pub fn with_platform_verifier(mut self, on: bool) -> Validator {
        self.platform_verifier = on;
        self
    }

    /// Every check before the signature: parses the token, checks `alg` and finds the key by `kid`
    /// (`now` in Unix seconds).
    pub fn prepare_validation(&self, token: &str, now: i64) -> Result<PendingValidation> {
        crate::time::check_now(now)?;
        let parsed = self.parse(token, now)?;
        Ok(PendingValidation {
            signing_input: parsed.signing_input.to_string(),
            claims_start: parsed.claims_start,
            signature: parsed.signature,
            algorithm: parsed.algorithm,
            kid: parsed.kid,
            key: parsed.key,
        })
    }

    /// The claims checks with the platform's verdict (`now` in Unix seconds).
    pub fn finish_validation(
        &self,
        pending: PendingValidation,
        platform_verified: bool,
        now: i64,
        requirements: &Requirements,
    ) -> Result<ValidatedToken> {
        self.check_claims_unverified(&pending, now, requirements).conclude(platform_verified)
    }

    /// The claim checks of a pending token, run while the platform verifies (asynchronously in
    /// WebCrypto); the outcome is held until [`UnverifiedOutcome::conclude`].
    pub fn check_claims_unverified(
        &self,
        pending: &PendingValidation,
        now: i64,
        requirements: &Requirements,
    ) -> UnverifiedOutcome {
        let outcome = requirements
            .check()
            .and_then(|()| self.claims_of(&pending.signing_input, pending.claims_start, now, requirements));
        UnverifiedOutcome { outcome }
    }

    /// Ends the validation flow's [`ValidationStep::Verify`] with the platform's verdict.
    pub fn conclude_validation(
        &self,
        call: &mut ValidationCall,
        pending: PendingValidation,
        platform_verified: bool,
        requirements: &Requirements,
        now_ms: i64,
    ) -> ValidationStep {
        let outcome = self.finish_validation(pending, platform_verified, now_ms.div_euclid(1000), requirements);
        call.finish_with(outcome)
    }
}
