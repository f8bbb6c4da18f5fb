//! Python bindings for the `maskinporten` core, built with pyo3 and maturin as the native module
//! `maskinporten._native`. Thin: argument conversion, calls into the core, error mapping
//! (`errors.rs`). The token and validation flows are the core's (`flow.rs`, `call.rs`,
//! `validator.rs`, `validation.rs` expose their steps); the pure-Python package around it
//! (`python/maskinporten/`) executes them: HTTP, waiting, sleeping and logging.

// The core's `Error` is large (an OAuth error carries several strings); results pass through as is.
#![allow(clippy::result_large_err)]

mod altinn;
mod altinn_requirements;
mod cache_key;
mod call;
mod claims;
mod client;
mod clock;
mod environment;
mod errors;
mod events;
mod flow;
mod key;
mod options;
mod rejection;
mod request;
mod requirements;
mod rotation;
mod selfservice;
mod selfservice_types;
mod signer;
mod source;
mod text;
mod token;
mod validation;
mod validator;

use pyo3::prelude::*;

/// The current time as Unix seconds (the clock the ``now=None`` defaults read).
#[pyfunction]
fn unix_now() -> i64 {
    maskinporten::unix_now()
}

/// Whether ``value`` is a 9-digit organisation number with a valid modulus-11 check digit.
#[pyfunction]
#[pyo3(signature = (value))]
fn is_valid_org_number(value: &str) -> bool {
    maskinporten::is_valid_org_number(value)
}

/// Whether ``value`` is a valid 11-digit Norwegian person identifier (``pid``).
#[pyfunction]
#[pyo3(signature = (value))]
fn is_valid_pid(value: &str) -> bool {
    maskinporten::is_valid_pid(value)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<key::PyKey>()?;
    m.add_class::<key::PyCertificateInfo>()?;
    m.add_class::<environment::PyEnvironment>()?;
    m.add_class::<request::PyHttpRequest>()?;
    m.add_class::<token::PyAccessToken>()?;
    m.add_class::<options::PyAuthorizationDetail>()?;
    m.add_class::<signer::PyPreparedGrant>()?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<cache_key::PyCacheKey>()?;
    m.add_class::<source::PyTokenSource>()?;
    m.add_class::<altinn::PyAltinnExchange>()?;
    m.add_class::<flow::PyTokenFlow>()?;
    m.add_class::<call::PyTokenCall>()?;
    m.add_class::<call::PyTokenStep>()?;
    m.add_class::<events::PyFlowEvent>()?;
    m.add_class::<requirements::PyRequirements>()?;
    m.add_class::<rejection::PyRejection>()?;
    m.add_class::<validator::PyValidator>()?;
    m.add_class::<validation::PyValidationCall>()?;
    m.add_class::<validation::PyValidationStep>()?;
    m.add_class::<claims::PyValidatedToken>()?;
    m.add_class::<claims::PyOrganisation>()?;
    m.add_class::<claims::PyAuthorization>()?;
    m.add_class::<selfservice::PySelfService>()?;
    m.add_class::<selfservice_types::PyRegisteredClient>()?;
    m.add_class::<selfservice_types::PyRegisteredKey>()?;
    m.add_class::<selfservice_types::PyClientKeys>()?;
    m.add_class::<selfservice_types::PyScopeAccess>()?;
    m.add_class::<selfservice_types::PyPublicScope>()?;
    m.add_class::<rotation::PyRotationPolicy>()?;
    m.add_class::<rotation::PyRotationPlanner>()?;
    m.add_class::<rotation::PyRotationAction>()?;
    m.add_function(wrap_pyfunction!(selfservice::check_public_key_set, m)?)?;
    m.add_function(wrap_pyfunction!(selfservice::check_admin_client, m)?)?;
    m.add_function(wrap_pyfunction!(selfservice_types::parse_clients, m)?)?;
    m.add_function(wrap_pyfunction!(selfservice_types::parse_client, m)?)?;
    m.add_function(wrap_pyfunction!(selfservice_types::parse_client_keys, m)?)?;
    m.add_function(wrap_pyfunction!(selfservice_types::parse_scope_access, m)?)?;
    m.add_function(wrap_pyfunction!(selfservice_types::parse_public_scopes, m)?)?;
    m.add_function(wrap_pyfunction!(selfservice_types::parse_empty, m)?)?;
    m.add("MAX_REGISTERED_KEYS", maskinporten::MAX_REGISTERED_KEYS)?;
    m.add("MAX_TOKEN_BYTES", maskinporten::MAX_TOKEN_BYTES)?;
    m.add("TokenRequest", m.getattr("HttpRequest")?)?;
    m.add_function(wrap_pyfunction!(token::parse_token_response, m)?)?;
    m.add_function(wrap_pyfunction!(rejection::bearer_token, m)?)?;
    m.add_function(wrap_pyfunction!(unix_now, m)?)?;
    m.add_function(wrap_pyfunction!(is_valid_org_number, m)?)?;
    m.add_function(wrap_pyfunction!(is_valid_pid, m)?)?;
    m.add("BACKEND", maskinporten::BACKEND)?;
    m.add("JWT_BEARER_GRANT_TYPE", maskinporten::JWT_BEARER_GRANT_TYPE)?;
    m.add("MAX_GRANT_LIFETIME", maskinporten::MAX_GRANT_LIFETIME)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
