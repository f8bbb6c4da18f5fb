//! Tokens for Altinn's features as Maskinporten issues them: consent tokens (configured
//! consents), system-user tokens, and eSeal tokens for foreign organisations.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use maskinporten_simulator::certs::TestCa;
use serde_json::{json, Value};

fn consent(id: &str, from: &str) -> Value {
    json!([{"type": "urn:altinn:consent", "id": id, "from": from}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_tokens_carry_the_configured_consent() {
    let sim = start().await;
    let a =
        send(&sim, &Grant::x5c(&sim).claim("authorization_details", consent(CONSENT_ID, CONSENT_FROM)).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let claims = verify_access_token(&sim, a.body["access_token"].as_str().unwrap_or("")).await;
    let entry = &claims["authorization_details"][0];
    assert_eq!(entry["type"], "urn:altinn:consent");
    assert_eq!(entry["id"], CONSENT_ID);
    assert_eq!(entry["from"], CONSENT_FROM);
    assert_eq!(entry["to"], json!({"authority": "iso6523-actorid-upis", "ID": format!("0192:{SUPPLIER}")}));
    assert_eq!(entry["validTo"], "2099-12-31T23:59:59Z");
    assert_eq!(entry["consented"], "2025-01-01T00:00:00Z");
    assert_eq!(entry["consentRights"][0]["action"], json!(["read"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consents_are_checked() {
    let sim = start().await;
    let refused = |details: Value| Grant::x5c(&sim).claim("authorization_details", details).sign();
    let unknown = "00000000-0000-4000-8000-000000000000";
    expect_rejected(&sim, &refused(consent(unknown, CONSENT_FROM)), "MP-303", "invalid_authorization_details").await;
    let other_party = "urn:altinn:person:identifier-no:02027012345";
    expect_rejected(&sim, &refused(consent(CONSENT_ID, other_party)), "MP-303", "invalid_authorization_details").await;
    let expired = expect_rejected(
        &sim,
        &refused(consent(EXPIRED_CONSENT_ID, CONSENT_FROM)),
        "MP-303",
        "invalid_authorization_details",
    )
    .await;
    assert!(expired.text.contains("validTo"), "{}", expired.text);
    // Given to 311000004: a token for consumer 312000008 (delegated) cannot use it.
    let delegated = Grant::x5c(&sim)
        .claim("scope", json!(DELEGABLE))
        .claim("consumer_org", json!(CONSUMER))
        .claim("authorization_details", consent(CONSENT_ID, CONSENT_FROM));
    expect_rejected(&sim, &delegated.sign(), "MP-303", "invalid_authorization_details").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_user_tokens_carry_ids_not_the_external_ref() {
    let mut config = config();
    config.system_users[0].id = Some("a9f1c0de-1111-4222-8333-444455556666".into());
    config.system_users[0].system_id = Some("311000004_payroll".into());
    let sim = maskinporten_simulator::Simulator::start(config, 0).await.expect("start");
    let rar = json!([{"type": "urn:altinn:systemuser", "externalRef": "customer-42",
        "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{SYSTEM_USER_ORG}")}}]);
    let a = send(&sim, &Grant::x5c(&sim).claim("authorization_details", rar).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let claims = verify_access_token(&sim, a.body["access_token"].as_str().unwrap_or("")).await;
    assert_eq!(
        claims["authorization_details"],
        json!([{"type": "urn:altinn:systemuser", "systemuser_id": ["a9f1c0de-1111-4222-8333-444455556666"],
            "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{SYSTEM_USER_ORG}")},
            "system_id": "311000004_payroll"}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eseal_tokens_name_the_foreign_organisation() {
    let sim = start().await;
    let a = send(&sim, &Grant::eseal(&sim).sign()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let claims = verify_access_token(&sim, a.body["access_token"].as_str().unwrap_or("")).await;
    assert_eq!(claims["client_amr"], "QCForESeal");
    assert_eq!(claims["client_id"], ESEAL_CLIENT);
    assert_eq!(
        claims["consumer"],
        json!({"authority": "etsi-en-319-412", "ID": ESEAL_OID, "organizationName": "Exempel AB",
            "commonName": "Exempel AB", "countryName": "SE"})
    );
    assert!(!claims["consumer"]["ID"].as_str().unwrap_or("").starts_with("0192:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eseal_grants_are_checked() {
    let sim = start().await;
    let f = fixture();
    // Leaf only: eSeal clients must send the full chain.
    let leaf_only = Grant::eseal(&sim).header("x5c", json!([STANDARD.encode(&f.eseal.cert_der)]));
    let a = expect_rejected(&sim, &leaf_only.sign(), "MP-120", "invalid_grant").await;
    assert!(a.text.contains("full certificate chain"), "{}", a.text);
    // Another organisation's eSeal from the same CA.
    let other = f.eseal_ca.issue_eseal("VATDK-12345678", "Eksempel ApS", "DK").expect("other eseal");
    let g = Grant::eseal(&sim)
        .header("x5c", json!([STANDARD.encode(&other.cert_der), STANDARD.encode(&f.eseal_ca.cert_der)]));
    expect_rejected(&sim, &g.sign_with(&key_of(&other)), "MP-122", "invalid_grant").await;
    // An eSeal from a CA that is not on the eSeal trust list.
    let rogue_ca = TestCa::generate("Rogue CA").expect("ca");
    let rogue = rogue_ca.issue_eseal(ESEAL_OID, "Exempel AB", "SE").expect("rogue");
    let g = Grant::eseal(&sim)
        .header("x5c", json!([STANDARD.encode(&rogue.cert_der), STANDARD.encode(&rogue_ca.cert_der)]));
    expect_rejected(&sim, &g.sign_with(&key_of(&rogue)), "MP-120", "invalid_grant").await;
    // No delegation for eSeal consumers; scopes as granted.
    expect_rejected(
        &sim,
        &Grant::eseal(&sim).claim("consumer_org", json!(CONSUMER)).sign(),
        "MP-011",
        "invalid_request",
    )
    .await;
    expect_rejected(&sim, &Grant::eseal(&sim).claim("scope", json!(WRITE)).sign(), "MP-200", "invalid_scope").await;
    // An enterprise client cannot present an eSeal: its CA is not an enterprise CA here.
    let g = Grant::x5c_with(&sim, &f.eseal);
    expect_rejected(&sim, &g.sign_with(&key_of(&f.eseal)), "MP-120", "invalid_grant").await;
}
