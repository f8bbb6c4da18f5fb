//! The client: grants, token requests, response parsing, cache keys.

use crate::environment::Environment;
use crate::error::Result;
use crate::key::Key;
use crate::options::{Algorithm, GrantOptions, X5c};
use crate::request::{http_status, HttpRequest};
use crate::signer::{sign_with, ExternalSigner, PreparedGrant};
use crate::token::AccessToken;
use std::sync::Arc;

/// A Maskinporten client: its client_id, its key and the environment. Immutable and
/// thread-safe; the `with*` methods return a new client.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Client(pub(crate) maskinporten::Client);

#[uniffi::export]
impl Client {
    /// A client with RS256, a 120 s grant lifetime and the leaf certificate in `x5c`.
    #[uniffi::constructor]
    pub fn new(client_id: String, key: Arc<Key>, environment: Arc<Environment>) -> Result<Arc<Client>> {
        Ok(Arc::new(Client(maskinporten::Client::new(&client_id, key.0.clone(), environment.0.clone())?)))
    }

    /// The same client signing with `algorithm`.
    pub fn with_algorithm(&self, algorithm: Algorithm) -> Arc<Client> {
        Arc::new(Client(self.0.clone().with_algorithm(algorithm.into())))
    }

    /// The same client with grants valid for `seconds` (1 to 120).
    pub fn with_lifetime(&self, seconds: i64) -> Result<Arc<Client>> {
        Ok(Arc::new(Client(self.0.clone().with_lifetime(seconds)?)))
    }

    /// The same client sending the leaf or the full chain in `x5c`.
    pub fn with_x5c(&self, x5c: X5c) -> Arc<Client> {
        Arc::new(Client(self.0.clone().with_x5c(x5c.into())))
    }

    pub fn client_id(&self) -> String {
        self.0.client_id().to_string()
    }

    pub fn environment(&self) -> Arc<Environment> {
        Arc::new(Environment(self.0.environment().clone()))
    }

    pub fn algorithm(&self) -> Algorithm {
        self.0.algorithm().into()
    }

    pub fn lifetime(&self) -> i64 {
        self.0.lifetime()
    }

    /// The signed grant (a compact JWT) for `now` (Unix seconds). `jti` is random unless given (tests).
    #[uniffi::method(default(jti = None))]
    pub fn grant(&self, options: GrantOptions, now: i64, jti: Option<String>) -> Result<String> {
        Ok(self.0.grant(&(&options).into(), now, jti.as_deref())?)
    }

    /// The grant before signing, for a signer that cannot be called synchronously.
    #[uniffi::method(default(jti = None))]
    pub fn prepare_grant(&self, options: GrantOptions, now: i64, jti: Option<String>) -> Result<Arc<PreparedGrant>> {
        Ok(Arc::new(PreparedGrant(self.0.prepare_grant(&(&options).into(), now, jti.as_deref())?)))
    }

    /// The grant signed by `signer` (a key that lives outside this library).
    #[uniffi::method(default(jti = None))]
    pub fn grant_with_signer(
        &self,
        options: GrantOptions,
        now: i64,
        signer: Box<dyn ExternalSigner>,
        jti: Option<String>,
    ) -> Result<String> {
        let prepared = self.0.prepare_grant(&(&options).into(), now, jti.as_deref())?;
        sign_with(prepared, signer.as_ref())
    }

    /// Step 1: the token request to send (POST, form body with the signed grant).
    #[uniffi::method(default(jti = None))]
    pub fn token_request(&self, options: GrantOptions, now: i64, jti: Option<String>) -> Result<HttpRequest> {
        Ok(self.0.token_request(&(&options).into(), now, jti.as_deref())?.into())
    }

    /// Step 1 with an external signer.
    #[uniffi::method(default(jti = None))]
    pub fn token_request_with_signer(
        &self,
        options: GrantOptions,
        now: i64,
        signer: Box<dyn ExternalSigner>,
        jti: Option<String>,
    ) -> Result<HttpRequest> {
        let jwt = self.grant_with_signer(options, now, signer, jti)?;
        Ok(self.0.token_request_for_assertion(&jwt).into())
    }

    /// The token request for a grant signed elsewhere (after `PreparedGrant.finish`).
    pub fn token_request_for_assertion(&self, jwt: String) -> HttpRequest {
        self.0.token_request_for_assertion(&jwt).into()
    }

    /// Step 3: the token endpoint's answer (status, body bytes, Content-Type) as a token or an error.
    #[uniffi::method(default(content_type = None))]
    pub fn parse_token_response(
        &self,
        status: i32,
        body: Vec<u8>,
        content_type: Option<String>,
        now: i64,
    ) -> Result<Arc<AccessToken>> {
        Ok(Arc::new(AccessToken(self.0.parse_token_response(
            http_status(status),
            &body,
            content_type.as_deref(),
            now,
        )?)))
    }

    /// The cache key for tokens asked for with `options` (covers everything that changes the token).
    pub fn cache_key(&self, options: GrantOptions) -> String {
        self.0.cache_key(&(&options).into()).as_str().to_string()
    }
}
