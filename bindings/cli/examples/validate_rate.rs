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
    let (start, cpu_start, mut count) = (Instant::now(), cpu_seconds(), 0u64);
    while start.elapsed() < Duration::from_secs(seconds) {
        for _ in 0..100 {
            black_box(validator.validate(black_box(&token), now, &requirements)?);
        }
        count += 100;
    }
    let rate = count as f64 / start.elapsed().as_secs_f64();
    let per_cpu_second = count as f64 / (cpu_seconds() - cpu_start).max(0.01);
    println!(
        "{{\"validations_per_second\": {rate:.0}, \"validations_per_cpu_second\": {per_cpu_second:.0}, \"us_per_validation\": {:.2}}}",
        1e6 / rate
    );
    Ok(())
}

/// This process's user + system CPU time (Linux `/proc/self/stat`, 100 ticks a second), so
/// the rate can be compared with the service's CPU time per request when other processes load
/// the machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
