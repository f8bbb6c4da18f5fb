//! One actionable line per Maskinporten error code, from the protocol documentation.

use crate::environment::Environment;

/// Finds the `MP-nnn` code in an error description.
pub(crate) fn find_mp_code(description: &str) -> Option<String> {
    let bytes = description.as_bytes();
    (0..bytes.len().saturating_sub(5)).find_map(|i| {
        let candidate = bytes.get(i..i + 6)?;
        let digits_end = i + 6;
        let well_formed = candidate.starts_with(b"MP-")
            && candidate[3..].iter().all(u8::is_ascii_digit)
            && !bytes.get(digits_end).is_some_and(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        well_formed.then(|| description[i..digits_end].to_string())
    })
}

/// The hint for an MP code, or for a bare OAuth error code when there is no MP code.
pub(crate) fn hint(mp_code: Option<&str>, error: &str, environment: Option<&Environment>) -> Option<String> {
    let text = match mp_code {
        Some("MP-011") => "a request parameter is invalid: send grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and the grant as assertion, form-encoded",
        Some("MP-012") => "this grant's jti was used before: build a new grant (fresh jti) for every token request, never resend one",
        Some("MP-100") => "Maskinporten does not know this client here: check that iss is your client_id and that the client is registered in this environment (test and prod are separate)",
        Some("MP-110") => {
            let issuer = environment.map(Environment::issuer);
            return Some(match issuer {
                Some(issuer) => format!("aud must be exactly {issuer} (the issuer, with trailing slash), not the token endpoint"),
                None => "aud must be exactly the issuer with trailing slash (https://test.maskinporten.no/ or https://maskinporten.no/), not the token endpoint".into(),
            });
        }
        Some("MP-120") => "the certificate was refused: use a valid enterprise certificate for this environment (test certificates work only in test, production ones only in prod), not expired or revoked",
        Some("MP-121") => "the key registered on the client has expired (keys live one year): register a new key (JWK) on the client and sign with it",
        Some("MP-122") => "the certificate's organisation number differs from the client's: sign with the certificate of the organisation that owns the client",
        Some("MP-123") => "x5c is invalid: it must be a JSON array of standard-base64 DER certificates, leaf first",
        Some("MP-124") => "the signature did not verify: the private key must match the certificate in x5c (or the key registered under kid), and alg must match",
        Some("MP-130") => "the grant is expired or issued in the future: synchronise the host clock (NTP; about 10 s of skew is allowed) and keep exp - iat <= 120 s",
        Some("MP-200") => "the scope is not registered on this client: add it to the client in Samarbeidsportalen or through the self-service API",
        Some("MP-201") => "the scope is not available for this kind of integration: check the client's integration type",
        Some("MP-250") => "your organisation has not been granted this scope: ask the API owner for access",
        Some("MP-251") => "the scope is not delegated to you in Altinn for this consumer_org: the consumer must delegate it to your organisation in Altinn",
        Some("MP-301") => "unknown authorization_details type: use urn:altinn:systemuser or urn:altinn:consent",
        Some("MP-302") => "authorization_details has fields Maskinporten does not know: send only the documented fields",
        Some("MP-303") => "authorization_details has invalid values. For a system user the two usual causes: the system's client_id is not registered on the system in Altinn's system register, or the externalRef is missing (or differs from the one the system user was created with); also check systemuser_org.ID is 0192:<orgno>",
        _ => match error {
            "invalid_scope" => "a scope is not registered on the client or not granted to your organisation",
            "invalid_client" => "the client is unknown or disabled in this environment",
            "unsupported_grant_type" => "grant_type must be urn:ietf:params:oauth:grant-type:jwt-bearer",
            "temporarily_unavailable" | "server_error" => "Maskinporten had a problem: retry with backoff",
            _ => return None,
        },
    };
    Some(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_codes() {
        assert_eq!(
            find_mp_code("Invalid assertion. Client authentication failed. (MP-110)").as_deref(),
            Some("MP-110")
        );
        assert_eq!(find_mp_code("MP-012: Grant already used").as_deref(), Some("MP-012"));
        assert_eq!(find_mp_code("MP-1234 is not a code"), None);
        assert_eq!(find_mp_code("XMP-110"), None);
        assert_eq!(find_mp_code("no code"), None);
        assert_eq!(find_mp_code("æøå MP-250"), Some("MP-250".into()));
    }

    #[test]
    fn aud_hint_names_the_environment() {
        let hint = hint(Some("MP-110"), "invalid_grant", Some(&Environment::prod())).unwrap();
        assert!(hint.contains("https://maskinporten.no/"));
    }
}
