//! `maskinporten keys rotate`: runs the core's `RotationPlanner` once on the client's registered
//! keys and the key directory's signing kid, and does the one step it answers. Every decision
//! (when to publish, switch, remove; which keys to keep; the new key's expiry) is the planner's;
//! this file makes keys, writes files and sends requests.

use crate::admin_args::RotateArgs;
use crate::error::{CliError, CliResult};
use crate::keydir::KeyDir;
use crate::keys::{describe_expiry, fetch, public_jwk_with_exp, publish, registered_jwks};
use crate::session::AdminSession;
use maskinporten::{ClientKeys, RotationAction, RotationPlanner, RotationPolicy};

const DAY: i64 = 86_400;

pub fn run(args: &RotateArgs) -> CliResult<()> {
    let policy = policy(args)?;
    let dir = KeyDir::open(&args.key_dir)?;
    dir.claim(&args.client_id)?;
    let session = AdminSession::from_args(&args.admin)?;
    let report = rotate_once(&session, &args.client_id, &dir, policy, maskinporten::unix_now(), args.dry_run)?;
    println!("{report}");
    Ok(())
}

/// The policy from the options; each value is checked by the core.
fn policy(args: &RotateArgs) -> CliResult<RotationPolicy> {
    let mut policy = RotationPolicy::default();
    if let Some(days) = args.key_lifetime_days {
        policy = policy.with_key_lifetime(days.saturating_mul(DAY))?;
    }
    if let Some(days) = args.rotate_after_days {
        policy = policy.with_rotate_after(days.saturating_mul(DAY))?;
    }
    if let Some(days) = args.rotate_before_expiry_days {
        policy = policy.with_rotate_before_expiry(days.saturating_mul(DAY))?;
    }
    if let Some(seconds) = args.propagation_delay_seconds {
        policy = policy.with_propagation_delay(seconds)?;
    }
    if let Some(seconds) = args.grace_period_seconds {
        policy = policy.with_grace_period(seconds)?;
    }
    if let Some(count) = args.max_keys {
        policy = policy.with_max_keys(count)?;
    }
    Ok(policy)
}

/// One planner step for `client_id` at `now`; returns what was done (or, with `dry_run`, what
/// would be).
pub fn rotate_once(
    session: &AdminSession,
    client_id: &str,
    dir: &KeyDir,
    policy: RotationPolicy,
    now: i64,
    dry_run: bool,
) -> CliResult<String> {
    let keys = fetch(session, client_id)?;
    let signing = dir.current()?;
    let action = RotationPlanner::new(policy).plan(&keys, signing.as_deref(), now).map_err(|error| {
        match (&signing, error.field()) {
            (None, Some("signing_kid")) => CliError::Message(format!(
                "{error}: {} names no signing key (its `current` file), but {client_id} has keys registered; start the rotation in a key directory that holds one of them (`keys add --key-dir`), or remove them first",
                dir.path().display()
            )),
            _ => CliError::Core(error),
        }
    })?;
    let would = if dry_run { "would " } else { "" };
    match action {
        RotationAction::Nothing { next_at, reason } => Ok(format!(
            "nothing to do: {reason}; the next step is due {} ({})",
            maskinporten::format_utc(next_at),
            in_words(next_at - now)
        )),
        RotationAction::Publish { kid, expires_at, keep } => {
            let kid = free_kid(&keys, &kid);
            let kept = if keep.is_empty() { String::new() } else { format!(", keeping {}", keep.join(", ")) };
            let signing_note = match &signing {
                Some(current) => format!("; still signing with {current} until the new key has propagated"),
                None => format!("; {} signs with it (it had no key)", dir.path().display()),
            };
            if dry_run {
                return Ok(format!(
                    "would publish a new key {kid} ({}){kept}{signing_note}",
                    describe_expiry(Some(expires_at), now)
                ));
            }
            let key = dir.generate(&kid)?;
            let mut set = registered_jwks(&keys, &keep);
            set.push(public_jwk_with_exp(&key, expires_at)?);
            if let Err(error) = publish(session, client_id, &set) {
                dir.forget(&kid)?;
                return Err(error);
            }
            if signing.is_none() {
                dir.set_current(&kid)?;
            }
            Ok(format!("published a new key {kid} ({}){kept}{signing_note}", describe_expiry(Some(expires_at), now)))
        }
        RotationAction::Switch { kid } => {
            if !dir.has(&kid) {
                return Err(CliError::Message(format!(
                    "the planner says to sign with {kid}, but {} has no private key for it (it was registered elsewhere)",
                    dir.path().display()
                )));
            }
            if !dry_run {
                dir.set_current(&kid)?;
            }
            let from = signing.map(|s| format!(" (was {s})")).unwrap_or_default();
            Ok(format!("{would}switch signing to {kid}{from}"))
        }
        RotationAction::Remove { remove, keep } => {
            if dry_run {
                return Ok(format!("would remove {}, keeping {}", remove.join(", "), keep.join(", ")));
            }
            publish(session, client_id, &registered_jwks(&keys, &keep))?;
            let mut deleted = Vec::new();
            for kid in &remove {
                if dir.forget(kid)? {
                    deleted.push(kid.as_str());
                }
            }
            let local = if deleted.is_empty() {
                String::new()
            } else {
                format!("; deleted the private keys of {} here", deleted.join(", "))
            };
            Ok(format!("removed {}, keeping {}{local}", remove.join(", "), keep.join(", ")))
        }
    }
}

/// The planner's kid, or the same with `-2`, `-3`... when a key of that name is registered
/// already (two runs in one second).
fn free_kid(keys: &ClientKeys, suggested: &str) -> String {
    let taken = |kid: &str| keys.keys.iter().any(|k| k.kid == kid);
    if !taken(suggested) {
        return suggested.to_string();
    }
    (2..).map(|n| format!("{suggested}-{n}")).find(|kid| !taken(kid)).unwrap_or_else(|| suggested.to_string())
}

fn in_words(seconds: i64) -> String {
    match seconds {
        s if s <= 0 => "now".into(),
        s if s < 120 => format!("in {s} s"),
        s if s < 2 * 3600 => format!("in {} min", s / 60),
        s if s < 2 * DAY => format!("in {} h", s / 3600),
        s => format!("in {} days", s / DAY),
    }
}
