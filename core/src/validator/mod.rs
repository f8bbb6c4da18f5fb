//! Validating Maskinporten access tokens, for API providers (sans-IO).
//!
//! [`Validator`] holds the issuer's keys and decides when to fetch them; the validation flow
//! ([`Validator::poll_validation`]) drives one request's validation, JWKS fetches included;
//! [`bearer_token`] reads the `Authorization` header and [`Rejection`] answers a refused
//! request (RFC 6750). See [`Validator`] for the call order.

mod b64;
mod bearer;
mod checks;
mod claims;
mod debug;
mod flow;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzz;
mod jwks;
mod options;
#[cfg(feature = "platform-crypto")]
mod pending;
mod raw;
mod rejection;
mod requirements;

pub use bearer::bearer_token;
pub use claims::{Authorization, Organisation, ValidatedToken, ISO6523_AUTHORITY};
pub use flow::{ValidationCall, ValidationStep};
pub use options::ValidatorOptions;
#[cfg(feature = "platform-crypto")]
pub use pending::{PendingValidation, UnverifiedOutcome};
pub use rejection::Rejection;
pub use requirements::{ConsentRequirement, Requirements, ScopeMatch, SystemUserRequirement};

use crate::algorithm::Algorithm;
use crate::environment::Environment;
use crate::error::{Error, ErrorKind, Result};
use crate::flow::FlowEvent;
use jwks::VerificationKey;
use raw::{RawClaims, RawHeader};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Longest token accepted (bytes); longer input is refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
const NEVER: i64 = i64::MIN;
/// Events kept when the host does not drain them.
const MAX_QUEUED_EVENTS: usize = 256;

/// Validates access tokens of one issuer against its JWKS, fetched when the validator says so.
///
/// # Call order (the validation flow)
/// 1. `let mut call = validator.validation(now_ms)` for each request to validate.
/// 2. Loop on [`Validator::poll_validation`]`(&mut call, token, &requirements, now_ms)` (`now_ms`
///    in Unix **milliseconds**; `token` may be the whole `Authorization` value, see
///    [`bearer_token`] for reading it):
///    - [`ValidationStep::Valid`] / [`ValidationStep::Fail`]: done; answer a failure with
///      [`Validator::rejection`].
///    - [`ValidationStep::FetchJwks`]: send the request, report the answer with
///      [`Validator::handle_jwks_response`] (or [`Validator::handle_jwks_failure`]), poll again.
///    - [`ValidationStep::Wait`]: another request is fetching the keys: wait until
///      [`Validator::generation`] changes or `until_ms`, poll again.
/// 3. A validation abandoned midway goes to [`Validator::cancel_validation`].
///
/// # What the validator decides
/// - The JWKS is fetched on first use, when older than its maximum age (24 h), and once for a
///   token whose `kid` is unknown (at most once per minimum refetch interval, 60 s, so tokens with
///   made-up `kid`s cannot make the host hammer the issuer); then `unknown_kid`.
/// - One request fetches at a time; the others validate with the keys held, or wait when none
///   are held yet.
/// - An issuer that cannot be reached while no keys are held is the retryable `unavailable`
///   (answer 503); held keys stay in use through an outage, and a failed fetch is not retried
///   before the minimum refetch interval.
///
/// Polling takes `&self` and is safe from many threads (hosts keep the validator in a read-write
/// lock); reporting an answer takes `&mut self`.
///
/// ```
/// use maskinporten::{Environment, Requirements, ValidationStep, Validator};
/// let validator = Validator::new(Environment::test());
/// let requirements = Requirements::any_scope(["test:scope.read"]);
/// let now_ms = 1_767_225_600_000;
/// let mut call = validator.validation(now_ms);
/// match validator.poll_validation(&mut call, "eyJ...", &requirements, now_ms) {
///     ValidationStep::FetchJwks { request, .. } => assert_eq!(request.url, "https://test.maskinporten.no/jwk"),
///     other => unreachable!("first use fetches the JWKS: {other:?}"),
/// }
/// ```
pub struct Validator {
    environment: Environment,
    algorithms: Vec<Algorithm>,
    leeway: i64,
    max_jwks_age_ms: i64,
    min_refetch_interval_ms: i64,
    jwks_timeout_ms: i64,
    keys: HashMap<String, Arc<VerificationKey>>,
    fetched_at_ms: i64,
    failed_at_ms: i64,
    unknown_kid_seen_at_ms: AtomicI64,
    fetch_lease_until_ms: AtomicI64,
    generation: u64,
    events: Option<VecDeque<FlowEvent>>,
    #[cfg(feature = "platform-crypto")]
    platform_verifier: bool,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("issuer", &self.environment.issuer())
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field("keys", &self.keys.len())
            .field("fetched_at_ms", &self.fetched_at_ms)
            .finish_non_exhaustive()
    }
}

