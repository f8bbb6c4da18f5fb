//! The client: one Maskinporten integration (client_id + key + environment) and its grants.

use crate::algorithm::Algorithm;
use crate::cache::CacheKey;
use crate::environment::Environment;
use crate::error::{Error, ErrorKind, Result};
use crate::grant::{self, PreparedGrant};
use crate::key::Key;
use crate::options::GrantOptions;
use crate::request::TokenRequest;
use crate::response::{self, AccessToken};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Serialize;

/// Longest grant lifetime Maskinporten's documentation allows (`exp - iat`).
pub const MAX_GRANT_LIFETIME: i64 = 120;

/// Which certificates go into `x5c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum X5c {
    /// The leaf certificate only: what every working client sends (default).
    #[default]
    Leaf,
    /// The whole chain from the key file, leaf first, as Digdir's documentation asks.
    FullChain,
}

impl X5c {
    /// `leaf` or `full_chain`.
    pub fn as_str(self) -> &'static str {
        match self {
            X5c::Leaf => "leaf",
            X5c::FullChain => "full_chain",
        }
    }
}

impl std::str::FromStr for X5c {
    type Err = Error;

    /// Parses `leaf` or `full_chain`.
    fn from_str(s: &str) -> Result<X5c> {
        match s {
            "leaf" => Ok(X5c::Leaf),
            "full_chain" => Ok(X5c::FullChain),
            _ => Err(Error::invalid(
                ErrorKind::InvalidX5c,
                "x5c",
                format!("{s:?} is not an x5c mode: use \"leaf\" (default) or \"full_chain\""),
            )),
        }
    }
}

/// A Maskinporten client: builds grants and token requests and reads the answers.
///
/// Cheap to clone; holds the parsed key and a precomputed JWT header.
///
/// ```
/// use maskinporten::{Client, Environment, GrantOptions, Key};
/// # fn main() -> Result<(), maskinporten::Error> {
/// # let p12 = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/client.p12")).unwrap();
/// let key = Key::from_pkcs12(&p12, "vector-password", None)?;
/// let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::test())?;
/// let now = 1_767_225_600; // the host passes maskinporten::unix_now()
/// let request = client.token_request(&GrantOptions::new(["test:scope.read"]), now, None)?;
/// assert_eq!(request.url, "https://test.maskinporten.no/token");
/// // ... send it, then:
/// let token = client.parse_token_response(200, br#"{"access_token":"eyJ...","token_type":"Bearer","expires_in":120,"scope":"test:scope.read"}"#, Some("application/json"), now)?;
/// assert_eq!(token.expires_at(), now + 120);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    client_id: String,
    key: Key,
    environment: Environment,
    algorithm: Algorithm,
    lifetime: i64,
    x5c: X5c,
    header_b64: String,
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    typ: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x5c: Option<Vec<String>>,
}

