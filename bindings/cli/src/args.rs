//! Command-line syntax (clap derive). Passwords are never accepted in argv: only the name of an
//! environment variable or a file.

use clap::{Args, CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Maskinporten from the command line: signed grants, access tokens, token inspection, keys, and a
/// strict local simulator.
#[derive(Parser, Debug)]
#[command(name = "maskinporten", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a signed JWT grant on stdout (what jwt-grant-generator prints).
    Grant(GrantArgs),
    /// Post a grant to Maskinporten and print the access token.
    Token(TokenArgs),
    /// Decode a grant or access token (header, claims, expiry, consumer, delegation). Verifies nothing.
    Inspect(InspectArgs),
    /// Make a new RSA key (PEM, mode 0600) and its public JWK/JWKS for registering on a client.
    Keygen(KeygenArgs),
    /// Run the strict local Maskinporten simulator (and Altinn's token exchange under /altinn); prints one JSON
    /// ready line (issuer, token_endpoint, jwks_uri, port, altinn_platform), then serves.
    Simulator(SimulatorArgs),
    /// Run the whole flow against an in-process simulator with a throwaway certificate.
    Demo(crate::admin_args::DemoArgs),
    /// Digdir's self-service API: list, create, update and deactivate clients.
    #[command(subcommand)]
    Clients(crate::admin_args::ClientsCommand),
    /// Digdir's self-service API: list, add, rotate and remove a client's registered keys.
    #[command(subcommand)]
    Keys(crate::admin_args::KeysCommand),
    /// Run a token service for programs in any language (texas-compatible `POST /api/v1/token`
    /// and `/api/v1/introspect`, health, readiness, Prometheus metrics); prints one JSON ready line.
    Serve(ServeArgs),
}

