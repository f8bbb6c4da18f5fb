//! The text of a validated token and its `authorization_details` (Kotlin `toString`, Swift
//! `description`, Rust `Debug`): the core's redacting `Debug`, so that no `pid` or consenting
//! person reaches a log through a generated data class.

use crate::claims::{Authorization, ValidatedToken};
use std::fmt;

impl From<&Authorization> for maskinporten::Authorization {
    fn from(a: &Authorization) -> Self {
        match a.clone() {
            Authorization::SystemUser { org, system_user_ids, system_id, external_ref } => {
                maskinporten::Authorization::SystemUser { org, system_user_ids, system_id, external_ref }
            }
            Authorization::Consent { id, from, to, consented, valid_to, consent_rights } => {
                maskinporten::Authorization::Consent { id, from, to, consented, valid_to, consent_rights }
            }
            Authorization::Other { json } => maskinporten::Authorization::Other(json),
        }
    }
}

impl From<&ValidatedToken> for maskinporten::ValidatedToken {
    fn from(t: &ValidatedToken) -> Self {
        maskinporten::ValidatedToken {
            consumer: t.consumer.clone(),
            supplier: t.supplier.clone(),
            delegation_source: t.delegation_source.clone(),
            client_id: t.client_id.clone(),
            client_amr: t.client_amr.clone(),
            scopes: t.scopes.clone(),
            audience: t.audience.clone(),
            pid: t.pid.clone(),
            issued_at: t.issued_at,
            expires_at: t.expires_at,
            jti: t.jti.clone(),
            authorization_details: t.authorization_details.iter().map(Into::into).collect(),
            claims_json: t.claims_json.clone(),
        }
    }
}

impl fmt::Debug for ValidatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&maskinporten::ValidatedToken::from(self), f)
    }
}

impl fmt::Display for ValidatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&maskinporten::Authorization::from(self), f)
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_hides_the_pid_and_the_consenting_person() {
        let consumer = maskinporten::Organisation::parse_id("0192:311000004").unwrap();
        let consent = Authorization::Consent {
            id: Some("c1".into()),
            from: Some("urn:altinn:person:identifier-no:01017012345".into()),
            to: Some(consumer.clone()),
            consented: None,
            valid_to: None,
            consent_rights: None,
        };
        let token = ValidatedToken {
            consumer,
            supplier: None,
            delegation_source: None,
            client_id: "client".into(),
            client_amr: None,
            scopes: vec!["a:b".into()],
            audience: vec![],
            pid: Some("01017012345".into()),
            issued_at: 1,
            expires_at: 2,
            jti: None,
            authorization_details: vec![consent.clone()],
            claims_json: r#"{"pid":"01017012345"}"#.into(),
        };
        for text in [token.to_string(), format!("{token:?}"), consent.to_string()] {
            assert!(!text.contains("01017012345"), "{text}");
        }
        assert!(token.to_string().contains("311000004"));
    }
}
