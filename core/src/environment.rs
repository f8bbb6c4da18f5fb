//! Maskinporten environments: test, prod, custom, or discovered from RFC 8414 metadata.

use crate::endpoint_url::{self, shown};
use crate::error::{Error, ErrorKind, Result};
use crate::request::HttpRequest;
use crate::snippet;

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
/// The names [`Environment::from_name`] takes, and what they stand for.
const NAMES: &str = "\"test\" (https://test.maskinporten.no/) and \"prod\" (https://maskinporten.no/)";

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

    /// An environment as a user writes it in configuration: `"test"` or `"prod"` (any case,
    /// surrounding spaces ignored), or an issuer URL whose endpoints follow Maskinporten's
    /// layout (`{issuer}token`, `{issuer}jwk`), such as `https://test.maskinporten.no/`.
    ///
    /// Nothing else is guessed: `"production"`, a near miss such as `"tset"`, and the token
    /// endpoint given instead of the issuer (`https://test.maskinporten.no/token`) are refused
    /// with an `invalid_environment` error that names what to write.
    pub fn from_name(name: &str) -> Result<Environment> {
        let trimmed = name.trim();
        let lower = trimmed.to_ascii_lowercase();
        match lower.as_str() {
            "test" => return Ok(Environment::test()),
            "prod" => return Ok(Environment::prod()),
            _ => {}
        }
        if !trimmed.contains("://") {
            return Err(unknown_name(trimmed, &lower));
        }
        if trimmed == PROD_ISSUER {
            return Ok(Environment::prod());
        }
        if trimmed == TEST_ISSUER {
            return Ok(Environment::test());
        }
        if let Some(error) = endpoint_instead_of_issuer(trimmed) {
            return Err(error);
        }
        check_issuer(trimmed)?;
        Ok(Environment::known(trimmed))
    }

    /// Reads an RFC 8414 metadata document (`{issuer}.well-known/oauth-authorization-server`).
    /// An extra `self_service_endpoint` member (the local simulator writes one; Digdir's
    /// documents have none) sets [`Environment::self_service_base`].
    pub fn from_metadata(json: &[u8]) -> Result<Environment> {
        let metadata: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(json).map_err(|e| {
            Error::invalid(
                ErrorKind::InvalidEnvironment,
                "metadata",
                format!(
                    "the metadata document is not a JSON object ({}; it starts {:?}): fetch {{issuer}}{METADATA_PATH}",
                    snippet::json_error(&e),
                    snippet::snippet(json)
                ),
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
        let environment = Environment::custom(field("issuer")?, field("token_endpoint")?, field("jwks_uri")?)?;
        // Not in Digdir's metadata: the local simulator names its self-service API this way.
        match metadata.get("self_service_endpoint").and_then(serde_json::Value::as_str) {
            Some(base) => environment.with_self_service_base(base),
            None => Ok(environment),
        }
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
            format!("{} must end with '/': the grant's aud is the issuer exactly, with its trailing slash (e.g. {TEST_ISSUER})", shown(issuer)),
        ));
    }
    Ok(())
}

/// The endpoint rules (https, or http on loopback) for URLs outside the environment itself.
pub(crate) fn check_endpoint_url(field: &'static str, url: &str) -> Result<()> {
    check_url(field, url)
}

fn check_url(field: &'static str, url: &str) -> Result<()> {
    endpoint_url::check(field, url).map(drop)
}

/// A name that is not `test` or `prod`: say which names exist (the list is short enough that a
/// typo such as `tset` needs no guess), and which one `production` is.
fn unknown_name(name: &str, lower: &str) -> Error {
    let production = if lower == "production" { " (use \"prod\")" } else { "" };
    Error::invalid(
        ErrorKind::InvalidEnvironment,
        "environment",
        format!(
            "{:?} is not an environment name{production}: the names are {NAMES}; give any other environment as its issuer URL",
            snippet::sanitize(name, 40)
        ),
    )
}

