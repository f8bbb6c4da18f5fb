//! Generates the shared test vectors in `tests/vectors/` from fixed inputs, and checks that the
//! committed files have not drifted from what it generates.
//!
//! Every expected header and claim set is written here from the protocol doc, independently of
//! the core; the core's JWT must decode to exactly those and verify with an independent RSA
//! implementation (the `rsa` crate) before a vector is written.

pub mod cases;
pub mod exchange_flows;
pub mod flow_runner;
pub mod flows;
pub mod harness;
pub mod keys;
pub mod validation;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The vectors folder of this repository.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors")
}

/// Every generated file, by path relative to the vectors folder, with the key files' decoded
/// PKCS#12 contents for the drift check.
pub fn generate() -> (BTreeMap<String, Vec<u8>>, keys::KeyFiles) {
    let key_files = keys::generate();
    let mut files = key_files.files.clone();
    let json = |value: serde_json::Value| (serde_json::to_string_pretty(&value).expect("JSON") + "\n").into_bytes();
    let grants = json(cases::grants_document(&files));
    let errors = json(cases::grant_errors_document(&files));
    files.insert("grants.json".into(), grants);
    files.insert("grant_errors.json".into(), errors);
    files.insert("responses.json".into(), json(cases::responses_document()));
    files.insert("keys/issuer.jwks.json".into(), json(validation::jwks_document()));
    files.insert("validation.json".into(), json(validation::validation_document()));
    let flows = flows::flows_document();
    for list in ["token_scenarios", "exchange_scenarios", "validation_scenarios"] {
        for scenario in flows[list].as_array().into_iter().flatten() {
            let outcomes = match list {
                "token_scenarios" => flow_runner::run_token_scenario(&flows, scenario, &vectors_dir()),
                "exchange_scenarios" => flow_runner::run_exchange_scenario(&flows, scenario, &vectors_dir()),
                _ => flow_runner::run_validation_scenario(&flows, scenario),
            };
            if let Err(difference) = flow_runner::check_scenario(scenario, &outcomes) {
                panic!("flow vector disagrees with the core: {difference}");
            }
        }
    }
    files.insert("flows.json".into(), json(flows));
    (files, key_files)
}

/// Writes every file.
pub fn write(dir: &Path) -> std::io::Result<()> {
    let (files, key_files) = generate();
    for (path, bytes) in files {
        let target = dir.join(&path);
        // Salts differ on every run: keep a committed PKCS#12 file whose contents still match.
        if let (Some((pkcs8, chain)), Ok(existing)) = (key_files.p12_contents.get(&path), std::fs::read(&target)) {
            if p12_matches(&existing, pkcs8, chain) {
                continue;
            }
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, bytes)?;
    }
    Ok(())
}

/// Lists every committed file that differs from what the generator makes. PKCS#12 files are
/// salted at random, so they are compared by their decrypted key and certificates.
pub fn drift(dir: &Path) -> Vec<String> {
    let (files, key_files) = generate();
    let mut drifted = Vec::new();
    for (path, bytes) in &files {
        let committed = std::fs::read(dir.join(path)).ok();
        let same = match key_files.p12_contents.get(path) {
            Some((pkcs8, chain)) => committed.is_some_and(|data| p12_matches(&data, pkcs8, chain)),
            None => committed.as_deref() == Some(bytes.as_slice()),
        };
        if !same {
            drifted.push(path.clone());
        }
    }
    drifted
}

fn p12_matches(data: &[u8], pkcs8: &[u8], chain: &[Vec<u8>]) -> bool {
    use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
    let Ok(store) = KeyStore::from_pkcs12(data, keys::P12_PASSWORD, Pkcs12ImportPolicy::Relaxed) else {
        return false;
    };
    store.entries().any(|(_, entry)| match entry {
        KeyStoreEntry::PrivateKeyChain(found) => {
            found.key().as_der() == pkcs8
                && found.certs().iter().map(|c| c.as_der().to_vec()).collect::<Vec<_>>() == chain
        }
        _ => false,
    })
}
