//! `maskinporten clients` and `maskinporten keys` against the simulator's self-service API:
//! seed 000's path (keytool JKS, jwt-grant-generator .properties, admin token, a client
//! registered through the API, a token for brreg:losore/utlegg), seed 003's path (a client with
//! its own key, in two steps), rotation a simulated year apart without a gap, and every bad
//! input refused before anything is sent.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use maskinporten_simulator::{BlockingSimulator, Simulator, SimulatorConfig};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_maskinporten");
const ADMIN: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
const ORG: &str = "311000004";
const READ: &str = "test:scope.read";
const LOSORE: &str = "brreg:losore/utlegg";
const P12_PASSWORD: &str = "vector-password";
const DAY: i64 = 86_400;

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

/// e2e.toml: its x5c client is also the admin client (idporten:dcr.*), and brreg:losore/utlegg is
/// granted to its organisation.
fn simulator() -> BlockingSimulator {
    let config = SimulatorConfig::from_file(repo("tests/simulator/e2e.toml")).expect("e2e.toml");
    Simulator::start_blocking(config, 0).expect("simulator")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).env("MP_TEST_PASSWORD", P12_PASSWORD).output().expect("run maskinporten")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status.code(), text(&o.stdout), text(&o.stderr));
    text(&o.stdout)
}

/// Expects exit 1; returns the error line.
fn fails(o: Output) -> String {
    assert_eq!(o.status.code(), Some(1), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    let err = text(&o.stderr);
    let last = err.lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("error: "), "{err}");
    last
}

