//! For API providers: executes the core's validation flow, fetching the issuer's JWKS with
//! reqwest whenever the core says so.

use crate::clock::{duration_until, Clock, SystemClock};
use crate::events::{forward, EventListener};
use crate::transport::{ReqwestTransport, Transport, TransportError};
use maskinporten::{
    Error, FlowEvent, Rejection, Requirements, Result, TransportFailure, ValidatedToken, ValidationCall,
    ValidationStep, Validator,
};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use tokio::sync::Notify;

/// Validates bearer tokens on every API request by executing the core's validation flow: the
/// core decides when the issuer's JWKS is fetched (first use, older than its maximum age, an
/// unknown `kid`, rate-limited), which request fetches while the others wait, and what an
/// unreachable issuer means (`unavailable`, answered 503). This type sends the JWKS request
/// and waits. Shareable across tasks (`Arc<TokenValidator>`).
///
/// ```no_run
/// use maskinporten::{Environment, Requirements, Validator, ValidatorOptions};
/// use maskinporten_transport::TokenValidator;
/// # async fn run(authorization: &str) -> Result<(), maskinporten::Error> {
/// let settings = ValidatorOptions { leeway: Some(5), ..ValidatorOptions::default() };
/// let validator = TokenValidator::new(Validator::new(Environment::prod()).with_options(&settings)?)?;
/// let requirements = Requirements::any_scope(["brreg:reelle/offentlig"]);
/// match validator.validate(authorization, &requirements).await {
///     Ok(token) => println!("request from organisation {}", token.consumer.id),
///     Err(error) => {
///         let answer = validator.rejection(&error, &requirements); // 401/403/503, per RFC 6750
///         println!("answer {} {:?}", answer.status(), answer.www_authenticate());
///     }
/// }
/// # Ok(()) }
/// ```
///
/// Executor notes: the core's [`Validator`] sits in a `std::sync::RwLock` (validations poll under
/// the read lock, in parallel; only JWKS answers take the write lock), never held across an
/// `.await`. A validation that is told to wait sleeps on a `tokio::sync::Notify`, woken when the
/// validator's generation changes. A dropped `validate()` future that held the JWKS fetch hands
/// it back ([`Validator::cancel_validation`]).
pub struct TokenValidator {
    validator: RwLock<Validator>,
    notify: Notify,
    transport: Arc<dyn Transport>,
    clock: Arc<dyn Clock>,
    listener: Option<EventListener>,
}

impl std::fmt::Debug for TokenValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenValidator").field("validator", &*self.read()).finish_non_exhaustive()
    }
}

impl TokenValidator {
    /// Executes `validator` (configured with its environment and [`maskinporten::ValidatorOptions`])
    /// with [`ReqwestTransport`] over [`crate::default_http_client`] and the system clock.
    pub fn new(validator: Validator) -> Result<TokenValidator> {
        Ok(TokenValidator {
            validator: RwLock::new(validator.with_events(true)),
            notify: Notify::new(),
            transport: Arc::new(ReqwestTransport::with_default_client()?),
            clock: Arc::new(SystemClock),
            listener: None,
        })
    }

    /// Fetches the JWKS with your reqwest client.
    pub fn with_http_client(self, http: reqwest::Client) -> TokenValidator {
        self.with_transport(ReqwestTransport::new(http))
    }

    /// Fetches the JWKS with another [`Transport`] (a test double, another HTTP stack).
    pub fn with_transport(mut self, transport: impl Transport + 'static) -> TokenValidator {
        self.transport = Arc::new(transport);
        self
    }

    /// Runs on another [`Clock`] (tests).
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> TokenValidator {
        self.clock = Arc::new(clock);
        self
    }

    /// Also hands every event (JWKS refreshed or failed) to `listener`; events always go to
    /// `tracing` (target `maskinporten`).
    pub fn with_event_listener(mut self, listener: impl Fn(&FlowEvent) + Send + Sync + 'static) -> TokenValidator {
        self.listener = Some(Arc::new(listener));
        self
    }

