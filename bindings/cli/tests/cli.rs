//! The built `maskinporten` binary end to end: offline commands, and `token` against the
//! simulator over loopback (success, delegation, resource, system user, MP errors, faults,
//! `--properties`, passwords only from variables or files).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use maskinporten_simulator::{BlockingSimulator, FaultKind, FaultSpec, Simulator, SimulatorConfig};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_maskinporten");
const X5C_CLIENT: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
const KID_CLIENT: &str = "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20";
const READ: &str = "test:scope.read";
const PASSWORD: &str = "vector-password";

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn keys(file: &str) -> String {
    repo(&format!("tests/vectors/keys/{file}"))
}

fn simulator() -> BlockingSimulator {
    let config = SimulatorConfig::from_file(repo("tests/simulator/e2e.toml")).expect("e2e.toml");
    Simulator::start_blocking(config, 0).expect("simulator")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).env("MP_TEST_PASSWORD", PASSWORD).output().expect("run maskinporten")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status.code(), stdout(&o), stderr(&o));
    stdout(&o)
}

/// Runs and expects exit 1 with one error line; returns it.
fn fails(o: Output) -> String {
    assert_eq!(o.status.code(), Some(1), "stdout: {}\nstderr: {}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    let last = err.lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("error: "), "{err}");
    last
}

fn decode(jwt: &str, index: usize) -> Value {
    let part = jwt.trim().split('.').nth(index).expect("JWT part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("json")
}

fn p12_args<'a>(env: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--env",
        env,
        "--client-id",
        X5C_CLIENT,
        "--p12",
        leak(keys("client.p12")),
        "--password-env",
        "MP_TEST_PASSWORD",
    ];
    args.extend_from_slice(extra);
    args
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn cmd<'a>(sub: &'a str, args: Vec<&'a str>) -> Vec<&'a str> {
    let mut all = vec![sub];
    all.extend(args);
    all
}

// ---- grant (offline) ----

#[test]
fn grant_has_the_claims_asked_for() {
    let args = p12_args(
        "test",
        &[
            "--scope",
            READ,
            "test:scope.write",
            "--consumer-org",
            "312000008",
            "--resource",
            "https://api.example.no/",
            "--lifetime",
            "60",
            "--alg",
            "RS384",
        ],
    );
    let jwt = ok(run(&cmd("grant", args)));
    let header = decode(&jwt, 0);
    assert_eq!(header["alg"], "RS384");
    assert!(header["x5c"].is_array(), "x5c is an array: {header}");
    let claims = decode(&jwt, 1);
    assert_eq!(claims["aud"], "https://test.maskinporten.no/");
    assert_eq!(claims["iss"], X5C_CLIENT);
    assert_eq!(claims["scope"], "test:scope.read test:scope.write");
    assert_eq!(claims["consumer_org"], "312000008");
    assert_eq!(claims["resource"], "https://api.example.no/");
    assert_eq!(claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0), 60);
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() == 36));
}

#[test]
fn grant_with_jwk_or_pem_key() {
    let jwt = ok(run(&[
        "grant",
        "--env",
        "prod",
        "--client-id",
        KID_CLIENT,
        "--jwk",
        &keys("client.jwk.json"),
        "--scope",
        READ,
    ]));
    assert_eq!(decode(&jwt, 0)["kid"], "mp-vector-key-1");
    assert!(decode(&jwt, 0).get("x5c").is_none());
    assert_eq!(decode(&jwt, 1)["aud"], "https://maskinporten.no/");

    let jwt = ok(run(&[
        "grant",
        "--client-id",
        X5C_CLIENT,
        "--key",
        &keys("client.key.pem"),
        "--cert",
        &keys("client.chain.pem"),
        "--scope",
        READ,
        "--systemuser-org",
        "313000001",
        "--pid",
        "11111111111",
    ]));
    let claims = decode(&jwt, 1);
    assert_eq!(claims["aud"], "https://test.maskinporten.no/", "test is the default environment");
    assert_eq!(claims["authorization_details"][0]["type"], "urn:altinn:systemuser");
    assert_eq!(claims["authorization_details"][0]["systemuser_org"]["ID"], "0192:313000001");
}

