//! `maskinporten keys list|add|remove`: a client's registered keys. `keys rotate` is in
//! `rotate.rs`.

use crate::admin_args::{AdminArgs, KeysCommand};
use crate::error::{read_text, CliError, CliResult};
use crate::keydir::KeyDir;
use crate::session::AdminSession;
use maskinporten::{
    check_public_key_set, parse_client_keys, parse_empty, ClientKeys, Key, RotationPolicy, SelfServiceCall,
};
use std::path::Path;

pub fn run(command: &KeysCommand) -> CliResult<()> {
    match command {
        KeysCommand::List { admin, client_id, key_dir, json } => list(admin, client_id, key_dir.as_deref(), *json),
        KeysCommand::Add { admin, client_id, key_dir, kid, jwk, lifetime_days } => {
            add(admin, client_id, key_dir.as_deref(), kid.as_deref(), jwk.as_deref(), *lifetime_days)
        }
        KeysCommand::Rotate(args) => crate::rotate::run(args),
        KeysCommand::Remove { admin, client_id, kid, all } => remove(admin, client_id, kid.as_deref(), *all),
    }
}

/// `GET /clients/{id}/jwks`.
pub fn fetch(session: &AdminSession, client_id: &str) -> CliResult<ClientKeys> {
    session.call(
        SelfServiceCall::GetKeys,
        |api, token| api.client_keys_request(token, client_id),
        |status, body| parse_client_keys(SelfServiceCall::GetKeys, status, body),
    )
}

/// `POST /clients/{id}/jwks` with `jwks` (the whole set), or `DELETE` when it is empty.
pub fn publish(session: &AdminSession, client_id: &str, jwks: &[String]) -> CliResult<()> {
    if jwks.is_empty() {
        return session.call(
            SelfServiceCall::RemoveKeys,
            |api, token| api.remove_keys_request(token, client_id),
            parse_empty,
        );
    }
    session.call(
        SelfServiceCall::ReplaceKeys,
        |api, token| api.replace_keys_request(token, client_id, jwks),
        |status, body| parse_client_keys(SelfServiceCall::ReplaceKeys, status, body),
    )?;
    Ok(())
}

/// The registered JWKs of `kids`, as the API returned them, to publish again.
pub fn registered_jwks(keys: &ClientKeys, kids: &[String]) -> Vec<String> {
    keys.keys.iter().filter(|k| kids.contains(&k.kid)).map(|k| k.jwk_json.clone()).collect()
}

/// The public JWK of `key` with its expiry, as a key set carries it.
pub fn public_jwk_with_exp(key: &Key, expires_at: i64) -> CliResult<String> {
    let text = key.public_jwk().ok_or_else(|| CliError::Message("the key has no public half".into()))?;
    let mut jwk: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CliError::Message(format!("the core's JWK is not JSON: {e}")))?;
    jwk["exp"] = serde_json::json!(expires_at);
    Ok(jwk.to_string())
}

/// `exp` as a date and how far off it is.
pub fn describe_expiry(expires_at: Option<i64>, now: i64) -> String {
    match expires_at {
        None => "no expiry given".into(),
        Some(exp) if exp <= now => format!("expired {}", maskinporten::format_utc(exp)),
        Some(exp) => format!("expires {} ({} days left)", maskinporten::format_utc(exp), (exp - now) / 86_400),
    }
}

fn list(admin: &AdminArgs, client_id: &str, key_dir: Option<&Path>, as_json: bool) -> CliResult<()> {
    let current = match key_dir {
        Some(dir) => KeyDir::existing(dir)?.current()?,
        None => None,
    };
    let session = AdminSession::from_args(admin)?;
    let keys = fetch(&session, client_id)?;
    if as_json {
        let list: Vec<serde_json::Value> =
            keys.keys.iter().filter_map(|k| serde_json::from_str(&k.jwk_json).ok()).collect();
        println!("{:#}", serde_json::json!({ "keys": list }));
        return Ok(());
    }
    let now = maskinporten::unix_now();
    for key in &keys.keys {
        let signing = if current.as_deref() == Some(key.kid.as_str()) { "  [signing]" } else { "" };
        println!("{}  {}{signing}", key.kid, describe_expiry(key.expires_at, now));
    }
    if keys.keys.is_empty() {
        eprintln!("the client {client_id} has no registered keys");
    }
    Ok(())
}

