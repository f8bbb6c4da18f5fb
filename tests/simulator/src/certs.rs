//! Throwaway CAs and enterprise certificates (RSA 2048) for demos and tests.
//!
//! ```no_run
//! use maskinporten_simulator::certs::TestCa;
//! let ca = TestCa::generate("Simulator Test CA").unwrap();
//! let cert = ca.issue_enterprise("311000004", "SUPPLIER AS").unwrap();
//! let p12 = cert.to_pkcs12("secret", "client").unwrap();
//! # let _ = p12;
//! ```

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SerialNumber,
};
use time::{Duration, OffsetDateTime};

/// Why a certificate could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// Key generation or signing failed.
    #[error("certificate generation failed: {0}")]
    Generate(String),
    /// An argument is wrong (names it).
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The argument.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

fn gen_err(e: impl std::fmt::Display) -> CertError {
    CertError::Generate(e.to_string())
}

fn rsa_key() -> Result<KeyPair, CertError> {
    KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(gen_err)
}

fn serial() -> SerialNumber {
    let mut bytes = uuid::Uuid::new_v4().into_bytes().to_vec();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}

/// A throwaway certificate authority (RSA 2048, valid from a day ago for ten years).
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    /// The CA certificate (PEM).
    pub cert_pem: String,
    /// The CA certificate (DER).
    pub cert_der: Vec<u8>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").field("cert_pem", &self.cert_pem).finish_non_exhaustive()
    }
}

/// Validity of an issued certificate, as Unix seconds.
#[derive(Clone, Copy, Debug)]
pub struct Validity {
    /// Not before.
    pub not_before: i64,
    /// Not after.
    pub not_after: i64,
}

impl Validity {
    /// From a day ago to a year ahead.
    pub fn around_now() -> Self {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        Validity { not_before: now - 86_400, not_after: now + 365 * 86_400 }
    }
}

impl TestCa {
    /// Makes a new self-signed CA with the given common name.
    pub fn generate(common_name: &str) -> Result<TestCa, CertError> {
        let key = rsa_key()?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "NO");
        dn.push(DnType::OrganizationName, "maskinporten-simulator");
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.serial_number = Some(serial());
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(3650);
        let cert = params.self_signed(&key).map_err(gen_err)?;
        Ok(TestCa { cert_pem: cert.pem(), cert_der: cert.der().to_vec(), params, key })
    }

    /// Issues an enterprise certificate (virksomhetssertifikat shape) for an org, valid around now.
    pub fn issue_enterprise(&self, org_number: &str, org_name: &str) -> Result<EnterpriseCert, CertError> {
        self.issue_enterprise_with(org_number, org_name, Validity::around_now())
    }

    /// Issues an eSeal certificate for a foreign organisation (eIDAS shape: subject `C`, `O`,
    /// `CN` and `organizationIdentifier` such as `VATSE-556000000001`, no Norwegian
    /// `serialNumber`), valid around now. The returned value's `org_number` holds the
    /// `organizationIdentifier`. Trust this CA under `[eseal]`, not as an enterprise CA.
    pub fn issue_eseal(
        &self,
        organization_identifier: &str,
        org_name: &str,
        country: &str,
    ) -> Result<EnterpriseCert, CertError> {
        if organization_identifier.is_empty() || !organization_identifier.is_ascii() {
            return Err(CertError::Invalid { field: "organization_identifier", message: "must be ASCII text".into() });
        }
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(CertError::Invalid { field: "country", message: "must be a two-letter country code".into() });
        }
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, country);
        dn.push(DnType::OrganizationName, org_name);
        dn.push(DnType::CommonName, org_name);
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 97]), organization_identifier);
        self.issue(dn, organization_identifier, Validity::around_now())
    }

    /// Issues an enterprise certificate with explicit validity (e.g. an expired one for tests).
    pub fn issue_enterprise_with(
        &self,
        org_number: &str,
        org_name: &str,
        validity: Validity,
    ) -> Result<EnterpriseCert, CertError> {
        if org_number.len() != 9 || !org_number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CertError::Invalid { field: "org_number", message: "must be 9 digits".into() });
        }
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "NO");
        dn.push(DnType::OrganizationName, org_name);
        dn.push(DnType::CommonName, org_name);
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 5]), org_number);
        self.issue(dn, org_number, validity)
    }

    fn issue(&self, dn: DistinguishedName, org_number: &str, validity: Validity) -> Result<EnterpriseCert, CertError> {
        let key = rsa_key()?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
        params.serial_number = Some(serial());
        params.not_before = OffsetDateTime::from_unix_timestamp(validity.not_before).map_err(gen_err)?;
        params.not_after = OffsetDateTime::from_unix_timestamp(validity.not_after).map_err(gen_err)?;
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(gen_err)?;
        let cert_pem = cert.pem();
        Ok(EnterpriseCert {
            chain_pem: format!("{cert_pem}{}", self.cert_pem),
            cert_pem,
            cert_der: cert.der().to_vec(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
            ca_pem: self.cert_pem.clone(),
            ca_der: self.cert_der.clone(),
            org_number: org_number.to_string(),
        })
    }
}

/// An enterprise certificate and its private key. `Debug` never shows the key.
#[derive(Clone)]
pub struct EnterpriseCert {
    /// Leaf certificate (PEM).
    pub cert_pem: String,
    /// Leaf certificate (DER).
    pub cert_der: Vec<u8>,
    /// Private key, PKCS#8 PEM (a secret).
    pub key_pem: String,
    /// Private key, PKCS#8 DER (a secret).
    pub key_der: Vec<u8>,
    /// Leaf followed by the CA (PEM).
    pub chain_pem: String,
    /// The issuing CA (PEM): trust this in the simulator.
    pub ca_pem: String,
    /// The issuing CA (DER).
    pub ca_der: Vec<u8>,
    /// The org number in the subject's serialNumber.
    pub org_number: String,
}

impl std::fmt::Debug for EnterpriseCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnterpriseCert")
            .field("org_number", &self.org_number)
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl EnterpriseCert {
    /// A PKCS#12 file (AES-256/PBKDF2, modern) holding the key, leaf and CA under `alias`.
    pub fn to_pkcs12(&self, password: &str, alias: &str) -> Result<Vec<u8>, CertError> {
        use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
        let key = PrivateKey::from_der(&self.key_der).map_err(gen_err)?;
        let leaf = Certificate::from_der(&self.cert_der).map_err(gen_err)?;
        let ca = Certificate::from_der(&self.ca_der).map_err(gen_err)?;
        let local_key_id = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.cert_der);
        let chain = PrivateKeyChain::new(local_key_id.as_ref(), key, [leaf, ca]);
        let mut ks = KeyStore::new();
        ks.add_entry(alias, KeyStoreEntry::PrivateKeyChain(chain));
        ks.writer(password).write().map_err(gen_err)
    }
}

/// Convenience: a new CA and an enterprise certificate for `org_number`.
pub fn enterprise_certificate(org_number: &str, org_name: &str) -> Result<(TestCa, EnterpriseCert), CertError> {
    let ca = TestCa::generate("maskinporten-simulator throwaway CA")?;
    let cert = ca.issue_enterprise(org_number, org_name)?;
    Ok((ca, cert))
}
