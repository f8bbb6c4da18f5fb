//! Authorization details (RFC 9396) from JSON and from fields: `AuthorizationDetail::from_json`,
//! `system_user` and `consent`. An accepted entry's JSON reads back as the same value.
//! Input: a mode byte (0 JSON, 1 system user, 2 consent), then the text (fields on lines).
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::{AuthorizationDetail, CONSENT_TYPE, SYSTEM_USER_TYPE};
use maskinporten_fuzz::json_equivalent;
use serde_json::Value;

fn check(detail: &AuthorizationDetail) {
    let back: Value = serde_json::from_str(&detail.to_json()).expect("an entry is JSON");
    assert!(json_equivalent(&back, detail.as_value()), "{back} read back from {}", detail.to_json());
    let kind = back.get("type").and_then(Value::as_str).expect("every entry has a string type");
    assert!(!kind.is_empty());
    if kind == SYSTEM_USER_TYPE {
        let id = back["systemuser_org"]["ID"].as_str().expect("systemuser_org.ID");
        let org = id.strip_prefix("0192:").expect("an ICD 0192 ID");
        assert!(maskinporten::is_valid_org_number(org), "{id}");
    }
    if kind == CONSENT_TYPE {
        for field in ["id", "from"] {
            assert!(back[field].as_str().is_some_and(|s| !s.is_empty()), "consent without {field}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else { return };
    let text = String::from_utf8_lossy(rest);
    let mut fields = text.splitn(2, '\n');
    let (first, second) = (fields.next().unwrap_or(""), fields.next());
    match mode % 3 {
        0 => {
            if let Ok(details) = AuthorizationDetail::from_json(&text) {
                details.iter().for_each(check);
            }
        }
        1 => {
            if let Ok(detail) = AuthorizationDetail::system_user(first, second) {
                check(&detail);
            }
        }
        _ => {
            if let Ok(detail) = AuthorizationDetail::consent(first, second.unwrap_or("")) {
                check(&detail);
            }
        }
    }
});
