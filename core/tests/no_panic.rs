//! Garbage in, typed error out: every parser of outside input returns an error, never panics.
//! Inputs are random bytes and mutations of valid inputs from a fixed-seed generator.

use maskinporten::{parse_token_response, AuthorizationDetail, Environment, Key, Requirements, Validator};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = (self.next() as usize) % (max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// A copy of `valid` with a few bytes flipped, cut or repeated.
    fn mutate(&mut self, valid: &[u8]) -> Vec<u8> {
        let mut out = valid.to_vec();
        for _ in 0..(1 + self.next() % 4) {
            if out.is_empty() {
                break;
            }
            let at = (self.next() as usize) % out.len();
            match self.next() % 3 {
                0 => out[at] = self.next() as u8,
                1 => out.truncate(at),
                _ => out.insert(at, out[at]),
            }
        }
        out
    }
}

fn vector(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).expect("vector file")
}

#[test]
fn token_responses() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let valid = br#"{"access_token":"abc.def.ghi","token_type":"Bearer","expires_in":120,"scope":"a b"}"#;
    let error = br#"{"error":"invalid_grant","error_description":"Invalid assertion (MP-110) \u00e6"}"#;
    for round in 0..3000 {
        let body = match round % 3 {
            0 => rng.bytes(300),
            1 => rng.mutate(valid),
            _ => rng.mutate(error),
        };
        let status = [200, 400, 401, 429, 500, 502, 503, 0, 999][round % 9];
        let _ = parse_token_response(status, &body, Some("application/json"), 1_767_225_600);
    }
}

#[test]
fn keys() {
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    let p12 = vector("keys/client.p12");
    let pem = vector("keys/client.key.pem");
    let jwk = vector("keys/client.jwk.json");
    let fixture = |name: &str| std::fs::read(format!("{}/tests/fixtures/jks/{name}", env!("CARGO_MANIFEST_DIR")));
    let jks = fixture("several-keys.jks").expect("JKS fixture");
    let jceks = fixture("key-password.jceks").expect("JCEKS fixture");
    for _ in 0..300 {
        let _ = Key::from_jks(&rng.mutate(&jks), "fixture-pw", None, None);
        let _ = Key::from_jks(&rng.mutate(&jceks), "fixture-pw", Some("virksomhetssertifikat"), Some("key-pw-2"));
        let _ = Key::from_pkcs12(&rng.mutate(&jks), "fixture-pw", Some("first"));
        let _ = Key::from_pkcs12(&rng.mutate(&p12), "vector-password", None);
        let _ = Key::from_jks(&rng.bytes(64), "x", None, None);
        let _ = Key::from_pem(&String::from_utf8_lossy(&rng.mutate(&pem)), None);
        let _ = Key::from_jwk(&String::from_utf8_lossy(&rng.mutate(&jwk)));
        let _ = Key::from_external(Some(&String::from_utf8_lossy(&rng.bytes(200))), None);
        let _ = AuthorizationDetail::from_json(&String::from_utf8_lossy(&rng.bytes(80)));
        let _ = Environment::from_metadata(&rng.bytes(120));
        let _ = Environment::from_name(&String::from_utf8_lossy(&rng.bytes(40)));
    }
}

#[test]
fn access_tokens() {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let cases: serde_json::Value = serde_json::from_slice(&vector("validation.json")).expect("JSON");
    let tokens: Vec<String> = cases["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["token"].as_str().map(str::to_string))
        .collect();
    let mut validator = Validator::new(Environment::test());
    validator.update_jwks(&vector("keys/issuer.jwks.json"), 1_767_225_600).expect("JWKS");
    let requirements = Requirements::any_scope(["test:scope.read"]).with_audience("https://api.example.no/");
    for round in 0..3000 {
        let token = rng.mutate(tokens[round % tokens.len()].as_bytes());
        let _ = validator.validate(&String::from_utf8_lossy(&token), 1_767_225_600, &requirements);
        let _ = validator.update_jwks(&rng.bytes(100), 1_767_225_600);
    }
}
