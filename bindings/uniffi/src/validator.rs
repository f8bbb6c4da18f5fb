//! The core's validation flow for API providers: the validator behind a read-write lock (a
//! validation only reads; a JWKS answer writes), executed by Kotlin's and Swift's
//! `TokenValidator`. When to fetch the JWKS, who fetches, what an outage means and how a
//! refusal is answered are the core's decisions.

use crate::claims::{Rejection, Requirements, ValidatedToken};
use crate::environment::Environment;
use crate::error::{MaskinportenError, Result};
use crate::flow::{lock, FlowEvent};
use crate::request::HttpRequest;
use maskinporten::{Error, ErrorKind, HttpResponse, TransportFailure, ValidatorOptions};
use std::fmt;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};

/// Validates access tokens of one issuer against its JWKS, fetched when the core says so (first
/// use, older than its maximum age, an unknown `kid` at most once per minimum refetch interval).
/// Thread-safe. Bind it to an API's requirements once with `bind`; validate through the returned `Guard`.
#[derive(uniffi::Object)]
pub struct Validator(RwLock<maskinporten::Validator>);

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        read(&self.0).fmt(f)
    }
}

/// A validator bound to one set of requirements (what one API or route accepts), made once by
/// `Validator.bind`, so that validating is one call into the library: the call order is
/// 1. `begin(token, header, nowMs)`: `Valid`/`Refused` end it;
/// 2. `FetchJwks` -> GET the request, abort at `timeoutAtMs`, report `handleJwksResponse` or
///    `handleJwksFailure`, then `poll(call, nowMs)`; `Wait` -> wait until the validator's
///    generation differs from the step's (or `untilMs`), then `poll`;
/// 3. an abandoned validation goes to `cancel`.
#[derive(uniffi::Object)]
pub struct Guard {
    validator: Arc<Validator>,
    requirements: maskinporten::Requirements,
    id: u64,
}

/// Guards by number, for [`guard_begin`]: a method call on an object costs uniffi one more call
/// into the library first (it clones the object's handle; on the JVM each call costs
/// microseconds), so the hot call names its guard by this number instead. Slots of dropped
/// guards are reused; the list is as long as the most guards alive at once.
static GUARDS: RwLock<Vec<Weak<Guard>>> = RwLock::new(Vec::new());

fn register(make: impl FnOnce(u64) -> Guard) -> Arc<Guard> {
    let mut guards = GUARDS.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    let slot = guards.iter().position(|guard| guard.strong_count() == 0).unwrap_or(guards.len());
    let guard = Arc::new(make(slot as u64));
    if slot == guards.len() {
        guards.push(Arc::downgrade(&guard));
    } else {
        guards[slot] = Arc::downgrade(&guard);
    }
    guard
}

/// [`Guard::begin`] for the guard numbered `guard` ([`Guard::id`]): one call into the library
/// for the whole validation when the keys are held. A number of no live guard is refused
/// (`invalid_argument`, 500).
#[uniffi::export]
pub fn guard_begin(guard: u64, token: &[u8], header: bool, now_ms: i64) -> ValidationStep {
    let found = usize::try_from(guard).ok().and_then(|slot| {
        let guards = GUARDS.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        guards.get(slot).and_then(Weak::upgrade)
    });
    match found {
        Some(found) => found.begin(token, header, now_ms),
        None => {
            let error = Error::InvalidArgument {
                kind: ErrorKind::InvalidArgument,
                field: "guard",
                message: format!("no guard numbered {guard} is alive: bind the requirements again"),
            };
            let requirements = maskinporten::Requirements::any_scope_unchecked();
            let rejection = maskinporten::Rejection::for_error(&error, &requirements).into();
            ValidationStep::Refused { error: error.into(), rejection }
        }
    }
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard").field("requirements", &self.requirements).finish_non_exhaustive()
    }
}

/// One validation that needs a JWKS fetch (its own or another's) before it can end.
#[derive(uniffi::Object)]
pub struct ValidationCall {
    call: Mutex<Option<maskinporten::ValidationCall>>,
    token: String,
}