impl Validator {
    /// A validator for `environment`'s issuer. Defaults: RS256/RS384/RS512, 10 s leeway, JWKS
    /// refetched after 24 h, at most one unknown-`kid` refetch per 60 s, 10 s per JWKS fetch.
    pub fn new(environment: Environment) -> Validator {
        Validator {
            environment,
            algorithms: vec![Algorithm::Rs256, Algorithm::Rs384, Algorithm::Rs512],
            leeway: 10,
            max_jwks_age_ms: 86_400_000,
            min_refetch_interval_ms: 60_000,
            jwks_timeout_ms: 10_000,
            keys: HashMap::new(),
            fetched_at_ms: NEVER,
            failed_at_ms: NEVER,
            unknown_kid_seen_at_ms: AtomicI64::new(NEVER),
            fetch_lease_until_ms: AtomicI64::new(0),
            generation: 0,
            events: None,
            #[cfg(feature = "platform-crypto")]
            platform_verifier: false,
        }
    }

    /// Accepts only these algorithms (a non-empty subset of RS256/RS384/RS512).
    pub fn with_algorithms(mut self, algorithms: &[Algorithm]) -> Result<Validator> {
        if algorithms.is_empty() {
            return Err(Error::invalid(
                ErrorKind::InvalidAlgorithm,
                "algorithms",
                "the allow-list is empty: give at least one of RS256, RS384, RS512",
            ));
        }
        self.algorithms = algorithms.to_vec();
        Ok(self)
    }

    /// Clock leeway for `exp`, `iat` and `nbf`, in seconds (0 to 300).
    pub fn with_leeway(mut self, seconds: i64) -> Result<Validator> {
        self.leeway = check_range("leeway", seconds, 0, 300, "seconds")?;
        Ok(self)
    }

    /// Refetch the JWKS when it is older than this, in seconds (60 to 7 days).
    pub fn with_max_jwks_age(mut self, seconds: i64) -> Result<Validator> {
        self.max_jwks_age_ms = check_range("max_jwks_age", seconds, 60, 604_800, "seconds")? * 1000;
        Ok(self)
    }

    /// At most one refetch for an unknown `kid` (and one retry after a failed fetch) per this many
    /// seconds (1 to 3600).
    pub fn with_min_refetch_interval(mut self, seconds: i64) -> Result<Validator> {
        self.min_refetch_interval_ms = check_range("min_refetch_interval", seconds, 1, 3600, "seconds")? * 1000;
        Ok(self)
    }

    /// How long one JWKS fetch may take, in milliseconds (1 ms to 5 minutes).
    pub fn with_jwks_timeout_ms(mut self, ms: i64) -> Result<Validator> {
        self.jwks_timeout_ms = check_range("jwks_timeout_ms", ms, 1, 300_000, "milliseconds")?;
        Ok(self)
    }

    /// Keeps events for [`Validator::poll_event`] (off by default).
    pub fn with_events(mut self, on: bool) -> Validator {
        self.events = on.then(VecDeque::new);
        self
    }

    /// The environment whose tokens this validator accepts.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// Whether a JWKS has been loaded.
    pub fn has_jwks(&self) -> bool {
        self.fetched_at_ms != NEVER
    }

    /// A counter that changes whenever a JWKS fetch ends: the moment waiting requests poll again.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The next queued event (only with [`Validator::with_events`]).
    pub fn poll_event(&mut self) -> Option<FlowEvent> {
        self.events.as_mut()?.pop_front()
    }

    /// Loads a JWKS the host obtained itself (a file, a configuration service) at `now` (Unix
    /// seconds). On a malformed body the keys held so far stay in use.
    pub fn update_jwks(&mut self, body: &[u8], now: i64) -> Result<()> {
        crate::time::check_now(now)?;
        self.load_jwks(body, now.saturating_mul(1000), 0).map(|_| ())
    }

    /// Validates `token` at `now` (Unix seconds) with the keys held, without fetching: for hosts
    /// that load the JWKS themselves ([`Validator::update_jwks`]). `token` may carry a `Bearer `
    /// scheme (any case). Hosts that let the validator fetch use the validation flow.
    pub fn validate(&self, token: &str, now: i64, requirements: &Requirements) -> Result<ValidatedToken> {
        crate::time::check_now(now)?;
        requirements.check()?;
        self.validate_with_keys(token, now, requirements)
    }

    /// The answer to a refused request (see [`Rejection`]); an outage's `Retry-After` is the
    /// time until this validator tries the JWKS again.
    pub fn rejection(&self, error: &Error, requirements: &Requirements, now_ms: i64) -> Rejection {
        let next_ms = if self.failed_at_ms == NEVER {
            now_ms.saturating_add(self.min_refetch_interval_ms)
        } else {
            self.failed_at_ms.saturating_add(self.min_refetch_interval_ms)
        };
        let seconds = (next_ms.saturating_sub(now_ms).max(0) + 999) / 1000;
        Rejection::with_retry_after(error, requirements, u32::try_from(seconds).unwrap_or(u32::MAX))
    }

