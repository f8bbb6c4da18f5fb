//! The ordered grant checks. Each failing check answers Maskinporten's JSON error with the
//! `MP-nnn` code in `error_description`. The order is the contract documented in the README.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::crypto::{self, RsAlg};
use crate::registry::{Client, Registry};
use crate::{details, eseal};

/// A rejected token request: HTTP status, OAuth `error`, `MP-nnn` code and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// HTTP status: always 400, as Maskinporten answers every grant it refuses (an unknown
    /// client included: MP-100 `invalid_grant`, not RFC 6749's 401 `invalid_client`).
    pub status: u16,
    /// OAuth error code, e.g. `invalid_grant`.
    pub error: &'static str,
    /// Maskinporten's id, e.g. `MP-110`.
    pub mp_code: &'static str,
    /// Human text (never contains the grant).
    pub message: String,
}

impl Rejection {
    pub(crate) fn new(error: &'static str, mp_code: &'static str, message: impl Into<String>) -> Self {
        Rejection { status: 400, error, mp_code, message: message.into() }
    }
    /// The JSON body: `{"error", "error_description": "<message> (MP-nnn)"}`.
    pub fn body(&self) -> Value {
        json!({"error": self.error, "error_description": format!("{} ({})", self.message, self.mp_code)})
    }
}

fn grant(mp: &'static str, msg: impl Into<String>) -> Rejection {
    Rejection::new("invalid_grant", mp, msg)
}
fn request(msg: impl Into<String>) -> Rejection {
    Rejection::new("invalid_request", "MP-011", msg)
}
pub(crate) fn rar(mp: &'static str, msg: impl Into<String>) -> Rejection {
    Rejection::new("invalid_authorization_details", mp, msg)
}

/// Remembers used `jti`s (per client) until the grant could no longer be accepted anyway.
#[derive(Debug, Default)]
pub(crate) struct JtiStore {
    seen: HashMap<(String, String), i64>,
}

impl JtiStore {
    /// Returns false when `(iss, jti)` was already used; else records it until `forget_at`.
    pub(crate) fn check_and_insert(&mut self, iss: &str, jti: &str, now: i64, forget_at: i64) -> bool {
        if self.seen.len() > 10_000 {
            self.seen.retain(|_, t| *t >= now);
        }
        let key = (iss.to_string(), jti.to_string());
        match self.seen.get(&key) {
            Some(t) if *t >= now => false,
            _ => {
                self.seen.insert(key, forget_at);
                true
            }
        }
    }
    pub(crate) fn clear(&mut self) {
        self.seen.clear();
    }
}

/// What a valid grant asks for: enough to write the access token.
#[derive(Debug)]
pub(crate) struct Accepted {
    pub client_id: String,
    pub client_amr: &'static str,
    /// The `consumer` claim (`0192:<orgno>`, or an eSeal's ETSI identifier and names).
    pub consumer: Value,
    pub supplier_org: Option<String>,
    pub scopes: Vec<String>,
    pub lifetime: i64,
    pub resource: Option<Value>,
    pub pid: Option<String>,
    pub iss_onbehalfof: Option<String>,
    pub authorization_details: Option<Value>,
}

const DOCUMENTED: &[&str] = &[
    "aud",
    "iss",
    "scope",
    "iat",
    "exp",
    "jti",
    "resource",
    "consumer_org",
    "iss_onbehalfof",
    "pid",
    "authorization_details",
];

fn int_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, Rejection> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => match v.as_i64().or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f.floor() as i64)) {
            Some(i) => Ok(Some(i)),
            None => Err(grant("MP-100", format!("Invalid assertion: {name} must be a NumericDate"))),
        },
    }
}

fn str_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, Rejection> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(grant("MP-100", format!("Invalid assertion: {name} must be a string"))),
    }
}

enum Signer<'a> {
    Cert { chain: Vec<Vec<u8>> },
    Kid { kid: &'a str },
}

