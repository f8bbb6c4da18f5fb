//! Java keystores as the JDK's keytool writes them (fixtures/jks/make.sh), read by the core's own
//! JKS/JCEKS code: each loads to the same key and chain as keytool's PKCS#12 export of it, and
//! every way a store can be wrong is a typed error. Version-1 and hostile stores are built here
//! by a small writer that follows the format, independent of the reader.

use maskinporten::{ErrorKind, Key};
use sha1::{Digest, Sha1};

const PW: &str = "fixture-pw";
const NON_ASCII: &str = "pæsswørd€";
const KEY_PW: &str = "key-pw-2";
/// Whether JCEKS keys are read (the `jceks` feature, on by default; off in the WebAssembly build).
const JCEKS: bool = cfg!(feature = "jceks");

/// Loads a store, or for a JCEKS one in a build without the `jceks` feature, checks the refusal.
fn load_or_refused(name: &str, result: Result<Key, maskinporten::Error>) -> Option<Key> {
    if name.ends_with(".jceks") && !JCEKS {
        let (kind, message) = error(result);
        assert_eq!(kind, ErrorKind::UnsupportedKey, "{message}");
        assert!(message.contains("keytool -importkeystore -srckeystore STORE -destkeystore store.p12"), "{message}");
        return None;
    }
    Some(result.unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/jks/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn vector(name: &str) -> String {
    let path = format!("{}/../tests/vectors/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The vector client's key with its chain (leaf, then the test CA).
fn reference() -> Key {
    Key::from_pem(&vector("client.key.pem"), Some(&vector("client.chain.pem"))).expect("PEM key")
}

fn error(result: Result<Key, maskinporten::Error>) -> (ErrorKind, String) {
    let e = result.expect_err("expected an error");
    let message = e.to_string();
    for secret in [PW, NON_ASCII, KEY_PW] {
        assert!(!message.contains(secret), "the message quotes a password: {message}");
    }
    (e.kind(), message)
}

fn assert_same(key: &Key, expected: &Key, what: &str) {
    assert_eq!(key.fingerprint(), expected.fingerprint(), "{what}");
    assert_eq!(key.certificate_chain_der(), expected.certificate_chain_der(), "{what}");
    assert_eq!(key.certificate(), expected.certificate(), "{what}");
    assert!(key.can_sign(), "{what}");
}

#[test]
fn every_keytool_store_gives_the_key_of_its_pkcs12_export() {
    let cases: &[(&str, &str, Option<&str>, &[&str])] = &[
        ("one-key.jks", PW, None, &["virksomhetssertifikat"]),
        ("several-keys.jks", PW, None, &["virksomhetssertifikat", "first", "second"]),
        ("key-password.jks", PW, Some(KEY_PW), &["virksomhetssertifikat"]),
        ("non-ascii.jks", NON_ASCII, None, &["virksomhetssertifikat"]),
        ("one-key.jceks", PW, None, &["virksomhetssertifikat"]),
        ("key-password.jceks", PW, Some(KEY_PW), &["virksomhetssertifikat"]),
    ];
    for (name, store_password, key_password, aliases) in cases {
        let store = fixture(name);
        let export = fixture(&format!("{name}.p12"));
        for alias in *aliases {
            let Some(key) = load_or_refused(name, Key::from_jks(&store, store_password, Some(alias), *key_password))
            else {
                continue;
            };
            let expected = Key::from_pkcs12(&export, PW, Some(alias)).expect("keytool's PKCS#12 export");
            assert_same(&key, &expected, &format!("{name} {alias}"));
        }
    }
}

#[test]
fn the_chain_stored_with_the_key_is_x5c_leaf_first() {
    for name in ["one-key.jks", "one-key.jceks"] {
        let Some(key) = load_or_refused(name, Key::from_jks(&fixture(name), PW, None, None)) else { continue };
        assert_same(&key, &reference(), name);
        assert_eq!(key.certificate_chain_der().len(), 2, "{name}");
        assert_eq!(key.certificate().and_then(|c| c.org_number.as_deref()), Some("311000004"));
    }
}

#[test]
fn aliases_compare_without_case_and_several_keys_need_one() {
    let store = fixture("several-keys.jks");
    let (kind, message) = error(Key::from_jks(&store, PW, None, None));
    assert_eq!(kind, ErrorKind::KeyNotFound);
    for alias in ["\"first\"", "\"second\"", "\"virksomhetssertifikat\""] {
        assert!(message.contains(alias), "{message}");
    }
    assert!(message.contains("several keys"), "{message}");
    let upper = Key::from_jks(&store, PW, Some("VirksomhetsSertifikat"), None).expect("mixed case");
    assert_same(&upper, &reference(), "mixed case");
    let first = Key::from_jks(&store, PW, Some("FIRST"), None).expect("upper case");
    assert_ne!(first.fingerprint(), upper.fingerprint());
    let (kind, message) = error(Key::from_jks(&store, PW, Some("third"), None));
    assert_eq!(kind, ErrorKind::KeyNotFound);
    assert!(message.contains("no key entry with the alias given") && message.contains("\"first\""), "{message}");
}

#[test]
fn wrong_store_password_and_wrong_key_password_are_different_errors() {
    for name in ["key-password.jks", "key-password.jceks"] {
        let store = fixture(name);
        let (kind, message) = error(Key::from_jks(&store, "not-it", None, Some(KEY_PW)));
        assert_eq!(kind, ErrorKind::WrongPassword, "{name}");
        assert!(message.contains("keystore password is wrong"), "{message}");
        // The store password opens the store but not the key: the key has its own.
        if load_or_refused(name, Key::from_jks(&store, PW, None, Some(KEY_PW))).is_none() {
            continue;
        }
        let (kind, message) = error(Key::from_jks(&store, PW, None, None));
        assert_eq!(kind, ErrorKind::WrongKeyPassword, "{name}");
        assert!(message.contains("password of its own"), "{message}");
        let (kind, message) = error(Key::from_jks(&store, PW, None, Some("not-it")));
        assert_eq!(kind, ErrorKind::WrongKeyPassword, "{name}");
        assert!(message.contains("does not open with the key password given"), "{message}");
        assert_same(&Key::from_jks(&store, PW, None, Some(KEY_PW)).expect(name), &reference(), name);
    }
    // Giving the store password as the key password is the same as giving none.
    let key = Key::from_jks(&fixture("one-key.jks"), PW, None, Some(PW)).expect("same password");
    assert_same(&key, &reference(), "explicit key password");
}

#[test]
fn non_ascii_passwords_are_utf16_code_units() {
    let store = fixture("non-ascii.jks");
    assert_same(&Key::from_jks(&store, NON_ASCII, None, None).expect("pæsswørd€"), &reference(), "non-ascii");
    // The `jks` crate's reading (a zero before each UTF-8 *byte*) is as wrong as any other password.
    let byte_wise: String = NON_ASCII.bytes().map(char::from).collect();
    assert_eq!(error(Key::from_jks(&store, &byte_wise, None, None)).0, ErrorKind::WrongPassword);
    assert_eq!(error(Key::from_jks(&store, "paessword", None, None)).0, ErrorKind::WrongPassword);
}

#[test]
fn a_store_of_trusted_certificates_has_no_key() {
    let store = fixture("trusted-only.jks");
    let (kind, message) = error(Key::from_jks(&store, PW, None, None));
    assert_eq!(kind, ErrorKind::KeyNotFound);
    assert!(message.contains("only trusted certificates") && message.contains("entries: \"test ca\""), "{message}");
    let (kind, message) = error(Key::from_jks(&store, PW, Some("Test CA"), None));
    assert_eq!(kind, ErrorKind::KeyNotFound);
    assert!(message.contains("trusted certificate, which has no private key"), "{message}");
    // The integrity check still runs first.
    assert_eq!(error(Key::from_jks(&store, "not-it", None, None)).0, ErrorKind::WrongPassword);
}

#[test]
fn truncated_at_every_length_is_invalid_key() {
    for name in ["one-key.jks", "one-key.jceks", "trusted-only.jks"] {
        let store = fixture(name);
        for len in 0..store.len() {
            let (kind, message) = error(Key::from_jks(&store[..len], PW, None, None));
            assert_eq!(kind, ErrorKind::InvalidKey, "{name} cut at {len}: {message}");
            if len >= 4 {
                assert!(message.contains("truncated"), "{name} cut at {len}: {message}");
            }
        }
    }
}

#[test]
fn any_flipped_byte_is_refused_and_the_integrity_check_comes_before_the_key() {
    let store = fixture("one-key.jks");
    let mut kinds = std::collections::BTreeSet::new();
    for position in 0..store.len() {
        let mut damaged = store.clone();
        damaged[position] ^= 0x01;
        let (kind, message) = error(Key::from_jks(&damaged, PW, None, None));
        assert!(matches!(kind, ErrorKind::WrongPassword | ErrorKind::InvalidKey), "byte {position}: {kind} {message}");
        kinds.insert(kind);
    }
    assert!(kinds.contains(&ErrorKind::WrongPassword) && kinds.contains(&ErrorKind::InvalidKey));
    // A byte inside the protected key fails the store's check, not the key's.
    let mut damaged = store.clone();
    damaged[200] ^= 0x80;
    assert_eq!(error(Key::from_jks(&damaged, PW, None, None)).0, ErrorKind::WrongPassword);
    // Bytes after the digest are ignored, as Java ignores them.
    let mut padded = store.clone();
    padded.extend_from_slice(b"\r\n");
    assert_same(&Key::from_jks(&padded, PW, None, None).expect("trailing bytes"), &reference(), "trailing");
}

#[test]
fn the_pkcs12_loader_reads_a_jks_and_the_jks_loader_a_pkcs12() {
    // A JKS given where PKCS#12 was expected is recognised by its magic bytes and read.
    let key = Key::from_pkcs12(&fixture("one-key.jks"), PW, None).expect("JKS through from_pkcs12");
    assert_same(&key, &reference(), "from_pkcs12(jks)");
    let jceks = Key::from_pkcs12(&fixture("one-key.jceks"), PW, Some("VIRKSOMHETSSERTIFIKAT"));
    if let Some(key) = load_or_refused("one-key.jceks", jceks) {
        assert_same(&key, &reference(), "from_pkcs12(jceks)");
    }
    assert_eq!(error(Key::from_pkcs12(&fixture("key-password.jks"), PW, None)).0, ErrorKind::WrongKeyPassword);
    // And a PKCS#12 keystore (keytool's default since Java 9) through from_jks.
    let key = Key::from_jks(&fixture("one-key.jks.p12"), PW, None, Some("ignored for PKCS#12")).expect("PKCS#12");
    assert_same(&key, &reference(), "from_jks(p12)");
}

#[test]
fn text_and_other_files_say_what_they_are() {
    let (kind, message) = error(Key::from_jks(vector("client.key.pem").as_bytes(), PW, None, None));
    assert_eq!(kind, ErrorKind::InvalidKey);
    assert!(message.contains("not a readable PKCS#12 file") && message.contains("not PEM"), "{message}");
    // Base64 text of a keystore (as kept in a secret store) is not the keystore itself.
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(fixture("one-key.jks"));
    for result in [Key::from_jks(text.as_bytes(), PW, None, None), Key::from_pkcs12(text.as_bytes(), PW, None)] {
        let (kind, message) = error(result);
        assert_eq!(kind, ErrorKind::InvalidKey);
        assert!(message.contains("not PEM or base64 text"), "{message}");
    }
    let (_, message) = error(Key::from_jks(&[], PW, None, None));
    assert!(message.contains("empty"), "{message}");
}

/// A JKS/JCEKS writer following the format (not the reader's code): `entries` are written
/// as given, then the SHA-1 integrity digest over the store password.
struct Writer {
    out: Vec<u8>,
    version: u32,
}

impl Writer {
    fn new(magic: u32, version: u32, count: u32) -> Writer {
        let mut out = magic.to_be_bytes().to_vec();
        out.extend(version.to_be_bytes());
        out.extend(count.to_be_bytes());
        Writer { out, version }
    }

    fn utf(&mut self, text: &str) {
        self.out.extend((text.len() as u16).to_be_bytes());
        self.out.extend(text.as_bytes());
    }

    fn sized(&mut self, bytes: &[u8]) {
        self.out.extend((bytes.len() as u32).to_be_bytes());
        self.out.extend(bytes);
    }

    fn entry_head(&mut self, tag: u32, alias: &str) {
        self.out.extend(tag.to_be_bytes());
        self.utf(alias);
        self.out.extend(1_700_000_000_000u64.to_be_bytes());
    }

    fn certificate(&mut self, der: &[u8]) {
        if self.version == 2 {
            self.utf("X.509");
        }
        self.sized(der);
    }

    fn private_key(&mut self, alias: &str, protected: &[u8], chain: &[Vec<u8>]) {
        self.entry_head(1, alias);
        self.sized(protected);
        self.out.extend((chain.len() as u32).to_be_bytes());
        for der in chain {
            self.certificate(der);
        }
    }

    fn finish(mut self, password: &str) -> Vec<u8> {
        let mut sha = Sha1::new();
        for unit in password.encode_utf16() {
            sha.update(unit.to_be_bytes());
        }
        sha.update(b"Mighty Aphrodite");
        sha.update(&self.out);
        let digest = sha.finalize();
        self.out.extend_from_slice(&digest);
        self.out
    }
}

/// Sun's KeyProtector.protect, from the format description, as a DER EncryptedPrivateKeyInfo.
fn sun_protect(pkcs8: &[u8], password: &str) -> Vec<u8> {
    let pw16: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let salt = [0x5au8; 20];
    let mut protected = salt.to_vec();
    let mut digest = salt.to_vec();
    for chunk in pkcs8.chunks(20) {
        digest = Sha1::new().chain_update(&pw16).chain_update(&digest).finalize().to_vec();
        protected.extend(chunk.iter().zip(&digest).map(|(p, k)| p ^ k));
    }
    protected.extend(Sha1::new().chain_update(&pw16).chain_update(pkcs8).finalize());
    // SEQUENCE { SEQUENCE { OID 1.3.6.1.4.1.42.2.17.1.1, NULL }, OCTET STRING }
    let algorithm = [&[0x30, 0x0e, 0x06, 0x0a][..], &[0x2b, 6, 1, 4, 1, 0x2a, 2, 0x11, 1, 1], &[0x05, 0x00]].concat();
    let octets = der(0x04, &protected);
    der(0x30, &[algorithm, octets].concat())
}

fn der(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match value.len() {
        len @ 0..=0x7f => out.push(len as u8),
        len @ 0x80..=0xff => out.extend([0x81, len as u8]),
        len => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(value);
    out
}

fn vector_key_parts() -> (Vec<u8>, Vec<Vec<u8>>) {
    let pkcs8 = pem::parse(vector("client.key.pem")).expect("PEM").into_contents();
    let chain = pem::parse_many(vector("client.chain.pem")).expect("chain").into_iter().map(|p| p.into_contents());
    (pkcs8, chain.collect())
}

#[test]
fn version_1_stores_have_no_certificate_types() {
    let (pkcs8, chain) = vector_key_parts();
    let mut writer = Writer::new(0xFEED_FEED, 1, 2);
    writer.private_key("mykey", &sun_protect(&pkcs8, "v1-pw"), &chain);
    writer.entry_head(2, "ca");
    writer.certificate(&chain[1]);
    let store = writer.finish("v1-pw");
    assert_same(&Key::from_jks(&store, "v1-pw", None, None).expect("version 1"), &reference(), "version 1");
    assert_same(&Key::from_jks(&store, "v1-pw", Some("MyKey"), None).expect("alias"), &reference(), "alias");
    // The same entries as version 2 (with "X.509" types) read the same.
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.private_key("mykey", &sun_protect(&pkcs8, "v1-pw"), &chain);
    assert_same(&Key::from_jks(&writer.finish("v1-pw"), "v1-pw", None, None).expect("v2"), &reference(), "v2");
}

#[test]
fn hostile_and_odd_stores_are_typed_errors_without_work() {
    let (pkcs8, chain) = vector_key_parts();
    let expect = |store: Vec<u8>, kind: ErrorKind, needle: &str| {
        let started = std::time::Instant::now();
        let (got, message) = error(Key::from_jks(&store, PW, None, None));
        assert_eq!(got, kind, "{message}");
        assert!(message.contains(needle), "{message}");
        assert!(started.elapsed().as_millis() < 500, "{message}: took {:?}", started.elapsed());
    };
    expect(Writer::new(0xFEED_FEED, 3, 0).finish(PW), ErrorKind::InvalidKey, "is damaged");
    expect(Writer::new(0xFEED_FEED, 2, u32::MAX).finish(PW), ErrorKind::InvalidKey, "over 65536 entries");
    // A count the data cannot hold runs out of input, not into an allocation.
    expect(Writer::new(0xFEED_FEED, 2, 60_000).finish(PW), ErrorKind::InvalidKey, "truncated");
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.entry_head(7, "odd");
    expect(writer.finish(PW), ErrorKind::InvalidKey, "entry type Java does not write");
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.entry_head(1, "huge");
    writer.out.extend(u32::MAX.to_be_bytes());
    expect(writer.finish(PW), ErrorKind::InvalidKey, "truncated");
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.entry_head(1, "long chain");
    writer.sized(&sun_protect(&pkcs8, PW));
    writer.out.extend(1_000_000u32.to_be_bytes());
    expect(writer.finish(PW), ErrorKind::InvalidKey, "more than 64 certificates");
    // JCEKS secret keys are serialised Java objects: refused with the conversion command.
    let mut writer = Writer::new(0xCECE_CECE, 2, 1);
    writer.entry_head(3, "aes-key");
    writer.out.extend([0xAC, 0xED, 0x00, 0x05]);
    expect(writer.finish(PW), ErrorKind::UnsupportedKey, "keytool -importkeystore");
    // A JKS has no tag 3.
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.entry_head(3, "aes-key");
    expect(writer.finish(PW), ErrorKind::InvalidKey, "entry type Java does not write");
    // A certificate that is not X.509, and one that is not DER.
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.entry_head(1, "k");
    writer.sized(&sun_protect(&pkcs8, PW));
    writer.out.extend(1u32.to_be_bytes());
    writer.utf("PGP");
    writer.sized(&chain[0]);
    expect(writer.finish(PW), ErrorKind::UnsupportedKey, "a certificate that is not X.509");
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.private_key("k", &sun_protect(&pkcs8, PW), &[b"not a certificate".to_vec()]);
    expect(writer.finish(PW), ErrorKind::InvalidKey, "not valid X.509 DER");
    // A key entry whose protection is not DER, and an empty store.
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.private_key("k", b"junk", &[]);
    expect(writer.finish(PW), ErrorKind::InvalidKey, "not protected the way Java writes it");
    expect(
        Writer::new(0xFEED_FEED, 2, 0).finish(PW),
        ErrorKind::KeyNotFound,
        "holds no private key, only trusted certificates if any",
    );
    // Hundreds of long aliases are listed as 20, each cut to 64 characters.
    let mut writer = Writer::new(0xFEED_FEED, 2, 300);
    for i in 0..300 {
        writer.entry_head(2, &format!("{i:05}{}", "x".repeat(1000)));
        writer.certificate(&chain[1]);
    }
    let (kind, message) = error(Key::from_jks(&writer.finish(PW), PW, None, None));
    assert_eq!(kind, ErrorKind::KeyNotFound);
    assert!(message.ends_with("..., ...") && message.len() < 2000, "{} bytes: {message}", message.len());
    // A certificate that is not the key's.
    let other = pem::parse(vector("other.key.pem")).expect("PEM").into_contents();
    let mut writer = Writer::new(0xFEED_FEED, 2, 1);
    writer.private_key("k", &sun_protect(&other, PW), &chain);
    expect(writer.finish(PW), ErrorKind::InvalidKey, "does not belong to this private key");
}