#[test]
fn local_mistakes_are_one_line_errors_naming_the_field() {
    let err = fails(run(&cmd("grant", p12_args("test", &["--scope", READ, "--consumer-org", "123456789"]))));
    assert!(err.contains("consumer_org"), "{err}");
    let err = fails(run(&cmd("grant", p12_args("test", &["--scope", READ, "--lifetime", "121"]))));
    assert!(err.contains("lifetime") && err.contains("120"), "{err}");
    let err = fails(run(&cmd("grant", p12_args("https://test.maskinporten.no", &["--scope", READ]))));
    assert!(err.contains("trailing slash"), "{err}");
    let err = fails(run(&[
        "grant",
        "--client-id",
        X5C_CLIENT,
        "--p12",
        &keys("expired.p12"),
        "--password-env",
        "MP_TEST_PASSWORD",
        "--scope",
        READ,
    ]));
    assert!(err.contains("not valid"), "expired certificate: {err}");
}

#[test]
fn alias_picks_one_key_of_a_keystore_with_several() {
    let store = repo("core/tests/fixtures/pkcs12/keytool-two-keys.p12");
    let grant = |extra: &[&str]| {
        let mut args = vec!["grant", "--client-id", X5C_CLIENT, "--p12", &store, "--password-env", "FIXTURE_PW"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--scope", READ]);
        Command::new(BIN).args(&args).env("FIXTURE_PW", "fixture-pw").output().expect("run maskinporten")
    };
    let err = fails(grant(&[]));
    assert!(err.contains("first") && err.contains("second"), "the error lists the aliases: {err}");
    let leaf = |alias: &str| decode(&ok(grant(&["--alias", alias])), 0)["x5c"][0].clone();
    assert_ne!(leaf("first"), leaf("second"), "each alias signs with its own key");
    let err = fails(grant(&["--alias", "third"]));
    assert!(err.contains("third"), "{err}");
}

// ---- passwords ----

#[test]
fn passwords_are_never_taken_from_argv() {
    let o = run(&[
        "grant",
        "--client-id",
        X5C_CLIENT,
        "--p12",
        &keys("client.p12"),
        "--password",
        PASSWORD,
        "--scope",
        READ,
    ]);
    assert_eq!(o.status.code(), Some(2), "no --password option: {}", stderr(&o));
    let o = run(&["grant", "--client-id", X5C_CLIENT, "--p12", &keys("client.p12"), "--scope", READ]);
    assert_eq!(o.status.code(), Some(2), "a p12 without --password-env/--password-file is a usage error");
    assert!(stderr(&o).contains("--password-env"), "{}", stderr(&o));

    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("pw");
    std::fs::write(&file, format!("{PASSWORD}\n")).expect("write");
    let jwt = ok(run(&[
        "grant",
        "--client-id",
        X5C_CLIENT,
        "--p12",
        &keys("client.p12"),
        "--password-file",
        file.to_str().unwrap_or(""),
        "--scope",
        READ,
    ]));
    assert_eq!(decode(&jwt, 1)["iss"], X5C_CLIENT, "trailing newline of the password file ignored");

    let o = Command::new(BIN)
        .args([
            "grant",
            "--client-id",
            X5C_CLIENT,
            "--p12",
            &keys("client.p12"),
            "--password-env",
            "WRONG_PW",
            "--scope",
            READ,
        ])
        .env("WRONG_PW", "hunter2-not-it")
        .output()
        .expect("run");
    let err = fails(o);
    assert!(err.to_lowercase().contains("password"), "{err}");
    assert!(!err.contains("hunter2"), "the password is never printed: {err}");
    let err = fails(run(&[
        "grant",
        "--client-id",
        X5C_CLIENT,
        "--p12",
        &keys("client.p12"),
        "--password-env",
        "MP_UNSET_VARIABLE",
        "--scope",
        READ,
    ]));
    assert!(err.contains("MP_UNSET_VARIABLE"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec![],
        vec!["grant", "--no-such-option"],
        vec!["grant", "--p12", "a.p12", "--jwk", "b.json", "--client-id", "x", "--scope", "s"],
        vec!["grant", "--client-id", "x", "--scope", "s"],
        vec!["token", "--scope", "s", "--jwk", "x.json"],
        vec!["grant", "--cert", "c.pem", "--client-id", "x", "--scope", "s"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

// ---- token against the simulator ----

#[test]
fn token_success_json_and_stats() {
    let sim = simulator();
    let token = ok(run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ]))));
    let claims = decode(&token, 1);
    assert_eq!(claims["client_id"], X5C_CLIENT);
    assert_eq!(claims["consumer"]["ID"], "0192:311000004");
    assert_eq!(sim.stats().tokens_issued, 1);

    let json: Value =
        serde_json::from_str(&ok(run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ, "--json"])))))
            .expect("json");
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["scope"], READ);
    let expires_in = json["expires_in"].as_i64().unwrap_or(-1);
    assert!(expires_in > 0);
    assert_eq!(json["expires_at"].as_i64(), json["issued_at"].as_i64().map(|i| i + expires_in));
    assert!(json["expires_at_utc"].as_str().is_some_and(|s| s.ends_with('Z')));
    assert_eq!(sim.stats().requests, 2);

    let token = ok(run(&[
        "token",
        "--env",
        sim.issuer(),
        "--client-id",
        KID_CLIENT,
        "--jwk",
        &keys("client.jwk.json"),
        "--scope",
        READ,
    ]));
    assert_eq!(decode(&token, 1)["client_amr"], "private_key_jwt");
    sim.shutdown();
}

