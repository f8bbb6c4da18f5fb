//! `Key` and `CertificateInfo`: the signing key and the certificate facts it carries.

use crate::errors::IntoPyResult;
use crate::text::{repr_opt, repr_str, Text};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A signing key: an enterprise certificate (virksomhetssertifikat) with its private key, a
/// registered JWK, or an external key (HSM, Azure Key Vault...) that signs through
/// ``Client.prepare_grant``.
///
/// Build one with a ``from_*`` class method::
///
///     key = Key.from_pkcs12(open("cert.p12", "rb").read(), "password")
///
/// ``repr()`` never shows secret material.
#[pyclass(module = "maskinporten", frozen, name = "Key")]
#[derive(Clone)]
pub struct PyKey {
    pub inner: maskinporten::Key,
}

#[pymethods]
impl PyKey {
    /// Loads a PKCS#12 file (``.p12``/``.pfx``, modern or legacy encryption). With several key
    /// entries, ``alias`` (the friendly name) picks one. A Java JKS/JCEKS keystore is recognised
    /// and read with ``password`` for the store and the key (``Key.from_jks`` takes a separate
    /// key password).
    ///
    /// Raises ``InvalidKeyError`` (``kind`` ``wrong_password``, ``invalid_key``, ``key_not_found``,
    /// ``unsupported_key``).
    #[staticmethod]
    #[pyo3(signature = (data, password, alias=None))]
    fn from_pkcs12(py: Python<'_>, data: &[u8], password: &str, alias: Option<&str>) -> PyResult<PyKey> {
        let data = data.to_vec();
        let password = password.to_owned();
        let alias = alias.map(str::to_owned);
        let key = py.detach(|| maskinporten::Key::from_pkcs12(&data, &password, alias.as_deref())).py()?;
        Ok(PyKey { inner: key })
    }

    /// Loads a PEM private key (PKCS#8 ``PRIVATE KEY`` or PKCS#1 ``RSA PRIVATE KEY``), with an
    /// optional PEM certificate chain (leaf first) for ``x5c``. ``str`` or ``bytes``.
    #[staticmethod]
    #[pyo3(signature = (key_pem, cert_chain_pem=None))]
    fn from_pem(key_pem: Text, cert_chain_pem: Option<Text>) -> PyResult<PyKey> {
        let key_pem = key_pem.into_string()?;
        let chain = cert_chain_pem.map(Text::into_string).transpose()?;
        Ok(PyKey { inner: maskinporten::Key::from_pem(&key_pem, chain.as_deref()).py()? })
    }

    /// Loads a private RSA JWK (JSON text with ``kid``) registered on the client; grants then
    /// carry ``kid`` instead of ``x5c``.
    #[staticmethod]
    #[pyo3(signature = (jwk_json))]
    fn from_jwk(jwk_json: Text) -> PyResult<PyKey> {
        Ok(PyKey { inner: maskinporten::Key::from_jwk(&jwk_json.into_string()?).py()? })
    }

    /// Loads a Java keystore: JKS (``keytool -storetype JKS``, what jwt-grant-generator reads),
    /// JCEKS or PKCS#12, told apart by their first bytes. ``password`` opens the keystore;
    /// ``alias`` picks a key entry (any case) when it holds several; ``key_password`` is the key
    /// entry's own password when it differs from the keystore's (default: ``password``). The
    /// chain stored with the key is sent as ``x5c``.
    ///
    /// Raises ``InvalidKeyError`` (``kind`` ``wrong_password`` for the keystore password,
    /// ``wrong_key_password`` for the key entry's, ``key_not_found``, ``invalid_key``,
    /// ``unsupported_key``).
    #[staticmethod]
    #[pyo3(signature = (data, password, alias=None, key_password=None))]
    fn from_jks(
        py: Python<'_>,
        data: &[u8],
        password: &str,
        alias: Option<&str>,
        key_password: Option<&str>,
    ) -> PyResult<PyKey> {
        let data = data.to_vec();
        let password = password.to_owned();
        let key_password = key_password.map(str::to_owned);
        let alias = alias.map(str::to_owned);
        let key = py
            .detach(|| maskinporten::Key::from_jks(&data, &password, alias.as_deref(), key_password.as_deref()))
            .py()?;
        Ok(PyKey { inner: key })
    }

