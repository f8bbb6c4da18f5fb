//! Helpers of the `serve` tests: the built binary as a service process, a real `redis-server`.

#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_maskinporten");
pub const X5C_CLIENT: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
pub const KID_CLIENT: &str = "a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20";
pub const READ: &str = "test:scope.read";
pub const PASSWORD: &str = "vector-password";

pub fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A `maskinporten serve` process; killed on drop. Its stderr (the logs) goes to a file.
pub struct Serve {
    child: Child,
    pub url: String,
    pub ready: serde_json::Value,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The outcome of starting `serve`: running, or exited with its stderr.
pub enum Started {
    Running(Serve),
    Exited { code: Option<i32>, stderr: String },
}

impl Serve {
    /// Starts `serve` with `args` (plus `--listen 127.0.0.1:0` unless given) and `env`, and
    /// waits for its ready line.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Serve {
        match Serve::try_start(args, env) {
            Started::Running(serve) => serve,
            Started::Exited { code, stderr } => panic!("serve exited ({code:?}): {stderr}"),
        }
    }

    pub fn try_start(args: &[&str], env: &[(&str, &str)]) -> Started {
        let dir = tempfile::tempdir().expect("tmp");
        let log = dir.path().join("serve.log");
        let mut command = Command::new(BIN);
        command.arg("serve");
        if !args.contains(&"--listen") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        command.args(args);
        for (name, _) in std::env::vars() {
            if name.starts_with("MASKINPORTEN_") {
                command.env_remove(name);
            }
        }
        command.env("MASKINPORTEN_LOG", "debug");
        command.envs(env.iter().copied());
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn serve");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        let _ = BufReader::new(stdout).read_line(&mut line);
        if line.trim().is_empty() {
            let status = child.wait().expect("wait");
            return Started::Exited { code: status.code(), stderr: std::fs::read_to_string(&log).unwrap_or_default() };
        }
        let ready: serde_json::Value = serde_json::from_str(&line).expect("ready line is JSON");
        let url = ready["url"].as_str().expect("url").to_string();
        Started::Running(Serve { child, url, ready, log, _dir: dir })
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Everything logged so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then waits for the exit; returns the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The one-client environment for the vectors' x5c client against `issuer`.
pub fn one_client_env(issuer: &str) -> Vec<(&'static str, String)> {
    vec![
        ("MASKINPORTEN_CLIENT_ID", X5C_CLIENT.to_string()),
        ("MASKINPORTEN_P12", repo("tests/vectors/keys/client.p12")),
        ("MASKINPORTEN_P12_PASSWORD", PASSWORD.to_string()),
        ("MASKINPORTEN_ENV", issuer.to_string()),
    ]
}

pub fn env_refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A `redis-server` on a free loopback port, killed on drop.
pub struct Redis {
    child: Option<Child>,
    pub port: u16,
    pub url: String,
}

impl Redis {
    /// Starts one, or says why it cannot: `None` (with the reason printed) only when no
    /// `redis-server` is installed and `MASKINPORTEN_REQUIRE_REDIS` is unset; the test script
    /// installs it and sets that variable, so there a missing server fails the test.
    pub fn start() -> Option<Redis> {
        let binary = std::env::var("MASKINPORTEN_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let installed =
            Command::new(&binary).arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
        if !installed {
            if std::env::var_os("MASKINPORTEN_REQUIRE_REDIS").is_some() {
                panic!("{binary} is not installed, and MASKINPORTEN_REQUIRE_REDIS is set");
            }
            eprintln!("SKIPPED: no {binary} on PATH (scripts/test-rust installs the Debian package redis-server)");
            return None;
        }
        let port = free_port();
        let child = Command::new(&binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let redis = Redis { child: Some(child), port, url: format!("redis://127.0.0.1:{port}/") };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if redis.ping() {
                return Some(redis);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server on port {port} did not answer PING within 10 s");
    }

    pub fn ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        if stream.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut answer = [0u8; 7];
        stream.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
    }

    /// Kills the server (SIGKILL, as a crash).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A store key: 32 bytes, base64.
pub const STORE_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
