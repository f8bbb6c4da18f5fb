//! Reading Java's `DataOutputStream` encoding: big-endian integers, length-prefixed byte
//! strings and `writeUTF` text (a `u16` byte length, then "modified UTF-8").
//!
//! Every length is checked against what is left before anything is sliced, and nothing is
//! allocated from a declared length: a truncated or hostile file ends in [`Truncated`], never in
//! a panic or a large allocation.

/// The input ended before the value being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Truncated;

/// A cursor over the keystore bytes.
pub(super) struct Reader<'a> {
    data: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, position: 0 }
    }

    /// Bytes read so far (the offset of the next byte).
    pub(super) fn position(&self) -> usize {
        self.position
    }

    /// The next `len` bytes, borrowed.
    pub(super) fn bytes(&mut self, len: usize) -> Result<&'a [u8], Truncated> {
        let end = self.position.checked_add(len).ok_or(Truncated)?;
        let slice = self.data.get(self.position..end).ok_or(Truncated)?;
        self.position = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    pub(super) fn u16(&mut self) -> Result<u16, Truncated> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(super) fn u32(&mut self) -> Result<u32, Truncated> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(super) fn u64(&mut self) -> Result<u64, Truncated> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A `u32` length, then that many bytes.
    pub(super) fn sized_bytes(&mut self) -> Result<&'a [u8], Truncated> {
        let len = usize::try_from(self.u32()?).map_err(|_| Truncated)?;
        self.bytes(len)
    }

    /// A `writeUTF` string. Malformed sequences and unpaired surrogates become U+FFFD: the text
    /// is only ever an alias or a certificate type, compared and shown, never trusted.
    pub(super) fn utf(&mut self) -> Result<String, Truncated> {
        let len = usize::from(self.u16()?);
        Ok(decode_modified_utf8(self.bytes(len)?))
    }
}

/// Java's modified UTF-8: U+0000 as `C0 80`, and characters outside the BMP as two 3-byte
/// surrogates (CESU-8), so it decodes to UTF-16 code units first.
fn decode_modified_utf8(bytes: &[u8]) -> String {
    let mut units = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&first) = bytes.get(i) {
        let continuation = |k: usize| bytes.get(i + k).filter(|b| *b & 0xC0 == 0x80).map(|b| u16::from(b & 0x3F));
        let (unit, used) = match first {
            0x00..=0x7F => (u16::from(first), 1),
            0xC0..=0xDF => match continuation(1) {
                Some(b1) => ((u16::from(first & 0x1F) << 6) | b1, 2),
                None => (0xFFFD, 1),
            },
            0xE0..=0xEF => match (continuation(1), continuation(2)) {
                (Some(b1), Some(b2)) => ((u16::from(first & 0x0F) << 12) | (b1 << 6) | b2, 3),
                _ => (0xFFFD, 1),
            },
            _ => (0xFFFD, 1),
        };
        units.push(unit);
        i += used;
    }
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `DataOutputStream.writeUTF` writes for `text` (Java's encoder, written out).
    fn java_write_utf(text: &str) -> Vec<u8> {
        let mut body = Vec::new();
        for unit in text.encode_utf16() {
            match unit {
                0x0001..=0x007F => body.push(unit as u8),
                0x0000 | 0x0080..=0x07FF => {
                    body.push(0xC0 | (unit >> 6) as u8);
                    body.push(0x80 | (unit & 0x3F) as u8);
                }
                _ => {
                    body.push(0xE0 | (unit >> 12) as u8);
                    body.push(0x80 | ((unit >> 6) & 0x3F) as u8);
                    body.push(0x80 | (unit & 0x3F) as u8);
                }
            }
        }
        let mut out = (body.len() as u16).to_be_bytes().to_vec();
        out.extend(body);
        out
    }

    #[test]
    fn modified_utf8_round_trips_java_encoding() {
        for text in ["mykey", "pæsswørd€", "nul\u{0}inside", "emoji \u{1F511} key", ""] {
            let encoded = java_write_utf(text);
            let mut reader = Reader::new(&encoded);
            assert_eq!(reader.utf().unwrap(), text);
            assert_eq!(reader.position(), encoded.len());
        }
        // A supplementary character is two 3-byte surrogates, not one 4-byte UTF-8 sequence.
        assert_eq!(java_write_utf("\u{1F511}").len(), 2 + 6);
    }

    #[test]
    fn malformed_text_is_replaced_not_fatal() {
        let mut reader = Reader::new(&[0, 3, 0xE2, 0x82, 0x41]);
        assert_eq!(reader.utf().unwrap(), "\u{FFFD}\u{FFFD}A");
        let mut reader = Reader::new(&[0, 2, 0xF0, 0x9F]);
        assert_eq!(reader.utf().unwrap(), "\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn lengths_past_the_end_are_truncated_without_allocating() {
        let mut reader = Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 1, 2]);
        assert_eq!(reader.sized_bytes(), Err(Truncated));
        let mut reader = Reader::new(&[0, 9, b'a']);
        assert_eq!(reader.utf(), Err(Truncated));
        let mut reader = Reader::new(&[1, 2, 3]);
        assert_eq!(reader.u32(), Err(Truncated));
        assert_eq!(reader.u16(), Ok(0x0102));
        assert_eq!(reader.u64(), Err(Truncated));
        let mut reader = Reader::new(&[]);
        assert_eq!(reader.bytes(usize::MAX), Err(Truncated));
    }
}