#[test]
fn token_delegation_resource_and_system_user() {
    let sim = simulator();
    let t = ok(run(&cmd(
        "token",
        p12_args(sim.issuer(), &["--scope", "brreg:reelle/rapporteringspliktig", "--consumer-org", "312000008"]),
    )));
    let c = decode(&t, 1);
    assert_eq!(c["consumer"]["ID"], "0192:312000008");
    assert_eq!(c["supplier"]["ID"], "0192:311000004");

    let t = ok(run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ, "--resource", "https://api.example.no/"]))));
    assert_eq!(decode(&t, 1)["aud"], "https://api.example.no/");

    let t = ok(run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ, "--systemuser-org", "313000001"]))));
    assert_eq!(decode(&t, 1)["authorization_details"][0]["systemuser_org"]["ID"], "0192:313000001");

    let t = ok(run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ, "--iss-onbehalfof", "kommune-x"]))));
    assert_eq!(decode(&t, 1)["client_onbehalfof"], "kommune-x");
    sim.shutdown();
}

/// Every MP error the simulator gives that the CLI can provoke (the core refuses the others
/// before sending: expired certificate, lifetime > 120, own org as consumer_org, a key that
/// does not match its certificate, a reused jti).
#[test]
fn mp_errors_are_one_line_with_code_and_hint_and_not_retried() {
    let sim = simulator();
    let other = keys("other.key.pem");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (p12_args(sim.issuer(), &["--scope", "test:not.granted"]), "MP-200"),
        (
            vec![
                "--env",
                sim.issuer(),
                "--client-id",
                "unknown-client",
                "--p12",
                leak(keys("client.p12")),
                "--password-env",
                "MP_TEST_PASSWORD",
                "--scope",
                READ,
            ],
            "MP-100",
        ),
        (
            vec![
                "--env",
                sim.issuer(),
                "--client-id",
                KID_CLIENT,
                "--key",
                &other,
                "--kid",
                "unknown-kid",
                "--scope",
                READ,
            ],
            "MP-100",
        ),
        (p12_args(sim.issuer(), &["--scope", READ, "--consumer-org", "312000008"]), "MP-251"),
        (p12_args(sim.issuer(), &["--scope", READ, "--iss-onbehalfof", "kommune-y"]), "MP-011"),
        (p12_args(sim.issuer(), &["--scope", READ, "--systemuser-org", "974760673"]), "MP-303"),
    ];
    for (args, code) in cases {
        sim.reset();
        let o = run(&cmd("token", args.clone()));
        let err = fails(o);
        assert!(err.contains(code), "{args:?}: {err}");
        assert_eq!(sim.stats().requests, 1, "{code} is not retried");
        assert_eq!(sim.stats().errors.get(code).copied(), Some(1), "{code}");
    }
    sim.reset();
    let err = fails(run(&cmd("token", p12_args(sim.issuer(), &["--scope", "test:not.granted"]))));
    assert!(err.contains("Hint:"), "MP-200 carries the core's hint: {err}");
    sim.shutdown();
}

#[test]
fn wrong_audience_through_properties_is_mp_110() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::copy(keys("client.p12"), dir.path().join("virksomhet.p12")).expect("copy");
    let props = dir.path().join("maskinporten.properties");
    std::fs::write(
        &props,
        format!(
            "issuer={X5C_CLIENT}\naudience=http://127.0.0.1:1/\ntoken.endpoint={}\nscope={READ}\nkeystore.file=virksomhet.p12\nkeystore.password={PASSWORD}\n",
            sim.token_endpoint()
        ),
    )
    .expect("write");
    let err = fails(run(&["token", "--properties", props.to_str().unwrap_or("")]));
    assert!(err.contains("MP-110"), "{err}");
    sim.shutdown();
}

