//! `maskinporten inspect [TOKEN|-]`: shows what a grant or access token claims. It verifies
//! nothing (no signature, issuer or audience check) and says so.

use crate::args::InspectArgs;
use crate::error::{CliError, CliResult};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;
use std::io::Read;

pub fn run(args: &InspectArgs) -> CliResult<()> {
    let text = match args.token.as_deref() {
        Some(token) if token != "-" => token.to_string(),
        _ => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| CliError::Message(format!("cannot read the token from stdin: {e}")))?;
            input
        }
    };
    if text.trim().is_empty() {
        return Err(CliError::Usage("no token given: pass it as an argument, or `-` and pipe it on stdin".into()));
    }
    let token = text.trim();
    match &args.jwks {
        None => print!("{}", describe(token, maskinporten::unix_now())?),
        Some(jwks) => {
            let verified = verify(token, jwks, args.env.as_deref())?;
            print!("{}", describe(token, maskinporten::unix_now())?.replacen(UNVERIFIED, &verified, 1));
        }
    }
    Ok(())
}

const UNVERIFIED: &str =
    "WARNING: nothing was verified: not the signature, not the issuer, not the expiry. This shows what the token claims.";

/// Checks an access token with the core's validator; the line that replaces the warning.
fn verify(token: &str, jwks: &str, env: Option<&str>) -> CliResult<String> {
    let token_issuer = part(token, 1, "claims")?.get("iss").and_then(Value::as_str).map(str::to_string);
    let issuer_source =
        if env.is_some() { "required with --env" } else { "taken from the token (pass --env to require one)" };
    let environment = match (env, token_issuer) {
        (Some(name), _) => maskinporten::Environment::from_name(name)?,
        (None, Some(iss)) => maskinporten::Environment::from_name(&iss)?,
        (None, None) => return Err(CliError::Message("the token has no iss: pass --env".into())),
    };
    let requirements = maskinporten::Requirements::any_scope_unchecked();
    let checked = if jwks.starts_with("https://") || jwks.starts_with("http://") {
        let environment = maskinporten::Environment::custom(environment.issuer(), environment.token_endpoint(), jwks)?;
        let validator =
            maskinporten_transport::blocking::TokenValidator::new(maskinporten::Validator::new(environment))?;
        validator.validate(token, &requirements)?
    } else {
        let now = maskinporten::unix_now();
        let mut validator = maskinporten::Validator::new(environment.clone());
        validator.update_jwks(&crate::error::read_file(std::path::Path::new(jwks), "the JWKS file")?, now)?;
        validator.validate(token, now, &requirements)?
    };
    Ok(format!(
        "VERIFIED against {jwks}: signature, issuer {} ({issuer_source}), expiry and token type; consumer {}",
        environment.issuer(),
        checked.consumer.org_number.as_deref().unwrap_or(&checked.consumer.id)
    ))
}

fn part(jwt: &str, index: usize, name: &str) -> CliResult<Value> {
    let encoded = jwt.split('.').nth(index).unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).map_err(|_| {
        CliError::Message(format!("the {name} is not base64url: give a JWT (three dot-separated parts)"))
    })?;
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|_| CliError::Message(format!("the {name} is not JSON: give a JWT")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(CliError::Message(format!("the {name} is not a JSON object: give a JWT")))
    }
}

