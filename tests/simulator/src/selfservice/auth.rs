//! Who calls the API: the simulator's own access tokens, carrying the admin scope the call
//! needs, from an admin client that signed its grant with an enterprise certificate.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::routes::problem;
use crate::crypto::{b64url_decode, RsAlg, RsaPublic};
use crate::server::Shared;

/// The caller, once its token is accepted.
#[derive(Debug)]
pub(crate) struct Admin {
    /// The organisation the admin client belongs to (the token's `consumer`).
    pub org: String,
}

/// Accepts the bearer token when it is one of this simulator's access tokens, unexpired at
/// `now`, with `needed` among its scopes, issued to an enterprise-certificate client of an
/// organisation that has accepted the terms of use.
pub(crate) fn authorize(
    shared: &Shared,
    headers: &HeaderMap,
    needed: &'static str,
    now: i64,
) -> Result<Admin, Response> {
    let Some(token) = bearer(headers) else {
        let mut answer = problem(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "no bearer token: send Authorization: Bearer <a Maskinporten access token for the admin scope>".into(),
            Vec::new(),
        );
        answer.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Err(answer);
    };
    let claims =
        verify(shared, token).ok_or_else(|| invalid_token("the access token is not one this server issued"))?;
    if claims.get("iss").and_then(Value::as_str) != Some(shared.issuer.as_str()) {
        return Err(invalid_token("the access token is from another issuer"));
    }
    if claims.get("exp").and_then(Value::as_i64).is_none_or(|exp| exp <= now) {
        return Err(invalid_token("the access token has expired"));
    }
    if claims.get("client_amr").and_then(Value::as_str) != Some("virksomhetssertifikat") {
        return Err(invalid_token(
            "the self-service API takes tokens of admin clients that sign with the enterprise certificate (x5c), not a registered key",
        ));
    }
    let scopes = claims.get("scope").and_then(Value::as_str).unwrap_or_default();
    if !scopes.split(' ').any(|s| s == needed) {
        let mut answer = problem(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("the access token lacks the scope {needed}"),
            Vec::new(),
        );
        let challenge = format!("Bearer error=\"insufficient_scope\", scope=\"{needed}\"");
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            answer.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        return Err(answer);
    }
    let org = claims
        .get("consumer")
        .and_then(|c| c.get("ID"))
        .and_then(Value::as_str)
        .and_then(|id| id.strip_prefix("0192:"))
        .map(str::to_string)
        .ok_or_else(|| invalid_token("the access token names no organisation"))?;
    if shared.self_service.terms_not_accepted.contains(&org) {
        return Err(problem(
            StatusCode::PRECONDITION_REQUIRED,
            "PRECONDITION_REQUIRED",
            format!("the organisation {org} has not accepted the terms of use"),
            Vec::new(),
        ));
    }
    Ok(Admin { org })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn invalid_token(message: &str) -> Response {
    let mut answer = problem(StatusCode::UNAUTHORIZED, "invalid_token", message.into(), Vec::new());
    answer.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
    answer.into_response()
}

/// The claims of a JWS signed by the simulator's token key, or `None`.
fn verify(shared: &Shared, token: &str) -> Option<Map<String, Value>> {
    let parts: Vec<&str> = token.split('.').collect();
    let [head, body, signature] = parts.as_slice() else { return None };
    let header: Map<String, Value> = serde_json::from_slice(&b64url_decode(head)?).ok()?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256")
        || header.get("kid").and_then(Value::as_str) != Some(shared.signer.kid.as_str())
    {
        return None;
    }
    let key = RsaPublic::from_jwk(&shared.signer.jwk).ok()?;
    let input = &token[..head.len() + 1 + body.len()];
    if !key.verify(RsAlg::Rs256, input.as_bytes(), &b64url_decode(signature)?) {
        return None;
    }
    serde_json::from_slice(&b64url_decode(body)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_reads_the_scheme_in_any_case() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&headers), None);
    }
}
