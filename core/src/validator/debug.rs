//! The validator's redacting `Debug`s: a validated token may name a person (`pid`, a consent's
//! `from`). (A pending token's, the whole bearer token, is in `pending.rs`.)

use super::{Authorization, ValidatedToken};
use crate::redact::{self, Scrubbed};
use std::fmt;

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
            Authorization::Consent { id, from, to, consented, valid_to, consent_rights } => f
                .debug_struct("Consent")
                .field("id", id)
                .field("from", &from.as_deref().map(Scrubbed))
                .field("to", to)
                .field("consented", consented)
                .field("valid_to", valid_to)
                .field("consent_rights", &consent_rights.as_deref().map(Scrubbed))
                .finish(),
            Authorization::Other(json) => f.debug_tuple("Other").field(&Scrubbed(json)).finish(),
        }
    }
}
