//! Altinn 3's token exchange, served under `/altinn` on the simulator's listener: a Maskinporten
//! token from this simulator traded for an Altinn token signed with a separate key.

use serde_json::{json, Map, Value};

use crate::crypto::TokenSigner;
use crate::registry::Registry;

/// The platform base's path on the listener: the Altinn platform is `http://<address>/altinn`.
pub(crate) const PREFIX: &str = "/altinn";
/// The exchange endpoint (a fault `path` may name it).
pub(crate) const EXCHANGE_PATH: &str = "/altinn/authentication/api/v1/exchange/maskinporten";
/// The JWKS with the key that signs Altinn tokens.
pub(crate) const JWKS_PATH: &str = "/altinn/authentication/api/v1/openid/.well-known/openid-configuration/jwks";
/// The retired enterprise-user header: its presence is answered 410 Gone.
const ENTERPRISE_USER_HEADER: &str = "x-altinn-enterpriseuser-authentication";
const SERVICE_OWNER_SCOPE: &str = "altinn:serviceowner";

/// A refused exchange: the HTTP status and why.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub detail: String,
}

impl Refusal {
    fn new(status: u16, detail: impl Into<String>) -> Refusal {
        Refusal { status, detail: detail.into() }
    }

    /// A problem-details body, as Altinn answers errors.
    pub(crate) fn body(&self) -> Value {
        let title = match self.status {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            410 => "Gone",
            _ => "Error",
        };
        json!({"type": "https://tools.ietf.org/html/rfc9110", "title": title, "status": self.status, "detail": self.detail})
    }
}

/// What the exchange request carried.
pub(crate) struct ExchangeRequest<'a> {
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// Whether the retired enterprise-user header was sent.
    pub enterprise_user_header: bool,
    /// The query string, without `?`.
    pub query: Option<&'a str>,
}

/// Whether `name` is the retired enterprise-user header.
pub(crate) fn is_enterprise_user_header(name: &str) -> bool {
    name.eq_ignore_ascii_case(ENTERPRISE_USER_HEADER)
}

/// Checks the request and the Maskinporten token (signed by `issuer_key`, issued by `issuer`, not
/// expired at `now`) and answers the Altinn token, signed by `altinn_key`, issued by
/// `altinn_issuer`.
pub(crate) fn exchange(
    reg: &Registry,
    issuer: &str,
    issuer_key: &TokenSigner,
    altinn_key: &TokenSigner,
    altinn_issuer: &str,
    request: &ExchangeRequest<'_>,
    now: i64,
) -> Result<String, Refusal> {
    if request.enterprise_user_header {
        return Err(Refusal::new(
            410,
            "The X-Altinn-EnterpriseUser-Authentication header is no longer supported: use system users",
        ));
    }
    let test_org = test_flag(request.query)?;
    let token = request
        .authorization
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
        .map(|(_, token)| token.trim())
        .ok_or_else(|| Refusal::new(401, "Missing bearer token: send Authorization: Bearer <Maskinporten token>"))?;
    let claims = issuer_key
        .verify_jwt(token)
        .ok_or_else(|| Refusal::new(401, "The token is not a Maskinporten token signed by this environment's key"))?;
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(Refusal::new(401, "The token was issued by another Maskinporten environment"));
    }
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp > now => {}
        _ => return Err(Refusal::new(401, "The Maskinporten token has expired")),
    }
    let scope = claims.get("scope").and_then(Value::as_str).unwrap_or("");
    if !scope.split(' ').any(|s| s.starts_with("altinn:")) {
        return Err(Refusal::new(403, "The token has no Altinn scope (altinn:...)"));
    }
    let org_number = claims
        .get("consumer")
        .and_then(|c| c.get("ID"))
        .and_then(Value::as_str)
        .and_then(|id| id.strip_prefix("0192:"))
        .map(str::to_string);
    let org_code = if test_org {
        Some(reg.altinn.test_org.clone())
    } else if scope.split(' ').any(|s| s == SERVICE_OWNER_SCOPE) {
        let owner = org_number.as_ref().and_then(|org| reg.altinn.service_owners.get(org));
        Some(owner.cloned().ok_or_else(|| Refusal::new(403, "The organisation is not an Altinn service owner"))?)
    } else {
        None
    };
    let mut out = Map::new();
    if let Some(org) = org_number {
        out.insert("urn:altinn:orgNumber".into(), org.into());
    }
    if let Some(org) = org_code {
        out.insert("urn:altinn:org".into(), org.into());
    }
    out.insert("urn:altinn:authenticatemethod".into(), "maskinporten".into());
    out.insert("urn:altinn:authlevel".into(), 3.into());
    for name in ["client_id", "client_amr", "consumer", "authorization_details"] {
        if let Some(value) = claims.get(name) {
            out.insert(name.into(), value.clone());
        }
    }
    out.insert("scope".into(), scope.into());
    out.insert("token_type".into(), "Bearer".into());
    out.insert("iss".into(), altinn_issuer.into());
    out.insert("iat".into(), now.into());
    out.insert("nbf".into(), now.into());
    out.insert("exp".into(), (now + reg.altinn.token_lifetime).into());
    out.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
    altinn_key.sign_jwt(&Value::Object(out)).map_err(|m| Refusal::new(500, m))
}

/// `?test=true` asks for Altinn's test organisation; any other value of `test` is a bad request.
fn test_flag(query: Option<&str>) -> Result<bool, Refusal> {
    let mut test = None;
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if name != "test" {
            continue;
        }
        if test.is_some() {
            return Err(Refusal::new(400, "The test parameter is repeated"));
        }
        test = Some(match value.as_ref() {
            "true" => true,
            "false" => false,
            other => return Err(Refusal::new(400, format!("test must be true or false, not {other:?}"))),
        });
    }
    Ok(test.unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_flag_values() {
        assert_eq!(test_flag(None), Ok(false));
        assert_eq!(test_flag(Some("test=true")), Ok(true));
        assert_eq!(test_flag(Some("test=false&x=1")), Ok(false));
        assert_eq!(test_flag(Some("test=yes")).unwrap_err().status, 400);
        assert_eq!(test_flag(Some("test=true&test=true")).unwrap_err().status, 400);
    }
}
