//! Validating Maskinporten access tokens, for API providers (sans-IO).
//!
//! Call order:
//! 1. `validator.jwks_request(now)`: when it returns a request (first use, JWKS older than the
//!    maximum age, or an unknown `kid` was seen and the rate limit allows), send it and hand the
//!    body to `validator.update_jwks(body, now)`.
//! 2. `validator.validate(token, now, &requirements)`: a [`ValidatedToken`] or an
//!    [`Error::InvalidToken`] naming the failed check. On `unknown_kid`, go back to step 1 once.
//!
//! With a platform verifier (WebCrypto), step 2 comes in parts: `prepare_validation` (every check
//! before the signature), the platform's RSASSA-PKCS1-v1_5 verification, then
//! `finish_validation` with its verdict. An asynchronous verifier can overlap the claim checks:
//! start it, call `check_claims_unverified`, and `conclude` that outcome with the verdict.

mod b64;
mod checks;
mod claims;
mod debug;
mod jwks;
mod raw;

pub use claims::{Authorization, Organisation, ValidatedToken};

use crate::algorithm::Algorithm;
use crate::crypto;
use crate::environment::Environment;
use crate::error::{Error, ErrorKind, Result};
use crate::request::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwks::VerificationKey;
use raw::{RawClaims, RawHeader};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Longest token accepted (bytes); longer input is refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
const NEVER: i64 = i64::MIN;

/// A token waiting for its signature check by a platform verifier; see
/// [`Validator::prepare_validation`]. `Debug` shows neither the signing input nor the signature:
/// together they are the whole bearer token.
#[derive(Clone)]
pub struct PendingValidation {
    signing_input: String,
    claims_start: usize,
    signature: Vec<u8>,
    algorithm: Algorithm,
    kid: String,
    key: Arc<VerificationKey>,
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
        jwk.insert("n".into(), URL_SAFE_NO_PAD.encode(&self.key.n).into());
        jwk.insert("e".into(), URL_SAFE_NO_PAD.encode(&self.key.e).into());
        serde_json::Value::Object(jwk).to_string()
    }
}

fn verdict(signature_valid: bool) -> Result<()> {
    if signature_valid {
        Ok(())
    } else {
        Err(Error::token(ErrorKind::SignatureInvalid, "the signature does not verify with the issuer's key"))
    }
}

/// The outcome of a pending token's claim checks ([`Validator::check_claims_unverified`]), held
/// until the signature verdict: nothing in it can be read before [`UnverifiedOutcome::conclude`].
/// A host may [`map`](UnverifiedOutcome::map) the token into its own form meanwhile.
#[must_use = "conclude it with the signature verdict"]
#[derive(Debug)]
pub struct UnverifiedOutcome<T = ValidatedToken> {
    outcome: Result<T>,
}

impl<T> UnverifiedOutcome<T> {
    /// Converts the token (not an error) ahead of the verdict, e.g. into a host-language object.
    pub fn map<U>(self, convert: impl FnOnce(T) -> U) -> UnverifiedOutcome<U> {
        UnverifiedOutcome { outcome: self.outcome.map(convert) }
    }

    /// The validation's answer given the platform verifier's verdict: `signature_invalid` when
    /// the signature failed (whatever the claims said), else the claims' outcome.
    pub fn conclude(self, signature_valid: bool) -> Result<T> {
        verdict(signature_valid)?;
        self.outcome
    }
}

/// How required scopes combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScopeMatch {
    /// At least one of the required scopes (default).
    #[default]
    Any,
    /// Every required scope.
    All,
}

impl std::str::FromStr for ScopeMatch {
    type Err = Error;

    /// Parses `any` or `all`.
    fn from_str(s: &str) -> Result<ScopeMatch> {
        match s {
            "any" => Ok(ScopeMatch::Any),
            "all" => Ok(ScopeMatch::All),
            _ => Err(Error::invalid(
                ErrorKind::InvalidScopeMatch,
                "scope_match",
                format!("{s:?} is not a scope match: use \"any\" (default) or \"all\""),
            )),
        }
    }
}

/// What this API call requires of the token, beyond signature, issuer and time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    /// Required scopes (none: any scope passes).
    pub scopes: Vec<String>,
    /// Whether any or all of `scopes` must be granted.
    pub scope_match: ScopeMatch,
    /// A required `aud` (the API's resource identifier), if the API asks clients for `resource`.
    pub audience: Option<String>,
    /// Require a `pid` (person-bound tokens).
    pub require_pid: bool,
    /// Allowed consumer org numbers (empty: any consumer).
    pub consumer_orgs: Vec<String>,
}

