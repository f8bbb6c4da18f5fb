//! From options (and a jwt-grant-generator `.properties` file) to the core's `Client` and
//! `GrantOptions`. Only reading files and variables and converting types happens here; every
//! rule (kid syntax, lifetime range, org numbers, environments) is the core's.

use crate::args::GrantArgs;
use crate::error::{read_text, shown_path, CliError, CliResult};
use crate::keydir::KeyDir;
use crate::keystore::{self, Source, Unlock};
use crate::properties::Properties;
use maskinporten::{Algorithm, AuthorizationDetail, Client, Environment, GrantOptions, Key, Resource};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The client and what to ask for.
pub struct Request {
    pub client: Client,
    pub options: GrantOptions,
}

/// Builds the client and the grant options from the command line, falling back to the
/// `.properties` file for what the command line leaves out.
pub fn from_args(args: &GrantArgs) -> CliResult<Request> {
    let properties = match &args.properties {
        Some(path) => {
            let parsed = Properties::parse(&read_text(path, "--properties file")?);
            parsed.check_keys().map_err(|e| CliError::Message(format!("{}: {e}", shown_path(path))))?;
            Some((parsed, path.clone()))
        }
        None => None,
    };
    let prop = |key: &str| properties.as_ref().and_then(|(p, _)| p.get(key)).map(str::to_string);

    let key_dir = args.key_dir.as_deref().map(KeyDir::existing).transpose()?;
    let client_id = match (args.client_id.clone().or_else(|| prop("issuer")), &key_dir) {
        (Some(id), _) => id,
        (None, Some(dir)) => dir.client_id()?.ok_or_else(|| {
            CliError::Usage(format!("--client-id is required ({} records no client id)", dir.path().display()))
        })?,
        (None, None) => return Err(CliError::Usage("--client-id is required (or `issuer` in --properties)".into())),
    };

    let scopes: Vec<String> = if args.scopes.is_empty() {
        prop("scope").map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default()
    } else {
        args.scopes.clone()
    };
    if scopes.is_empty() {
        return Err(CliError::Usage("--scope is required (or `scope` in --properties)".into()));
    }

    let client = client(args, &client_id, &prop, properties.as_ref(), key_dir.as_ref())?;

    let mut options = GrantOptions::new(scopes);
    options.resource = match args.resource.len() {
        // jwt-grant-generator sends `resource` as one string claim.
        0 => prop("resource").map(Resource::One),
        1 => Some(Resource::One(args.resource[0].clone())),
        _ => Some(Resource::Many(args.resource.clone())),
    };
    options.consumer_org = args.consumer_org.clone().or_else(|| prop("consumer_org"));
    options.iss_onbehalfof = args.iss_onbehalfof.clone();
    options.pid = args.pid.clone().or_else(|| prop("pid"));
    if let Some(org) = &args.systemuser_org {
        options.authorization_details.push(AuthorizationDetail::system_user(org, None)?);
    }
    Ok(Request { client, options })
}

/// The client alone (no scopes, no `.properties`): for `serve`, whose callers name the scopes.
pub fn client_from_args(args: &GrantArgs) -> CliResult<Client> {
    let client_id =
        args.client_id.clone().ok_or_else(|| CliError::Usage("a client id is required (client_id)".into()))?;
    let key_dir = args.key_dir.as_deref().map(KeyDir::existing).transpose()?;
    client(args, &client_id, &|_| None, None, key_dir.as_ref())
}

fn client(
    args: &GrantArgs,
    client_id: &str,
    prop: &dyn Fn(&str) -> Option<String>,
    properties: Option<&(Properties, PathBuf)>,
    key_dir: Option<&KeyDir>,
) -> CliResult<Client> {
    let environment = environment(args, prop)?;
    let key = match key_dir {
        Some(dir) => dir.signing_key()?,
        None => key(args, properties)?,
    };
    let key = match args.kid.clone().or_else(|| prop("keystore.kid")) {
        Some(kid) => key.with_kid(&kid)?,
        None => key,
    };
    let mut client = Client::new(client_id, key, environment)?;
    if let Some(alg) = &args.alg {
        let algorithm: Algorithm = alg.parse()?;
        client = client.with_algorithm(algorithm);
    }
    if let Some(lifetime) = args.lifetime {
        client = client.with_lifetime(lifetime)?;
    }
    Ok(client)
}

fn environment(args: &GrantArgs, prop: &dyn Fn(&str) -> Option<String>) -> CliResult<Environment> {
    if let Some(name) = &args.env {
        return Ok(Environment::from_name(name)?);
    }
    match (prop("audience"), prop("token.endpoint")) {
        (Some(audience), token_endpoint) => {
            let known = Environment::from_name(&audience)?;
            match token_endpoint {
                Some(endpoint) if endpoint != known.token_endpoint() => {
                    Ok(Environment::custom(known.issuer(), &endpoint, known.jwks_uri())?)
                }
                _ => Ok(known),
            }
        }
        (None, Some(_)) => Err(CliError::Usage(
            "the --properties file has token.endpoint but no audience: add audience=https://test.maskinporten.no/ (or give --env)".into(),
        )),
        (None, None) => Ok(Environment::test()),
    }
}

