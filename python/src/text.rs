//! Argument conversions shared by several classes: text or binary given as `str` or `bytes`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Text given as `str`, or as UTF-8 `bytes` (a file read in binary mode).
#[derive(FromPyObject)]
pub enum Text {
    /// A `str`.
    Str(String),
    /// `bytes` or `bytearray` holding UTF-8.
    Bytes(Vec<u8>),
}

impl Text {
    /// The text; `ValueError` when the bytes are not UTF-8.
    pub fn into_string(self) -> PyResult<String> {
        match self {
            Text::Str(s) => Ok(s),
            Text::Bytes(b) => String::from_utf8(b).map_err(|_| PyValueError::new_err("expected UTF-8 text")),
        }
    }
}

/// Binary data given as `bytes`/`bytearray`, or `str` (encoded as UTF-8).
#[derive(FromPyObject)]
pub enum Binary {
    /// `bytes` or `bytearray`.
    Bytes(Vec<u8>),
    /// A `str`.
    Str(String),
}

impl Binary {
    /// The bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Binary::Bytes(b) => b,
            Binary::Str(s) => s.into_bytes(),
        }
    }
}

/// `Option<&str>` the way Python's `repr` shows it: `'text'` or `None`.
pub fn repr_opt(value: Option<&str>) -> String {
    match value {
        Some(v) => repr_str(v),
        None => "None".to_owned(),
    }
}

/// A `str` the way Python's `repr` shows it (close enough for messages): `'text'`.
pub fn repr_str(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}