impl Requirements {
    /// Requires at least one of these scopes.
    pub fn any_scope<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Requirements {
        Requirements { scopes: scopes.into_iter().map(Into::into).collect(), ..Requirements::default() }
    }

    /// Requires all of these scopes.
    pub fn all_scopes<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Requirements {
        Requirements { scope_match: ScopeMatch::All, ..Requirements::any_scope(scopes) }
    }

    /// Also requires this `aud`.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Requirements {
        self.audience = Some(audience.into());
        self
    }

    /// Also requires a `pid`.
    pub fn with_pid_required(mut self) -> Requirements {
        self.require_pid = true;
        self
    }

    /// Only these consumer organisations are served.
    pub fn with_consumer_orgs<S: Into<String>>(mut self, orgs: impl IntoIterator<Item = S>) -> Requirements {
        self.consumer_orgs = orgs.into_iter().map(Into::into).collect();
        self
    }
}

/// Validates access tokens of one issuer against its JWKS, which the host fetches when told to.
///
/// `validate` takes `&self` and is safe to call from many threads at once; `update_jwks` takes
/// `&mut self` (hosts keep the validator in a read-write lock).
///
/// ```
/// use maskinporten::{Environment, Requirements, Validator};
/// let mut validator = Validator::new(Environment::test());
/// let request = validator.jwks_request(1_767_225_600).expect("first use fetches the JWKS");
/// assert_eq!(request.url, "https://test.maskinporten.no/jwk");
/// // send it, then: validator.update_jwks(&body, now)?; validator.validate(token, now, &Requirements::any_scope(["x:y"]))?;
/// ```
#[derive(Debug)]
pub struct Validator {
    environment: Environment,
    algorithms: Vec<Algorithm>,
    leeway: i64,
    max_jwks_age: i64,
    min_refetch_interval: i64,
    keys: HashMap<String, Arc<VerificationKey>>,
    fetched_at: i64,
    failed_at: i64,
    unknown_kid_seen_at: AtomicI64,
}

impl Validator {
    /// A validator for `environment`'s issuer. Defaults: RS256/RS384/RS512, 10 s leeway, JWKS
    /// refetched after 24 h, and at most one unknown-`kid` refetch per 60 s.
    pub fn new(environment: Environment) -> Validator {
        Validator {
            environment,
            algorithms: vec![Algorithm::Rs256, Algorithm::Rs384, Algorithm::Rs512],
            leeway: 10,
            max_jwks_age: 86_400,
            min_refetch_interval: 60,
            keys: HashMap::new(),
            fetched_at: NEVER,
            failed_at: NEVER,
            unknown_kid_seen_at: AtomicI64::new(NEVER),
        }
    }

    /// Accepts only these algorithms (a subset of RS256/RS384/RS512).
    pub fn with_algorithms(mut self, algorithms: &[Algorithm]) -> Validator {
        self.algorithms = algorithms.to_vec();
        self
    }

    /// Clock leeway for `exp`, `iat` and `nbf`, in seconds (0 to 300).
    pub fn with_leeway(mut self, seconds: i64) -> Validator {
        self.leeway = seconds.clamp(0, 300);
        self
    }

    /// Refetch the JWKS when it is older than this (seconds; at least 60).
    pub fn with_max_jwks_age(mut self, seconds: i64) -> Validator {
        self.max_jwks_age = seconds.max(60);
        self
    }

    /// At most one refetch for an unknown `kid` per this many seconds, so a flood of tokens with
    /// made-up `kid`s cannot make the host hammer the issuer.
    pub fn with_min_refetch_interval(mut self, seconds: i64) -> Validator {
        self.min_refetch_interval = seconds.max(1);
        self
    }

    /// The environment whose tokens this validator accepts.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// The JWKS request to send now, or `None` when no fetch is due. After a failed fetch
    /// ([`Validator::jwks_fetch_failed`]) the next one waits the minimum refetch interval, so an
    /// issuer that is down is not hammered.
    pub fn jwks_request(&self, now: i64) -> Option<HttpRequest> {
        if self.failed_at != NEVER && now.saturating_sub(self.failed_at) < self.min_refetch_interval {
            return None;
        }
        let never_fetched = self.fetched_at == NEVER;
        let stale = !never_fetched && now.saturating_sub(self.fetched_at) >= self.max_jwks_age;
        let unknown = self.unknown_kid_seen_at.load(Ordering::Relaxed);
        let rotated = unknown != NEVER
            && unknown >= self.fetched_at
            && now.saturating_sub(self.fetched_at) >= self.min_refetch_interval;
        (never_fetched || stale || rotated).then(|| HttpRequest::get(self.environment.jwks_uri().to_string()))
    }

