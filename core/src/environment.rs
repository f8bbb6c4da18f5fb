//! Maskinporten environments: test, prod, custom, or discovered from RFC 8414 metadata.

use crate::error::{Error, ErrorKind, Result};
use crate::request::HttpRequest;

/// Where grants go: the issuer (which is also the grant's `aud`), the token endpoint and the JWKS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    issuer: String,
    token_endpoint: String,
    jwks_uri: String,
    self_service_base: Option<String>,
}

const PROD_ISSUER: &str = "https://maskinporten.no/";
const TEST_ISSUER: &str = "https://test.maskinporten.no/";
const METADATA_PATH: &str = ".well-known/oauth-authorization-server";
const RETIRED_HOSTS: [&str; 4] = ["ver1.maskinporten.no", "ver2.maskinporten.no", "oidc-ver2.difi.no", "oidc.difi.no"];

impl Environment {
    /// Digdir's test environment (`https://test.maskinporten.no/`), for test certificates and
    /// synthetic organisations.
    pub fn test() -> Environment {
        Environment::known(TEST_ISSUER)
    }

    /// Production (`https://maskinporten.no/`).
    pub fn prod() -> Environment {
        Environment::known(PROD_ISSUER)
    }

    fn known(issuer: &str) -> Environment {
        Environment {
            issuer: issuer.into(),
            token_endpoint: format!("{issuer}token"),
            jwks_uri: format!("{issuer}jwk"),
            self_service_base: None,
        }
    }

    /// Any other issuer, such as the local simulator. The issuer must end with `/` (it is
    /// compared exactly as `aud`); URLs must be `https`, or `http` on loopback.
    pub fn custom(issuer: &str, token_endpoint: &str, jwks_uri: &str) -> Result<Environment> {
        check_issuer(issuer)?;
        check_url("token_endpoint", token_endpoint)?;
        check_url("jwks_uri", jwks_uri)?;
        Ok(Environment {
            issuer: issuer.into(),
            token_endpoint: token_endpoint.into(),
            jwks_uri: jwks_uri.into(),
            self_service_base: None,
        })
    }

    /// `"test"`, `"prod"` (or `"production"`), or an issuer URL whose endpoints follow
    /// Maskinporten's layout (`{issuer}token`, `{issuer}jwk`).
    pub fn from_name(name: &str) -> Result<Environment> {
        match name.trim().to_ascii_lowercase().as_str() {
            "test" | "ver2-test" => return Ok(Environment::test()),
            "prod" | "production" => return Ok(Environment::prod()),
            _ => {}
        }
        let issuer = name.trim();
        if issuer == PROD_ISSUER {
            return Ok(Environment::prod());
        }
        if issuer == TEST_ISSUER {
            return Ok(Environment::test());
        }
        check_issuer(issuer)?;
        Ok(Environment::known(issuer))
    }

    /// Reads an RFC 8414 metadata document (`{issuer}.well-known/oauth-authorization-server`).
    pub fn from_metadata(json: &[u8]) -> Result<Environment> {
        let metadata: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(json).map_err(|e| {
            Error::invalid(
                ErrorKind::InvalidEnvironment,
                "metadata",
                format!("the metadata document is not a JSON object ({e}): fetch {{issuer}}{METADATA_PATH}"),
            )
        })?;
        let field = |name: &'static str| {
            metadata.get(name).and_then(serde_json::Value::as_str).ok_or_else(|| {
                Error::invalid(
                    ErrorKind::InvalidEnvironment,
                    "metadata",
                    format!("the metadata document has no \"{name}\" string"),
                )
            })
        };
        Environment::custom(field("issuer")?, field("token_endpoint")?, field("jwks_uri")?)
    }

    /// The request that fetches the metadata document of `issuer` (RFC 8414 path, not
    /// `openid-configuration`).
    pub fn metadata_request(issuer: &str) -> Result<HttpRequest> {
        check_issuer(issuer)?;
        Ok(HttpRequest::get(format!("{issuer}{METADATA_PATH}")))
    }

    /// The issuer, with its trailing slash: the exact `aud` of every grant.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Where token requests are posted.
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }

    /// Where the issuer publishes the keys that sign its access tokens.
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }

    /// The base URL of Digdir's self-service API for this environment when it was set
    /// ([`Environment::with_self_service_base`]); test and prod have theirs built in
    /// ([`crate::SelfService::for_environment`]).
    pub fn self_service_base(&self) -> Option<&str> {
        self.self_service_base.as_deref()
    }

    /// Names the self-service API's base URL (`https://...`, or `http` on loopback, such as the
    /// simulator's), e.g. `https://api.test.samarbeid.digdir.no/api/v1`.
    pub fn with_self_service_base(mut self, base: &str) -> Result<Environment> {
        check_url("self_service_base", base)?;
        self.self_service_base = Some(base.trim_end_matches('/').to_string());
        Ok(self)
    }
}

