//! Request bodies, JSON or form-encoded (texas accepts both), as one map of fields, and the
//! typed fields of the token and introspection requests.

use super::problem::ApiError;
use axum::http::{header, HeaderMap, StatusCode};
use maskinporten::{AuthorizationDetail, GrantOptions, Resource};
use serde_json::{Map, Value};

/// The fields of a body: a JSON object, or form fields as strings.
pub struct Fields(Map<String, Value>);

impl Fields {
    /// Reads `body` by its `Content-Type` (JSON, or `application/x-www-form-urlencoded`), and
    /// refuses fields not in `known` (a misspelt `consumer_org` must not silently give a token
    /// for the client's own organisation).
    pub fn parse(headers: &HeaderMap, body: &[u8], known: &[&str]) -> Result<Fields, ApiError> {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let map = match media.as_str() {
            "application/json" => match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => map,
                Ok(_) => return Err(ApiError::invalid("body", "the JSON body must be an object")),
                Err(e) => {
                    return Err(ApiError::invalid(
                        "body",
                        format!("the body is not JSON (line {}, column {})", e.line(), e.column()),
                    ))
                }
            },
            "application/x-www-form-urlencoded" => {
                let mut map = Map::new();
                for (name, value) in form_urlencoded::parse(body) {
                    if map.insert(name.to_string(), Value::String(value.into_owned())).is_some() {
                        return Err(ApiError::invalid(&name, format!("the field {name:?} is given twice")));
                    }
                }
                map
            }
            _ => {
                return Err(ApiError::service(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "invalid_request",
                    "send the body as application/json or application/x-www-form-urlencoded",
                ))
            }
        };
        if let Some(unknown) = map.keys().find(|name| !known.contains(&name.as_str())) {
            let shown: String = unknown.chars().take(40).collect();
            return Err(ApiError::invalid(
                "body",
                format!("unknown field {shown:?}; the fields are: {}", known.join(", ")),
            ));
        }
        Ok(Fields(map))
    }

    /// A string field (JSON strings only; numbers are not coerced).
    pub fn text(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.as_str())),
            Some(_) => Err(ApiError::invalid(name, format!("{name} must be a string"))),
        }
    }

    /// A required string field.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.text(name)?.filter(|t| !t.is_empty()).ok_or_else(|| ApiError::invalid(name, format!("{name} is required")))
    }

    /// A boolean: JSON `true`/`false`, or the strings `true`/`false` (form fields).
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(on)) => Ok(*on),
            Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(text)) if text.eq_ignore_ascii_case("false") || text.is_empty() => Ok(false),
            Some(_) => Err(ApiError::invalid(name, format!("{name} must be true or false"))),
        }
    }

    /// A list given as a JSON array of strings or one space-separated string.
    pub fn list(&self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(text)) => Ok(text.split_whitespace().map(str::to_string).collect()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| ApiError::invalid(name, format!("{name} must hold strings"))),
            Some(_) => Err(ApiError::invalid(name, format!("{name} must be a string or an array of strings"))),
        }
    }

    /// `identity_provider`, which must be `maskinporten`.
    pub fn check_identity_provider(&self) -> Result<(), ApiError> {
        match self.required("identity_provider")? {
            "maskinporten" => Ok(()),
            other => Err(ApiError::service(
                StatusCode::BAD_REQUEST,
                "unsupported_identity_provider",
                format!("identity_provider {:?} is not served here: use \"maskinporten\"", short(other)),
            )
            .with_field("identity_provider")),
        }
    }

    /// `authorization_details`: a JSON array or object, or (form fields) its JSON text.
    fn authorization_details(&self) -> Result<Vec<AuthorizationDetail>, ApiError> {
        let parsed = match self.0.get("authorization_details") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::String(text)) => AuthorizationDetail::from_json(text),
            Some(value) => AuthorizationDetail::from_json(&value.to_string()),
        };
        parsed.map_err(|e| ApiError::from_core(&e))
    }
}

/// The token request's fields.
pub const TOKEN_FIELDS: &[&str] = &[
    "identity_provider",
    "target",
    "resource",
    "skip_cache",
    "consumer_org",
    "authorization_details",
    "altinn",
    "client",
];

