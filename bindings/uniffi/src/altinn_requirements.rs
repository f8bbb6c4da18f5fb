//! Altinn requirements on a token (consent, system user) as plain records, converted to the
//! core's. Mirrored rather than derived in the core because the fields need uniffi defaults.

/// What a consent token (`urn:altinn:consent`) must show: an entry with this `id` and `from`
/// (each only when given), given to the token's consumer, not yet expired.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct ConsentRequirement {
    /// The consent id the API expects, if it knows it.
    #[uniffi(default)]
    pub id: Option<String>,
    /// The party who must have consented (`urn:altinn:person:identifier-no:<pid>` or
    /// `urn:altinn:organization:identifier-no:<orgno>`), if the API knows it.
    #[uniffi(default)]
    pub from: Option<String>,
}

/// What a system-user token (`urn:altinn:systemuser`) must show: a system-user entry, for this
/// organisation and system when given.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct SystemUserRequirement {
    /// The system user's organisation number (`systemuser_org`), if the API serves one.
    #[uniffi(default)]
    pub org: Option<String>,
    /// The registered system (`system_id`), if the API serves one.
    #[uniffi(default)]
    pub system_id: Option<String>,
}

impl From<&ConsentRequirement> for maskinporten::ConsentRequirement {
    fn from(c: &ConsentRequirement) -> Self {
        maskinporten::ConsentRequirement { id: c.id.clone(), from: c.from.clone() }
    }
}

impl From<&SystemUserRequirement> for maskinporten::SystemUserRequirement {
    fn from(s: &SystemUserRequirement) -> Self {
        maskinporten::SystemUserRequirement { org: s.org.clone(), system_id: s.system_id.clone() }
    }
}
