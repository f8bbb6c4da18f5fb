//! Altinn platforms as values.

use crate::environment::Environment;
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

    /// The platform that goes with a Maskinporten environment: TT02 with Maskinporten's test
    /// environment, production with production. Any other environment (the simulator, a custom
    /// issuer) has no known platform: name one ([`AltinnPlatform::from_name`]).
    pub fn for_environment(environment: &Environment) -> Result<AltinnPlatform> {
        if environment.issuer() == Environment::test().issuer() {
            Ok(AltinnPlatform::tt02())
        } else if environment.issuer() == Environment::prod().issuer() {
            Ok(AltinnPlatform::prod())
        } else {
            Err(Error::invalid(
                ErrorKind::InvalidEnvironment,
                "altinn_platform",
                format!(
                    "no Altinn platform is known for the Maskinporten issuer {}: name one (\"tt02\", \"prod\" or a base URL)",
                    environment.issuer()
                ),
            ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_follow_the_maskinporten_environment() {
        assert_eq!(AltinnPlatform::for_environment(&Environment::test()).unwrap(), AltinnPlatform::tt02());
        assert_eq!(AltinnPlatform::for_environment(&Environment::prod()).unwrap(), AltinnPlatform::prod());
        let simulator = Environment::from_name("http://127.0.0.1:4000/").unwrap();
        let error = AltinnPlatform::for_environment(&simulator).unwrap_err();
        assert_eq!((error.kind(), error.field()), (ErrorKind::InvalidEnvironment, Some("altinn_platform")));
    }
}
