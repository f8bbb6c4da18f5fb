//! Token stores with the real provider against the simulator: providers sharing a store fetch
//! once between them; on a real `redis-server` (started here; the test script installs it)
//! tokens are sealed and expire with the token, the lock has one holder, a 401 is not undone
//! by the store, and an unreachable Redis never fails a caller.

use maskinporten::{AccessToken, CacheKey, Client, Environment, FlowOptions, GrantOptions, Key};
use maskinporten_simulator::{Simulator, SimulatorConfig};
use maskinporten_transport::store::{MemoryStore, RedisStore, RedisStoreOptions, TokenStore};
use maskinporten_transport::TokenProvider;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const X5C_CLIENT: &str = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d";
const READ: &str = "test:scope.read";
const KEY: [u8; 32] = [42; 32];

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

async fn simulator() -> Simulator {
    let config = SimulatorConfig::from_file(repo("tests/simulator/e2e.toml")).expect("e2e.toml");
    Simulator::start(config, 0).await.expect("simulator starts")
}

fn provider(sim: &Simulator, store: Arc<dyn TokenStore>) -> TokenProvider {
    let p12 = std::fs::read(repo("tests/vectors/keys/client.p12")).expect("client.p12");
    let key = Key::from_pkcs12(&p12, "vector-password", None).expect("key");
    let client = Client::new(X5C_CLIENT, key, Environment::from_name(sim.issuer()).expect("env")).expect("client");
    let options = FlowOptions { attempt_timeout_ms: Some(5_000), ..FlowOptions::default() };
    TokenProvider::new(client).expect("provider").with_options(&options).expect("options").with_store(store)
}

/// 20 callers split over `providers` at once: every one gets the same token.
async fn concurrent_tokens(providers: &[Arc<TokenProvider>]) -> Vec<String> {
    let options = GrantOptions::new([READ]);
    let calls = (0..20).map(|i| {
        let provider = providers[i % providers.len()].clone();
        let options = options.clone();
        tokio::spawn(async move { provider.token(&options).await.expect("token").access_token().to_string() })
    });
    let mut tokens = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        tokens.push(call.await.expect("task"));
    }
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_sharing_a_memory_store_fetch_once() {
    let sim = simulator().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let providers = [Arc::new(provider(&sim, store.clone())), Arc::new(provider(&sim, store.clone()))];
    let tokens = concurrent_tokens(&providers).await;
    assert!(tokens.iter().all(|t| t == &tokens[0]), "one token for all");
    assert_eq!(sim.stats().requests, 1, "one request for two providers");
}

/// A `redis-server` on a free loopback port, killed on drop; `None` with a printed reason only
/// when none is installed and `MASKINPORTEN_REQUIRE_REDIS` is unset (the test script sets it).
struct Redis {
    child: Child,
    url: String,
}

