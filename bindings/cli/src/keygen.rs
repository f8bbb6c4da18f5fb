//! `maskinporten keygen --kid KID --out DIR`: an RSA 2048 key for a client's registered keys.

use crate::args::KeygenArgs;
use crate::error::{CliError, CliResult};
use aws_lc_rs::encoding::AsDer;
use maskinporten::Key;
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

pub fn run(args: &KeygenArgs) -> CliResult<()> {
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|_| CliError::Message("RSA key generation failed".into()))?;
    let der = pair.as_der().map_err(|_| CliError::Message("could not encode the new key as PKCS#8".into()))?;
    let key_pem = Zeroizing::new(pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_ref().to_vec())));
    // The core checks the kid syntax and makes the public JWK.
    let key = Key::from_pem(&key_pem, None)?.with_kid(&args.kid)?;
    let jwk = key.public_jwk().ok_or_else(|| CliError::Message("the new key has no public half".into()))?;
    let jwk_value: serde_json::Value =
        serde_json::from_str(&jwk).map_err(|e| CliError::Message(format!("the core's JWK is not JSON: {e}")))?;
    let jwks = serde_json::json!({ "keys": [jwk_value] });

    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::Message(format!("cannot create {}: {e}", args.out.display())))?;
    let kid = key.kid().unwrap_or(&args.kid);
    let key_path = args.out.join(format!("{kid}.key.pem"));
    let jwk_path = args.out.join(format!("{kid}.jwk.json"));
    let jwks_path = args.out.join(format!("{kid}.jwks.json"));
    for path in [&key_path, &jwk_path, &jwks_path] {
        if path.exists() {
            return Err(CliError::Message(format!(
                "{} exists: choose another --kid or --out (nothing was overwritten)",
                path.display()
            )));
        }
    }
    write_new(&key_path, key_pem.as_bytes(), true)?;
    write_new(&jwk_path, format!("{jwk_value:#}\n").as_bytes(), false)?;
    write_new(&jwks_path, format!("{jwks:#}\n").as_bytes(), false)?;

    println!("private key  {} (mode 0600; keep it secret)", key_path.display());
    println!("public JWK   {}", jwk_path.display());
    println!("public JWKS  {}", jwks_path.display());
    println!();
    println!("Register the public key on your client (Digdir's self-service API replaces the whole set, at most 5 keys, each valid one year):");
    println!(
        "  POST https://api.test.samarbeid.digdir.no/clients/<client_id>/jwks  with the body of {}",
        jwks_path.display()
    );
    println!("Then get tokens with it:");
    println!("  maskinporten token --client-id <client_id> --key {} --kid {kid} --scope <scope>", key_path.display());
    Ok(())
}

/// Creates a new file (never overwrites); a private key is created with mode 0600 from the start.
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> CliResult<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file =
        options.open(path).map_err(|e| CliError::Message(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes).map_err(|e| CliError::Message(format!("cannot write {}: {e}", path.display())))
}
