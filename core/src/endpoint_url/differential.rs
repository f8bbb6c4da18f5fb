//! The strict checker against the `url` crate (the WHATWG reading of reqwest and of browsers'
//! `fetch`): every URL the checker accepts must have, under `url`, the same scheme and host, no
//! user name or password, and a loopback host when it is plain http.

use super::{check, Host};

const SCHEMES: [&str; 4] = ["http://", "https://", "HTTP://", "http:/"];
const USERINFO: [&str; 6] = ["", "user@", "user:pw@", "127.0.0.1@", "@", "a%40b@"];
const HOSTS: [&str; 44] = [
    "localhost",
    "LocalHost",
    "localhost.",
    "sub.localhost",
    "127.0.0.1",
    "127.9.8.7",
    "127.1",
    "127.0.0.1.",
    "0x7f.0.0.1",
    "0x7F000001",
    "0177.0.0.1",
    "2130706433",
    "127.0.0.256",
    "127.000.0.1",
    "0",
    "0x",
    "0.0.0.0",
    "1.2.3",
    "1.2.3.4.5",
    "[::1]",
    "[0::1]",
    "[::ffff:127.0.0.1]",
    "[::1",
    "::1",
    "127.attacker.example",
    "127.0.0.1.attacker.example",
    "attacker.example",
    "Example.NO",
    "test.maskinporten.no",
    "ver2.maskinporten.no",
    "xn--nxasmq6b",
    "exa_mple.no",
    "ex%61mple.no",
    "%6c%6fcalhost",
    "a..b",
    ".a",
    "ex ample.no",
    "exämple.no",
    "ex\\ample.no",
    "localhost\\",
    "a-.b-",
    "-a.no",
    "1e3",
    "",
];
const PORTS: [&str; 10] = ["", ":", ":0", ":80", ":8080", ":65535", ":65536", ":08", ":1:2", ":a"];
const PATHS: [&str; 13] =
    ["", "/", "/token", "?q=1", "#f", "\\path", "/a b", "/%2e%2e/", "/@x", "#@127.0.0.1", "?@x/", "/a\\b", "/\t/"];

/// The differences that matter, or `None` when the two readings agree.
fn disagreement(input: &str) -> Option<String> {
    let ours = check("issuer", input).ok()?;
    let theirs = match url::Url::parse(input) {
        Ok(parsed) => parsed,
        Err(e) => return Some(format!("accepted, but url refuses it ({e})")),
    };
    let https = input.starts_with("https://");
    if theirs.scheme() != if https { "https" } else { "http" } {
        return Some(format!("url reads scheme {}", theirs.scheme()));
    }
    if !theirs.username().is_empty() || theirs.password().is_some() {
        return Some("url finds a user or password".into());
    }
    let same_host = match (&ours, theirs.host()) {
        (Host::Domain(name), Some(url::Host::Domain(domain))) => name == domain,
        (Host::Ipv4(octets), Some(url::Host::Ipv4(address))) => *octets == address.octets(),
        (Host::Ipv6Loopback, Some(url::Host::Ipv6(address))) => address.is_loopback(),
        _ => false,
    };
    if !same_host {
        return Some(format!("we read host {ours:?}, url reads {:?}", theirs.host()));
    }
    let loopback = match theirs.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost",
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    };
    (!https && !loopback).then(|| "plain http accepted on a host url does not read as loopback".into())
}

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn every_accepted_url_reads_the_same_under_the_url_crate() {
    let mut inputs = Vec::new();
    for scheme in SCHEMES {
        for userinfo in USERINFO {
            for host in HOSTS {
                for port in PORTS {
                    for path in PATHS {
                        if scheme == "http://" || userinfo.is_empty() {
                            inputs.push(format!("{scheme}{userinfo}{host}{port}{path}"));
                        }
                    }
                }
            }
        }
    }
    // Random mixes of the characters that make URL readers differ.
    let pieces = [
        "a",
        "Z",
        "7",
        "127",
        "0",
        ".",
        ":",
        "@",
        "[",
        "]",
        "::1",
        "%",
        "%2e",
        "/",
        "\\",
        "#",
        "?",
        " ",
        "\t",
        "\n",
        "é",
        "x",
        "-",
        "_",
        "0x",
        "localhost",
        "1",
        "255",
        "256",
        "080",
    ];
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for _ in 0..100_000 {
        let mut input = String::from(if random.below(2) == 0 { "http://" } else { "https://" });
        for _ in 0..1 + random.below(10) {
            input.push_str(pieces[random.below(pieces.len())]);
        }
        inputs.push(input);
    }
    let mut accepted = 0;
    let mut url_only = 0;
    for input in &inputs {
        if let Some(why) = disagreement(input) {
            panic!("{input:?}: {why}");
        }
        match (check("issuer", input).is_ok(), url::Url::parse(input).is_ok()) {
            (true, _) => accepted += 1,
            (false, true) => url_only += 1,
            _ => {}
        }
    }
    println!("{} inputs: {accepted} accepted, all read the same by url; {url_only} more parse under url but are refused as ambiguous or not https/loopback", inputs.len());
    assert!(accepted > 1_000, "the inputs should reach the accepting paths too ({accepted})");
}

#[test]
fn the_walk_arounds_of_issue_12_differ_under_url_and_are_refused() {
    for input in ["http://127.0.0.1@attacker.example/token", "http://127.attacker.example/"] {
        let parsed = url::Url::parse(input).expect("url reads it");
        assert_ne!(parsed.host_str(), Some("127.0.0.1"));
        assert!(check("token_endpoint", input).is_err(), "{input}");
    }
}
