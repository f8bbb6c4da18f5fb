//! Altinn platforms as values.

use crate::error::{Error, ErrorKind, Result};

const PROD: &str = "https://platform.altinn.no";
const TT02: &str = "https://platform.tt02.altinn.no";

/// An Altinn 3 platform: production, TT02 (Altinn's test environment) or a custom base URL
/// (the simulator).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AltinnPlatform {
    base: String,
}

impl AltinnPlatform {
    /// `https://platform.altinn.no`.
    pub fn prod() -> AltinnPlatform {
        AltinnPlatform { base: PROD.into() }
    }

    /// `https://platform.tt02.altinn.no`, Altinn's test environment (use it with Maskinporten's
    /// test environment).
    pub fn tt02() -> AltinnPlatform {
        AltinnPlatform { base: TT02.into() }
    }

    /// Another platform base URL: `https://...`, or `http` on loopback (the simulator).
    pub fn custom(base: &str) -> Result<AltinnPlatform> {
        crate::environment::check_endpoint_url("altinn_platform", base)?;
        Ok(AltinnPlatform { base: base.trim_end_matches('/').to_string() })
    }

    /// `prod`, `tt02` or a base URL.
    pub fn from_name(name: &str) -> Result<AltinnPlatform> {
        match name.trim() {
            "prod" => Ok(AltinnPlatform::prod()),
            "tt02" => Ok(AltinnPlatform::tt02()),
            url if url.contains("://") => AltinnPlatform::custom(url),
            other => Err(Error::invalid(
                ErrorKind::InvalidEnvironment,
                "altinn_platform",
                format!("{other:?} is not an Altinn platform: use \"tt02\" (test), \"prod\" or a base URL"),
            )),
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether this is TT02, where `?test=true` is allowed.
    pub fn is_tt02(&self) -> bool {
        self.base == TT02
    }
}
