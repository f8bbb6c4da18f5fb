//! Environments: test, prod, custom (the simulator), or RFC 8414 metadata.

use crate::error::Result;
use crate::request::HttpRequest;
use std::sync::Arc;

/// Where grants go: the issuer (the grant's `aud`), the token endpoint and the JWKS.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Environment(pub(crate) maskinporten::Environment);

#[uniffi::export]
impl Environment {
    /// Digdir's test environment, `https://test.maskinporten.no/`.
    #[uniffi::constructor]
    pub fn test() -> Arc<Environment> {
        Arc::new(Environment(maskinporten::Environment::test()))
    }

    /// Production, `https://maskinporten.no/`.
    #[uniffi::constructor]
    pub fn prod() -> Arc<Environment> {
        Arc::new(Environment(maskinporten::Environment::prod()))
    }

    /// Any other issuer (such as the simulator): https, or http on loopback.
    #[uniffi::constructor]
    pub fn custom(issuer: String, token_endpoint: String, jwks_uri: String) -> Result<Arc<Environment>> {
        Ok(Arc::new(Environment(maskinporten::Environment::custom(&issuer, &token_endpoint, &jwks_uri)?)))
    }

    /// `"test"`, `"prod"`, or an issuer URL with Maskinporten's layout (`{issuer}token`, `{issuer}jwk`).
    #[uniffi::constructor]
    pub fn from_name(name: String) -> Result<Arc<Environment>> {
        Ok(Arc::new(Environment(maskinporten::Environment::from_name(&name)?)))
    }

    /// From an RFC 8414 metadata document (see [`metadata_request`]).
    #[uniffi::constructor]
    pub fn from_metadata(json: Vec<u8>) -> Result<Arc<Environment>> {
        Ok(Arc::new(Environment(maskinporten::Environment::from_metadata(&json)?)))
    }

    /// The issuer, with trailing slash (also the grant's `aud`).
    pub fn issuer(&self) -> String {
        self.0.issuer().to_string()
    }

    /// The token endpoint URL.
    pub fn token_endpoint(&self) -> String {
        self.0.token_endpoint().to_string()
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> String {
        self.0.jwks_uri().to_string()
    }
}

/// The request for an issuer's RFC 8414 metadata (`GET {issuer}.well-known/oauth-authorization-server`);
/// hand the body to `Environment.fromMetadata`.
#[uniffi::export]
pub fn metadata_request(issuer: String) -> Result<Arc<HttpRequest>> {
    Ok(Arc::new(HttpRequest(maskinporten::Environment::metadata_request(&issuer)?)))
}
