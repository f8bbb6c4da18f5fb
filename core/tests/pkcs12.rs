//! PKCS#12 files as OpenSSL 3 and Java's keytool write them (fixtures/pkcs12/make.sh), read by the
//! core's own PKCS#12 code: every cipher and MAC those tools use, chains, aliases, and the errors.

use maskinporten::Key;

const PASSWORD: &str = "fixture-pw";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/pkcs12/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn vector_pem(name: &str) -> String {
    let path = format!("{}/../tests/vectors/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn reference() -> Key {
    Key::from_pem(&vector_pem("client.key.pem"), Some(&vector_pem("client.cert.pem"))).expect("PEM key")
}

fn load(name: &str, password: &str, alias: Option<&str>) -> Key {
    Key::from_pkcs12(&fixture(name), password, alias).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn error_kind(name: &str, password: &str, alias: Option<&str>) -> (String, String) {
    match Key::from_pkcs12(&fixture(name), password, alias) {
        Ok(_) => panic!("{name} loaded with password {password:?}"),
        Err(e) => (e.kind().to_string(), e.to_string()),
    }
}

#[test]
fn every_cipher_and_mac_openssl_writes_gives_the_same_key() {
    let expected = reference();
    for name in [
        "openssl-aes.p12",
        "openssl-legacy.p12",
        "openssl-2des-rc2.p12",
        "openssl-plain-nomac.p12",
        "openssl-aes-nomac.p12",
        "openssl-sha512.p12",
    ] {
        let key = load(name, PASSWORD, None);
        assert_eq!(key.fingerprint(), expected.fingerprint(), "{name}");
        assert!(key.can_sign(), "{name}");
        assert_eq!(key.certificate(), expected.certificate(), "{name}");
        assert_eq!(key.certificate_chain_der()[0], expected.certificate_chain_der()[0], "{name}");
    }
}

#[test]
fn the_chain_is_leaf_first_then_its_issuer() {
    let chained = Key::from_pem(&vector_pem("client.key.pem"), Some(&vector_pem("client.chain.pem"))).unwrap();
    for name in ["openssl-aes.p12", "openssl-legacy.p12"] {
        let key = load(name, PASSWORD, None);
        assert_eq!(key.certificate_chain_der(), chained.certificate_chain_der(), "{name}");
        assert_eq!(key.certificate_chain_der().len(), 2, "{name}");
    }
}

#[test]
fn certificate_facts_are_read_in_certificate_order() {
    let info = load("openssl-aes.p12", PASSWORD, None).certificate().cloned().unwrap();
    assert_eq!(info.org_number.as_deref(), Some("311000004"));
    assert!(info.subject.starts_with("C=NO, O="), "{}", info.subject);
    assert!(info.issuer.contains("CN="), "{}", info.issuer);
    assert!(info.not_before < info.not_after);
    assert!(!info.serial.is_empty() && info.serial.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn the_friendly_name_is_the_alias() {
    let key = load("openssl-aes.p12", PASSWORD, Some("Maskinporten test"));
    assert_eq!(key.fingerprint(), reference().fingerprint());
    let (kind, message) = error_kind("openssl-aes.p12", PASSWORD, Some("other"));
    assert_eq!(kind, "key_not_found");
    assert!(message.contains("\"Maskinporten test\""), "{message}");
}

#[test]
fn several_keys_need_an_alias_and_each_alias_picks_its_own_key() {
    let (kind, message) = error_kind("keytool-two-keys.p12", PASSWORD, None);
    assert_eq!(kind, "key_not_found");
    assert!(message.contains("\"first\"") && message.contains("\"second\""), "{message}");
    let first = load("keytool-two-keys.p12", PASSWORD, Some("first"));
    let second = load("keytool-two-keys.p12", PASSWORD, Some("second"));
    assert_ne!(first.fingerprint(), second.fingerprint());
    assert!(first.certificate().unwrap().subject.contains("CN=first"));
    assert!(second.certificate().unwrap().subject.contains("CN=second"));
}

#[test]
fn an_empty_password_works_as_openssl_writes_it() {
    let key = load("openssl-empty-password.p12", "", None);
    assert_eq!(key.fingerprint(), reference().fingerprint());
}

#[test]
fn a_wrong_password_is_named_as_such() {
    for name in ["openssl-aes.p12", "openssl-legacy.p12", "openssl-aes-nomac.p12", "keytool-two-keys.p12"] {
        let (kind, message) = error_kind(name, "not-the-password", Some("first"));
        assert_eq!(kind, "wrong_password", "{name}: {message}");
        assert!(!message.contains("not-the-password"), "{name}: the password leaked into {message}");
    }
}

#[test]
fn a_file_without_a_key_says_so() {
    let (kind, message) = error_kind("openssl-certs-only.p12", PASSWORD, None);
    assert_eq!(kind, "key_not_found");
    assert!(message.contains("no private key"), "{message}");
}

#[test]
fn text_that_is_not_pkcs12_is_refused_with_a_hint() {
    let pem = vector_pem("client.key.pem");
    let error = Key::from_pkcs12(pem.as_bytes(), PASSWORD, None).unwrap_err();
    assert_eq!(error.kind(), "invalid_key");
    assert!(error.to_string().contains("not PEM or base64"), "{error}");
}
