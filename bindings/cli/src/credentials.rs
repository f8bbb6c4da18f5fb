//! From options (and a jwt-grant-generator `.properties` file) to the core's `Client` and
//! `GrantOptions`. Only reading files and variables and converting types happens here; every
//! rule (kid syntax, lifetime range, org numbers, environments) is the core's.

use crate::args::GrantArgs;
use crate::error::{read_file, read_text, CliError, CliResult};
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
        Some(path) => Some((Properties::parse(&read_text(path, "--properties file")?), path.clone())),
        None => None,
    };
    let prop = |key: &str| properties.as_ref().and_then(|(p, _)| p.get(key)).map(str::to_string);

    let client_id = args
        .client_id
        .clone()
        .or_else(|| prop("issuer"))
        .ok_or_else(|| CliError::Usage("--client-id is required (or `issuer` in --properties)".into()))?;

    let scopes: Vec<String> = if args.scopes.is_empty() {
        prop("scope").map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default()
    } else {
        args.scopes.clone()
    };
    if scopes.is_empty() {
        return Err(CliError::Usage("--scope is required (or `scope` in --properties)".into()));
    }

    let environment = environment(args, &prop)?;
    let key = key(args, properties.as_ref())?;
    let key = match &args.kid {
        Some(kid) => key.with_kid(kid)?,
        None => key,
    };

    let mut client = Client::new(&client_id, key, environment)?;
    if let Some(alg) = &args.alg {
        let algorithm: Algorithm = alg.parse()?;
        client = client.with_algorithm(algorithm);
    }
    if let Some(lifetime) = args.lifetime {
        client = client.with_lifetime(lifetime)?;
    }

    let mut options = GrantOptions::new(scopes);
    options.resource = match args.resource.len() {
        0 => None,
        1 => Some(Resource::One(args.resource[0].clone())),
        _ => Some(Resource::Many(args.resource.clone())),
    };
    options.consumer_org = args.consumer_org.clone();
    options.iss_onbehalfof = args.iss_onbehalfof.clone();
    options.pid = args.pid.clone();
    if let Some(org) = &args.systemuser_org {
        options.authorization_details.push(AuthorizationDetail::system_user(org, None)?);
    }
    Ok(Request { client, options })
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
    if let Some(path) = &args.p12 {
        let password = password(args)?.ok_or_else(|| {
            CliError::Usage(
                "--p12 needs --password-env VAR or --password-file FILE (passwords are never given in argv)".into(),
            )
        })?;
        return Ok(Key::from_pkcs12(&read_file(path, "--p12 file")?, &password, args.alias.as_deref())?);
    }
    if let Some((props, props_path)) = properties {
        if let Some(file) = props.get("keystore.file") {
            let path = resolve(props_path, file);
            let password = match password(args)? {
                Some(password) => password,
                None => Zeroizing::new(
                    props
                        .get("keystore.password")
                        .or_else(|| props.get("keystore.alias.password"))
                        .unwrap_or_default()
                        .to_string(),
                ),
            };
            // JKS files get the core's message with the keytool command that converts them.
            return Ok(Key::from_jks(&read_file(&path, "keystore.file")?, &password, props.get("keystore.alias"))?);
        }
    }
    Err(CliError::Usage(
        "give a key: --p12 FILE, --key PEM [--cert PEM], --jwk FILE, or keystore.file in --properties".into(),
    ))
}

/// The password from --password-env or --password-file, if one of them was given.
fn password(args: &GrantArgs) -> CliResult<Option<Zeroizing<String>>> {
    if let Some(var) = &args.password_env {
        return match std::env::var(var) {
            Ok(value) => Ok(Some(Zeroizing::new(value))),
            Err(_) => Err(CliError::Message(format!(
                "the environment variable {var} (named by --password-env) is not set or not UTF-8"
            ))),
        };
    }
    if let Some(path) = &args.password_file {
        let mut text = Zeroizing::new(read_text(path, "--password-file")?);
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
