//! The core's raw `Validator::validate` rate on one thread, for the same token and JWKS the
//! service introspects: the baseline of `bench/serve.sh`'s introspection figure.
//! Usage: validate_rate ISSUER JWKS_FILE TOKEN_FILE [SECONDS]

use maskinporten::{Environment, Requirements, Validator};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, issuer, jwks, token, rest @ ..] = args.as_slice() else {
        return Err("usage: validate_rate ISSUER JWKS_FILE TOKEN_FILE [SECONDS]".into());
    };
    let seconds: u64 = rest.first().map(|s| s.parse()).transpose()?.unwrap_or(5);
    let token = std::fs::read_to_string(token)?.trim().to_string();
    let now = maskinporten::unix_now();
    let mut validator = Validator::new(Environment::from_name(issuer)?);
    validator.update_jwks(&std::fs::read(jwks)?, now)?;
    let requirements = Requirements::any_scope_unchecked();
    validator.validate(&token, now, &requirements)?;
    let (start, mut count) = (Instant::now(), 0u64);
    while start.elapsed() < Duration::from_secs(seconds) {
        for _ in 0..100 {
            black_box(validator.validate(black_box(&token), now, &requirements)?);
        }
        count += 100;
    }
    let rate = count as f64 / start.elapsed().as_secs_f64();
    println!("{{\"validations_per_second\": {rate:.0}, \"us_per_validation\": {:.2}}}", 1e6 / rate);
    Ok(())
}