fn decode(jwt: &str, index: usize) -> Value {
    let part = jwt.trim().split('.').nth(index).expect("JWT part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("json")
}

/// `--env ISSUER --admin-client-id ADMIN --p12 client.p12 --password-env ...` then `extra`.
fn admin<'a>(sim: &'a BlockingSimulator, extra: &[&'a str]) -> Vec<String> {
    let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    args.extend(
        [
            "--env",
            sim.issuer(),
            "--admin-client-id",
            ADMIN,
            "--p12",
            &repo("tests/vectors/keys/client.p12"),
            "--password-env",
            "MP_TEST_PASSWORD",
        ]
        .map(String::from),
    );
    args
}

fn run_owned(args: &[String]) -> Output {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn create_client(sim: &BlockingSimulator, scope: &str) -> String {
    let out = ok(run_owned(&admin(
        sim,
        &["clients", "create", "--name", "Test", "--description", "CLI test", "--scope", scope],
    )));
    out.trim().to_string()
}

#[test]
fn seed_000_keytool_jks_properties_admin_token_client_and_a_losore_token() {
    if Command::new("keytool").arg("-help").output().is_err() {
        eprintln!("SKIPPED seed 000 path: keytool (a JDK) is not installed");
        return;
    }
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tmp");
    let jks = dir.path().join("virksomhet.jks");
    let made = Command::new("keytool")
        .args(["-importkeystore", "-noprompt", "-srckeystore", &repo("tests/vectors/keys/client.p12")])
        .args(["-srcstoretype", "PKCS12", "-srcstorepass", P12_PASSWORD])
        .args(["-destkeystore", jks.to_str().unwrap_or(""), "-deststoretype", "JKS", "-deststorepass", "store-pæss"])
        .output()
        .expect("keytool");
    assert!(made.status.success(), "keytool: {}", text(&made.stderr));
    assert_eq!(&std::fs::read(&jks).expect("jks")[..4], &[0xFE, 0xED, 0xFE, 0xED], "a JKS keystore");

    // The key entry keeps the PKCS#12 password (keytool asks for it), the store has its own.
    let properties = |issuer: &str, scope: &str| {
        format!(
            "issuer={issuer}\naudience={}\nscope={scope}\ntoken.endpoint={}\nkeystore.file=virksomhet.jks\n\
             keystore.password=store-p\\u00e6ss\nkeystore.alias=client\nkeystore.alias.password={P12_PASSWORD}\n",
            sim.issuer(),
            sim.token_endpoint()
        )
    };
    let admin_file = dir.path().join("admin.properties");
    std::fs::write(&admin_file, properties(ADMIN, "idporten:dcr.write idporten:dcr.read")).expect("write");
    let admin_props = admin_file.to_str().unwrap_or("");

    let admin_token = ok(run(&["token", "--properties", admin_props]));
    assert_eq!(decode(&admin_token, 1)["scope"], "idporten:dcr.write idporten:dcr.read", "an admin token");

    let id = ok(run(&[
        "clients",
        "create",
        "--properties",
        admin_props,
        "--name",
        "Løsøreregisteret",
        "--description",
        "Utlegg i løsøreregisteret",
        "--scope",
        LOSORE,
    ]));
    let id = id.trim();
    let listed = ok(run(&["clients", "list", "--properties", admin_props, "--json"]));
    let listed: Value = serde_json::from_str(&listed).expect("json");
    let ours = listed.as_array().expect("list").iter().find(|c| c["client_id"] == id).expect("listed").clone();
    assert_eq!((ours["client_orgno"].as_str(), ours["scopes"][0].as_str()), (Some(ORG), Some(LOSORE)));

    let client_file = dir.path().join("client.properties");
    std::fs::write(&client_file, properties(id, LOSORE)).expect("write");
    let token = ok(run(&["token", "--properties", client_file.to_str().unwrap_or("")]));
    let claims = decode(&token, 1);
    assert_eq!((claims["client_id"].as_str(), claims["scope"].as_str()), (Some(id), Some(LOSORE)));
    assert_eq!(claims["consumer"]["ID"], format!("0192:{ORG}"));
    assert_eq!(claims["client_amr"], "virksomhetssertifikat");
    sim.shutdown();
}

#[test]
fn seed_003_a_client_with_its_own_key_in_two_steps() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tmp");
    let id = create_client(&sim, READ);
    let keys = dir.path().join("keys");
    let keys = keys.to_str().unwrap_or("");
    ok(run(&["keygen", "--kid", "seed-003-key", "--out", keys]));
    let jwk = format!("{keys}/seed-003-key.jwk.json");
    ok(run_owned(&admin(&sim, &["keys", "add", "--client-id", &id, "--jwk", &jwk])));
    let listed = ok(run_owned(&admin(&sim, &["keys", "list", "--client-id", &id])));
    assert!(listed.starts_with("seed-003-key  expires "), "{listed}");
    let pem = format!("{keys}/seed-003-key.key.pem");
    let env = sim.issuer().to_string();
    let token =
        ok(run(&["token", "--env", &env, "--client-id", &id, "--key", &pem, "--kid", "seed-003-key", "--scope", READ]));
    assert_eq!(decode(&token, 1)["client_amr"], "private_key_jwt");

    // The same in one step: a key made in a key directory, which `token --key-dir` reads.
    let other = create_client(&sim, READ);
    let key_dir = dir.path().join("other");
    let key_dir = key_dir.to_str().unwrap_or("");
    ok(run_owned(&admin(&sim, &["keys", "add", "--client-id", &other, "--key-dir", key_dir, "--kid", "made-here"])));
    assert_private(&Path::new(key_dir).join("made-here.key.pem"));
    assert_private(&Path::new(key_dir).join("made-here.private.jwk.json"));
    let token = ok(run(&["token", "--env", &env, "--key-dir", key_dir, "--scope", READ]));
    let claims = decode(&token, 1);
    assert_eq!(
        (claims["client_amr"].as_str(), claims["client_id"].as_str()),
        (Some("private_key_jwt"), Some(other.as_str()))
    );

    let deactivated = ok(run_owned(&admin(&sim, &["clients", "deactivate", "--client-id", &other])));
    assert!(deactivated.contains("deactivated"), "{deactivated}");
    let err = fails(run(&["token", "--env", &env, "--key-dir", key_dir, "--scope", READ]));
    assert!(err.contains("MP-100"), "{err}");
    sim.shutdown();
}

fn assert_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).expect("file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let _ = path;
}

