//! The Altinn requirement options of `Requirements` (`consent=`, `system_user=`): ``True`` or a
//! dict naming what the API knows, converted to the core's `ConsentRequirement` and
//! `SystemUserRequirement`.

use crate::errors::to_py;
use maskinporten::{ConsentRequirement, Error, ErrorKind, SystemUserRequirement};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

fn invalid(field: &'static str, message: String) -> PyErr {
    to_py(Error::InvalidArgument { kind: ErrorKind::InvalidRequirements, field, message })
}

/// A value of the wrong type: a `TypeError` naming the argument, as pyo3's own conversions do.
fn wrong_type(field: &str, message: String) -> PyErr {
    PyTypeError::new_err(format!("{field}: {message}"))
}

/// `None`/`False`: not required; `True`: required; a dict: required, with `keys` (each a
/// string or `None`; another key is an `invalid_requirements` error).
fn parts<'py, const N: usize>(
    field: &'static str,
    value: Option<&Bound<'py, PyAny>>,
    keys: [&str; N],
) -> PyResult<Option<[Option<String>; N]>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(flag.is_true().then(|| std::array::from_fn(|_| None)));
    }
    let shape = || format!("expected True or a dict with the keys {}", keys.join(", "));
    let dict = value.cast::<PyDict>().map_err(|_| wrong_type(field, shape()))?;
    for key in dict.keys() {
        let name: String = key.extract().map_err(|_| wrong_type(field, shape()))?;
        if !keys.contains(&name.as_str()) {
            return Err(invalid(field, format!("unknown key {name:?}: {}", shape())));
        }
    }
    let mut out: [Option<String>; N] = std::array::from_fn(|_| None);
    for (slot, key) in out.iter_mut().zip(keys) {
        if let Some(item) = dict.get_item(key)? {
            *slot = item.extract().map_err(|_| wrong_type(field, format!("{key}: expected a str or None")))?;
        }
    }
    Ok(Some(out))
}

/// `consent=`: ``True`` (any valid consent) or ``{"id": ..., "from": ...}``.
pub fn consent(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<ConsentRequirement>> {
    Ok(parts("consent", value, ["id", "from"])?.map(|[id, from]| ConsentRequirement { id, from }))
}

/// `system_user=`: ``True`` (any system user) or ``{"org": ..., "system_id": ...}``.
pub fn system_user(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<SystemUserRequirement>> {
    Ok(parts("system_user", value, ["org", "system_id"])?
        .map(|[org, system_id]| SystemUserRequirement { org, system_id }))
}
