//! The self-service API's endpoints under `/api/v1`, as Digdir documents them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::auth::{authorize, Admin};
use super::directory::{ClientRecord, KeySet};
use super::jwks::{check_key_set, FieldError};
use super::time::iso8601;
use crate::server::Shared;

const READ: &str = "idporten:dcr.read";
const WRITE: &str = "idporten:dcr.write";
const MODIFY: &str = "idporten:dcr.modify";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The path the API lives under, after the simulator's base URL.
pub(crate) const BASE_PATH: &str = "api/v1";

/// The routes, to merge into the simulator's router.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/clients", get(list_clients).post(create_client))
        .route("/api/v1/clients/{id}", get(get_client).put(update_client).delete(deactivate_client))
        .route("/api/v1/clients/{id}/jwks", get(get_keys).post(replace_keys).delete(remove_keys))
        .route("/api/v1/scopes/access/all", get(scope_access))
        .route("/api/v1/scopes/all", get(all_scopes))
}

/// An error answer: `{"error", "error_description", "errors": [{"field", "message"}]}`.
pub(crate) fn problem(status: StatusCode, error: &str, description: String, fields: Vec<FieldError>) -> Response {
    let mut body = json!({"error": error, "error_description": description});
    if !fields.is_empty() {
        body["errors"] =
            fields.into_iter().map(|(field, message)| json!({"field": field, "message": message})).collect();
    }
    (status, Json(body)).into_response()
}

fn not_found(client_id: &str) -> Response {
    problem(StatusCode::NOT_FOUND, "not_found", format!("no client {client_id:?} in your organisation"), Vec::new())
}

fn invalid(fields: Vec<FieldError>) -> Response {
    problem(StatusCode::BAD_REQUEST, "invalid_request", "the request has invalid fields".into(), fields)
}

fn client_json(record: &ClientRecord) -> Value {
    json!({
        "client_id": record.client_id,
        "client_name": record.client_name,
        "description": record.description,
        "client_orgno": record.org_number,
        "integration_type": "maskinporten",
        "application_type": "web",
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": [JWT_BEARER],
        "scopes": record.scopes,
        "active": record.active,
        "created": iso8601(record.created),
        "last_updated": iso8601(record.last_updated),
    })
}

fn keys_json(set: Option<&KeySet>) -> Value {
    match set {
        Some(set) => {
            json!({"created": iso8601(set.created), "last_updated": iso8601(set.last_updated), "keys": set.keys})
        }
        None => json!({"keys": []}),
    }
}

/// Saves a change; the API answers with the new state whatever the state file says.
fn commit(shared: &Shared, record: ClientRecord, now: i64) {
    let mut directory = shared.directory();
    let mut registry = shared.registry_write();
    if let Some(warning) = directory.commit(record, &mut registry, now) {
        eprintln!("maskinporten-simulator: {warning}");
    }
}

/// Runs `f` for an authorized caller of an active client of its organisation.
fn with_client(
    shared: &Shared,
    headers: &HeaderMap,
    scope: &'static str,
    client_id: &str,
    f: impl FnOnce(Admin, ClientRecord, i64) -> Response,
) -> Response {
    let now = shared.now();
    let admin = match authorize(shared, headers, scope, now) {
        Ok(admin) => admin,
        Err(answer) => return answer,
    };
    let record = shared.directory().get(&admin.org, client_id).filter(|r| r.active).cloned();
    match record {
        Some(record) => f(admin, record, now),
        None => not_found(client_id),
    }
}

async fn list_clients(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let admin = match authorize(&shared, &headers, READ, shared.now()) {
        Ok(admin) => admin,
        Err(answer) => return answer,
    };
    let list: Vec<Value> = shared.directory().of_org(&admin.org).into_iter().map(client_json).collect();
    Json(list).into_response()
}

async fn get_client(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let now = shared.now();
    let admin = match authorize(&shared, &headers, READ, now) {
        Ok(admin) => admin,
        Err(answer) => return answer,
    };
    match shared.directory().get(&admin.org, &id) {
        Some(record) => Json(client_json(record)).into_response(),
        None => not_found(&id),
    }
}

/// The fields a client description carries, checked as Digdir's API checks them.
struct Description {
    client_name: String,
    description: String,
    scopes: Vec<String>,
}

fn description(shared: &Shared, org: &str, body: &[u8], creating: bool) -> Result<Description, Response> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid(vec![("body".into(), "must be a JSON object".into())]));
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let text = |name: &str| body.get(name).and_then(Value::as_str);
    match text("integration_type") {
        Some("maskinporten") => {}
        None if !creating => {}
        _ if creating => errors.push(("integration_type".into(), "must be maskinporten".into())),
        _ => errors.push(("integration_type".into(), "cannot be changed".into())),
    }
    if text("token_endpoint_auth_method").is_some_and(|m| m != "private_key_jwt")
        || (creating && text("token_endpoint_auth_method").is_none())
    {
        errors.push(("token_endpoint_auth_method".into(), "must be private_key_jwt".into()));
    }
    let grant_types_ok = match body.get("grant_types") {
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(JWT_BEARER)),
        None => !creating,
        Some(_) => false,
    };
    if !grant_types_ok {
        errors.push(("grant_types".into(), format!("must include {JWT_BEARER}")));
    }
    let mut required = |name: &str| match text(name).map(str::trim) {
        Some(value) if !value.is_empty() => value.to_string(),
        _ => {
            errors.push((name.into(), "must not be blank".into()));
            String::new()
        }
    };
    let client_name = required("client_name");
    let description = required("description");
    let scopes = scopes(shared, org, &body, &mut errors);
    if errors.is_empty() {
        Ok(Description { client_name, description, scopes })
    } else {
        Err(invalid(errors))
    }
}