impl Redis {
    fn start() -> Option<Redis> {
        let binary = std::env::var("MASKINPORTEN_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        if !Command::new(&binary).arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success()) {
            assert!(std::env::var_os("MASKINPORTEN_REQUIRE_REDIS").is_none(), "{binary} is required but not installed");
            eprintln!("SKIPPED: no {binary} on PATH (scripts/test-rust installs the Debian package redis-server)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                let mut answer = [0u8; 7];
                if stream.write_all(b"PING\r\n").is_ok()
                    && stream.read_exact(&mut answer).is_ok()
                    && &answer == b"+PONG\r\n"
                {
                    return Some(Redis { child, url: format!("redis://127.0.0.1:{port}/") });
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        panic!("redis-server did not answer on port {port}");
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_store(redis: &Redis, key: &[u8], prefix: &str) -> RedisStore {
    let options = RedisStoreOptions { prefix: prefix.into(), ..RedisStoreOptions::default() };
    RedisStore::new(&redis.url, key, options).expect("store")
}

fn now_ms() -> i64 {
    maskinporten_transport::SystemClock.now_ms()
}

use maskinporten_transport::Clock;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_entries_are_sealed_and_expire_with_the_token() {
    let Some(redis) = Redis::start() else { return };
    let store = redis_store(&redis, &KEY, "t1:");
    let key = CacheKey::from_string("some-cache-key".into());
    let now = now_ms();
    let token = AccessToken::new("eyJhbGciOi.secret-payload.signature", 60, Some(READ.into()), now / 1000);
    store.put(&key, &token, now).await.expect("put");
    assert_eq!(store.get(&key, now).await.expect("get"), Some(token.clone()));
    assert!(store.available());

    // What a dump of Redis shows: no token, and a time to live at the token's expiry.
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let name = "t1:token:some-cache-key";
    let sealed: Vec<u8> = redis::cmd("GET").arg(name).query_async(&mut raw).await.unwrap();
    assert!(!sealed.windows(14).any(|w| w == b"secret-payload"), "the token is not readable in Redis");
    let ttl: i64 = redis::cmd("PTTL").arg(name).query_async(&mut raw).await.unwrap();
    let expected = token.expires_at() * 1000 - now;
    assert!((expected - 2_000..=expected).contains(&ttl), "ttl {ttl} ms, expiry in {expected} ms");

    // Another key cannot open it; a copy under another name does not open either.
    let stranger = redis_store(&redis, &[7; 32], "t1:");
    let error = stranger.get(&key, now).await.unwrap_err();
    assert!(error.to_string().contains("another encryption key"), "{error}");
    let _: () = redis::cmd("SET").arg("t1:token:other-key").arg(&sealed).query_async(&mut raw).await.unwrap();
    assert!(store.get(&CacheKey::from_string("other-key".into()), now).await.is_err(), "moved entries do not open");
    // Prefixes keep deployments apart; an expired token is not returned.
    assert_eq!(redis_store(&redis, &KEY, "t2:").get(&key, now).await.unwrap(), None);
    assert_eq!(store.get(&key, now + 61_000).await.unwrap(), None);
    assert!(RedisStore::new(&redis.url, &[0; 16], RedisStoreOptions::default())
        .unwrap_err()
        .to_string()
        .contains("32"));
    // The key in any form Debug could take (bytes, base64, hex, text); not "42" alone, which a
    // random port in the address can hold.
    let shown = format!("{store:?}");
    for form in ["42, 42", "Kioq", "2a2a", "****"] {
        assert!(!shown.contains(form), "Debug shows no key: {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_lock_has_one_holder_and_only_it_releases() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = (redis_store(&redis, &KEY, "lock:"), redis_store(&redis, &KEY, "lock:"));
    let key = CacheKey::from_string("k".into());
    let held = a.try_lock(&key, 10_000).await.unwrap().expect("free");
    assert!(b.try_lock(&key, 10_000).await.unwrap().is_none(), "held by a");
    b.unlock(maskinporten_transport::store::StoreLock::new(key.clone(), "not-the-owner".into())).await.unwrap();
    assert!(b.try_lock(&key, 10_000).await.unwrap().is_none(), "only the owner releases");
    a.unlock(held).await.unwrap();
    let taken = b.try_lock(&key, 50).await.unwrap().expect("released");
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(a.try_lock(&key, 10_000).await.unwrap().is_some(), "a lock runs out");
    b.unlock(taken).await.unwrap(); // ran out and taken by a: left alone
    assert!(b.try_lock(&key, 10_000).await.unwrap().is_none(), "a's lock survived b's late release");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_on_redis_fetch_once_and_a_401_is_not_undone() {
    let Some(redis) = Redis::start() else { return };
    let sim = simulator().await;
    let store = |prefix: &str| -> Arc<dyn TokenStore> { Arc::new(redis_store(&redis, &KEY, prefix)) };
    let providers = [Arc::new(provider(&sim, store("p:"))), Arc::new(provider(&sim, store("p:")))];
    let tokens = concurrent_tokens(&providers).await;
    assert!(tokens.iter().all(|t| t == &tokens[0]), "one token for all");
    assert_eq!(sim.stats().requests, 1, "one Maskinporten request for two providers");

    // A third provider (a new replica) starts with the stored token.
    let late = provider(&sim, store("p:"));
    let options = GrantOptions::new([READ]);
    assert_eq!(late.token(&options).await.unwrap().access_token(), tokens[0]);
    assert_eq!(sim.stats().requests, 1);

    // An API refused the token: the next one is new, not the stored copy of the refused one.
    assert!(late.reject(&options, &tokens[0]));
    let renewed = late.token(&options).await.unwrap();
    assert_ne!(renewed.access_token(), tokens[0]);
    assert_eq!(sim.stats().requests, 2);
    // ... and it replaced the stored one for everybody.
    let newcomer = provider(&sim, store("p:"));
    assert_eq!(newcomer.token(&options).await.unwrap().access_token(), renewed.access_token());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_never_fails_a_caller() {
    let sim = simulator().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let options = RedisStoreOptions { timeout: Duration::from_millis(200), ..RedisStoreOptions::default() };
    let store = Arc::new(RedisStore::new(&format!("redis://127.0.0.1:{port}/"), &KEY, options).unwrap());
    let provider = provider(&sim, store.clone());
    let started = Instant::now();
    let token = provider.token(&GrantOptions::new([READ])).await.expect("a token without Redis");
    assert!(!token.access_token().is_empty());
    assert!(started.elapsed() < Duration::from_secs(3), "Redis cost at most its timeouts");
    assert!(!store.available());
    assert!(store.errors() >= 1);
    assert!(store.ping().await.is_err());
}
