//! Loads the throwaway test certificate from the shared vectors and prints a signed grant and the
//! token request a host would send. Run: `cargo run -p maskinporten --example grant`.

use maskinporten::{Client, Environment, GrantOptions, Key};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/");
    let p12 = std::fs::read(format!("{keys}client.p12"))?;
    let key = Key::from_pkcs12(&p12, "vector-password", None)?;
    if let Some(cert) = key.certificate() {
        println!(
            "certificate: {} (org {}), valid until {}",
            cert.subject,
            cert.org_number.as_deref().unwrap_or("?"),
            maskinporten::format_utc(cert.not_after)
        );
    }
    let client = Client::new("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment::test())?;
    let options = GrantOptions::new(["test:scope.read"]);
    let request = client.token_request(&options, maskinporten::unix_now(), None)?;
    println!("\n{} {}", request.method, request.url);
    for (name, value) in &request.headers {
        println!("{name}: {value}");
    }
    println!("\n{}", request.body);
    Ok(())
}
