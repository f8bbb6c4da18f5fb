//! Reading the self-service API's answers.

use super::api::SelfServiceCall;
use super::error::refusal;
use super::types::{ClientKeys, PublicScope, RegisteredClient, RegisteredKey, ScopeAccess};
use crate::error::{Error, Result};
use crate::time::parse_iso8601;
use crate::ErrorKind;
use serde_json::{Map, Value};

/// The answer's status: 2xx goes on to parsing, 5xx and 429 are retryable, 4xx typed refusals.
fn check(status: u16, body: &[u8], call: SelfServiceCall) -> Result<()> {
    match status {
        200..=299 => Ok(()),
        429 | 500..=599 => Err(Error::Unavailable {
            status: Some(status),
            message: "the self-service API could not answer now".into(),
            snippet: String::new(),
        }),
        _ => Err(refusal(status, body, call.scope().as_str())),
    }
}

/// A parser shared by several calls is told which one was sent; any other is `invalid_argument`.
fn expect_call(call: SelfServiceCall, parser: &str, calls: &[SelfServiceCall]) -> Result<()> {
    if calls.contains(&call) {
        return Ok(());
    }
    let names: Vec<&str> = calls.iter().map(|c| c.as_str()).collect();
    Err(Error::invalid(
        ErrorKind::InvalidArgument,
        "call",
        format!("{parser} reads the answers of {}, not {}: use that call's parser", names.join(", "), call.as_str()),
    ))
}

fn malformed(status: u16, what: &str) -> Error {
    Error::MalformedResponse {
        status,
        message: format!("the self-service API's answer is not {what}"),
        snippet: String::new(),
    }
}

fn object(status: u16, body: &[u8], what: &str) -> Result<Map<String, Value>> {
    serde_json::from_slice(body).map_err(|_| malformed(status, what))
}

fn array(status: u16, body: &[u8], what: &str) -> Result<Vec<Value>> {
    serde_json::from_slice(body).map_err(|_| malformed(status, what))
}

fn text(map: &Map<String, Value>, name: &str) -> Option<String> {
    map.get(name).and_then(Value::as_str).map(str::to_string)
}

/// Unix seconds from epoch seconds, epoch milliseconds or an ISO-8601 date-time
/// (`2026-01-01T12:00:00.123Z`, `+01:00` offsets).
fn timestamp(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().map(|v| if v > 100_000_000_000 { v / 1000 } else { v }),
        Value::String(s) => parse_iso8601(s),
        _ => None,
    }
}

fn client(status: u16, map: &Map<String, Value>) -> Result<RegisteredClient> {
    let client_id = text(map, "client_id").ok_or_else(|| malformed(status, "a client (no client_id)"))?;
    let scopes = match map.get("scopes") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(spaced)) => spaced.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    };
    Ok(RegisteredClient {
        client_id,
        client_name: text(map, "client_name").unwrap_or_default(),
        description: text(map, "description").unwrap_or_default(),
        client_orgno: text(map, "client_orgno"),
        integration_type: text(map, "integration_type"),
        scopes,
        active: map.get("active").and_then(Value::as_bool).unwrap_or(true),
        created: timestamp(map.get("created")),
        last_updated: timestamp(map.get("last_updated")),
    })
}

/// Reads `GET /clients`.
pub fn parse_clients(status: u16, body: &[u8]) -> Result<Vec<RegisteredClient>> {
    check(status, body, SelfServiceCall::ListClients)?;
    array(status, body, "a list of clients")?
        .iter()
        .map(|item| {
            item.as_object().ok_or_else(|| malformed(status, "a list of clients")).and_then(|m| client(status, m))
        })
        .collect()
}

/// Reads the answer of `call`: [`SelfServiceCall::GetClient`], [`SelfServiceCall::CreateClient`]
/// or [`SelfServiceCall::UpdateClient`]. The call decides which admin scope a refusal names
/// (reading needs `idporten:dcr.read`, creating `idporten:dcr.write`, changing
/// `idporten:dcr.modify`); another call is `invalid_argument`.
pub fn parse_client(call: SelfServiceCall, status: u16, body: &[u8]) -> Result<RegisteredClient> {
    let calls = [SelfServiceCall::GetClient, SelfServiceCall::CreateClient, SelfServiceCall::UpdateClient];
    expect_call(call, "parse_client", &calls)?;
    check(status, body, call)?;
    client(status, &object(status, body, "a client")?)
}

