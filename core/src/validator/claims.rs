//! What a validated Maskinporten access token says, in typed form.

use serde_json::{Map, Value};

/// An organisation as Maskinporten writes it: `{"authority": "iso6523-actorid-upis", "ID": "0192:<orgno>[:...]"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Organisation {
    /// The whole `ID`, such as `0192:991825827` or `0192:991825827:ER//987464291:1`.
    pub id: String,
    /// The 9-digit organisation number: the second part of the ID.
    pub org_number: String,
    /// Parts after the org number (a sub-unit such as `ER//987464291`, a sequence), if any.
    pub sub_unit: Vec<String>,
}

impl Organisation {
    /// Parses `{"ID": ...}` (key names case-insensitive). The ID has 2 to 4 colon-separated parts:
    /// an ICD (`0192` for Norway's register) and the org number, then optional qualifiers.
    pub(crate) fn from_claim(value: &Value) -> Option<Organisation> {
        Organisation::parse_id(get_ci(value.as_object()?, "id")?.as_str()?)
    }

    /// Parses an ID such as `0192:991825827` or `0192:991825827:ER//987464291:1` (2 to 4
    /// colon-separated parts, the org number second); `None` when it is not of that form.
    pub fn parse_id(id: &str) -> Option<Organisation> {
        let parts: Vec<&str> = id.split(':').collect();
        if !(2..=4).contains(&parts.len()) || parts[0].is_empty() {
            return None;
        }
        let org_number = parts[1];
        if org_number.len() != 9 || !org_number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Organisation {
            id: id.to_string(),
            org_number: org_number.to_string(),
            sub_unit: parts[2..].iter().map(|s| s.to_string()).collect(),
        })
    }
}

/// One `authorization_details` entry of an access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// `urn:altinn:systemuser`: a system user acting for `org`.
    SystemUser {
        /// The organisation the system user belongs to (`systemuser_org`).
        org: Option<Organisation>,
        /// The system user ids (`systemuser_id`).
        system_user_ids: Vec<String>,
        /// The registered system (`system_id`).
        system_id: Option<String>,
        /// The vendor's reference (`externalRef`), when given.
        external_ref: Option<String>,
    },
    /// `urn:altinn:consent`.
    Consent {
        /// Consent id.
        id: Option<String>,
        /// The party that gave the consent.
        from: Option<String>,
    },
    /// Any other type, as JSON.
    Other(String),
}

impl Authorization {
    pub(crate) fn from_claim(value: &Value) -> Authorization {
        let Some(map) = value.as_object() else { return Authorization::Other(value.to_string()) };
        let text = |name: &str| get_ci(map, name).and_then(Value::as_str).map(str::to_string);
        match text("type").as_deref() {
            Some(crate::SYSTEM_USER_TYPE) => Authorization::SystemUser {
                org: get_ci(map, "systemuser_org").and_then(Organisation::from_claim),
                system_user_ids: match get_ci(map, "systemuser_id") {
                    Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                    Some(Value::String(id)) => vec![id.clone()],
                    _ => Vec::new(),
                },
                system_id: text("system_id"),
                external_ref: text("externalref"),
            },
            Some(crate::CONSENT_TYPE) => Authorization::Consent { id: text("id"), from: text("from") },
            _ => Authorization::Other(value.to_string()),
        }
    }
}

/// A member of a JSON object, with the name compared case-insensitively.
pub(crate) fn get_ci<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// A token that passed every check, with what the API needs to authorize the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedToken {
    /// The organisation the token is for (`consumer`): authorize on this, never on `client_id`.
    pub consumer: Organisation,
    /// The supplier acting for the consumer, when delegated.
    pub supplier: Option<Organisation>,
    /// Where the delegation came from (`delegation_source`), when delegated.
    pub delegation_source: Option<String>,
    /// The client that asked for the token.
    pub client_id: String,
    /// How the client authenticated (`virksomhetssertifikat`, `private_key_jwt`, ...).
    pub client_amr: Option<String>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// `aud`, when the token was asked for with a `resource`.
    pub audience: Vec<String>,
    /// Person identifier, for person-bound tokens.
    pub pid: Option<String>,
    /// Issued at, Unix seconds.
    pub issued_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// Token id.
    pub jti: Option<String>,
    /// `authorization_details`, typed.
    pub authorization_details: Vec<Authorization>,
    /// All claims, as JSON.
    pub claims_json: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn consumer_ids_with_two_to_four_parts() {
        let org =
            Organisation::from_claim(&json!({"authority": "iso6523-actorid-upis", "ID": "0192:991825827"})).unwrap();
        assert_eq!((org.org_number.as_str(), org.sub_unit.len()), ("991825827", 0));
        let sub = Organisation::from_claim(&json!({"Authority": "x", "id": "0192:991825827:ER//987464291:1"})).unwrap();
        assert_eq!(sub.org_number, "991825827");
        assert_eq!(sub.sub_unit, vec!["ER//987464291", "1"]);
        assert!(Organisation::from_claim(&json!({"ID": "0192"})).is_none());
        assert!(Organisation::from_claim(&json!({"ID": "0192:1:2:3:4"})).is_none());
        assert!(Organisation::from_claim(&json!({"ID": "0192:abc"})).is_none());
    }

    #[test]
    fn system_user_keys_are_case_insensitive() {
        let detail = Authorization::from_claim(
            &json!({"type": "urn:altinn:systemuser", "SystemUser_Org": {"ID": "0192:313000001"}, "systemuser_id": ["a"], "externalRef": "r"}),
        );
        match detail {
            Authorization::SystemUser { org, system_user_ids, external_ref, .. } => {
                assert_eq!(org.unwrap().org_number, "313000001");
                assert_eq!(system_user_ids, vec!["a"]);
                assert_eq!(external_ref.as_deref(), Some("r"));
            }
            other => panic!("{other:?}"),
        }
    }
}
