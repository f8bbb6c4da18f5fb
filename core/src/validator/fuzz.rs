//! The validator's hand-written readers, for the differential fuzz targets in `core/fuzz`
//! (feature `fuzzing`, re-exported by `crate::fuzzing`): base64url decoding and the typed reading
//! of a token's header and claims, in owned form so a target can compare them with its reference.

use super::b64;
use super::raw::{Loose, OrgClaim, RawClaims, RawHeader};
use serde_json::Value;

/// `b64::decode`: canonical unpadded base64url, as the validator decodes each token part.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    b64::decode(text)
}

/// A member as the validator's reader keeps it: a string, an `i64` integer, a list of such, or
/// anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LooseValue {
    /// A string.
    Str(String),
    /// An integer that fits an `i64`.
    Int(i64),
    /// An array, item by item.
    List(Vec<LooseValue>),
    /// A float, a bool, null, an object, or an absent member.
    Other,
}

impl From<&Loose<'_>> for LooseValue {
    fn from(loose: &Loose<'_>) -> LooseValue {
        match loose {
            Loose::Str(text) => LooseValue::Str(text.to_string()),
            Loose::Int(n) => LooseValue::Int(*n),
            Loose::List(items) => LooseValue::List(items.iter().map(LooseValue::from).collect()),
            Loose::Other => LooseValue::Other,
        }
    }
}

/// What the validator reads of a token header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderReading {
    /// `alg`.
    pub alg: LooseValue,
    /// `kid`.
    pub kid: LooseValue,
}

/// What the validator reads of a token's claims.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimsReading {
    /// The members read by exact name, in a fixed order.
    pub members: Vec<(&'static str, LooseValue)>,
    /// `consumer` and `supplier`: the `ID` member (name case-insensitive) when the claim is an
    /// object that has one.
    pub organisations: Vec<(&'static str, Option<LooseValue>)>,
    /// `authorization_details` (name case-insensitive).
    pub authorization_details: Option<Value>,
}

/// The header as `prepare_validation` reads it; `None` where it answers `token_malformed`.
pub fn read_header(json: &[u8]) -> Option<HeaderReading> {
    let RawHeader { alg, kid } = serde_json::from_slice(json).ok()?;
    Some(HeaderReading { alg: LooseValue::from(&alg), kid: LooseValue::from(&kid) })
}

/// The claims as the validator reads them; `None` where it answers `token_malformed`.
pub fn read_claims(json: &[u8]) -> Option<ClaimsReading> {
    // Destructured whole, so a member added to `RawClaims` fails to build here until it is compared.
    let RawClaims {
        iss,
        exp,
        iat,
        nbf,
        token_type,
        scope,
        aud,
        pid,
        consumer,
        supplier,
        delegation_source,
        client_id,
        client_amr,
        jti,
        authorization_details,
    } = serde_json::from_slice(json).ok()?;
    let members = [
        ("iss", iss),
        ("exp", exp),
        ("iat", iat),
        ("nbf", nbf),
        ("token_type", token_type),
        ("scope", scope),
        ("aud", aud),
        ("pid", pid),
        ("delegation_source", delegation_source),
        ("client_id", client_id),
        ("client_amr", client_amr),
        ("jti", jti),
    ];
    let id = |claim: &OrgClaim<'_>| claim.id.as_ref().map(LooseValue::from);
    Some(ClaimsReading {
        members: members.iter().map(|(name, value)| (*name, LooseValue::from(value))).collect(),
        organisations: vec![("consumer", id(&consumer)), ("supplier", id(&supplier))],
        authorization_details,
    })
}
