//! Quoting text that came from a server (or from a user's file) in an error, without quoting a
//! secret.
//!
//! A body that fails to parse is still worth quoting: "an HTML page from a proxy" is found in
//! seconds when the message shows `<html><head><title>502 Bad Gateway`. But a 200 body that
//! fails to parse (a byte-order mark, trailing bytes, two documents, an array, form encoding)
//! holds a live access token, and error messages end up in logs. So every quote of outside text
//! goes through [`snippet`] or [`sanitize`], which, before anything is shown:
//! 1. replace the value of any member whose name ends in `token`, `assertion`, `password`,
//!    `secret` (whatever precedes it) or is `pid` (JSON or form encoded, quoted or not: `access_token`,
//!    `refresh_token`, `id_token`, `client_assertion`...) by `<redacted>`;
//! 2. replace any run of 16 or more token characters (the base64 and base64url alphabets, `.`,
//!    `%`, `~`) that holds a digit or a capital letter by `<redacted>`: JWTs (whose parts start
//!    `eyJ`), base64 and hex tokens, UUIDs; words, lowercase paths and snake_case names stay;
//! 3. replace any run of exactly 11 digits (the shape of a national identity number, personal
//!    data) by `<redacted>`;
//! 4. fold control characters and runs of white space into one space, and cut the result short.
//!
//! A run that reaches the end of a cut-off window is redacted whatever its length: its rest is
//! unseen.

/// Longest quote of a body, in characters.
pub(crate) const SNIPPET_CHARS: usize = 120;
/// How much of a body is read to find the quote: folding can shrink a long run of white space,
/// so more than [`SNIPPET_CHARS`] is looked at, but never a whole large body.
const WINDOW_BYTES: usize = 2048;
/// Shorter runs of token characters are shown; a token this short is caught by its member name
/// (rule 1) when it has one, and no JWT is this short.
const OPAQUE_MIN_BYTES: usize = 16;
const REDACTED: &str = "<redacted>";
/// Member names whose value is never shown (compared case-insensitively with the end of the
/// name, whatever comes before).
const SECRET_NAME_SUFFIXES: [&str; 4] = ["token", "assertion", "password", "secret"];

/// The start of a body as a short, single-line, redacted quote.
pub(crate) fn snippet(body: &[u8]) -> String {
    let window = &body[..body.len().min(WINDOW_BYTES)];
    finish(&String::from_utf8_lossy(window), body.len() > window.len(), SNIPPET_CHARS)
}