fn scopes(shared: &Shared, org: &str, body: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Vec<String> {
    let list: Vec<String> = match body.get("scopes") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).map(str::to_string).collect()
        }
        Some(_) => {
            errors.push(("scopes".into(), "must be a list of scope names".into()));
            return Vec::new();
        }
    };
    let registry = shared.registry_read();
    for scope in &list {
        let allowed = !scope.starts_with("idporten:")
            && registry
                .scopes
                .get(scope)
                .is_some_and(|config| config.consumers.as_ref().is_none_or(|orgs| orgs.iter().any(|o| o == org)));
        if !allowed {
            errors.push(("scopes".into(), format!("{scope:?} is not a scope the organisation {org} has access to")));
        }
    }
    let mut unique: Vec<String> = Vec::with_capacity(list.len());
    for scope in list {
        if !unique.contains(&scope) {
            unique.push(scope);
        }
    }
    unique
}

async fn create_client(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let now = shared.now();
    let admin = match authorize(&shared, &headers, WRITE, now) {
        Ok(admin) => admin,
        Err(answer) => return answer,
    };
    let fields = match description(&shared, &admin.org, &body, true) {
        Ok(fields) => fields,
        Err(answer) => return answer,
    };
    let record = ClientRecord {
        client_id: uuid::Uuid::new_v4().to_string(),
        org_number: admin.org,
        client_name: fields.client_name,
        description: fields.description,
        scopes: fields.scopes,
        active: true,
        created: now,
        last_updated: now,
        x5c: true,
        jwks: None,
    };
    let answer = client_json(&record);
    commit(&shared, record, now);
    (StatusCode::CREATED, Json(answer)).into_response()
}

async fn update_client(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_client(&shared, &headers, MODIFY, &id, |admin, mut record, now| {
        let fields = match description(&shared, &admin.org, &body, false) {
            Ok(fields) => fields,
            Err(answer) => return answer,
        };
        record.client_name = fields.client_name;
        record.description = fields.description;
        record.scopes = fields.scopes;
        record.last_updated = now;
        let answer = client_json(&record);
        commit(&shared, record, now);
        Json(answer).into_response()
    })
}

async fn deactivate_client(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    with_client(&shared, &headers, MODIFY, &id, |_, mut record, now| {
        record.active = false;
        record.last_updated = now;
        let answer = client_json(&record);
        commit(&shared, record, now);
        Json(answer).into_response()
    })
}

async fn get_keys(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    with_client(&shared, &headers, READ, &id, |_, record, _| Json(keys_json(record.jwks.as_ref())).into_response())
}

async fn replace_keys(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_client(&shared, &headers, MODIFY, &id, |_, mut record, now| {
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return invalid(vec![("body".into(), "must be a JSON object {\"keys\": [...]}".into())]);
        };
        let keys = match check_key_set(&body, now) {
            Ok(keys) => keys,
            Err(errors) => return invalid(errors),
        };
        let created = record.jwks.as_ref().map_or(now, |set| set.created);
        record.jwks = Some(KeySet { created, last_updated: now, keys });
        record.last_updated = now;
        let answer = keys_json(record.jwks.as_ref());
        commit(&shared, record, now);
        (StatusCode::CREATED, Json(answer)).into_response()
    })
}

async fn remove_keys(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    with_client(&shared, &headers, MODIFY, &id, |_, mut record, now| {
        record.jwks = None;
        record.last_updated = now;
        commit(&shared, record, now);
        StatusCode::NO_CONTENT.into_response()
    })
}

async fn scope_access(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let admin = match authorize(&shared, &headers, READ, shared.now()) {
        Ok(admin) => admin,
        Err(answer) => return answer,
    };
    let registry = shared.registry_read();
    let mut granted: Vec<&str> = registry
        .scopes
        .values()
        .filter(|s| s.consumers.as_ref().is_some_and(|orgs| orgs.contains(&admin.org)))
        .map(|s| s.name.as_str())
        .collect();
    granted.sort_unstable();
    let list: Vec<Value> = granted
        .into_iter()
        .map(|scope| json!({"scope": scope, "consumer_orgno": admin.org, "state": "APPROVED"}))
        .collect();
    Json(list).into_response()
}

async fn all_scopes(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(answer) = authorize(&shared, &headers, READ, shared.now()) {
        return answer;
    }
    let public_only = query.get("accessible_for_all").is_some_and(|v| v == "true");
    let registry = shared.registry_read();
    let mut scopes: Vec<(&str, bool)> = registry
        .scopes
        .values()
        .filter(|s| !s.name.starts_with("idporten:"))
        .map(|s| (s.name.as_str(), s.consumers.is_none()))
        .filter(|(_, public)| *public || !public_only)
        .collect();
    scopes.sort_unstable();
    let list: Vec<Value> = scopes
        .into_iter()
        .map(|(name, public)| json!({"name": name, "description": format!("{name} (simulated)"), "accessible_for_all": public}))
        .collect();
    Json(list).into_response()
}
