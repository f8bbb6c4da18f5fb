//! Command-line syntax of `clients` and `keys`: Digdir's self-service API, called as an admin
//! client that signs with the enterprise certificate.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Who calls the self-service API, and where it is.
#[derive(Args, Debug, Default, Clone)]
pub struct AdminArgs {
    /// The admin client's id (a "selvbetjeningsklient" from Digdir's service desk); default: `issuer`
    /// in --properties.
    #[arg(long, value_name = "ID")]
    pub admin_client_id: Option<String>,
    /// test, prod, or an issuer URL with its trailing slash (such as the simulator's). Default: test,
    /// or `audience` in --properties.
    #[arg(long = "env", value_name = "ENV")]
    pub env: Option<String>,
    /// The self-service API's base URL. Default: Digdir's for test and prod; for another issuer,
    /// the `self_service_endpoint` of its metadata (the simulator publishes one).
    #[arg(long = "api", value_name = "URL")]
    pub api: Option<String>,
    /// The admin client's enterprise certificate and key: PKCS#12, JKS or JCEKS (one option, three names).
    #[arg(long = "p12", visible_aliases = ["jks", "keystore"], value_name = "FILE", conflicts_with = "key")]
    pub keystore: Option<PathBuf>,
    /// Which key of the keystore to use, by alias, when it holds several.
    #[arg(long, value_name = "NAME")]
    pub alias: Option<String>,
    /// Name of the environment variable holding the keystore password.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// File whose content is the keystore password.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Name of the environment variable holding the key entry's own password (keytool -keypass).
    #[arg(long, value_name = "VAR", conflicts_with = "key_password_file")]
    pub key_password_env: Option<String>,
    /// File whose content is the key entry's own password.
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,
    /// PEM private key of the admin client, with --cert (the enterprise certificate chain).
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,
    /// PEM certificate chain for --key, leaf first.
    #[arg(long, value_name = "PEM", requires = "key")]
    pub cert: Option<PathBuf>,
    /// jwt-grant-generator .properties file of the admin client (issuer, audience, token.endpoint,
    /// keystore.*); its `scope` is not used: each call asks for the least admin scope it needs.
    #[arg(long, value_name = "FILE")]
    pub properties: Option<PathBuf>,
}

/// `maskinporten clients ...`
#[derive(Subcommand, Debug)]
pub enum ClientsCommand {
    /// List the organisation's clients.
    List {
        #[command(flatten)]
        admin: AdminArgs,
        /// Print the clients as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Register a new Maskinporten client; prints its client_id on stdout.
    Create {
        #[command(flatten)]
        admin: AdminArgs,
        /// The client's display name.
        #[arg(long, value_name = "TEXT")]
        name: String,
        /// What the integration is for (Digdir's staff read it).
        #[arg(long, value_name = "TEXT")]
        description: String,
        /// Scopes the organisation has access to; repeat for several.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// Print the new client as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a client's name, description or scopes (what is not given stays).
    Update {
        #[command(flatten)]
        admin: AdminArgs,
        /// The client to change.
        #[arg(long, value_name = "ID")]
        client_id: String,
        /// A new display name.
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
        /// A new description.
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// Add this scope; repeat for several.
        #[arg(long = "add-scope", value_name = "SCOPE")]
        add_scopes: Vec<String>,
        /// Remove this scope; repeat for several.
        #[arg(long = "remove-scope", value_name = "SCOPE")]
        remove_scopes: Vec<String>,
    },
    /// Deactivate a client: it gets no more tokens.
    Deactivate {
        #[command(flatten)]
        admin: AdminArgs,
        /// The client to deactivate.
        #[arg(long, value_name = "ID")]
        client_id: String,
    },
}

/// `maskinporten keys ...`
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// List a client's registered keys and when they expire.
    List {
        #[command(flatten)]
        admin: AdminArgs,
        /// The client whose keys to list.
        #[arg(long, value_name = "ID")]
        client_id: String,
        /// Marks the key this key directory signs with.
        #[arg(long, value_name = "DIR")]
        key_dir: Option<PathBuf>,
        /// Print the key set as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Register one more key on a client (the registered keys stay): a new key made in --key-dir,
    /// or the public JWK in --jwk.
    Add {
        #[command(flatten)]
        admin: AdminArgs,
        /// The client to add the key to.
        #[arg(long, value_name = "ID")]
        client_id: String,
        /// Make a new RSA key here (KID.key.pem and KID.private.jwk.json, mode 0600) and sign
        /// with it when the folder has no signing key yet.
        #[arg(long, value_name = "DIR", requires = "kid", conflicts_with = "jwk")]
        key_dir: Option<PathBuf>,
        /// The new key's kid ([A-Za-z0-9._-]+).
        #[arg(long, value_name = "KID")]
        kid: Option<String>,
        /// Register this public JWK (made by `maskinporten keygen` or your own tools).
        #[arg(long, value_name = "FILE")]
        jwk: Option<PathBuf>,
        /// Days the new key lives (1 to 365). Default: the rotation policy's key lifetime.
        #[arg(long, value_name = "DAYS")]
        lifetime_days: Option<i64>,
    },
    /// Publish a new key, switch signing to it, or remove old keys, as the rotation policy says is
    /// due now (one step per run; safe to run from cron).
    Rotate(RotateArgs),
    /// Remove a registered key (or all of them).
    Remove {
        #[command(flatten)]
        admin: AdminArgs,
        /// The client to remove the key from.
        #[arg(long, value_name = "ID")]
        client_id: String,
        /// The key to remove.
        #[arg(long, value_name = "KID", required_unless_present = "all", conflicts_with = "all")]
        kid: Option<String>,
        /// Remove every key.
        #[arg(long)]
        all: bool,
    },
}

/// `maskinporten keys rotate`
#[derive(Args, Debug)]
pub struct RotateArgs {
    #[command(flatten)]
    pub admin: AdminArgs,
    /// The client whose keys to rotate.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// The client's key directory: private keys (mode 0600) and the `current` file naming the kid
    /// to sign with (`maskinporten token --key-dir DIR` reads it).
    #[arg(long, value_name = "DIR")]
    pub key_dir: PathBuf,
    /// Print what is due and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Days a new key lives (1 to 365; default 90).
    #[arg(long, value_name = "DAYS")]
    pub key_lifetime_days: Option<i64>,
    /// Publish a new key when the signing key is older than this (days; default 60).
    #[arg(long, value_name = "DAYS")]
    pub rotate_after_days: Option<i64>,
    /// Publish a new key when the signing key has less than this left (days; default 30).
    #[arg(long, value_name = "DAYS")]
    pub rotate_before_expiry_days: Option<i64>,
    /// Seconds between publishing a key and signing with it (default 120: Digdir's changes take
    /// effect after 0 to 2 minutes).
    #[arg(long, value_name = "SECONDS")]
    pub propagation_delay_seconds: Option<i64>,
    /// Seconds the old key stays registered after the switch (default 86400).
    #[arg(long, value_name = "SECONDS")]
    pub grace_period_seconds: Option<i64>,
    /// The most keys registered at once (2 to 5; default 2).
    #[arg(long, value_name = "N")]
    pub max_keys: Option<usize>,
}

/// `maskinporten demo`
#[derive(Args, Debug, Default)]
pub struct DemoArgs {
    /// Run the self-service part: create a client through the API, register a key, get a token
    /// with its kid, rotate the key and show the old kid refused.
    #[arg(long)]
    pub self_service: bool,
}
