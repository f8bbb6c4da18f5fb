//! Differential: the PKCS#12 loader's CBC decryption and PKCS#7 unpadding (`pkcs12/cbc.rs`)
//! against the `cbc` crate, for each cipher a PKCS#12 file may use. Arbitrary ciphertexts, keys
//! and IVs of any length, and ciphertexts the `cbc` crate sealed (optionally damaged), so the
//! valid-padding paths are reached as often as the invalid ones.
#![no_main]

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use arbitrary::{Arbitrary, Unstructured};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use libfuzzer_sys::fuzz_target;
use maskinporten::fuzzing::{cbc_decrypt, CbcCipher, CbcFailure};

#[derive(Arbitrary, Debug)]
enum Data {
    Ciphertext(Vec<u8>),
    /// Sealed by the `cbc` crate, then one byte XORed (0 leaves it whole).
    Sealed {
        plaintext: Vec<u8>,
        at: usize,
        xor: u8,
    },
}

fn reference<C: BlockCipherDecrypt + BlockCipherEncrypt + KeyInit>(
    key: &[u8],
    iv: &[u8],
    data: &Data,
) -> (Vec<u8>, Result<Vec<u8>, CbcFailure>) {
    let ciphertext = match data {
        Data::Ciphertext(bytes) => bytes.clone(),
        Data::Sealed { plaintext, at, xor } => {
            let Ok(encryptor) = cbc::Encryptor::<C>::new_from_slices(key, iv) else {
                return (Vec::new(), Err(CbcFailure::KeyOrIv));
            };
            let mut sealed = encryptor.encrypt_padded_vec::<Pkcs7>(plaintext);
            let len = sealed.len();
            if let Some(byte) = sealed.get_mut(at % len.max(1)) {
                *byte ^= xor;
            }
            sealed
        }
    };
    let Ok(decryptor) = cbc::Decryptor::<C>::new_from_slices(key, iv) else {
        return (ciphertext, Err(CbcFailure::KeyOrIv));
    };
    let plain = decryptor.decrypt_padded_vec::<Pkcs7>(&ciphertext).map_err(|_| CbcFailure::Padding);
    (ciphertext, plain)
}

fuzz_target!(|bytes: &[u8]| {
    let mut input = Unstructured::new(bytes);
    let (Ok(cipher), Ok(key), Ok(iv), Ok(data)) = (
        input.int_in_range(0u8..=5),
        Vec::<u8>::arbitrary(&mut input),
        Vec::<u8>::arbitrary(&mut input),
        Data::arbitrary(&mut input),
    ) else {
        return;
    };
    let (cipher, (ciphertext, theirs)) = match cipher {
        0 => (CbcCipher::Aes128, reference::<aes::Aes128>(&key, &iv, &data)),
        1 => (CbcCipher::Aes192, reference::<aes::Aes192>(&key, &iv, &data)),
        2 => (CbcCipher::Aes256, reference::<aes::Aes256>(&key, &iv, &data)),
        3 => (CbcCipher::TdesEde3, reference::<des::TdesEde3>(&key, &iv, &data)),
        4 => (CbcCipher::TdesEde2, reference::<des::TdesEde2>(&key, &iv, &data)),
        _ => (CbcCipher::Rc2, reference::<rc2::Rc2>(&key, &iv, &data)),
    };
    if theirs == Err(CbcFailure::KeyOrIv) && matches!(data, Data::Sealed { .. }) {
        // Nothing was sealed; ours must still refuse the key or IV.
        assert_eq!(cbc_decrypt(cipher, &key, &iv, &[0; 16]), Err(CbcFailure::KeyOrIv), "{cipher:?}");
        return;
    }
    let ours = cbc_decrypt(cipher, &key, &iv, &ciphertext);
    assert_eq!(ours, theirs, "{cipher:?} key {key:?} iv {iv:?} data {ciphertext:?}");
    if let (Data::Sealed { plaintext, xor: 0, .. }, Ok(plain)) = (&data, &ours) {
        assert_eq!(plain, plaintext, "{cipher:?}: a whole sealed message comes back");
    }
});
