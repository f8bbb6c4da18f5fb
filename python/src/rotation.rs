//! Key rotation: `RotationPolicy`, `RotationPlanner` and the `RotationAction` it answers.

use crate::errors::IntoPyResult;
use crate::selfservice_types::PyClientKeys;
use crate::text::repr_str;
use maskinporten::{RotationAction, RotationPlanner, RotationPolicy};
use pyo3::prelude::*;

/// When to rotate a client's registered key (seconds; ``None`` keeps the core's default: keys
/// live 90 days, a new one after 60 days or with fewer than 30 left, signing switches 120 s after
/// publishing, the old key goes a day later, at most 2 keys). Checked when made.
#[pyclass(module = "maskinporten", frozen, name = "RotationPolicy")]
#[derive(Clone)]
pub struct PyRotationPolicy {
    inner: RotationPolicy,
}

#[pymethods]
impl PyRotationPolicy {
    #[new]
    #[pyo3(signature = (*, key_lifetime=None, rotate_after=None, rotate_before_expiry=None, propagation_delay=None, grace_period=None, max_keys=None))]
    fn new(
        key_lifetime: Option<i64>,
        rotate_after: Option<i64>,
        rotate_before_expiry: Option<i64>,
        propagation_delay: Option<i64>,
        grace_period: Option<i64>,
        max_keys: Option<usize>,
    ) -> PyResult<PyRotationPolicy> {
        let mut policy = RotationPolicy::default();
        if let Some(v) = key_lifetime {
            policy = policy.with_key_lifetime(v).py()?;
        }
        if let Some(v) = rotate_after {
            policy = policy.with_rotate_after(v).py()?;
        }
        if let Some(v) = rotate_before_expiry {
            policy = policy.with_rotate_before_expiry(v).py()?;
        }
        if let Some(v) = propagation_delay {
            policy = policy.with_propagation_delay(v).py()?;
        }
        if let Some(v) = grace_period {
            policy = policy.with_grace_period(v).py()?;
        }
        if let Some(v) = max_keys {
            policy = policy.with_max_keys(v).py()?;
        }
        Ok(PyRotationPolicy { inner: policy })
    }

    /// How long a new key lives (seconds).
    #[getter]
    fn key_lifetime(&self) -> i64 {
        self.inner.key_lifetime()
    }

    /// The most keys registered at once.
    #[getter]
    fn max_keys(&self) -> usize {
        self.inner.max_keys()
    }

    fn __repr__(&self) -> String {
        format!("RotationPolicy(key_lifetime={}, max_keys={})", self.inner.key_lifetime(), self.inner.max_keys())
    }
}

/// Decides a client's next key-rotation step from its registered keys alone, so a rotation run
/// (from cron) is safe to repeat:
///
///     action = RotationPlanner().plan(parse_client_keys("client_keys", status, body), signing_kid, now)
///     if action.kind == "publish": ...   # make a key with action.kid, publish keep + new
///
/// The planner never sees a private key; the host makes new ones.
#[pyclass(module = "maskinporten", frozen, name = "RotationPlanner")]
pub struct PyRotationPlanner {
    inner: RotationPlanner,
}

#[pymethods]
impl PyRotationPlanner {
    /// A planner with ``policy`` (default: ``RotationPolicy()``).
    #[new]
    #[pyo3(signature = (policy=None))]
    fn new(policy: Option<PyRef<'_, PyRotationPolicy>>) -> PyRotationPlanner {
        PyRotationPlanner { inner: RotationPlanner::new(policy.map(|p| p.inner).unwrap_or_default()) }
    }

    /// What to do at ``now`` (Unix seconds) for a client whose registered set is ``keys``, while
    /// the host signs with ``signing_kid`` (``None`` when it has no key yet).
    #[pyo3(signature = (keys, signing_kid, now))]
    fn plan(&self, keys: PyRef<'_, PyClientKeys>, signing_kid: Option<&str>, now: i64) -> PyResult<PyRotationAction> {
        Ok(PyRotationAction { inner: self.inner.plan(&keys.to_core(), signing_kid, now).py()? })
    }
}

/// One rotation step. ``kind`` is ``"nothing"`` (until ``next_at``, because ``reason``),
/// ``"publish"`` (make a key ``kid`` expiring at ``expires_at``; publish ``keep`` + it, keep
/// signing with the current key), ``"switch"`` (sign with ``kid`` from now on) or ``"remove"``
/// (publish ``keep`` without ``remove``). Fields that do not apply are ``None``.
#[pyclass(module = "maskinporten", frozen, name = "RotationAction")]
pub struct PyRotationAction {
    inner: RotationAction,
}

#[pymethods]
impl PyRotationAction {
    /// ``"nothing"``, ``"publish"``, ``"switch"`` or ``"remove"``.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.inner {
            RotationAction::Nothing { .. } => "nothing",
            RotationAction::Publish { .. } => "publish",
            RotationAction::Switch { .. } => "switch",
            RotationAction::Remove { .. } => "remove",
        }
    }

    /// The new key's kid (``publish``) or the key to sign with (``switch``).
    #[getter]
    fn kid(&self) -> Option<&str> {
        match &self.inner {
            RotationAction::Publish { kid, .. } | RotationAction::Switch { kid } => Some(kid),
            _ => None,
        }
    }

    /// The new key's ``exp`` (``publish``).
    #[getter]
    fn expires_at(&self) -> Option<i64> {
        match &self.inner {
            RotationAction::Publish { expires_at, .. } => Some(*expires_at),
            _ => None,
        }
    }

    /// The registered kids to publish again (``publish``, ``remove``).
    #[getter]
    fn keep(&self) -> Option<Vec<String>> {
        match &self.inner {
            RotationAction::Publish { keep, .. } | RotationAction::Remove { keep, .. } => Some(keep.clone()),
            _ => None,
        }
    }

    /// The kids to drop (``remove``).
    #[getter]
    fn remove(&self) -> Option<Vec<String>> {
        match &self.inner {
            RotationAction::Remove { remove, .. } => Some(remove.clone()),
            _ => None,
        }
    }

    /// When something may be due (``nothing``).
    #[getter]
    fn next_at(&self) -> Option<i64> {
        match &self.inner {
            RotationAction::Nothing { next_at, .. } => Some(*next_at),
            _ => None,
        }
    }

    /// Why nothing is due (``nothing``).
    #[getter]
    fn reason(&self) -> Option<&str> {
        match &self.inner {
            RotationAction::Nothing { reason, .. } => Some(reason),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        match &self.inner {
            RotationAction::Nothing { next_at, reason } => {
                format!("RotationAction(kind='nothing', next_at={next_at}, reason={})", repr_str(reason))
            }
            RotationAction::Publish { kid, expires_at, keep } => {
                format!("RotationAction(kind='publish', kid={}, expires_at={expires_at}, keep={keep:?})", repr_str(kid))
            }
            RotationAction::Switch { kid } => format!("RotationAction(kind='switch', kid={})", repr_str(kid)),
            RotationAction::Remove { remove, keep } => {
                format!("RotationAction(kind='remove', remove={remove:?}, keep={keep:?})")
            }
        }
    }
}
