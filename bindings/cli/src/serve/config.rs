//! The service's configuration: a TOML file, or environment variables for the one-client case,
//! with the command line's flags on top. Secrets (keystore passwords, the Redis URL that may
//! hold a password, the store's encryption key) come from files or variables, never argv.

use crate::args::ServeArgs;
use crate::error::{read_text, shown_path, CliError, CliResult};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The whole configuration, as read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// `host:port`; default `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// Whether a non-loopback `listen` is allowed (callers must then authenticate).
    #[serde(default)]
    pub allow_non_loopback: bool,
    /// File of `sha256:<hex>` lines: the hashes of the callers' bearer keys.
    pub api_keys_file: Option<PathBuf>,
    /// `/readyz` fails when a client's certificate has fewer days left (default 14).
    pub cert_min_days: Option<i64>,
    /// Log format: `json` (default) or `text`.
    pub log_format: Option<String>,
    /// OTLP/HTTP collector for traces (feature `otlp`).
    pub otlp_endpoint: Option<String>,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub flow: FlowSettings,
    pub store: Option<StoreConfig>,
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
}

/// What one caller may cost the service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body (default 16384 bytes); larger ones get 413.
    pub max_body_bytes: usize,
    /// A request's whole time (default 35000 ms, above the token flow's 30 s deadline); then 503.
    pub request_timeout_ms: u64,
    /// Requests handled at once (default 1024); more get 503 at once, not a queue.
    pub max_concurrency: usize,
    /// Open connections (default 4096); more wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Time to send a request's headers (default 5000 ms): slow-header callers are cut off.
    pub header_timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024,
            request_timeout_ms: 35_000,
            max_concurrency: 1024,
            max_connections: 4096,
            header_timeout_ms: 5_000,
        }
    }
}

/// The token flow's settings (the core checks them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSettings {
    pub max_attempts: Option<u32>,
    pub attempt_timeout_ms: Option<i64>,
    pub deadline_ms: Option<i64>,
    pub refresh_skew: Option<i64>,
}

/// A shared token store on Redis (or Valkey).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Variable holding the Redis URL (default `MASKINPORTEN_REDIS_URL`).
    pub redis_url_env: Option<String>,
    /// File holding the Redis URL (it may carry a password).
    pub redis_url_file: Option<PathBuf>,
    /// Variable holding the encryption key, 32 bytes in base64 (default `MASKINPORTEN_STORE_KEY`).
    pub key_env: Option<String>,
    /// File holding the encryption key (base64 text, or the 32 raw bytes).
    pub key_file: Option<PathBuf>,
    /// Key prefix in Redis (default `maskinporten:`).
    pub prefix: Option<String>,
    /// Longest wait for one Redis operation (default 250 ms).
    pub timeout_ms: Option<u64>,
}

/// One client (an integration registered with Maskinporten) and its key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// What callers name it by (`client` in a request); default `default`.
    pub name: Option<String>,
    pub client_id: String,
    /// `test` (default), `prod`, or an issuer URL.
    pub env: Option<String>,
    /// Keystore: PKCS#12, JKS or JCEKS.
    #[serde(alias = "jks", alias = "keystore")]
    pub p12: Option<PathBuf>,
    pub alias: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    pub key_password_env: Option<String>,
    pub key_password_file: Option<PathBuf>,
    /// PEM private key, with `cert` (x5c) or `kid`.
    pub key: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    /// Private RSA JWK with its kid.
    pub jwk: Option<PathBuf>,
    pub kid: Option<String>,
    pub alg: Option<String>,
    pub lifetime: Option<i64>,
    /// If set, the only scopes callers may ask for with this client.
    pub scopes: Option<Vec<String>>,
    /// Where `altinn=true` requests exchange this client's tokens: `tt02`, `prod` or a base URL.
    /// Default: the platform of `env` (test: TT02, prod: production); none for other issuers.
    pub altinn_platform: Option<String>,
}

impl ClientConfig {
    /// The name callers use.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("default")
    }
}

/// The environment variables of the one-client case.
pub const ENV_CLIENT_ID: &str = "MASKINPORTEN_CLIENT_ID";
const ENV_P12: &str = "MASKINPORTEN_P12";
const ENV_PASSWORD: &str = "MASKINPORTEN_P12_PASSWORD";
const ENV_PASSWORD_FILE: &str = "MASKINPORTEN_P12_PASSWORD_FILE";
const ENV_ALIAS: &str = "MASKINPORTEN_P12_ALIAS";
const ENV_ENVIRONMENT: &str = "MASKINPORTEN_ENV";
const ENV_SCOPES: &str = "MASKINPORTEN_SCOPES";
const ENV_ALTINN_PLATFORM: &str = "MASKINPORTEN_ALTINN_PLATFORM";
const ENV_REDIS_URL: &str = "MASKINPORTEN_REDIS_URL";
const ENV_STORE_KEY: &str = "MASKINPORTEN_STORE_KEY";

