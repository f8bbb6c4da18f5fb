//! Grants from arbitrary options: `GrantOptions` with any scopes, resource, delegation, pid and
//! authorization details (as JSON), `Client::prepare_grant` (and sometimes `grant`, which signs)
//! with any `now`, lifetime and `jti`, for a certificate (`x5c`) and a `kid` client. An accepted
//! grant must carry exactly what was asked for.
#![no_main]

use arbitrary::Arbitrary;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use maskinporten::{AuthorizationDetail, GrantOptions, Resource};
use maskinporten_fuzz::{kid_client, x5c_client, CLIENT_ID, NOW};
use serde_json::{Map, Value};

#[derive(Arbitrary, Debug)]
enum ResourceInput {
    One(String),
    Many(Vec<String>),
}

#[derive(Arbitrary, Debug)]
enum Now {
    /// Near the vectors' time, when the client certificate is valid.
    Near(i16),
    Any(i64),
}

#[derive(Arbitrary, Debug)]
struct Input {
    scopes: Vec<String>,
    resource: Option<ResourceInput>,
    consumer_org: Option<String>,
    iss_onbehalfof: Option<String>,
    pid: Option<String>,
    authorization_details: Option<String>,
    jti: Option<String>,
    now: Now,
    lifetime: Option<i64>,
    kid: bool,
    sign: bool,
}

fuzz_target!(|input: Input| {
    let mut options = GrantOptions::new(input.scopes);
    options.resource = input.resource.map(|r| match r {
        ResourceInput::One(one) => Resource::One(one),
        ResourceInput::Many(many) => Resource::Many(many),
    });
    options.consumer_org = input.consumer_org;
    options.iss_onbehalfof = input.iss_onbehalfof;
    options.pid = input.pid;
    if let Some(json) = &input.authorization_details {
        match AuthorizationDetail::from_json(json) {
            Ok(details) => options.authorization_details = details,
            Err(_) => return,
        }
    }
    let now = match input.now {
        Now::Near(offset) => NOW + i64::from(offset),
        Now::Any(now) => now,
    };
    let client = if input.kid { kid_client() } else { x5c_client() }.clone();
    let client = match input.lifetime {
        Some(seconds) => match client.with_lifetime(seconds) {
            Ok(client) => client,
            Err(_) => {
                assert!(!(1..=120).contains(&seconds));
                return;
            }
        },
        None => client,
    };
    let _ = client.cache_key(&options);
    let prepared = match client.prepare_grant(&options, now, input.jti.as_deref()) {
        Ok(prepared) => prepared,
        Err(_) => return,
    };
    // The claims say exactly what was asked for.
    let (_, claims_b64) = prepared.signing_input().split_once('.').expect("header.claims");
    let claims: Map<String, Value> =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims_b64).expect("base64url")).expect("a JSON object");
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["aud"], "https://test.maskinporten.no/");
    assert_eq!(claims["scope"], options.scopes.join(" "));
    assert!(!options.scopes.is_empty());
    assert_eq!(claims["iat"], now);
    assert_eq!(claims["exp"].as_i64(), Some(now + client.lifetime()));
    if let Some(jti) = &input.jti {
        assert_eq!(claims["jti"], jti.as_str());
    }
    assert_eq!(claims.get("consumer_org").and_then(Value::as_str), options.consumer_org.as_deref());
    assert_eq!(claims.get("iss_onbehalfof").and_then(Value::as_str), options.iss_onbehalfof.as_deref());
    assert_eq!(claims.get("pid").and_then(Value::as_str), options.pid.as_deref());
    assert!(options.consumer_org.is_none() || options.iss_onbehalfof.is_none());
    let details = claims.get("authorization_details").and_then(Value::as_array).map_or(0, Vec::len);
    assert_eq!(details, options.authorization_details.len());
    if input.sign {
        let jwt = client.grant(&options, now, input.jti.as_deref()).expect("a prepared grant signs");
        assert_eq!(jwt.split('.').count(), 3);
        let request = client.token_request_for_assertion(&jwt);
        assert!(request.body.contains("assertion="));
    }
});