    /// Takes the fetched JWKS body. On a malformed body the keys held so far stay in use.
    pub fn update_jwks(&mut self, body: &[u8], now: i64) -> Result<()> {
        match jwks::parse(body) {
            Ok(keys) => {
                self.keys = keys;
                self.fetched_at = now;
                self.failed_at = NEVER;
                Ok(())
            }
            Err(error) => {
                self.failed_at = now;
                Err(error)
            }
        }
    }

    /// Takes the JWKS endpoint's whole answer, so hosts need not read the status themselves: a
    /// 200 loads the keys; any other status keeps the keys held, starts the back-off, and is a
    /// retryable [`Error::Unavailable`].
    pub fn update_jwks_response(&mut self, status: u16, body: &[u8], now: i64) -> Result<()> {
        if status == 200 {
            return self.update_jwks(body, now);
        }
        self.failed_at = now;
        Err(Error::Unavailable {
            status: Some(status),
            message: format!("the JWKS at {} could not be fetched", self.environment.jwks_uri()),
            snippet: String::new(),
        })
    }

    /// Tells the validator that fetching the JWKS failed (network error, 5xx): keys held so far
    /// stay in use, and the next fetch waits the minimum refetch interval.
    pub fn jwks_fetch_failed(&mut self, now: i64) {
        self.failed_at = now;
    }

    /// Whether a JWKS has been loaded.
    pub fn has_jwks(&self) -> bool {
        self.fetched_at != NEVER
    }

    /// Validates `token` at `now` against the requirements of this call.
    pub fn validate(&self, token: &str, now: i64, requirements: &Requirements) -> Result<ValidatedToken> {
        let pending = self.prepare_validation(token, now)?;
        let valid = crypto::verify(
            pending.algorithm,
            &pending.key.n,
            &pending.key.e,
            pending.signing_input.as_bytes(),
            &pending.signature,
        );
        self.finish_validation(pending, valid, now, requirements)
    }