    /// A key whose private half lives elsewhere (HSM, Azure Key Vault, AWS KMS...): give the
    /// certificate chain PEM for ``x5c``, or the registered ``kid``. Sign with
    /// ``Client.prepare_grant`` and ``PreparedGrant.finish``.
    #[staticmethod]
    #[pyo3(signature = (cert_chain_pem=None, kid=None))]
    fn from_external(cert_chain_pem: Option<Text>, kid: Option<&str>) -> PyResult<PyKey> {
        let chain = cert_chain_pem.map(Text::into_string).transpose()?;
        Ok(PyKey { inner: maskinporten::Key::from_external(chain.as_deref(), kid).py()? })
    }

    /// The same key with a ``kid``: grants then carry ``kid`` (a key registered on the client)
    /// instead of ``x5c``.
    #[pyo3(signature = (kid))]
    fn with_kid(&self, kid: &str) -> PyResult<PyKey> {
        Ok(PyKey { inner: self.inner.clone().with_kid(kid).py()? })
    }

    /// The ``kid`` grants carry, or ``None`` (they carry ``x5c``).
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.inner.kid()
    }

    /// Facts about the leaf certificate, or ``None`` for a JWK.
    #[getter]
    fn certificate(&self) -> Option<PyCertificateInfo> {
        self.inner.certificate().map(|c| PyCertificateInfo { inner: c.clone() })
    }

    /// The certificate chain as DER ``bytes``, leaf first (empty for a JWK).
    #[getter]
    fn certificate_chain_der<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        self.inner.certificate_chain_der().iter().map(|der| PyBytes::new(py, der)).collect()
    }

    /// Whether the private key is held here (``False`` for ``Key.from_external``).
    #[getter]
    fn can_sign(&self) -> bool {
        self.inner.can_sign()
    }

    /// A stable identity of the key (SHA-256 of the public key, base64url).
    #[getter]
    fn fingerprint(&self) -> &str {
        self.inner.fingerprint()
    }

    /// The public key as JWK JSON text, for registering it on a client; ``None`` without one.
    fn public_jwk(&self) -> Option<String> {
        self.inner.public_jwk()
    }

    fn __repr__(&self) -> String {
        format!(
            "Key(kid={}, certificate={}, fingerprint={}, can_sign={})",
            repr_opt(self.inner.kid()),
            repr_opt(self.inner.certificate().map(|c| c.subject.as_str())),
            repr_str(self.inner.fingerprint()),
            if self.inner.can_sign() { "True" } else { "False" }
        )
    }
}

/// Facts about the enterprise certificate, read when the key was loaded.
#[pyclass(module = "maskinporten", frozen, name = "CertificateInfo")]
#[derive(Clone)]
pub struct PyCertificateInfo {
    inner: maskinporten::CertificateInfo,
}

#[pymethods]
impl PyCertificateInfo {
    /// Subject distinguished name (``CN=..., O=..., serialNumber=...``).
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// Issuer distinguished name.
    #[getter]
    fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// Serial number, lowercase hex.
    #[getter]
    fn serial(&self) -> &str {
        &self.inner.serial
    }

    /// The 9-digit organisation number in the subject, if any.
    #[getter]
    fn org_number(&self) -> Option<&str> {
        self.inner.org_number.as_deref()
    }

    /// Start of validity, Unix seconds.
    #[getter]
    fn not_before(&self) -> i64 {
        self.inner.not_before
    }

    /// End of validity, Unix seconds.
    #[getter]
    fn not_after(&self) -> i64 {
        self.inner.not_after
    }

    /// Whether the certificate is valid at ``now`` (Unix seconds).
    #[pyo3(signature = (now))]
    fn is_valid_at(&self, now: i64) -> bool {
        self.inner.is_valid_at(now)
    }

    fn __repr__(&self) -> String {
        format!(
            "CertificateInfo(subject={}, org_number={}, not_before={}, not_after={})",
            repr_str(&self.inner.subject),
            repr_opt(self.inner.org_number.as_deref()),
            self.inner.not_before,
            self.inner.not_after
        )
    }
}