/// The whole report as text (separate from printing, for tests).
pub fn describe(jwt: &str, now: i64) -> CliResult<String> {
    let parts = jwt.split('.').count();
    if parts != 3 {
        return Err(CliError::Message(format!(
            "not a signed JWT: expected 3 dot-separated parts, found {parts} (an encrypted token cannot be inspected)"
        )));
    }
    let header = part(jwt, 0, "header")?;
    let claims = part(jwt, 1, "claims")?;
    let is_access_token =
        claims.get("client_amr").is_some() || claims.get("consumer").is_some() || claims.get("token_type").is_some();
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(UNVERIFIED.into());
    line(format!("type:        {}", if is_access_token { "access token" } else { "grant (JWT-bearer assertion)" }));
    line(format!("header:      {}", compact(&header)));
    if let Some(chain) = header.get("x5c").and_then(Value::as_array) {
        if let Some(leaf) = chain.first().and_then(Value::as_str).and_then(|b64| STANDARD.decode(b64).ok()) {
            match maskinporten::CertificateInfo::from_der(&leaf) {
                Ok(cert) => {
                    line(format!("certificate: {} (issuer {})", cert.subject, cert.issuer));
                    line(format!(
                        "             valid {} to {}{}",
                        maskinporten::format_utc(cert.not_before),
                        maskinporten::format_utc(cert.not_after),
                        cert.org_number.map(|o| format!(", org number {o}")).unwrap_or_default()
                    ));
                }
                Err(e) => line(format!("certificate: unreadable x5c[0]: {e}")),
            }
        }
    }
    line(format!("claims:      {}", pretty_indented(&claims)));
    // The claims are untrusted: any i64 can arrive, so every difference is checked.
    let int = |name: &str| claims.get(name).and_then(Value::as_i64);
    if let Some(iat) = int("iat") {
        line(format!("issued:      {} ({})", maskinporten::format_utc(iat), relative(iat.checked_sub(now))));
    }
    if let Some(exp) = int("exp") {
        let state = if exp <= now { "EXPIRED" } else { "not expired" };
        line(format!("expires:     {} ({}, {state})", maskinporten::format_utc(exp), relative(exp.checked_sub(now))));
        if let Some(iat) = int("iat") {
            let lifetime = exp.checked_sub(iat).map(duration).unwrap_or_else(|| OUT_OF_RANGE.to_string());
            line(format!("lifetime:    {lifetime}"));
        }
    }
    let id = |v: Option<&Value>| v.and_then(|c| c.get("ID")).and_then(Value::as_str).map(org_from_id);
    if is_access_token {
        if let Some(consumer) = id(claims.get("consumer")) {
            line(format!("consumer:    {consumer}"));
        }
        if let Some(supplier) = id(claims.get("supplier")) {
            let source = claims.get("delegation_source").and_then(Value::as_str).unwrap_or("unknown source");
            line(format!("delegation:  supplier {supplier} acts for the consumer (delegated through {source})"));
        }
    } else if let Some(consumer) = claims.get("consumer_org").and_then(Value::as_str) {
        line(format!("consumer:    {consumer} (consumer_org: the client acts for this organisation)"));
    }
    if let Some(onbehalfof) =
        claims.get("iss_onbehalfof").or_else(|| claims.get("client_onbehalfof")).and_then(Value::as_str)
    {
        line(format!("onbehalfof:  {onbehalfof}"));
    }
    if let Some(details) = claims.get("authorization_details").and_then(Value::as_array) {
        for detail in details {
            match detail.get("type").and_then(Value::as_str) {
                Some("urn:altinn:systemuser") => {
                    let org = id(detail.get("systemuser_org")).unwrap_or_else(|| "?".into());
                    line(format!("system user: owned by {org}"));
                }
                Some(other) => line(format!("authorization_details: {other}")),
                None => {}
            }
        }
    }
    Ok(out)
}

/// `0192:311000004` -> `311000004 (0192:311000004)`; other forms as they are.
fn org_from_id(id: &str) -> String {
    match maskinporten::Organisation::parse_id(id) {
        Some(org) => format!("{} ({id})", org.org_number.as_deref().unwrap_or(&org.id)),
        None => id.to_string(),
    }
}

fn compact(value: &Value) -> String {
    let mut shown = value.clone();
    // A certificate chain is long: show its size, the decoded leaf is printed below.
    if let Some(chain) = shown.get_mut("x5c") {
        if let Some(list) = chain.as_array() {
            *chain = Value::String(format!("[{} certificate(s)]", list.len()));
        }
    }
    shown.to_string()
}

fn pretty_indented(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default().replace('\n', "\n             ")
}

