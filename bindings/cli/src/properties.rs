//! Digdir's jwt-grant-generator `.properties` files: `key=value`, `key: value` or `key value`,
//! `#`/`!` comments, `\` line continuations and Java escapes (`\t`, `\n`, `\uXXXX`, `\:`...).
//!
//! Every key jwt-grant-generator reads is read ([`KNOWN_KEYS`]), and any other key is refused
//! by name: a key that is silently skipped (a misspelt `consumer_org`) gets a token for the
//! wrong organisation with exit code 0.

use std::collections::HashMap;

/// The keys jwt-grant-generator's `Configuration` reads (felleslosninger/jwt-grant-generator),
/// plus `pid`, which this CLI also sends, with what each is used for.
pub const KNOWN_KEYS: &[(&str, &str)] = &[
    ("issuer", "the client id (iss)"),
    ("audience", "the environment's issuer (aud)"),
    ("scope", "the scopes, space-separated"),
    ("resource", "the API's audience (resource)"),
    ("consumer_org", "the organisation you act for (consumer_org)"),
    ("token.endpoint", "the token endpoint"),
    ("keystore.file", "the keystore file (JKS, JCEKS or PKCS#12)"),
    ("keystore.password", "the keystore password"),
    ("keystore.alias", "the key entry's alias"),
    ("keystore.alias.password", "the key entry's password"),
    ("keystore.kid", "send this kid instead of x5c"),
    ("pid", "a person identifier (pid), not read by jwt-grant-generator"),
];

/// Names users write for a known key.
const SYNONYMS: &[(&str, &str)] = &[
    ("client_id", "issuer"),
    ("client.id", "issuer"),
    ("iss", "issuer"),
    ("aud", "audience"),
    ("scopes", "scope"),
    ("kid", "keystore.kid"),
    ("consumer_orgno", "consumer_org"),
    ("keystore.key.password", "keystore.alias.password"),
    ("keystore.keypassword", "keystore.alias.password"),
    ("key.password", "keystore.alias.password"),
    ("keystore.path", "keystore.file"),
];

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

    /// Refuses the first key (in sorted order) that is not a known one, naming it, and the known
    /// key it is probably meant to be. Values are never quoted.
    pub fn check_keys(&self) -> Result<(), String> {
        let mut keys: Vec<&String> = self.0.keys().collect();
        keys.sort();
        let Some(unknown) = keys.into_iter().find(|k| !KNOWN_KEYS.iter().any(|(known, _)| known == k)) else {
            return Ok(());
        };
        let shown: String = unknown.chars().take(60).flat_map(char::escape_default).collect();
        if unknown == "keystore.type" {
            return Err(
                "keystore.type is not read (jwt-grant-generator does not read it either): JKS, JCEKS and PKCS#12 are told apart by the file's content; remove the line".into(),
            );
        }
        let hint = match suggestion(unknown) {
            Some(known) => format!("did you mean `{known}`?"),
            None => format!("the keys read are {}", KNOWN_KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")),
        };
        Err(format!("unknown key `{shown}`: {hint}"))
    }
}

/// The known key an unknown one is probably meant to be: a synonym, the same key with other
/// separators or case, or one at most two edits away.
fn suggestion(unknown: &str) -> Option<&'static str> {
    let normal = |k: &str| k.to_lowercase().replace(['_', '-', ' '], ".");
    let wanted = normal(unknown);
    if let Some((_, known)) = SYNONYMS.iter().find(|(alias, _)| normal(alias) == wanted) {
        return Some(known);
    }
    KNOWN_KEYS
        .iter()
        .map(|(known, _)| (*known, edit_distance(&normal(known), &wanted)))
        .filter(|(_, distance)| *distance <= 2)
        .min_by_key(|(_, distance)| *distance)
        .map(|(known, _)| known)
}

/// Levenshtein distance, for the short key names only.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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
    fn unknown_keys_are_refused_by_name_with_the_key_meant() {
        let known = KNOWN_KEYS.iter().map(|(k, _)| format!("{k}=x\n")).collect::<String>();
        assert_eq!(Properties::parse(&known).check_keys(), Ok(()));
        for (line, meant) in [
            ("consumer.org=312000008", "consumer_org"),
            ("consumerorg=312000008", "consumer_org"),
            ("Issuer=x", "issuer"),
            ("client_id=x", "issuer"),
            ("keystore.alias_password=secret", "keystore.alias.password"),
            ("keystore.kid.=k", "keystore.kid"),
            ("resorce=https://api/", "resource"),
            ("token_endpoint=https://x/token", "token.endpoint"),
        ] {
            let err = Properties::parse(&format!("issuer=x\n{line}\n")).check_keys().unwrap_err();
            let key = line.split('=').next().unwrap_or_default();
            assert!(err.contains(&format!("unknown key `{key}`")), "{err}");
            assert!(err.contains(&format!("did you mean `{meant}`?")), "{line}: {err}");
            assert!(!err.contains("secret") && !err.contains("312000008"), "values are never quoted: {err}");
        }
        let err = Properties::parse("issuer=x\nfavourite.colour=blue\n").check_keys().unwrap_err();
        assert!(err.contains("unknown key `favourite.colour`: the keys read are issuer, audience"), "{err}");
        let err = Properties::parse("keystore.type=JKS\n").check_keys().unwrap_err();
        assert!(err.contains("keystore.type is not read"), "{err}");
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("scope", "scope"), 0);
        assert_eq!(edit_distance("resorce", "resource"), 1);
    }

    #[test]
    fn windows_line_endings_and_trailing_backslash() {
        let p = Properties::parse("issuer=x\r\nscope=s\\");
        assert_eq!(p.get("issuer"), Some("x"));
        assert_eq!(p.get("scope"), Some("s"));
    }
}
