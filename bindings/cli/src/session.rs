//! An admin session with Digdir's self-service API: the admin client (enterprise certificate
//! only), its tokens through the transport's `TokenProvider` (the core's token flow), and one
//! HTTP exchange per API call. The core builds every request and reads every answer.

use crate::admin_args::AdminArgs;
use crate::args::GrantArgs;
use crate::credentials;
use crate::error::{CliError, CliResult};
use maskinporten::{
    check_admin_client, Client, Environment, GrantOptions, HttpRequest, RetryPolicy, SelfService, SelfServiceCall,
};
use maskinporten_transport::blocking::TokenProvider;
use maskinporten_transport::{RawResponse, ReqwestTransport, Transport};
use std::time::Duration;

/// Calls the self-service API as one admin client.
pub struct AdminSession {
    provider: TokenProvider,
    api: SelfService,
    http: Http,
}

impl AdminSession {
    /// The admin client from the command line (refused before anything is sent when it signs with
    /// a registered key), and the API of its environment.
    pub fn from_args(args: &AdminArgs) -> CliResult<AdminSession> {
        let grant = GrantArgs {
            client_id: args.admin_client_id.clone(),
            // Replaced per call by the least scope the call needs.
            scopes: vec![SelfServiceCall::ListClients.scope().as_str().to_string()],
            env: args.env.clone(),
            keystore: args.keystore.clone(),
            alias: args.alias.clone(),
            password_env: args.password_env.clone(),
            password_file: args.password_file.clone(),
            key_password_env: args.key_password_env.clone(),
            key_password_file: args.key_password_file.clone(),
            key: args.key.clone(),
            cert: args.cert.clone(),
            properties: args.properties.clone(),
            ..GrantArgs::default()
        };
        let client = credentials::from_args(&grant)?.client;
        check_admin_client(&client)?;
        let api = self_service(client.environment(), args.api.as_deref())?;
        AdminSession::new(client, api)
    }

    /// A session for `client` (checked to sign with the enterprise certificate) against `api`.
    pub fn new(client: Client, api: SelfService) -> CliResult<AdminSession> {
        check_admin_client(&client)?;
        Ok(AdminSession { provider: TokenProvider::new(client)?, api, http: Http::new()? })
    }

    /// One API call: `build` makes the request from the API and an admin token for the call's
    /// least scope, `parse` reads the answer. `build` runs once first without a token, so bad
    /// input is refused before any request (the token's included) is sent.
    pub fn call<T>(
        &self,
        call: SelfServiceCall,
        build: impl Fn(&SelfService, &str) -> maskinporten::Result<HttpRequest>,
        parse: impl FnOnce(u16, &[u8]) -> maskinporten::Result<T>,
    ) -> CliResult<T> {
        build(&self.api, "not-sent")?;
        let options = GrantOptions::new([call.scope().as_str()]);
        let token = self.provider.token(&options)?;
        let request = build(&self.api, token.access_token())?;
        let answer = self.http.send(&request)?;
        if answer.status == 401 {
            // The API refused this token: the next call fetches a new one.
            self.provider.reject(&options, token.access_token());
        }
        Ok(parse(answer.status, &answer.body)?)
    }
}

/// The self-service API for `environment`: `--api URL`, Digdir's for test and prod, or the one
/// the issuer's metadata names (the simulator's `self_service_endpoint`).
fn self_service(environment: &Environment, api: Option<&str>) -> CliResult<SelfService> {
    if let Some(base) = api {
        return Ok(SelfService::for_environment(&environment.clone().with_self_service_base(base)?)?);
    }
    let unknown = match SelfService::for_environment(environment) {
        Ok(api) => return Ok(api),
        Err(error) => error,
    };
    let discovered = maskinporten_transport::blocking::fetch_metadata(environment.issuer()).map_err(|e| {
        CliError::Message(format!(
            "{unknown}; reading the issuer's metadata for it failed too: {e} (or give --api URL)"
        ))
    })?;
    SelfService::for_environment(&discovered).map_err(|_| CliError::Message(format!("{unknown} (or give --api URL)")))
}

/// One request at a time, aborted after the core's per-attempt timeout; no retries (a 5xx is the
/// core's retryable `unavailable` error, for the caller to run again).
struct Http {
    runtime: tokio::runtime::Runtime,
    transport: ReqwestTransport,
    timeout: Duration,
}

impl Http {
    fn new() -> CliResult<Http> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::Message(format!("could not start the HTTP runtime: {e}")))?;
        let timeout = u64::try_from(RetryPolicy::default().attempt_timeout_ms()).unwrap_or(10_000);
        let transport = runtime.block_on(async { ReqwestTransport::with_default_client() })?;
        Ok(Http { runtime, transport, timeout: Duration::from_millis(timeout) })
    }

    fn send(&self, request: &HttpRequest) -> CliResult<RawResponse> {
        let sent =
            self.runtime.block_on(async { tokio::time::timeout(self.timeout, self.transport.send(request)).await });
        match sent {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(error.failure.to_error(&request.url, &error.detail).into()),
            Err(_) => Err(maskinporten::TransportFailure::Timeout.to_error(&request.url, "no answer in time").into()),
        }
    }
}
