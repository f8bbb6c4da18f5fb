//! X.509 reading on arbitrary DER: `CertificateInfo::from_der`, and the same bytes as a PEM
//! certificate through `Key::from_external`, which also reads the RSA public key.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use maskinporten::{CertificateInfo, Key};
use maskinporten_fuzz::NOW;

fuzz_target!(|data: &[u8]| {
    let info = CertificateInfo::from_der(data);
    if let Ok(info) = &info {
        assert_eq!(info.is_valid_at(NOW), info.check_valid_at(NOW).is_ok());
        if let Some(org) = &info.org_number {
            assert!(org.len() == 9 && org.bytes().all(|b| b.is_ascii_digit()), "org number {org:?}");
        }
    }
    let base64 = STANDARD.encode(data);
    let lines: Vec<&str> = base64.as_bytes().chunks(64).filter_map(|line| std::str::from_utf8(line).ok()).collect();
    let pem = format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"));
    match Key::from_external(Some(&pem), None) {
        Ok(key) => assert_eq!(key.certificate(), info.as_ref().ok(), "both paths read the same facts"),
        Err(_) => assert!(info.is_err(), "a certificate CertificateInfo reads is a usable external key"),
    }
});
