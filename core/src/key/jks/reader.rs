//! Reading Java's `DataOutputStream` encoding: big-endian integers, length-prefixed byte
//! strings and `writeUTF` text (a `u16` byte length, then "modified UTF-8").
//!
//! Every length is checked against what is left before anything is sliced, and nothing is
//! allocated from a declared length: a truncated or hostile file ends in [`Truncated`], never in
//! a panic or a large allocation. Text stays as the file's bytes: aliases are compared in Java's
//! encoding ([`modified_utf8`]) and decoded only to be shown.

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

    pub(super) fn u32(&mut self) -> Result<u32, Truncated> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A `u32` length, then that many bytes.
    pub(super) fn sized_bytes(&mut self) -> Result<&'a [u8], Truncated> {
        let len = usize::try_from(self.u32()?).map_err(|_| Truncated)?;
        self.bytes(len)
    }

    /// A `writeUTF` string's bytes (modified UTF-8).
    pub(super) fn utf(&mut self) -> Result<&'a [u8], Truncated> {
        let b = self.bytes(2)?;
        let len = usize::from(u16::from_be_bytes([b[0], b[1]]));
        self.bytes(len)
    }
}

/// `text` as `DataOutputStream.writeUTF` writes it (without the length): UTF-8, except U+0000
/// as `C0 80` and characters outside the BMP as two 3-byte surrogates (CESU-8).
pub(super) fn modified_utf8(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    let mut units = [0u16; 2];
    for c in text.chars() {
        match c {
            '\0' => out.extend_from_slice(&[0xC0, 0x80]),
            '\u{1}'..='\u{FFFF}' => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            _ => {
                for unit in c.encode_utf16(&mut units).iter() {
                    out.extend_from_slice(&[
                        0xE0 | (unit >> 12) as u8,
                        0x80 | ((unit >> 6) & 0x3F) as u8,
                        0x80 | (unit & 0x3F) as u8,
                    ]);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `DataOutputStream.writeUTF` writes for `text` (Java's encoder over UTF-16 code
    /// units, written out independently of [`modified_utf8`]).
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
    fn modified_utf8_is_what_java_writes() {
        for text in ["mykey", "pæsswørd€", "nul\u{0}inside", "emoji \u{1F511} key", "\u{FFFF}\u{10FFFF}", ""] {
            let written = java_write_utf(text);
            assert_eq!(modified_utf8(text), written[2..], "{text:?}");
            let mut reader = Reader::new(&written);
            assert_eq!(reader.utf().unwrap(), &written[2..]);
            assert_eq!(reader.position(), written.len());
        }
        // A supplementary character is two 3-byte surrogates, not one 4-byte UTF-8 sequence.
        assert_eq!(modified_utf8("\u{1F511}").len(), 6);
    }

    #[test]
    fn lengths_past_the_end_are_truncated_without_allocating() {
        let mut reader = Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 1, 2]);
        assert_eq!(reader.sized_bytes(), Err(Truncated));
        let mut reader = Reader::new(&[0, 9, b'a']);
        assert_eq!(reader.utf(), Err(Truncated));
        let mut reader = Reader::new(&[1, 2, 3]);
        assert_eq!(reader.u32(), Err(Truncated));
        assert_eq!(reader.bytes(3), Ok(&[1, 2, 3][..]));
        let mut reader = Reader::new(&[]);
        assert_eq!(reader.bytes(usize::MAX), Err(Truncated));
    }
}
