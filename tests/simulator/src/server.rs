//! The HTTP server: routes, fault handling, the running handle.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch, Notify};
use tower::ServiceExt;

use crate::altinn;
use crate::config::{ConfigError, SimulatorConfig};
use crate::crypto::TokenSigner;
use crate::faults::{FaultKind, FaultSpec, Faults, Stats};
use crate::registry::Registry;
use crate::selfservice::directory::Directory;
use crate::selfservice::{routes as self_service, SelfServiceConfig};
use crate::validate::{self, JtiStore, Rejection};

/// Where to listen: a port on 127.0.0.1 (0 = ephemeral) or a full socket address.
#[derive(Clone, Copy, Debug)]
pub struct Bind(pub SocketAddr);

impl From<u16> for Bind {
    fn from(port: u16) -> Self {
        Bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    }
}
impl From<SocketAddr> for Bind {
    fn from(a: SocketAddr) -> Self {
        Bind(a)
    }
}

/// Why the simulator could not start (or a fault was refused).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulatorError {
    /// The configuration is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}; pick another port or 0 for an ephemeral one")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A fault specification is invalid.
    #[error("invalid fault: {0}")]
    InvalidFault(String),
    /// Something else failed at startup (runtime, key generation).
    #[error("simulator startup failed: {0}")]
    Startup(String),
}

#[derive(Debug, Default)]
struct Mutable {
    jtis: JtiStore,
    faults: Faults,
    stats: Stats,
}

pub(crate) struct Shared {
    pub(crate) issuer: String,
    base_url: String,
    /// What `/token` sees; the self-service API changes it (lock order: directory, then this).
    registry: RwLock<Registry>,
    pub(crate) signer: TokenSigner,
    altinn_signer: TokenSigner,
    state: Mutex<Mutable>,
    /// The self-service API's clients and key sets.
    directory: Mutex<Directory>,
    pub(crate) self_service: SelfServiceConfig,
    fixed_time: Option<i64>,
    clock_offset: AtomicI64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Mutable> {
        // A panic while holding the lock cannot leave the counters inconsistent in a way that
        // matters to tests, so recover from poisoning.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub(crate) fn registry_read(&self) -> RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(|p| p.into_inner())
    }
    pub(crate) fn registry_write(&self) -> RwLockWriteGuard<'_, Registry> {
        self.registry.write().unwrap_or_else(|p| p.into_inner())
    }
    pub(crate) fn directory(&self) -> MutexGuard<'_, Directory> {
        self.directory.lock().unwrap_or_else(|p| p.into_inner())
    }
    /// The simulator's time: the system clock (or `fixed_time`) plus the clock offset.
    pub(crate) fn now(&self) -> i64 {
        self.fixed_time.unwrap_or_else(now).saturating_add(self.clock_offset.load(Ordering::Relaxed))
    }
    /// Lets the self-service changes whose propagation delay has passed reach `/token`.
    fn apply_due_changes(&self, now: i64) {
        let mut directory = self.directory();
        if directory.has_pending() {
            directory.apply_due(&mut self.registry_write(), now);
        }
    }
}

/// A running simulator. Dropping it without [`Simulator::shutdown`] stops accepting connections.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown_tx: watch::Sender<bool>,
    done_rx: Option<oneshot::Receiver<()>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator").field("issuer", &self.shared.issuer).finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct ConnCtx {
    kill: Arc<Notify>,
    peer: SocketAddr,
}

