//! Caller authentication: static bearer keys, kept only as SHA-256 hashes and compared in
//! constant time.
//!
//! SHA-256 rather than a password hash (argon2, scrypt) because these keys are machine-made
//! random values of 128 bits or more (`openssl rand -hex 32`): guessing one from its hash costs
//! 2^128 tries whatever the hash's speed, so a slow hash adds no safety, only latency on every
//! request. A leaked keys file gives no usable key. Keys shorter than 32 characters are
//! refused at the door, so a human-chosen password cannot be used as one.

use crate::error::{read_text, shown_path, CliError, CliResult};
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{digest, SHA256};
use axum::http::HeaderMap;
use std::path::Path;

/// Shortest bearer key accepted (hex of 16 random bytes).
const MIN_KEY_CHARS: usize = 32;

/// The hashes of the keys callers may present.
#[derive(Clone)]
pub struct ApiKeys {
    hashes: Vec<[u8; 32]>,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeys({} key hashes)", self.hashes.len())
    }
}

impl ApiKeys {
    /// Reads `path`: one `sha256:<64 hex>` a line, optionally followed by a space and a label;
    /// blank lines and `#` comments ignored.
    pub fn load(path: &Path) -> CliResult<ApiKeys> {
        let text = read_text(path, "api keys file")?;
        let shown = shown_path(path);
        let mut hashes = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let first = line.split_whitespace().next().unwrap_or_default();
            let hash = first.strip_prefix("sha256:").and_then(parse_hex).ok_or_else(|| {
                CliError::Message(format!(
                    "{shown} line {}: expected `sha256:<64 hex digits>` (the hash of a key, never the key itself: \
                     `printf %s \"$KEY\" | sha256sum`)",
                    number + 1
                ))
            })?;
            hashes.push(hash);
        }
        if hashes.is_empty() {
            return Err(CliError::Message(format!("{shown} holds no key hash: add a `sha256:<hex>` line")));
        }
        Ok(ApiKeys { hashes })
    }

    /// Whether `headers` carry `Authorization: Bearer <key>` with a known key. Every stored
    /// hash is compared, in constant time, whatever matches first.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(key) = bearer(headers) else { return false };
        if key.len() < MIN_KEY_CHARS {
            return false;
        }
        let presented = digest(&SHA256, key.as_bytes());
        let mut found = false;
        for hash in &self.hashes {
            found |= verify_slices_are_equal(presented.as_ref(), hash).is_ok();
        }
        found
    }
}

/// The bearer value of the `Authorization` header (scheme case-insensitive).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(key.trim())
}

fn parse_hex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const KEY: &str = "3f1d0c5e8a7b4c2d9e6f1a0b3c5d7e9f";

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    fn keys_file(content: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    #[test]
    fn a_listed_key_passes_and_nothing_else_does() {
        let hash: String = digest(&SHA256, KEY.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let (_dir, path) = keys_file(&format!("# callers\nsha256:{hash} billing-service\n\n"));
        let keys = ApiKeys::load(&path).unwrap();
        assert!(keys.allows(&headers(&format!("Bearer {KEY}"))));
        assert!(keys.allows(&headers(&format!("bearer {KEY}"))));
        assert!(!keys.allows(&headers(&format!("Bearer {KEY}x"))));
        assert!(!keys.allows(&headers(&format!("Basic {KEY}"))));
        assert!(!keys.allows(&HeaderMap::new()));
        assert!(!format!("{keys:?}").contains(&hash));
    }

    #[test]
    fn a_plain_key_in_the_file_is_refused() {
        let (_dir, path) = keys_file(&format!("{KEY}\n"));
        let error = ApiKeys::load(&path).unwrap_err().to_string();
        assert!(error.contains("line 1") && error.contains("sha256:"), "{error}");
        assert!(!error.contains(KEY), "the line is not echoed: {error}");
        let (_dir, empty) = keys_file("# nothing\n");
        assert!(ApiKeys::load(&empty).unwrap_err().to_string().contains("no key hash"));
    }
}
