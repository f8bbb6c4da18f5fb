//! What the fuzz targets share: the test vectors' keys (compiled in, so a target runs from any
//! directory), a fixed `now`, and the checks several targets make on errors.

use maskinporten::{Client, Environment, Key, Requirements, Validator};
use std::sync::OnceLock;

/// The `now` of the shared validation vectors (2026-01-01T00:00:00Z): the vector tokens and
/// certificates are valid then.
pub const NOW: i64 = 1_767_225_600;

/// The issuer's public keys of the validation vectors.
pub const ISSUER_JWKS: &[u8] = include_bytes!("../../../tests/vectors/keys/issuer.jwks.json");

/// A valid token of the validation vectors (signed by the issuer key in [`ISSUER_JWKS`]).
pub const VALID_TOKEN: &str = include_str!("../seeds/validate/valid.txt");

/// The client's PKCS#12 file of the vectors and its password.
pub const CLIENT_P12: &[u8] = include_bytes!("../../../tests/vectors/keys/client.p12");
/// The password of [`CLIENT_P12`].
pub const CLIENT_P12_PASSWORD: &str = "vector-password";
/// The client's private JWK of the vectors (with its `kid`).
pub const CLIENT_JWK: &str = include_str!("../../../tests/vectors/keys/client.jwk.json");
/// A second RSA key of the vectors, used as a token issuer whose private half we hold.
pub const OTHER_KEY_PEM: &str = include_str!("../../../tests/vectors/keys/other.key.pem");
/// The client_id of the vectors.
pub const CLIENT_ID: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";

/// A validator for the test issuer loaded with [`ISSUER_JWKS`], built once per process.
pub fn vector_validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let mut validator = Validator::new(Environment::test());
        validator.update_jwks(ISSUER_JWKS, NOW).expect("the vectors' JWKS loads");
        validator
    })
}

/// The requirements the fuzzed tokens are validated against.
pub fn requirements() -> Requirements {
    Requirements::any_scope(["test:scope.read"])
}

/// The vectors' client, signing with its certificate (`x5c`).
pub fn x5c_client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let key = Key::from_pkcs12(CLIENT_P12, CLIENT_P12_PASSWORD, None).expect("the vectors' .p12 loads");
        Client::new(CLIENT_ID, key, Environment::test()).expect("client")
    })
}

/// The vectors' client, signing with its registered JWK (`kid`).
pub fn kid_client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let key = Key::from_jwk(CLIENT_JWK).expect("the vectors' JWK loads");
        Client::new(CLIENT_ID, key, Environment::test()).expect("client")
    })
}

/// Panics when `secret` (at least 8 bytes, so it cannot match by chance) appears in the error's
/// `Display` or `Debug` text: errors must never carry passwords, keys or tokens.
pub fn assert_not_in_error(error: &maskinporten::Error, secret: &str, what: &str) {
    if secret.len() < 8 {
        return;
    }
    let shown = format!("{error}");
    let debug = format!("{error:?}");
    assert!(!shown.contains(secret), "the error text quotes the {what}: {shown}");
    assert!(!debug.contains(secret), "the error's Debug quotes the {what}: {debug}");
}

/// JSON equality, except that floats need only agree to 1e-15 relative: serde_json's default float
/// parser (no `float_roundtrip`, to keep the WebAssembly small) may read a printed float back one
/// unit in the last place off.
pub fn json_equivalent(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-15 * x.abs().max(y.abs()),
            _ => false,
        },
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| json_equivalent(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len() && xs.iter().all(|(k, x)| ys.get(k).is_some_and(|y| json_equivalent(x, y)))
        }
        _ => a == b,
    }
}
