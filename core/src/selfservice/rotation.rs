//! Key rotation, decided from the client's registered keys alone.

use super::jwk_set::MAX_REGISTERED_KEYS;
use super::types::{ClientKeys, RegisteredKey};
use crate::error::{Error, ErrorKind, Result};

const DAY: i64 = 86_400;

/// When to rotate a client's registered key. Defaults: keys live 90 days, a new one is published
/// when the signing key is older than 60 days or has fewer than 30 days left, signing switches to
/// it 120 s after it is published (Digdir: changes take effect after 0 to 2 minutes), and the old
/// key is removed one day after the switch; at most 2 keys are registered at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationPolicy {
    key_lifetime: i64,
    rotate_after: i64,
    rotate_before_expiry: i64,
    propagation_delay: i64,
    grace_period: i64,
    max_keys: usize,
}

impl Default for RotationPolicy {
    fn default() -> Self {
        RotationPolicy {
            key_lifetime: 90 * DAY,
            rotate_after: 60 * DAY,
            rotate_before_expiry: 30 * DAY,
            propagation_delay: 120,
            grace_period: DAY,
            max_keys: 2,
        }
    }
}

fn seconds(field: &'static str, value: i64, max: i64) -> Result<i64> {
    if (0..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(ErrorKind::InvalidArgument, field, format!("{value} s is outside 0..={max} seconds")))
    }
}

impl RotationPolicy {
    /// How long a new key lives (`exp`), in seconds: 1 day to 365 days (Digdir's maximum).
    pub fn with_key_lifetime(mut self, value: i64) -> Result<RotationPolicy> {
        if !(DAY..=365 * DAY).contains(&value) {
            return Err(Error::invalid(
                ErrorKind::InvalidArgument,
                "key_lifetime",
                format!("{value} s is outside one day to 365 days (registered keys live at most a year)"),
            ));
        }
        self.key_lifetime = value;
        Ok(self)
    }

    /// Publish a new key when the signing key is older than this (seconds).
    pub fn with_rotate_after(mut self, value: i64) -> Result<RotationPolicy> {
        self.rotate_after = seconds("rotate_after", value, 365 * DAY)?;
        Ok(self)
    }

    /// Publish a new key when the signing key has less than this left (seconds).
    pub fn with_rotate_before_expiry(mut self, value: i64) -> Result<RotationPolicy> {
        self.rotate_before_expiry = seconds("rotate_before_expiry", value, 365 * DAY)?;
        Ok(self)
    }

    /// Wait this long after publishing before signing with the new key (0 to 3600 s).
    pub fn with_propagation_delay(mut self, value: i64) -> Result<RotationPolicy> {
        self.propagation_delay = seconds("propagation_delay", value, 3600)?;
        Ok(self)
    }

    /// Keep the old key this long after the switch before removing it (seconds, up to 90 days).
    pub fn with_grace_period(mut self, value: i64) -> Result<RotationPolicy> {
        self.grace_period = seconds("grace_period", value, 90 * DAY)?;
        Ok(self)
    }

    /// Register at most this many keys at once (2 to 5).
    pub fn with_max_keys(mut self, value: usize) -> Result<RotationPolicy> {
        if !(2..=MAX_REGISTERED_KEYS).contains(&value) {
            return Err(Error::invalid(
                ErrorKind::InvalidArgument,
                "max_keys",
                format!("{value} keys is outside 2..={MAX_REGISTERED_KEYS} (a rotation holds the old and the new key)"),
            ));
        }
        self.max_keys = value;
        Ok(self)
    }

    /// How long a new key lives, in seconds.
    pub fn key_lifetime(&self) -> i64 {
        self.key_lifetime
    }

    /// The most keys registered at once.
    pub fn max_keys(&self) -> usize {
        self.max_keys
    }
}

/// What a rotation run does now. After acting on it, run the planner again with the client's
/// new key set: it is stateless, so a run from cron is safe to repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RotationAction {
    /// Nothing is due before `next_at` (Unix seconds).
    Nothing {
        /// When something may be due.
        next_at: i64,
        /// Why nothing is due now.
        reason: String,
    },
    /// Generate a key with `kid`, expiring at `expires_at`, and publish the set `keep` + the new
    /// key (`POST /clients/{id}/jwks` replaces the whole set). Keep signing with the current key.
    Publish {
        /// A fresh kid for the new key (a host may choose its own).
        kid: String,
        /// The new key's `exp` (Unix seconds).
        expires_at: i64,
        /// The registered keys to publish again beside the new one.
        keep: Vec<String>,
    },
    /// The newest key has had time to reach Maskinporten: sign with `kid` from now on.
    Switch {
        /// The key to sign with.
        kid: String,
    },
    /// Publish the set without `remove` (expired keys, or old keys past the grace period).
    Remove {
        /// Keys to drop.
        remove: Vec<String>,
        /// Keys to publish again.
        keep: Vec<String>,
    },
}

