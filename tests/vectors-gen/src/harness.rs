//! Runs one vector case against the Rust core, the way every binding's suite does.

use maskinporten::{Algorithm, AuthorizationDetail, Client, Environment, Error, GrantOptions, Key, Resource, X5c};
use serde_json::Value;

/// Reads a file named in a vector, relative to the vectors folder.
pub trait Files {
    /// The bytes of `path`.
    fn read(&self, path: &str) -> Vec<u8>;
}

impl Files for std::path::PathBuf {
    fn read(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.join(path)).unwrap_or_else(|e| panic!("vector file {path}: {e}"))
    }
}

impl Files for std::collections::BTreeMap<String, Vec<u8>> {
    fn read(&self, path: &str) -> Vec<u8> {
        self.get(path).cloned().unwrap_or_else(|| panic!("vector file {path} not generated"))
    }
}

fn text(files: &dyn Files, path: &str) -> String {
    String::from_utf8(files.read(path)).expect("vector text files are UTF-8")
}

fn str_field<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Value::as_str)
}

/// Loads the KEY object of a case.
pub fn load_key(spec: &Value, files: &dyn Files) -> Result<Key, Error> {
    match str_field(spec, "type") {
        Some("pkcs12") => Key::from_pkcs12(
            &files.read(str_field(spec, "file").expect("pkcs12 file")),
            str_field(spec, "password").expect("pkcs12 password"),
            str_field(spec, "alias"),
        ),
        Some("pem") => {
            let cert = str_field(spec, "cert_file").map(|f| text(files, f));
            let key = Key::from_pem(&text(files, str_field(spec, "key_file").expect("pem key_file")), cert.as_deref())?;
            match str_field(spec, "kid") {
                Some(kid) => key.with_kid(kid),
                None => Ok(key),
            }
        }
        Some("jwk") => Key::from_jwk(&text(files, str_field(spec, "file").expect("jwk file"))),
        other => panic!("unknown key type {other:?}"),
    }
}

/// Builds the CLIENT object of a case.
pub fn build_client(spec: &Value, key: Key) -> Result<Client, Error> {
    let environment = Environment::from_name(str_field(spec, "environment").unwrap_or("test"))?;
    let mut client = Client::new(str_field(spec, "client_id").expect("client_id"), key, environment)?;
    if let Some(alg) = str_field(spec, "algorithm") {
        client = client.with_algorithm(alg.parse::<Algorithm>()?);
    }
    if let Some(lifetime) = spec.get("lifetime").and_then(Value::as_i64) {
        client = client.with_lifetime(lifetime)?;
    }
    if str_field(spec, "x5c") == Some("full_chain") {
        client = client.with_x5c(X5c::FullChain);
    }
    Ok(client)
}