impl fmt::Debug for ValidationCall {
    // Holds the bearer token: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidationCall").field("token", &format_args!("<redacted>")).finish_non_exhaustive()
    }
}

/// What the host does next for one validation.
// A valid token is the common outcome: boxing it would cost an allocation per validation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, uniffi::Enum)]
pub enum ValidationStep {
    /// Done: the token passed every check.
    Valid { token: ValidatedToken },
    /// Done: refused (or the issuer's keys cannot be had); answer the request with `rejection`.
    Refused { error: MaskinportenError, rejection: Rejection },
    /// GET `request` (the JWKS), abort at `timeout_at_ms`, report, poll.
    FetchJwks { call: Arc<ValidationCall>, request: Arc<HttpRequest>, timeout_at_ms: i64 },
    /// Another request is fetching the keys: wait until the generation differs from
    /// `generation` (or `until_ms`), poll.
    Wait { call: Arc<ValidationCall>, until_ms: i64, generation: u64 },
}

fn read(v: &RwLock<maskinporten::Validator>) -> RwLockReadGuard<'_, maskinporten::Validator> {
    v.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write(v: &RwLock<maskinporten::Validator>) -> RwLockWriteGuard<'_, maskinporten::Validator> {
    v.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[uniffi::export]
impl Validator {
    /// A validator for `environment`'s issuer; `options` left null keep the core's defaults
    /// (RS256/384/512, 10 s leeway, JWKS refetched after 24 h, at most one unknown-`kid`
    /// refetch per 60 s, 10 s per JWKS fetch). Events are kept for `pollEvents`.
    #[uniffi::constructor]
    pub fn new(environment: Arc<Environment>, options: ValidatorOptions) -> Result<Arc<Validator>> {
        let validator = maskinporten::Validator::new(environment.0.clone()).with_options(&options)?.with_events(true);
        Ok(Arc::new(Validator(RwLock::new(validator))))
    }

    /// This validator bound to `requirements` (converted once).
    pub fn bind(self: Arc<Self>, requirements: Requirements) -> Arc<Guard> {
        register(|id| Guard { requirements: (&requirements).into(), validator: self, id })
    }

    /// Changes whenever a JWKS fetch ends.
    pub fn generation(&self) -> u64 {
        read(&self.0).generation()
    }

    /// Whether a JWKS has been loaded.
    pub fn has_jwks(&self) -> bool {
        read(&self.0).has_jwks()
    }

    /// Every queued event (`jwks_refreshed`, `jwks_failed`), oldest first.
    pub fn poll_events(&self) -> Vec<FlowEvent> {
        let mut validator = write(&self.0);
        std::iter::from_fn(|| validator.poll_event()).map(FlowEvent::from).collect()
    }
}

#[uniffi::export]
impl Guard {
    /// This guard's number, for [`guard_begin`] (valid while the guard is alive).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Starts validating `token` at `now_ms` (Unix ms), as far as the keys held allow. With
    /// `header` true, `token` is the `Authorization` header value (empty when there is none),
    /// read by the core's `bearerToken` rules; otherwise a token, with or without `Bearer `.
    /// Borrowed bytes (UTF-8): no copy into the library.
    pub fn begin(&self, token: &[u8], header: bool, now_ms: i64) -> ValidationStep {
        let token = match std::str::from_utf8(token) {
            Ok(text) if header => maskinporten::bearer_token(Some(text)),
            Ok(text) => Ok(text),
            Err(_) if header => Err(Error::InvalidToken {
                kind: ErrorKind::InvalidAuthorizationHeader,
                message: "malformed Authorization header: it is not UTF-8".into(),
            }),
            Err(_) => {
                Err(Error::InvalidToken { kind: ErrorKind::TokenMalformed, message: "the token is not UTF-8".into() })
            }
        };
        let validator = read(&self.validator.0);
        let token = match token {
            Ok(token) => token,
            Err(error) => return self.refused(&validator, error, now_ms),
        };
        let mut call = validator.validation(now_ms);
        let step = validator.poll_validation(&mut call, token, &self.requirements, now_ms);
        self.step(&validator, step, now_ms, || {
            Arc::new(ValidationCall { call: Mutex::new(Some(call)), token: token.into() })
        })
    }