/// A piece of outside text (a JSON value or member name, an error description) as a redacted,
/// single-line quote of at most `max_chars` characters.
pub(crate) fn sanitize(text: &str, max_chars: usize) -> String {
    let mut end = text.len().min(WINDOW_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    finish(&text[..end], end < text.len(), max_chars)
}

/// Rules 1 to 3 alone (no folding, no cut), for `Debug` output of values that may hold a token
/// or a pid, such as a validated token's claims.
pub(crate) fn redact_text(text: &str) -> String {
    redact(text, false)
}

/// What a `serde_json` error says about where a document went wrong, without its text: for
/// some inputs serde_json's message quotes a whole string of the body.
pub(crate) fn json_error(error: &serde_json::Error) -> String {
    let what = match error.classify() {
        serde_json::error::Category::Eof => "it ends early",
        serde_json::error::Category::Syntax => "it is not valid JSON",
        _ => "it is JSON of another shape",
    };
    format!("{what}, at line {} column {}", error.line(), error.column())
}

/// Redacts, then folds white space and control characters and cuts at `max_chars`.
fn finish(text: &str, cut: bool, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut space = false;
    for c in redact(text, cut).chars() {
        if c.is_whitespace() || c.is_control() || c == '\u{feff}' {
            space = count > 0;
            continue;
        }
        if count + usize::from(space) >= max_chars {
            out.push('…');
            break;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Rules 1 to 3, in one pass over the runs of token characters; `cut` says the text is the
/// start of something longer. Every index is at an ASCII byte, so at a char boundary.
fn redact(text: &str, cut: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
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
        let name_end = start + bytes[start..i].iter().take_while(|b| is_name_byte(**b)).count();
        // The name is the run's first word (`access_token\"` in escaped JSON) or its last one
        // (`/xassertion=` in a form: `/` is a token character).
        let last_end = start + bytes[start..i].iter().rposition(|b| *b != b'\\').map_or(0, |p| p + 1);
        let last_start = start + bytes[start..last_end].iter().rposition(|b| !is_name_byte(*b)).map_or(0, |p| p + 1);
        let names = [(start, name_end), (last_start, last_end)].into_iter();
        let member =
            names.filter(|&(from, to)| is_secret_name(&bytes[from..to])).find_map(|(_, to)| value_after(bytes, to));
        let run = &bytes[start..i];
        let pid = run.len() == 11 && run.iter().all(u8::is_ascii_digit);
        let opaque = run.len() >= OPAQUE_MIN_BYTES && run.iter().any(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        // A run cut off by the window's end is redacted whatever it holds: its rest is unseen.
        let span = member.or(if pid || opaque || (cut && i == bytes.len()) { Some((start, i)) } else { None });
        if let Some((from, to)) = span {
            out.push_str(&text[copied..from]);
            out.push_str(REDACTED);
            copied = to;
            i = i.max(to);
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Base64, base64url, `.`, `%`, `~` and `\` (JSON escapes `/` as `\/`). Not `=`, which ends a
/// form-encoded name.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.~+/%\\".contains(&b)
}

/// A byte of a member name.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_secret_name(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"pid")
        || SECRET_NAME_SUFFIXES.iter().any(|suffix| {
            let suffix = suffix.as_bytes();
            let Some(before) = name.len().checked_sub(suffix.len()) else { return false };
            // Any name ending so (`client_assertion`, `assertion`, `xassertion`): a quote is cheap
            // to lose, a token is not.
            name[before..].eq_ignore_ascii_case(suffix)
        })
}

/// The value following a member name that ends at `at`: closing quotes (possibly escaped), a
/// `:` or `=`, then a quoted value up to its closing quote, or a bare one up to a delimiter.
fn value_after(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let skip = |at: &mut usize, set: &[u8]| {
        while *at < bytes.len() && set.contains(&bytes[*at]) {
            *at += 1;
        }
    };
    skip(&mut at, b"\"'\\ \t\r\n");
    if !matches!(bytes.get(at), Some(b':' | b'=')) {
        return None;
    }
    at += 1;
    skip(&mut at, b" \t\r\n");
    skip(&mut at, b"\\");
    let start = at;
    let mut end = at + 1;
    match bytes.get(at) {
        None => return None,
        // Up to the same quote (in an escaped document, `\"value\"`, the escaped one).
        Some(&quote @ (b'"' | b'\'')) => {
            while end < bytes.len() && bytes[end] != quote {
                end += 1;
            }
            end += 1;
        }
        Some(_) => {
            while end < bytes.len() && !b"&,;}])<>\"' \t\r\n".contains(&bytes[end]) {
                end += 1;
            }
        }
    }
    Some((start, end.min(bytes.len())))
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
            // Found by fuzzing: a name that ends in a secret word without a `_` before it.
            "oooooooassertion=short1&token_type=Bearer&expires_in=120",
            // ... and one after another token character (`/` is one, for base64).
            "\n/ooooooassertion=short1&token_type=Bearer&expires_in=120",
            "{\"xtoken\":\"short1\"}",
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
    fn pids_are_redacted_but_other_numbers_stay() {
        let text =
            r#"{"from":"urn:altinn:person:identifier-no:01017012345","pid":"x1","org":"991825827","iat":1767225600}"#;
        let redacted = redact_text(text);
        assert!(!redacted.contains("01017012345") && !redacted.contains("x1"), "{redacted}");
        assert!(redacted.contains("991825827") && redacted.contains("1767225600"), "{redacted}");
    }

    #[test]
    fn ordinary_text_stays_readable() {
        for text in [
            "<html><head><title>502 Bad Gateway</title></head>",
            "client is unknown",
            "token_endpoint_auth_signing_alg_values_supported",
            "Not Acceptable at https://test.maskinporten.no/.well-known/oauth-authorization-server",
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