    /// Validates `authorization_or_token` (the token, or the whole `Authorization` value: the
    /// core strips a `Bearer` scheme in any case) against `requirements` now, fetching the
    /// JWKS when the core asks. A refusal is answered with [`TokenValidator::rejection`].
    pub async fn validate(&self, authorization_or_token: &str, requirements: &Requirements) -> Result<ValidatedToken> {
        let call = self.read().validation(self.clock.now_ms());
        let mut guard = ValidationGuard { owner: self, call: None, fetching: false };
        let call = guard.call.insert(call);
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now_ms = self.clock.now_ms();
            // The read guard ends with this statement: it is never held across an await.
            let step = self.read().poll_validation(call, authorization_or_token, requirements, now_ms);
            match step {
                ValidationStep::Valid(token) => return Ok(token),
                ValidationStep::Fail(error) => return Err(error),
                ValidationStep::FetchJwks { request, timeout_at_ms } => {
                    guard.fetching = true;
                    let limit = duration_until(timeout_at_ms, self.clock.now_ms());
                    let answer = match tokio::time::timeout(limit, self.transport.send(&request)).await {
                        Ok(answer) => answer,
                        Err(_) => Err(TransportError::new(
                            TransportFailure::Timeout,
                            format!("no answer within {} ms", limit.as_millis()),
                        )),
                    };
                    let now_ms = self.clock.now_ms();
                    self.with_validator(|validator| match &answer {
                        Ok(response) => validator.handle_jwks_response(call, response.as_http(), now_ms),
                        Err(error) => validator.handle_jwks_failure(call, error.failure, &error.detail, now_ms),
                    });
                    guard.fetching = false;
                }
                ValidationStep::Wait { until_ms } => {
                    let _ = tokio::time::timeout(duration_until(until_ms, self.clock.now_ms()), notified).await;
                }
                // `Verify` exists when some crate in the build turns on the core's
                // `platform-crypto`, and is only produced by a validator made
                // `with_platform_verifier(true)`, which this executor does not support.
                #[allow(unreachable_patterns)]
                _ => {
                    return Err(Error::InvalidArgument {
                        kind: maskinporten::ErrorKind::InvalidArgument,
                        field: "validator",
                        message: "this validator leaves signatures to a platform verifier; TokenValidator verifies \
                                  with the core: build the Validator without with_platform_verifier"
                            .into(),
                    })
                }
            }
        }
    }

    /// The HTTP answer to a refused request (status, `WWW-Authenticate`, JSON body,
    /// `Retry-After` for an issuer outage), decided by the core per RFC 6750.
    pub fn rejection(&self, error: &Error, requirements: &Requirements) -> Rejection {
        self.read().rejection(error, requirements, self.clock.now_ms())
    }

    /// Runs `f` under the write lock; then wakes the waiters if the generation changed and
    /// forwards the events.
    fn with_validator<T>(&self, f: impl FnOnce(&mut Validator) -> T) -> T {
        let (out, changed, events) = {
            let mut validator = self.write();
            let before = validator.generation();
            let out = f(&mut validator);
            let events: Vec<FlowEvent> = std::iter::from_fn(|| validator.poll_event()).collect();
            (out, validator.generation() != before, events)
        };
        if changed {
            self.notify.notify_waiters();
        }
        forward(events, self.listener.as_ref());
        out
    }

    // The core's validator does not panic; a poisoned lock holds no half-made change: keep it.
    fn read(&self) -> RwLockReadGuard<'_, Validator> {
        self.validator.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Validator> {
        self.validator.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Hands the JWKS fetch back when a `validate()` future holding it is dropped.
struct ValidationGuard<'a> {
    owner: &'a TokenValidator,
    call: Option<ValidationCall>,
    fetching: bool,
}

impl Drop for ValidationGuard<'_> {
    fn drop(&mut self) {
        if !self.fetching {
            return;
        }
        if let Some(call) = self.call.take() {
            self.owner.with_validator(|validator| validator.cancel_validation(call));
        }
    }
}
