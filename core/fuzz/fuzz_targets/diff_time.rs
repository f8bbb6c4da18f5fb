//! Differential: certificate validity times (`certificate::unix_seconds`) against `der`'s
//! `UtcTime` and `GeneralizedTime`. Both read the same instant or both refuse; the one allowed
//! difference is a time before 1970, which `der` cannot represent and the core reads as negative
//! seconds. Input: a tag byte (even UTCTime, odd GeneralizedTime), then the time text.
#![no_main]

use der::asn1::{GeneralizedTime, UtcTime};
use der::{AnyRef, Decode, Encode, Tag};
use libfuzzer_sys::fuzz_target;
use maskinporten::fuzzing::certificate_time;

fuzz_target!(|data: &[u8]| {
    let [selector, text @ ..] = data else { return };
    let tag = if selector % 2 == 0 { Tag::UtcTime } else { Tag::GeneralizedTime };
    let Ok(encoded) = AnyRef::new(tag, text).and_then(|any| any.to_der()) else { return };
    let any = AnyRef::from_der(&encoded).expect("what der encodes, der decodes");
    let ours = certificate_time(&any);
    let theirs = match tag {
        Tag::UtcTime => UtcTime::from_der(&encoded).map(|t| t.to_unix_duration()),
        _ => GeneralizedTime::from_der(&encoded).map(|t| t.to_unix_duration()),
    };
    let theirs = theirs.ok().map(|d| i64::try_from(d.as_secs()).expect("seconds fit"));
    match (ours, theirs) {
        (Some(t), None) if t < 0 => {}
        _ => assert_eq!(ours, theirs, "{tag} {:?}", String::from_utf8_lossy(text)),
    }
});
