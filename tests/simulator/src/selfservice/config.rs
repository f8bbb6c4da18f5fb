//! The self-service API's settings (`[self_service]` in the configuration).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How the simulated self-service API behaves (`[self_service]` in TOML).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct SelfServiceConfig {
    /// Seconds before a change made through the API reaches `/token` (Digdir: 0 to 2 minutes,
    /// some report 15). Default 0: at once.
    #[serde(default)]
    pub propagation_delay: i64,
    /// Organisations that have not accepted Digdir's terms of use: every API call of their admin
    /// clients answers 428 `PRECONDITION_REQUIRED`.
    #[serde(default)]
    pub terms_not_accepted: Vec<String>,
    /// A JSON file the API's state (clients and key sets) is loaded from at start, when it
    /// exists, and saved to after every change (`--state FILE`). Default: memory only.
    #[serde(default)]
    pub state_file: Option<PathBuf>,
}
