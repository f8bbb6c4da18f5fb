//! Altinn 3's token exchange for the providers: [`AltinnExchange`] (platform, test organisation,
//! subscription key, checked by the core) and [`TokenFlow::exchanged_key`], the key of an Altinn
//! token, which `TokenFlow.start` runs through the core's `call_exchanged` (the Maskinporten
//! token, then the exchange, in one call and one cache).

use crate::environment::Environment;
use crate::error::Result;
use crate::flow::{TokenFlow, TokenKey};
use std::sync::Arc;

/// How to exchange a Maskinporten token for an Altinn token. Equal exchanges share their tokens.
/// Its text never shows the subscription key.
#[derive(Debug, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Debug, Eq, Hash)]
pub struct AltinnExchange(pub(crate) maskinporten::AltinnExchange);

fn exchange(
    platform: maskinporten::AltinnPlatform,
    test_org: bool,
    subscription_key: Option<String>,
) -> Result<Arc<AltinnExchange>> {
    let mut exchange = maskinporten::AltinnExchange::new(platform).with_test_org(test_org)?;
    if let Some(key) = subscription_key {
        exchange = exchange.with_subscription_key(&key)?;
    }
    Ok(Arc::new(AltinnExchange(exchange)))
}

#[uniffi::export]
impl AltinnExchange {
    /// An exchange on `platform`: `"tt02"`, `"prod"` or a base URL (such as the simulator's
    /// `/altinn`). `test_org` (TT02 only): a token for Altinn's test organisation;
    /// `subscription_key`: sent as `Ocp-Apim-Subscription-Key` (secret).
    #[uniffi::constructor(default(test_org = false, subscription_key = None))]
    pub fn new(platform: String, test_org: bool, subscription_key: Option<String>) -> Result<Arc<AltinnExchange>> {
        exchange(maskinporten::AltinnPlatform::from_name(&platform)?, test_org, subscription_key)
    }

    /// The exchange on the platform of `environment`: TT02 with Maskinporten's test environment,
    /// production with production (`invalid_environment` for any other issuer: name a platform).
    #[uniffi::constructor(default(test_org = false, subscription_key = None))]
    pub fn for_environment(
        environment: Arc<Environment>,
        test_org: bool,
        subscription_key: Option<String>,
    ) -> Result<Arc<AltinnExchange>> {
        exchange(maskinporten::AltinnPlatform::for_environment(&environment.0)?, test_org, subscription_key)
    }

    /// The platform's base URL.
    pub fn platform(&self) -> String {
        self.0.platform().base().to_string()
    }

    /// Whether `?test=true` is sent.
    pub fn test_org(&self) -> bool {
        self.0.test_org()
    }
}

#[uniffi::export]
impl TokenFlow {
    /// The key of the Altinn token exchanged through `exchange` from the Maskinporten token of
    /// `key`: `start` with it runs both stages; `reject` with it drops that Altinn token only.
    pub fn exchanged_key(&self, key: Arc<TokenKey>, exchange: Arc<AltinnExchange>) -> Arc<TokenKey> {
        Arc::new(key.exchanged(&exchange.0))
    }
}
