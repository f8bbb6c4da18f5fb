//! `Validator::validate` on tokens whose claims JSON is arbitrary and whose signature is good:
//! the input is signed afresh (RS256, a key of the vectors published as this validator's JWKS),
//! so every input reaches the claim checks. The validator's answer is compared with a reading of
//! the same claims as a `serde_json::Value`: it accepts exactly the tokens that reading accepts,
//! and reports the same facts.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use maskinporten::{Algorithm, Environment, Key, Organisation, Validator, MAX_TOKEN_BYTES};
use maskinporten_fuzz::{requirements, NOW, OTHER_KEY_PEM};
use serde_json::{Map, Value};
use std::sync::OnceLock;

const KID: &str = "fuzz-issuer";
const LEEWAY: i64 = 10;

struct Issuer {
    key: Key,
    header_b64: String,
    validator: Validator,
}

fn issuer() -> &'static Issuer {
    static ISSUER: OnceLock<Issuer> = OnceLock::new();
    ISSUER.get_or_init(|| {
        let key = Key::from_pem(OTHER_KEY_PEM, None).and_then(|k| k.with_kid(KID)).expect("the vectors' other key");
        let jwks = format!(r#"{{"keys":[{}]}}"#, key.public_jwk().expect("public JWK"));
        let mut validator = Validator::new(Environment::test()).with_leeway(LEEWAY).expect("leeway");
        validator.update_jwks(jwks.as_bytes(), NOW).expect("JWKS");
        let header = format!(r#"{{"alg":"RS256","kid":"{KID}","typ":"JWT"}}"#);
        Issuer { key, header_b64: URL_SAFE_NO_PAD.encode(header), validator }
    })
}

/// A member of an object, the exact name first, else the first case-insensitive match in key
/// order (as the core documents its reading).
fn get_ci<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

fn organisation(claims: &Map<String, Value>, name: &str) -> Option<Organisation> {
    let claim = claims.get(name)?.as_object()?;
    let id = get_ci(claim, "id")?.as_str()?;
    let authority = match get_ci(claim, "authority") {
        Some(authority) => authority.as_str()?,
        None => maskinporten::ISO6523_AUTHORITY,
    };
    Organisation::parse(authority, id)
}

/// Whether the claims pass issuer, time, token type, scope and consumer checks, read from a Value.
fn passes(claims: &Map<String, Value>) -> bool {
    let int = |name: &str| claims.get(name).and_then(Value::as_i64);
    let (Some(exp), Some(iat)) = (int("exp"), int("iat")) else { return false };
    let not_before = int("nbf").unwrap_or(iat).max(iat);
    claims.get("iss").and_then(Value::as_str) == Some("https://test.maskinporten.no/")
        && NOW <= exp.saturating_add(LEEWAY)
        && not_before <= NOW + LEEWAY
        && claims.get("token_type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
        && claims
            .get("scope")
            .and_then(Value::as_str)
            .is_some_and(|scope| scope.split_whitespace().any(|s| s == "test:scope.read"))
        // The default requirements serve Norwegian organisations only (no eSeal consumers).
        && organisation(claims, "consumer").is_some_and(|consumer| consumer.org_number.is_some())
}

fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims.get(name).and_then(Value::as_str).map(str::to_string)
}

fuzz_target!(|data: &[u8]| {
    let issuer = issuer();
    let signing_input = format!("{}.{}", issuer.header_b64, URL_SAFE_NO_PAD.encode(data));
    let signature = issuer.key.sign(Algorithm::Rs256, signing_input.as_bytes()).expect("signing");
    let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature));
    let outcome = issuer.validator.validate(&token, NOW, &requirements());
    let reference = serde_json::from_slice::<Map<String, Value>>(data).ok();
    let expected = token.len() <= MAX_TOKEN_BYTES && reference.as_ref().is_some_and(passes);
    match (outcome, reference) {
        (Ok(validated), Some(claims)) => {
            assert!(expected, "accepted claims a Value reading refuses: {}", String::from_utf8_lossy(data));
            assert_eq!(validated.claims_json.as_bytes(), data);
            assert_eq!(Some(validated.expires_at), claims.get("exp").and_then(Value::as_i64));
            assert_eq!(Some(validated.issued_at), claims.get("iat").and_then(Value::as_i64));
            let scope = text(&claims, "scope").unwrap_or_default();
            assert_eq!(validated.scopes, scope.split_whitespace().collect::<Vec<_>>());
            let audience: Vec<String> = match claims.get("aud") {
                Some(Value::String(one)) => vec![one.clone()],
                Some(Value::Array(many)) => many.iter().filter_map(|a| a.as_str().map(str::to_string)).collect(),
                _ => Vec::new(),
            };
            assert_eq!(validated.audience, audience);
            assert_eq!(Some(validated.consumer), organisation(&claims, "consumer"));
            assert_eq!(validated.supplier, organisation(&claims, "supplier"));
            assert_eq!(validated.pid, text(&claims, "pid"));
            assert_eq!(validated.jti, text(&claims, "jti"));
            assert_eq!(validated.client_id, text(&claims, "client_id").unwrap_or_default());
            assert_eq!(validated.delegation_source, text(&claims, "delegation_source"));
        }
        (Ok(_), None) => panic!("accepted claims that are not a JSON object: {}", String::from_utf8_lossy(data)),
        (Err(error), _) => {
            assert!(!expected, "refused claims a Value reading accepts ({error}): {}", String::from_utf8_lossy(data))
        }
    }
});