fn base_url_of(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_string(),
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    format!("http://{host}:{}/", addr.port())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Simulator {
    /// Binds, spawns the server on the current tokio runtime and returns once it accepts
    /// connections.
    pub async fn start(config: SimulatorConfig, bind: impl Into<Bind>) -> Result<Simulator, SimulatorError> {
        let mut registry = Registry::compile(&config)?;
        let started = config.fixed_time.unwrap_or_else(now).saturating_add(config.clock_offset);
        let self_service = config.self_service.clone();
        let state_file = self_service.state_file.as_ref().map(|p| config.resolve(p));
        let directory =
            Directory::new(&mut registry, self_service.propagation_delay, state_file, started).map_err(|message| {
                SimulatorError::Config(ConfigError::Invalid { field: "self_service.state_file".into(), message })
            })?;
        let signer = load_signer(&config, config.signing_key.as_deref(), "signing_key").await?;
        let altinn_signer = load_signer(&config, config.altinn.signing_key.as_deref(), "altinn.signing_key").await?;
        let Bind(addr) = bind.into();
        let listener = TcpListener::bind(addr).await.map_err(|source| SimulatorError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(|source| SimulatorError::Bind { addr, source })?;
        let issuer = config.issuer.clone().unwrap_or_else(|| base_url_of(local));
        let base_url = base_url_of(local);
        let shared = Arc::new(Shared {
            issuer,
            base_url,
            registry: RwLock::new(registry),
            signer,
            altinn_signer,
            state: Mutex::new(Mutable::default()),
            directory: Mutex::new(directory),
            self_service,
            fixed_time: config.fixed_time,
            clock_offset: AtomicI64::new(config.clock_offset),
        });
        let router = router(shared.clone());
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (done_tx, done_rx) = oneshot::channel();
        tokio::spawn(accept_loop(listener, router, shutdown_rx, done_tx));
        Ok(Simulator { shared, addr: local, shutdown_tx, done_rx: Some(done_rx) })
    }

    /// Starts on a background thread with its own runtime (for synchronous callers).
    pub fn start_blocking(config: SimulatorConfig, bind: impl Into<Bind>) -> Result<BlockingSimulator, SimulatorError> {
        let bind = bind.into();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("maskinporten-simulator")
            .build()
            .map_err(|e| SimulatorError::Startup(e.to_string()))?;
        let sim = rt.block_on(Simulator::start(config, bind))?;
        Ok(BlockingSimulator { sim: Some(sim), rt: Some(rt) })
    }

    /// The issuer (= the `aud` a grant must carry), e.g. `http://127.0.0.1:40123/`.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }
    /// The token endpoint URL (always on the bound address).
    pub fn token_endpoint(&self) -> String {
        format!("{}token", self.base_url())
    }
    /// The JWKS URL.
    pub fn jwks_uri(&self) -> String {
        format!("{}jwk", self.base_url())
    }
    /// The metadata URL (`.well-known/oauth-authorization-server`).
    pub fn metadata_url(&self) -> String {
        format!("{}.well-known/oauth-authorization-server", self.base_url())
    }
    fn base_url(&self) -> &str {
        &self.shared.base_url
    }
    /// The base URL of the simulated self-service API (`{base}api/v1`, no trailing slash).
    pub fn self_service_endpoint(&self) -> String {
        format!("{}{}", self.base_url(), self_service::BASE_PATH)
    }
    /// Moves the simulator's clock: from now on it reads the system clock (or `fixed_time`) plus
    /// `seconds`. Grants are then judged on that clock (a client must sign on it too).
    pub fn set_clock_offset(&self, seconds: i64) {
        self.shared.clock_offset.store(seconds, Ordering::Relaxed);
    }
    /// The simulator's time now (Unix seconds), offset included.
    pub fn now(&self) -> i64 {
        self.shared.now()
    }
    /// Makes every client and key the self-service API stores `seconds` older (creation and
    /// change times, key expiries), as if that much time had passed, while clocks stay: clients
    /// on the real clock keep working, and see their keys a year older when `seconds` is a year.
    pub fn age_registrations(&self, seconds: i64) {
        age(&self.shared, seconds);
    }
    /// The Altinn platform base URL (no trailing slash), e.g. `http://127.0.0.1:40123/altinn`:
    /// the token exchange is `{altinn_platform}/authentication/api/v1/exchange/maskinporten`.
    pub fn altinn_platform(&self) -> String {
        altinn_platform_of(&self.shared)
    }
    /// The JWKS of the key that signs Altinn tokens (not the Maskinporten issuer's key).
    pub fn altinn_jwks(&self) -> Value {
        json!({"keys": [self.shared.altinn_signer.jwk.clone()]})
    }
    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// The `kid` of the key that signs access tokens.
    pub fn signing_kid(&self) -> &str {
        &self.shared.signer.kid
    }
    /// The JWKS document served on `/jwk`.
    pub fn jwks(&self) -> Value {
        json!({"keys": [self.shared.signer.jwk.clone()]})
    }
    /// The ready line (see the simulator README):
    /// `{"issuer","token_endpoint","jwks_uri","port","self_service_endpoint","altinn_platform"}`.
    pub fn ready_line(&self) -> String {
        // Written by hand to keep the documented key order (serde_json sorts keys).
        let s = |v: &str| Value::String(v.to_string()).to_string();
        format!(
            r#"{{"issuer":{},"token_endpoint":{},"jwks_uri":{},"port":{},"self_service_endpoint":{},"altinn_platform":{}}}"#,
            s(self.issuer()),
            s(&self.token_endpoint()),
            s(&self.jwks_uri()),
            self.port(),
            s(&self.self_service_endpoint()),
            s(&self.altinn_platform())
        )
    }
    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        stats_of(&self.shared)
    }
    /// Arms a fault (see [`FaultSpec`]).
    pub fn inject_fault(&self, spec: FaultSpec) -> Result<(), SimulatorError> {
        spec.check().map_err(SimulatorError::InvalidFault)?;
        self.shared.lock().faults.add(spec);
        Ok(())
    }
    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }
    /// Clears faults, counters and remembered `jti`s.
    pub fn reset(&self) {
        reset(&self.shared);
    }
    /// Stops accepting, lets open requests finish, and returns when the server has stopped.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(rx) = self.done_rx.take() {
            let _ = rx.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

/// A simulator running on its own background runtime; stops on [`BlockingSimulator::shutdown`]
/// or drop.
pub struct BlockingSimulator {
    sim: Option<Simulator>,
    rt: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for BlockingSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingSimulator").field("sim", &self.sim).finish()
    }
}

