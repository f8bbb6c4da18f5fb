//! JWS algorithms Maskinporten accepts for grants.

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::str::FromStr;

/// The signature algorithm of a grant. Maskinporten accepts RS256, RS384 and RS512 only
/// (`token_endpoint_auth_signing_alg_values_supported`); no ES* or PS*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (the default, what every client sends).
    #[default]
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
}

impl Algorithm {
    /// The JWS name: `RS256`, `RS384` or `RS512`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Rs384 => "RS384",
            Algorithm::Rs512 => "RS512",
        }
    }
}

impl Algorithm {
    /// The hash the algorithm signs with, lowercase (`sha256`, `sha384`, `sha512`): what an
    /// external signer that takes a digest (Azure Key Vault, AWS KMS) must apply to the
    /// signing input.
    pub fn hash_name(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "sha256",
            Algorithm::Rs384 => "sha384",
            Algorithm::Rs512 => "sha512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Parses `RS256`, `RS384` or `RS512` (case-insensitive).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "RS256" => Ok(Algorithm::Rs256),
            "RS384" => Ok(Algorithm::Rs384),
            "RS512" => Ok(Algorithm::Rs512),
            _ => Err(Error::invalid(
                ErrorKind::InvalidAlgorithm,
                "alg",
                format!("{s:?} is not accepted by Maskinporten: use RS256 (default), RS384 or RS512"),
            )),
        }
    }
}
