//! What every handler shares.

use super::auth::ApiKeys;
use super::clients::Clients;
use super::metrics::Metrics;
use maskinporten_transport::store::{RedisStore, TokenStore};
use std::sync::Arc;

/// The service's shared state.
pub struct AppState {
    pub clients: Clients,
    pub metrics: Arc<Metrics>,
    /// The shared store, when configured.
    pub store: Option<Arc<RedisStore>>,
    /// Callers' key hashes, when callers must authenticate.
    pub keys: Option<ApiKeys>,
    /// `/readyz` fails when a certificate has fewer days left.
    pub cert_min_days: i64,
}

impl AppState {
    /// Samples the state that is not counted as it happens: certificate days left, the
    /// store's state. Returns each client's days left.
    pub fn sample(&self, now_s: i64) -> Vec<(String, Option<i64>)> {
        if let Some(store) = &self.store {
            self.metrics.store_state(store.available(), store.errors());
        }
        self.clients
            .iter()
            .map(|client| {
                let days = client.certificate_not_after.map(|end| (end - now_s).div_euclid(86_400));
                if let Some(days) = days {
                    self.metrics.certificate_days(&client.name, days);
                }
                (client.name.clone(), days)
            })
            .collect()
    }
}
