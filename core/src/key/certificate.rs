//! Facts about the enterprise certificate (virksomhetssertifikat) that travel in `x5c`.

use super::der_walk;
use super::RsaPublic;
use crate::error::{Error, ErrorKind, Result};
use der::asn1::ObjectIdentifier;
use der::{AnyRef, Tag, Tagged};

/// What the certificate says about its holder, read once when the key is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CertificateInfo {
    /// Subject distinguished name, attributes in certificate order (`C=NO, O=..., CN=..., serialNumber=...`).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// The organisation number, from the subject's `serialNumber` or its
    /// `organizationIdentifier` (`NTRNO-<orgno>`), when it holds 9 digits.
    pub org_number: Option<String>,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
}

impl CertificateInfo {
    /// Reads the facts from a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<CertificateInfo> {
        Ok(parse(der)?.0)
    }

    /// Whether the certificate is valid at `now` (inclusive bounds).
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// `Ok` when valid at `now`, else [`Error::CertificateNotValid`] quoting the dates.
    pub fn check_valid_at(&self, now: i64) -> Result<()> {
        if self.is_valid_at(now) {
            Ok(())
        } else {
            Err(Error::CertificateNotValid {
                subject: self.subject.clone(),
                not_before: self.not_before,
                not_after: self.not_after,
                now,
            })
        }
    }
}

const OID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const OID_ORGANIZATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");

/// Short names for the attributes Norwegian enterprise certificates use; others print as OIDs.
const ATTRIBUTE_NAMES: [(ObjectIdentifier, &str); 10] = [
    (ObjectIdentifier::new_unwrap("2.5.4.3"), "CN"),
    (ObjectIdentifier::new_unwrap("2.5.4.6"), "C"),
    (ObjectIdentifier::new_unwrap("2.5.4.7"), "L"),
    (ObjectIdentifier::new_unwrap("2.5.4.8"), "ST"),
    (ObjectIdentifier::new_unwrap("2.5.4.10"), "O"),
    (ObjectIdentifier::new_unwrap("2.5.4.11"), "OU"),
    (OID_SERIAL_NUMBER, "serialNumber"),
    (OID_ORGANIZATION_IDENTIFIER, "organizationIdentifier"),
    (ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1"), "emailAddress"),
    (ObjectIdentifier::new_unwrap("2.5.4.9"), "street"),
];

/// The parts of an X.509 certificate this library reads, borrowed from its DER.
pub(crate) struct ParsedCertificate<'a> {
    pub(crate) issuer: AnyRef<'a>,
    pub(crate) subject: AnyRef<'a>,
    serial: &'a [u8],
    validity: AnyRef<'a>,
    public_key_info: AnyRef<'a>,
}