/// Plans key rotations under a [`RotationPolicy`]. It needs only public facts: the registered
/// keys (their `kid` and `exp`, and when the set was last replaced) and which `kid` the host
/// signs with; private keys stay with the host, which generates new ones with its own crypto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RotationPlanner {
    policy: RotationPolicy,
}

impl RotationPlanner {
    /// A planner with this policy.
    pub fn new(policy: RotationPolicy) -> RotationPlanner {
        RotationPlanner { policy }
    }

    /// What to do at `now` (Unix seconds) for a client whose registered set is `keys`, while the
    /// host signs with `signing_kid` (`None` when it has no key yet).
    pub fn plan(&self, keys: &ClientKeys, signing_kid: Option<&str>, now: i64) -> Result<RotationAction> {
        crate::time::check_now(now)?;
        let p = &self.policy;
        let Some(newest) = keys.keys.iter().max_by_key(|k| (k.expires_at.unwrap_or(i64::MIN), k.kid.clone())) else {
            return Ok(self.publish(Vec::new(), now));
        };
        let Some(signing) = signing_kid else {
            return Err(not_registered("no signing key given"));
        };
        if !keys.keys.iter().any(|k| k.kid == signing) {
            return Err(not_registered(&format!(
                "the key {signing:?} the host signs with is not registered on the client"
            )));
        }
        let published_at = keys.last_updated.unwrap_or(0);
        if newest.kid != signing && !expired(newest, now) {
            let switch_at = published_at.saturating_add(p.propagation_delay);
            if now >= switch_at {
                return Ok(RotationAction::Switch { kid: newest.kid.clone() });
            }
            return Ok(RotationAction::Nothing {
                next_at: switch_at,
                reason: format!("the new key {:?} is propagating to Maskinporten", newest.kid),
            });
        }
        let current = keys.keys.iter().find(|k| k.kid == signing).unwrap_or(newest);
        let others: Vec<&RegisteredKey> = keys.keys.iter().filter(|k| k.kid != current.kid).collect();
        let expired_others: Vec<String> = others.iter().filter(|k| expired(k, now)).map(|k| k.kid.clone()).collect();
        let removable_at = published_at.saturating_add(p.propagation_delay).saturating_add(p.grace_period);
        if !others.is_empty() && (now >= removable_at || !expired_others.is_empty()) {
            let remove: Vec<String> =
                if now >= removable_at { others.iter().map(|k| k.kid.clone()).collect() } else { expired_others };
            let keep = keys.keys.iter().filter(|k| !remove.contains(&k.kid)).map(|k| k.kid.clone()).collect();
            return Ok(RotationAction::Remove { remove, keep });
        }
        let due = self.rotation_due(current);
        if now >= due {
            let room = p.max_keys - 1;
            let mut keep: Vec<&RegisteredKey> = keys.keys.iter().collect();
            keep.sort_by_key(|k| std::cmp::Reverse(k.expires_at.unwrap_or(i64::MIN)));
            let keep = keep.into_iter().take(room).map(|k| k.kid.clone()).collect();
            return Ok(self.publish(keep, now));
        }
        let next_at = if others.is_empty() { due } else { due.min(removable_at) };
        Ok(RotationAction::Nothing { next_at, reason: format!("the key {:?} is current", current.kid) })
    }

    /// When the signing key should be replaced: the earlier of "older than rotate_after" and
    /// "less than rotate_before_expiry left" (its age is read from `exp` and the key lifetime).
    fn rotation_due(&self, key: &RegisteredKey) -> i64 {
        let p = &self.policy;
        match key.expires_at {
            Some(exp) => {
                let by_age = exp.saturating_sub(p.key_lifetime).saturating_add(p.rotate_after);
                let by_expiry = exp.saturating_sub(p.rotate_before_expiry);
                by_age.min(by_expiry)
            }
            None => i64::MIN,
        }
    }

