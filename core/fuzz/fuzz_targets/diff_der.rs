//! Differential: the DER walker's readings and writer (`key/der_walk.rs`) against `der`'s own
//! decoders and encoder. The input is read as one element; each reading that applies to its tag
//! is compared with the `der` type that reads the same thing. Where the walker is deliberately
//! more lenient than DER (leading zero octets in an INTEGER, a BMPString holding UTF-16 surrogate
//! pairs, a SET in any order: BER writers produce all three) or `der` is stricter than the
//! standard (U+FFFF in a BMPString, an empty INTEGER written for zero), the difference is checked
//! to be exactly that. The input's tail also goes through the writer, against `der`'s encoder.
#![no_main]

use der::asn1::{BmpString, ContextSpecific, ObjectIdentifier, OctetStringRef, UintRef};
use der::{AnyRef, Decode, Encode, Tag, Tagged};
use libfuzzer_sys::fuzz_target;
use maskinporten::fuzzing::{
    der_bmp_string, der_children, der_element, der_elements, der_explicit, der_is_oid, der_octets, der_oid,
    der_small_uint, der_unsigned_integer, der_write, der_write_unsigned_integer,
};

/// An INTEGER whose content has a redundant leading zero octet (not minimal, so not DER).
fn has_redundant_zero(content: &[u8]) -> bool {
    content.len() > 1 && content[0] == 0 && content[1] & 0x80 == 0
}

fn check_element(data: &[u8], any: &AnyRef<'_>) {
    let value = any.value();
    match any.tag() {
        Tag::Integer => {
            match (der_small_uint(any), u64::from_der(data)) {
                (ours, Ok(theirs)) => assert_eq!(ours, Some(theirs), "u64 of {data:02x?}"),
                (Some(_), Err(_)) => assert!(has_redundant_zero(value), "u64 der refuses: {data:02x?}"),
                (None, Err(_)) => {}
            }
            let strip = |bytes: &[u8]| bytes.iter().skip_while(|b| **b == 0).copied().collect::<Vec<u8>>();
            match (der_unsigned_integer(any), UintRef::from_der(data)) {
                (ours, Ok(theirs)) => assert_eq!(ours.map(strip), Some(strip(theirs.as_bytes())), "{data:02x?}"),
                (Some(_), Err(_)) => assert!(has_redundant_zero(value), "uint der refuses: {data:02x?}"),
                (None, Err(_)) => {}
            }
        }
        Tag::BmpString => match (der_bmp_string(any), BmpString::from_der(data)) {
            (ours, Ok(theirs)) => assert_eq!(ours, Some(theirs.to_string()), "{data:02x?}"),
            // `der` reads UCS-2 and also stops short of U+FFFF (its bound is `< u16::MAX`).
            (Some(text), Err(_)) => {
                assert!(text.chars().any(|c| u32::from(c) >= 0xFFFF), "BMPString der refuses: {data:02x?}")
            }
            (None, Err(_)) => {}
        },
        Tag::ObjectIdentifier => {
            let theirs = ObjectIdentifier::from_der(data).ok();
            assert_eq!(der_oid(any), theirs, "{data:02x?}");
            if let Some(oid) = theirs {
                assert!(der_is_oid(any, &oid));
            }
        }
        Tag::OctetString => {
            let theirs = <&OctetStringRef>::from_der(data).map(|o| o.as_bytes().to_vec()).ok();
            assert_eq!(der_octets(any).map(<[u8]>::to_vec), theirs, "{data:02x?}");
        }
        Tag::Sequence | Tag::Set => {
            // `der` reads a SET OF only in DER order; read it as the SEQUENCE OF it also is.
            let mut as_sequence = data.to_vec();
            as_sequence[0] = 0x30;
            let theirs = Vec::<AnyRef<'_>>::from_der(&as_sequence).ok();
            assert_eq!(der_children(any), theirs, "{data:02x?}");
            assert_eq!(der_elements(value), theirs, "{data:02x?}");
        }
        Tag::ContextSpecific { constructed, number } => {
            let theirs = ContextSpecific::<AnyRef<'_>>::from_der(data).ok().filter(|_| constructed);
            assert_eq!(der_explicit(any, number.0), theirs.map(|c| c.value), "{data:02x?}");
            assert_eq!(der_explicit(any, number.0.wrapping_add(1)), None);
        }
        _ => {}
    }
    if !matches!(any.tag(), Tag::Sequence | Tag::Set) {
        assert_eq!(der_children(any), None, "children of a {} element", any.tag());
    }
    if !matches!(any.tag(), Tag::ContextSpecific { .. }) {
        assert_eq!(der_explicit(any, 0), None);
    }
}

fn check_writer(data: &[u8]) {
    let [selector, value @ ..] = data else { return };
    let tag =
        [Tag::Integer, Tag::OctetString, Tag::Null, Tag::ObjectIdentifier, Tag::Sequence][usize::from(*selector) % 5];
    // `der` refuses to build some elements (a NULL with content); the walker only writes an empty NULL.
    if let Ok(theirs) = AnyRef::new(tag, value).and_then(|any| any.to_der()) {
        assert_eq!(der_write(tag, value), Some(theirs), "{tag} {value:02x?}");
    }
    // `der` encodes the empty magnitude as a zero-length INTEGER, which DER forbids; zero is `02 01 00`.
    let magnitude = if value.iter().all(|b| *b == 0) { &[0][..] } else { value };
    let theirs = UintRef::new(magnitude).and_then(|uint| uint.to_der()).ok();
    assert_eq!(der_write_unsigned_integer(value), theirs, "INTEGER {value:02x?}");
    assert_eq!(der_write(Tag::Utf8String, value), None);
}

fuzz_target!(|data: &[u8]| {
    let theirs = AnyRef::from_der(data).ok();
    let ours = der_element(data);
    assert_eq!(ours, theirs, "{data:02x?}");
    if let Some(any) = ours {
        check_element(data, &any);
    }
    check_writer(data);
});
