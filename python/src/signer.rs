//! `PreparedGrant`: the two-step external signer (HSM, Azure Key Vault, AWS KMS...).

use crate::errors::{invalid_argument, IntoPyResult};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::atomic::{AtomicBool, Ordering};

/// A grant waiting for its signature. Sign ``signing_input`` (ASCII bytes) with
/// RSASSA-PKCS1-v1_5 and ``hash_name`` (for a KMS that takes a digest, hash it first with
/// ``hashlib.new(hash_name)``), then call ``finish(signature)`` for the JWT.
///
///     prepared = client.prepare_grant(["test:scope.read"])
///     digest = hashlib.sha256(prepared.signing_input).digest()
///     signature = crypto_client.sign(SignatureAlgorithm.rs256, digest).signature  # azure-keyvault-keys
///     request = client.token_request_for_assertion(prepared.finish(signature))
#[pyclass(module = "maskinporten", frozen, name = "PreparedGrant")]
pub struct PyPreparedGrant {
    inner: maskinporten::PreparedGrant,
    finished: AtomicBool,
}

impl From<maskinporten::PreparedGrant> for PyPreparedGrant {
    fn from(inner: maskinporten::PreparedGrant) -> Self {
        PyPreparedGrant { inner, finished: AtomicBool::new(false) }
    }
}

#[pymethods]
impl PyPreparedGrant {
    /// The exact bytes to sign: ``base64url(header) "." base64url(claims)``.
    #[getter]
    fn signing_input<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.signing_input().as_bytes())
    }

    /// The JWS algorithm the header names: ``"RS256"``, ``"RS384"`` or ``"RS512"``.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The hash for ``hashlib.new``: ``"sha256"``, ``"sha384"`` or ``"sha512"``.
    #[getter]
    fn hash_name(&self) -> &'static str {
        self.inner.algorithm().hash_name()
    }

    /// Attaches the raw RSA signature and returns the compact JWT. With a certificate the
    /// signature is verified first (``InvalidArgumentError`` with ``kind`` ``invalid_signature``).
    /// Single use, as everywhere in this library: a second call raises ``InvalidArgumentError``
    /// (``kind`` ``invalid_argument``); prepare a new grant instead.
    #[pyo3(signature = (signature))]
    fn finish(&self, signature: &[u8]) -> PyResult<String> {
        if self.finished.swap(true, Ordering::AcqRel) {
            return Err(invalid_argument(
                "grant",
                "this grant was already finished: a grant is single use, prepare a new one",
            ));
        }
        self.inner.clone().finish(signature).py()
    }

    fn __repr__(&self) -> String {
        format!(
            "PreparedGrant(algorithm='{}', signing_input=<{} bytes>)",
            self.inner.algorithm().as_str(),
            self.inner.signing_input().len()
        )
    }
}
