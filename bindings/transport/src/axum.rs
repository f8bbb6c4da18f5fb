//! An axum adapter (feature `axum`): reads the `Authorization` header with the core's
//! [`bearer_token`], validates with [`TokenValidator`], and answers a refusal with the core's
//! [`Rejection`] as is (status, `WWW-Authenticate`, JSON body, `Cache-Control: no-store`,
//! `Retry-After`). No status mapping or challenge text is written here.
//!
//! Two ways in: the [`Authorized`] extractor, when the router's state holds a [`BearerAuth`];
//! or the [`require_token`] middleware on some routes, whose handlers then take
//! `Extension<ValidatedToken>`.
//!
//! ```
//! use axum::{routing::get, Extension, Router};
//! use maskinporten::{Environment, Requirements, ValidatedToken, Validator};
//! use maskinporten_transport::axum::{require_token, Authorized, BearerAuth};
//! use maskinporten_transport::TokenValidator;
//! use std::sync::Arc;
//!
//! # fn main() -> Result<(), maskinporten::Error> {
//! let validator = Arc::new(TokenValidator::new(Validator::new(Environment::test()))?);
//!
//! // The extractor: every handler that takes `Authorized` requires the state's requirements.
//! let read = BearerAuth::new(validator.clone(), Requirements::any_scope(["test:scope.read"]))?;
//! async fn owners(Authorized(token): Authorized) -> String {
//!     format!("served for {}", token.consumer.id) // authorize on the consumer, never on client_id
//! }
//! let api: Router = Router::new().route("/owners", get(owners)).with_state(read);
//!
//! // The middleware: other requirements for other routes.
//! let write = BearerAuth::new(validator, Requirements::any_scope(["test:scope.write"]))?;
//! async fn change(Extension(token): Extension<ValidatedToken>) -> String {
//!     format!("changed for {}", token.consumer.id)
//! }
//! let admin: Router = Router::new()
//!     .route("/change", axum::routing::post(change))
//!     .layer(axum::middleware::from_fn_with_state(write, require_token));
//! # let _ = (api, admin); Ok(()) }
//! ```

use crate::TokenValidator;
use ::axum::extract::{FromRef, FromRequestParts, Request, State};
use ::axum::http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use ::axum::http::request::Parts;
use ::axum::http::{HeaderMap, StatusCode};
use ::axum::middleware::Next;
use ::axum::response::{IntoResponse, Response};
use maskinporten::{bearer_token, Rejection, Requirements, Result, ValidatedToken};
use std::sync::Arc;

/// A validator and the requirements of the routes it guards: the state [`Authorized`] and
/// [`require_token`] read. Cheap to clone.
#[derive(Clone, Debug)]
pub struct BearerAuth {
    validator: Arc<TokenValidator>,
    requirements: Arc<Requirements>,
}

impl BearerAuth {
    /// Guards routes with `requirements`, checked now by the core (`invalid_requirements` when
    /// they name no scope and no audience, without the explicit `any_scope_unchecked`).
    pub fn new(validator: Arc<TokenValidator>, requirements: Requirements) -> Result<BearerAuth> {
        requirements.check()?;
        Ok(BearerAuth { validator, requirements: Arc::new(requirements) })
    }

    /// The validated token of a request with these headers, or the answer to send.
    pub async fn authorize(&self, headers: &HeaderMap) -> std::result::Result<ValidatedToken, RejectionResponse> {
        // A header that is not visible ASCII is handed over as text all the same: the core
        // decides what it is (no token, or a malformed Bearer header).
        let header = headers.get(AUTHORIZATION).map(|value| String::from_utf8_lossy(value.as_bytes()));
        let refused = |error| RejectionResponse(self.validator.rejection(&error, &self.requirements));
        let token = bearer_token(header.as_deref()).map_err(refused)?;
        self.validator.validate(token, &self.requirements).await.map_err(refused)
    }
}

/// A request that carried a valid token meeting the [`BearerAuth`] requirements. As an
/// extractor it takes the token [`require_token`] validated, or validates with the state's
/// [`BearerAuth`].
#[derive(Debug, Clone)]
pub struct Authorized(pub ValidatedToken);

impl<S> FromRequestParts<S> for Authorized
where
    BearerAuth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = RejectionResponse;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> std::result::Result<Self, Self::Rejection> {
        if let Some(token) = parts.extensions.get::<ValidatedToken>() {
            return Ok(Authorized(token.clone()));
        }
        BearerAuth::from_ref(state).authorize(&parts.headers).await.map(Authorized)
    }
}

/// Middleware (`axum::middleware::from_fn_with_state(auth, require_token)`): refuses requests
/// without a valid token with the core's [`Rejection`]; passes the others on with the
/// [`ValidatedToken`] in the request's extensions.
pub async fn require_token(State(auth): State<BearerAuth>, mut request: Request, next: Next) -> Response {
    match auth.authorize(request.headers()).await {
        Ok(token) => {
            request.extensions_mut().insert(token);
            next.run(request).await
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// The core's [`Rejection`] as an axum response, sent as the core wrote it.
#[derive(Debug, Clone)]
pub struct RejectionResponse(pub Rejection);

impl IntoResponse for RejectionResponse {
    fn into_response(self) -> Response {
        let rejection = self.0;
        let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, rejection.body().to_string()).into_response();
        let headers = response.headers_mut();
        for (name, value) in rejection.headers() {
            // The core writes header-safe ASCII; a value that is not is left out, not sent broken.
            if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
                headers.insert(name, value);
            }
        }
        response
    }
}
