//! Quoting text that came from a server (or from a user's file) in an error, without quoting a
//! secret.
//!
//! A body that fails to parse is still worth quoting: "an HTML page from a proxy" is found in
//! seconds when the message shows `<html><head><title>502 Bad Gateway`. But a 200 body that
//! fails to parse (a byte-order mark, trailing bytes, two documents, an array, form encoding)
//! holds a live access token, and error messages end up in logs. So every quote of outside text
//! goes through [`snippet`] or [`sanitize`], which, before anything is shown:
//! 1. replace the value of any member whose name ends in `token`, `assertion`, `password`,
//!    `secret` or is `pid` (JSON or form encoded, quoted or not: `access_token`,
//!    `refresh_token`, `id_token`, `client_assertion`...) by `<redacted>`;
//! 2. replace anything shaped like a JWT or JWE (dot-separated base64url whose first part
//!    decodes to `{`: three parts, two and a trailing dot, or a truncated one) by `<redacted>`;
//! 3. replace any other run of 24 or more token characters (base64, base64url,
//!    percent-encoding) by `<redacted>`, unless it reads as words (letters, `_`, `-`, `/` with
//!    capitals only at word starts) or is a UUID (client ids are quoted on purpose);
//! 4. fold control characters and runs of white space into one space, and cut the result short.
//!
//! A run that reaches the end of a cut-off window is redacted whatever its length: its rest is
//! unseen.

/// Longest quote of a body, in characters.
pub(crate) const SNIPPET_CHARS: usize = 120;
/// How much of a body is read to find the quote: folding can shrink a long run of white space,
/// so more than [`SNIPPET_CHARS`] is looked at, but never a whole large body.
const WINDOW_BYTES: usize = 2048;
/// Shorter runs of token characters are shown; a token this short is guessed in no time anyway
/// and is caught by its member name (rule 1) when it has one.
const OPAQUE_MIN_CHARS: usize = 24;
const REDACTED: &str = "<redacted>";
/// Member names whose value is never shown (compared case-insensitively, as a name's suffix
/// after a non-alphanumeric character).
const SECRET_NAME_SUFFIXES: [&str; 4] = ["token", "assertion", "password", "secret"];
const SECRET_NAMES: [&str; 1] = ["pid"];

/// The start of a body as a short, single-line, redacted quote.
pub(crate) fn snippet(body: &[u8]) -> String {
    let window = &body[..body.len().min(WINDOW_BYTES)];
    let text = String::from_utf8_lossy(window);
    finish(&text, body.len() > window.len(), SNIPPET_CHARS)
}

/// A piece of outside text (a JSON value or member name, an error description) as a redacted,
/// single-line quote of at most `max_chars` characters.
pub(crate) fn sanitize(text: &str, max_chars: usize) -> String {
    let window = match text.char_indices().nth(WINDOW_BYTES) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    finish(window, window.len() < text.len(), max_chars)
}

/// A piece of text redacted by rules 1 to 3 and cut at `max_chars`, but not folded: for
/// quoting configuration such as a URL with `{:?}`, which shows its control characters.
pub(crate) fn redact_text(text: &str, max_chars: usize) -> String {
    let end = text.char_indices().nth(max_chars).map_or(text.len(), |(end, _)| end);
    let mut out = redact(&text[..end], end < text.len());
    if end < text.len() {
        out.push('…');
    }
    out
}

/// What a `serde_json` error says about where a document went wrong, without its text: for
/// some inputs serde_json's message quotes a whole string of the body.
pub(crate) fn json_error(error: &serde_json::Error) -> String {
    let what = match error.classify() {
        serde_json::error::Category::Eof => "it ends early (truncated?)",
        serde_json::error::Category::Syntax => "it is not valid JSON",
        serde_json::error::Category::Data => "it is valid JSON of another shape",
        serde_json::error::Category::Io => "it could not be read",
    };
    if error.line() == 0 {
        what.to_string()
    } else {
        format!("{what}, at line {} column {}", error.line(), error.column())
    }
}