/// A difference of two claimed times that does not fit in an i64.
const OUT_OF_RANGE: &str = "out of range";

/// "in 1 min 30 s" / "2 h 5 min ago".
fn relative(delta: Option<i64>) -> String {
    match delta {
        None => OUT_OF_RANGE.to_string(),
        Some(0) => "now".to_string(),
        Some(d) if d > 0 => format!("in {}", duration(d)),
        Some(d) => format!("{} ago", magnitude(d.unsigned_abs())),
    }
}

fn duration(seconds: i64) -> String {
    let text = magnitude(seconds.unsigned_abs());
    if seconds < 0 {
        format!("-{text}")
    } else {
        text
    }
}

fn magnitude(s: u64) -> String {
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min {sec} s")
    } else {
        format!("{sec} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: Value, claims: Value) -> String {
        format!("{}.{}.c2ln", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    #[test]
    fn access_token_with_delegation() {
        let token = jwt(
            serde_json::json!({"alg": "RS256", "kid": "k"}),
            serde_json::json!({"iat": 1000, "exp": 1120, "client_amr": "virksomhetssertifikat",
                "consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:312000008"},
                "supplier": {"authority": "iso6523-actorid-upis", "ID": "0192:311000004"}, "delegation_source": "https://altinn"}),
        );
        let report = describe(&token, 1030).expect("report");
        assert!(report.starts_with("WARNING: nothing was verified"));
        assert!(report.contains("type:        access token"));
        assert!(report.contains("(in 1 min 30 s, not expired)"), "{report}");
        assert!(report.contains("consumer:    312000008"));
        assert!(report.contains("supplier 311000004"));
        assert!(report.contains("lifetime:    2 min 0 s"));
    }

    #[test]
    fn expired_grant_with_consumer_org() {
        let token = jwt(
            serde_json::json!({"alg": "RS256"}),
            serde_json::json!({"iat": 1000, "exp": 1120, "consumer_org": "312000008"}),
        );
        let report = describe(&token, 1000 + 7200).expect("report");
        assert!(report.contains("grant"));
        assert!(report.contains("1 h 58 min ago, EXPIRED"), "{report}");
        assert!(report.contains("consumer:    312000008"));
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        for (iat, exp, now) in [
            (i64::MAX, i64::MIN, 0),
            (i64::MIN, i64::MAX, 0),
            (i64::MIN, i64::MIN, i64::MAX),
            (i64::MAX, i64::MAX, i64::MIN),
            (0, i64::MIN, 1),
        ] {
            let token = jwt(serde_json::json!({"alg": "RS256"}), serde_json::json!({"iat": iat, "exp": exp}));
            let report = describe(&token, now).expect("report");
            assert!(report.contains("issued:") && report.contains("expires:"), "{report}");
        }
        let token = jwt(serde_json::json!({"alg": "RS256"}), serde_json::json!({"iat": i64::MIN, "exp": i64::MAX}));
        let report = describe(&token, 0).expect("report");
        assert!(report.contains("lifetime:    out of range"), "{report}");
        // i64::MIN - 1 overflows; i64::MIN itself is shown without negating it.
        let token = jwt(serde_json::json!({"alg": "RS256"}), serde_json::json!({"iat": 0, "exp": i64::MIN}));
        let report = describe(&token, 0).expect("report");
        assert!(report.contains("lifetime:    -106751991167300 d 15 h"), "{report}");
        assert!(report.contains("(106751991167300 d 15 h ago, EXPIRED)"), "{report}");
        let token = jwt(serde_json::json!({"alg": "RS256"}), serde_json::json!({"iat": i64::MAX, "exp": 0}));
        assert!(describe(&token, -1).expect("report").contains("issued:"));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        assert!(describe("not-a-jwt", 0).is_err());
        assert!(describe("a.b.c", 0).unwrap_err().to_string().contains("header is not base64url"));
        assert!(describe("e30.W10.x", 0).unwrap_err().to_string().contains("JSON object"));
    }
}