impl Client {
    /// A client for `client_id` (the `iss` of every grant) signing with `key` against
    /// `environment`. Defaults: RS256, 120 s lifetime, `x5c` with the leaf certificate (or `kid`
    /// when the key has one).
    pub fn new(client_id: &str, key: Key, environment: Environment) -> Result<Client> {
        if client_id.trim().is_empty()
            || client_id.len() > 255
            || client_id.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::invalid(
                ErrorKind::InvalidClientId,
                "client_id",
                "client_id must be the client's id from Samarbeidsportalen (usually a UUID), without spaces",
            ));
        }
        let mut client = Client {
            client_id: client_id.to_string(),
            key,
            environment,
            algorithm: Algorithm::default(),
            lifetime: MAX_GRANT_LIFETIME,
            x5c: X5c::default(),
            header_b64: String::new(),
        };
        client.header_b64 = client.encode_header()?;
        Ok(client)
    }

    /// Signs with RS384 or RS512 instead of RS256.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Client {
        self.algorithm = algorithm;
        self.header_b64 = self.encode_header().unwrap_or_default();
        self
    }

    /// Grant lifetime (`exp - iat`) in seconds: 1 to 120.
    pub fn with_lifetime(mut self, seconds: i64) -> Result<Client> {
        if !(1..=MAX_GRANT_LIFETIME).contains(&seconds) {
            return Err(Error::invalid(
                ErrorKind::InvalidLifetime,
                "lifetime",
                format!("{seconds} s is outside 1..={MAX_GRANT_LIFETIME}: Maskinporten refuses grants that live longer than {MAX_GRANT_LIFETIME} s (exp - iat)"),
            ));
        }
        self.lifetime = seconds;
        Ok(self)
    }

    /// Sends the leaf certificate only (default) or the whole chain in `x5c`.
    pub fn with_x5c(mut self, x5c: X5c) -> Client {
        self.x5c = x5c;
        self.header_b64 = self.encode_header().unwrap_or_default();
        self
    }

    /// The client_id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// The key.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The signature algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The grant lifetime in seconds.
    pub fn lifetime(&self) -> i64 {
        self.lifetime
    }

    fn encode_header(&self) -> Result<String> {
        let x5c = match (self.key.kid(), self.key.certificate_chain_der()) {
            (Some(_), _) => None,
            (None, []) => {
                return Err(Error::invalid(
                    ErrorKind::MissingCertificateOrKid,
                    "kid",
                    "the key has neither a certificate (for x5c) nor a kid: load the .p12, pass the certificate chain PEM, or set the kid registered on the client",
                ))
            }
            (None, chain) => {
                let take = if self.x5c == X5c::Leaf { 1 } else { chain.len() };
                Some(chain.iter().take(take).map(|der| STANDARD.encode(der)).collect())
            }
        };
        let header = Header { alg: self.algorithm.as_str(), typ: "JWT", kid: self.key.kid(), x5c };
        let json =
            serde_json::to_vec(&header).map_err(|e| Error::invalid(ErrorKind::InvalidKey, "x5c", e.to_string()))?;
        Ok(URL_SAFE_NO_PAD.encode(json))
    }

    /// Builds and signs a grant: the compact JWT to send as `assertion`. `now` is Unix seconds;
    /// `jti` is a fresh UUID v4 unless given (give it only in tests).
    pub fn grant(&self, options: &GrantOptions, now: i64, jti: Option<&str>) -> Result<String> {
        let prepared = self.prepare_grant(options, now, jti)?;
        let signer = self.key.signing_key().ok_or_else(|| {
            Error::invalid(
                ErrorKind::MissingSigningKey,
                "key",
                "this key has no private key here (Key::from_external): sign with prepare_grant() and finish()",
            )
        })?;
        let signature = signer.sign(self.algorithm, prepared.signing_input().as_bytes())?;
        Ok(prepared.into_jwt(&signature))
    }

    /// The first half of external signing: validates the options and returns the exact bytes to
    /// sign (`header.claims`, ASCII) and the algorithm. Sign them with RSASSA-PKCS1-v1_5 and the
    /// algorithm's hash (HSM, KMS, WebCrypto...), then call [`PreparedGrant::finish`].
    pub fn prepare_grant(&self, options: &GrantOptions, now: i64, jti: Option<&str>) -> Result<PreparedGrant> {
        crate::time::check_now(now)?;
        if self.key.kid().is_none() {
            if let Some(certificate) = self.key.certificate() {
                certificate.check_valid_at(now)?;
            }
        }
        let own_org = self.key.certificate().and_then(|c| c.org_number.as_deref());
        options.validate(own_org)?;
        let claims =
            grant::encode_claims(self.environment.issuer(), &self.client_id, options, now, self.lifetime, jti)?;
        Ok(PreparedGrant::new(format!("{}.{}", self.header_b64, claims), self.algorithm, self.key.public().cloned()))
    }

    /// Builds, signs and wraps a grant into the token request for the host to send.
    pub fn token_request(&self, options: &GrantOptions, now: i64, jti: Option<&str>) -> Result<TokenRequest> {
        Ok(self.token_request_for_assertion(&self.grant(options, now, jti)?))
    }

    /// The token request for a grant signed elsewhere (after [`PreparedGrant::finish`]).
    pub fn token_request_for_assertion(&self, jwt: &str) -> TokenRequest {
        TokenRequest::token(self.environment.token_endpoint(), jwt)
    }

    /// Reads the token endpoint's answer: the access token, or a typed error whose hints name
    /// this environment (for example the exact `aud` on MP-110).
    pub fn parse_token_response(
        &self,
        status: u16,
        body: &[u8],
        content_type: Option<&str>,
        now: i64,
    ) -> Result<AccessToken> {
        response::parse(status, body, content_type, now, Some(&self.environment))
    }

    /// The cache key of a token asked for with `options`: it covers everything that changes the
    /// token (environment, client, key, scopes, resource, delegation, pid, authorization_details).
    pub fn cache_key(&self, options: &GrantOptions) -> CacheKey {
        let mut scopes: Vec<&str> = options.scopes.iter().map(String::as_str).collect();
        scopes.sort_unstable();
        scopes.dedup();
        // A JSON array of the parts: unambiguous, and serialised with the grant's own serializer.
        let material = serde_json::to_vec(&(
            self.environment.issuer(),
            &self.client_id,
            self.key.fingerprint(),
            self.key.kid(),
            scopes,
            &options.resource,
            &options.consumer_org,
            &options.iss_onbehalfof,
            &options.pid,
            &options.authorization_details,
        ))
        // Cannot fail: strings, string lists and JSON values with string keys only.
        .unwrap_or_default();
        CacheKey::from_material(&material)
    }
}