fn check_issuer(issuer: &str) -> Result<()> {
    check_url("issuer", issuer)?;
    if !issuer.ends_with('/') {
        return Err(Error::invalid(
            ErrorKind::InvalidEnvironment,
            "issuer",
            format!("{issuer:?} must end with '/': the grant's aud is the issuer exactly, with its trailing slash (e.g. {TEST_ISSUER})"),
        ));
    }
    Ok(())
}

/// The endpoint rules (https, or http on loopback) for URLs outside the environment itself.
pub(crate) fn check_endpoint_url(field: &'static str, url: &str) -> Result<()> {
    check_url(field, url)
}

fn check_url(field: &'static str, url: &str) -> Result<()> {
    let invalid = |why: String| Err(Error::invalid(ErrorKind::InvalidEnvironment, field, why));
    let Some((scheme, rest)) = url.split_once("://") else {
        return invalid(format!("{url:?} is not an absolute URL: give https://host/..."));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostname = match host.find(']') {
        Some(end) if host.starts_with('[') => &host[..=end],
        _ => host.split(':').next().unwrap_or(""),
    };
    if hostname.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid(format!("{url:?} is not a valid URL"));
    }
    if RETIRED_HOSTS.iter().any(|retired| hostname.eq_ignore_ascii_case(retired)) {
        return invalid(format!("{hostname} is retired: use {TEST_ISSUER} (test) or {PROD_ISSUER} (prod)"));
    }
    let loopback = matches!(hostname, "localhost" | "[::1]") || hostname.starts_with("127.");
    match scheme {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => invalid(format!("{url:?} must use https (plain http is only allowed on loopback, for the simulator)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_environments_have_exact_issuers() {
        assert_eq!(Environment::prod().issuer(), "https://maskinporten.no/");
        assert_eq!(Environment::test().token_endpoint(), "https://test.maskinporten.no/token");
        assert_eq!(Environment::from_name("https://test.maskinporten.no/").unwrap(), Environment::test());
    }

    #[test]
    fn issuer_without_trailing_slash_is_refused() {
        let err = Environment::from_name("https://test.maskinporten.no").unwrap_err();
        assert_eq!(err.kind(), "invalid_environment");
        assert!(err.to_string().contains("trailing slash"));
    }

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(Environment::from_name("http://127.0.0.1:8080/").is_ok());
        assert!(Environment::from_name("http://localhost:1/").is_ok());
        assert!(Environment::from_name("http://example.no/").is_err());
        assert!(Environment::from_name("https://ver2.maskinporten.no/").is_err());
    }

    #[test]
    fn metadata_document_is_read() {
        let doc = br#"{"issuer":"http://127.0.0.1:9/","token_endpoint":"http://127.0.0.1:9/token","jwks_uri":"http://127.0.0.1:9/jwk","grant_types_supported":["urn:ietf:params:oauth:grant-type:jwt-bearer"]}"#;
        let env = Environment::from_metadata(doc).unwrap();
        assert_eq!(env.jwks_uri(), "http://127.0.0.1:9/jwk");
        let request = Environment::metadata_request("https://test.maskinporten.no/").unwrap();
        assert_eq!(request.url, "https://test.maskinporten.no/.well-known/oauth-authorization-server");
        assert_eq!(Environment::from_metadata(b"{}").unwrap_err().kind(), "invalid_environment");
    }
}
