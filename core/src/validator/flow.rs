//! The validation flow: one request's validation, the JWKS fetches it needs included.

use super::{Requirements, ValidatedToken, Validator, NEVER};
use crate::error::{Error, ErrorKind, Result};
use crate::flow::{check_now_ms, HttpResponse, TransportFailure};
use crate::request::HttpRequest;
use std::fmt;
use std::sync::atomic::Ordering;

/// A fetch lease outlives its timeout by this much before another request may take over.
const LEASE_GRACE_MS: i64 = 1_000;

/// What a host does next for one validation ([`Validator::poll_validation`]).
#[derive(Debug)]
#[must_use = "a step says what the host must do next"]
// A valid token is the common outcome: boxing it would cost an allocation per validation.
#[allow(clippy::large_enum_variant)]
pub enum ValidationStep {
    /// Done: the token passed every check.
    Valid(ValidatedToken),
    /// Done: the token is refused, or the issuer's keys cannot be had (`unavailable`). Answer
    /// with [`Validator::rejection`].
    Fail(Error),
    /// Fetch the issuer's JWKS: send `request`, abort at `timeout_at_ms`, then report with
    /// [`Validator::handle_jwks_response`] or [`Validator::handle_jwks_failure`].
    FetchJwks {
        /// The `GET` of the JWKS.
        request: HttpRequest,
        /// When to give up and report [`TransportFailure::Timeout`] (Unix milliseconds).
        timeout_at_ms: i64,
    },
    /// Another request is fetching the keys this one needs: wait until
    /// [`Validator::generation`] changes or `until_ms`, then poll again.
    Wait {
        /// Unix milliseconds.
        until_ms: i64,
    },
    /// Verify the signature with the platform's RSA (WebCrypto, `node:crypto`), then
    /// [`Validator::conclude_validation`] with the verdict.
    #[cfg(feature = "platform-crypto")]
    Verify(super::PendingValidation),
}

/// One request's validation, from [`Validator::validation`] to a `Valid` or `Fail` step.
pub struct ValidationCall {
    deadline_ms: i64,
    holds_fetch: bool,
    sent_ms: i64,
    refetched_for_kid: bool,
    finished: bool,
}

impl fmt::Debug for ValidationCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidationCall")
            .field("deadline_ms", &self.deadline_ms)
            .field("holds_fetch", &self.holds_fetch)
            .field("finished", &self.finished)
            .finish()
    }
}

impl ValidationCall {
    #[cfg(feature = "platform-crypto")]
    pub(super) fn finish_with(&mut self, outcome: Result<ValidatedToken>) -> ValidationStep {
        finish(self, outcome)
    }
}

impl Validator {
    /// Starts one request's validation at `now_ms`. Its deadline for waiting on another
    /// request's JWKS fetch is the JWKS timeout plus a second.
    pub fn validation(&self, now_ms: i64) -> ValidationCall {
        ValidationCall {
            deadline_ms: now_ms.saturating_add(self.jwks_timeout_ms).saturating_add(LEASE_GRACE_MS),
            holds_fetch: false,
            sent_ms: 0,
            refetched_for_kid: false,
            finished: false,
        }
    }

    /// The next step of `call` for `token` (the token, or the whole `Authorization` value) at
    /// `now_ms` (Unix milliseconds).
    pub fn poll_validation(
        &self,
        call: &mut ValidationCall,
        token: &str,
        requirements: &Requirements,
        now_ms: i64,
    ) -> ValidationStep {
        if call.finished {
            return ValidationStep::Fail(misuse("this validation has ended: start a new one"));
        }
        if call.holds_fetch {
            return ValidationStep::Fail(misuse("report the JWKS answer with handle_jwks_response before polling"));
        }
        if let Err(error) = check_now_ms(now_ms).and_then(|()| requirements.check()) {
            return finish(call, Err(error));
        }
        if self.jwks_due(now_ms) {
            if let Some(step) = self.claim_fetch(call, now_ms) {
                return step;
            }
            if !self.has_jwks() {
                return self.wait_for_fetch(call, now_ms);
            }
        }
        if !self.has_jwks() {
            return finish(call, Err(self.unreachable()));
        }
        let now = now_ms.div_euclid(1000);
        match self.checked(token, now, requirements) {
            Err(error) if error.kind() == ErrorKind::UnknownKid && !call.refetched_for_kid => {
                call.refetched_for_kid = true;
                if self.kid_refetch_allowed(now_ms) {
                    if let Some(step) = self.claim_fetch(call, now_ms) {
                        return step;
                    }
                }
                if self.fetch_in_flight(now_ms) {
                    return self.wait_for_fetch(call, now_ms);
                }
                finish(call, Err(error))
            }
            #[cfg(feature = "platform-crypto")]
            Ok(Checked::Pending(pending)) => ValidationStep::Verify(pending),
            Ok(Checked::Valid(token)) => finish(call, Ok(token)),
            Err(error) => finish(call, Err(error)),
        }
    }

