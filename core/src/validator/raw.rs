//! Typed, borrowing decoding of a token's header and claims: only the members the checks read
//! are kept, as strings borrowed from the decoded JSON (copied only when they hold escapes), and
//! everything else is skipped without building a `serde_json::Value`. This is the hot path of
//! validation, so no map is built.
//!
//! The reading is the one a `serde_json::Map` lookup gives: a member of the wrong type counts as
//! absent, a repeated member's last value wins, numbers count only when they are integers that
//! fit an `i64`, and the case-insensitive lookups (`authorization_details`, an organisation's
//! `ID`) prefer the exact name, then the first variant in byte order. Skipped values are walked
//! with `deserialize_any`, so serde_json's nesting limit applies to them as it does to a `Value`.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// A JSON value reduced to what the checks read.
#[derive(Debug, Default)]
pub(super) enum Loose<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    List(Vec<Loose<'a>>),
    /// Anything else (float, bool, null, object).
    #[default]
    Other,
}

impl<'a> Loose<'a> {
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Loose::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_i64(&self) -> Option<i64> {
        match self {
            Loose::Int(n) => Some(*n),
            _ => None,
        }
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose<'de>, E> {
        Ok(Loose::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose<'de>, E> {
        Ok(i64::try_from(v).map_or(Loose::Other, Loose::Int))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Loose<'de>, E> {
        Ok(Loose::Other)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Loose<'de>, E> {
        Ok(Loose::Other)
    }
    fn visit_unit<E>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Loose<'de>>()? {
            items.push(item);
        }
        Ok(Loose::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose<'de>, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Loose::Other)
    }
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

/// A value that is read (so it must be valid JSON within the nesting limit) and dropped.
struct Skip;

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Skip)
    }
}

/// An object member name, borrowed unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

/// A case-insensitive member lookup in one pass, with `claims::get_ci`'s
/// preference: the exact name (its last value), else the variant first in byte order.
struct CiSlot<'a, T> {
    exact: Option<T>,
    variant: Option<(Cow<'a, str>, T)>,
}

impl<'a, T> Default for CiSlot<'a, T> {
    fn default() -> Self {
        CiSlot { exact: None, variant: None }
    }
}

impl<'a, T> CiSlot<'a, T> {
    /// Whether `key` is a variant (not the exact spelling) of `name`, which should be kept.
    fn wants_variant(&self, key: &str, name: &str) -> bool {
        key.eq_ignore_ascii_case(name) && self.variant.as_ref().is_none_or(|(best, _)| key <= best.as_ref())
    }

    fn into_value(self) -> Option<T> {
        self.exact.or(self.variant.map(|(_, v)| v))
    }
}

/// An organisation claim (`{"authority": ..., "ID": ...}`), reduced to its `authority` and `ID`
/// members (any type; `None` when the value is not an object or has no such member).
#[derive(Debug, Default)]
pub(super) struct OrgClaim<'a> {
    pub authority: Option<Loose<'a>>,
    pub id: Option<Loose<'a>>,
}

struct OrgVisitor;

impl<'de> Visitor<'de> for OrgVisitor {
    type Value = OrgClaim<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, _: &'de str) -> Result<OrgClaim<'de>, E> {
        Ok(OrgClaim::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<OrgClaim<'de>, E> {
        Ok(OrgClaim::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<OrgClaim<'de>, E> {
        Ok(OrgClaim::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<OrgClaim<'de>, E> {
        Ok(OrgClaim::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<OrgClaim<'de>, E> {
        Ok(OrgClaim::default())
    }
    fn visit_bool<E>(self, _: bool) -> Result<OrgClaim<'de>, E> {
        Ok(OrgClaim::default())
    }
    fn visit_unit<E>(self) -> Result<OrgClaim<'de>, E> {
        Ok(OrgClaim::default())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OrgClaim<'de>, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(OrgClaim::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrgClaim<'de>, A::Error> {
        let (mut id, mut authority) = (CiSlot::default(), CiSlot::default());
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if key == "id" {
                id.exact = Some(map.next_value::<Loose<'de>>()?);
            } else if id.wants_variant(&key, "id") {
                let value = map.next_value::<Loose<'de>>()?;
                id.variant = Some((key, value));
            } else if key == "authority" {
                authority.exact = Some(map.next_value::<Loose<'de>>()?);
            } else if authority.wants_variant(&key, "authority") {
                let value = map.next_value::<Loose<'de>>()?;
                authority.variant = Some((key, value));
            } else {
                map.next_value::<Skip>()?;
            }
        }
        Ok(OrgClaim { authority: authority.into_value(), id: id.into_value() })
    }
}

impl<'de> Deserialize<'de> for OrgClaim<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OrgVisitor)
    }
}

/// The protected header: `alg` and `kid`.
#[derive(Debug, Default)]
pub(super) struct RawHeader<'a> {
    pub alg: Loose<'a>,
    pub kid: Loose<'a>,
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = RawHeader<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeader<'de>, A::Error> {
        let mut header = RawHeader::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match key.as_ref() {
                "alg" => header.alg = map.next_value()?,
                "kid" => header.kid = map.next_value()?,
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(header)
    }
}

