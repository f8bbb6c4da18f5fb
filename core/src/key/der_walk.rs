//! Walking DER structures element by element with `der`'s borrowed `AnyRef`.
//!
//! Why not `der`'s derived types (`x509-cert`, `cms`, `pkcs12`, `pkcs5`)? Each derived type
//! monomorphises its own decoder; for the handful of fields a signing key needs they made up a
//! third of the WebAssembly module. One borrowed element type keeps that to a few functions.
//! The crypto (KDFs, ciphers, MACs) still comes from the RustCrypto crates, and every tag and
//! length is read by `der`. The few elements written (the PKCS#8 wrapping ring needs) use a
//! small TLV writer instead of `der`'s encoder, which is large in the WebAssembly build; the
//! tests check its output against `der`'s.

use der::asn1::ObjectIdentifier;
use der::{AnyRef, Decode, Reader, SliceReader, Tag, TagNumber, Tagged};
use zeroize::Zeroizing;

/// Exactly one element filling `bytes`.
pub(crate) fn element(bytes: &[u8]) -> Option<AnyRef<'_>> {
    AnyRef::from_der(bytes).ok()
}

/// The elements of a SEQUENCE (or SET) in order; `None` when `any` is neither or is malformed.
pub(crate) fn children<'a>(any: &AnyRef<'a>) -> Option<Vec<AnyRef<'a>>> {
    if !matches!(any.tag(), Tag::Sequence | Tag::Set) {
        return None;
    }
    elements(any.value())
}

/// The elements that fill `bytes` back to back; `None` when any is malformed.
pub(crate) fn elements(bytes: &[u8]) -> Option<Vec<AnyRef<'_>>> {
    let mut reader = SliceReader::new(bytes).ok()?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(reader.decode::<AnyRef<'_>>().ok()?);
    }
    Some(out)
}

/// The content of an explicitly tagged `[number]` element.
pub(crate) fn explicit<'a>(any: &AnyRef<'a>, number: u32) -> Option<AnyRef<'a>> {
    match any.tag() {
        Tag::ContextSpecific { constructed: true, number: n } if n == TagNumber(number) => element(any.value()),
        _ => None,
    }
}

/// Whether `any` is an OBJECT IDENTIFIER equal to `oid`.
pub(crate) fn is_oid(any: &AnyRef<'_>, oid: &ObjectIdentifier) -> bool {
    any.tag() == Tag::ObjectIdentifier && any.value() == oid.as_bytes()
}

/// An OBJECT IDENTIFIER, for messages and lookups.
pub(crate) fn oid(any: &AnyRef<'_>) -> Option<ObjectIdentifier> {
    (any.tag() == Tag::ObjectIdentifier).then(|| ObjectIdentifier::from_bytes(any.value()).ok()).flatten()
}

/// The octets of a (primitive) OCTET STRING.
pub(crate) fn octets<'a>(any: &AnyRef<'a>) -> Option<&'a [u8]> {
    (any.tag() == Tag::OctetString).then(|| any.value())
}

/// A non-negative INTEGER that fits in a `u64`.
pub(crate) fn small_uint(any: &AnyRef<'_>) -> Option<u64> {
    if any.tag() != Tag::Integer {
        return None;
    }
    let bytes = any.value();
    if bytes.is_empty() || bytes[0] & 0x80 != 0 {
        return None;
    }
    let significant = &bytes[bytes.iter().take_while(|b| **b == 0).count()..];
    if significant.len() > 8 {
        return None;
    }
    Some(significant.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// A BMPString (UTF-16BE) as text.
pub(crate) fn bmp_string(any: &AnyRef<'_>) -> Option<String> {
    if any.tag() != Tag::BmpString || any.value().len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = any.value().chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
    String::from_utf16(&units).ok()
}

/// An AlgorithmIdentifier: its OID element and its parameters, if any.
pub(crate) fn algorithm<'a>(any: &AnyRef<'a>) -> Option<(AnyRef<'a>, Option<AnyRef<'a>>)> {
    let parts = children(any)?;
    let (oid, parameters) = (parts.first()?, parts.get(1));
    (oid.tag() == Tag::ObjectIdentifier).then_some((*oid, parameters.copied()))
}

/// The big-endian magnitude of a non-negative INTEGER (leading zero octets removed).
pub(crate) fn unsigned_integer<'a>(any: &AnyRef<'a>) -> Option<&'a [u8]> {
    let bytes = any.value();
    if any.tag() != Tag::Integer || bytes.is_empty() || bytes[0] & 0x80 != 0 {
        return None;
    }
    Some(&bytes[bytes.iter().take_while(|b| **b == 0).count()..])
}