/// The registered kids, through `keys list --json`.
fn registered(sim: &BlockingSimulator, id: &str) -> Vec<String> {
    let listed: Value =
        serde_json::from_str(&ok(run_owned(&admin(sim, &["keys", "list", "--client-id", id, "--json"]))))
            .expect("json");
    listed["keys"].as_array().expect("keys").iter().filter_map(|k| k["kid"].as_str().map(str::to_string)).collect()
}

#[test]
fn rotation_a_simulated_year_apart_keeps_tokens_flowing_within_the_policy() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tmp");
    let id = create_client(&sim, READ);
    let key_dir = dir.path().join("keys");
    let key_dir = key_dir.to_str().unwrap_or("").to_string();
    let env = sim.issuer().to_string();
    // Yearly keys, replaced in their last 30 days; the switch a day after publishing, the old key
    // removed a day after that (a daily cron job).
    let policy = [
        "--key-lifetime-days",
        "365",
        "--rotate-after-days",
        "335",
        "--rotate-before-expiry-days",
        "30",
        "--propagation-delay-seconds",
        "3600",
        "--grace-period-seconds",
        "3600",
        "--max-keys",
        "2",
    ];
    let rotate = |extra: &[&str]| {
        let mut args = vec!["keys", "rotate", "--client-id", id.as_str(), "--key-dir", key_dir.as_str()];
        args.extend_from_slice(&policy);
        args.extend_from_slice(extra);
        ok(run_owned(&admin(&sim, &args))).trim().to_string()
    };
    // A token must come (no gap); which key signed it is the kid of the grant the folder makes.
    let token = || {
        ok(run(&["token", "--env", &env, "--key-dir", &key_dir, "--scope", READ]));
        let grant = ok(run(&["grant", "--env", &env, "--key-dir", &key_dir, "--scope", READ]));
        decode(&grant, 0)["kid"].as_str().unwrap_or_default().to_string()
    };
    // Year 0: the first key, signing at once (there was none).
    let first = rotate(&[]);
    assert!(first.starts_with("published a new key"), "{first}");
    let mut signing = token();
    assert_eq!(registered(&sim, &id), vec![signing.clone()]);
    assert!(rotate(&[]).starts_with("nothing to do"), "idempotent");

    for year in 1..=2 {
        // 340 days on the key is in its last 30 days: a daily run publishes the next one.
        sim.age_registrations(340 * DAY);
        assert_eq!(token(), signing, "year {year}: no gap, the key has not expired");
        let published = rotate(&[]);
        assert!(published.starts_with("published a new key"), "year {year}: {published}");
        assert_eq!(token(), signing, "the old key signs while the new one propagates");
        assert_eq!(registered(&sim, &id).len(), 2);
        let again = rotate(&[]);
        assert!(again.starts_with("nothing to do"), "idempotent while propagating: {again}");

        sim.age_registrations(DAY);
        let dry = rotate(&["--dry-run"]);
        assert!(dry.starts_with("would switch signing to"), "{dry}");
        assert_eq!(token(), signing, "a dry run changes nothing");
        let retired = dir.path().join(format!("retired-{year}.jwk.json"));
        std::fs::copy(format!("{key_dir}/{signing}.private.jwk.json"), &retired).expect("keep the old key");
        let switched = rotate(&[]);
        assert!(switched.starts_with("switch signing to"), "year {year}: {switched}");
        let old = std::mem::replace(&mut signing, token());
        assert_ne!(old, signing);

        let removed = rotate(&[]);
        assert!(removed.starts_with(&format!("removed {old}")), "year {year}: {removed}");
        assert_eq!(registered(&sim, &id), vec![signing.clone()], "never more than the policy's 2 keys");
        assert_eq!(token(), signing);
        let retired = retired.to_str().unwrap_or("");
        let err = fails(run(&["token", "--env", &env, "--client-id", &id, "--jwk", retired, "--scope", READ]));
        assert!(err.contains("MP-100"), "the removed kid is refused: {err}");
        assert!(!Path::new(&format!("{key_dir}/{old}.key.pem")).exists(), "its private key is deleted here");
    }
    sim.shutdown();
}