/// Runs every check in order. `jti_unused(iss, jti, now, forget_at)` is called once, at the
/// replay check, and must record the jti (returning false when it was already used).
pub(crate) fn validate(
    reg: &Registry,
    issuer: &str,
    jti_unused: impl FnOnce(&str, &str, i64, i64) -> bool,
    content_type: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<Accepted, Rejection> {
    // 1. Form fields and grant_type.
    let ct = content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if ct != "application/x-www-form-urlencoded" {
        return Err(request("Content-Type must be application/x-www-form-urlencoded"));
    }
    let mut form: HashMap<String, String> = HashMap::new();
    for (k, v) in form_urlencoded::parse(body) {
        if form.insert(k.to_string(), v.to_string()).is_some() {
            return Err(request(format!("Parameter {k} is repeated")));
        }
    }
    match form.get("grant_type").map(String::as_str) {
        None | Some("") => return Err(request("Missing parameter grant_type")),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {}
        Some(_) => {
            return Err(Rejection::new(
                "unsupported_grant_type",
                "MP-011",
                "Invalid grant_type, expected urn:ietf:params:oauth:grant-type:jwt-bearer",
            ))
        }
    }
    let assertion = match form.get("assertion").map(String::as_str) {
        None | Some("") => return Err(request("Missing parameter assertion")),
        Some(a) => a,
    };

    // 2. JWT shape.
    let parts: Vec<&str> = assertion.split('.').collect();
    if parts.len() != 3 {
        return Err(grant("MP-100", "Invalid assertion: not a compact JWS with three parts"));
    }
    let decode_obj = |s: &str, what: &str| -> Result<Map<String, Value>, Rejection> {
        let bytes = crypto::b64url_decode(s)
            .ok_or_else(|| grant("MP-100", format!("Invalid assertion: {what} is not base64url without padding")))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(grant("MP-100", format!("Invalid assertion: {what} is not a JSON object"))),
        }
    };
    let header = decode_obj(parts[0], "header")?;
    let claims = decode_obj(parts[1], "payload")?;
    let signature = crypto::b64url_decode(parts[2])
        .ok_or_else(|| grant("MP-100", "Invalid assertion: signature is not base64url without padding"))?;

    // 3. alg allow-list (and header sanity).
    let alg_name = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let alg = RsAlg::parse(alg_name).ok_or_else(|| {
        grant("MP-100", format!("Invalid assertion: alg {alg_name:?} is not allowed (RS256, RS384, RS512)"))
    })?;
    for forbidden in ["crit", "jku", "jwk", "x5u"] {
        if header.contains_key(forbidden) {
            return Err(grant("MP-100", format!("Invalid assertion: header parameter {forbidden} is not supported")));
        }
    }
    if let Some(typ) = header.get("typ") {
        if typ.as_str().map(|t| !t.eq_ignore_ascii_case("JWT")).unwrap_or(true) {
            return Err(grant("MP-100", "Invalid assertion: typ must be JWT"));
        }
    }

    // 4. x5c (an array) XOR kid.
    let iss_hint = claims.get("iss").and_then(Value::as_str);
    let signer = match (header.get("x5c"), header.get("kid")) {
        (Some(_), Some(_)) => return Err(grant("MP-100", "Invalid assertion: send either x5c or kid, not both")),
        (None, None) => return Err(grant("MP-100", "Invalid assertion: the header needs x5c or kid")),
        (Some(Value::Array(items)), None) => {
            if items.is_empty() {
                return Err(grant("MP-123", "Invalid x5c: empty array"));
            }
            let mut chain = Vec::new();
            for item in items {
                let der = item
                    .as_str()
                    .and_then(crypto::b64std_decode)
                    .ok_or_else(|| grant("MP-123", "Invalid x5c: entries must be standard base64 DER certificates"))?;
                if crypto::parse_cert(&der).is_none() {
                    return Err(grant("MP-123", "Invalid x5c: an entry is not an X.509 certificate"));
                }
                chain.push(der);
            }
            Signer::Cert { chain }
        }
        (Some(_), None) => return Err(grant("MP-123", "Invalid x5c: must be a JSON array of certificates")),
        (None, Some(Value::String(kid))) if !kid.is_empty() => Signer::Kid { kid },
        (None, Some(_)) => return Err(grant("MP-100", "Invalid assertion: kid must be a non-empty string")),
    };

    // 5. Signature.
    let signing_input = &assertion[..parts[0].len() + 1 + parts[1].len()];
    let mut key_client: Option<&Client> = None;
    match &signer {
        Signer::Cert { chain } => {
            let leaf = crypto::parse_cert(&chain[0]).ok_or_else(|| grant("MP-123", "Invalid x5c"))?;
            if !crypto::verify_with_cert(&leaf, alg, signing_input.as_bytes(), &signature) {
                return Err(grant("MP-124", "Invalid signature"));
            }
        }
        Signer::Kid { kid } => {
            let owners =
                reg.kids.get(*kid).ok_or_else(|| grant("MP-100", format!("Invalid assertion: unknown kid {kid:?}")))?;
            let owner = owners.iter().find(|c| Some(c.as_str()) == iss_hint).unwrap_or(&owners[0]);
            let client = reg.clients.get(owner).ok_or_else(|| grant("MP-100", "Invalid assertion: unknown kid"))?;
            let key = client
                .keys
                .iter()
                .find(|k| k.kid == *kid)
                .ok_or_else(|| grant("MP-100", "Invalid assertion: unknown kid"))?;
            if !key.key.verify(alg, signing_input.as_bytes(), &signature) {
                return Err(grant("MP-124", "Invalid signature"));
            }
            if let Some(exp) = key.expires_at {
                if now >= exp {
                    return Err(grant("MP-121", format!("Registered key {kid:?} has expired; register a new key")));
                }
            }
            key_client = Some(client);
        }
    }

    // 6. Certificate validity, trust and org number (for an eSeal consumer: its own CAs, the full
    // chain, and the organizationIdentifier).
    let mut eseal_consumer: Option<Value> = None;
    if let (Signer::Cert { chain }, Some((client, eseal))) =
        (&signer, iss_hint.and_then(|i| reg.clients.get(i)).and_then(|c| Some((c, c.eseal.as_ref()?))))
    {
        if chain.len() < 2 {
            return Err(grant(
                "MP-120",
                "Invalid certificate: an eSeal grant must carry the full certificate chain in x5c (leaf first)",
            ));
        }
        let anchors: Vec<&Vec<u8>> = client.anchors.iter().collect();
        check_chain(chain, &anchors, now)?;
        let leaf = crypto::parse_cert(&chain[0]).ok_or_else(|| grant("MP-123", "Invalid x5c"))?;
        let oid = eseal::organization_identifier(&leaf)
            .ok_or_else(|| grant("MP-120", "Invalid certificate: no organizationIdentifier in the eSeal's subject"))?;
        if oid != eseal.organization_identifier {
            return Err(grant(
                "MP-122",
                format!(
                    "Certificate organizationIdentifier {oid} differs from the client's {}",
                    eseal.organization_identifier
                ),
            ));
        }
        eseal_consumer = Some(eseal::consumer(&leaf, &oid));
    } else if let Signer::Cert { chain } = &signer {
        let hinted = iss_hint.and_then(|i| reg.clients.get(i));
        let mut anchors: Vec<&Vec<u8>> = reg.anchors.iter().collect();
        if let Some(c) = hinted {
            anchors.extend(c.anchors.iter());
        }
        let leaf = crypto::parse_cert(&chain[0]).ok_or_else(|| grant("MP-123", "Invalid x5c"))?;
        check_chain(chain, &anchors, now)?;
        let org = crypto::org_number(&leaf)
            .ok_or_else(|| grant("MP-120", "Invalid certificate: no organisation number in the subject"))?;
        if let Some(c) = hinted {
            if c.org_number != org {
                return Err(grant(
                    "MP-122",
                    format!("Certificate organisation number {org} differs from the client's {}", c.org_number),
                ));
            }
        }
    }

    // 7. aud exact.
    match claims.get("aud") {
        Some(Value::String(a)) if a == issuer => {}
        Some(Value::String(a)) => {
            let hint = if format!("{a}/") == issuer { " (missing trailing slash)" } else { "" };
            return Err(grant("MP-110", format!("Invalid audience {a:?}{hint}; expected {issuer:?}")));
        }
        Some(_) => return Err(grant("MP-110", format!("Invalid audience: must be the string {issuer:?}"))),
        None => return Err(grant("MP-110", format!("Missing aud; expected {issuer:?}"))),
    }

    // 8. iat skew and lifetime.
    let skew = reg.clock_skew;
    let iat = int_claim(&claims, "iat")?.ok_or_else(|| grant("MP-100", "Invalid assertion: missing iat"))?;
    let exp = int_claim(&claims, "exp")?.ok_or_else(|| grant("MP-100", "Invalid assertion: missing exp"))?;
    if iat > now + skew {
        return Err(grant("MP-130", "The JWT is not valid: issue time is in the future"));
    }
    if exp <= iat {
        return Err(grant("MP-130", "The JWT is not valid: exp must be after iat"));
    }
    if exp - iat > reg.max_grant_lifetime {
        return Err(grant(
            "MP-130",
            format!("The JWT is not valid: lifetime {} s exceeds {} s", exp - iat, reg.max_grant_lifetime),
        ));
    }
    if exp + skew < now {
        return Err(grant("MP-130", "The JWT is not valid: expired"));
    }
    if let Some(nbf) = int_claim(&claims, "nbf")? {
        if nbf > now + skew {
            return Err(grant("MP-130", "The JWT is not valid: nbf is in the future"));
        }
    }

    // 9. jti replay.
    let iss = str_claim(&claims, "iss")?.ok_or_else(|| grant("MP-100", "Invalid assertion: missing iss"))?;
    let jti = str_claim(&claims, "jti")?.ok_or_else(|| grant("MP-100", "Invalid assertion: missing jti"))?;
    if jti.is_empty() || jti.len() > 256 {
        return Err(grant("MP-100", "Invalid assertion: jti must be 1..=256 characters"));
    }
    if !jti_unused(iss, jti, now, exp.max(now) + skew) {
        return Err(grant("MP-012", "The grant has already been used (jti replayed)"));
    }

    // 10. Client known (and allowed to sign this way). Digdir's troubleshooting page lists a
    // mistyped client id under invalid_grant: "Invalid assertion. Client authentication failed".
    let client =
        reg.clients.get(iss).ok_or_else(|| grant("MP-100", "Invalid assertion. Client authentication failed"))?;
    let client_amr = match &signer {
        Signer::Cert { .. } => {
            if !client.x5c {
                return Err(grant("MP-100", "Invalid assertion: this client does not accept enterprise certificates"));
            }
            match &client.eseal {
                Some(eseal) if eseal.qualified => "QCForESeal",
                Some(_) => "CForESeal",
                None => "virksomhetssertifikat",
            }
        }
        Signer::Kid { kid } => {
            let owns = key_client.map(|k| k.client_id == client.client_id).unwrap_or(false)
                && client.keys.iter().any(|k| k.kid == *kid);
            if !owns {
                return Err(grant(
                    "MP-100",
                    format!("Invalid assertion: kid {kid:?} is not registered on this client"),
                ));
            }
            "private_key_jwt"
        }
    };

    // 11. Scope registered and granted.
    let scope = str_claim(&claims, "scope")?.ok_or_else(|| grant("MP-100", "Invalid assertion: missing scope"))?;
    let mut scopes: Vec<String> = Vec::new();
    for s in scope.split(' ') {
        if s.is_empty() {
            return Err(Rejection::new("invalid_scope", "MP-200", "Invalid scope: empty scope or extra space"));
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    for s in &scopes {
        if !client.scopes.iter().any(|c| c == s) {
            return Err(Rejection::new(
                "invalid_scope",
                "MP-200",
                format!("Invalid scope {s:?}: not granted to this client"),
            ));
        }
    }

    // 12. consumer_org delegation (and the consumer's grant of each scope).
    let consumer_org = str_claim(&claims, "consumer_org")?;
    let iss_onbehalfof = str_claim(&claims, "iss_onbehalfof")?;
    if consumer_org.is_some() && iss_onbehalfof.is_some() {
        return Err(request("consumer_org and iss_onbehalfof are mutually exclusive"));
    }
    if client.eseal.is_some() && (consumer_org.is_some() || iss_onbehalfof.is_some()) {
        return Err(request("consumer_org and iss_onbehalfof are not available to eSeal consumers"));
    }
    let (consumer, supplier) = match consumer_org {
        None if client.eseal.is_some() => {
            (client.eseal.as_ref().map(|e| e.organization_identifier.clone()).unwrap_or_default(), None)
        }
        None => (client.org_number.clone(), None),
        Some(org) => {
            if !crypto::valid_org_number(org) {
                return Err(request(format!("Invalid consumer_org {org:?}: not a 9-digit organisation number")));
            }
            if org == client.org_number {
                return Err(request("consumer_org is the client's own organisation number"));
            }
            for s in &scopes {
                let delegated = reg.delegations.iter().any(|d| {
                    d.consumer_org == org
                        && d.supplier_org == client.org_number
                        && d.scopes.iter().any(|x| x == s)
                        && d.client_id.as_deref().map(|c| c == client.client_id).unwrap_or(true)
                });
                if !delegated {
                    return Err(Rejection::new(
                        "invalid_scope",
                        "MP-251",
                        format!("Scope {s:?} is not delegated from {org} to {} in Altinn", client.org_number),
                    ));
                }
            }
            (org.to_string(), Some(client.org_number.clone()))
        }
    };
    for s in &scopes {
        if let Some(allowed) = reg.scopes.get(s).and_then(|c| c.consumers.as_ref()) {
            if !allowed.contains(&consumer) {
                return Err(Rejection::new(
                    "invalid_scope",
                    "MP-250",
                    format!("Consumer {consumer} has not been granted scope {s:?}"),
                ));
            }
        }
    }

    // 13. iss_onbehalfof.
    if let Some(obo) = iss_onbehalfof {
        if !client.onbehalfof.iter().any(|o| o == obo) {
            return Err(request(format!("Invalid iss_onbehalfof {obo:?}: not registered on the client")));
        }
    }

    // 14. RAR types and fields.
    let authorization_details = match claims.get("authorization_details") {
        None => None,
        Some(v) => {
            let org = client.eseal.is_none().then_some(consumer.as_str());
            Some(details::token_details(reg, client, org, v, now)?)
        }
    };

    // 15. Remaining claim values, then undocumented claims.
    let pid = str_claim(&claims, "pid")?;
    if let Some(p) = pid {
        if p.len() != 11 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(request("Invalid pid: must be 11 digits"));
        }
    }
    let resource = match claims.get("resource") {
        None => None,
        Some(Value::String(r)) if is_abs_uri(r) => Some(Value::String(r.clone())),
        Some(Value::Array(items))
            if !items.is_empty() && items.iter().all(|i| i.as_str().map(is_abs_uri).unwrap_or(false)) =>
        {
            Some(Value::Array(items.clone()))
        }
        Some(_) => return Err(request("Invalid resource: must be an absolute URI or a non-empty array of them")),
    };
    for name in claims.keys() {
        let allowed = DOCUMENTED.contains(&name.as_str()) || (name == "nbf" && reg.allow_nbf);
        if !allowed {
            return Err(grant("MP-100", format!("Invalid assertion: undocumented claim {name:?}")));
        }
    }

    let mut lifetime = reg.token_lifetime;
    for s in &scopes {
        if let Some(max) = reg.scopes.get(s).and_then(|c| c.at_max_age) {
            lifetime = lifetime.min(max);
        }
    }
    let consumer_claim = match eseal_consumer {
        Some(claim) => claim,
        None => json!({"authority": "iso6523-actorid-upis", "ID": format!("0192:{consumer}")}),
    };
    Ok(Accepted {
        client_id: client.client_id.clone(),
        client_amr,
        consumer: consumer_claim,
        supplier_org: supplier,
        scopes,
        lifetime,
        resource,
        pid: pid.map(str::to_string),
        iss_onbehalfof: iss_onbehalfof.map(str::to_string),
        authorization_details,
    })
}

fn is_abs_uri(s: &str) -> bool {
    match s.split_once("://") {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Leaf valid now and chained (through x5c intermediates) to a trusted anchor.
fn check_chain(chain: &[Vec<u8>], anchors: &[&Vec<u8>], now: i64) -> Result<(), Rejection> {
    let certs: Vec<_> = chain.iter().filter_map(|d| crypto::parse_cert(d)).collect();
    let leaf = &certs[0];
    let (nb, na) = crypto::validity(leaf);
    if now < nb {
        return Err(grant("MP-120", "Invalid certificate: not yet valid"));
    }
    if now > na {
        return Err(grant("MP-120", "Invalid certificate: expired"));
    }
    let parsed_anchors: Vec<_> = anchors.iter().filter_map(|d| crypto::parse_cert(d)).collect();
    let mut current = 0usize;
    for _ in 0..6 {
        let cur = &certs[current];
        if anchors.iter().any(|a| a.as_slice() == chain[current].as_slice()) {
            return Ok(());
        }
        if parsed_anchors.iter().any(|a| crypto::signed_by(cur, a)) {
            return Ok(());
        }
        let next =
            (1..certs.len()).find(|&i| i != current && crypto::is_ca(&certs[i]) && crypto::signed_by(cur, &certs[i]));
        match next {
            Some(i) => {
                let (nb, na) = crypto::validity(&certs[i]);
                if now < nb || now > na {
                    return Err(grant("MP-120", "Invalid certificate: an intermediate certificate is not valid now"));
                }
                current = i;
            }
            None => break,
        }
    }
    Err(grant(
        "MP-120",
        "Invalid certificate: not issued by a CA trusted in this environment (a test certificate in prod or the reverse?)",
    ))
}