/// Reads the answer of `call`: [`SelfServiceCall::GetKeys`] (`GET /clients/{id}/jwks`) or
/// [`SelfServiceCall::ReplaceKeys`] (`POST`, which returns the new set); the call decides which
/// admin scope a refusal names. A client without keys may answer 404 or an empty set: both give
/// an empty [`ClientKeys`].
pub fn parse_client_keys(call: SelfServiceCall, status: u16, body: &[u8]) -> Result<ClientKeys> {
    expect_call(call, "parse_client_keys", &[SelfServiceCall::GetKeys, SelfServiceCall::ReplaceKeys])?;
    if status == 404 && serde_json::from_slice::<Map<String, Value>>(body).is_ok_and(|m| m.contains_key("keys")) {
        return Ok(ClientKeys::default());
    }
    check(status, body, call)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ClientKeys::default());
    }
    let map = object(status, body, "a key set")?;
    let keys = match map.get("keys") {
        Some(Value::Array(keys)) => keys,
        None | Some(Value::Null) => return Ok(ClientKeys::default()),
        Some(_) => return Err(malformed(status, "a key set (keys is not a list)")),
    };
    let keys = keys
        .iter()
        .map(|jwk| {
            let map = jwk.as_object().ok_or_else(|| malformed(status, "a key set"))?;
            Ok(RegisteredKey {
                kid: text(map, "kid").ok_or_else(|| malformed(status, "a key set (a key has no kid)"))?,
                expires_at: timestamp(map.get("exp")),
                jwk_json: jwk.to_string(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ClientKeys { keys, created: timestamp(map.get("created")), last_updated: timestamp(map.get("last_updated")) })
}

/// Reads `GET /scopes/access/all`.
pub fn parse_scope_access(status: u16, body: &[u8]) -> Result<Vec<ScopeAccess>> {
    check(status, body, SelfServiceCall::ScopeAccess)?;
    Ok(array(status, body, "a list of scope access")?
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|m| Some(ScopeAccess { scope: text(m, "scope")?, state: text(m, "state").unwrap_or_default() }))
        .collect())
}

/// Reads `GET /scopes/all?accessible_for_all=true`.
pub fn parse_public_scopes(status: u16, body: &[u8]) -> Result<Vec<PublicScope>> {
    check(status, body, SelfServiceCall::PublicScopes)?;
    Ok(array(status, body, "a list of scopes")?
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|m| Some(PublicScope { name: text(m, "name")?, description: text(m, "description") }))
        .collect())
}

/// Reads the answer of a `DELETE` (deactivate a client, remove its keys).
pub fn parse_empty(status: u16, body: &[u8]) -> Result<()> {
    check(status, body, SelfServiceCall::DeactivateClient)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_set_with_expiries() {
        let body = br#"{"created":"2026-01-01T00:00:00Z","last_updated":"2026-03-01T12:00:00.5+01:00",
            "keys":[{"kid":"k1","kty":"RSA","alg":"RS256","use":"sig","e":"AQAB","n":"xyz","exp":1798761600}]}"#;
        let keys = parse_client_keys(SelfServiceCall::GetKeys, 200, body).unwrap();
        assert_eq!((keys.keys[0].kid.as_str(), keys.keys[0].expires_at), ("k1", Some(1_798_761_600)));
        assert_eq!(keys.created, Some(1_767_225_600));
        assert_eq!(keys.last_updated, Some(1_772_362_800));
        assert!(parse_client_keys(SelfServiceCall::GetKeys, 200, b"").unwrap().keys.is_empty());
    }

    #[test]
    fn clients_and_errors() {
        let body =
            br#"[{"client_id":"c1","client_name":"A","scopes":["a:b"],"active":true,"client_orgno":"311000004"}]"#;
        assert_eq!(parse_clients(200, body).unwrap()[0].scopes, vec!["a:b"]);
        let created = parse_client(SelfServiceCall::CreateClient, 201, br#"{"client_id":"c2","scopes":"a:b c:d"}"#);
        assert_eq!(created.unwrap().scopes.len(), 2);
        assert_eq!(
            parse_client(SelfServiceCall::GetClient, 200, b"{}").unwrap_err().kind(),
            ErrorKind::MalformedResponse
        );
        let wrong_call = parse_client(SelfServiceCall::GetKeys, 200, br#"{"client_id":"c2"}"#).unwrap_err();
        assert_eq!(wrong_call.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn a_refusal_names_the_scope_of_the_call_that_was_sent() {
        let scope_of = |error: Error| match error {
            Error::SelfService(refused) => refused.needed_scope,
            other => panic!("not a self-service refusal: {other}"),
        };
        let refused = |call| parse_client(call, 403, br#"{"error":"access_denied"}"#).unwrap_err();
        assert_eq!(scope_of(refused(SelfServiceCall::GetClient)), Some("idporten:dcr.read"));
        assert_eq!(scope_of(refused(SelfServiceCall::CreateClient)), Some("idporten:dcr.write"));
        assert_eq!(scope_of(refused(SelfServiceCall::UpdateClient)), Some("idporten:dcr.modify"));
        let keys = |call| parse_client_keys(call, 401, b"").unwrap_err();
        assert_eq!(scope_of(keys(SelfServiceCall::GetKeys)), Some("idporten:dcr.read"));
        assert_eq!(scope_of(keys(SelfServiceCall::ReplaceKeys)), Some("idporten:dcr.modify"));
        assert_eq!(
            parse_client_keys(SelfServiceCall::CreateClient, 200, b"{}").unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert!(parse_clients(503, b"").unwrap_err().is_retryable());
        assert_eq!(parse_empty(404, b"").unwrap_err().kind(), ErrorKind::ClientNotFound);
    }
}