fn key(args: &GrantArgs, properties: Option<&(Properties, PathBuf)>) -> CliResult<Key> {
    let keystore_file = properties.and_then(|(props, _)| props.get("keystore.file"));
    let has_keystore = args.keystore.is_some() || keystore_file.is_some();
    if !has_keystore || args.jwk.is_some() || args.key.is_some() {
        let unused = [
            (args.alias.is_some(), "--alias"),
            (args.key_password_env.is_some(), "--key-password-env"),
            (args.key_password_file.is_some(), "--key-password-file"),
        ];
        if let Some((_, flag)) = unused.iter().find(|(given, _)| *given) {
            return Err(CliError::Usage(format!(
                "{flag} applies to a keystore: give --p12/--jks FILE (or keystore.file in --properties)"
            )));
        }
    }
    if let Some(path) = &args.jwk {
        return Ok(Key::from_jwk(&read_text(path, "--jwk file")?)?);
    }
    if let Some(path) = &args.key {
        let pem = Zeroizing::new(read_text(path, "--key file")?);
        let chain = match &args.cert {
            Some(cert) => Some(read_text(cert, "--cert file")?),
            None => None,
        };
        return Ok(Key::from_pem(&pem, chain.as_deref())?);
    }
    if let Some(path) = &args.keystore {
        let (password, password_from) = password(args)?.ok_or_else(|| {
            CliError::Usage(
                "--p12/--jks needs --password-env VAR or --password-file FILE (passwords are never given in argv)"
                    .into(),
            )
        })?;
        let unlock = Unlock { password, key_password: key_password(args)?, alias: args.alias.as_deref() };
        return keystore::load(path, &unlock, &Source::Options { password_from });
    }
    if let (Some((props, props_path)), Some(file)) = (properties, keystore_file) {
        let shown = shown_path(props_path);
        if file.starts_with("base64:") || file.len() > 4096 || file.chars().any(char::is_control) {
            // jwt-grant-generator opens keystore.file with FileInputStream: a path, nothing else.
            return Err(CliError::Message(format!(
                "{shown}: keystore.file must be the keystore's file name (jwt-grant-generator reads only a file); \
                 this value ({} characters, not shown) is not one: save the keystore to a file and give its path",
                file.chars().count()
            )));
        }
        let path = resolve(props_path, file);
        let (password, password_from) = match password(args)? {
            Some(given) => given,
            None => match (props.get("keystore.password"), props.get("keystore.alias.password")) {
                (Some(p), _) => (Zeroizing::new(p.to_string()), format!("keystore.password in {shown}")),
                (None, Some(p)) => (Zeroizing::new(p.to_string()), format!("keystore.alias.password in {shown}")),
                (None, None) => (Zeroizing::new(String::new()), format!("nowhere (no keystore.password in {shown})")),
            },
        };
        let key_password = match key_password(args)? {
            Some(given) => Some(given),
            None => props.get("keystore.alias.password").map(|p| Zeroizing::new(p.to_string())),
        };
        let alias = args.alias.as_deref().or_else(|| props.get("keystore.alias"));
        let unlock = Unlock { password, key_password, alias };
        return keystore::load(&path, &unlock, &Source::Properties { file: props_path, password_from });
    }
    Err(CliError::Usage(
        "give a key: --p12/--jks FILE, --key PEM [--cert PEM], --jwk FILE, or keystore.file in --properties".into(),
    ))
}

/// The keystore password and where it came from, if --password-env or --password-file was given.
fn password(args: &GrantArgs) -> CliResult<Option<(Zeroizing<String>, String)>> {
    let from = |value: Option<Zeroizing<String>>, source: String| value.map(|v| (v, source));
    if let Some(var) = &args.password_env {
        return Ok(from(secret(Some(var), None, "--password-env")?, format!("--password-env {var}")));
    }
    if let Some(path) = &args.password_file {
        return Ok(from(secret(None, Some(path), "--password-file")?, format!("--password-file {}", shown_path(path))));
    }
    Ok(None)
}

/// The key entry's password, if --key-password-env or --key-password-file was given.
fn key_password(args: &GrantArgs) -> CliResult<Option<Zeroizing<String>>> {
    match (&args.key_password_env, &args.key_password_file) {
        (Some(var), _) => secret(Some(var), None, "--key-password-env"),
        (None, Some(path)) => secret(None, Some(path), "--key-password-file"),
        (None, None) => Ok(None),
    }
}

/// A secret from an environment variable or a file (trailing newline ignored).
fn secret(var: Option<&String>, path: Option<&PathBuf>, flag: &str) -> CliResult<Option<Zeroizing<String>>> {
    if let Some(var) = var {
        return match std::env::var(var) {
            Ok(value) => Ok(Some(Zeroizing::new(value))),
            Err(_) => Err(CliError::Message(format!(
                "the environment variable {var} (named by {flag}) is not set or not UTF-8"
            ))),
        };
    }
    if let Some(path) = path {
        let mut text = Zeroizing::new(read_text(path, flag)?);
        let keep = text.trim_end_matches(['\n', '\r']).len();
        text.truncate(keep);
        return Ok(Some(text));
    }
    Ok(None)
}

/// keystore.file relative to the .properties file's folder (absolute paths as they are).
fn resolve(properties_path: &Path, file: &str) -> PathBuf {
    let path = Path::new(file);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    properties_path.parent().map(|dir| dir.join(path)).unwrap_or_else(|| path.to_path_buf())
}
