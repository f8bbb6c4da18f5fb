//! The service's clients: each one's key loaded once, its token provider (the core's token
//! flow, sharing the store), its allowed scopes, and the validator of its environment.

use super::config::{ClientConfig, FlowSettings};
use super::metrics::Metrics;
use super::problem::ApiError;
use crate::args::GrantArgs;
use crate::error::CliResult;
use axum::http::StatusCode;
use maskinporten::{AltinnExchange, AltinnPlatform, FlowOptions, Validator};
use maskinporten_transport::store::TokenStore;
use maskinporten_transport::{TokenProvider, TokenValidator};
use std::collections::HashMap;
use std::sync::Arc;

/// One configured client, ready to serve.
pub struct ServiceClient {
    pub name: String,
    pub provider: TokenProvider,
    pub allowed_scopes: Option<Vec<String>>,
    pub validator: Arc<TokenValidator>,
    /// The certificate's end of validity (Unix seconds), for keys with one.
    pub certificate_not_after: Option<i64>,
    /// Where `altinn=true` exchanges this client's tokens (`None`: no platform is known).
    pub altinn: Option<AltinnExchange>,
}

/// Every client, by name.
pub struct Clients {
    list: Vec<ServiceClient>,
}

impl Clients {
    /// Loads every client's key (failing on the first that does not load, naming it), with
    /// providers on `store` and events into `metrics`.
    pub fn load(
        configs: &[ClientConfig],
        flow: &FlowSettings,
        store: Option<Arc<dyn TokenStore>>,
        metrics: &Arc<Metrics>,
    ) -> CliResult<Clients> {
        let options = FlowOptions {
            max_attempts: flow.max_attempts,
            attempt_timeout_ms: flow.attempt_timeout_ms,
            deadline_ms: flow.deadline_ms,
            refresh_skew: flow.refresh_skew,
            ..FlowOptions::default()
        };
        let mut validators: HashMap<String, Arc<TokenValidator>> = HashMap::new();
        let mut list = Vec::new();
        for config in configs {
            let named =
                |e: crate::error::CliError| crate::error::CliError::Message(format!("client {:?}: {e}", config.name()));
            let client = crate::credentials::client_from_args(&grant_args(config)).map_err(named)?;
            let certificate_not_after = client.key().certificate().map(|c| c.not_after);
            let environment = client.environment().clone();
            let altinn = match &config.altinn_platform {
                Some(name) => Some(AltinnExchange::new(AltinnPlatform::from_name(name).map_err(|e| named(e.into()))?)),
                None => AltinnPlatform::for_environment(&environment).ok().map(AltinnExchange::new),
            };
            let validator = match validators.get(environment.issuer()) {
                Some(validator) => validator.clone(),
                None => {
                    let listener = metrics.clone();
                    let validator = TokenValidator::new(Validator::new(environment.clone()))
                        .map_err(|e| named(e.into()))?
                        .with_event_listener(move |event| listener.event(event));
                    let validator = Arc::new(validator);
                    validators.insert(environment.issuer().to_string(), validator.clone());
                    validator
                }
            };
            let listener = metrics.clone();
            let mut provider = TokenProvider::new(client)
                .and_then(|p| p.with_options(&options))
                .map_err(|e| named(e.into()))?
                .with_event_listener(move |event| listener.event(event));
            if let Some(store) = &store {
                provider = provider.with_store(store.clone());
            }
            list.push(ServiceClient {
                name: config.name().to_string(),
                provider,
                allowed_scopes: config.scopes.clone(),
                validator,
                certificate_not_after,
                altinn,
            });
        }
        Ok(Clients { list })
    }

    /// The client a request names, or the only one, or the one named `default`.
    pub fn pick(&self, name: Option<&str>) -> Result<&ServiceClient, ApiError> {
        let found = match name {
            Some(name) => self.list.iter().find(|c| c.name == name),
            None if self.list.len() == 1 => self.list.first(),
            None => self.list.iter().find(|c| c.name == "default"),
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = self.list.iter().map(|c| c.name.as_str()).collect();
            let message = match name {
                Some(name) => {
                    format!("no client named {:?}; the clients are: {}", super::request::short(name), names.join(", "))
                }
                None => format!("several clients are configured: name one with `client` ({})", names.join(", ")),
            };
            ApiError::service(StatusCode::BAD_REQUEST, "unknown_client", message).with_field("client")
        })
    }

    /// Every client.
    pub fn iter(&self) -> impl Iterator<Item = &ServiceClient> {
        self.list.iter()
    }
}

impl ServiceClient {
    /// Refuses scopes outside the client's `scopes` list, when it has one.
    pub fn check_scopes(&self, scopes: &[String]) -> Result<(), ApiError> {
        let Some(allowed) = &self.allowed_scopes else { return Ok(()) };
        match scopes.iter().find(|s| !allowed.contains(s)) {
            None => Ok(()),
            Some(scope) => Err(ApiError::service(
                StatusCode::FORBIDDEN,
                "scope_not_allowed",
                format!(
                    "client {:?} may not ask for scope {:?} here; allowed: {}",
                    self.name,
                    super::request::short(scope),
                    allowed.join(" ")
                ),
            )
            .with_field("target")),
        }
    }
}

fn grant_args(config: &ClientConfig) -> GrantArgs {
    GrantArgs {
        client_id: Some(config.client_id.clone()),
        env: config.env.clone(),
        keystore: config.p12.clone(),
        alias: config.alias.clone(),
        password_env: config.password_env.clone(),
        password_file: config.password_file.clone(),
        key_password_env: config.key_password_env.clone(),
        key_password_file: config.key_password_file.clone(),
        key: config.key.clone(),
        cert: config.cert.clone(),
        jwk: config.jwk.clone(),
        kid: config.kid.clone(),
        alg: config.alg.clone(),
        lifetime: config.lifetime,
        ..GrantArgs::default()
    }
}