#[test]
fn properties_file_from_jwt_grant_generator() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::copy(keys("client.p12"), dir.path().join("virksomhet.p12")).expect("copy");
    let props = dir.path().join("maskinporten.properties");
    std::fs::write(
        &props,
        format!(
            "# jwt-grant-generator\nissuer={X5C_CLIENT}\naudience={}\ntoken.endpoint={}\nscope={READ} test:scope.write\n\
             keystore.file=virksomhet.p12\nkeystore.password={PASSWORD}\nkeystore.alias=client\nkeystore.alias.password={PASSWORD}\n",
            sim.issuer().replace(':', "\\:"),
            sim.token_endpoint()
        ),
    )
    .expect("write");
    let p = props.to_str().unwrap_or("");
    let token = ok(run(&["token", "--properties", p]));
    assert_eq!(decode(&token, 1)["scope"], "test:scope.read test:scope.write");
    // The command line wins over the file.
    let token = ok(run(&["token", "--properties", p, "--scope", READ]));
    assert_eq!(decode(&token, 1)["scope"], READ);
    let grant = ok(run(&["grant", "--properties", p]));
    assert_eq!(decode(&grant, 1)["aud"], sim.issuer());

    // Seed 000's path: a JKS made by `keytool -importkeystore ... -deststoretype JKS`, named by
    // keystore.file, with keystore.alias in another case than keytool stored it.
    std::fs::copy(jks("one-key.jks"), dir.path().join("virksomhet.jks")).expect("copy");
    let seed = format!(
        "issuer={X5C_CLIENT}\naudience={}\ntoken.endpoint={}\nscope={READ}\nkeystore.file=virksomhet.jks\n\
         keystore.password=fixture-pw\nkeystore.alias=Virksomhetssertifikat\nkeystore.alias.password=fixture-pw\n",
        sim.issuer(),
        sim.token_endpoint()
    );
    std::fs::write(&props, &seed).expect("write");
    let token = ok(run(&["token", "--properties", p]));
    assert_eq!(decode(&token, 1)["scope"], READ);

    // A wrong keystore.password names the file and where the password came from, never the password.
    std::fs::write(&props, seed.replace("keystore.password=fixture-pw", "keystore.password=hunter2-not-it"))
        .expect("w");
    let err = fails(run(&["token", "--properties", p]));
    assert!(err.contains("virksomhet.jks: the JKS keystore password is wrong"), "{err}");
    assert!(err.contains("keystore.password in"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(sim.stats().requests, 3, "three tokens; the grant and the failed keystore sent nothing");
    sim.shutdown();
}

#[test]
fn properties_keys_are_all_applied_and_unknown_ones_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::copy(jks("one-key.jks"), dir.path().join("virksomhet.jks")).expect("copy");
    let props = dir.path().join("client.properties");
    let p = props.to_str().unwrap_or("");
    let base = format!(
        "issuer={X5C_CLIENT}\naudience=https://test.maskinporten.no/\nscope={READ}\nkeystore.file=virksomhet.jks\n\
         keystore.password=fixture-pw\nkeystore.alias=virksomhetssertifikat\nkeystore.alias.password=fixture-pw\n"
    );
    // consumer_org, resource and pid reach the grant (a supplier acting for its customer).
    std::fs::write(
        &props,
        format!("{base}consumer_org=312000008\nresource=https://api.example.no/\npid=11111111111\n"),
    )
    .expect("w");
    let claims = decode(&ok(run(&["grant", "--properties", p])), 1);
    assert_eq!(claims["consumer_org"], "312000008");
    assert_eq!(claims["resource"], "https://api.example.no/");
    assert_eq!(claims["pid"], "11111111111");
    // The command line still wins.
    let claims = decode(&ok(run(&["grant", "--properties", p, "--consumer-org", "313000001"])), 1);
    assert_eq!(claims["consumer_org"], "313000001");
    // keystore.kid sends the kid instead of x5c, as jwt-grant-generator does.
    std::fs::write(&props, format!("{base}keystore.kid=my-key-2026\n")).expect("w");
    let header = decode(&ok(run(&["grant", "--properties", p])), 0);
    assert_eq!(header["kid"], "my-key-2026");
    assert!(header.get("x5c").is_none(), "{header}");

    // A misspelt key is refused by name, with the key meant; values are never printed.
    std::fs::write(&props, format!("{base}consumer.org=312000008\n")).expect("w");
    let err = fails(run(&["grant", "--properties", p]));
    assert!(err.contains("unknown key `consumer.org`: did you mean `consumer_org`?"), "{err}");
    assert!(err.contains("client.properties"), "the file is named: {err}");
    assert!(!err.contains("312000008"), "{err}");

    // keystore.file=base64:... is refused without echoing the keystore.
    use base64::Engine;
    let inline = base64::engine::general_purpose::STANDARD.encode(std::fs::read(jks("one-key.jks")).expect("jks"));
    std::fs::write(&props, base.replace("keystore.file=virksomhet.jks", &format!("keystore.file=base64:{inline}")))
        .expect("w");
    let o = run(&["grant", "--properties", p]);
    let err = fails(o);
    assert!(err.contains("keystore.file must be the keystore's file name"), "{err}");
    assert!(!err.contains(&inline[..16]) && err.len() < 400, "the keystore is not echoed: {err}");
}

