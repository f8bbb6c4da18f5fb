//! Grant validation over real loopback HTTP: the happy paths and every rejection, with its
//! MP code and OAuth error.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x5c_grant_gets_a_token_that_verifies_against_jwk() {
    let sim = start().await;
    let a = send(&sim, &Grant::x5c(&sim).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["token_type"], "Bearer");
    assert_eq!(a.body["expires_in"], 120);
    assert_eq!(a.body["scope"], READ);
    let claims = verify_access_token(&sim, a.body["access_token"].as_str().expect("token")).await;
    assert_eq!(claims["iss"], sim.issuer());
    assert_eq!(claims["client_id"], X5C_CLIENT);
    assert_eq!(claims["client_amr"], "virksomhetssertifikat");
    assert_eq!(claims["consumer"], json!({"authority": "iso6523-actorid-upis", "ID": format!("0192:{SUPPLIER}")}));
    assert_eq!(claims["scope"], READ);
    assert_eq!(claims["token_type"], "Bearer");
    assert_eq!(claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0), 120);
    assert!(claims["jti"].as_str().map(|j| j.len() >= 16).unwrap_or(false));
    assert!(claims.get("aud").is_none(), "aud only when resource was sent");
    assert!(claims.get("supplier").is_none());
    assert_eq!(sim.stats().tokens_issued, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kid_grant_rs384_rs512_and_full_chain_are_accepted() {
    let sim = start().await;
    let a = send(&sim, &Grant::kid(&sim).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let claims = verify_access_token(&sim, a.body["access_token"].as_str().unwrap_or("")).await;
    assert_eq!(claims["client_amr"], "private_key_jwt");
    assert_eq!(claims["client_id"], KID_CLIENT);
    for alg in ["RS384", "RS512"] {
        let a = send(&sim, &Grant::x5c(&sim).header("alg", json!(alg)).sign()).await;
        assert_eq!(a.status, 200, "{alg}: {}", a.text);
    }
    let f = fixture();
    let chain = json!([STANDARD.encode(&f.cert.cert_der), STANDARD.encode(&f.cert.ca_der)]);
    let a = send(&sim, &Grant::x5c(&sim).header("x5c", chain).sign()).await;
    assert_eq!(a.status, 200, "full chain: {}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_max_age_caps_expires_in_and_resource_sets_aud() {
    let sim = start().await;
    let g = Grant::x5c(&sim)
        .claim("scope", json!(format!("{READ} {WRITE}")))
        .claim("resource", json!("https://api.example.no/"));
    let a = send(&sim, &g.sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["expires_in"], 60);
    let claims = verify_access_token(&sim, a.body["access_token"].as_str().unwrap_or("")).await;
    assert_eq!(claims["aud"], "https://api.example.no/");
    assert_eq!(claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0), 60);
    let a = send(&sim, &Grant::x5c(&sim).claim("resource", json!(["https://a.example/", "https://b.example/"])).sign())
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegation_and_system_user_tokens() {
    let sim = start().await;
    let g = Grant::x5c(&sim).claim("scope", json!(DELEGABLE)).claim("consumer_org", json!(CONSUMER));
    let a = send(&sim, &g.sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let claims = verify_access_token(&sim, a.body["access_token"].as_str().unwrap_or("")).await;
    assert_eq!(claims["consumer"]["ID"], format!("0192:{CONSUMER}"));
    assert_eq!(claims["supplier"]["ID"], format!("0192:{SUPPLIER}"));
    assert!(claims["delegation_source"].is_string());

    let rar = json!([{"type": "urn:altinn:systemuser",
        "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{SYSTEM_USER_ORG}")}}]);
    let a = send(&sim, &Grant::x5c(&sim).claim("authorization_details", rar.clone()).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let claims = verify_access_token(&sim, a.body["access_token"].as_str().unwrap_or("")).await;
    let entry = &claims["authorization_details"][0];
    assert_eq!(entry["type"], "urn:altinn:systemuser");
    assert_eq!(entry["systemuser_org"], rar[0]["systemuser_org"]);
    assert_eq!(entry["systemuser_id"].as_array().map(Vec::len), Some(1), "{entry}");
    assert!(entry["system_id"].as_str().is_some_and(|s| s.starts_with(SUPPLIER)), "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_signature_is_mp124() {
    let sim = start().await;
    let jwt = Grant::x5c(&sim).sign();
    // Flip one bit in the middle of the signature.
    let (head, sig) = jwt.rsplit_once('.').unwrap_or(("", ""));
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap_or_default();
    bytes[10] ^= 1;
    let tampered = format!("{head}.{}", URL_SAFE_NO_PAD.encode(bytes));
    expect_rejected(&sim, &tampered, "MP-124", "invalid_grant").await;
    // Claims changed after signing.
    let g = Grant::x5c(&sim);
    let sig = g.sign();
    let sig = sig.rsplit('.').next().unwrap_or("");
    let g2 = g.claim("scope", json!(WRITE));
    expect_rejected(&sim, &format!("{}.{sig}", g2.signing_input()), "MP-124", "invalid_grant").await;
    // Signed by a key other than the certificate's.
    expect_rejected(&sim, &Grant::x5c(&sim).sign_with(&fixture().other_key), "MP-124", "invalid_grant").await;
    expect_rejected(&sim, &Grant::kid(&sim).sign_with(&fixture().other_key), "MP-124", "invalid_grant").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aud_checks_are_mp110() {
    let sim = start().await;
    let no_slash = sim.issuer().trim_end_matches('/').to_string();
    let a =
        expect_rejected(&sim, &Grant::x5c(&sim).claim("aud", json!(no_slash)).sign(), "MP-110", "invalid_grant").await;
    assert!(a.text.contains("trailing slash"), "{}", a.text);
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("aud", json!("https://test.maskinporten.no/")).sign(),
        "MP-110",
        "invalid_grant",
    )
    .await;
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("aud", json!(sim.token_endpoint())).sign(),
        "MP-110",
        "invalid_grant",
    )
    .await;
    expect_rejected(&sim, &Grant::x5c(&sim).claim("aud", json!([sim.issuer()])).sign(), "MP-110", "invalid_grant")
        .await;
    expect_rejected(&sim, &Grant::x5c(&sim).without("aud").sign(), "MP-110", "invalid_grant").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifetime_and_clock_checks_are_mp130() {
    let sim = start().await;
    let t = now();
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("iat", json!(t)).claim("exp", json!(t + 121)).sign(),
        "MP-130",
        "invalid_grant",
    )
    .await;
    // iat 30 s in the future is beyond the 10 s skew; 5 s is within it.
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("iat", json!(t + 30)).claim("exp", json!(t + 60)).sign(),
        "MP-130",
        "invalid_grant",
    )
    .await;
    let a = send(&sim, &Grant::x5c(&sim).claim("iat", json!(t + 5)).claim("exp", json!(t + 60)).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    // Expired grant.
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("iat", json!(t - 200)).claim("exp", json!(t - 100)).sign(),
        "MP-130",
        "invalid_grant",
    )
    .await;
    // Exactly 120 s is fine.
    let a = send(&sim, &Grant::x5c(&sim).claim("iat", json!(t)).claim("exp", json!(t + 120)).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_jti_is_mp012() {
    let sim = start().await;
    let jwt = Grant::x5c(&sim).sign();
    assert_eq!(send(&sim, &jwt).await.status, 200);
    expect_rejected(&sim, &jwt, "MP-012", "invalid_grant").await;
    // Same jti, freshly signed grant: still a replay.
    let g = Grant::x5c(&sim);
    let jti = g.claims["jti"].clone();
    assert_eq!(send(&sim, &g.sign()).await.status, 200);
    expect_rejected(&sim, &Grant::x5c(&sim).claim("jti", jti).sign(), "MP-012", "invalid_grant").await;
    // Reset forgets used jtis.
    sim.reset();
    assert_eq!(send(&sim, &jwt).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_problems_are_mp120_mp122_mp123() {
    let sim = start().await;
    let f = fixture();
    let g = Grant::x5c_with(&sim, &f.expired);
    expect_rejected(&sim, &g.sign_with(&key_of(&f.expired)), "MP-120", "invalid_grant").await;
    // Wrong environment: a certificate from a CA this simulator does not trust.
    let g = Grant::x5c_with(&sim, &f.prod_cert);
    let a = expect_rejected(&sim, &g.sign_with(&key_of(&f.prod_cert)), "MP-120", "invalid_grant").await;
    assert!(a.text.contains("trusted"), "{}", a.text);
    // Certificate of another org than the client's.
    let g = Grant::x5c_with(&sim, &f.other_org);
    expect_rejected(&sim, &g.sign_with(&key_of(&f.other_org)), "MP-122", "invalid_grant").await;
    // x5c as a string instead of an array.
    let g = Grant::x5c(&sim).header("x5c", json!(STANDARD.encode(&f.cert.cert_der)));
    expect_rejected(&sim, &g.sign(), "MP-123", "invalid_grant").await;
    // x5c with url-safe base64 / garbage / empty.
    expect_rejected(&sim, &Grant::x5c(&sim).header("x5c", json!(["not base64!"])).sign(), "MP-123", "invalid_grant")
        .await;
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).header("x5c", json!([STANDARD.encode(b"not a cert")])).sign(),
        "MP-123",
        "invalid_grant",
    )
    .await;
    expect_rejected(&sim, &Grant::x5c(&sim).header("x5c", json!([])).sign(), "MP-123", "invalid_grant").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_checks_kid_x5c_alg() {
    let sim = start().await;
    expect_rejected(&sim, &Grant::kid(&sim).header("kid", json!("no-such-kid")).sign(), "MP-100", "invalid_grant")
        .await;
    let both = Grant::x5c(&sim).header("kid", json!(KID));
    expect_rejected(&sim, &both.sign(), "MP-100", "invalid_grant").await;
    let mut neither = Grant::x5c(&sim);
    neither.header.remove("x5c");
    expect_rejected(&sim, &neither.sign(), "MP-100", "invalid_grant").await;
    for alg in ["none", "HS256", "PS256", "ES256"] {
        let g = Grant::x5c(&sim).header("alg", json!(alg));
        let jwt = if alg == "none" { format!("{}.", g.signing_input()) } else { g.sign() };
        let a = expect_rejected(&sim, &jwt, "MP-100", "invalid_grant").await;
        assert!(a.text.contains("alg"), "{alg}: {}", a.text);
    }
    expect_rejected(&sim, "not-a-jwt", "MP-100", "invalid_grant").await;
    expect_rejected(&sim, "a.b.c", "MP-100", "invalid_grant").await;
    // The kid client's key cannot be used as another client.
    let g = Grant::kid(&sim).claim("iss", json!(X5C_CLIENT));
    expect_rejected(&sim, &g.sign(), "MP-100", "invalid_grant").await;
    // The kid client does not accept enterprise certificates.
    let g = Grant::x5c(&sim).claim("iss", json!(KID_CLIENT));
    expect_rejected(&sim, &g.sign(), "MP-100", "invalid_grant").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_registered_key_is_mp121() {
    let f = fixture();
    let mut config = config();
    if let Some(c) = config.clients.iter_mut().find(|c| c.client_id == KID_CLIENT) {
        c.keys[0].expires_at = Some(now() - 10);
    }
    let sim = maskinporten_simulator::Simulator::start(config, 0).await.expect("start");
    let _ = f;
    expect_rejected(&sim, &Grant::kid(&sim).sign(), "MP-121", "invalid_grant").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_checks() {
    let sim = start().await;
    // Unknown client: 400 invalid_grant, as Maskinporten answers a mistyped client id.
    let a = expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("iss", json!("unknown-client")).sign(),
        "MP-100",
        "invalid_grant",
    )
    .await;
    assert_eq!(a.status, 400);
    assert!(a.text.contains("Invalid assertion. Client authentication failed (MP-100)"), "{}", a.text);
    // Scope not granted.
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("scope", json!("test:scope.admin")).sign(),
        "MP-200",
        "invalid_scope",
    )
    .await;
    expect_rejected(&sim, &Grant::kid(&sim).claim("scope", json!(DELEGABLE)).sign(), "MP-200", "invalid_scope").await;
    // consumer_org not delegated (scope registered on the client, but no delegation for it).
    let g = Grant::x5c(&sim).claim("scope", json!(READ)).claim("consumer_org", json!(CONSUMER));
    expect_rejected(&sim, &g.sign(), "MP-251", "invalid_scope").await;
    let g = Grant::x5c(&sim).claim("scope", json!(DELEGABLE)).claim("consumer_org", json!("974760673"));
    expect_rejected(&sim, &g.sign(), "MP-251", "invalid_scope").await;
    // Malformed consumer_org and own org number.
    let g = Grant::x5c(&sim).claim("scope", json!(DELEGABLE)).claim("consumer_org", json!("123"));
    expect_rejected(&sim, &g.sign(), "MP-011", "invalid_request").await;
    let g = Grant::x5c(&sim).claim("scope", json!(DELEGABLE)).claim("consumer_org", json!(SUPPLIER));
    expect_rejected(&sim, &g.sign(), "MP-011", "invalid_request").await;
    // Undocumented claim (the classic misspelling) and a generic one.
    expect_rejected(&sim, &Grant::x5c(&sim).claim("consumer_orgno", json!(CONSUMER)).sign(), "MP-100", "invalid_grant")
        .await;
    expect_rejected(&sim, &Grant::x5c(&sim).claim("sub", json!("x")).sign(), "MP-100", "invalid_grant").await;
    // nbf is tolerated.
    assert_eq!(send(&sim, &Grant::x5c(&sim).claim("nbf", json!(now())).sign()).await.status, 200);
    // Missing required claims.
    expect_rejected(&sim, &Grant::x5c(&sim).without("jti").sign(), "MP-100", "invalid_grant").await;
    expect_rejected(&sim, &Grant::x5c(&sim).without("scope").sign(), "MP-100", "invalid_grant").await;
    // pid and resource values.
    expect_rejected(&sim, &Grant::x5c(&sim).claim("pid", json!("123")).sign(), "MP-011", "invalid_request").await;
    expect_rejected(&sim, &Grant::x5c(&sim).claim("resource", json!("not a uri")).sign(), "MP-011", "invalid_request")
        .await;
    // iss_onbehalfof not registered, and both delegation claims.
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("iss_onbehalfof", json!("sub-client")).sign(),
        "MP-011",
        "invalid_request",
    )
    .await;
    let g = Grant::x5c(&sim).claim("iss_onbehalfof", json!("x")).claim("consumer_org", json!(CONSUMER));
    expect_rejected(&sim, &g.sign(), "MP-011", "invalid_request").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rar_checks_are_mp30x() {
    let sim = start().await;
    let su = |id: &str| json!({"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": id}});
    let bad_type = json!([{"type": "urn:altinn:unknown"}]);
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("authorization_details", bad_type).sign(),
        "MP-301",
        "invalid_authorization_details",
    )
    .await;
    let mut extra = su(&format!("0192:{SYSTEM_USER_ORG}"));
    extra["extra"] = json!(1);
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("authorization_details", json!([extra])).sign(),
        "MP-302",
        "invalid_authorization_details",
    )
    .await;
    let unknown_org = json!([su("0192:974760673")]);
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("authorization_details", unknown_org).sign(),
        "MP-303",
        "invalid_authorization_details",
    )
    .await;
    let bad_id = json!([su(SYSTEM_USER_ORG)]);
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("authorization_details", bad_id).sign(),
        "MP-303",
        "invalid_authorization_details",
    )
    .await;
    let not_array = su(&format!("0192:{SYSTEM_USER_ORG}"));
    expect_rejected(
        &sim,
        &Grant::x5c(&sim).claim("authorization_details", not_array).sign(),
        "MP-303",
        "invalid_authorization_details",
    )
    .await;
    let consent = json!([{"type": "urn:altinn:consent", "id": CONSENT_ID, "from": "urn:altinn:person:identifier-no:01017012345"}]);
    assert_eq!(send(&sim, &Grant::x5c(&sim).claim("authorization_details", consent).sign()).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_checks_are_mp011() {
    let sim = start().await;
    let jwt = Grant::x5c(&sim).sign();
    let a = post_form(&sim, format!("grant_type=client_credentials&assertion={jwt}")).await;
    assert_eq!((a.mp(), a.error(), a.status), ("MP-011", "unsupported_grant_type", 400), "{}", a.text);
    let a = post_form(&sim, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer".into()).await;
    assert_eq!((a.mp(), a.error()), ("MP-011", "invalid_request"), "{}", a.text);
    let body = format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={jwt}");
    let a = post_raw(&sim, "application/json", body).await.expect("request");
    assert_eq!((a.mp(), a.error()), ("MP-011", "invalid_request"), "{}", a.text);
    let stats = sim.stats();
    assert_eq!(stats.errors.get("MP-011"), Some(&3));
    assert_eq!(stats.tokens_issued, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_of_checks_first_failure_wins() {
    let sim = start().await;
    // Wrong aud AND unknown client AND undocumented claim: aud (step 7) is reported.
    let g = Grant::x5c(&sim)
        .claim("aud", json!("https://maskinporten.no/"))
        .claim("iss", json!("nobody"))
        .claim("foo", json!(1));
    expect_rejected(&sim, &g.sign(), "MP-110", "invalid_grant").await;
    // Bad signature AND wrong aud: signature (step 5) is reported.
    let g = Grant::x5c(&sim).claim("aud", json!("https://maskinporten.no/"));
    expect_rejected(&sim, &g.sign_with(&fixture().other_key), "MP-124", "invalid_grant").await;
    // Unknown client: the jti is remembered at step 9 before step 10 rejects the client, so
    // the same grant again is a replay.
    let jwt = Grant::x5c(&sim).claim("iss", json!("nobody")).sign();
    expect_rejected(&sim, &jwt, "MP-100", "invalid_grant").await;
    expect_rejected(&sim, &jwt, "MP-012", "invalid_grant").await;
    // Lifetime 121 s with a replayed jti: the time check (step 8) comes first.
    let g = Grant::x5c(&sim);
    let jti = g.claims["jti"].clone();
    assert_eq!(send(&sim, &g.sign()).await.status, 200);
    let t = now();
    let g = Grant::x5c(&sim).claim("jti", jti).claim("iat", json!(t)).claim("exp", json!(t + 121));
    expect_rejected(&sim, &g.sign(), "MP-130", "invalid_grant").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_and_jwks() {
    let sim = start().await;
    let m: serde_json::Value = http().get(sim.metadata_url()).send().await.expect("get").json().await.expect("json");
    assert_eq!(m["issuer"], sim.issuer());
    assert_eq!(m["token_endpoint"], sim.token_endpoint());
    assert_eq!(m["jwks_uri"], sim.jwks_uri());
    assert_eq!(m["grant_types_supported"], json!(["urn:ietf:params:oauth:grant-type:jwt-bearer"]));
    assert_eq!(m["token_endpoint_auth_signing_alg_values_supported"], json!(["RS256", "RS384", "RS512"]));
    assert!(m["authorization_details_types_supported"].as_array().map(|a| !a.is_empty()).unwrap_or(false));
    let j: serde_json::Value = http().get(sim.jwks_uri()).send().await.expect("get").json().await.expect("json");
    assert_eq!(j["keys"][0]["kid"], sim.signing_kid());
    assert_eq!(j["keys"][0]["kty"], "RSA");
    assert!(j["keys"][0].get("d").is_none(), "no private parts on /jwk");
    assert!(sim.issuer().starts_with("http://127.0.0.1:") && sim.issuer().ends_with('/'));
}