#[test]
fn bad_input_is_refused_before_anything_is_sent_and_names_no_secret() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tmp");
    let before = sim.stats().requests;

    // Wrong keystore password.
    let mut wrong = admin(&sim, &["clients", "list"]);
    let at = wrong.iter().position(|a| a == "MP_TEST_PASSWORD").expect("flag");
    wrong[at] = "MP_WRONG".into();
    let o = Command::new(BIN).args(&wrong).env("MP_WRONG", "hunter2-not-it").output().expect("run");
    let err = fails(o);
    assert!(err.contains("password") && !err.contains("hunter2"), "{err}");

    // A truncated JKS.
    let jks = std::fs::read(repo("core/tests/fixtures/jks/one-key.jks")).expect("jks");
    let truncated = dir.path().join("truncated.jks");
    std::fs::write(&truncated, &jks[..jks.len() / 2]).expect("write");
    let mut args = admin(&sim, &["clients", "list"]);
    let at = args.iter().position(|a| a.ends_with("client.p12")).expect("p12");
    args[at] = truncated.to_str().unwrap_or("").into();
    let err = fails(run_owned(&args));
    assert!(err.contains("truncated.jks"), "{err}");

    // A JWK with private members.
    let private = repo("tests/vectors/keys/client.jwk.json");
    let secret: Value = serde_json::from_str(&std::fs::read_to_string(&private).expect("jwk")).expect("json");
    let err = fails(run_owned(&admin(&sim, &["keys", "add", "--client-id", ADMIN, "--jwk", &private])));
    assert!(err.contains("private member"), "{err}");
    assert!(!err.contains(secret["d"].as_str().unwrap_or("-")[..12].as_ref() as &str), "{err}");

    // A kid with forbidden characters.
    let key_dir = dir.path().join("keys");
    let err = fails(run_owned(&admin(
        &sim,
        &["keys", "add", "--client-id", ADMIN, "--key-dir", key_dir.to_str().unwrap_or(""), "--kid", "bad/kid"],
    )));
    assert!(err.contains("kid"), "{err}");

    // An admin client that signs with a registered key (kid), named in its .properties file.
    let props = dir.path().join("admin.properties");
    std::fs::write(
        &props,
        format!(
            "issuer={ADMIN}\naudience={}\nkeystore.file={}\nkeystore.password={P12_PASSWORD}\nkeystore.kid=my-key\n",
            sim.issuer(),
            repo("tests/vectors/keys/client.p12")
        ),
    )
    .expect("write");
    let err = fails(run(&["clients", "list", "--properties", props.to_str().unwrap_or("")]));
    assert!(err.contains("enterprise certificate (x5c), not a registered key (kid)"), "{err}");
    assert!(!err.contains(P12_PASSWORD), "{err}");
    assert_eq!(sim.stats().requests, before, "no token request was sent for any of them");

    // A sixth key: the set is read first, then refused before it is posted.
    let id = create_client(&sim, READ);
    let keys = dir.path().join("five");
    for n in 1..=5 {
        let kid = format!("k{n}");
        ok(run_owned(&admin(
            &sim,
            &["keys", "add", "--client-id", &id, "--key-dir", keys.to_str().unwrap_or(""), "--kid", &kid],
        )));
    }
    let err = fails(run_owned(&admin(
        &sim,
        &["keys", "add", "--client-id", &id, "--key-dir", keys.to_str().unwrap_or(""), "--kid", "k6"],
    )));
    assert!(err.contains("at most 5"), "{err}");
    assert_eq!(registered(&sim, &id).len(), 5, "the set is unchanged");
    assert!(!keys.join("k6.key.pem").exists(), "the unregistered key is not kept");
    sim.shutdown();
}

#[test]
fn demo_self_service_creates_rotates_and_shows_the_old_kid_refused() {
    let out = ok(run(&["demo", "--self-service"]));
    for step in [
        "2. Created a client through the API",
        "published a new key",
        "got a token signed with kid",
        "switch signing to",
        "removed",
        "refused: ",
        "(MP-100)",
    ] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
}