    /// First half of validation with a platform verifier (WebCrypto, which is several times
    /// faster than RSA in WebAssembly): parses the token, checks `alg` against the allow-list
    /// and finds the key by `kid`. Verify [`PendingValidation::signature`] over
    /// [`PendingValidation::signing_input`] with [`PendingValidation::public_jwk`] and
    /// RSASSA-PKCS1-v1_5, then call [`Validator::finish_validation`] with the outcome.
    pub fn prepare_validation(&self, token: &str, now: i64) -> Result<PendingValidation> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::token(ErrorKind::TokenTooLarge, format!("the token is over {MAX_TOKEN_BYTES} bytes")));
        }
        let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
        let mut parts = token.split('.');
        let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::token(
                ErrorKind::TokenMalformed,
                "the token is not a compact JWS (three base64url parts)",
            ));
        };
        let header_json = b64::decode(header_b64)
            .ok_or_else(|| Error::token(ErrorKind::TokenMalformed, "the header is not base64url"))?;
        let header: RawHeader = serde_json::from_slice(&header_json)
            .map_err(|_| Error::token(ErrorKind::TokenMalformed, "the header is not a JSON object"))?;
        let algorithm = self.algorithm(header.alg.as_str().unwrap_or(""))?;
        let key = self.key(header.kid.as_str(), now)?;
        if key.alg.is_some_and(|pinned| pinned != algorithm) {
            return Err(Error::token(
                ErrorKind::AlgorithmNotAllowed,
                "the token's alg differs from the alg its key is published for",
            ));
        }
        let signature = b64::decode(signature_b64)
            .ok_or_else(|| Error::token(ErrorKind::TokenMalformed, "the signature part is not base64url"))?;
        Ok(PendingValidation {
            signing_input: token[..header_b64.len() + 1 + claims_b64.len()].to_string(),
            claims_start: header_b64.len() + 1,
            signature,
            algorithm,
            kid: header.kid.as_str().unwrap_or_default().to_string(),
            key: Arc::clone(key),
        })
    }

    /// Second half of validation: `signature_valid` is the platform verifier's answer for the
    /// pending token; then the claims are checked against `requirements`.
    pub fn finish_validation(
        &self,
        pending: PendingValidation,
        signature_valid: bool,
        now: i64,
        requirements: &Requirements,
    ) -> Result<ValidatedToken> {
        verdict(signature_valid)?;
        self.claims_of(&pending, now, requirements)
    }

    /// The claim checks of a pending token, run while the platform verifier works (it is
    /// asynchronous in WebCrypto), so they cost no time on the way to the answer. The outcome is
    /// held until [`UnverifiedOutcome::conclude`] gets the verifier's verdict, and then is what
    /// [`Validator::finish_validation`] would have answered: `signature_invalid` whatever the
    /// claims say when the signature fails, else the claims' outcome.
    pub fn check_claims_unverified(
        &self,
        pending: &PendingValidation,
        now: i64,
        requirements: &Requirements,
    ) -> UnverifiedOutcome {
        UnverifiedOutcome { outcome: self.claims_of(pending, now, requirements) }
    }

    fn claims_of(&self, pending: &PendingValidation, now: i64, requirements: &Requirements) -> Result<ValidatedToken> {
        let bytes = b64::decode(&pending.signing_input[pending.claims_start..])
            .ok_or_else(|| Error::token(ErrorKind::TokenMalformed, "the claims are not base64url"))?;
        let mut token = {
            let claims: RawClaims = serde_json::from_slice(&bytes)
                .map_err(|_| Error::token(ErrorKind::TokenMalformed, "the claims are not a JSON object"))?;
            self.check_claims(&claims, now, requirements)?
        };
        // The claims' JSON text as signed, kept as is: re-serializing costs time on the hottest path.
        token.claims_json = String::from_utf8(bytes)
            .map_err(|_| Error::token(ErrorKind::TokenMalformed, "the claims are not UTF-8"))?;
        Ok(token)
    }

    fn algorithm(&self, name: &str) -> Result<Algorithm> {
        match name.parse::<Algorithm>() {
            Ok(alg) if name.starts_with("RS") && self.algorithms.contains(&alg) => Ok(alg),
            _ => Err(Error::token(
                ErrorKind::AlgorithmNotAllowed,
                format!("alg {name:?} is not allowed (allowed: {})", self.allowed_names()),
            )),
        }
    }

    fn allowed_names(&self) -> String {
        self.algorithms.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
    }

    fn key(&self, kid: Option<&str>, now: i64) -> Result<&Arc<VerificationKey>> {
        if self.fetched_at == NEVER {
            return Err(Error::token(
                ErrorKind::JwksMissing,
                "no JWKS loaded yet: send jwks_request() and call update_jwks() first",
            ));
        }
        let kid = kid.ok_or_else(|| Error::token(ErrorKind::UnknownKid, "the token header has no kid"))?;
        self.keys.get(kid).ok_or_else(|| {
            self.unknown_kid_seen_at.store(now, Ordering::Relaxed);
            Error::token(
                ErrorKind::UnknownKid,
                "no key with this kid in the issuer's JWKS: refetch the JWKS when jwks_request() says so, then retry",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWKS: &[u8] = br#"{"keys":[{"kty":"RSA","kid":"k1","use":"sig","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}"#;

    #[test]
    fn jwks_response_status_is_read_by_the_core() {
        let mut validator = Validator::new(Environment::test());
        let err = validator.update_jwks_response(503, b"<html>", 1000).unwrap_err();
        assert_eq!((err.kind().as_str(), err.status(), err.is_retryable()), ("unavailable", Some(503), true));
        assert!(validator.jwks_request(1010).is_none(), "a failed answer starts the back-off");
        validator.update_jwks_response(200, JWKS, 1060).unwrap();
        assert!(validator.has_jwks());
    }

    #[test]
    fn jwks_fetch_schedule() {
        let mut validator = Validator::new(Environment::test()).with_min_refetch_interval(60).with_max_jwks_age(3600);
        assert!(validator.jwks_request(1000).is_some(), "first use");
        validator.jwks_fetch_failed(1000);
        assert!(validator.jwks_request(1030).is_none(), "backs off after a failure");
        assert!(validator.jwks_request(1060).is_some());
        validator.update_jwks(JWKS, 1060).unwrap();
        assert!(validator.jwks_request(1061).is_none(), "fresh");
        let err = validator
            .validate("eyJhbGciOiJSUzI1NiIsImtpZCI6Im5ldyJ9.e30.c2ln", 1070, &Requirements::default())
            .unwrap_err();
        assert_eq!(err.kind(), "unknown_kid");
        assert!(validator.jwks_request(1080).is_none(), "unknown kid waits for the refetch interval");
        assert!(validator.jwks_request(1120).is_some(), "then refetches once");
        validator.update_jwks(JWKS, 1120).unwrap();
        assert!(validator.jwks_request(1130).is_none(), "no flood: the next unknown kid waits again");
        assert!(validator.jwks_request(1120 + 3600).is_some(), "stale after the maximum age");
    }
}
