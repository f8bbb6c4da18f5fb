//! For API providers: the core's access-token [`Validator`] with the issuer's JWKS fetched by
//! reqwest whenever the validator asks (first use, older than its maximum age, or a new `kid`,
//! rate-limited by the core).

use crate::send::{default_http_client, send_request};
use maskinporten::{Error, Requirements, Result, ValidatedToken, Validator};
use std::sync::RwLock;
use std::time::Duration;

/// Validates bearer tokens on every API request; shareable across tasks (`Arc<TokenValidator>`).
///
/// ```no_run
/// use maskinporten::{Environment, Requirements, Validator};
/// # async fn run(bearer: &str) -> Result<(), maskinporten::Error> {
/// let validator = maskinporten_transport::TokenValidator::new(Validator::new(Environment::prod()))?;
/// let token = validator.validate(bearer, &Requirements::any_scope(["brreg:reelle/offentlig"])).await?;
/// println!("request from organisation {}", token.consumer.org_number);
/// # Ok(()) }
/// ```
pub struct TokenValidator {
    validator: RwLock<Validator>,
    http: reqwest::Client,
    fetching: tokio::sync::Mutex<()>,
}

impl TokenValidator {
    /// Wraps a configured validator with the default HTTP client.
    pub fn new(validator: Validator) -> Result<TokenValidator> {
        Ok(TokenValidator::with_http_client(validator, default_http_client()?))
    }

    /// Wraps a configured validator with your own reqwest client.
    pub fn with_http_client(validator: Validator, http: reqwest::Client) -> TokenValidator {
        TokenValidator { validator: RwLock::new(validator), http, fetching: tokio::sync::Mutex::new(()) }
    }

    /// Validates `token` (with or without the `Bearer ` prefix) now. Fetches the JWKS first when
    /// due, and once more when the token names a `kid` the JWKS lacks (key rotation).
    pub async fn validate(&self, token: &str, requirements: &Requirements) -> Result<ValidatedToken> {
        let now = maskinporten::unix_now();
        self.refresh_jwks(now).await?;
        match self.read(|v| v.validate(token, now, requirements))? {
            Err(error) if error.kind() == "unknown_kid" && self.refresh_jwks(now).await? => {
                self.read(|v| v.validate(token, now, requirements))?
            }
            outcome => outcome,
        }
    }

    /// Fetches the JWKS if the validator says one is due; `true` when new keys were loaded. One
    /// fetch at a time; a failed fetch keeps the keys held (the core then backs off).
    pub async fn refresh_jwks(&self, now: i64) -> Result<bool> {
        if self.read(|v| v.jwks_request(now))?.is_none() {
            return Ok(false);
        }
        let _single_flight = self.fetching.lock().await;
        let Some(request) = self.read(|v| v.jwks_request(now))? else {
            return Ok(true); // another task fetched while this one waited
        };
        let fetched = send_request(&self.http, &request, Duration::from_secs(10)).await;
        let mut validator = self.validator.write().map_err(|_| poisoned())?;
        let outcome = match fetched {
            Ok(raw) => validator.update_jwks_response(raw.status, &raw.body, now),
            Err(error) => {
                validator.jwks_fetch_failed(now);
                Err(error)
            }
        };
        match outcome {
            Ok(()) => Ok(true),
            Err(error) => {
                if validator.has_jwks() {
                    Ok(false) // keep serving with the keys held
                } else {
                    Err(error)
                }
            }
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Validator) -> T) -> Result<T> {
        self.validator.read().map(|v| f(&v)).map_err(|_| poisoned())
    }
}

fn poisoned() -> Error {
    Error::unavailable("the validator's lock was poisoned by a panic in another thread")
}
