//! `maskinporten demo --self-service`: Digdir's self-service API against an in-process
//! simulator. An admin client (enterprise certificate) creates a client, the rotation registers
//! its first key, the client gets a token with that `kid`; then, with the simulator's stored
//! times moved back (a time-lapse), the rotation publishes a second key, switches to it and
//! removes the first, whose `kid` is then refused.

use crate::clients;
use crate::error::{CliError, CliResult};
use crate::keydir::KeyDir;
use crate::rotate::rotate_once;
use crate::session::AdminSession;
use maskinporten::{Client, Environment, GrantOptions, Key, NewClient, RotationPolicy, SelfService};
use maskinporten_simulator::{certs, ScopeConfig, Simulator, SimulatorConfig};
use maskinporten_transport::blocking::TokenProvider;

const ORG: &str = "311000004";
const ORG_NAME: &str = "DEMO LEVERANDOR AS";
const ADMIN_CLIENT: &str = "oidc_311000004_admin";
const SCOPE: &str = "demo:scope.read";
const DAY: i64 = 86_400;

fn failed(step: &str) -> impl Fn(String) -> CliError + '_ {
    move |e| CliError::Message(format!("demo: {step} failed: {e}"))
}

pub fn run() -> CliResult<()> {
    println!("maskinporten demo --self-service: clients and keys through Digdir's self-service API, against a local simulator\n");
    let (ca, cert) =
        certs::enterprise_certificate(ORG, ORG_NAME).map_err(|e| failed("making the certificate")(e.to_string()))?;
    let mut config = SimulatorConfig::builder()
        .trust_ca_pem(&ca.cert_pem)
        .client(ADMIN_CLIENT, ORG, ["idporten:dcr.read", "idporten:dcr.write", "idporten:dcr.modify"])
        .build();
    config.scopes.push(ScopeConfig { name: SCOPE.into(), ..ScopeConfig::default() });
    let sim = Simulator::start_blocking(config, 0).map_err(|e| failed("starting the simulator")(e.to_string()))?;
    let environment = Environment::from_name(sim.issuer())?.with_self_service_base(&sim.self_service_endpoint())?;
    println!("1. Started the simulator with an admin client {ADMIN_CLIENT} (org {ORG}, enterprise certificate)");
    println!("   self-service API  {}", sim.self_service_endpoint());

    let admin = Client::new(ADMIN_CLIENT, Key::from_pem(&cert.key_pem, Some(&cert.chain_pem))?, environment.clone())?;
    let session = AdminSession::new(admin, SelfService::for_environment(&environment)?)?;
    let created = clients::create(
        &session,
        &NewClient::new("Demo integration", "Created by maskinporten demo --self-service", [SCOPE]),
    )?;
    let client_id = created.client_id;
    println!("\n2. Created a client through the API (admin token for idporten:dcr.write, the least scope of the call)");
    println!("   client   {client_id} (scope {SCOPE})");

    let folder = std::env::temp_dir().join(format!("maskinporten-demo-keys-{}", std::process::id()));
    let outcome = rotation(&sim, &session, &environment, &client_id, &folder);
    let _ = std::fs::remove_dir_all(&folder);
    outcome?;
    sim.shutdown();
    println!("\nDone. Against Digdir's test environment, the same steps are:");
    println!(
        "  maskinporten clients create --properties admin.properties --name NAME --description TEXT --scope SCOPE"
    );
    println!("  maskinporten keys rotate --properties admin.properties --client-id ID --key-dir keys/   # from cron");
    println!("  maskinporten token --key-dir keys/ --scope SCOPE");
    Ok(())
}

fn rotation(
    sim: &maskinporten_simulator::BlockingSimulator,
    session: &AdminSession,
    environment: &Environment,
    client_id: &str,
    folder: &std::path::Path,
) -> CliResult<()> {
    let dir = KeyDir::open(folder)?;
    dir.claim(client_id)?;
    let policy = RotationPolicy::default();
    let step = |label: &str| -> CliResult<()> {
        let report = rotate_once(session, client_id, &dir, policy, maskinporten::unix_now(), false)?;
        println!("   {label}: {report}");
        Ok(())
    };
    println!(
        "\n3. Ran `keys rotate` (the core's rotation planner, default policy: keys live 90 days, a new one after 60)"
    );
    step("rotate")?;
    let first = dir.signing_key()?;
    let token = |key: &Key| -> maskinporten::Result<String> {
        let provider = TokenProvider::new(Client::new(client_id, key.clone(), environment.clone())?)?;
        Ok(provider.token(&GrantOptions::new([SCOPE]))?.access_token().to_string())
    };
    token(&first)?;
    println!("   got a token signed with kid {}", first.kid().unwrap_or("?"));

    println!("\n4. Time-lapse: the simulator ages every registration by 61 days; `keys rotate` after each step");
    sim.age_registrations(61 * DAY);
    step("day 61")?;
    token(&first)?;
    println!("   the first key still signs while the new one propagates");
    sim.age_registrations(121);
    step("2 minutes later")?;
    let second = dir.signing_key()?;
    token(&second)?;
    println!("   got a token signed with kid {}", second.kid().unwrap_or("?"));
    step("at once again")?;
    sim.age_registrations(DAY);
    step("a day later")?;

    println!("\n5. The old kid after its removal:");
    match token(&first) {
        Ok(_) => Err(CliError::Message("demo: the removed kid was accepted".into())),
        Err(error) => {
            println!("   refused: {error}");
            Ok(())
        }
    }
}
