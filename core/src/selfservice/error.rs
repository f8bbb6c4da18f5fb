//! The self-service API's refusals, typed.

use crate::error::{Error, ErrorKind};
use serde_json::Value;
use std::fmt;

/// A refusal from the self-service API (HTTP 4xx). 5xx and 429 are [`Error::Unavailable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfServiceError {
    /// The stable kind (`self_service_invalid`, `admin_token_rejected`, `admin_scope_missing`,
    /// `client_not_found`, `self_service_conflict`, `terms_not_accepted`).
    pub kind: ErrorKind,
    /// HTTP status.
    pub status: u16,
    /// The server's error code, when it gave one (`PRECONDITION_REQUIRED`, `invalid_request`...).
    pub error: Option<String>,
    /// The server's description, shortened.
    pub message: Option<String>,
    /// Fields the server named as wrong, with its reason for each.
    pub field_errors: Vec<(String, String)>,
    /// The admin scope the call needed (for 401 and 403).
    pub needed_scope: Option<&'static str>,
    /// What to do.
    pub hint: String,
}

impl fmt::Display for SelfServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the self-service API refused the request (HTTP {})", self.status)?;
        if let Some(error) = &self.error {
            write!(f, ": {error}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        for (field, reason) in &self.field_errors {
            write!(f, "; {field}: {reason}")?;
        }
        write!(f, ". {}", self.hint)
    }
}

const MAX_TEXT: usize = 300;

/// The server's text, redacted as every quote of outside text is (`crate::snippet`).
fn short(text: &str) -> String {
    crate::snippet::sanitize(text, MAX_TEXT)
}

/// Reads a 4xx answer into its typed error. `needed_scope` is the least scope of the call.
pub(crate) fn refusal(status: u16, body: &[u8], needed_scope: &'static str) -> Error {
    let json: Option<serde_json::Map<String, Value>> = serde_json::from_slice(body).ok();
    let raw = |name: &str| json.as_ref()?.get(name)?.as_str();
    let raw_error = raw("error").or_else(|| raw("code"));
    let raw_message = raw("error_description").or_else(|| raw("message")).or_else(|| raw("detail"));
    // Decided on the server's own words; only the redacted quotes are kept.
    let says = |word: &str| {
        raw_error.is_some_and(|e| e.eq_ignore_ascii_case(word))
            || raw_message.is_some_and(|m| m.to_ascii_uppercase().contains(word))
    };
    let error = raw_error.map(short);
    let message = raw_message.map(short);
    let field_errors = json.as_ref().map(field_errors).unwrap_or_default();
    let (kind, hint) = match status {
        412 | 428 => (ErrorKind::TermsNotAccepted, "accept Digdir's terms of use for the organisation in Samarbeidsportalen, then try again".to_string()),
        _ if says("PRECONDITION_REQUIRED") => (ErrorKind::TermsNotAccepted, "accept Digdir's terms of use for the organisation in Samarbeidsportalen, then try again".to_string()),
        401 => (ErrorKind::AdminTokenRejected, format!("fetch a new admin token (scope {needed_scope}) from Maskinporten with the admin client's enterprise certificate")),
        403 => (ErrorKind::AdminScopeMissing, format!("this call needs the admin scope {needed_scope}: ask Digdir's service desk to grant it to the admin client, and ask for it in the token")),
        404 => (ErrorKind::ClientNotFound, "check the client_id: the client does not exist or belongs to another organisation".to_string()),
        409 => (ErrorKind::SelfServiceConflict, "read the client again and retry the change on its current state".to_string()),
        _ => (ErrorKind::SelfServiceInvalid, "correct the fields named and send again".to_string()),
    };
    Error::SelfService(Box::new(SelfServiceError {
        kind,
        status,
        error,
        message,
        field_errors,
        needed_scope: matches!(kind, ErrorKind::AdminTokenRejected | ErrorKind::AdminScopeMissing)
            .then_some(needed_scope),
        hint,
    }))
}

/// `errors: [{"field", "message"}]`, `errors: {"field": "message"}` or `violations: [...]`.
fn field_errors(json: &serde_json::Map<String, Value>) -> Vec<(String, String)> {
    let list = json.get("errors").or_else(|| json.get("violations")).or_else(|| json.get("field_errors"));
    let pair = |field: Option<&str>, reason: Option<&str>| Some((short(field?), short(reason.unwrap_or("invalid"))));
    let mut out: Vec<(String, String)> = match list {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| {
                let item = item.as_object()?;
                let field = item.get("field").or_else(|| item.get("property")).and_then(Value::as_str);
                let reason = item.get("message").or_else(|| item.get("error")).and_then(Value::as_str);
                pair(field, reason)
            })
            .collect(),
        Some(Value::Object(map)) => {
            map.iter().filter_map(|(field, reason)| pair(Some(field), reason.as_str())).collect()
        }
        _ => Vec::new(),
    };
    out.truncate(20);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner(error: Error) -> SelfServiceError {
        match error {
            Error::SelfService(inner) => *inner,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn statuses_become_kinds_with_hints() {
        let forbidden = inner(refusal(403, b"{}", "idporten:dcr.modify"));
        assert_eq!(
            (forbidden.kind, forbidden.needed_scope),
            (ErrorKind::AdminScopeMissing, Some("idporten:dcr.modify"))
        );
        assert!(forbidden.to_string().contains("idporten:dcr.modify"));
        assert_eq!(inner(refusal(404, b"", "idporten:dcr.read")).kind, ErrorKind::ClientNotFound);
        assert_eq!(inner(refusal(412, b"", "idporten:dcr.write")).kind, ErrorKind::TermsNotAccepted);
        let terms = br#"{"error":"PRECONDITION_REQUIRED","message":"Organization has not accepted terms"}"#;
        assert_eq!(inner(refusal(400, terms, "idporten:dcr.write")).kind, ErrorKind::TermsNotAccepted);
    }

    #[test]
    fn field_errors_are_read_in_the_usual_shapes() {
        let list =
            br#"{"message":"Validation failed","errors":[{"field":"client_name","message":"must not be blank"}]}"#;
        let error = inner(refusal(400, list, "idporten:dcr.write"));
        assert_eq!(error.field_errors, vec![("client_name".to_string(), "must not be blank".to_string())]);
        let map = br#"{"error":"invalid_request","errors":{"scopes":"unknown scope x:y"}}"#;
        assert_eq!(inner(refusal(400, map, "idporten:dcr.write")).field_errors[0].0, "scopes");
        assert_eq!(inner(refusal(400, b"<html>", "idporten:dcr.write")).kind, ErrorKind::SelfServiceInvalid);
    }
}

#[cfg(test)]
mod quoting {
    use super::*;

    #[test]
    fn a_server_message_never_quotes_a_token() {
        let body = br#"{"message":"bad token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw"}"#;
        let text = refusal(400, body, "idporten:dcr.write").to_string();
        assert!(!text.contains("eyJhbGci"), "{text}");
    }
}