impl<'de> Deserialize<'de> for RawHeader<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(HeaderVisitor)
    }
}

/// The claims the checks read; absent members are [`Loose::Other`] / empty.
#[derive(Debug, Default)]
pub(super) struct RawClaims<'a> {
    pub iss: Loose<'a>,
    pub exp: Loose<'a>,
    pub iat: Loose<'a>,
    pub nbf: Loose<'a>,
    pub token_type: Loose<'a>,
    pub scope: Loose<'a>,
    pub aud: Loose<'a>,
    pub pid: Loose<'a>,
    pub consumer: OrgClaim<'a>,
    pub supplier: OrgClaim<'a>,
    pub delegation_source: Loose<'a>,
    pub client_id: Loose<'a>,
    pub client_amr: Loose<'a>,
    pub jti: Loose<'a>,
    /// `authorization_details` (name case-insensitive), as a `Value`: rare, and kept whole.
    pub authorization_details: Option<Value>,
}

struct ClaimsVisitor;

impl<'de> Visitor<'de> for ClaimsVisitor {
    type Value = RawClaims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawClaims<'de>, A::Error> {
        const DETAILS: &str = "authorization_details";
        let mut c = RawClaims::default();
        let mut details: CiSlot<'de, Value> = CiSlot::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let slot = match key.as_ref() {
                "iss" => &mut c.iss,
                "exp" => &mut c.exp,
                "iat" => &mut c.iat,
                "nbf" => &mut c.nbf,
                "token_type" => &mut c.token_type,
                "scope" => &mut c.scope,
                "aud" => &mut c.aud,
                "pid" => &mut c.pid,
                "delegation_source" => &mut c.delegation_source,
                "client_id" => &mut c.client_id,
                "client_amr" => &mut c.client_amr,
                "jti" => &mut c.jti,
                "consumer" => {
                    c.consumer = map.next_value()?;
                    continue;
                }
                "supplier" => {
                    c.supplier = map.next_value()?;
                    continue;
                }
                DETAILS => {
                    details.exact = Some(map.next_value()?);
                    continue;
                }
                other if details.wants_variant(other, DETAILS) => {
                    let value = map.next_value()?;
                    details.variant = Some((key, value));
                    continue;
                }
                _ => {
                    map.next_value::<Skip>()?;
                    continue;
                }
            };
            *slot = map.next_value()?;
        }
        c.authorization_details = details.into_value();
        Ok(c)
    }
}

impl<'de> Deserialize<'de> for RawClaims<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ClaimsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_a_value_lookup() {
        let text = r#"{"iss":"a\/b","exp":12,"iat":1.5,"nbf":18446744073709551615,"aud":["x",1,"y"],
            "client_amr":[3,"z"],"consumer":{"Id":"0192:1","ID":"0192:2","iD":"0192:3"},
            "supplier":{"id":5,"ID":"0192:9"},"Authorization_Details":{"type":"b"},
            "AUTHORIZATION_DETAILS":{"type":"a"},"jti":"one","jti":"two","x":{"y":[1,{"z":null}]}}"#;
        let c: RawClaims = serde_json::from_str(text).unwrap();
        assert_eq!(c.iss.as_str(), Some("a/b"));
        assert_eq!((c.exp.as_i64(), c.iat.as_i64(), c.nbf.as_i64()), (Some(12), None, None));
        assert!(matches!(&c.aud, Loose::List(items) if items.len() == 3 && items[2].as_str() == Some("y")));
        assert!(matches!(&c.client_amr, Loose::List(items) if items[0].as_str().is_none()));
        // "ID" < "Id" < "iD" in byte order: the first variant wins, as in a BTreeMap walk.
        assert_eq!(c.consumer.id.as_ref().and_then(Loose::as_str), Some("0192:2"));
        // The exact name wins even when its value is not a string.
        assert_eq!(c.supplier.id.as_ref().and_then(Loose::as_str), None);
        assert_eq!(c.authorization_details.unwrap()["type"], "a");
        assert_eq!(c.jti.as_str(), Some("two"));
        assert!(serde_json::from_str::<RawClaims>(r#""not an object""#).is_err());
        assert!(serde_json::from_str::<RawClaims>(r#"{"a":1} x"#).is_err());
        let deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(200), "]".repeat(200));
        assert!(serde_json::from_str::<RawClaims>(&deep).is_err(), "nesting limit as for a Value");
    }
}