/// Builds the GRANT object of a case.
pub fn grant_options(spec: &Value) -> Result<GrantOptions, Error> {
    let scopes: Vec<String> = spec["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .map(|s| s.as_str().expect("scope string").to_string())
        .collect();
    let mut options = GrantOptions::new(scopes);
    options.resource = match spec.get("resource") {
        Some(Value::String(one)) => Some(Resource::One(one.clone())),
        Some(Value::Array(many)) => {
            Some(Resource::Many(many.iter().map(|s| s.as_str().expect("resource").to_string()).collect()))
        }
        _ => None,
    };
    options.consumer_org = str_field(spec, "consumer_org").map(str::to_string);
    options.iss_onbehalfof = str_field(spec, "iss_onbehalfof").map(str::to_string);
    options.pid = str_field(spec, "pid").map(str::to_string);
    if let Some(details) = spec.get("authorization_details").filter(|v| !v.is_null()) {
        options.authorization_details = AuthorizationDetail::from_json(&details.to_string())?;
    }
    Ok(options)
}

/// Runs a grant case: the compact JWT and the token request body.
pub fn run_grant_case(case: &Value, files: &dyn Files) -> Result<(String, String), Error> {
    let key = load_key(&case["key"], files)?;
    let client = build_client(&case["client"], key)?;
    let options = grant_options(&case["grant"])?;
    let now = case["now"].as_i64().expect("now");
    let jti = str_field(case, "jti");
    let jwt = client.grant(&options, now, jti)?;
    let body = client.token_request_for_assertion(&jwt).body;
    Ok((jwt, body))
}

/// Builds the requirements object of a validation case.
pub fn requirements(spec: &Value) -> maskinporten::Requirements {
    let list = |name: &str| -> Vec<String> {
        spec[name]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let mut requirements = maskinporten::Requirements::from_parts(
        list("scopes"),
        if str_field(spec, "scope_match") == Some("all") {
            maskinporten::ScopeMatch::All
        } else {
            maskinporten::ScopeMatch::Any
        },
        str_field(spec, "audience").map(str::to_string),
        spec["require_pid"].as_bool().unwrap_or(false),
        list("consumer_orgs"),
        spec["any_scope_unchecked"].as_bool().unwrap_or(false),
    );
    if spec["eseal_consumers"].as_bool() == Some(true) {
        requirements = requirements.with_eseal_consumers();
    }
    if let Some(consent) = spec["consent"].as_object() {
        requirements = requirements.with_consent(maskinporten::ConsentRequirement {
            id: consent.get("id").and_then(Value::as_str).map(str::to_string),
            from: consent.get("from").and_then(Value::as_str).map(str::to_string),
        });
    }
    if let Some(system_user) = spec["system_user"].as_object() {
        requirements = requirements.with_system_user(maskinporten::SystemUserRequirement {
            org: system_user.get("org").and_then(Value::as_str).map(str::to_string),
            system_id: system_user.get("system_id").and_then(Value::as_str).map(str::to_string),
        });
    }
    requirements
}

/// Runs a validation case against a validator for the test issuer fed `jwks`.
pub fn run_validation_case(case: &Value, jwks: &[u8]) -> Result<maskinporten::ValidatedToken, Error> {
    let now = case["now"].as_i64().expect("now");
    let mut validator = maskinporten::Validator::new(Environment::test());
    validator.update_jwks(jwks, now)?;
    validator.validate(str_field(case, "token").expect("token"), now, &requirements(&case["requirements"]))
}

/// Checks a validation case's outcome against its expectation; the message says what differs.
pub fn check_validation_case(
    case: &Value,
    outcome: &Result<maskinporten::ValidatedToken, Error>,
) -> Result<(), String> {
    let name = str_field(case, "name").unwrap_or("?");
    match (outcome, case.get("expected")) {
        (Ok(token), Some(expected)) => {
            let sub_unit: Vec<&str> = expected["consumer_sub_unit"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let same = token.consumer.org_number.as_deref() == str_field(expected, "consumer_org")
                && token.supplier.as_ref().and_then(|s| s.org_number.as_deref()) == str_field(expected, "supplier_org")
                && token.consumer.sub_unit.iter().map(String::as_str).eq(sub_unit)
                && Some(token.client_id.as_str()) == str_field(expected, "client_id")
                && Some(token.consumer.id.as_str()) == str_field(expected, "consumer_id")
                && Some(token.consumer.authority.as_str()) == str_field(expected, "consumer_authority")
                && Some(token.expires_at) == expected["expires_at"].as_i64();
            if same {
                Ok(())
            } else {
                Err(format!("{name}: got {token:?}"))
            }
        }
        (Err(error), None) => {
            if Some(error.kind().as_str()) != str_field(case, "expected_error") {
                return Err(format!("{name}: got {error}"));
            }
            match case.get("expected_rejection") {
                Some(expected) => {
                    let rejection = maskinporten::Rejection::for_error(error, &requirements(&case["requirements"]));
                    check_rejection(&rejection, expected).map_err(|why| format!("{name}: {why}"))
                }
                None => Ok(()),
            }
        }
        (Ok(_), None) => Err(format!("{name}: expected an error, got a valid token")),
        (Err(error), Some(_)) => Err(format!("{name}: expected a valid token, got {error}")),
    }
}

/// Compares a core `Rejection` with a vector's `expected_rejection` (`status`, the challenge's
/// `error` code or null for a bare `Bearer` / no challenge, and its `scope` parameter).
pub fn check_rejection(rejection: &maskinporten::Rejection, expected: &Value) -> Result<(), String> {
    let status = expected["status"].as_u64().unwrap_or(0);
    if u64::from(rejection.status()) != status {
        return Err(format!("status {} instead of {status}", rejection.status()));
    }
    let challenge = rejection.www_authenticate();
    let want_challenge = match (status, expected["error"].as_str()) {
        (401, None) => Some("Bearer".to_string()),
        (_, Some(code)) if status != 503 && status != 500 => Some(format!("Bearer error=\"{code}\"")),
        _ => None,
    };
    match (&want_challenge, challenge) {
        (None, None) => {}
        (Some(bare), Some(got)) if bare == "Bearer" && got == "Bearer" => {}
        (Some(prefix), Some(got)) if prefix != "Bearer" && got.starts_with(prefix.as_str()) => {}
        _ => return Err(format!("challenge {challenge:?}, expected {want_challenge:?}")),
    }
    let scope = challenge.and_then(|c| c.split_once(", scope=\"")).map(|(_, rest)| rest.trim_end_matches('"'));
    if scope != expected["scope"].as_str() {
        return Err(format!("scope {scope:?}, expected {:?}", expected["scope"]));
    }
    Ok(())
}