/// One DER element (tag, definite length, value), for the universal tags PKCS#8 needs; `None`
/// for any other tag. Zeroized on drop: these carry private keys.
pub(crate) fn write(tag: Tag, value: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let identifier = match tag {
        Tag::Integer => 0x02,
        Tag::OctetString => 0x04,
        Tag::Null => 0x05,
        Tag::ObjectIdentifier => 0x06,
        Tag::Sequence => 0x30,
        _ => return None,
    };
    let length = value.len().to_be_bytes();
    let length = &length[length.iter().take_while(|b| **b == 0).count()..];
    let mut out = Zeroizing::new(Vec::with_capacity(2 + length.len() + value.len()));
    out.push(identifier);
    match length {
        [] => out.push(0),
        [short @ 0..=0x7f] => out.push(*short),
        long => {
            out.push(0x80 | long.len() as u8);
            out.extend_from_slice(long);
        }
    }
    out.extend_from_slice(value);
    Some(out)
}

/// A SEQUENCE of already encoded elements.
pub(crate) fn write_sequence(elements: &[&[u8]]) -> Option<Zeroizing<Vec<u8>>> {
    write(Tag::Sequence, &Zeroizing::new(elements.concat()))
}

/// A non-negative INTEGER from its big-endian magnitude.
pub(crate) fn write_unsigned_integer(magnitude: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let magnitude = &magnitude[magnitude.iter().take_while(|b| **b == 0).count()..];
    let mut content = Zeroizing::new(Vec::with_capacity(magnitude.len() + 1));
    if magnitude.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(magnitude);
    write(Tag::Integer, &content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn written_elements_are_what_der_encodes() {
        for tag in [Tag::Integer, Tag::OctetString, Tag::Null, Tag::ObjectIdentifier, Tag::Sequence] {
            for len in [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0x12_3456] {
                let value = vec![0x5a; if tag == Tag::Null { 0 } else { len }];
                let theirs = AnyRef::new(tag, &value).unwrap().to_der().unwrap();
                assert_eq!(write(tag, &value).unwrap().as_slice(), theirs.as_slice(), "{tag} {len}");
            }
        }
        assert!(write(Tag::Utf8String, b"x").is_none());
    }

    // Where fuzzing against `der` (core/fuzz diff_der) found the two disagree by design.
    #[test]
    fn zero_is_written_as_one_octet_even_where_der_writes_none() {
        assert_eq!(write_unsigned_integer(&[]).unwrap().as_slice(), [0x02, 0x01, 0x00]);
        assert_eq!(write_unsigned_integer(&[0, 0]).unwrap().as_slice(), [0x02, 0x01, 0x00]);
        let theirs = der::asn1::UintRef::new(&[]).unwrap().to_der().unwrap();
        assert_eq!(theirs, [0x02, 0x00], "der writes an empty INTEGER, which DER forbids");
    }

    #[test]
    fn friendly_names_read_as_utf16_where_der_reads_ucs2() {
        // U+FFFF and a surrogate pair (U+1F600): keytool writes Java strings as UTF-16.
        let encoded = [0x1e, 0x06, 0xff, 0xff, 0xd8, 0x3d, 0xde, 0x00];
        let any = element(&encoded).unwrap();
        assert_eq!(bmp_string(&any).as_deref(), Some("\u{ffff}\u{1f600}"));
        assert!(der::asn1::BmpString::from_der(&encoded).is_err());
        // An unpaired surrogate is not text.
        assert_eq!(bmp_string(&element(&[0x1e, 0x02, 0xd8, 0x3d]).unwrap()), None);
    }

    #[test]
    fn integers_with_redundant_leading_zeros_are_read_as_ber_writers_write_them() {
        let encoded = [0x02, 0x03, 0x00, 0x08, 0x00];
        assert_eq!(small_uint(&element(&encoded).unwrap()), Some(2048));
        assert!(u64::from_der(&encoded).is_err(), "der reads DER only");
    }
}