impl ServiceConfig {
    /// Reads `--config` (paths in it relative to its folder) or the environment, then applies
    /// the flags.
    pub fn load(args: &ServeArgs) -> CliResult<ServiceConfig> {
        let mut config = match &args.config {
            Some(path) => {
                let text = read_text(path, "--config file")?;
                let mut config: ServiceConfig = toml::from_str(&text)
                    .map_err(|e| CliError::Message(format!("{}: {}", shown_path(path), e.message())))?;
                config.resolve_paths(path.parent().unwrap_or(Path::new(".")));
                config
            }
            None => ServiceConfig::default(),
        };
        if config.clients.is_empty() {
            config.clients.push(client_from_env()?);
        }
        if config.store.is_none() && std::env::var_os(ENV_REDIS_URL).is_some() {
            config.store = Some(StoreConfig::default());
        }
        if let Some(listen) = &args.listen {
            config.listen = Some(listen.clone());
        }
        config.allow_non_loopback |= args.allow_non_loopback;
        if let Some(path) = &args.api_keys {
            config.api_keys_file = Some(path.clone());
        }
        if let Some(format) = &args.log_format {
            config.log_format = Some(format.clone());
        }
        if let Some(endpoint) = &args.otlp_endpoint {
            config.otlp_endpoint = Some(endpoint.clone());
        }
        config.check()?;
        Ok(config)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |path: &mut Option<PathBuf>| {
            if let Some(p) = path.as_mut().filter(|p| p.is_relative()) {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.api_keys_file);
        if let Some(store) = &mut self.store {
            fix(&mut store.redis_url_file);
            fix(&mut store.key_file);
        }
        for client in &mut self.clients {
            for path in [
                &mut client.p12,
                &mut client.password_file,
                &mut client.key_password_file,
                &mut client.key,
                &mut client.cert,
                &mut client.jwk,
            ] {
                fix(path);
            }
        }
    }

    fn check(&self) -> CliResult<()> {
        let mut names: Vec<&str> = self.clients.iter().map(ClientConfig::name).collect();
        names.sort_unstable();
        if let Some(twice) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(CliError::Message(format!(
                "two clients are named {:?}: give each [[clients]] entry its own name",
                twice[0]
            )));
        }
        if let Some(bad) = names.iter().find(|n| n.is_empty() || n.len() > 64 || !n.chars().all(name_char)) {
            return Err(CliError::Message(format!(
                "client name {bad:?}: use 1 to 64 of A-Z a-z 0-9 . _ - (names appear in metrics)"
            )));
        }
        match self.log_format.as_deref() {
            None | Some("json" | "text") => Ok(()),
            Some(other) => Err(CliError::Usage(format!("--log-format {other:?}: use json or text"))),
        }
    }

    /// The Redis URL and the store's encryption key, when a store is configured.
    pub fn store_secrets(&self) -> CliResult<Option<(String, Vec<u8>)>> {
        let Some(store) = &self.store else { return Ok(None) };
        let url = match &store.redis_url_file {
            Some(path) => read_text(path, "store.redis_url_file")?.trim().to_string(),
            None => {
                let var = store.redis_url_env.as_deref().unwrap_or(ENV_REDIS_URL);
                std::env::var(var).map_err(|_| {
                    CliError::Message(format!(
                        "the shared store needs a Redis URL: set {var} (or store.redis_url_file in the configuration)"
                    ))
                })?
            }
        };
        let key_text = match &store.key_file {
            Some(path) => crate::error::read_file(path, "store.key_file")?,
            None => {
                let var = store.key_env.as_deref().unwrap_or(ENV_STORE_KEY);
                std::env::var(var)
                    .map_err(|_| {
                        CliError::Message(format!(
                            "the shared store needs an encryption key: set {var} to 32 random bytes in base64 \
                             (e.g. `openssl rand -base64 32`), the same on every replica"
                        ))
                    })?
                    .into_bytes()
            }
        };
        Ok(Some((url, decode_key(&key_text)?)))
    }
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// The store key: base64 text of 32 bytes, or the 32 raw bytes of a key file.
fn decode_key(bytes: &[u8]) -> CliResult<Vec<u8>> {
    use base64::Engine;
    if bytes.len() == 32 {
        return Ok(bytes.to_vec());
    }
    let text = std::str::from_utf8(bytes).unwrap_or_default().trim();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(text)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
        .map_err(|_| CliError::Message("the store's encryption key is not base64 (expected 32 bytes)".into()))?;
    if decoded.len() != 32 {
        return Err(CliError::Message(format!(
            "the store's encryption key is {} bytes; it must be 32 (AES-256): `openssl rand -base64 32`",
            decoded.len()
        )));
    }
    Ok(decoded)
}

/// The one client of the environment variables.
fn client_from_env() -> CliResult<ClientConfig> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let client_id = var(ENV_CLIENT_ID).ok_or_else(|| {
        CliError::Usage(format!(
            "no clients: give --config FILE with [[clients]], or set {ENV_CLIENT_ID}, {ENV_P12} and \
             {ENV_PASSWORD} (or {ENV_PASSWORD_FILE})"
        ))
    })?;
    let p12 = var(ENV_P12)
        .ok_or_else(|| CliError::Usage(format!("{ENV_CLIENT_ID} is set but {ENV_P12} (the keystore's path) is not")))?;
    let (password_env, password_file) = match (var(ENV_PASSWORD), var(ENV_PASSWORD_FILE)) {
        (_, Some(file)) => (None, Some(PathBuf::from(file))),
        (Some(_), None) => (Some(ENV_PASSWORD.to_string()), None),
        (None, None) => {
            return Err(CliError::Usage(format!(
                "set {ENV_PASSWORD} or {ENV_PASSWORD_FILE} for the keystore {ENV_P12}"
            )))
        }
    };
    Ok(ClientConfig {
        client_id,
        p12: Some(PathBuf::from(p12)),
        alias: var(ENV_ALIAS),
        password_env,
        password_file,
        env: var(ENV_ENVIRONMENT),
        scopes: var(ENV_SCOPES).map(|s| s.split_whitespace().map(str::to_string).collect()),
        altinn_platform: var(ENV_ALTINN_PLATFORM),
        ..ClientConfig::default()
    })
}
