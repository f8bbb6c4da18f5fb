//! A validated token for the JS object `validate()` returns: its typed fields written as one JSON
//! text (one crossing instead of one per field, parsed once on the JS side), followed by the
//! core's claims JSON text as signed, which the JS layer parses on first use.
//!
//! The text is written by hand rather than with serde: member names are constant fragments and
//! strings are copied whole unless they need escapes. In the size-optimised build, serde_json's
//! serializer cost as much as the claim checks themselves.

use maskinporten::{Authorization, Organisation, ValidatedToken};
use wasm_bindgen::JsValue;

use crate::error::JsResult;

/// JSON text under construction.
struct Out(String);

impl Out {
    fn raw(&mut self, fragment: &str) {
        self.0.push_str(fragment);
    }

    /// `s` as a JSON string.
    fn str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.0.push('"');
        let (mut start, mut i) = (0, 0);
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'"' || b == b'\\' || b < 0x20 {
                self.0.push_str(&s[start..i]);
                match b {
                    b'"' => self.0.push_str("\\\""),
                    b'\\' => self.0.push_str("\\\\"),
                    b'\n' => self.0.push_str("\\n"),
                    b'\r' => self.0.push_str("\\r"),
                    b'\t' => self.0.push_str("\\t"),
                    _ => {
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        self.0.push_str("\\u00");
                        self.0.push(char::from(HEX[usize::from(b >> 4)]));
                        self.0.push(char::from(HEX[usize::from(b & 0xf)]));
                    }
                }
                start = i + 1;
            }
            i += 1;
        }
        self.0.push_str(&s[start..]);
        self.0.push('"');
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.raw("null"),
        }
    }

    fn strs(&mut self, items: &[String]) {
        self.0.push('[');
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                self.0.push(',');
            }
            self.str(item);
        }
        self.0.push(']');
    }

    fn int(&mut self, n: i64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = n.unsigned_abs();
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            self.0.push('-');
        }
        // Only ASCII digits were written.
        self.0.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
    }

    /// `{ authority, id, orgNumber, subUnit, names }` or `null` (`orgNumber` null for a foreign
    /// eSeal consumer).
    fn organisation(&mut self, org: Option<&Organisation>) {
        let Some(org) = org else { return self.raw("null") };
        self.raw("{\"authority\":");
        self.str(&org.authority);
        self.raw(",\"id\":");
        self.str(&org.id);
        self.raw(",\"orgNumber\":");
        self.opt_str(org.org_number.as_deref());
        self.raw(",\"subUnit\":");
        self.strs(&org.sub_unit);
        self.raw(",\"names\":{");
        for (n, (name, value)) in org.names.iter().enumerate() {
            if n > 0 {
                self.0.push(',');
            }
            self.str(name);
            self.0.push(':');
            self.str(value);
        }
        self.raw("}}");
    }

    /// Raw JSON from the core, checked, as it goes into the text unparsed.
    fn checked_json(&mut self, raw: Option<&str>) {
        match raw {
            Some(raw) if serde_json::from_slice::<serde::de::IgnoredAny>(raw.as_bytes()).is_ok() => self.raw(raw),
            _ => self.raw("null"),
        }
    }

    fn authorization(&mut self, a: &Authorization) {
        match a {
            Authorization::SystemUser { org, system_user_ids, system_id, external_ref } => {
                self.raw("{\"type\":\"urn:altinn:systemuser\",\"org\":");
                self.organisation(org.as_ref());
                self.raw(",\"systemUserIds\":");
                self.strs(system_user_ids);
                self.raw(",\"systemId\":");
                self.opt_str(system_id.as_deref());
                self.raw(",\"externalRef\":");
                self.opt_str(external_ref.as_deref());
                self.raw("}");
            }
            Authorization::Consent { id, from, to, consented, valid_to, consent_rights } => {
                self.raw("{\"type\":\"urn:altinn:consent\",\"id\":");
                self.opt_str(id.as_deref());
                self.raw(",\"from\":");
                self.opt_str(from.as_deref());
                self.raw(",\"to\":");
                self.organisation(to.as_ref());
                self.raw(",\"consented\":");
                self.opt_str(consented.as_deref());
                self.raw(",\"validTo\":");
                match valid_to {
                    Some(seconds) => self.int(*seconds),
                    None => self.raw("null"),
                }
                self.raw(",\"consentRights\":");
                self.checked_json(consent_rights.as_deref());
                self.raw("}");
            }
            Authorization::Other(raw) => {
                self.raw("{\"type\":\"other\",\"value\":");
                self.checked_json(Some(raw));
                self.raw("}");
            }
            #[allow(unreachable_patterns)]
            _ => self.raw("{\"type\":\"unknown\"}"),
        }
    }
}

/// `{ consumer, consumerOrg, supplier, delegationSource, clientId, clientAmr, scopes, audience,
/// pid, issuedAt, expiresAt, jti, authorizationDetails }` as JSON text, a NUL, and the claims'
/// JSON text.
pub(crate) fn validated(t: &ValidatedToken) -> JsResult<JsValue> {
    let mut out = Out(String::with_capacity(400 + t.claims_json.len()));
    out.raw("{\"consumer\":");
    out.organisation(Some(&t.consumer));
    out.raw(",\"consumerOrg\":");
    out.opt_str(t.consumer.org_number.as_deref());
    out.raw(",\"supplier\":");
    out.organisation(t.supplier.as_ref());
    out.raw(",\"delegationSource\":");
    out.opt_str(t.delegation_source.as_deref());
    out.raw(",\"clientId\":");
    out.str(&t.client_id);
    out.raw(",\"clientAmr\":");
    out.opt_str(t.client_amr.as_deref());
    out.raw(",\"scopes\":");
    out.strs(&t.scopes);
    out.raw(",\"audience\":");
    out.strs(&t.audience);
    out.raw(",\"pid\":");
    out.opt_str(t.pid.as_deref());
    out.raw(",\"issuedAt\":");
    out.int(t.issued_at);
    out.raw(",\"expiresAt\":");
    out.int(t.expires_at);
    out.raw(",\"jti\":");
    out.opt_str(t.jti.as_deref());
    out.raw(",\"authorizationDetails\":[");
    for (n, a) in t.authorization_details.iter().enumerate() {
        if n > 0 {
            out.raw(",");
        }
        out.authorization(a);
    }
    // The claims follow as the signed JSON text, as the core checked it, after a NUL (which JSON
    // text cannot hold unescaped): the JS layer parses the typed part at once and the claims when
    // they are first read. One string crosses, once.
    out.raw("]}\0");
    out.raw(&t.claims_json);
    Ok(JsValue::from_str(&out.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_are_json() {
        let mut out = Out(String::new());
        out.str("a\"b\\c\nd\u{1}e\u{7f}ø");
        out.raw(",");
        out.int(i64::MIN);
        out.raw(",");
        out.int(0);
        out.raw(",");
        out.int(1_767_225_710);
        let parsed: serde_json::Value = serde_json::from_str(&format!("[{}]", out.0)).unwrap();
        assert_eq!(parsed, serde_json::json!(["a\"b\\c\nd\u{1}e\u{7f}ø", i64::MIN, 0, 1_767_225_710]));
    }
}
