//! The exchange request and its answer.

use super::platform::AltinnPlatform;
use crate::cache::CacheKey;
use crate::error::{Error, ErrorKind, Result};
use crate::request::HttpRequest;
use crate::response::AccessToken;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Longest Altinn token accepted (bytes).
const MAX_ALTINN_TOKEN: usize = 16 * 1024;

/// How to exchange a Maskinporten token for an Altinn token.
///
/// ```
/// use maskinporten::{AltinnExchange, AltinnPlatform};
/// let exchange = AltinnExchange::new(AltinnPlatform::tt02()).with_test_org(true)?;
/// let request = exchange.request("eyJ...maskinporten-token")?;
/// assert_eq!(request.url, "https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten?test=true");
/// # Ok::<(), maskinporten::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AltinnExchange {
    platform: AltinnPlatform,
    test_org: bool,
    subscription_key: Option<String>,
}

impl std::fmt::Debug for AltinnExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AltinnExchange")
            .field("platform", &self.platform.base())
            .field("test_org", &self.test_org)
            .field("subscription_key", &self.subscription_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl AltinnExchange {
    /// An exchange on `platform`.
    pub fn new(platform: AltinnPlatform) -> AltinnExchange {
        AltinnExchange { platform, test_org: false, subscription_key: None }
    }

    /// Asks TT02 for a token issued to Altinn's test organisation (`?test=true`); refused for
    /// other platforms.
    pub fn with_test_org(mut self, on: bool) -> Result<AltinnExchange> {
        if on && !self.platform.is_tt02() && !self.platform.base().starts_with("http://") {
            return Err(Error::invalid(
                ErrorKind::InvalidArgument,
                "altinn_test_org",
                "test=true exists only in TT02 (Altinn's test environment)",
            ));
        }
        self.test_org = on;
        Ok(self)
    }

    /// Sends an API Management subscription key (`Ocp-Apim-Subscription-Key`), for platforms
    /// behind APIM.
    pub fn with_subscription_key(mut self, key: &str) -> Result<AltinnExchange> {
        if key.is_empty() || key.len() > 256 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                ErrorKind::InvalidArgument,
                "subscription_key",
                "the subscription key must be 1 to 256 printable ASCII characters",
            ));
        }
        self.subscription_key = Some(key.to_string());
        Ok(self)
    }

    /// The platform.
    pub fn platform(&self) -> &AltinnPlatform {
        &self.platform
    }

    /// Whether `?test=true` is sent.
    pub fn test_org(&self) -> bool {
        self.test_org
    }

    /// The cache key of the Altinn token exchanged from the Maskinporten token of
    /// `maskinporten_key` (what [`crate::TokenFlow::call_exchanged`] caches it under): for a
    /// host's fast path ([`crate::TokenFlow::fresh`]) and for [`crate::TokenFlow::reject`] after
    /// an API answered 401 to the Altinn token.
    pub fn cache_key(&self, maskinporten_key: &CacheKey) -> CacheKey {
        let material =
            format!("{}\naltinn-exchange\n{}\n{}", maskinporten_key.as_str(), self.platform.base(), self.test_org);
        CacheKey::from_material(material.as_bytes())
    }

    /// The exchange request for `maskinporten_token` (its `access_token`). Its `Authorization`
    /// header is a credential: do not log it.
    pub fn request(&self, maskinporten_token: &str) -> Result<HttpRequest> {
        if maskinporten_token.is_empty() || !maskinporten_token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                ErrorKind::InvalidArgument,
                "access_token",
                "the Maskinporten access token is empty or not printable ASCII",
            ));
        }
        let query = if self.test_org { "?test=true" } else { "" };
        let mut request =
            HttpRequest::get(format!("{}/authentication/api/v1/exchange/maskinporten{query}", self.platform.base()));
        request.headers = vec![
            ("Authorization".into(), format!("Bearer {maskinporten_token}")),
            ("Accept".into(), "text/plain, application/json".into()),
        ];
        if let Some(key) = &self.subscription_key {
            request.headers.push(("Ocp-Apim-Subscription-Key".into(), key.clone()));
        }
        Ok(request)
    }

    /// Reads the exchange's answer at `now` (Unix seconds): the Altinn token, expiring at its
    /// own `exp` (not Maskinporten's `expires_in`), or a typed error.
    pub fn parse_response(&self, status: u16, body: &[u8], now: i64) -> Result<AccessToken> {
        crate::time::check_now(now)?;
        match status {
            200 => {}
            429 | 500..=599 => {
                return Err(Error::Unavailable {
                    status: Some(status),
                    message: format!("Altinn's token exchange at {} could not answer now", self.platform.base()),
                    snippet: String::new(),
                })
            }
            _ => return Err(refused(status)),
        }
        let text = std::str::from_utf8(body).map_err(|_| malformed("the body is not text"))?;
        // Some deployments quote the token as a JSON string.
        let token = text.trim().trim_matches('"');
        if token.is_empty() || token.len() > MAX_ALTINN_TOKEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(malformed("the body is not a token (empty, too long, or not printable ASCII)"));
        }
        let exp = expiry(token).ok_or_else(|| malformed("the token is not a JWT with a numeric exp"))?;
        let lifetime = exp.saturating_sub(now);
        if lifetime <= 0 {
            return Err(malformed("the token has already expired (check the host clock)"));
        }
        Ok(AccessToken::new(token, lifetime.min(crate::MAX_EXPIRES_IN), None, now))
    }
}