    fn validate_with_keys(&self, token: &str, now: i64, requirements: &Requirements) -> Result<ValidatedToken> {
        let parsed = self.parse(token, now)?;
        let valid = parsed.key.rsa.verify(parsed.algorithm, parsed.signing_input.as_bytes(), &parsed.signature);
        if !valid {
            return Err(signature_invalid());
        }
        self.claims_of(parsed.signing_input, parsed.claims_start, now, requirements)
    }

    /// Parses the token, checks `alg` against the allow-list and finds the key by `kid`.
    fn parse<'t>(&self, token: &'t str, now: i64) -> Result<Parsed<'t>> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::token(ErrorKind::TokenTooLarge, format!("the token is over {MAX_TOKEN_BYTES} bytes")));
        }
        let token = bearer::strip_scheme(token);
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
        let kid = header.kid.as_str();
        let key = self.key(kid, now)?;
        if key.alg.is_some_and(|pinned| pinned != algorithm) {
            return Err(Error::token(
                ErrorKind::AlgorithmNotAllowed,
                "the token's alg differs from the alg its key is published for",
            ));
        }
        let signature = b64::decode(signature_b64)
            .ok_or_else(|| Error::token(ErrorKind::TokenMalformed, "the signature part is not base64url"))?;
        Ok(Parsed {
            signing_input: &token[..header_b64.len() + 1 + claims_b64.len()],
            claims_start: header_b64.len() + 1,
            signature,
            algorithm,
            kid: kid.unwrap_or_default().to_string(),
            key: Arc::clone(key),
        })
    }

    fn claims_of(
        &self,
        signing_input: &str,
        claims_start: usize,
        now: i64,
        requirements: &Requirements,
    ) -> Result<ValidatedToken> {
        let bytes = b64::decode(&signing_input[claims_start..])
            .ok_or_else(|| Error::token(ErrorKind::TokenMalformed, "the claims are not base64url"))?;
        let mut token = {
            let claims: RawClaims = serde_json::from_slice(&bytes)
                .map_err(|_| Error::token(ErrorKind::TokenMalformed, "the claims are not a JSON object"))?;
            self.check_claims(&claims, now, requirements)?
        };
        if !token.consumer.is_norwegian() {
            // A foreign (eSeal) consumer's name fields are read here, off the common path.
            let claims: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).unwrap_or_default();
            if let Some(full) = claims.get("consumer").and_then(Organisation::from_claim) {
                token.consumer = full;
            }
        }
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
        if self.fetched_at_ms == NEVER {
            return Err(Error::token(ErrorKind::JwksMissing, "no JWKS loaded yet"));
        }
        let kid = kid.ok_or_else(|| Error::token(ErrorKind::UnknownKid, "the token header has no kid"))?;
        self.keys.get(kid).ok_or_else(|| {
            self.unknown_kid_seen_at_ms.store(now.saturating_mul(1000), Ordering::Relaxed);
            Error::token(
                ErrorKind::UnknownKid,
                "no key with this kid in the issuer's JWKS (refetched at most once a minute)",
            )
        })
    }

    /// Loads `body` as the JWKS; returns the number of keys. `duration_ms` is for the event.
    fn load_jwks(&mut self, body: &[u8], now_ms: i64, duration_ms: i64) -> Result<usize> {
        self.generation += 1;
        match jwks::parse(body) {
            Ok(keys) => {
                let count = keys.len();
                self.keys = keys;
                self.fetched_at_ms = now_ms;
                self.failed_at_ms = NEVER;
                self.emit(FlowEvent::JwksRefreshed { keys: count, duration_ms });
                Ok(count)
            }
            Err(error) => {
                self.fetch_failed(&error, now_ms);
                Err(error)
            }
        }
    }

    fn fetch_failed(&mut self, error: &Error, now_ms: i64) {
        self.failed_at_ms = now_ms;
        let event = FlowEvent::JwksFailed {
            kind: error.kind(),
            status: error.status(),
            keys_held: self.has_jwks(),
            next_attempt_at_ms: now_ms.saturating_add(self.min_refetch_interval_ms),
        };
        self.emit(event);
    }

    fn emit(&mut self, event: FlowEvent) {
        if let Some(queue) = &mut self.events {
            if queue.len() >= MAX_QUEUED_EVENTS {
                queue.pop_front();
            }
            queue.push_back(event);
        }
    }
}

/// A token split and matched to its key, before the signature check.
struct Parsed<'t> {
    signing_input: &'t str,
    claims_start: usize,
    signature: Vec<u8>,
    algorithm: Algorithm,
    #[cfg_attr(not(feature = "platform-crypto"), allow(dead_code))]
    kid: String,
    key: Arc<VerificationKey>,
}

fn signature_invalid() -> Error {
    Error::token(ErrorKind::SignatureInvalid, "the signature does not verify with the issuer's key")
}

fn check_range(field: &'static str, value: i64, min: i64, max: i64, unit: &str) -> Result<i64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(ErrorKind::InvalidArgument, field, format!("{value} is outside {min}..={max} {unit}")))
    }
}

#[cfg(test)]
mod tests;
