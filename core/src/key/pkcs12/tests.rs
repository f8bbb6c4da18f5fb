//! Crafted PKCS#12 files, built here rather than committed: each limit on the work a file may
//! ask for, the linear chain build, and the two kinds a file without a MAC fails with. The
//! assertions are on the work done (rounds derived, index steps) and on the error; the times
//! are only printed.

use super::chain::{CertEntry, Chains};
use super::kdf::{self, Purpose};
use super::limits::{Budget, MAX_BAGS, MAX_CERTIFICATES, MAX_FILE_BYTES, MAX_KDF_ROUNDS};
use super::*;
use crate::crypto::Hash;
use ::cbc::cipher::{block_padding::Pkcs7, BlockModeEncrypt, KeyIvInit};
use std::time::Instant;

const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const PASSWORD: &str = "crafted-pw";

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len().to_be_bytes();
    let len = &len[len.iter().take_while(|b| **b == 0).count()..];
    let mut out = vec![tag];
    match len {
        [] => out.push(0),
        [short @ 0..=0x7f] => out.push(*short),
        long => {
            out.push(0x80 | long.len() as u8);
            out.extend_from_slice(long);
        }
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(oid: &ObjectIdentifier) -> Vec<u8> {
    tlv(0x06, oid.as_bytes())
}

fn int(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let mut digits = bytes[bytes.iter().take_while(|b| **b == 0).count()..].to_vec();
    if digits.first().is_none_or(|b| b & 0x80 != 0) {
        digits.insert(0, 0);
    }
    tlv(0x02, &digits)
}

fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

fn explicit0(content: &[u8]) -> Vec<u8> {
    tlv(0xA0, content)
}

fn name(common_name: &str) -> Vec<u8> {
    seq(&[&tlv(0x31, &seq(&[&oid(&COMMON_NAME), &tlv(0x0C, common_name.as_bytes())]))])
}

/// The fields a certificate index reads; the signature and key are placeholders.
fn certificate(subject: &str, issuer: &str) -> Vec<u8> {
    let validity = seq(&[&tlv(0x17, b"250101000000Z"), &tlv(0x17, b"350101000000Z")]);
    let tbs = seq(&[
        &explicit0(&int(2)),
        &int(1),
        &seq(&[&oid(&RSA)]),
        &name(issuer),
        &validity,
        &name(subject),
        &seq(&[&seq(&[&oid(&RSA)])]),
    ]);
    seq(&[&tbs])
}

fn cert_bag(der: &[u8]) -> Vec<u8> {
    seq(&[&oid(&CERT_BAG), &explicit0(&seq(&[&oid(&X509_CERTIFICATE), &explicit0(&octets(der))]))])
}

fn key_bag() -> Vec<u8> {
    seq(&[&oid(&KEY_BAG), &explicit0(&seq(&[&int(0)]))])
}

fn pbe(rounds: u64) -> Vec<u8> {
    seq(&[&oid(&PBE_SHA1_3DES), &seq(&[&octets(&[7; 8]), &int(rounds)])])
}

fn shrouded_bag(rounds: u64) -> Vec<u8> {
    seq(&[&oid(&SHROUDED_KEY_BAG), &explicit0(&seq(&[&pbe(rounds), &octets(&[0; 32])]))])
}

fn data_safe(bags: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = bags.iter().map(Vec::as_slice).collect();
    seq(&[&oid(&DATA), &explicit0(&octets(&seq(&refs)))])
}

/// An encrypted safe (3DES, PKCS#12 PBE) holding `plain`, as OpenSSL's `-legacy` writes it.
fn encrypted_safe(plain: &[u8], password: &str, rounds: u32) -> Vec<u8> {
    let mut bmp: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    bmp.extend_from_slice(&[0, 0]);
    let key = kdf::derive(Hash::Sha1, &bmp, &[7; 8], Purpose::EncryptionKey, rounds, 24);
    let iv = kdf::derive(Hash::Sha1, &bmp, &[7; 8], Purpose::Iv, rounds, 8);
    let sealed = ::cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
        .expect("3DES key and IV")
        .encrypt_padded_vec::<Pkcs7>(plain);
    let info = seq(&[&oid(&DATA), &pbe(u64::from(rounds)), &tlv(0x80, &sealed)]);
    seq(&[&oid(&ENCRYPTED_DATA), &explicit0(&seq(&[&int(0), &info]))])
}

fn bags(bags: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = bags.iter().map(Vec::as_slice).collect();
    seq(&refs)
}

fn mac(rounds: u64) -> Vec<u8> {
    seq(&[&seq(&[&seq(&[&oid(&SHA1), &tlv(0x05, &[])]), &octets(&[0; 20])]), &octets(&[2; 8]), &int(rounds)])
}

fn pfx(safes: &[Vec<u8>], mac: Option<Vec<u8>>) -> Vec<u8> {
    let refs: Vec<&[u8]> = safes.iter().map(Vec::as_slice).collect();
    let auth_safe = seq(&[&oid(&DATA), &explicit0(&octets(&seq(&refs)))]);
    seq(&[&int(3), &auth_safe, &mac.unwrap_or_default()])
}

/// Loads `file`, printing the time taken; the error (if any) and the rounds derived.
fn load_counted(what: &str, file: &[u8], password: &str) -> (Result<KeyMaterial>, u64) {
    let mut budget = Budget::default();
    let started = Instant::now();
    let result = load_within(file, password, None, &mut budget);
    println!("{what}: {} bytes, {} rounds, {:?}", file.len(), budget.rounds, started.elapsed());
    (result, budget.rounds)
}

fn refused(what: &str, file: &[u8], password: &str, limit: &str) -> u64 {
    let (result, rounds) = load_counted(what, file, password);
    let Err(error) = result else { panic!("{what}: loaded") };
    assert_eq!(error.kind(), "invalid_key", "{what}: {error}");
    assert!(error.to_string().contains(limit), "{what}: {error}");
    rounds
}

#[test]
fn a_file_over_the_size_limit_is_not_read() {
    let file = vec![0x30; MAX_FILE_BYTES + 1];
    assert_eq!(refused("4 MiB + 1", &file, PASSWORD, &format!("larger than {MAX_FILE_BYTES} bytes")), 0);
}

#[test]
fn a_mac_asking_for_too_many_rounds_is_refused_before_any_round() {
    let limit = format!("more than {MAX_KDF_ROUNDS} key-derivation rounds");
    let file = pfx(&[data_safe(&[key_bag()])], Some(mac(10_000_000)));
    assert_eq!(refused("MAC of 10 million rounds", &file, "unknown", &limit), 0);
    // An empty password is tried in both of OpenSSL's forms: twice the rounds.
    let file = pfx(&[data_safe(&[key_bag()])], Some(mac(MAX_KDF_ROUNDS / 2 + 1)));
    assert_eq!(refused("MAC of half the limit, empty password", &file, "", &limit), 0);
}

#[test]
fn bags_declaring_too_many_rounds_together_are_refused_before_any_round() {
    let limit = format!("more than {MAX_KDF_ROUNDS} key-derivation rounds");
    // Each within the limit, together over it: four bags, as in the 5.5 KB file of issue 12.
    let quarter = MAX_KDF_ROUNDS / 8 + 1;
    let four = pfx(&[data_safe(&vec![shrouded_bag(quarter); 4])], None);
    assert!(four.len() < 1024);
    assert_eq!(refused("four shrouded keys", &four, PASSWORD, &limit), 0);
}

#[test]
fn rounds_inside_an_encrypted_safe_count_too() {
    let limit = format!("more than {MAX_KDF_ROUNDS} key-derivation rounds");
    let inner = bags(&vec![shrouded_bag(MAX_KDF_ROUNDS / 3); 4]);
    let file = pfx(&[encrypted_safe(&inner, PASSWORD, 1000)], None);
    // Only the outer safe's key and IV are derived before its contents are refused.
    assert_eq!(refused("shrouded keys inside an encrypted safe", &file, PASSWORD, &limit), 2000);

    let fine = pfx(&[encrypted_safe(&bags(&[key_bag()]), PASSWORD, 1000)], None);
    let (result, rounds) = load_counted("a key inside an encrypted safe", &fine, PASSWORD);
    assert!(result.is_ok(), "{:?}", result.err());
    assert_eq!(rounds, 2000);
}

#[test]
fn too_many_bags_or_certificates_are_refused() {
    let other = seq(&[&oid(&ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.5")), &explicit0(&tlv(0x05, &[]))]);
    let file = pfx(&[data_safe(&vec![other; MAX_BAGS + 1])], None);
    refused("too many bags", &file, PASSWORD, &format!("more than {MAX_BAGS} bags"));
    let certs: Vec<Vec<u8>> =
        (0..=MAX_CERTIFICATES).map(|i| cert_bag(&certificate(&format!("c{i}"), &format!("c{i}")))).collect();
    let file = pfx(&[data_safe(&certs)], None);
    refused("too many certificates", &file, PASSWORD, &format!("more than {MAX_CERTIFICATES} certificates"));
}

/// `count` certificates, each issued by the next, the last self-signed, in a scrambled order.
fn long_chain(count: usize) -> Vec<Vec<u8>> {
    let issuer = |i: usize| if i + 1 == count { format!("n{i}") } else { format!("n{}", i + 1) };
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|i| (i * 7919) % count);
    order.into_iter().map(|i| certificate(&format!("n{i}"), &issuer(i))).collect()
}

#[test]
fn the_chain_is_built_in_linear_time() {
    let count = MAX_CERTIFICATES;
    let ders = long_chain(count);
    let entries: Vec<CertEntry> = ders.iter().map(|der| CertEntry::new(der.clone(), None).expect("cert")).collect();
    let mut chains = Chains::new(&entries);
    let leaf = chains.leaf(None, true).expect("a leaf");
    let chain = chains.chain(leaf);
    assert_eq!(chain.len(), count);
    assert_eq!(chain[0], certificate("n0", "n1"));
    assert_eq!(chain[count - 1], certificate(&format!("n{}", count - 1), &format!("n{}", count - 1)));
    assert!(chains.steps <= 10 * count, "{} index steps for {count} certificates", chains.steps);

    let mut file_bags: Vec<Vec<u8>> = ders.iter().map(|der| cert_bag(der)).collect();
    file_bags.push(key_bag());
    let file = pfx(&[data_safe(&file_bags)], None);
    let (result, _) = load_counted("a chain of 1000 certificates", &file, PASSWORD);
    assert_eq!(result.expect("loads").chain.len(), count);
}

#[test]
fn without_a_mac_a_wrong_password_and_a_bad_structure_are_two_kinds() {
    let kind = |file: &[u8], password: &str| match load_within(file, password, None, &mut Budget::default()) {
        Ok(_) => panic!("loaded with {password:?}"),
        Err(error) => error.kind(),
    };
    // A plain safe that does not parse: nothing was decrypted, so no password is at fault.
    let junk_safe = seq(&[&oid(&DATA), &explicit0(&octets(b"not DER at all"))]);
    assert_eq!(kind(&pfx(&[junk_safe], None), PASSWORD), ErrorKind::InvalidKey);
    // An encrypted safe opened with the wrong password: bad padding, or junk that does not parse.
    let sealed = pfx(&[encrypted_safe(&bags(&[key_bag()]), PASSWORD, 1000)], None);
    for wrong in ["wrong", "also-wrong", "x", "crafted-pW"] {
        assert_eq!(kind(&sealed, wrong), ErrorKind::WrongPassword, "{wrong}");
    }
    // The right password and a damaged structure inside: the file is at fault.
    let damaged = bags(&[seq(&[&oid(&CERT_BAG), &explicit0(&seq(&[&oid(&X509_CERTIFICATE)]))])]);
    assert_eq!(kind(&pfx(&[encrypted_safe(&damaged, PASSWORD, 1000)], None), PASSWORD), ErrorKind::InvalidKey);
}

#[test]
fn real_files_stay_far_below_the_limits() {
    for name in ["openssl-aes.p12", "openssl-legacy.p12", "keytool-two-keys.p12", "openssl-aes-nomac.p12"] {
        let path = format!("{}/tests/fixtures/pkcs12/{name}", env!("CARGO_MANIFEST_DIR"));
        let file = std::fs::read(&path).expect("fixture");
        let mut budget = Budget::default();
        load_within(&file, "fixture-pw", Some("first"), &mut budget).ok();
        println!("{name}: {} rounds", budget.rounds);
        assert!(budget.rounds > 0 && budget.rounds <= 50_000, "{name}: {} rounds", budget.rounds);
    }
}
