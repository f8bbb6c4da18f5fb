//! Differential: the PKCS#12 KDF (`pkcs12/kdf.rs`, RFC 7292 appendix B.2, over the crypto
//! backend's hashes) against the `pkcs12` crate's, for every hash, purpose, password, salt,
//! length and a few iteration counts.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use maskinporten::fuzzing::{pkcs12_kdf, KdfHash, KdfPurpose};
use pkcs12::kdf::{derive_key, Pkcs12KeyType};

fuzz_target!(|bytes: &[u8]| {
    let mut input = Unstructured::new(bytes);
    let (Ok(hash), Ok(purpose), Ok(iterations), Ok(len), Ok(password), Ok(salt)) = (
        input.int_in_range(0u8..=3),
        input.int_in_range(0u8..=2),
        input.int_in_range(1u32..=8),
        input.int_in_range(0usize..=200),
        Vec::<u8>::arbitrary(&mut input),
        Vec::<u8>::arbitrary(&mut input),
    ) else {
        return;
    };
    let (purpose, id) = match purpose {
        0 => (KdfPurpose::EncryptionKey, Pkcs12KeyType::EncryptionKey),
        1 => (KdfPurpose::Iv, Pkcs12KeyType::Iv),
        _ => (KdfPurpose::Mac, Pkcs12KeyType::Mac),
    };
    let rounds = iterations as i32;
    let (hash, theirs) = match hash {
        0 => (KdfHash::Sha1, derive_key::<sha1::Sha1>(&password, &salt, id, rounds, len)),
        1 => (KdfHash::Sha256, derive_key::<sha2::Sha256>(&password, &salt, id, rounds, len)),
        2 => (KdfHash::Sha384, derive_key::<sha2::Sha384>(&password, &salt, id, rounds, len)),
        _ => (KdfHash::Sha512, derive_key::<sha2::Sha512>(&password, &salt, id, rounds, len)),
    };
    let ours = pkcs12_kdf(hash, &password, &salt, purpose, iterations, len);
    assert_eq!(ours, theirs, "{hash:?} {purpose:?} {iterations} rounds, {len} bytes");
});
