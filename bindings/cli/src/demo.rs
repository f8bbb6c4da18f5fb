//! `maskinporten demo`: the whole flow, locally, in one command. Starts the simulator in this
//! process, makes a throwaway CA and enterprise certificate, registers a client, and gets a
//! token through the real HTTP path (the transport crate), printing each step.

use crate::error::{CliError, CliResult};
use maskinporten::{Client, Environment, GrantOptions, Key, Requirements, Validator};
use maskinporten_simulator::{certs, Simulator, SimulatorConfig};
use maskinporten_transport::blocking::TokenProvider;

const ORG: &str = "311000004";
const ORG_NAME: &str = "DEMO LEVERANDOR AS";
const CLIENT_ID: &str = "0b9d7a52-3c1e-4f7a-8d2b-6e5f4a3b2c1d";
const SCOPE: &str = "demo:scope.read";

fn failed(step: &str) -> impl Fn(String) -> CliError + '_ {
    move |e| CliError::Message(format!("demo: {step} failed: {e}"))
}

pub fn run() -> CliResult<()> {
    println!(
        "maskinporten demo: the whole Maskinporten flow against a local simulator (nothing leaves this machine)\n"
    );

    let (ca, cert) =
        certs::enterprise_certificate(ORG, ORG_NAME).map_err(|e| failed("making the certificate")(e.to_string()))?;
    let key = Key::from_pem(&cert.key_pem, Some(&cert.chain_pem))?;
    if let Some(info) = key.certificate() {
        println!("1. Made a throwaway CA and an enterprise certificate (virksomhetssertifikat)");
        println!("   subject  {}", info.subject);
        println!("   issuer   {}", info.issuer);
        println!(
            "   valid    {} to {}, org number {}",
            maskinporten::format_utc(info.not_before),
            maskinporten::format_utc(info.not_after),
            info.org_number.as_deref().unwrap_or("?")
        );
    }

    let config = SimulatorConfig::builder().trust_ca_pem(&ca.cert_pem).client(CLIENT_ID, ORG, [SCOPE]).build();
    let sim = Simulator::start_blocking(config, 0).map_err(|e| failed("starting the simulator")(e.to_string()))?;
    println!("\n2. Started the simulator, trusting that CA, and registered a client");
    println!("   issuer   {}", sim.issuer());
    println!("   client   {CLIENT_ID} (org {ORG}, scope {SCOPE})");

    let client = Client::new(CLIENT_ID, key, Environment::from_name(sim.issuer())?)?;
    let options = GrantOptions::new([SCOPE]);
    let grant = client.grant(&options, maskinporten::unix_now(), None)?;
    println!("\n3. Signed a grant (what `maskinporten grant` prints): RS256, x5c = the certificate, aud = the issuer");
    println!("{}", indent(&crate::inspect::describe(&grant, maskinporten::unix_now())?));

    let provider = TokenProvider::new(client)?;
    let token = provider.token(&options)?;
    println!(
        "4. Posted a fresh grant to {} (reqwest, executing the core's token flow: retries, deadline, cache)",
        sim.token_endpoint()
    );
    println!(
        "   got      {} token, expires in {} s ({}), scope {}",
        token.token_type(),
        token.expires_in(),
        maskinporten::format_utc(token.expires_at()),
        token.scope().unwrap_or("?")
    );
    println!(
        "   token    {}... (the API call sends: Authorization: Bearer <token>)",
        token.access_token().chars().take(24).collect::<String>()
    );
    println!("{}", indent(&crate::inspect::describe(token.access_token(), maskinporten::unix_now())?));

    let again = provider.token(&options)?;
    let stats = sim.stats();
    println!(
        "5. Asked again: {} (the simulator saw {} token request(s), issued {})",
        if again.access_token() == token.access_token() { "served from the cache" } else { "fetched anew" },
        stats.requests,
        stats.tokens_issued
    );

    let validator =
        maskinporten_transport::blocking::TokenValidator::new(Validator::new(Environment::from_name(sim.issuer())?))?;
    let checked = validator.validate(token.access_token(), &Requirements::any_scope([SCOPE]))?;
    println!(
        "6. Validated it as an API would (JWKS fetched from {}): signature, issuer, expiry, scope {SCOPE}; consumer org {}",
        sim.jwks_uri(),
        checked.consumer.org_number.as_deref().unwrap_or(&checked.consumer.id)
    );

    sim.shutdown();
    println!("\nDone. Against Digdir's test environment the same token is one command:");
    println!("  maskinporten token --env test --client-id <client_id> --p12 virksomhet.p12 --password-env P12_PASSWORD --scope <scope>");
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("   | {l}\n")).collect()
}
