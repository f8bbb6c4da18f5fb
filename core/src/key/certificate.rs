//! Facts about the enterprise certificate (virksomhetssertifikat) that travel in `x5c`.

use super::RsaPublic;
use crate::crypto::strip_zeros;
use crate::error::{Error, Result};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// What the certificate says about its holder, read once when the key is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Subject distinguished name, RFC 4514 style (`CN=..., O=..., serialNumber=...`).
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

/// The certificate's facts and its RSA public key (modulus, exponent; big-endian, no leading zeros).
pub(crate) fn parse(der: &[u8]) -> Result<(CertificateInfo, Option<RsaPublic>)> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| {
        Error::key(
            "invalid_key",
            format!("a certificate could not be parsed as X.509 DER ({e}): check the certificate file"),
        )
    })?;
    let subject = cert.subject().to_string();
    let info = CertificateInfo {
        org_number: org_number(&cert),
        issuer: cert.issuer().to_string(),
        serial: hex_lower(cert.tbs_certificate.raw_serial()),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        subject,
    };
    let public = match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            Some(RsaPublic { n: strip_zeros(rsa.modulus).to_vec(), e: strip_zeros(rsa.exponent).to_vec() })
        }
        _ => None,
    };
    Ok((info, public))
}

const OID_SERIAL_NUMBER: &str = "2.5.4.5";
const OID_ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";

fn org_number(cert: &X509Certificate<'_>) -> Option<String> {
    cert.subject().iter_attributes().find_map(|attr| {
        let oid = attr.attr_type().to_id_string();
        let value = attr.as_str().ok()?;
        let digits = match oid.as_str() {
            OID_SERIAL_NUMBER => value,
            OID_ORGANIZATION_IDENTIFIER => value.strip_prefix("NTRNO-")?,
            _ => return None,
        };
        (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_string())
    })
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
