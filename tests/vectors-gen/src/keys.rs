//! Deterministic key material for the vectors: RSA keys from seeded generators, certificates
//! signed with deterministic PKCS#1 v1.5, and PKCS#12 files around them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey, PrivateKeyChain,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SerialNumber,
};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::RsaPrivateKey;
use std::collections::BTreeMap;
use time::OffsetDateTime;

pub const P12_PASSWORD: &str = "vector-password";
pub const P12_ALIAS: &str = "client";
pub const CLIENT_ORG: &str = "311000004";
pub const JWK_KID: &str = "mp-vector-key-1";

/// Every key file, by path under `tests/vectors/`.
pub struct KeyFiles {
    pub files: BTreeMap<String, Vec<u8>>,
    /// PKCS#12 files are encrypted with random salts: compare them by content, not bytes.
    pub p12_contents: BTreeMap<String, (Vec<u8>, Vec<Vec<u8>>)>,
}

/// A 2048-bit RSA key from a seeded generator (the same seed gives the same key).
pub fn rsa_key_from_seed(seed: u64) -> RsaPrivateKey {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    RsaPrivateKey::new(&mut rng, 2048).expect("RSA key generation from a seeded generator")
}

fn pkcs8_der(key: &RsaPrivateKey) -> Vec<u8> {
    key.to_pkcs8_der().expect("PKCS#8 encoding").as_bytes().to_vec()
}

fn rcgen_key(key: &RsaPrivateKey) -> KeyPair {
    let der = pkcs8_der(key);
    KeyPair::from_pkcs8_der_and_sign_algo(&der.as_slice().into(), &rcgen::PKCS_RSA_SHA256).expect("rcgen RSA key")
}

fn date(year: i32) -> OffsetDateTime {
    time::Date::from_calendar_date(year, time::Month::January, 1).expect("valid date").midnight().assume_utc()
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "NO");
    dn.push(DnType::OrganizationName, "maskinporten test vectors");
    dn.push(DnType::CommonName, "Maskinporten Vector Test CA");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.serial_number = Some(SerialNumber::from(vec![0x01]));
    params.not_before = date(2025);
    params.not_after = date(2040);
    params
}

fn leaf_params(serial: u8, from: i32, to: i32) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "NO");
    dn.push(DnType::OrganizationName, "VEKTOR TESTBEDRIFT AS");
    dn.push(DnType::CustomDnType(vec![2, 5, 4, 5]), CLIENT_ORG);
    dn.push(DnType::CommonName, "VEKTOR TESTBEDRIFT AS");
    params.distinguished_name = dn;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.serial_number = Some(SerialNumber::from(vec![0x10, serial]));
    params.not_before = date(from);
    params.not_after = date(to);
    params
}

fn p12(pkcs8: &[u8], chain: &[Vec<u8>], legacy: bool) -> Vec<u8> {
    let certs: Vec<Certificate> = chain.iter().map(|der| Certificate::from_der(der).expect("certificate")).collect();
    let key = PrivateKey::from_der(pkcs8).expect("PKCS#8 key");
    let mut store = KeyStore::new();
    store.add_entry(P12_ALIAS, KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(vec![1u8; 20], key, certs)));
    let writer = store.writer(P12_PASSWORD);
    let writer = if legacy {
        writer
            .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .mac_algorithm(MacAlgorithm::HmacSha1)
    } else {
        writer
            .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
            .mac_algorithm(MacAlgorithm::HmacSha256)
    };
    writer.encryption_iterations(2048).mac_iterations(2048).write().expect("PKCS#12 writing")
}

fn pem(tag: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> =
        b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).expect("base64 is ASCII")).collect();
    format!("-----BEGIN {tag}-----\n{}\n-----END {tag}-----\n", lines.join("\n"))
}

fn private_jwk(key: &RsaPrivateKey) -> String {
    let b = |n: &rsa::BigUint| URL_SAFE_NO_PAD.encode(n.to_bytes_be());
    let primes = key.primes();
    let dp = key.dp().expect("precomputed dp");
    let dq = key.dq().expect("precomputed dq");
    let qi = key.crt_coefficient().expect("crt coefficient");
    let jwk = serde_json::json!({
        "kty": "RSA", "kid": JWK_KID, "alg": "RS256", "use": "sig",
        "n": b(key.n()), "e": b(key.e()), "d": b(key.d()),
        "p": b(&primes[0]), "q": b(&primes[1]), "dp": b(dp), "dq": b(dq), "qi": b(&qi),
    });
    serde_json::to_string_pretty(&jwk).expect("JSON") + "\n"
}

pub fn generate() -> KeyFiles {
    let ca_key = rsa_key_from_seed(1);
    let client_key = rsa_key_from_seed(2);
    let jwk_key = rsa_key_from_seed(3);
    let other_key = rsa_key_from_seed(4);

    let ca_params = ca_params();
    let ca_signing = rcgen_key(&ca_key);
    let ca_cert = ca_params.self_signed(&ca_signing).expect("CA certificate");
    let issuer = Issuer::from_params(&ca_params, &ca_signing);
    let client_public = rcgen_key(&client_key);
    let leaf = leaf_params(1, 2025, 2036).signed_by(&client_public, &issuer).expect("leaf certificate");
    let expired = leaf_params(2, 2020, 2021).signed_by(&client_public, &issuer).expect("expired certificate");

    let client_pkcs8 = pkcs8_der(&client_key);
    let chain = vec![leaf.der().to_vec(), ca_cert.der().to_vec()];
    let expired_chain = vec![expired.der().to_vec(), ca_cert.der().to_vec()];

    let mut files = BTreeMap::new();
    let mut p12_contents = BTreeMap::new();
    files.insert("keys/ca.pem".into(), pem("CERTIFICATE", ca_cert.der()).into_bytes());
    files.insert("keys/client.cert.pem".into(), pem("CERTIFICATE", leaf.der()).into_bytes());
    files.insert(
        "keys/client.chain.pem".into(),
        chain.iter().map(|d| pem("CERTIFICATE", d)).collect::<String>().into_bytes(),
    );
    files.insert(
        "keys/client.key.pem".into(),
        client_key.to_pkcs8_pem(LineEnding::LF).expect("PEM").as_bytes().to_vec(),
    );
    files.insert(
        "keys/client.pkcs1.pem".into(),
        client_key.to_pkcs1_pem(LineEnding::LF).expect("PEM").as_bytes().to_vec(),
    );
    files.insert(
        "keys/expired.chain.pem".into(),
        expired_chain.iter().map(|d| pem("CERTIFICATE", d)).collect::<String>().into_bytes(),
    );
    files.insert("keys/other.key.pem".into(), other_key.to_pkcs8_pem(LineEnding::LF).expect("PEM").as_bytes().to_vec());
    files.insert("keys/client.jwk.json".into(), private_jwk(&jwk_key).into_bytes());
    for (name, legacy, chain) in
        [("client.p12", false, &chain), ("client-legacy.p12", true, &chain), ("expired.p12", false, &expired_chain)]
    {
        let path = format!("keys/{name}");
        files.insert(path.clone(), p12(&client_pkcs8, chain, legacy));
        p12_contents.insert(path, (client_pkcs8.clone(), chain.clone()));
    }
    KeyFiles { files, p12_contents }
}

/// The public key of the JWK client, for independent signature checks.
pub fn jwk_public() -> rsa::RsaPublicKey {
    rsa_key_from_seed(3).to_public_key()
}

/// The public key of the certificate client.
pub fn client_public() -> rsa::RsaPublicKey {
    rsa_key_from_seed(2).to_public_key()
}
