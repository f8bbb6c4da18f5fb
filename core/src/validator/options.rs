//! The validator's settings as one value, for hosts that take them as options.

use super::Validator;
use crate::algorithm::Algorithm;
use crate::error::Result;

/// Optional validator settings; `None` keeps the default (see [`Validator::new`]). Bindings
/// convert their keyword arguments or option objects into this once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ValidatorOptions {
    /// Accepted algorithms (a non-empty subset of RS256/RS384/RS512).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub algorithms: Option<Vec<Algorithm>>,
    /// Clock leeway in seconds (0 to 300).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub leeway: Option<i64>,
    /// Maximum JWKS age in seconds (60 to 7 days).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub max_jwks_age: Option<i64>,
    /// Minimum seconds between unknown-`kid` refetches and after a failed fetch (1 to 3600).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub min_refetch_interval: Option<i64>,
    /// Timeout of one JWKS fetch in milliseconds (1 ms to 5 minutes).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub jwks_timeout_ms: Option<i64>,
}

impl Validator {
    /// Applies every setting given in `options`, each checked as by its `with_*` method.
    pub fn with_options(mut self, options: &ValidatorOptions) -> Result<Validator> {
        if let Some(algorithms) = &options.algorithms {
            self = self.with_algorithms(algorithms)?;
        }
        if let Some(seconds) = options.leeway {
            self = self.with_leeway(seconds)?;
        }
        if let Some(seconds) = options.max_jwks_age {
            self = self.with_max_jwks_age(seconds)?;
        }
        if let Some(seconds) = options.min_refetch_interval {
            self = self.with_min_refetch_interval(seconds)?;
        }
        if let Some(ms) = options.jwks_timeout_ms {
            self = self.with_jwks_timeout_ms(ms)?;
        }
        Ok(self)
    }
}