// ---- Java keystores (core/tests/fixtures/jks, written by keytool) ----

fn jks(name: &str) -> String {
    repo(&format!("core/tests/fixtures/jks/{name}"))
}

fn run_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run maskinporten")
}

#[test]
fn jks_and_jceks_keystores_through_options() {
    let reference = decode(&ok(run(&cmd("grant", p12_args("test", &["--scope", READ])))), 0)["x5c"].clone();
    let env = [("STORE_PW", "fixture-pw"), ("KEY_PW", "key-pw-2")];
    let grant = |store: &str, extra: &[&str]| {
        let store = jks(store);
        let mut args = vec!["grant", "--client-id", X5C_CLIENT, "--scope", READ, "--password-env", "STORE_PW"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--jks", &store]);
        run_with(&args, &env)
    };
    // --jks, --p12 and --keystore are one option: the content tells JKS, JCEKS and PKCS#12 apart.
    for flag in ["--jks", "--p12", "--keystore"] {
        let store = jks("one-key.jks");
        let o = run_with(
            &["grant", "--client-id", X5C_CLIENT, "--scope", READ, "--password-env", "STORE_PW", flag, &store],
            &env,
        );
        assert_eq!(decode(&ok(o), 0)["x5c"], reference, "{flag}");
    }
    // A key entry with its own password: named flags in the error, then the key password works.
    let err = fails(grant("key-password.jks", &[]));
    assert!(
        err.contains("key-password.jks: the JKS keystore's entry \"virksomhetssertifikat\" has a password of its own"),
        "{err}"
    );
    assert!(err.contains("--key-password-env VAR or --key-password-file FILE"), "{err}");
    assert!(!err.contains("Key::from"), "CLI errors speak of options, not functions: {err}");
    for store in ["key-password.jks", "key-password.jceks"] {
        assert_eq!(decode(&ok(grant(store, &["--key-password-env", "KEY_PW"])), 0)["x5c"], reference, "{store}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let key_pw = dir.path().join("key-pw");
    std::fs::write(&key_pw, "key-pw-2\n").expect("write");
    let o = grant("key-password.jks", &["--key-password-file", key_pw.to_str().unwrap_or("")]);
    assert_eq!(decode(&ok(o), 0)["x5c"], reference);
    let err = fails(run_with(
        &[
            "grant",
            "--client-id",
            X5C_CLIENT,
            "--scope",
            READ,
            "--password-env",
            "KEY_PW",
            "--jks",
            &jks("one-key.jks"),
        ],
        &env,
    ));
    assert!(
        err.contains("password is wrong") && err.contains("(the password came from --password-env KEY_PW)"),
        "{err}"
    );
    assert!(!err.contains("key-pw-2") && !err.contains("fixture-pw"), "{err}");
    // Several keys: the aliases and the option that picks one; aliases in any case.
    let err = fails(grant("several-keys.jks", &[]));
    assert!(err.contains("\"first\"") && err.contains("\"second\"") && err.contains("(with --alias NAME)"), "{err}");
    let first = decode(&ok(grant("several-keys.jks", &["--alias", "FIRST"])), 0)["x5c"].clone();
    assert_ne!(first, reference);
    let err = fails(grant("trusted-only.jks", &[]));
    assert!(err.contains("only trusted certificates") && !err.contains("--alias"), "{err}");
    // Options for a keystore without one are usage errors.
    let o =
        run(&["grant", "--client-id", X5C_CLIENT, "--scope", READ, "--jwk", &keys("client.jwk.json"), "--alias", "x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--alias applies to a keystore"), "{}", stderr(&o));
}

#[test]
fn retryable_faults_are_retried_with_progress() {
    let sim = simulator();
    for fault in [
        FaultSpec::new(FaultKind::Status).with_status(503).with_count(1),
        FaultSpec::new(FaultKind::Html).with_status(502).with_count(1),
        FaultSpec::new(FaultKind::Empty).with_status(504).with_count(1),
        FaultSpec::new(FaultKind::Close).with_count(1),
    ] {
        sim.reset();
        let label = format!("{fault:?}");
        sim.inject_fault(fault).expect("fault");
        let o = run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ])));
        assert!(
            stderr(&o).contains("attempt 1/4 failed") && stderr(&o).contains("retrying in"),
            "{label}: {}",
            stderr(&o)
        );
        let token = ok(o);
        assert_eq!(decode(&token, 1)["client_id"], X5C_CLIENT, "{label}");
        assert_eq!(sim.stats().requests, 2, "{label}");
    }
    sim.reset();
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(300).with_count(1)).expect("fault");
    let o = run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ])));
    assert!(!stderr(&o).contains("retrying"), "a slow answer in time is not retried");
    ok(o);
    assert_eq!(sim.stats().requests, 1);
    sim.shutdown();
}