    /// Reports the answer to the last [`ValidationStep::FetchJwks`] of `call`: a 200 loads the
    /// keys; anything else keeps the keys held and starts the back-off.
    pub fn handle_jwks_response(&mut self, call: &mut ValidationCall, response: HttpResponse<'_>, now_ms: i64) {
        if !self.release(call) {
            return;
        }
        let duration_ms = now_ms.saturating_sub(call.sent_ms);
        if response.status == 200 {
            let _ = self.load_jwks(response.body, now_ms, duration_ms);
            return;
        }
        self.generation += 1;
        let error = Error::Unavailable {
            status: Some(response.status),
            message: format!("the JWKS at {} could not be fetched", self.environment.jwks_uri()),
            snippet: String::new(),
        };
        self.fetch_failed(&error, now_ms);
    }

    /// Reports that the last [`ValidationStep::FetchJwks`] of `call` got no HTTP answer.
    pub fn handle_jwks_failure(
        &mut self,
        call: &mut ValidationCall,
        failure: TransportFailure,
        detail: &str,
        now_ms: i64,
    ) {
        if !self.release(call) {
            return;
        }
        self.generation += 1;
        let error = failure.to_error(self.environment.jwks_uri(), detail);
        self.fetch_failed(&error, now_ms);
    }

    /// Ends a validation that will not be polled again; a JWKS fetch it held is released.
    pub fn cancel_validation(&mut self, mut call: ValidationCall) {
        if self.release(&mut call) {
            self.generation += 1;
        }
    }

    /// Whether a fetch is due for every request: first use, or the keys are older than their
    /// maximum age; never during the back-off after a failed fetch.
    fn jwks_due(&self, now_ms: i64) -> bool {
        if self.in_backoff(now_ms) {
            return false;
        }
        !self.has_jwks() || now_ms.saturating_sub(self.fetched_at_ms) >= self.max_jwks_age_ms
    }

    fn kid_refetch_allowed(&self, now_ms: i64) -> bool {
        !self.in_backoff(now_ms) && now_ms.saturating_sub(self.fetched_at_ms) >= self.min_refetch_interval_ms
    }

    fn in_backoff(&self, now_ms: i64) -> bool {
        self.failed_at_ms != NEVER && now_ms.saturating_sub(self.failed_at_ms) < self.min_refetch_interval_ms
    }

    fn fetch_in_flight(&self, now_ms: i64) -> bool {
        self.fetch_lease_until_ms.load(Ordering::Acquire) > now_ms
    }

    /// Takes the right to fetch the JWKS, if nobody holds it.
    fn claim_fetch(&self, call: &mut ValidationCall, now_ms: i64) -> Option<ValidationStep> {
        let held = self.fetch_lease_until_ms.load(Ordering::Acquire);
        if held > now_ms {
            return None;
        }
        let timeout_at_ms = now_ms.saturating_add(self.jwks_timeout_ms);
        let lease = timeout_at_ms.saturating_add(LEASE_GRACE_MS);
        self.fetch_lease_until_ms.compare_exchange(held, lease, Ordering::AcqRel, Ordering::Acquire).ok()?;
        call.holds_fetch = true;
        call.sent_ms = now_ms;
        let mut request = HttpRequest::get(self.environment.jwks_uri().to_string());
        request.headers.push(("Cache-Control".into(), "no-cache".into()));
        Some(ValidationStep::FetchJwks { request, timeout_at_ms })
    }

    fn wait_for_fetch(&self, call: &mut ValidationCall, now_ms: i64) -> ValidationStep {
        if now_ms >= call.deadline_ms {
            return finish(call, Err(self.unreachable()));
        }
        let lease = self.fetch_lease_until_ms.load(Ordering::Acquire);
        ValidationStep::Wait { until_ms: lease.max(now_ms + 1).min(call.deadline_ms) }
    }

    fn release(&mut self, call: &mut ValidationCall) -> bool {
        if !call.holds_fetch {
            return false;
        }
        call.holds_fetch = false;
        self.fetch_lease_until_ms.store(0, Ordering::Release);
        true
    }

    fn unreachable(&self) -> Error {
        Error::unavailable(format!(
            "the issuer's keys ({}) could not be fetched and none are held: the token cannot be checked now",
            self.environment.jwks_uri()
        ))
    }

    fn checked(&self, token: &str, now: i64, requirements: &Requirements) -> Result<Checked> {
        #[cfg(feature = "platform-crypto")]
        if self.platform_verifier {
            return self.prepare_validation(token, now).map(Checked::Pending);
        }
        self.validate_with_keys(token, now, requirements).map(Checked::Valid)
    }
}

#[allow(clippy::large_enum_variant)] // as ValidationStep
enum Checked {
    Valid(ValidatedToken),
    #[cfg(feature = "platform-crypto")]
    Pending(super::PendingValidation),
}

fn finish(call: &mut ValidationCall, outcome: Result<ValidatedToken>) -> ValidationStep {
    call.finished = true;
    match outcome {
        Ok(token) => ValidationStep::Valid(token),
        Err(error) => ValidationStep::Fail(error),
    }
}

fn misuse(message: &str) -> Error {
    Error::invalid(ErrorKind::InvalidArgument, "call", message.to_string())
}
