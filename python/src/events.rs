//! `FlowEvent`: what the token and validation flows report, for Python's `logging`.

use maskinporten::{EventLevel, FlowEvent};
use pyo3::prelude::*;

/// Something that happened in a flow (cache hit, fetch started or finished, retry scheduled,
/// refusal, refresh-ahead failure, JWKS refreshed or failed). The providers and the validator
/// forward each one to the ``logging`` logger ``"maskinporten"`` (the record's ``extra``
/// attribute ``maskinporten_event`` is this object). No event carries a token, a grant or a
/// key: a token is named by its cache key's label.
#[pyclass(module = "maskinporten", frozen, name = "FlowEvent")]
pub struct PyFlowEvent {
    inner: FlowEvent,
}

/// The `logging` level number of an event level.
pub fn levelno(level: EventLevel) -> u8 {
    match level {
        EventLevel::Debug => 10,
        EventLevel::Info => 20,
        EventLevel::Warn => 30,
        EventLevel::Error => 40,
    }
}

/// Moves every queued event at or above `min_levelno` out of `next`, in order; quieter ones are
/// dropped (the host's logger would drop them too).
pub fn drain(min_levelno: u8, mut next: impl FnMut() -> Option<FlowEvent>) -> Vec<FlowEvent> {
    let mut out = Vec::new();
    while let Some(event) = next() {
        if levelno(event.level()) >= min_levelno {
            out.push(event);
        }
    }
    out
}

/// Python objects for drained events.
pub fn to_py(py: Python<'_>, events: Vec<FlowEvent>) -> PyResult<Vec<Py<PyFlowEvent>>> {
    events.into_iter().map(|inner| Py::new(py, PyFlowEvent { inner })).collect()
}

#[pymethods]
impl PyFlowEvent {
    /// The stable snake_case name: ``cache_hit``, ``fetch_started``, ``fetch_succeeded``,
    /// ``retry_scheduled``, ``refused``, ``fetch_failed``, ``refresh_ahead_failed``,
    /// ``fetch_cancelled``, ``token_rejected``, ``jwks_refreshed``, ``jwks_failed``,
    /// ``shared_token_used``.
    #[getter]
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    /// ``"debug"``, ``"info"``, ``"warn"`` or ``"error"``.
    #[getter]
    fn level(&self) -> &'static str {
        self.inner.level().as_str()
    }

    /// The ``logging`` level number (10, 20, 30 or 40).
    #[getter]
    fn levelno(&self) -> u8 {
        levelno(self.inner.level())
    }

    /// One human line, for plain-text logs.
    #[getter]
    fn message(&self) -> String {
        self.inner.to_string()
    }

    /// The event as one JSON object: ``{"event": name, "level": level, ...fields}``.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("FlowEvent({})", self.inner.to_json())
    }
}
