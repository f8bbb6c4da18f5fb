//! The Redis (or Valkey) store: replicas of a service share tokens and fetch locks.

use super::seal::{Sealer, KEY_LEN};
use super::{random_owner, StoreError, StoreLock, TokenStore};
use crate::clock::BoxFuture;
use maskinporten::{AccessToken, CacheKey, Error, ErrorKind};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Deletes the lock only if it still holds this owner's value (another replica may have taken
/// it after it ran out).
const UNLOCK: &str =
    r#"if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end"#;

/// Settings of a [`RedisStore`].
#[derive(Debug, Clone)]
pub struct RedisStoreOptions {
    /// Prefix of every key the store writes (default `maskinporten:`); give deployments that
    /// share one Redis different prefixes.
    pub prefix: String,
    /// Longest wait for one Redis operation, connecting included (default 250 ms). A provider
    /// never waits longer than this for Redis before fetching for itself.
    pub timeout: Duration,
    /// After a failure, how long Redis is left alone before the next try (default 1 s): while
    /// it is down, callers do not each pay the timeout.
    pub retry_after: Duration,
}

impl Default for RedisStoreOptions {
    fn default() -> Self {
        RedisStoreOptions {
            prefix: "maskinporten:".into(),
            timeout: Duration::from_millis(250),
            retry_after: Duration::from_secs(1),
        }
    }
}

/// A [`TokenStore`] on Redis or Valkey (the same protocol), for replicas of one service: tokens
/// are kept sealed with AES-256-GCM under the key you give every replica (a dump of Redis alone
/// yields no usable token; a random nonce per write; the entry's name is bound in as associated
/// data), each with a time to live at the token's expiry; the fetch lock is `SET NX PX` with a
/// random owner, released by a compare-and-delete script.
///
/// Connects lazily through redis's `ConnectionManager` (it reconnects by itself). When Redis is
/// unreachable the operations fail fast with a [`StoreError`], [`TokenStore::available`] turns
/// false, and providers fetch for themselves; Redis is tried again after
/// [`RedisStoreOptions::retry_after`].
///
/// ```no_run
/// use maskinporten_transport::store::{RedisStore, RedisStoreOptions};
/// # fn run(key: [u8; 32]) -> Result<(), maskinporten::Error> {
/// let store = RedisStore::new("redis://127.0.0.1:6379/", &key, RedisStoreOptions::default())?;
/// # let _ = store; Ok(()) }
/// ```
pub struct RedisStore {
    client: redis::Client,
    connection: tokio::sync::Mutex<Option<ConnectionManager>>,
    sealer: Sealer,
    options: RedisStoreOptions,
    address: String,
    available: AtomicBool,
    down_until: Mutex<Option<Instant>>,
    errors: AtomicU64,
    unlock: redis::Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.address)
            .field("prefix", &self.options.prefix)
            .field("available", &self.available())
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://[:password@]host:port/[db]`, `rediss://` for
    /// TLS is not built in), sealing tokens with `encryption_key` (32 bytes, the same on every
    /// replica; keep it with your other secrets). Does not connect yet.
    pub fn new(url: &str, encryption_key: &[u8], options: RedisStoreOptions) -> maskinporten::Result<RedisStore> {
        let sealer = Sealer::new(encryption_key).ok_or_else(|| Error::InvalidArgument {
            kind: ErrorKind::InvalidArgument,
            field: "store_key",
            message: format!(
                "the store's encryption key is {} bytes; it must be {KEY_LEN} random bytes (AES-256)",
                encryption_key.len()
            ),
        })?;
        let client = redis::Client::open(url).map_err(|e| Error::InvalidArgument {
            kind: ErrorKind::InvalidArgument,
            field: "redis_url",
            // redis's message names the problem, not the URL (which may hold a password).
            message: format!("not a Redis URL ({}): use redis://host:port/", format!("{:?}", e.kind()).to_lowercase()),
        })?;
        let address = client.get_connection_info().addr.to_string();
        Ok(RedisStore {
            client,
            connection: tokio::sync::Mutex::new(None),
            sealer,
            options,
            address,
            available: AtomicBool::new(true),
            down_until: Mutex::new(None),
            errors: AtomicU64::new(0),
            unlock: redis::Script::new(UNLOCK),
        })
    }

    /// `host:port` of the Redis (never the password).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Operations that failed since the start (unreachable, timed out, an entry that did not
    /// open).
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Asks Redis for `PING` now (even while it is being left alone after a failure), updating
    /// [`TokenStore::available`]: for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.set_down_until(None);
        self.run("PING", |mut con| async move { redis::cmd("PING").query_async::<String>(&mut con).await })
            .await
            .map(drop)
    }

    fn name(&self, what: &str, key: &CacheKey) -> String {
        format!("{}{what}:{}", self.options.prefix, key.as_str())
    }

    /// A connection, made on first use; errors while Redis is being left alone.
    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        if let Some(until) = *self.down_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
            if Instant::now() < until {
                return Err(StoreError::new(format!("Redis at {} is unavailable; retrying shortly", self.address)));
            }
        }
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.options.timeout)
            .set_response_timeout(self.options.timeout)
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(self.client.clone(), config)
            .await
            .map_err(|e| StoreError::new(format!("cannot connect to Redis at {}: {}", self.address, describe(&e))))?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    /// Runs one operation within the timeout, keeping [`TokenStore::available`] and the error
    /// count up to date.
    async fn run<T, F, Fut>(&self, what: &str, op: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let result = tokio::time::timeout(self.options.timeout, async {
            let connection = self.connection().await?;
            op(connection).await.map_err(|e| StoreError::new(format!("Redis {what} failed: {}", describe(&e))))
        })
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::new(format!(
                "Redis {what} got no answer within {} ms from {}",
                self.options.timeout.as_millis(),
                self.address
            )))
        });
        match &result {
            Ok(_) => {
                self.available.store(true, Ordering::Relaxed);
            }
            Err(error) => {
                self.failed();
                tracing::warn!(target: "maskinporten", store = "redis", "{error}; fetching without the shared store");
            }
        }
        result
    }

    fn failed(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.available.store(false, Ordering::Relaxed);
        self.set_down_until(Some(Instant::now() + self.options.retry_after));
    }

    fn set_down_until(&self, until: Option<Instant>) {
        *self.down_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = until;
    }
}

