//! The key loader's hand-written parts, for the differential fuzz targets in `core/fuzz` (feature
//! `fuzzing`, re-exported by `crate::fuzzing`). Thin wrappers: each calls the internal function
//! as the loader does, so a target compares exactly the code the loader runs.

use super::{certificate, der_walk};
use der::asn1::ObjectIdentifier;
use der::{AnyRef, Tag};

pub use super::pkcs12::fuzz::{cbc_decrypt, pkcs12_kdf, CbcCipher, CbcFailure, KdfHash, KdfPurpose};

/// `der_walk::element`: exactly one element filling `bytes`.
pub fn der_element(bytes: &[u8]) -> Option<AnyRef<'_>> {
    der_walk::element(bytes)
}

/// `der_walk::children`: the elements of a SEQUENCE or SET.
pub fn der_children<'a>(any: &AnyRef<'a>) -> Option<Vec<AnyRef<'a>>> {
    der_walk::children(any)
}

/// `der_walk::elements`: the elements filling `bytes` back to back.
pub fn der_elements(bytes: &[u8]) -> Option<Vec<AnyRef<'_>>> {
    der_walk::elements(bytes)
}

/// `der_walk::explicit`: the content of an explicitly tagged `[number]` element.
pub fn der_explicit<'a>(any: &AnyRef<'a>, number: u32) -> Option<AnyRef<'a>> {
    der_walk::explicit(any, number)
}

/// `der_walk::oid`: an OBJECT IDENTIFIER.
pub fn der_oid(any: &AnyRef<'_>) -> Option<ObjectIdentifier> {
    der_walk::oid(any)
}

/// `der_walk::is_oid`: whether `any` is the OBJECT IDENTIFIER `oid`.
pub fn der_is_oid(any: &AnyRef<'_>, oid: &ObjectIdentifier) -> bool {
    der_walk::is_oid(any, oid)
}

/// `der_walk::octets`: the octets of a primitive OCTET STRING.
pub fn der_octets<'a>(any: &AnyRef<'a>) -> Option<&'a [u8]> {
    der_walk::octets(any)
}

/// `der_walk::small_uint`: a non-negative INTEGER that fits in a `u64`.
pub fn der_small_uint(any: &AnyRef<'_>) -> Option<u64> {
    der_walk::small_uint(any)
}

/// `der_walk::unsigned_integer`: the magnitude of a non-negative INTEGER.
pub fn der_unsigned_integer<'a>(any: &AnyRef<'a>) -> Option<&'a [u8]> {
    der_walk::unsigned_integer(any)
}

/// `der_walk::bmp_string`: a BMPString as text.
pub fn der_bmp_string(any: &AnyRef<'_>) -> Option<String> {
    der_walk::bmp_string(any)
}

/// `der_walk::write`: one DER element of a universal tag PKCS#8 needs.
pub fn der_write(tag: Tag, value: &[u8]) -> Option<Vec<u8>> {
    der_walk::write(tag, value).map(|out| out.to_vec())
}

/// `der_walk::write_unsigned_integer`: a non-negative INTEGER from its magnitude.
pub fn der_write_unsigned_integer(magnitude: &[u8]) -> Option<Vec<u8>> {
    der_walk::write_unsigned_integer(magnitude).map(|out| out.to_vec())
}

/// `certificate::unix_seconds`: a validity time (UTCTime or GeneralizedTime) as Unix seconds.
pub fn certificate_time(any: &AnyRef<'_>) -> Option<i64> {
    certificate::unix_seconds(any)
}