/// The key `keys add` registers.
enum NewKey {
    /// A public JWK from a file (kid, JSON text).
    Given(String, String),
    /// A key to make in a key directory.
    Made(KeyDir, String),
}

fn add(
    admin: &AdminArgs,
    client_id: &str,
    key_dir: Option<&Path>,
    kid: Option<&str>,
    jwk_file: Option<&Path>,
    lifetime_days: Option<i64>,
) -> CliResult<()> {
    let lifetime = match lifetime_days {
        Some(days) => RotationPolicy::default().with_key_lifetime(days.saturating_mul(86_400))?.key_lifetime(),
        None => RotationPolicy::default().key_lifetime(),
    };
    // Everything local is read and checked before the first request.
    let new = match (jwk_file, key_dir, kid) {
        (Some(path), _, _) => {
            let text = read_text(path, "--jwk file")?;
            let checked = check_public_key_set(std::slice::from_ref(&text))?;
            let kid = checked[0].get("kid").and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
            NewKey::Given(kid, text)
        }
        (None, Some(path), Some(kid)) => {
            Key::from_external(None, Some(kid))?;
            let dir = KeyDir::open(path)?;
            dir.claim(client_id)?;
            NewKey::Made(dir, kid.to_string())
        }
        _ => {
            return Err(CliError::Usage("give --key-dir DIR --kid KID (a new key) or --jwk FILE (a public JWK)".into()))
        }
    };
    let new_kid = match &new {
        NewKey::Given(kid, _) | NewKey::Made(_, kid) => kid.clone(),
    };
    let session = AdminSession::from_args(admin)?;
    let keys = fetch(&session, client_id)?;
    if keys.keys.iter().any(|k| k.kid == new_kid) {
        return Err(CliError::Message(format!(
            "the kid {new_kid:?} is registered on {client_id} already: choose another kid"
        )));
    }
    let new_jwk = match &new {
        NewKey::Given(_, text) => text.clone(),
        NewKey::Made(dir, kid) => {
            public_jwk_with_exp(&dir.generate(kid)?, maskinporten::unix_now().saturating_add(lifetime))?
        }
    };
    let mut set: Vec<String> = keys.keys.iter().map(|k| k.jwk_json.clone()).collect();
    set.push(new_jwk);
    if let Err(error) = publish(&session, client_id, &set) {
        if let NewKey::Made(dir, kid) = &new {
            // Not registered: the new private key is of no use.
            dir.forget(kid)?;
        }
        return Err(error);
    }
    println!("registered the key {new_kid} on {client_id} ({} keys now)", set.len());
    if let NewKey::Made(dir, kid) = &new {
        if dir.current()?.is_none() {
            dir.set_current(kid)?;
            println!("{} signs with {kid} (its private key is there, mode 0600)", dir.path().display());
        }
    }
    Ok(())
}

fn remove(admin: &AdminArgs, client_id: &str, kid: Option<&str>, all: bool) -> CliResult<()> {
    let session = AdminSession::from_args(admin)?;
    if all {
        publish(&session, client_id, &[])?;
        println!("removed every key of {client_id}");
        return Ok(());
    }
    let kid = kid.ok_or_else(|| CliError::Usage("give --kid KID or --all".into()))?;
    let keys = fetch(&session, client_id)?;
    if !keys.keys.iter().any(|k| k.kid == kid) {
        return Err(CliError::Message(format!("the client {client_id} has no key {kid:?}")));
    }
    let keep: Vec<String> = keys.keys.iter().filter(|k| k.kid != kid).map(|k| k.kid.clone()).collect();
    publish(&session, client_id, &registered_jwks(&keys, &keep))?;
    println!("removed the key {kid} from {client_id} ({} left)", keep.len());
    Ok(())
}