    fn publish(&self, keep: Vec<String>, now: i64) -> RotationAction {
        let expires_at = now.saturating_add(self.policy.key_lifetime);
        let stamp = crate::time::format_utc(now).replace(['-', ':'], "");
        RotationAction::Publish {
            kid: format!("mp-{}", stamp.trim_end_matches('Z').to_ascii_lowercase()),
            expires_at,
            keep,
        }
    }
}

fn expired(key: &RegisteredKey, now: i64) -> bool {
    key.expires_at.is_some_and(|exp| exp <= now)
}

fn not_registered(message: &str) -> Error {
    Error::invalid(
        ErrorKind::InvalidArgument,
        "signing_kid",
        format!("{message}: register it first (or run the rotation with the kid of a registered key)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_225_600;

    fn key(kid: &str, exp: i64) -> RegisteredKey {
        RegisteredKey { kid: kid.into(), expires_at: Some(exp), jwk_json: String::new() }
    }

    fn set(keys: Vec<RegisteredKey>, last_updated: i64) -> ClientKeys {
        ClientKeys { keys, created: Some(last_updated), last_updated: Some(last_updated) }
    }

    #[test]
    fn a_whole_rotation() {
        let planner = RotationPlanner::default();
        let first = match planner.plan(&ClientKeys::default(), None, T0).unwrap() {
            RotationAction::Publish { kid, expires_at, keep } => {
                assert_eq!((expires_at, keep.len()), (T0 + 90 * DAY, 0));
                kid
            }
            other => panic!("{other:?}"),
        };
        let keys = set(vec![key(&first, T0 + 90 * DAY)], T0);
        let day_59 = T0 + 59 * DAY;
        assert!(
            matches!(planner.plan(&keys, Some(&first), day_59).unwrap(), RotationAction::Nothing { next_at, .. } if next_at == T0 + 60 * DAY)
        );
        let day_60 = T0 + 60 * DAY;
        let second = match planner.plan(&keys, Some(&first), day_60).unwrap() {
            RotationAction::Publish { kid, keep, .. } => {
                assert_eq!(keep, vec![first.clone()]);
                kid
            }
            other => panic!("{other:?}"),
        };
        assert_ne!(first, second);
        let keys = set(vec![key(&first, T0 + 90 * DAY), key(&second, day_60 + 90 * DAY)], day_60);
        assert!(
            matches!(planner.plan(&keys, Some(&first), day_60 + 60).unwrap(), RotationAction::Nothing { next_at, .. } if next_at == day_60 + 120)
        );
        assert_eq!(
            planner.plan(&keys, Some(&first), day_60 + 120).unwrap(),
            RotationAction::Switch { kid: second.clone() }
        );
        assert!(
            matches!(planner.plan(&keys, Some(&second), day_60 + 200).unwrap(), RotationAction::Nothing { .. }),
            "grace"
        );
        assert_eq!(
            planner.plan(&keys, Some(&second), day_60 + 120 + DAY).unwrap(),
            RotationAction::Remove { remove: vec![first], keep: vec![second] }
        );
    }

    #[test]
    fn an_expired_key_is_replaced_at_once_and_never_kept() {
        let planner = RotationPlanner::default();
        let keys = set(vec![key("old", T0 - 1)], T0 - 100 * DAY);
        assert!(
            matches!(planner.plan(&keys, Some("old"), T0).unwrap(), RotationAction::Publish { keep, .. } if keep == vec!["old".to_string()])
        );
    }

    #[test]
    fn the_policy_bounds_the_key_count() {
        let planner = RotationPlanner::new(RotationPolicy::default().with_max_keys(2).unwrap());
        let keys = set(vec![key("a", T0 + 10), key("b", T0 + 20)], T0 - 10 * DAY);
        match planner.plan(&keys, Some("b"), T0).unwrap() {
            RotationAction::Remove { remove, keep } => {
                assert_eq!((remove, keep), (vec!["a".to_string()], vec!["b".to_string()]))
            }
            other => panic!("{other:?}"),
        }
        assert!(RotationPolicy::default().with_max_keys(6).is_err());
        assert!(RotationPolicy::default().with_key_lifetime(366 * DAY).is_err());
    }

    #[test]
    fn an_unregistered_signing_key_is_an_error() {
        let keys = set(vec![key("a", T0 + DAY)], T0);
        assert_eq!(RotationPlanner::default().plan(&keys, Some("b"), T0).unwrap_err().field(), Some("signing_kid"));
    }
}
