//! Digdir's jwt-grant-generator `.properties` files (keys used: issuer, audience, scope,
//! token.endpoint, keystore.file, keystore.password, keystore.alias, keystore.alias.password): `key=value`, `key: value` or `key value`,
//! `#`/`!` comments, `\` line continuations and Java escapes (`\t`, `\n`, `\uXXXX`, `\:`...).

use std::collections::HashMap;

/// Parsed `.properties`. `Debug` hides password values.
#[derive(Default)]
pub struct Properties(HashMap<String, String>);

impl std::fmt::Debug for Properties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&String> = self.0.keys().collect();
        keys.sort();
        f.debug_struct("Properties").field("keys", &keys).finish()
    }
}

impl Properties {
    /// Parses the text of a `.properties` file (Java's rules, as far as these files use them).
    pub fn parse(text: &str) -> Properties {
        let mut map = HashMap::new();
        let mut logical = String::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let trimmed = line.trim_start();
            if logical.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!')) {
                continue;
            }
            logical.push_str(trimmed);
            if ends_with_odd_backslashes(&logical) {
                logical.pop();
                if lines.clone().next().is_some() {
                    continue;
                }
            }
            let (key, value) = split(&logical);
            map.insert(unescape(&key), unescape(&value));
            logical.clear();
        }
        Properties(map)
    }

    /// A value, trimmed; empty values count as absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Splits at the first unescaped `=`, `:` or whitespace (then one optional `=`/`:`).
fn split(line: &str) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '=' | ':' | ' ' | '\t' | '\u{c}' => break,
            _ => i += 1,
        }
    }
    let key: String = chars[..i.min(chars.len())].iter().collect();
    let mut j = i;
    while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\u{c}') {
        j += 1;
    }
    if j < chars.len() && matches!(chars[j], '=' | ':') {
        j += 1;
        while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\u{c}') {
            j += 1;
        }
    }
    let value: String = chars[j.min(chars.len())..].iter().collect();
    (key, value)
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(decoded) => out.push(decoded),
                    None => out.push_str(&hex),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jwt_grant_generator_files() {
        let p = Properties::parse(
            "# comment\n! other comment\nissuer = my-client\naudience=https\\://test.maskinporten.no/\n\
             scope: a:b \\\n    c:d\ntoken.endpoint https://test.maskinporten.no/token\n\
             keystore.file=C:\\\\keys\\\\virksomhet.p12\nkeystore.password=p\\u00e5ss=word\nkeystore.alias=\n",
        );
        assert_eq!(p.get("issuer"), Some("my-client"));
        assert_eq!(p.get("audience"), Some("https://test.maskinporten.no/"));
        assert_eq!(p.get("scope"), Some("a:b c:d"));
        assert_eq!(p.get("token.endpoint"), Some("https://test.maskinporten.no/token"));
        assert_eq!(p.get("keystore.file"), Some("C:\\keys\\virksomhet.p12"));
        assert_eq!(p.get("keystore.password"), Some("påss=word"));
        assert_eq!(p.get("keystore.alias"), None, "empty counts as absent");
        assert!(!format!("{p:?}").contains("påss"), "Debug hides values");
    }

    #[test]
    fn windows_line_endings_and_trailing_backslash() {
        let p = Properties::parse("issuer=x\r\nscope=s\\");
        assert_eq!(p.get("issuer"), Some("x"));
        assert_eq!(p.get("scope"), Some("s"));
    }
}
