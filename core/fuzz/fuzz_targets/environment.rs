//! Environments from names, URLs and RFC 8414 metadata, checked against the `url` crate's (WHATWG)
//! reading, which is what HTTP clients send to (issue 12, item 16). Every URL of an accepted
//! environment, and every metadata request, must parse, carry no userinfo, use `https` on a host
//! that is not retired, or `http` on loopback only (127.0.0.0/8, ::1, localhost).
//! Input: a mode byte (0 name, 1 custom with three lines, 2 metadata, 3 metadata request), then
//! the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maskinporten::Environment;
use url::{Host, Url};

const RETIRED_HOSTS: [&str; 4] = ["ver1.maskinporten.no", "ver2.maskinporten.no", "oidc-ver2.difi.no", "oidc.difi.no"];

fn check_url(text: &str, input: &[u8]) {
    let url = Url::parse(text)
        .unwrap_or_else(|e| panic!("accepted {text:?}, which HTTP clients cannot parse ({e}); input {input:?}"));
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "accepted {text:?} with userinfo: the request would go to {:?}",
        url.host_str()
    );
    let host = url.host().unwrap_or_else(|| panic!("accepted {text:?}, which has no host"));
    match url.scheme() {
        "https" => {
            let name = host.to_string();
            assert!(
                !RETIRED_HOSTS.iter().any(|retired| name.eq_ignore_ascii_case(retired)),
                "accepted {text:?}, whose host for HTTP clients is the retired {name}"
            );
        }
        "http" => {
            let loopback = match &host {
                Host::Ipv4(ip) => ip.is_loopback(),
                Host::Ipv6(ip) => ip.is_loopback(),
                Host::Domain(name) => *name == "localhost",
            };
            assert!(loopback, "accepted plain-http {text:?}, whose host for HTTP clients is {host}, not loopback");
        }
        other => panic!("accepted {text:?} with scheme {other:?}"),
    }
}

fn check(environment: &Environment, input: &[u8]) {
    for url in [environment.issuer(), environment.token_endpoint(), environment.jwks_uri()] {
        check_url(url, input);
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else { return };
    let text = String::from_utf8_lossy(rest);
    match mode % 4 {
        0 => {
            if let Ok(environment) = Environment::from_name(&text) {
                check(&environment, data);
            }
        }
        1 => {
            let mut lines = text.splitn(3, '\n');
            let (issuer, token, jwks) =
                (lines.next().unwrap_or(""), lines.next().unwrap_or(""), lines.next().unwrap_or(""));
            if let Ok(environment) = Environment::custom(issuer, token, jwks) {
                check(&environment, data);
            }
        }
        2 => {
            if let Ok(environment) = Environment::from_metadata(rest) {
                check(&environment, data);
            }
        }
        _ => {
            if let Ok(request) = Environment::metadata_request(&text) {
                check_url(&request.url, data);
            }
        }
    }
});
