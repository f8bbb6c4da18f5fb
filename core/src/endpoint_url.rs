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
//! a numeric host only as four decimal numbers. `tests/endpoint_url.rs` checks each accepted URL
//! against the `url` crate.

use crate::error::{Error, ErrorKind, Result};
use crate::snippet;
use std::net::Ipv6Addr;

/// Hosts of retired Maskinporten/ID-porten generations, still in older guides.
const RETIRED_HOSTS: [&str; 4] = ["ver1.maskinporten.no", "ver2.maskinporten.no", "oidc-ver2.difi.no", "oidc.difi.no"];
const TEST_ISSUER: &str = "https://test.maskinporten.no/";
const PROD_ISSUER: &str = "https://maskinporten.no/";

/// The host of an accepted URL, as a WHATWG parser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A DNS name, lowercased.
    Domain(String),
    /// A dotted-quad IPv4 address.
    Ipv4([u8; 4]),
    /// A bracketed IPv6 address.
    Ipv6(Ipv6Addr),
}

impl Host {
    /// `localhost`, 127.0.0.0/8 or `::1`.
    pub(crate) fn is_loopback(&self) -> bool {
        match self {
            Host::Domain(name) => name == "localhost",
            Host::Ipv4(octets) => octets[0] == 127,
            Host::Ipv6(address) => address.is_loopback(),
        }
    }
}

/// An endpoint URL that passed [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedUrl {
    /// `https` (else `http`, on loopback).
    pub(crate) https: bool,
    pub(crate) host: Host,
}

/// Checks an endpoint URL; `field` names it in the error.
pub(crate) fn check(field: &'static str, url: &str) -> Result<CheckedUrl> {
    let refuse = |why: &str| Err(Error::invalid(ErrorKind::InvalidEnvironment, field, format!("{} {why}", shown(url))));
    if let Some(bad) = url.chars().find(|c| !is_url_char(*c)) {
        let what = match bad {
            '\\' => "a backslash (HTTP clients read it as '/')",
            c if c.is_whitespace() || c.is_control() => "a space or control character",
            c if !c.is_ascii() => "a non-ASCII character (percent-encode it in the path; hosts must be ASCII)",
            _ => "a character that is not allowed in a URL (percent-encode it)",
        };
        return refuse(&format!("contains {what}: give the URL as https://host/path"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return refuse("is not an absolute URL: give https://host/...");
    };
    let https = match scheme {
        "https" => true,
        "http" => false,
        _ => return refuse("must start with https:// (plain http:// only on loopback, for the simulator)"),
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return refuse("names a user or password before the host (user@host): endpoint URLs take none, remove it");
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let Some((address, after)) = bracketed.split_once(']') else {
                return refuse("has an unclosed '[' in its host");
            };
            let Ok(address) = address.parse::<Ipv6Addr>() else {
                return refuse("has a host in brackets that is not an IPv6 address");
            };
            let port = match after {
                "" => None,
                _ => match after.strip_prefix(':') {
                    Some(port) => Some(port),
                    None => return refuse("has text after its IPv6 address: write [address]:port"),
                },
            };
            (Host::Ipv6(address), port)
        }
        None => {
            let (name, port) = match authority.split_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (authority, None),
            };
            match domain_or_ipv4(name) {
                Ok(host) => (host, port),
                Err(why) => return refuse(why),
            }
        }
    };
    if let Some(port) = port {
        let digits = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !digits || port.parse::<u32>().map_or(true, |p| p > 65_535) {
            return refuse("has a port that is not a number from 0 to 65535");
        }
    }
    if let Host::Domain(name) = &host {
        if RETIRED_HOSTS.contains(&name.as_str()) {
            return Err(Error::invalid(
                ErrorKind::InvalidEnvironment,
                field,
                format!("{name} is retired: use {TEST_ISSUER} (test) or {PROD_ISSUER} (prod)"),
            ));
        }
    }
    if !https && !host.is_loopback() {
        return refuse(
            "must use https (plain http is only allowed on loopback: localhost, 127.0.0.1 or [::1], for the simulator)",
        );
    }
    Ok(CheckedUrl { https, host })
}

/// RFC 3986's characters (unreserved, reserved, `%`): no space, control, quote, backslash,
/// `<>^`{|}` or non-ASCII character, which WHATWG parsers drop, rewrite or encode.
fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// A host that is not in brackets: a DNS name or a dotted-quad IPv4 address.
fn domain_or_ipv4(name: &str) -> std::result::Result<Host, &'static str> {
    if name.is_empty() {
        return Err("has no host: give https://host/...");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')) {
        return Err("has a host with characters other than letters, digits, '-', '_' and '.' (percent-encoded hosts are not accepted)");
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.iter().any(|label| label.is_empty()) {
        return Err("has a host with an empty label (a leading, doubled or trailing '.')");
    }
    if labels.iter().any(|label| label.len() >= 4 && label[..4].eq_ignore_ascii_case("xn--")) {
        return Err("has a punycode (xn--) host, which is not accepted: use an ASCII host name");
    }
    let last = labels.last().copied().unwrap_or_default();
    // WHATWG reads a host whose last label is a number (decimal, or 0x hex) as an IPv4 address,
    // with octal, hex and fewer than four parts (`127.1`, `0x7f.1`, `2130706433`): only the
    // plain dotted quad reads the same everywhere.
    let numeric = last.bytes().all(|b| b.is_ascii_digit())
        || (last.len() >= 2
            && last[..2].eq_ignore_ascii_case("0x")
            && last[2..].bytes().all(|b| b.is_ascii_hexdigit()));
    if !numeric {
        return Ok(Host::Domain(name.to_ascii_lowercase()));
    }
    let octets: Vec<u8> = labels.iter().filter_map(|label| decimal_octet(label)).collect();
    match <[u8; 4]>::try_from(octets) {
        Ok(octets) if labels.len() == 4 => Ok(Host::Ipv4(octets)),
        _ => {
            Err("has a numeric host that is not four decimal numbers from 0 to 255: write an IPv4 address as 127.0.0.1")
        }
    }
}

/// `0` to `255` in decimal without leading zeros (which some readers take for octal).
fn decimal_octet(label: &str) -> Option<u8> {
    let plain = !label.is_empty() && label.len() <= 3 && label.bytes().all(|b| b.is_ascii_digit());
    if !plain || (label.len() > 1 && label.starts_with('0')) {
        return None;
    }
    label.parse().ok()
}

/// The URL for an error message: without its user name and password, and with anything that
/// looks like a token redacted (a URL can carry one in its query).
pub(crate) fn shown(url: &str) -> String {
    let without_userinfo = match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    };
    format!("{:?}", snippet::redact_text(&without_userinfo, 200))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(url: &str) -> Host {
        check("issuer", url).unwrap_or_else(|e| panic!("{url}: {e}")).host
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
        assert_eq!(host("http://[::1]:9/token"), Host::Ipv6(Ipv6Addr::LOCALHOST));
        assert_eq!(host("http://[0:0::1]/"), Host::Ipv6(Ipv6Addr::LOCALHOST));
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
        assert!(message.contains("test.maskinporten.no"), "{message}");
    }

    #[test]
    fn retired_hosts_and_odd_hosts_say_what_to_do() {
        assert!(refused("https://ver2.maskinporten.no/").contains("retired"));
        assert!(refused("https://a..b/").contains("empty label"));
        assert!(refused("https://1.2.3.4.5/").contains("four decimal numbers"));
        assert!(refused("ftp://example.no/").contains("https://"));
        assert!(refused("test.maskinporten.no/").contains("absolute URL"));
    }
}
