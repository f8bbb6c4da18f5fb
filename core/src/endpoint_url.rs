//! The URLs of an environment (issuer, token endpoint, JWKS), checked as HTTP clients will read
//! them.
//!
//! Plain `http` is allowed on loopback only (the simulator), so the host must be read exactly
//! as a WHATWG URL parser (the `url` crate under reqwest, browsers' `fetch`) reads it: a check
//! that reads `http://127.0.0.1@attacker.example/` as host `127.0.0.1` sends the grant in clear
//! text to another host. Rather than embedding a URL parser (the `url` crate with its IDNA
//! tables does not fit the WebAssembly size budget; see `core/README.md`), this accepts a strict
//! subset of URLs in which every reader finds the same scheme and host, and refuses everything
//! else with a message saying how to write it: no user name or password, no backslash, space,
//! control or non-ASCII character, no percent-encoded, punycode or empty label in the host, and
//! a numeric host only as four decimal numbers. `endpoint_url/differential.rs` checks the
//! accepted URLs against the `url` crate.

use crate::error::{Error, ErrorKind, Result};

/// Hosts of retired Maskinporten/ID-porten generations, still in older guides.
const RETIRED_HOSTS: [&str; 4] = ["ver1.maskinporten.no", "ver2.maskinporten.no", "oidc-ver2.difi.no", "oidc.difi.no"];

/// The host of an accepted URL, as a WHATWG parser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A DNS name, lowercased.
    Domain(String),
    /// A dotted-quad IPv4 address.
    Ipv4([u8; 4]),
    /// `[::1]`, the one IPv6 host accepted (no IPv6 parser is worth its size here).
    Ipv6Loopback,
}

impl Host {
    /// `localhost`, 127.0.0.0/8 or `[::1]`.
    pub(crate) fn is_loopback(&self) -> bool {
        match self {
            Host::Domain(name) => name == "localhost",
            Host::Ipv4(octets) => octets[0] == 127,
            Host::Ipv6Loopback => true,
        }
    }
}

/// Checks an endpoint URL (`https`, or `http` on loopback) and returns its host; `field` names
/// it in the error.
pub(crate) fn check(field: &'static str, url: &str) -> Result<Host> {
    let refuse = |why: &str| Error::invalid(ErrorKind::InvalidEnvironment, field, format!("{} {why}", shown(url)));
    if let Some(bad) = url.bytes().find(|b| !is_url_byte(*b)) {
        return Err(refuse(match bad {
            b'\\' => "contains a backslash, which HTTP clients read as '/'",
            _ => "contains a space, control, non-ASCII or other character not allowed in a URL: percent-encode it",
        }));
    }
    let (https, rest) = match url.split_once("://") {
        Some(("https", rest)) => (true, rest),
        Some(("http", rest)) => (false, rest),
        _ => return Err(refuse("is not an https:// URL (plain http:// is for the simulator on loopback)")),
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return Err(refuse("names a user or password before the host: endpoint URLs take none, remove it"));
    }
    let (host, port) = match authority.strip_prefix("[::1]") {
        Some(port) => (Host::Ipv6Loopback, port),
        None if authority.starts_with('[') => return Err(refuse("has an IPv6 host: only [::1] is accepted")),
        None => {
            let (name, port) = authority.split_at(authority.find(':').unwrap_or(authority.len()));
            (domain_or_ipv4(name).map_err(refuse)?, port)
        }
    };
    if !port.is_empty() {
        let digits = port.strip_prefix(':').unwrap_or(port);
        let number = port.starts_with(':') && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit());
        if !number || digits.parse::<u32>().map_or(true, |p| p > 65_535) {
            return Err(refuse("has a port that is not a number from 0 to 65535"));
        }
    }
    if let Host::Domain(name) = &host {
        if RETIRED_HOSTS.contains(&name.as_str()) {
            return Err(refuse("names a retired host: use https://test.maskinporten.no/ or https://maskinporten.no/"));
        }
    }
    if !https && !host.is_loopback() {
        return Err(refuse("must use https: plain http is only for loopback (localhost, 127.0.0.1, [::1])"));
    }
    Ok(host)
}

/// RFC 3986's characters (unreserved, reserved, `%`): no space, control, quote, backslash,
/// `<>^`{|}` or non-ASCII byte, which WHATWG parsers drop, rewrite or encode.
fn is_url_byte(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'!' | b'#'..=b'/' | b':' | b';' | b'=' | b'?' | b'@' | b'[' | b']' | b'_' | b'~')
}