impl<'a> ParsedCertificate<'a> {
    /// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }` with
    /// `tbsCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
    /// validity, subject, subjectPublicKeyInfo, ... }`.
    pub(crate) fn from_der(der: &'a [u8]) -> Option<ParsedCertificate<'a>> {
        let certificate = der_walk::children(&der_walk::element(der)?)?;
        let tbs = der_walk::children(certificate.first()?)?;
        let skip_version = usize::from(der_walk::explicit(tbs.first()?, 0).is_some());
        let field = |i: usize| tbs.get(skip_version + i).copied();
        let serial = field(0).filter(|s| s.tag() == Tag::Integer)?;
        let is_sequence = |any: &AnyRef<'_>| any.tag() == Tag::Sequence;
        Some(ParsedCertificate {
            serial: serial.value(),
            issuer: field(2).filter(is_sequence)?,
            validity: field(3).filter(is_sequence)?,
            subject: field(4).filter(is_sequence)?,
            public_key_info: field(5).filter(is_sequence)?,
        })
    }

    fn validity(&self) -> Option<(i64, i64)> {
        let times = der_walk::children(&self.validity)?;
        Some((unix_seconds(times.first()?)?, unix_seconds(times.get(1)?)?))
    }

    fn rsa_public(&self) -> Option<RsaPublic> {
        let parts = der_walk::children(&self.public_key_info)?;
        let (algorithm, _) = der_walk::algorithm(parts.first()?)?;
        let bits = parts.get(1).filter(|b| b.tag() == Tag::BitString)?.value();
        if !der_walk::is_oid(&algorithm, &super::rsa_der::RSA_ENCRYPTION) || bits.first() != Some(&0) {
            return None;
        }
        super::rsa_der::public_from_pkcs1_public(&bits[1..])
    }
}

/// The certificate's facts and its RSA public key (modulus, exponent; big-endian, no leading zeros).
pub(crate) fn parse(der: &[u8]) -> Result<(CertificateInfo, Option<RsaPublic>)> {
    let invalid = || {
        Error::key(
            ErrorKind::InvalidKey,
            "a certificate could not be parsed as X.509 DER: check the certificate file (PEM certificates must be passed as PEM)",
        )
    };
    let cert = ParsedCertificate::from_der(der).ok_or_else(invalid)?;
    let (not_before, not_after) = cert.validity().ok_or_else(invalid)?;
    let subject = attributes(&cert.subject).ok_or_else(invalid)?;
    let info = CertificateInfo {
        subject: name_to_string(&subject),
        issuer: name_to_string(&attributes(&cert.issuer).ok_or_else(invalid)?),
        serial: hex_lower(cert.serial),
        org_number: org_number(&subject),
        not_before,
        not_after,
    };
    Ok((info, cert.rsa_public()))
}

/// A validity time as Unix seconds. RFC 5280 §4.1.2.5 fixes both forms to whole seconds in UTC:
/// `YYMMDDHHMMSSZ` (UTCTime, years 1950 to 2049) and `YYYYMMDDHHMMSSZ` (GeneralizedTime).
/// Read by hand rather than through `der`'s `DateTime`, which is much larger in the WebAssembly
/// build; the tests check both against `der`.
pub(super) fn unix_seconds(time: &AnyRef<'_>) -> Option<i64> {
    let text = time.value();
    let (year, rest) = match (time.tag(), text.len()) {
        (Tag::UtcTime, 13) => {
            let yy = i64::from(two_digits(&text[..2])?);
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
        }
        (Tag::GeneralizedTime, 15) => {
            (i64::from(two_digits(&text[..2])?) * 100 + i64::from(two_digits(&text[2..4])?), &text[4..])
        }
        _ => return None,
    };
    if rest[10] != b'Z' {
        return None;
    }
    let field = |i: usize| two_digits(&rest[2 * i..2 * i + 2]);
    crate::time::unix_from_civil(year, field(0)?, field(1)?, field(2)?, field(3)?, field(4)?)
}

fn two_digits(pair: &[u8]) -> Option<u32> {
    match pair {
        [tens @ b'0'..=b'9', ones @ b'0'..=b'9'] => Some(u32::from(tens - b'0') * 10 + u32::from(ones - b'0')),
        _ => None,
    }
}

/// A Name's attributes in certificate order: `SEQUENCE OF SET OF SEQUENCE { type, value }`.
fn attributes<'a>(name: &AnyRef<'a>) -> Option<Vec<(ObjectIdentifier, AnyRef<'a>)>> {
    let mut out = Vec::new();
    for rdn in der_walk::children(name)? {
        for pair in der_walk::children(&rdn)? {
            let parts = der_walk::children(&pair)?;
            out.push((der_walk::oid(parts.first()?)?, *parts.get(1)?));
        }
    }
    Some(out)
}

