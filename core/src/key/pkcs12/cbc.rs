//! CBC decryption with PKCS#7 padding over any of the PKCS#12 block ciphers.
//!
//! The `cbc` crate's mode is generic over the cipher, so each of the six ciphers a PKCS#12 file
//! may use (AES-128/192/256, 3DES, 2DES, RC2) got its own copy of the chaining, the parallel
//! block path and the unpadding: the largest part of PKCS#12 reading in the WebAssembly build.
//! Here only the block decryption is per cipher (the RustCrypto crates'); the chaining and the
//! unpadding are written once. The tests check the result against the `cbc` crate.

use aes::cipher::{Block, BlockCipherDecrypt, KeyInit};
use zeroize::Zeroizing;

/// Why CBC decryption failed.
#[derive(Debug, PartialEq, Eq)]
pub(in crate::key) enum CbcError {
    /// The key or IV has the wrong length for the cipher: a malformed file.
    KeyOrIv,
    /// The ciphertext is not whole blocks or the padding is wrong: almost always a wrong password.
    Padding,
}

/// Decrypts `data` with cipher `C` in CBC mode and removes the PKCS#7 padding.
pub(in crate::key) fn decrypt<C: BlockCipherDecrypt + KeyInit>(
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CbcError> {
    let cipher = C::new_from_slice(key).map_err(|_| CbcError::KeyOrIv)?;
    unchain(iv, data, C::block_size(), &|block: &mut [u8]| {
        if let Some(block) = Block::<C>::slice_as_mut_array(block) {
            cipher.decrypt_block(block);
        }
    })
}

fn unchain(
    iv: &[u8],
    data: &[u8],
    block_size: usize,
    decrypt_block: &dyn Fn(&mut [u8]),
) -> Result<Zeroizing<Vec<u8>>, CbcError> {
    if iv.len() != block_size {
        return Err(CbcError::KeyOrIv);
    }
    if data.is_empty() || data.len() % block_size != 0 {
        return Err(CbcError::Padding);
    }
    let mut plain = Zeroizing::new(data.to_vec());
    let mut previous = iv;
    for (block, ciphertext) in plain.chunks_exact_mut(block_size).zip(data.chunks_exact(block_size)) {
        decrypt_block(block);
        block.iter_mut().zip(previous).for_each(|(byte, chained)| *byte ^= chained);
        previous = ciphertext;
    }
    let padding = usize::from(plain[plain.len() - 1]);
    let padded = plain.len().checked_sub(padding).filter(|_| (1..=block_size).contains(&padding));
    match padded {
        Some(len) if plain[len..].iter().all(|byte| usize::from(*byte) == padding) => {
            plain.truncate(len);
            Ok(plain)
        }
        _ => Err(CbcError::Padding),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::cbc::cipher::{block_padding::Pkcs7, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};

    fn agrees_with_the_cbc_crate<C: BlockCipherDecrypt + aes::cipher::BlockCipherEncrypt + KeyInit>(
        key_len: usize,
        fixed_key_len: bool,
    ) {
        let key: Vec<u8> = (0..key_len as u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
        let block = C::block_size();
        let iv: Vec<u8> = (0..block as u8).map(|i| i ^ 0x5a).collect();
        for len in 0..(4 * block + 3) {
            let message: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let sealed =
                ::cbc::Encryptor::<C>::new_from_slices(&key, &iv).unwrap().encrypt_padded_vec::<Pkcs7>(&message);
            assert_eq!(decrypt::<C>(&key, &iv, &sealed).unwrap().as_slice(), message.as_slice(), "length {len}");
            // A damaged last block: the crate and we agree on whether the padding still reads.
            let mut damaged = sealed.clone();
            let at = damaged.len().saturating_sub(block + 1);
            damaged[at] ^= 0x01;
            let theirs =
                ::cbc::Decryptor::<C>::new_from_slices(&key, &iv).unwrap().decrypt_padded_vec::<Pkcs7>(&damaged);
            let ours = decrypt::<C>(&key, &iv, &damaged);
            assert_eq!(ours.as_deref().ok().map(Vec::as_slice), theirs.as_deref().ok(), "damaged, length {len}");
        }
        assert_eq!(decrypt::<C>(&key, &iv, &[]).unwrap_err(), CbcError::Padding);
        assert_eq!(decrypt::<C>(&key, &iv, &vec![0; block + 1]).unwrap_err(), CbcError::Padding);
        assert_eq!(decrypt::<C>(&key, &iv[1..], &vec![0; block]).unwrap_err(), CbcError::KeyOrIv);
        if fixed_key_len {
            assert_eq!(decrypt::<C>(&key[1..], &iv, &vec![0; block]).unwrap_err(), CbcError::KeyOrIv);
        }
    }

    #[test]
    fn every_pkcs12_cipher_decrypts_as_the_cbc_crate_does() {
        agrees_with_the_cbc_crate::<aes::Aes128>(16, true);
        agrees_with_the_cbc_crate::<aes::Aes192>(24, true);
        agrees_with_the_cbc_crate::<aes::Aes256>(32, true);
        agrees_with_the_cbc_crate::<des::TdesEde3>(24, true);
        agrees_with_the_cbc_crate::<des::TdesEde2>(16, true);
    }

    #[test]
    fn rc2_with_its_40_and_128_bit_keys_decrypts_as_the_cbc_crate_does() {
        agrees_with_the_cbc_crate::<rc2::Rc2>(5, false);
        agrees_with_the_cbc_crate::<rc2::Rc2>(16, false);
    }
}
