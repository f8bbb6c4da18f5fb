//! What a validated Maskinporten access token says, in typed form.

use serde_json::{Map, Value};

/// The authority of organisations in Norway's and other registers (ISO 6523 ICD + identifier).
pub const ISO6523_AUTHORITY: &str = "iso6523-actorid-upis";
/// The ISO 6523 ICD of Norway's Central Coordinating Register (Brønnøysund).
const NORWAY_ICD: &str = "0192";

/// An organisation as a token names it: `{"authority": "iso6523-actorid-upis", "ID":
/// "0192:<orgno>[:...]"}` for Norwegian organisations, or for a foreign organisation with a
/// European eSeal an ETSI authority and its raw `organizationIdentifier` (`NTRNO-555555555`,
/// `VATSE-...`), with name fields. A Norwegian org number is only ever read from a `0192` ID.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Organisation {
    /// `iso6523-actorid-upis`, or the authority an eSeal consumer is named by.
    pub authority: String,
    /// The whole ID, such as `0192:991825827`, `0192:991825827:ER//987464291:1` or `NTRNO-555555555`.
    pub id: String,
    /// The 9-digit Norwegian organisation number, only for a `0192` ID under ISO 6523.
    pub org_number: Option<String>,
    /// Parts after the org number (a sub-unit such as `ER//987464291`, a sequence), if any.
    pub sub_unit: Vec<String>,
    /// Other string members of the claim (an eSeal's `commonName`, `organizationName`,
    /// `countryName`...), by member name.
    pub names: std::collections::HashMap<String, String>,
}

impl Organisation {
    /// Reads `{"authority": ..., "ID": ...}` (key names case-insensitive).
    pub(crate) fn from_claim(value: &Value) -> Option<Organisation> {
        let map = value.as_object()?;
        let id = get_ci(map, "id")?.as_str()?;
        let authority = get_ci(map, "authority").and_then(Value::as_str).unwrap_or(ISO6523_AUTHORITY);
        let mut organisation = Organisation::parse(authority, id)?;
        organisation.names = map
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("id") && !k.eq_ignore_ascii_case("authority"))
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        Some(organisation)
    }

    /// An organisation named by `authority` and `id`. Under ISO 6523 the ID has 2 to 4
    /// colon-separated parts (an ICD, the identifier, then optional qualifiers) and the org
    /// number is read only for ICD `0192`; under another authority the ID is kept as given.
    /// `None` when the ID is not of that form.
    pub fn parse(authority: &str, id: &str) -> Option<Organisation> {
        if id.is_empty() || id.len() > 256 || id.chars().any(char::is_control) {
            return None;
        }
        if !authority.eq_ignore_ascii_case(ISO6523_AUTHORITY) {
            if authority.is_empty() {
                return None;
            }
            return Some(Organisation {
                authority: authority.to_string(),
                id: id.to_string(),
                org_number: None,
                sub_unit: Vec::new(),
                names: Default::default(),
            });
        }
        let parts: Vec<&str> = id.split(':').collect();
        if !(2..=4).contains(&parts.len()) || parts[0].is_empty() || parts[1].is_empty() {
            return None;
        }
        let norwegian = parts[0] == NORWAY_ICD;
        if norwegian && (parts[1].len() != 9 || !parts[1].bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        Some(Organisation {
            authority: ISO6523_AUTHORITY.to_string(),
            id: id.to_string(),
            org_number: norwegian.then(|| parts[1].to_string()),
            sub_unit: parts[2..].iter().map(|s| s.to_string()).collect(),
            names: Default::default(),
        })
    }

    /// Parses an ISO 6523 ID such as `0192:991825827` or `0192:991825827:ER//987464291:1`.
    pub fn parse_id(id: &str) -> Option<Organisation> {
        Organisation::parse(ISO6523_AUTHORITY, id)
    }

    /// Whether this is a Norwegian organisation (an org number from a `0192` ID).
    pub fn is_norwegian(&self) -> bool {
        self.org_number.is_some()
    }
}

