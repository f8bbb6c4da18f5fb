//! The client: grants, token requests and response parsing (the single protocol steps; the
//! token flow around them is `TokenFlow`).

use crate::environment::Environment;
use crate::error::Result;
use crate::key::Key;
use crate::options::GrantOptions;
use crate::request::HttpRequest;
use crate::signer::{sign_with, ExternalSigner, PreparedGrant};
use crate::token::AccessToken;
use maskinporten::{Algorithm, X5c};
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
        Arc::new(Client(self.0.clone().with_algorithm(algorithm)))
    }

    /// The same client with grants valid for `seconds` (1 to 120).
    pub fn with_lifetime(&self, seconds: i64) -> Result<Arc<Client>> {
        Ok(Arc::new(Client(self.0.clone().with_lifetime(seconds)?)))
    }

    /// The same client sending the leaf or the full chain in `x5c`.
    pub fn with_x5c(&self, x5c: X5c) -> Arc<Client> {
        Arc::new(Client(self.0.clone().with_x5c(x5c)))
    }

    /// The client_id registered in Samarbeidsportalen.
    pub fn client_id(&self) -> String {
        self.0.client_id().to_string()
    }

    /// Where its grants go.
    pub fn environment(&self) -> Arc<Environment> {
        Arc::new(Environment(self.0.environment().clone()))
    }

    /// The grant's signature algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }

    /// The grant lifetime in seconds.
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
        Ok(Arc::new(PreparedGrant::new(self.0.prepare_grant(&(&options).into(), now, jti.as_deref())?)))
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

    /// The token request to send (POST, form body with the signed grant), for hosts that run
    /// their own flow; `TokenProvider` uses `TokenFlow`.
    #[uniffi::method(default(jti = None))]
    pub fn token_request(&self, options: GrantOptions, now: i64, jti: Option<String>) -> Result<Arc<HttpRequest>> {
        Ok(Arc::new(HttpRequest(self.0.token_request(&(&options).into(), now, jti.as_deref())?)))
    }

    /// The token request for a grant signed elsewhere (after `PreparedGrant.finish`).
    pub fn token_request_for_assertion(&self, jwt: String) -> Arc<HttpRequest> {
        Arc::new(HttpRequest(self.0.token_request_for_assertion(&jwt)))
    }

    /// The token endpoint's answer (status, body bytes, Content-Type) as a token or an error.
    #[uniffi::method(default(content_type = None))]
    pub fn parse_token_response(
        &self,
        status: u16,
        body: Vec<u8>,
        content_type: Option<String>,
        now: i64,
    ) -> Result<Arc<AccessToken>> {
        Ok(Arc::new(AccessToken(self.0.parse_token_response(status, &body, content_type.as_deref(), now)?)))
    }
}