/// The introspection request's fields.
pub const INTROSPECT_FIELDS: &[&str] = &["identity_provider", "token", "scopes", "audience", "client"];

/// A parsed token request.
pub struct TokenRequest {
    pub client: Option<String>,
    pub options: GrantOptions,
    pub skip_cache: bool,
    pub altinn: bool,
}

impl TokenRequest {
    /// Reads texas's fields (`target` is the scope, space-separated for several) and ours.
    pub fn from_fields(fields: &Fields) -> Result<TokenRequest, ApiError> {
        fields.check_identity_provider()?;
        let scopes = fields.list("target")?;
        if scopes.is_empty() {
            return Err(ApiError::invalid("target", "target (the scope, space-separated for several) is required"));
        }
        let mut options = GrantOptions::new(scopes);
        let resources = fields.list("resource")?;
        options.resource = match resources.len() {
            0 => None,
            1 => resources.into_iter().next().map(Resource::One),
            _ => Some(Resource::Many(resources)),
        };
        options.consumer_org = fields.text("consumer_org")?.filter(|t| !t.is_empty()).map(str::to_string);
        options.authorization_details = fields.authorization_details()?;
        Ok(TokenRequest {
            client: fields.text("client")?.map(str::to_string),
            options,
            skip_cache: fields.flag("skip_cache")?,
            altinn: fields.flag("altinn")?,
        })
    }
}

/// A caller's value cut for a message.
pub fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn typed(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        headers
    }

    #[test]
    fn json_and_form_give_the_same_request() {
        let json = br#"{"identity_provider":"maskinporten","target":"a:b c:d","resource":"https://api.example.no","skip_cache":true}"#;
        let form =
            b"identity_provider=maskinporten&target=a%3Ab+c%3Ad&resource=https%3A%2F%2Fapi.example.no&skip_cache=true";
        for (headers, body) in [
            (typed("application/json"), &json[..]),
            (typed("application/x-www-form-urlencoded; charset=utf-8"), &form[..]),
        ] {
            let request = TokenRequest::from_fields(&Fields::parse(&headers, body, TOKEN_FIELDS).unwrap()).unwrap();
            assert_eq!(request.options.scopes, ["a:b", "c:d"]);
            assert_eq!(request.options.resource, Some(Resource::One("https://api.example.no".into())));
            assert!(request.skip_cache && !request.altinn);
        }
    }

    #[test]
    fn mistakes_name_the_field() {
        let json = typed("application/json");
        let parse = |body: &str| {
            Fields::parse(&json, body.as_bytes(), TOKEN_FIELDS).and_then(|f| TokenRequest::from_fields(&f))
        };
        assert_eq!(parse(r#"{"target":"a"}"#).err().unwrap().field.as_deref(), Some("identity_provider"));
        assert_eq!(
            parse(r#"{"identity_provider":"azuread","target":"a"}"#).err().unwrap().kind,
            "unsupported_identity_provider"
        );
        assert_eq!(parse(r#"{"identity_provider":"maskinporten"}"#).err().unwrap().field.as_deref(), Some("target"));
        assert!(parse(r#"{"identity_provider":"maskinporten","target":"a","consumerOrg":"1"}"#)
            .err()
            .unwrap()
            .message
            .contains("consumerOrg"));
        assert_eq!(
            parse(r#"{"identity_provider":"maskinporten","target":"a","skip_cache":"maybe"}"#)
                .err()
                .unwrap()
                .field
                .as_deref(),
            Some("skip_cache")
        );
        assert_eq!(parse("[1]").err().unwrap().field.as_deref(), Some("body"));
        assert_eq!(parse("{").err().unwrap().status, StatusCode::BAD_REQUEST);
        let form = typed("application/x-www-form-urlencoded");
        assert!(Fields::parse(&form, b"target=a&target=b", TOKEN_FIELDS).err().unwrap().message.contains("twice"));
        assert_eq!(
            Fields::parse(&typed("text/plain"), b"x", TOKEN_FIELDS).err().unwrap().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }
}