/// One `authorization_details` entry of an access token. `Debug` redacts what may name a person.
#[derive(Clone, PartialEq, Eq)]
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
    /// `urn:altinn:consent`: a person's or organisation's consent to this consumer.
    Consent {
        /// Consent id.
        id: Option<String>,
        /// The party that gave the consent (`urn:altinn:person:identifier-no:<pid>` or
        /// `urn:altinn:organization:identifier-no:<orgno>`).
        from: Option<String>,
        /// The organisation the consent was given to: it must be the token's consumer.
        to: Option<Organisation>,
        /// When the consent was given, as the token wrote it (ISO-8601).
        consented: Option<String>,
        /// When the consent ends (Unix seconds), from `validTo`.
        valid_to: Option<i64>,
        /// The consented rights (`consentRights`), as JSON.
        consent_rights: Option<String>,
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
            Some(crate::CONSENT_TYPE) => Authorization::Consent {
                id: text("id"),
                from: text("from"),
                to: get_ci(map, "to").and_then(Organisation::from_claim),
                consented: text("consented"),
                valid_to: text("validto").as_deref().and_then(crate::time::parse_iso8601),
                consent_rights: get_ci(map, "consentrights").map(Value::to_string),
            },
            _ => Authorization::Other(value.to_string()),
        }
    }
}

/// A member of a JSON object, with the name compared case-insensitively.
pub(crate) fn get_ci<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// A token that passed every check, with what the API needs to authorize the call. `Debug` shows
/// no `pid` (personal data), in the field or in the claims.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidatedToken {
    /// The organisation the token is for (`consumer`): authorize on this, never on `client_id`.
    /// For a foreign eSeal consumer (allowed only by [`crate::Requirements::with_eseal_consumers`])
    /// `org_number` is `None`.
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

impl ValidatedToken {
    /// Whether the client authenticated with a European eSeal (`client_amr` `CForESeal` or
    /// `QCForESeal`): a foreign organisation without a registered client.
    pub fn is_eseal(&self) -> bool {
        matches!(self.client_amr.as_deref(), Some("CForESeal" | "QCForESeal"))
    }

    /// The system-user entries of `authorization_details`.
    pub fn system_users(&self) -> impl Iterator<Item = &Authorization> {
        self.authorization_details.iter().filter(|a| matches!(a, Authorization::SystemUser { .. }))
    }

    /// The consent entries of `authorization_details`.
    pub fn consents(&self) -> impl Iterator<Item = &Authorization> {
        self.authorization_details.iter().filter(|a| matches!(a, Authorization::Consent { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn consumer_ids_with_two_to_four_parts() {
        let org =
            Organisation::from_claim(&json!({"authority": "iso6523-actorid-upis", "ID": "0192:991825827"})).unwrap();
        assert_eq!((org.org_number.as_deref(), org.sub_unit.len()), (Some("991825827"), 0));
        let sub = Organisation::from_claim(&json!({"id": "0192:991825827:ER//987464291:1"})).unwrap();
        assert_eq!(sub.org_number.as_deref(), Some("991825827"));
        assert_eq!(sub.sub_unit, vec!["ER//987464291", "1"]);
        assert!(Organisation::from_claim(&json!({"ID": "0192"})).is_none());
        assert!(Organisation::from_claim(&json!({"ID": "0192:1:2:3:4"})).is_none());
        assert!(Organisation::from_claim(&json!({"ID": "0192:abc"})).is_none());
    }

    #[test]
    fn foreign_consumers_never_get_a_norwegian_org_number() {
        let eseal = Organisation::from_claim(&json!({"authority": "etsi-en-319-412", "ID": "NTRNO-555555555",
            "commonName": "Example AB", "countryName": "SE"}))
        .unwrap();
        assert_eq!((eseal.authority.as_str(), eseal.org_number.as_deref()), ("etsi-en-319-412", None));
        assert_eq!(eseal.names.len(), 2);
        let other_icd = Organisation::parse_id("0007:5560000001").unwrap();
        assert_eq!(other_icd.org_number, None, "only 0192 is Norway's register");
        assert!(!other_icd.is_norwegian());
    }

    #[test]
    fn system_user_keys_are_case_insensitive() {
        let detail = Authorization::from_claim(
            &json!({"type": "urn:altinn:systemuser", "SystemUser_Org": {"ID": "0192:313000001"}, "systemuser_id": ["a"], "externalRef": "r"}),
        );
        match detail {
            Authorization::SystemUser { org, system_user_ids, external_ref, .. } => {
                assert_eq!(org.unwrap().org_number.as_deref(), Some("313000001"));
                assert_eq!(system_user_ids, vec!["a"]);
                assert_eq!(external_ref.as_deref(), Some("r"));
            }
            other => panic!("{other:?}"),
        }
    }
}