impl TokenStore for RedisStore {
    fn get<'a>(&'a self, key: &'a CacheKey, now_ms: i64) -> BoxFuture<'a, Result<Option<AccessToken>, StoreError>> {
        Box::pin(async move {
            let name = self.name("token", key);
            let query = redis::cmd("GET").arg(&name).clone();
            let bytes =
                self.run("GET", |mut con| async move { query.query_async::<Option<Vec<u8>>>(&mut con).await }).await?;
            let Some(bytes) = bytes else { return Ok(None) };
            match self.sealer.open(&name, &bytes) {
                Ok(token) if !token.is_expired(now_ms.div_euclid(1000)) => Ok(Some(token)),
                Ok(_) => Ok(None),
                Err(error) => {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(target: "maskinporten", store = "redis", "{error}");
                    Err(error)
                }
            }
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a CacheKey,
        token: &'a AccessToken,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let ttl_ms = token.expires_at().saturating_mul(1000).saturating_sub(now_ms);
            if ttl_ms <= 0 {
                return Ok(());
            }
            let name = self.name("token", key);
            let sealed = self.sealer.seal(&name, token)?;
            let query = redis::cmd("SET").arg(&name).arg(sealed).arg("PX").arg(ttl_ms).clone();
            self.run("SET", |mut con| async move { query.query_async::<()>(&mut con).await }).await
        })
    }

    fn try_lock<'a>(&'a self, key: &'a CacheKey, ttl_ms: u64) -> BoxFuture<'a, Result<Option<StoreLock>, StoreError>> {
        Box::pin(async move {
            let owner = random_owner();
            let query = redis::cmd("SET")
                .arg(self.name("lock", key))
                .arg(&owner)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms.max(1))
                .clone();
            let taken = self
                .run("SET NX", |mut con| async move { query.query_async::<Option<String>>(&mut con).await })
                .await?;
            Ok(taken.map(|_| StoreLock::new(key.clone(), owner)))
        })
    }

    fn unlock(&self, lock: StoreLock) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            let mut invocation = self.unlock.key(self.name("lock", lock.key()));
            invocation.arg(lock.owner());
            self.run("unlock", |mut con| async move { invocation.invoke_async::<i64>(&mut con).await }).await.map(drop)
        })
    }

    fn available(&self) -> bool {
        self.available.load(Ordering::Relaxed)
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

/// What went wrong, in words that never carry the URL, a password or a stored value.
fn describe(error: &redis::RedisError) -> String {
    if error.is_connection_refusal() {
        "connection refused".into()
    } else if error.is_timeout() {
        "timed out".into()
    } else if error.is_connection_dropped() || error.is_io_error() {
        "connection lost".into()
    } else {
        format!("{:?}", error.kind()).to_lowercase()
    }
}