#[test]
fn persistent_502_gives_up_after_four_attempts() {
    let sim = simulator();
    sim.inject_fault(FaultSpec::new(FaultKind::Html).with_status(502)).expect("fault");
    let err = fails(run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ]))));
    assert!(err.contains("unavailable") && err.contains("502"), "{err}");
    assert_eq!(sim.stats().requests, 4);
    sim.shutdown();
}

#[test]
fn nobody_listening_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let issuer = format!("http://127.0.0.1:{port}/");
    let o = run(&cmd("token", p12_args(&issuer, &["--scope", READ])));
    assert_eq!(stderr(&o).matches("retrying in").count(), 3, "{}", stderr(&o));
    let err = fails(o);
    assert!(err.contains("could not connect"), "{err}");
}

// ---- inspect, keygen, simulator, demo ----

#[test]
fn inspect_reads_stdin_and_warns() {
    let jwt = ok(run(&cmd("grant", p12_args("test", &["--scope", READ, "--consumer-org", "312000008"]))));
    let mut child =
        Command::new(BIN).args(["inspect", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(jwt.as_bytes()).expect("write");
    let report = ok(child.wait_with_output().expect("wait"));
    assert!(report.starts_with("WARNING: nothing was verified"), "{report}");
    assert!(report.contains("consumer:    312000008"), "{report}");
    assert!(report.contains("org number 311000004"), "the x5c certificate is described: {report}");
    assert!(report.contains("not expired"));
    let as_arg = ok(run(&["inspect", jwt.trim()]));
    assert!(as_arg.contains("\"iss\": \"5d1f3a2b"), "{as_arg}");
    let err = fails(run(&["inspect", "not.a-jwt"]));
    assert!(err.contains("JWT"), "{err}");
}

#[test]
fn keygen_writes_a_private_key_0600_and_a_registrable_jwk() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("keys");
    let o = ok(run(&["keygen", "--kid", "cli-test-1", "--out", out.to_str().unwrap_or("")]));
    assert!(o.contains("cli-test-1.jwks.json"));
    let key_path = out.join("cli-test-1.key.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).expect("key").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "private key mode {mode:o}");
    }
    assert!(std::fs::read_to_string(&key_path).expect("pem").starts_with("-----BEGIN PRIVATE KEY-----"));
    let jwk: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cli-test-1.jwk.json")).expect("jwk")).expect("json");
    assert_eq!(jwk["kid"], "cli-test-1");
    assert_eq!(jwk["kty"], "RSA");
    assert!(jwk.get("d").is_none(), "public only");
    let jwks: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cli-test-1.jwks.json")).expect("jwks")).expect("json");
    assert_eq!(jwks["keys"][0], jwk);

    // Register it on a simulator client and get a token with it.
    let config = SimulatorConfig::builder().client_jwk("keygen-client", &jwk.to_string(), None).build();
    let mut config = config;
    if let Some(client) = config.clients.iter_mut().find(|c| c.client_id == "keygen-client") {
        client.org_number = "311000004".into();
        client.scopes = vec![READ.into()];
    }
    let sim = Simulator::start_blocking(config, 0).expect("simulator");
    let token = ok(run(&[
        "token",
        "--env",
        sim.issuer(),
        "--client-id",
        "keygen-client",
        "--key",
        key_path.to_str().unwrap_or(""),
        "--kid",
        "cli-test-1",
        "--scope",
        READ,
    ]));
    assert_eq!(decode(&token, 1)["client_amr"], "private_key_jwt");
    sim.shutdown();

    let err = fails(run(&["keygen", "--kid", "cli-test-1", "--out", out.to_str().unwrap_or("")]));
    assert!(err.contains("exists"), "never overwrites: {err}");
    let err = fails(run(&["keygen", "--kid", "bad kid!", "--out", out.to_str().unwrap_or("")]));
    assert!(err.contains("kid"), "{err}");
}

#[test]
fn simulator_subcommand_prints_the_ready_line_and_serves() {
    let mut child = Command::new(BIN)
        .args(["simulator", "--config", &repo("tests/simulator/e2e.toml"), "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("ready line");
    let ready: Value = serde_json::from_str(&line).expect("ready line is JSON");
    let issuer = ready["issuer"].as_str().unwrap_or_default().to_string();
    assert_eq!(ready["token_endpoint"], format!("{issuer}token"));
    let result = run(&cmd("token", p12_args(&issuer, &["--scope", READ])));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(decode(&ok(result), 1)["iss"], issuer);

    let o = run(&["simulator", "--config", "/no/such/file.toml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn demo_runs_the_whole_flow() {
    let out = ok(run(&["demo"]));
    for step in [
        "1. Made a throwaway CA",
        "2. Started the simulator",
        "3. Signed a grant",
        "4. Posted a fresh grant",
        "5. Asked again: served from the cache",
    ] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
    assert!(out.contains("the simulator saw 1 token request(s), issued 1"), "{out}");
}

#[test]
fn long_wait_shows_progress() {
    let sim = simulator();
    sim.inject_fault(FaultSpec::new(FaultKind::Latency).with_latency_ms(3600).with_count(1)).expect("fault");
    let o = run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ])));
    assert!(stderr(&o).contains(&format!("still waiting for {}", sim.token_endpoint())), "{}", stderr(&o));
    ok(o);
    assert_eq!(sim.stats().requests, 1);
    sim.shutdown();
}

/// The MP errors that need their own identities: an untrusted CA (wrong environment, MP-120),
/// a certificate of another org (MP-122), an expired registered key (MP-121), a kid signed with
/// another key (MP-124), a consumer not granted the delegated scope (MP-250).
#[test]
fn mp_errors_with_throwaway_identities() {
    use maskinporten_simulator::certs::TestCa;
    let dir = tempfile::tempdir().expect("tmp");
    let d = |name: &str| dir.path().join(name).to_str().unwrap_or_default().to_string();
    let ca = TestCa::generate("cli test CA").expect("ca");
    let cert = ca.issue_enterprise("311000004", "SUPPLIER AS").expect("cert");
    let rogue = TestCa::generate("another environment's CA")
        .expect("rogue ca")
        .issue_enterprise("311000004", "SUPPLIER AS")
        .expect("rogue");
    for (name, text) in [
        ("key.pem", &cert.key_pem),
        ("chain.pem", &cert.chain_pem),
        ("rogue.key.pem", &rogue.key_pem),
        ("rogue.chain.pem", &rogue.chain_pem),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    for kid in ["key-a", "key-b", "key-c"] {
        ok(run(&["keygen", "--kid", kid, "--out", &d("keys")]));
    }
    let jwk = |kid: &str| std::fs::read_to_string(dir.path().join(format!("keys/{kid}.jwk.json"))).expect("jwk");
    let past = maskinporten::unix_now() - 86_400;
    let mut config = SimulatorConfig::builder()
        .trust_ca_pem(&ca.cert_pem)
        .client("x5c-client", "311000004", [READ, "s:delegated"])
        .client("other-org-client", "312000008", [READ])
        .client_jwk("kid-client", &jwk("key-a"), None)
        .client_jwk("expired-kid-client", &jwk("key-c"), Some(past))
        .delegation("312000008", "311000004", ["s:delegated"])
        .scope_consumers("s:delegated", ["974760673"])
        .build();
    for client in config.clients.iter_mut().filter(|c| c.client_id.contains("kid")) {
        client.org_number = "311000004".into();
        client.scopes = vec![READ.into()];
    }
    let sim = Simulator::start_blocking(config, 0).expect("simulator");
    let key = |client: &str, key: &str, extra: &[&str]| {
        let mut args = vec![
            "token".to_string(),
            "--env".into(),
            sim.issuer().into(),
            "--client-id".into(),
            client.into(),
            "--key".into(),
            d(key),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (key("x5c-client", "rogue.key.pem", &["--cert", &d("rogue.chain.pem"), "--scope", READ]), "MP-120"),
        (key("other-org-client", "key.pem", &["--cert", &d("chain.pem"), "--scope", READ]), "MP-122"),
        (key("expired-kid-client", "keys/key-c.key.pem", &["--kid", "key-c", "--scope", READ]), "MP-121"),
        (key("kid-client", "keys/key-b.key.pem", &["--kid", "key-a", "--scope", READ]), "MP-124"),
        (
            key(
                "x5c-client",
                "key.pem",
                &["--cert", &d("chain.pem"), "--scope", "s:delegated", "--consumer-org", "312000008"],
            ),
            "MP-250",
        ),
    ];
    for (args, code) in cases {
        sim.reset();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = fails(run(&args));
        assert!(err.contains(code), "{args:?}: {err}");
        assert_eq!(sim.stats().requests, 1, "{code} is not retried");
    }
    // And the same identities work when used right.
    let t = ok(run(&key("kid-client", "keys/key-a.key.pem", &["--kid", "key-a", "--scope", READ])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()));
    assert_eq!(decode(&t, 1)["client_id"], "kid-client");
    sim.shutdown();
}

#[test]
fn inspect_verifies_with_jwks_url_or_file() {
    let sim = simulator();
    let token = ok(run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ]))));
    let token = token.trim();
    let jwks_url = sim.jwks_uri();
    let verified = ok(run(&["inspect", token, "--jwks", &jwks_url, "--env", sim.issuer()]));
    assert!(verified.starts_with("VERIFIED against"), "{verified}");
    assert!(verified.contains("consumer 311000004"), "{verified}");
    assert!(!verified.contains("nothing was verified"), "{verified}");

    let dir = tempfile::tempdir().expect("temp dir");
    let jwks_file = dir.path().join("jwks.json");
    std::fs::write(&jwks_file, sim.jwks().to_string()).expect("write JWKS");
    let from_file = ok(run(&["inspect", token, "--jwks", jwks_file.to_str().expect("path")]));
    assert!(from_file.contains("taken from the token"), "{from_file}");

    let other = keys("issuer.jwks.json");
    let err = fails(run(&["inspect", token, "--jwks", &other]));
    assert!(err.contains("unknown_kid"), "{err}");
    let err = fails(run(&["inspect", token, "--jwks", &jwks_url, "--env", "prod"]));
    assert!(err.contains("issuer_mismatch"), "{err}");
    sim.shutdown();
}

