//! Base64url without padding, decoded for the three parts of a token.
//!
//! Accepts exactly what `base64`'s `URL_SAFE_NO_PAD` engine accepts (the URL-safe alphabet, no
//! `=`, no length of the form 4n+1, zero trailing bits) and is checked against it in the tests.
//! A plain loop over 4-character groups: in the size-optimised WebAssembly build the generic
//! engine costs about twice as much per character, on the hottest path of validation.

const INVALID: u8 = 0xff;

const fn table() -> [u8; 256] {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
}

static TABLE: [u8; 256] = table();

/// Decodes `input`; `None` when it is not canonical unpadded base64url.
pub(super) fn decode(input: &str) -> Option<Vec<u8>> {
    let input = input.as_bytes();
    let (groups, rest) = input.split_at(input.len() / 4 * 4);
    let tail = match rest.len() {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    // Written in place with index loops: in the size-optimised WebAssembly build, iterator
    // adapters and `extend` stay calls per group.
    let mut out = vec![0u8; groups.len() / 4 * 3 + tail];
    let (mut i, mut o) = (0, 0);
    while i + 4 <= groups.len() && o + 3 <= out.len() {
        let (a, b, c, d) = (
            TABLE[groups[i] as usize],
            TABLE[groups[i + 1] as usize],
            TABLE[groups[i + 2] as usize],
            TABLE[groups[i + 3] as usize],
        );
        // Valid values are below 64; INVALID has the high bit set.
        if (a | b | c | d) > 63 {
            return None;
        }
        let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        out[o] = (n >> 16) as u8;
        out[o + 1] = (n >> 8) as u8;
        out[o + 2] = n as u8;
        i += 4;
        o += 3;
    }
    let mut n = 0u32;
    for &ch in rest {
        let v = TABLE[ch as usize];
        if v > 63 {
            return None;
        }
        n = (n << 6) | u32::from(v);
    }
    match &mut out[o..] {
        [] => {}
        // 12 bits: one byte; the low 4 bits must be zero.
        [x] if n & 0xf == 0 => *x = (n >> 4) as u8,
        // 18 bits: two bytes; the low 2 bits must be zero.
        [x, y] if n & 0x3 == 0 => {
            *x = (n >> 10) as u8;
            *y = (n >> 2) as u8;
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn same_as_engine(input: &str) {
        assert_eq!(decode(input), URL_SAFE_NO_PAD.decode(input).ok(), "{input:?}");
    }

    #[test]
    fn agrees_with_the_base64_crate() {
        // Every byte string up to 40 bytes of a pseudo-random sequence, encoded and then damaged.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in 0..40 {
            for _ in 0..20 {
                let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                let text = URL_SAFE_NO_PAD.encode(&bytes);
                assert_eq!(decode(&text).as_deref(), Some(&bytes[..]));
                for (i, bad) in [(0usize, '='), (1, '+'), (2, '/'), (3, ' '), (4, '.'), (5, 'é')] {
                    if !text.is_empty() {
                        let at = (i * 7 + len) % text.len();
                        let mut damaged = text.clone();
                        damaged.replace_range(at..=at, &bad.to_string());
                        same_as_engine(&damaged);
                    }
                }
                same_as_engine(&format!("{text}="));
                same_as_engine(&format!("{text}A"));
                same_as_engine(&format!("{text}AB"));
                same_as_engine(&format!("{text}AAA"));
                same_as_engine(&format!("{text}B"));
                same_as_engine(&format!("{text}AF"));
                same_as_engine(&format!("{text}AAB"));
                same_as_engine(&format!("{text}_-"));
            }
        }
        for s in ["", "A", "AA", "AB", "AAA", "AAB", "AAAA", "====", "AA==", "AAA=", "\u{0}AAA", "QUJD", "-_-_"] {
            same_as_engine(s);
        }
    }
}
