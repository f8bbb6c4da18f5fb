//! Rich authorization requests (RFC 9396) in grants: Altinn system users and consents.

use crate::error::{Error, ErrorKind, Result};
use crate::identifiers::is_valid_org_number;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::fmt;

/// `type` of an Altinn system-user authorization.
pub const SYSTEM_USER_TYPE: &str = "urn:altinn:systemuser";
/// `type` of an Altinn consent authorization.
pub const CONSENT_TYPE: &str = "urn:altinn:consent";

/// One entry of the grant's `authorization_details` array.
///
/// ```
/// use maskinporten::AuthorizationDetail;
/// let detail = AuthorizationDetail::system_user("313000001", Some("my-ref"))?;
/// assert_eq!(detail.to_json(), r#"{"externalRef":"my-ref","systemuser_org":{"ID":"0192:313000001","authority":"iso6523-actorid-upis"},"type":"urn:altinn:systemuser"}"#);
/// # Ok::<(), maskinporten::Error>(())
/// ```
///
/// `Debug` shows the JSON with anything shaped like a pid (a consent's `from` may name a person)
/// or a token redacted.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct AuthorizationDetail(Value);

impl fmt::Debug for AuthorizationDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AuthorizationDetail").field(&crate::redact::Scrubbed(&self.to_json())).finish()
    }
}

impl AuthorizationDetail {
    /// A system user acting for organisation `org_number`, with an optional `externalRef`
    /// (the reference the vendor gave the system user).
    pub fn system_user(org_number: &str, external_ref: Option<&str>) -> Result<AuthorizationDetail> {
        if !is_valid_org_number(org_number) {
            return Err(invalid(format!(
                "systemuser_org {:?} is not a valid organisation number (9 digits with a modulus-11 check digit)",
                crate::snippet::sanitize(org_number, 40)
            )));
        }
        let mut detail = json!({
            "type": SYSTEM_USER_TYPE,
            "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{org_number}")},
        });
        if let (Some(reference), Value::Object(map)) = (external_ref, &mut detail) {
            check_external_ref(reference)?;
            map.insert("externalRef".into(), reference.into());
        }
        Ok(AuthorizationDetail(detail))
    }

    /// A consent (`urn:altinn:consent`) with its `id`, given `from` a party.
    pub fn consent(id: &str, from: &str) -> Result<AuthorizationDetail> {
        if id.is_empty() || from.is_empty() {
            return Err(invalid("a consent needs a non-empty id and from".into()));
        }
        Ok(AuthorizationDetail(json!({"type": CONSENT_TYPE, "id": id, "from": from})))
    }

    /// Raw JSON: one object, or an array of objects, each with a string `type`. Known types are
    /// checked for their required fields.
    pub fn from_json(json: &str) -> Result<Vec<AuthorizationDetail>> {
        let value: Value = serde_json::from_slice(json.as_bytes()).map_err(|e| {
            invalid(format!("authorization_details is not valid JSON ({})", crate::snippet::json_error(&e)))
        })?;
        let items = match value {
            Value::Array(items) => items,
            object @ Value::Object(_) => vec![object],
            _ => return Err(invalid("authorization_details must be a JSON object or an array of objects".into())),
        };
        items.into_iter().map(AuthorizationDetail::from_value).collect()
    }

    /// Checks one JSON value as an authorization detail.
    pub fn from_value(value: Value) -> Result<AuthorizationDetail> {
        let Value::Object(map) = &value else {
            return Err(invalid("each authorization_details entry must be a JSON object".into()));
        };
        match map.get("type").and_then(Value::as_str) {
            Some(SYSTEM_USER_TYPE) => check_system_user(map)?,
            Some(CONSENT_TYPE) => {
                for field in ["id", "from"] {
                    if map.get(field).and_then(Value::as_str).is_none_or(str::is_empty) {
                        return Err(invalid(format!("a {CONSENT_TYPE} entry needs a non-empty string \"{field}\"")));
                    }
                }
            }
            Some(t) if !t.is_empty() => {}
            _ => return Err(invalid("each authorization_details entry needs a string \"type\"".into())),
        }
        Ok(AuthorizationDetail(value))
    }

    /// What may be wrong without being refused here (an `externalRef` with characters Altinn's
    /// client does not use), for the host to show.
    pub fn warnings(&self) -> Vec<String> {
        let reference = self.0.get("externalRef").and_then(Value::as_str);
        reference.and_then(external_ref_warning).into_iter().collect()
    }

    /// The entry as compact JSON (keys sorted, so equal entries give equal bytes).
    pub fn to_json(&self) -> String {
        self.0.to_string()
    }

    /// The entry as a JSON value.
    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

/// Maskinporten takes at most 255 characters.
const MAX_EXTERNAL_REF: usize = 255;

fn check_external_ref(reference: &str) -> Result<()> {
    if reference.is_empty() {
        return Err(invalid("externalRef is empty: leave it out or give the reference".into()));
    }
    if reference.chars().count() > MAX_EXTERNAL_REF {
        return Err(invalid(format!("externalRef is longer than {MAX_EXTERNAL_REF} characters")));
    }
    Ok(())
}

/// Characters Altinn's own client allows in `externalRef`; Altinn's docs show others (a dot), so
/// anything else is a warning, not a refusal.
fn external_ref_warning(reference: &str) -> Option<String> {
    let unusual: String =
        reference.chars().filter(|c| !(c.is_ascii_alphanumeric() || "æøåÆØÅ_-".contains(*c))).take(5).collect();
    (!unusual.is_empty()).then(|| {
        format!(
            "externalRef has characters outside A-Z a-z 0-9 æøå ÆØÅ _ - ({unusual:?}): Altinn may refuse it (MP-303)"
        )
    })
}

fn check_system_user(map: &Map<String, Value>) -> Result<()> {
    if let Some(reference) = map.get("externalRef") {
        check_external_ref(reference.as_str().ok_or_else(|| invalid("externalRef must be a string".into()))?)?;
    }
    let id = map.get("systemuser_org").and_then(|org| org.get("ID")).and_then(Value::as_str);
    let org = id.and_then(|id| id.strip_prefix("0192:"));
    match org {
        Some(org) if is_valid_org_number(org) => Ok(()),
        _ => Err(invalid(format!(
            "a {SYSTEM_USER_TYPE} entry needs systemuser_org.ID \"0192:<orgno>\" with a valid organisation number"
        ))),
    }
}

fn invalid(message: String) -> Error {
    Error::invalid(ErrorKind::InvalidAuthorizationDetails, "authorization_details", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_ref_is_bounded_and_unusual_characters_warn() {
        assert!(AuthorizationDetail::system_user("313000001", Some(&"x".repeat(256))).is_err());
        let dotted = AuthorizationDetail::system_user("313000001", Some("ref.with.dots")).unwrap();
        assert_eq!(dotted.warnings().len(), 1);
        assert!(AuthorizationDetail::system_user("313000001", Some("ærlig_ref-1")).unwrap().warnings().is_empty());
        let raw = r#"{"type":"urn:altinn:systemuser","systemuser_org":{"ID":"0192:313000001"},"externalRef":7}"#;
        assert!(AuthorizationDetail::from_json(raw).is_err());
    }
}