/// A host that is not in brackets: a DNS name or a dotted-quad IPv4 address. One pass, no
/// allocation: this runs in every WebAssembly build.
fn domain_or_ipv4(name: &str) -> std::result::Result<Host, &'static str> {
    let bytes = name.as_bytes();
    let (mut start, mut last, mut labels, mut octets, mut quad) = (0, 0, 0, [0u8; 4], true);
    for end in 0..=bytes.len() {
        if end < bytes.len() && bytes[end] != b'.' {
            if !(bytes[end].is_ascii_alphanumeric() || bytes[end] == b'-' || bytes[end] == b'_') {
                return Err("has a host with other characters than letters, digits, '-', '_' and '.'");
            }
            continue;
        }
        let label = &bytes[start..end];
        if label.is_empty() {
            return Err("has an empty host or host label (a leading, doubled or trailing '.')");
        }
        if label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--") {
            return Err("has a punycode (xn--) host: use an ASCII host name");
        }
        // 0 to 255 in decimal, without leading zeros (some readers take them for octal).
        let octet = match label {
            [b'0'] => Some(0),
            [b'1'..=b'9', ..] if label.len() <= 3 && label.iter().all(u8::is_ascii_digit) => {
                u8::try_from(label.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))).ok()
            }
            _ => None,
        };
        match (octet, octets.get_mut(labels)) {
            (Some(value), Some(slot)) => *slot = value,
            _ => quad = false,
        }
        labels += 1;
        last = start;
        start = end + 1;
    }
    // WHATWG reads a host whose last label is a number (decimal or 0x hex, so starting with a
    // digit) as an IPv4 address, with octal, hex and fewer than four parts (`127.1`, `0x7f.1`,
    // `2130706433`): only the plain dotted quad reads the same everywhere.
    if !bytes[last].is_ascii_digit() {
        return Ok(Host::Domain(name.to_ascii_lowercase()));
    }
    if quad && labels == 4 {
        return Ok(Host::Ipv4(octets));
    }
    Err("has a numeric host that is not four decimal numbers from 0 to 255 (as 127.0.0.1)")
}

/// The URL for an error message, unless it may name a user and password.
pub(crate) fn shown(url: &str) -> String {
    if url.contains('@') {
        return "the URL".into();
    }
    let end = url.char_indices().nth(200).map_or(url.len(), |(end, _)| end);
    format!("{:?}", &url[..end])
}

#[cfg(test)]
mod differential;

#[cfg(test)]
mod tests {
    use super::*;

    fn host(url: &str) -> Host {
        check("issuer", url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn refused(url: &str) -> String {
        match check("issuer", url) {
            Ok(checked) => panic!("{url} accepted as {checked:?}"),
            Err(error) => {
                assert_eq!(error.kind(), "invalid_environment");
                error.to_string()
            }
        }
    }

    #[test]
    fn loopback_is_decided_on_the_parsed_host() {
        assert_eq!(host("http://127.0.0.1:8080/"), Host::Ipv4([127, 0, 0, 1]));
        assert_eq!(host("http://127.1.2.3/"), Host::Ipv4([127, 1, 2, 3]));
        assert_eq!(host("http://LOCALHOST:1/"), Host::Domain("localhost".into()));
        assert_eq!(host("http://[::1]:9/token"), Host::Ipv6Loopback);
        assert_eq!(host("https://Test.Maskinporten.no/"), Host::Domain("test.maskinporten.no".into()));
        for walk_around in [
            "http://127.0.0.1@attacker.example/token",
            "http://127.attacker.example/",
            "http://127.0.0.1.attacker.example/",
            "http://localhost.attacker.example/",
            "http://attacker.example#@127.0.0.1/",
            "http://attacker.example\\@127.0.0.1/",
            "http://127.1/",
            "http://0x7f.0.0.1/",
            "http://0177.0.0.1/",
            "http://2130706433/",
            "http://127.0.0.1./",
            "http://%6c%6fcalhost/",
            "http://[::ffff:7f00:1]/",
            "http://[::1%25eth0]/",
            "http://[0:0::1]/",
            "http://[::1]x/",
            "http://[::1]x80/",
            "http://localhost:8080:1/",
            "http://localhost:/",
            "http://localhost:99999/",
            "http:/localhost/",
            "HTTP://localhost/",
            " http://localhost/",
            "http://local\thost/",
            "http://xn--localhst-m0a/",
            "http://lоcalhost/",
        ] {
            refused(walk_around);
        }
    }

    #[test]
    fn userinfo_is_refused_without_being_quoted() {
        let message = refused("https://user:hunter2-secret@test.maskinporten.no/");
        assert!(message.contains("user or password"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn retired_hosts_and_odd_hosts_say_what_to_do() {
        assert!(refused("https://ver2.maskinporten.no/").contains("retired"));
        assert!(refused("https://a..b/").contains("empty host"));
        assert!(refused("https://1.2.3.4.5/").contains("four decimal numbers"));
        assert!(refused("ftp://example.no/").contains("not an https:// URL"));
        assert!(refused("https://:443/").contains("empty host"));
        assert!(refused("test.maskinporten.no/").contains("not an https:// URL"));
    }
}
