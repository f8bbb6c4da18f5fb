//! JCEKS key protection, `PBEWithMD5AndTripleDES` (OID 1.3.6.1.4.1.42.2.19.1), as
//! `com.sun.crypto.provider.PBES1Core` derives it: parameters `SEQUENCE { salt OCTET STRING (8),
//! iterations INTEGER }`; each salt half is hashed `MD5(half || pw)`, then `MD5(previous || pw)`
//! for the remaining rounds; the two 16-byte results are the 3DES key (24 bytes) and the CBC IV
//! (8). `pw` is Java's `PBEKey` encoding: printable ASCII, one byte a character.
//!
//! Behind the `jceks` feature (on by default): the WebAssembly package leaves it out, which saves
//! MD5 and this code, and answers a JCEKS key with the `keytool` command that converts it.

use super::protect::Failure;
use der::AnyRef;
use zeroize::Zeroizing;

/// Decrypts a JCEKS-protected key to its PKCS#8 bytes.
#[cfg(feature = "jceks")]
pub(super) fn decrypt(
    parameters: Option<&AnyRef<'_>>,
    encrypted: &[u8],
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, Failure> {
    use super::super::der_walk::{children, octets, small_uint};
    use super::super::pkcs12::cbc::{self, CbcError};
    use super::md5;
    use zeroize::Zeroize;

    /// Java writes 200 000 rounds (JDK 8u and later; 200 before); far more only makes a file hang us.
    const MAX_ITERATIONS: u64 = 1_000_000;

    let parameters = parameters.and_then(children).ok_or(Failure::Malformed)?;
    let salt: [u8; 8] =
        parameters.first().and_then(octets).and_then(|s| s.try_into().ok()).ok_or(Failure::Malformed)?;
    let iterations = parameters.get(1).and_then(small_uint).filter(|n| *n > 0).ok_or(Failure::Malformed)?;
    if iterations > MAX_ITERATIONS {
        return Err(Failure::TooManyIterations);
    }
    if !password.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(Failure::PasswordNotAscii);
    }
    let password = password.as_bytes();
    let mut salt = Zeroizing::new(salt);
    // Equal halves would give equal key thirds: Java reverses the first half.
    if salt[..4] == salt[4..] {
        salt[..4].reverse();
    }
    let mut derived = Zeroizing::new([0u8; 32]);
    for (half, out) in salt.chunks_exact(4).zip(derived.chunks_exact_mut(16)) {
        let mut state = md5::digest(&[half, password]);
        for _ in 1..iterations {
            let next = md5::digest(&[&state, password]);
            state.zeroize();
            state = next;
        }
        out.copy_from_slice(&state);
        state.zeroize();
    }
    let (key, iv) = derived.split_at(24);
    cbc::decrypt::<des::TdesEde3>(key, iv, encrypted).map_err(|e| match e {
        CbcError::KeyOrIv => Failure::Malformed,
        CbcError::Padding => Failure::WrongPassword,
    })
}

/// Without the `jceks` feature a JCEKS-protected key is refused (see the module docs).
#[cfg(not(feature = "jceks"))]
pub(super) fn decrypt(_: Option<&AnyRef<'_>>, _: &[u8], _: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    Err(Failure::JceksNotBuilt)
}

#[cfg(all(test, feature = "jceks"))]
mod tests {
    use super::*;
    use crate::key::der_walk::{self, element, write};
    use der::Tag;

    fn parameters(salt: &[u8], iterations: u64) -> Vec<u8> {
        let salt = write(Tag::OctetString, salt).unwrap();
        let count = der_walk::write_unsigned_integer(&iterations.to_be_bytes()).unwrap();
        der_walk::write_sequence(&[&salt, &count]).unwrap().to_vec()
    }

    fn run(salt: &[u8], iterations: u64, encrypted: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
        let der = parameters(salt, iterations);
        decrypt(element(&der).as_ref(), encrypted, password)
    }

    #[test]
    fn limits_and_password_rules() {
        assert_eq!(run(&[1; 8], 2_000_000, &[0; 16], "x").unwrap_err(), Failure::TooManyIterations);
        assert_eq!(run(&[1; 8], 0, &[0; 16], "x").unwrap_err(), Failure::Malformed);
        assert_eq!(run(&[1; 7], 20, &[0; 16], "x").unwrap_err(), Failure::Malformed);
        assert_eq!(run(&[1, 2, 3, 4, 5, 6, 7, 8], 20, &[0; 16], "pæss").unwrap_err(), Failure::PasswordNotAscii);
        assert_eq!(run(&[1, 2, 3, 4, 5, 6, 7, 8], 20, &[0; 15], "x").unwrap_err(), Failure::WrongPassword);
        assert_eq!(decrypt(None, &[0; 16], "x").unwrap_err(), Failure::Malformed);
    }
}
