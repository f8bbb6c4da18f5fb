//! The Altinn-era parts of the configuration: the token exchange, consents and eSeal consumers.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

fn d_altinn_lifetime() -> i64 {
    1800
}
fn d_test_org() -> String {
    "ttd".to_string()
}
fn d_true() -> bool {
    true
}

/// Altinn's token exchange (`GET /altinn/authentication/api/v1/exchange/maskinporten`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AltinnConfig {
    /// Lifetime of an exchanged Altinn token in seconds (default 1800, Altinn's 30 minutes); its
    /// own `exp`, unrelated to the Maskinporten token's.
    #[serde(default = "d_altinn_lifetime")]
    pub token_lifetime: i64,
    /// Optional PKCS#8 PEM RSA key that signs Altinn tokens (default: a fresh 2048-bit key, never
    /// the Maskinporten issuer's key).
    #[serde(default)]
    pub signing_key: Option<PathBuf>,
    /// Service owners: organisations whose tokens with the `altinn:serviceowner` scope get
    /// `urn:altinn:org` (their Altinn org code). Any other organisation asking with that scope
    /// is refused (403).
    #[serde(default)]
    pub service_owners: Vec<ServiceOwnerConfig>,
    /// The org code `?test=true` issues tokens for (Altinn's test organisation, default `ttd`).
    #[serde(default = "d_test_org")]
    pub test_org: String,
}

impl Default for AltinnConfig {
    fn default() -> Self {
        AltinnConfig {
            token_lifetime: d_altinn_lifetime(),
            signing_key: None,
            service_owners: Vec::new(),
            test_org: d_test_org(),
        }
    }
}

/// An Altinn service owner.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ServiceOwnerConfig {
    /// The organisation number (the Maskinporten token's consumer).
    pub org_number: String,
    /// Its Altinn org code, e.g. `ttd` or `skd`.
    pub org: String,
}

/// A consent in Altinn, usable with `{"type": "urn:altinn:consent", "id", "from"}`: the token
/// gets the consent's `to`, `consented`, `validTo` and `consentRights`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ConsentConfig {
    /// The consent id (a UUID) the grant names.
    pub id: String,
    /// Who consented: `urn:altinn:person:identifier-no:<pid>` or
    /// `urn:altinn:organization:identifier-no:<orgno>`.
    pub from: String,
    /// The organisation the consent was given to (9 digits): the token's consumer must be it.
    pub to: String,
    /// When consent was given (RFC 3339, default `2025-01-01T00:00:00Z`).
    #[serde(default)]
    pub consented: Option<String>,
    /// Until when the consent holds (RFC 3339); a grant after it is refused (MP-303).
    pub valid_to: String,
    /// `consentRights` as Altinn writes them (default: `read` on resource `ttd_simulator`).
    #[serde(default)]
    pub rights: Option<serde_json::Value>,
}

/// Foreign organisations with an eSeal certificate: no registered client, a full `x5c` chain to
/// an eSeal CA.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct EsealConfig {
    /// PEM files of the CAs that issue eSeal certificates (a trust list of its own: an
    /// enterprise-certificate CA does not issue eSeals here).
    #[serde(default)]
    pub trusted_ca: Vec<PathBuf>,
    /// Inline PEM certificates, same meaning as `trusted_ca`.
    #[serde(default)]
    pub trusted_ca_pem: Vec<String>,
    /// The eSeal consumers.
    #[serde(default)]
    pub consumers: Vec<EsealConsumerConfig>,
}

/// One eSeal consumer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct EsealConsumerConfig {
    /// The `client_id` it sends as the grant's `iss` and gets in its tokens (`eidas-...`).
    pub client_id: String,
    /// The certificate subject's `organizationIdentifier`, raw (`NTRNO-555555555`,
    /// `VATSE-556000000001`, ...).
    pub organization_identifier: String,
    /// Scopes it was granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// A qualified eSeal (`client_amr` `QCForESeal`, default) or an advanced one (`CForESeal`).
    #[serde(default = "d_true")]
    pub qualified: bool,
}