/// `C=NO, O=Example AS, CN=...`: attributes in certificate order, as the CA's documents show them.
fn name_to_string(attributes: &[(ObjectIdentifier, AnyRef<'_>)]) -> String {
    attributes
        .iter()
        .map(|(oid, value)| {
            let label = ATTRIBUTE_NAMES
                .iter()
                .find(|(known, _)| known == oid)
                .map_or_else(|| oid.to_string(), |(_, label)| (*label).to_string());
            match text(value) {
                Some(value) => format!("{label}={value}"),
                None => format!("{label}=#{}", hex_lower(value.value())),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The subject of a DER certificate as text, for aliases.
pub(crate) fn subject_of(cert: &ParsedCertificate<'_>) -> Option<String> {
    attributes(&cert.subject).map(|a| name_to_string(&a))
}

/// A directory string's text (PrintableString, UTF8String, IA5String, or BMPString).
fn text(value: &AnyRef<'_>) -> Option<String> {
    match value.tag() {
        Tag::PrintableString | Tag::Utf8String | Tag::Ia5String | Tag::TeletexString => {
            std::str::from_utf8(value.value()).ok().map(str::to_string)
        }
        _ => der_walk::bmp_string(value),
    }
}

fn org_number(attributes: &[(ObjectIdentifier, AnyRef<'_>)]) -> Option<String> {
    attributes.iter().find_map(|(oid, value)| {
        let value = text(value)?;
        let digits = match *oid {
            OID_SERIAL_NUMBER => value.as_str(),
            OID_ORGANIZATION_IDENTIFIER => value.strip_prefix("NTRNO-")?,
            _ => return None,
        };
        (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_string())
    })
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{GeneralizedTime, UtcTime};
    use der::{Decode, Encode};

    fn tlv(tag: Tag, text: &str) -> Vec<u8> {
        let octet = match tag {
            Tag::UtcTime => 0x17,
            Tag::GeneralizedTime => 0x18,
            _ => 0x04,
        };
        [&[octet, text.len() as u8][..], text.as_bytes()].concat()
    }

    fn ours(tag: Tag, text: &str) -> Option<i64> {
        unix_seconds(&AnyRef::from_der(&tlv(tag, text)).unwrap())
    }

    fn ders(tag: Tag, text: &str) -> Option<i64> {
        let encoded = tlv(tag, text);
        let duration = match tag {
            Tag::UtcTime => UtcTime::from_der(&encoded).ok()?.to_unix_duration(),
            _ => GeneralizedTime::from_der(&encoded).ok()?.to_unix_duration(),
        };
        i64::try_from(duration.as_secs()).ok()
    }

    #[test]
    fn validity_times_read_as_der_reads_them() {
        let mut texts = Vec::new();
        for year in [1950, 1969, 1970, 1999, 2000, 2024, 2025, 2049, 2050, 2100, 2400, 9999] {
            for (month, day) in [(1, 1), (2, 28), (2, 29), (2, 30), (4, 30), (4, 31), (12, 31), (0, 1), (13, 1), (1, 0)]
            {
                for time in ["000000", "235959", "240000", "236000", "235960"] {
                    texts.push((year, format!("{month:02}{day:02}{time}Z")));
                }
            }
        }
        // `der` stops at 1970 (its times are durations since the epoch); before that we give
        // negative seconds rather than refusing the certificate.
        assert_eq!(ours(Tag::UtcTime, "500101000000Z"), Some(-631_152_000));
        for (year, rest) in texts.into_iter().filter(|(year, _)| *year >= 1970) {
            let generalized = format!("{year:04}{rest}");
            assert_eq!(
                ours(Tag::GeneralizedTime, &generalized),
                ders(Tag::GeneralizedTime, &generalized),
                "{generalized}"
            );
            if (1950..2050).contains(&year) {
                let utc = format!("{:02}{rest}", year % 100);
                assert_eq!(ours(Tag::UtcTime, &utc), ders(Tag::UtcTime, &utc), "{utc}");
            }
        }
        for bad in ["2501011200Z", "250101120000", "250101120000+0100", "25010112000aZ", "250101120000.5Z"] {
            assert_eq!(ours(Tag::UtcTime, bad), None, "{bad}");
        }
        assert_eq!(ours(Tag::GeneralizedTime, "20250101120000.5Z"), None);
        assert_eq!(ours(Tag::OctetString, "250101120000Z"), None);
        // A round trip through `der`'s encoder, as certificates carry it.
        let encoded = GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(1_767_225_600))
            .unwrap()
            .to_der()
            .unwrap();
        assert_eq!(unix_seconds(&AnyRef::from_der(&encoded).unwrap()), Some(1_767_225_600));
    }
}