fn finish(text: &str, cut: bool, max_chars: usize) -> String {
    let redacted = redact(text, cut);
    let mut out = String::with_capacity(redacted.len().min(max_chars * 4));
    for word in redacted.split(is_separator).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    match out.char_indices().nth(max_chars) {
        Some((end, _)) => {
            out.truncate(end);
            out.push('…');
            out
        }
        None => out,
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{feff}'
}

/// Rules 1 to 3 over the whole text; `cut` says the text is the start of something longer.
fn redact(text: &str, cut: bool) -> String {
    let spans = merge(member_values(text).into_iter().chain(token_runs(text, cut)).collect());
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        out.push_str(&text[at..start]);
        out.push_str(REDACTED);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Sorted, non-overlapping byte ranges covering every range given.
fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Rule 1: the byte ranges of the values of secret members. All indices fall on ASCII bytes,
/// so they are char boundaries.
fn member_values(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut name_start = None;
    for i in 0..=bytes.len() {
        let in_name = i < bytes.len() && is_word_byte(bytes[i]);
        match (in_name, name_start) {
            (true, None) => name_start = Some(i),
            (false, Some(start)) => {
                name_start = None;
                if is_secret_name(&text[start..i]) {
                    if let Some(span) = value_after(bytes, i) {
                        spans.push(span);
                    }
                }
            }
            _ => {}
        }
    }
    spans
}

fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAMES.contains(&lower.as_str())
        || SECRET_NAME_SUFFIXES
            .iter()
            .any(|suffix| lower.strip_suffix(suffix).is_some_and(|before| before.is_empty() || before.ends_with('_')))
}

/// The value following a member name that ends at `at`: closing quotes (possibly escaped), a
/// `:` or `=`, then a quoted value up to its closing quote, or a bare one up to a delimiter.
fn value_after(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let skip = |at: &mut usize, set: &[u8]| {
        while *at < bytes.len() && set.contains(&bytes[*at]) {
            *at += 1;
        }
    };
    skip(&mut at, b"\"'\\");
    skip(&mut at, b" \t\r\n");
    if !matches!(bytes.get(at), Some(b':' | b'=')) {
        return None;
    }
    at += 1;
    skip(&mut at, b" \t\r\n");
    let escaped_quote = bytes.get(at) == Some(&b'\\');
    skip(&mut at, b"\\");
    let start = at;
    let end = match bytes.get(at) {
        None => return None,
        Some(&quote @ (b'"' | b'\'')) => {
            let mut end = at + 1;
            // Up to the closing quote; inside an escaped document (`\"value\"`), up to `\"`.
            while end < bytes.len() && !(bytes[end] == quote && (bytes[end - 1] == b'\\') == escaped_quote) {
                end += 1;
            }
            (end + 1).min(bytes.len())
        }
        Some(_) => {
            let mut end = at;
            while end < bytes.len() && !b"&,;}])<>\"' \t\r\n".contains(&bytes[end]) {
                end += 1;
            }
            end
        }
    };
    (end > start).then_some((start, end))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.~+/=%\\".contains(&b)
}

/// Rules 2 and 3: runs of token characters that look like a JWT or an opaque token.
fn token_runs(text: &str, cut: bool) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_token_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_token_byte(bytes[i]) {
            i += 1;
        }
        spans.extend(risky_parts(&text[start..i], start, cut && i == bytes.len()));
    }
    spans
}

/// Within one run: from the first part that opens a JSON object to the end (a JWT/JWE), and
/// each other part that looks opaque; the last part too when the text was cut inside it.
fn risky_parts(run: &str, offset: usize, at_cut: bool) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut part_start = 0;
    let parts: Vec<&str> = run.split('.').collect();
    for (index, part) in parts.iter().enumerate() {
        let start = offset + part_start;
        let is_last = index + 1 == parts.len();
        if !is_last && opens_json_object(part) {
            spans.push((start, offset + run.len()));
            break;
        }
        if looks_opaque(part) || (is_last && at_cut && !part.is_empty()) {
            spans.push((start, start + part.len()));
        }
        part_start += part.len() + 1;
    }
    spans
}

/// Whether a base64url part decodes to text starting with `{` (a JOSE header or JWT claims).
fn opens_json_object(part: &str) -> bool {
    let sextets: Vec<u8> = part.bytes().take(8).map_while(sextet).collect();
    let mut decoded = Vec::with_capacity(6);
    for chunk in sextets.chunks(4).filter(|c| c.len() >= 2) {
        let bits = chunk.iter().enumerate().fold(0u32, |acc, (k, s)| acc | (u32::from(*s) << (18 - 6 * k)));
        decoded.extend_from_slice(&bits.to_be_bytes()[1..chunk.len()]);
    }
    decoded.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    }
}

fn looks_opaque(part: &str) -> bool {
    part.chars().count() >= OPAQUE_MIN_CHARS && !reads_as_words(part) && !is_uuid(part)
}

/// Letters, `_`, `-` and `/` only, and every capital followed by a small letter (`CamelCase`,
/// `snake_case`, `a/path/name`): ordinary text, not random characters.
fn reads_as_words(part: &str) -> bool {
    let bytes = part.as_bytes();
    bytes.iter().enumerate().all(|(i, b)| match b {
        b'a'..=b'z' | b'_' | b'-' | b'/' => true,
        b'A'..=b'Z' => bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase),
        _ => false,
    })
}