/// The `exp` claim of a JWT, read without verifying it: the client keeps the token opaque but
/// needs to know when to refresh it.
fn expiry(token: &str) -> Option<i64> {
    let mut parts = token.split('.');
    let (_, Some(claims), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let bytes = URL_SAFE_NO_PAD.decode(claims.trim_end_matches('=')).ok()?;
    let claims: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).ok()?;
    claims.get("exp")?.as_i64()
}

fn refused(status: u16) -> Error {
    let (kind, message) = match status {
        400 => (ErrorKind::AltinnExchangeInvalid, "Altinn refused the exchange request as invalid (HTTP 400)"),
        401 => (
            ErrorKind::AltinnTokenRejected,
            "Altinn refused the Maskinporten token (HTTP 401): it is expired, for the wrong environment, or lacks an Altinn scope",
        ),
        403 => (
            ErrorKind::AltinnForbidden,
            "Altinn does not allow this exchange (HTTP 403): check the scopes and that the organisation may use this platform",
        ),
        410 => (
            ErrorKind::AltinnExchangeInvalid,
            "Altinn answered 410 Gone: the enterprise-user header (X-Altinn-EnterpriseUser-Authentication) is retired; use system users",
        ),
        _ => (ErrorKind::AltinnExchangeInvalid, "Altinn refused the exchange"),
    };
    Error::Altinn { kind, status, message: message.to_string() }
}

fn malformed(why: &str) -> Error {
    Error::MalformedResponse {
        status: 200,
        message: format!("Altinn's exchange answer: {why}"),
        snippet: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600;

    fn jwt(exp: i64) -> String {
        let claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp},"urn:altinn:orgNumber":"311000004"}}"#));
        format!("eyJhbGciOiJSUzI1NiJ9.{claims}.c2ln")
    }

    #[test]
    fn the_token_expires_at_its_own_exp() {
        let exchange = AltinnExchange::new(AltinnPlatform::tt02());
        let token = exchange.parse_response(200, jwt(NOW + 1800).as_bytes(), NOW).unwrap();
        assert_eq!(token.expires_at(), NOW + 1800, "not Maskinporten's expires_in");
        let quoted = format!("\"{}\"\n", jwt(NOW + 60));
        assert_eq!(exchange.parse_response(200, quoted.as_bytes(), NOW).unwrap().expires_in(), 60);
    }

    #[test]
    fn statuses_are_typed() {
        let exchange = AltinnExchange::new(AltinnPlatform::prod());
        for (status, kind, retryable) in [
            (400, ErrorKind::AltinnExchangeInvalid, false),
            (401, ErrorKind::AltinnTokenRejected, false),
            (403, ErrorKind::AltinnForbidden, false),
            (410, ErrorKind::AltinnExchangeInvalid, false),
            (429, ErrorKind::Unavailable, true),
            (503, ErrorKind::Unavailable, true),
        ] {
            let error = exchange.parse_response(status, b"secret-body", NOW).unwrap_err();
            assert_eq!((error.kind(), error.is_retryable(), error.status()), (kind, retryable, Some(status)));
            assert!(!error.to_string().contains("secret-body"));
        }
        assert!(exchange.parse_response(200, b"not a jwt", NOW).is_err());
        assert!(exchange.parse_response(200, jwt(NOW - 1).as_bytes(), NOW).is_err());
    }

    #[test]
    fn requests() {
        let exchange = AltinnExchange::new(AltinnPlatform::prod()).with_subscription_key("abc").unwrap();
        let request = exchange.request("tok").unwrap();
        assert_eq!(request.url, "https://platform.altinn.no/authentication/api/v1/exchange/maskinporten");
        assert_eq!(request.header("ocp-apim-subscription-key"), Some("abc"));
        assert!(AltinnExchange::new(AltinnPlatform::prod()).with_test_org(true).is_err());
        assert!(!format!("{exchange:?}").contains("abc"));
        assert_eq!(AltinnPlatform::from_name("tt2").unwrap_err().field(), Some("altinn_platform"));
    }

    #[test]
    fn cache_keys_differ_by_platform_test_org_and_inner_key() {
        let inner = CacheKey::from_string("mp-key".into());
        let tt02 = AltinnExchange::new(AltinnPlatform::tt02());
        let test_org = tt02.clone().with_test_org(true).unwrap();
        let keys = [
            tt02.cache_key(&inner),
            test_org.cache_key(&inner),
            AltinnExchange::new(AltinnPlatform::prod()).cache_key(&inner),
            tt02.cache_key(&CacheKey::from_string("other".into())),
        ];
        for (i, a) in keys.iter().enumerate() {
            assert_ne!(a, &inner);
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(tt02.cache_key(&inner), AltinnExchange::new(AltinnPlatform::tt02()).cache_key(&inner));
        // The subscription key is a credential, not part of what tells tokens apart.
        assert_eq!(tt02.clone().with_subscription_key("k").unwrap().cache_key(&inner), tt02.cache_key(&inner));
    }
}