// ---- token --altinn against the simulator's Altinn platform ----

#[test]
fn token_altinn_exchanges_the_maskinporten_token() {
    let sim = simulator();
    let platform = sim.altinn_platform();
    let token = ok(run(&cmd(
        "token",
        p12_args(sim.issuer(), &["--scope", "altinn:instances.read", "--altinn", "--altinn-env", &platform]),
    )));
    let claims = decode(&token, 1);
    assert_eq!(claims["urn:altinn:orgNumber"], "311000004");
    assert_eq!(claims["urn:altinn:authenticatemethod"], "maskinporten");
    let stats = sim.stats();
    assert_eq!((stats.tokens_issued, stats.altinn_tokens_issued), (1, 1));

    let json: Value = serde_json::from_str(&ok(run(&cmd(
        "token",
        p12_args(
            sim.issuer(),
            &["--scope", "altinn:serviceowner", "--altinn", "--altinn-env", &platform, "--altinn-test-org", "--json"],
        ),
    ))))
    .expect("json");
    assert_eq!(decode(json["access_token"].as_str().expect("token"), 1)["urn:altinn:org"], "ttd");
    assert_eq!(json["expires_in"], 60, "the Altinn token's own exp (e2e.toml)");

    // 403: no Altinn scope; the error is typed and names the status.
    let line =
        fails(run(&cmd("token", p12_args(sim.issuer(), &["--scope", READ, "--altinn", "--altinn-env", &platform]))));
    assert!(line.contains("403"), "{line}");
    sim.shutdown();
}

#[test]
fn token_altinn_options_are_checked() {
    // The simulator's Maskinporten has no known Altinn platform: --altinn-env is needed (usage, exit 2).
    let o = run(&cmd("token", p12_args("http://127.0.0.1:9/", &["--scope", READ, "--altinn"])));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--altinn-env"), "{}", stderr(&o));
    // Without --altinn, the Altinn options are usage errors.
    let o = run(&cmd("token", p12_args("test", &["--scope", READ, "--altinn-env", "tt02"])));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // An unknown platform, and test=true outside TT02, are refused before any request.
    let line = fails(run(&cmd("token", p12_args("test", &["--scope", READ, "--altinn", "--altinn-env", "tt2"]))));
    assert!(line.contains("altinn"), "{line}");
    let line = fails(run(&cmd(
        "token",
        p12_args("prod", &["--scope", READ, "--altinn", "--altinn-env", "prod", "--altinn-test-org"]),
    )));
    assert!(line.contains("TT02"), "{line}");
}