fn is_uuid(part: &str) -> bool {
    part.len() == 36
        && part.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzY29wZSI6InRlc3Q6c2NvcGUifQ.c2lnbmF0dXJlLWJ5dGVz";

    fn leaks(quote: &str, secret: &str) -> bool {
        quote.contains(secret)
    }

    #[test]
    fn member_values_are_redacted_in_every_encoding() {
        let cases = [
            "\u{feff}{\"access_token\":\"short1\",\"token_type\":\"Bearer\"}",
            "{\"access_token\": \"short1\"} trailing",
            "{\"a\":1}{\"access_token\":\"short1\"}",
            "[{\"access_token\":\"short1\"}]",
            "access_token=short1&token_type=Bearer&expires_in=120",
            "access_token: short1",
            "{'refresh_token': 'short1'}",
            "{\"ID_TOKEN\" :\n \"short1\"}",
            "grant_type=x&assertion=short1",
            "client_assertion=short1",
            "\"{\\\"access_token\\\":\\\"short1\\\"}\"",
            "{\"access_token\":\"short1",
            "{\"pid\":\"short1\"}",
        ];
        for body in cases {
            let quote = snippet(body.as_bytes());
            assert!(!leaks(&quote, "short1"), "{body:?} gave {quote:?}");
            assert!(quote.contains(REDACTED), "{body:?} gave {quote:?}");
        }
        // Other members stay readable.
        let quote = snippet(b"access_token=short1&token_type=Bearer");
        assert!(quote.contains("token_type=Bearer"), "{quote}");
    }

    #[test]
    fn jwts_and_long_opaque_runs_are_redacted_anywhere() {
        let unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
        let opaque = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg";
        let std_b64 = "q83vEjRWeJ+rze8SNFZ4kA/q83vEjRWeJ+rze8SNFZ4kA==";
        let hex = "0123456789abcdef0123456789abcdef";
        for secret in [JWT, unsigned, opaque, std_b64, hex, &JWT[..50]] {
            for body in [
                secret.to_string(),
                format!("<html><body>token: {secret}</body></html>"),
                format!("[\"{secret}\"]"),
                format!("Bearer {secret}"),
            ] {
                let quote = snippet(body.as_bytes());
                assert!(!leaks(&quote, secret), "{body:?} gave {quote:?}");
                // Not even the middle part of a JWT survives.
                if let Some(claims) = secret.split('.').nth(1).filter(|c| c.len() > 8) {
                    assert!(!leaks(&quote, claims), "{body:?} gave {quote:?}");
                }
            }
        }
    }

    #[test]
    fn ordinary_text_stays_readable() {
        for text in [
            "<html><head><title>502 Bad Gateway</title></head>",
            "client 5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d is unknown",
            "token_endpoint_auth_signing_alg_values_supported",
            "HttpMediaTypeNotAcceptableException at https://test.maskinporten.no/.well-known/oauth-authorization-server",
            "Invalid assertion. Client authentication failed. (MP-100)",
            "maskinporten.no version 1.2.3",
        ] {
            assert_eq!(snippet(text.as_bytes()), text);
        }
    }

    #[test]
    fn a_run_cut_by_the_window_is_redacted() {
        // White space folds away, so a token just before the window's end would show.
        let body = format!("{}{}", " ".repeat(WINDOW_BYTES - 10), "abcdefghijklmnop");
        let quote = snippet(body.as_bytes());
        assert!(!quote.contains("abcdefghij"), "{quote}");
        assert_eq!(quote, REDACTED);
    }

    #[test]
    fn quotes_are_short_and_on_one_line() {
        let body = format!("<html>\n\n<body>{}</body></html>", "words and more words ".repeat(100));
        let quote = snippet(body.as_bytes());
        assert!(quote.chars().count() <= SNIPPET_CHARS + 1);
        assert!(quote.starts_with("<html> <body>words"), "{quote}");
        assert_eq!(sanitize("a\r\nb\u{0}c", 10), "a b c");
        assert_eq!(sanitize("abcdefghijkl", 5), "abcde…");
    }

    #[test]
    fn json_errors_say_where_not_what() {
        let secret = "opaque-token-1";
        for body in [format!("\"{secret}\""), format!("[\"{secret}\"]"), format!("{{\"a\":\"{secret}\"")] {
            let error = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&body).unwrap_err();
            let said = json_error(&error);
            assert!(!said.contains(secret), "{said}");
            assert!(said.contains("line 1"), "{said}");
        }
    }
}
