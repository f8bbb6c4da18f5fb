//! The validator's redacting `Debug`s: a pending token is the whole bearer token, and a
//! validated one may name a person (`pid`).

use super::{Authorization, PendingValidation, ValidatedToken};
use crate::redact::{self, Redacted, Scrubbed};
use std::fmt;

impl fmt::Debug for PendingValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingValidation")
            .field("signing_input", &Redacted(self.signing_input.len()))
            .field("signature", &Redacted(self.signature.len()))
            .field("algorithm", &self.algorithm)
            .field("kid", &self.kid)
            .finish()
    }
}

impl fmt::Debug for ValidatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidatedToken")
            .field("consumer", &self.consumer)
            .field("supplier", &self.supplier)
            .field("delegation_source", &self.delegation_source)
            .field("client_id", &self.client_id)
            .field("client_amr", &self.client_amr)
            .field("scopes", &self.scopes)
            .field("audience", &self.audience)
            .field("pid", &redact::optional(self.pid.as_deref()))
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("jti", &self.jti)
            .field("authorization_details", &self.authorization_details)
            .field("claims_json", &Scrubbed(&self.claims_json))
            .finish()
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authorization::SystemUser { org, system_user_ids, system_id, external_ref } => f
                .debug_struct("SystemUser")
                .field("org", org)
                .field("system_user_ids", system_user_ids)
                .field("system_id", system_id)
                .field("external_ref", external_ref)
                .finish(),
            Authorization::Consent { id, from } => {
                f.debug_struct("Consent").field("id", id).field("from", &from.as_deref().map(Scrubbed)).finish()
            }
            Authorization::Other(json) => f.debug_tuple("Other").field(&Scrubbed(json)).finish(),
        }
    }
}