/// Who signs what for whom: shared by `grant` and `token`.
#[derive(Args, Debug, Default)]
pub struct GrantArgs {
    /// The client's id (the grant's iss), from Samarbeidsportalen.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Scope(s) to ask for (one per token is recommended); repeat or list several.
    #[arg(long = "scope", value_name = "SCOPE", num_args = 1..)]
    pub scopes: Vec<String>,
    /// test, prod, or an issuer URL with its trailing slash (such as the simulator's). Default: test.
    #[arg(long = "env", value_name = "ENV")]
    pub env: Option<String>,
    /// Keystore with the enterprise certificate and its key: PKCS#12 (.p12/.pfx), Java JKS or
    /// JCEKS, recognised by content (--jks and --keystore are the same option).
    #[arg(long = "p12", visible_aliases = ["jks", "keystore"], value_name = "FILE", conflicts_with_all = ["key", "jwk"])]
    pub keystore: Option<PathBuf>,
    /// Which key of the keystore to use, by alias (any case), when it holds several.
    #[arg(long, value_name = "NAME")]
    pub alias: Option<String>,
    /// Name of the environment variable holding the keystore password.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// File whose content (trailing newline ignored) is the keystore password.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Name of the environment variable holding the key entry's own password (a JKS/JCEKS key
    /// made with keytool -keypass); default: the keystore password.
    #[arg(long, value_name = "VAR", conflicts_with = "key_password_file")]
    pub key_password_env: Option<String>,
    /// File whose content (trailing newline ignored) is the key entry's own password.
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,
    /// PEM private key (PKCS#8 or PKCS#1); with --cert for x5c, or with --kid for a registered key.
    #[arg(long, value_name = "PEM", conflicts_with = "jwk")]
    pub key: Option<PathBuf>,
    /// PEM certificate chain for --key, leaf first (sent as x5c).
    #[arg(long, value_name = "PEM", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Private RSA JWK with its kid (a key registered on the client).
    #[arg(long, value_name = "FILE")]
    pub jwk: Option<PathBuf>,
    /// Send this kid instead of x5c (the key registered on the client).
    #[arg(long, value_name = "KID")]
    pub kid: Option<String>,
    /// A key directory of `maskinporten keys rotate` (or `keys add --key-dir`): signs with the key
    /// its `current` file names, sent as kid; the client id defaults to the one recorded there.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["keystore", "key", "jwk", "kid"])]
    pub key_dir: Option<PathBuf>,
    /// RS256 (default), RS384 or RS512.
    #[arg(long, value_name = "ALG")]
    pub alg: Option<String>,
    /// Audience restriction (the API's identifier); repeat for several.
    #[arg(long, value_name = "URI")]
    pub resource: Vec<String>,
    /// Org number of the organisation you act for (delegated to you in Altinn).
    #[arg(long, value_name = "ORGNO")]
    pub consumer_org: Option<String>,
    /// The onbehalfof value of a supplier's sub-client.
    #[arg(long, value_name = "VALUE")]
    pub iss_onbehalfof: Option<String>,
    /// Person identifier (11 digits) for a person-bound token.
    #[arg(long, value_name = "PID")]
    pub pid: Option<String>,
    /// Org number owning the Altinn system user (authorization_details urn:altinn:systemuser).
    #[arg(long, value_name = "ORGNO")]
    pub systemuser_org: Option<String>,
    /// Grant lifetime in seconds (1-120, default 120).
    #[arg(long, value_name = "SECONDS")]
    pub lifetime: Option<i64>,
    /// jwt-grant-generator .properties file (issuer, audience, scope, resource, consumer_org,
    /// token.endpoint, keystore.file/password/alias/alias.password/kid, pid); options given on the
    /// command line win, and an unknown key is refused.
    #[arg(long, value_name = "FILE")]
    pub properties: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TokenArgs {
    #[command(flatten)]
    pub grant: GrantArgs,
    /// Print the whole response as JSON, with the computed expiry.
    #[arg(long)]
    pub json: bool,
    /// Exchange the Maskinporten token for an Altinn 3 token and print that (the scopes must
    /// include an Altinn scope, altinn:...).
    #[arg(long)]
    pub altinn: bool,
    /// With --altinn: tt02, prod, or a platform base URL (such as the simulator's
    /// altinn_platform). Default: tt02 with --env test, prod with --env prod.
    #[arg(long, value_name = "ENV", requires = "altinn")]
    pub altinn_env: Option<String>,
    /// With --altinn: ask TT02 for a token issued to Altinn's test organisation (?test=true).
    #[arg(long, requires = "altinn")]
    pub altinn_test_org: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The JWT; `-` or nothing reads it from stdin.
    #[arg(value_name = "TOKEN|-")]
    pub token: Option<String>,
    /// Verify an access token against this JWKS (a file, or the issuer's JWKS URL): signature,
    /// issuer, expiry and token type.
    #[arg(long, value_name = "FILE|URL")]
    pub jwks: Option<String>,
    /// With --jwks: the issuer the token must come from (test, prod or an issuer URL). Default:
    /// the token's own `iss`, which proves only that the JWKS's key signed it.
    #[arg(long = "env", value_name = "ENV", requires = "jwks")]
    pub env: Option<String>,
}

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// The key id to register ([A-Za-z0-9._-]+); also names the files.
    #[arg(long, value_name = "KID")]
    pub kid: String,
    /// Folder for KID.key.pem, KID.jwk.json and KID.jwks.json (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct SimulatorArgs {
    /// TOML or JSON configuration (clients, keys, delegations, system users, scopes).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Port on 127.0.0.1; 0 picks a free one (reported in the ready line).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,
}

#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// TOML configuration: clients and keys, shared store, caller keys, limits. Without it, one
    /// client from MASKINPORTEN_CLIENT_ID, MASKINPORTEN_P12 and MASKINPORTEN_P12_PASSWORD(_FILE).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080); port 0 picks a free one (see the ready line).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Allow listening on a non-loopback address; callers must then authenticate (--api-keys).
    #[arg(long)]
    pub allow_non_loopback: bool,
    /// File with the SHA-256 hashes of the callers' bearer keys, one `sha256:<hex>` a line.
    #[arg(long, value_name = "FILE")]
    pub api_keys: Option<PathBuf>,
    /// Log format: json (default) or text.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Send traces over OTLP/HTTP to this collector URL (built with the `otlp` feature).
    #[arg(long, value_name = "URL")]
    pub otlp_endpoint: Option<String>,
}

/// Prints a usage error the way clap does and returns exit code 2.
pub fn usage_error(subcommand: &str, message: &str) -> ExitCode {
    let mut command = Cli::command();
    command.build();
    let error = match command.find_subcommand_mut(subcommand) {
        Some(sub) => sub.error(clap::error::ErrorKind::ArgumentConflict, message),
        None => command.error(clap::error::ErrorKind::ArgumentConflict, message),
    };
    let _ = error.print();
    ExitCode::from(2)
}