impl std::ops::Deref for BlockingSimulator {
    type Target = Simulator;
    fn deref(&self) -> &Simulator {
        match &self.sim {
            Some(s) => s,
            // `sim` is only taken in shutdown/drop, which consume or end the value.
            None => unreachable!("BlockingSimulator used after shutdown"),
        }
    }
}

impl BlockingSimulator {
    /// Stops the server and its runtime.
    pub fn shutdown(mut self) {
        self.stop();
    }
    /// Blocks until SIGINT or SIGTERM, then shuts down gracefully (what a CLI's `simulator`
    /// command does after printing [`Simulator::ready_line`]).
    pub fn serve_until_signal(mut self) {
        if let Some(rt) = &self.rt {
            rt.block_on(crate::cli::wait_for_signal());
        }
        self.stop();
    }
    fn stop(&mut self) {
        if let (Some(sim), Some(rt)) = (self.sim.take(), self.rt.take()) {
            rt.block_on(sim.shutdown());
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

impl Drop for BlockingSimulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The configured key at `path` (field `field`), or a fresh one.
async fn load_signer(
    config: &SimulatorConfig,
    path: Option<&std::path::Path>,
    field: &str,
) -> Result<TokenSigner, SimulatorError> {
    match path {
        Some(p) => TokenSigner::from_pkcs8_pem(&config.read(p)?)
            .map_err(|m| SimulatorError::Config(ConfigError::Invalid { field: field.into(), message: m })),
        None => tokio::task::spawn_blocking(TokenSigner::generate)
            .await
            .map_err(|e| SimulatorError::Startup(e.to_string()))?
            .map_err(SimulatorError::Startup),
    }
}

fn altinn_platform_of(shared: &Shared) -> String {
    format!("{}{}", shared.base_url.trim_end_matches('/'), altinn::PREFIX)
}

fn stats_of(shared: &Shared) -> Stats {
    let st = shared.lock();
    let mut s = st.stats.clone();
    s.faults_active = st.faults.len() as u64;
    s
}

fn age(shared: &Shared, seconds: i64) {
    let mut directory = shared.directory();
    if let Some(warning) = directory.age(seconds, &mut shared.registry_write()) {
        eprintln!("maskinporten-simulator: {warning}");
    }
}

fn reset(shared: &Shared) {
    let mut st = shared.lock();
    st.jtis.clear();
    st.faults.clear();
    st.stats = Stats::default();
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
    done: oneshot::Sender<()>,
) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let router = router.clone();
                let mut shutdown = shutdown.clone();
                conns.spawn(async move {
                    let ctx = ConnCtx { kill: Arc::new(Notify::new()), peer };
                    let kill = ctx.kill.clone();
                    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(ctx.clone());
                        let router = router.clone();
                        async move { router.oneshot(req.map(Body::new)).await }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = kill.notified() => {} // drop the connection: the peer sees a close
                        _ = shutdown.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = tokio::time::timeout(Duration::from_secs(5), conn).await;
                        }
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(6), async { while conns.join_next().await.is_some() {} }).await;
    let _ = done.send(());
}

fn router(shared: Arc<Shared>) -> Router {
    let public = Router::new()
        .route("/token", post(token))
        .route("/jwk", get(jwk))
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route(altinn::EXCHANGE_PATH, get(altinn_exchange))
        .route(altinn::JWKS_PATH, get(altinn_jwks))
        .layer(middleware::from_fn_with_state(shared.clone(), fault_layer));
    let admin = Router::new()
        .route("/_sim/faults", post(add_fault).delete(clear_faults))
        .route("/_sim/stats", get(get_stats))
        .route("/_sim/reset", post(post_reset))
        .route("/_sim/clock", get(get_clock).post(post_clock))
        .route("/_sim/age", post(post_age))
        .layer(middleware::from_fn(loopback_only));
    public.merge(admin).merge(self_service::router()).with_state(shared)
}

async fn loopback_only(req: Request, next: Next) -> Response {
    let ok = req.extensions().get::<ConnCtx>().map(|c| c.peer.ip().is_loopback()).unwrap_or(false);
    if !ok {
        return (StatusCode::FORBIDDEN, Json(json!({"error": "admin endpoints are loopback only"}))).into_response();
    }
    next.run(req).await
}

async fn fault_layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let decision = {
        let mut st = shared.lock();
        match path.as_str() {
            "/token" => st.stats.requests += 1,
            "/jwk" => st.stats.jwks_requests += 1,
            altinn::EXCHANGE_PATH => st.stats.altinn_requests += 1,
            _ => st.stats.metadata_requests += 1,
        }
        let d = st.faults.decide(&path);
        st.stats.faults_injected += d.hits;
        d
    };
    if decision.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.latency_ms)).await;
    }
    match decision.terminal {
        None => next.run(req).await,
        Some((FaultKind::Close, _)) => {
            if let Some(ctx) = req.extensions().get::<ConnCtx>() {
                ctx.kill.notify_one();
            }
            std::future::pending::<Response>().await
        }
        Some((kind, status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let reason = status.canonical_reason().unwrap_or("Error");
            match kind {
                FaultKind::Html => (
                    status,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    format!(
                        "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1></center><hr><center>nginx</center></body></html>\n",
                        code = status.as_u16()
                    ),
                )
                    .into_response(),
                FaultKind::Empty => (status, Body::empty()).into_response(),
                _ => (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{reason} (simulated)\n"))
                    .into_response(),
            }
        }
    }
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    resp
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let now = shared.now();
    shared.apply_due_changes(now);
    // The lock is taken only for the replay check, not around the signature verification.
    let jti_unused =
        |iss: &str, jti: &str, now: i64, forget_at: i64| shared.lock().jtis.check_and_insert(iss, jti, now, forget_at);
    let outcome = {
        let registry = shared.registry_read();
        let result = validate::validate(&registry, &shared.issuer, jti_unused, ct, &body, now);
        result.and_then(|acc| issue(&shared, &registry, acc, now))
    };
    let mut st = shared.lock();
    match outcome {
        Ok(body) => {
            st.stats.tokens_issued += 1;
            drop(st);
            no_store((StatusCode::OK, Json(body)).into_response())
        }
        Err(rej) => {
            *st.stats.errors.entry(rej.mp_code.to_string()).or_default() += 1;
            *st.stats.oauth_errors.entry(rej.error.to_string()).or_default() += 1;
            drop(st);
            let status = StatusCode::from_u16(rej.status).unwrap_or(StatusCode::BAD_REQUEST);
            no_store((status, Json(rej.body())).into_response())
        }
    }
}

fn issue(shared: &Shared, registry: &Registry, acc: validate::Accepted, now: i64) -> Result<Value, Rejection> {
    let scope = acc.scopes.join(" ");
    let mut claims = json!({
        "iss": shared.issuer,
        "client_amr": acc.client_amr,
        "token_type": "Bearer",
        "client_id": acc.client_id,
        "consumer": acc.consumer,
        "scope": scope,
        "iat": now,
        "exp": now + acc.lifetime,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    if let Some(map) = claims.as_object_mut() {
        if let Some(s) = &acc.supplier_org {
            map.insert("supplier".into(), json!({"authority": "iso6523-actorid-upis", "ID": format!("0192:{s}")}));
            map.insert("delegation_source".into(), json!(registry.delegation_source));
        }
        if let Some(r) = acc.resource {
            map.insert("aud".into(), r);
        }
        if let Some(p) = acc.pid {
            map.insert("pid".into(), json!(p));
        }
        if let Some(o) = acc.iss_onbehalfof {
            map.insert("client_onbehalfof".into(), json!(o));
        }
        if let Some(a) = acc.authorization_details {
            map.insert("authorization_details".into(), a);
        }
    }
    let token = shared.signer.sign_jwt(&claims).map_err(|m| Rejection {
        status: 500,
        error: "server_error",
        mp_code: "MP-000",
        message: m,
    })?;
    Ok(json!({"access_token": token, "token_type": "Bearer", "expires_in": acc.lifetime, "scope": scope}))
}

async fn altinn_exchange(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let now = shared.now();
    let headers = req.headers();
    let request = altinn::ExchangeRequest {
        authorization: headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()),
        enterprise_user_header: headers.keys().any(|name| altinn::is_enterprise_user_header(name.as_str())),
        query: req.uri().query(),
    };
    let altinn_issuer = format!("{}/authentication/api/v1/openid/", altinn_platform_of(&shared));
    let outcome = altinn::exchange(
        &shared.registry_read(),
        &shared.issuer,
        &shared.signer,
        &shared.altinn_signer,
        &altinn_issuer,
        &request,
        now,
    );
    match outcome {
        Ok(token) => {
            shared.lock().stats.altinn_tokens_issued += 1;
            no_store((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], token).into_response())
        }
        Err(refusal) => {
            *shared.lock().stats.altinn_errors.entry(refusal.status.to_string()).or_default() += 1;
            let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = refusal.body().to_string();
            no_store((status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response())
        }
    }
}

async fn altinn_jwks(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({"keys": [shared.altinn_signer.jwk.clone()]})).into_response()
}

async fn jwk(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({"keys": [shared.signer.jwk.clone()]})).into_response()
}