/// The token endpoint or the JWKS URL given where the issuer belongs (`.../token`,
/// `.../jwk`, with or without a slash): grants would carry it as `aud`, which Maskinporten
/// refuses.
fn endpoint_instead_of_issuer(url: &str) -> Option<Error> {
    let base = url.strip_suffix('/').unwrap_or(url);
    let issuer = base.strip_suffix("token").or_else(|| base.strip_suffix("jwk"))?;
    if !issuer.ends_with('/') || issuer.ends_with("://") {
        return None;
    }
    Some(Error::invalid(
        ErrorKind::InvalidEnvironment,
        "issuer",
        format!(
            "{} is an endpoint, not the issuer: give the issuer, {} (the grant's aud, exactly, with its trailing slash)",
            shown(url),
            shown(issuer)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_may_name_a_self_service_api() {
        let with = br#"{"issuer":"http://127.0.0.1:9/","token_endpoint":"http://127.0.0.1:9/token","jwks_uri":"http://127.0.0.1:9/jwk","self_service_endpoint":"http://127.0.0.1:9/api/v1"}"#;
        let environment = Environment::from_metadata(with).expect("metadata");
        assert_eq!(environment.self_service_base(), Some("http://127.0.0.1:9/api/v1"));
        let bad = String::from_utf8_lossy(with).replace("http://127.0.0.1:9/api/v1", "ftp://x");
        assert_eq!(Environment::from_metadata(bad.as_bytes()).unwrap_err().field(), Some("self_service_base"));
        let test = br#"{"issuer":"https://test.maskinporten.no/","token_endpoint":"https://test.maskinporten.no/token","jwks_uri":"https://test.maskinporten.no/jwk"}"#;
        assert_eq!(Environment::from_metadata(test).expect("metadata").self_service_base(), None);
    }

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
        assert!(Environment::from_name("http://127.0.0.1@attacker.example/").is_err());
        assert!(Environment::from_name("http://127.attacker.example/").is_err());
    }

    fn refused(name: &str) -> String {
        let error = Environment::from_name(name).unwrap_err();
        assert_eq!(error.kind(), "invalid_environment", "{name}");
        error.to_string()
    }

    #[test]
    fn names_are_the_documented_ones_only() {
        assert_eq!(Environment::from_name(" Test ").unwrap(), Environment::test());
        assert_eq!(Environment::from_name("PROD").unwrap(), Environment::prod());
        assert!(refused("production").contains("(use \"prod\")"));
        for typo in ["tset", "tst", "prd", "prdo", "tes", "staging"] {
            let message = refused(typo);
            assert!(message.contains(&format!("{typo:?} is not an environment name")), "{message}");
            assert!(message.contains("\"test\" (https://test.maskinporten.no/)"), "{message}");
            assert!(message.contains("\"prod\" (https://maskinporten.no/)"), "{message}");
        }
        assert!(refused("ver2-test").contains("not an environment name"));
    }

    #[test]
    fn an_endpoint_given_as_the_issuer_names_the_issuer() {
        for url in [
            "https://test.maskinporten.no/token",
            "https://test.maskinporten.no/token/",
            "https://test.maskinporten.no/jwk",
        ] {
            let message = refused(url);
            assert!(message.contains("not the issuer"), "{message}");
            assert!(message.contains("\"https://test.maskinporten.no/\""), "{message}");
        }
        assert!(refused("https://maskinporten.no/token").contains("\"https://maskinporten.no/\""));
        assert!(refused("https://maskinporten.no/jwk/").contains("\"https://maskinporten.no/\""));
        assert!(refused("http://127.0.0.1:9/token/").contains("\"http://127.0.0.1:9/\""));
        // A path that only ends in the letters is an issuer like any other.
        assert!(Environment::from_name("https://example.no/mytoken/").is_ok());
    }

    #[test]
    fn metadata_errors_quote_no_token() {
        let err = Environment::from_metadata(b"\"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.\"").unwrap_err();
        assert_eq!(err.kind(), "invalid_environment");
        assert!(!err.to_string().contains("eyJzdWIiOiJ4In0"), "{err}");
        assert!(err.to_string().contains("line 1"), "{err}");
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
