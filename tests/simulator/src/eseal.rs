//! European eSeal consumers: who a qualified (or advanced) eSeal certificate names, as the
//! `consumer` claim of the tokens Maskinporten issues to such foreign organisations.

use serde_json::{Map, Value};
use x509_parser::prelude::X509Certificate;

/// The authority written for eSeal consumers (an ETSI EN 319 412 organisation identifier, not
/// an ISO 6523 actor id: no `0192:` org number can be read from it).
pub(crate) const ETSI_AUTHORITY: &str = "etsi-en-319-412";

/// The subject's raw `organizationIdentifier` (2.5.4.97), e.g. `NTRNO-555555555` or
/// `VATSE-556000000001`.
pub(crate) fn organization_identifier(cert: &X509Certificate<'_>) -> Option<String> {
    subject_attribute(cert, "2.5.4.97")
}

/// The `consumer` claim: the ETSI authority, the raw identifier and the subject's names.
pub(crate) fn consumer(cert: &X509Certificate<'_>, organization_identifier: &str) -> Value {
    let mut consumer = Map::new();
    consumer.insert("authority".into(), ETSI_AUTHORITY.into());
    consumer.insert("ID".into(), organization_identifier.into());
    for (name, oid) in [("organizationName", "2.5.4.10"), ("commonName", "2.5.4.3"), ("countryName", "2.5.4.6")] {
        if let Some(value) = subject_attribute(cert, oid) {
            consumer.insert(name.into(), value.into());
        }
    }
    Value::Object(consumer)
}

fn subject_attribute(cert: &X509Certificate<'_>, oid: &str) -> Option<String> {
    cert.subject()
        .iter_attributes()
        .find(|attr| attr.attr_type().to_id_string() == oid)
        .and_then(|attr| attr.as_str().ok())
        .map(str::to_string)
}