async fn metadata(State(shared): State<Arc<Shared>>) -> Response {
    // Endpoints live on the bound address even when the issuer is overridden.
    let base = &shared.base_url;
    Json(json!({
        "issuer": shared.issuer,
        "token_endpoint": format!("{base}token"),
        "jwks_uri": format!("{base}jwk"),
        "grant_types_supported": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512"],
        "authorization_details_types_supported": ["urn:altinn:systemuser", "urn:altinn:consent"],
        // Not in Digdir's metadata: where this simulator serves the self-service API.
        "self_service_endpoint": format!("{base}{}", self_service::BASE_PATH),
    }))
    .into_response()
}

async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, Json(json!({"error": format!("invalid fault: {e}")}))).into_response()
        }
    };
    if let Err(m) = spec.check() {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": format!("invalid fault: {m}")}))).into_response();
    }
    shared.lock().faults.add(spec);
    (StatusCode::OK, Json(json!({"ok": true}))).into_response()
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().faults.clear();
    Json(json!({"ok": true})).into_response()
}

async fn get_stats(State(shared): State<Arc<Shared>>) -> Response {
    Json(stats_of(&shared)).into_response()
}

async fn post_reset(State(shared): State<Arc<Shared>>) -> Response {
    reset(&shared);
    Json(json!({"ok": true})).into_response()
}

async fn get_clock(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({"now": shared.now(), "offset_seconds": shared.clock_offset.load(Ordering::Relaxed)})).into_response()
}

/// `{"offset_seconds": N}` sets the clock offset.
async fn post_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body).ok().and_then(|v| v.get("offset_seconds")?.as_i64()) {
        Some(offset) => {
            shared.clock_offset.store(offset, Ordering::Relaxed);
            get_clock(State(shared)).await
        }
        None => (StatusCode::BAD_REQUEST, Json(json!({"error": "send {\"offset_seconds\": N}"}))).into_response(),
    }
}

/// `{"seconds": N}` makes the self-service API's clients and keys N seconds older.
async fn post_age(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body).ok().and_then(|v| v.get("seconds")?.as_i64()) {
        Some(seconds) => {
            age(&shared, seconds);
            Json(json!({"ok": true})).into_response()
        }
        None => (StatusCode::BAD_REQUEST, Json(json!({"error": "send {\"seconds\": N}"}))).into_response(),
    }
}