    /// The next step of a validation that fetched or waited.
    pub fn poll(&self, call: Arc<ValidationCall>, now_ms: i64) -> ValidationStep {
        let validator = read(&self.validator.0);
        let step = {
            let mut slot = lock(&call.call);
            let Some(inner) = slot.as_mut() else {
                let error = Error::InvalidArgument {
                    kind: ErrorKind::InvalidArgument,
                    field: "call",
                    message: "this validation has ended: start a new one with begin".into(),
                };
                return self.refused(&validator, error, now_ms);
            };
            validator.poll_validation(inner, &call.token, &self.requirements, now_ms)
        };
        self.step(&validator, step, now_ms, || Arc::clone(&call))
    }

    /// Reports the JWKS endpoint's answer to the call's `FetchJwks`. Returns the generation.
    pub fn handle_jwks_response(
        &self,
        call: Arc<ValidationCall>,
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
        now_ms: i64,
    ) -> u64 {
        let mut validator = write(&self.validator.0);
        if let Some(inner) = lock(&call.call).as_mut() {
            let response = HttpResponse::new(status, &body).with_content_type(content_type.as_deref());
            validator.handle_jwks_response(inner, response, now_ms);
        }
        validator.generation()
    }

    /// Reports that the call's `FetchJwks` got no HTTP answer. Returns the generation.
    pub fn handle_jwks_failure(
        &self,
        call: Arc<ValidationCall>,
        failure: TransportFailure,
        detail: String,
        now_ms: i64,
    ) -> u64 {
        let mut validator = write(&self.validator.0);
        if let Some(inner) = lock(&call.call).as_mut() {
            validator.handle_jwks_failure(inner, failure, &detail, now_ms);
        }
        validator.generation()
    }

    /// Ends a validation that will not be polled again; a JWKS fetch it held is released.
    /// Returns the generation.
    pub fn cancel(&self, call: Arc<ValidationCall>) -> u64 {
        let mut validator = write(&self.validator.0);
        if let Some(inner) = lock(&call.call).take() {
            validator.cancel_validation(inner);
        }
        validator.generation()
    }
}

impl Guard {
    fn step(
        &self,
        validator: &maskinporten::Validator,
        step: maskinporten::ValidationStep,
        now_ms: i64,
        call: impl FnOnce() -> Arc<ValidationCall>,
    ) -> ValidationStep {
        match step {
            maskinporten::ValidationStep::Valid(token) => ValidationStep::Valid { token: token.into() },
            maskinporten::ValidationStep::Fail(error) => self.refused(validator, error, now_ms),
            maskinporten::ValidationStep::FetchJwks { request, timeout_at_ms } => {
                ValidationStep::FetchJwks { call: call(), request: Arc::new(HttpRequest(request)), timeout_at_ms }
            }
            maskinporten::ValidationStep::Wait { until_ms } => {
                ValidationStep::Wait { call: call(), until_ms, generation: validator.generation() }
            }
            // `Verify` exists when another crate of the build turns on the core's
            // `platform-crypto` feature; this validator never asks for it (the core verifies).
            #[allow(unreachable_patterns)]
            _ => {
                let message = "the validation asked for a platform verdict this binding does not give".into();
                self.refused(validator, Error::Unavailable { status: None, message, snippet: String::new() }, now_ms)
            }
        }
    }

    fn refused(&self, validator: &maskinporten::Validator, error: Error, now_ms: i64) -> ValidationStep {
        let rejection = validator.rejection(&error, &self.requirements, now_ms).into();
        ValidationStep::Refused { error: error.into(), rejection }
    }
}
