# Shared helpers for the scripts in this folder (sourced, not run).

# Makes sure cargo is on PATH (rustup's default install location) and installs a stable
# toolchain through rustup when there is none.
ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "cargo not found: installing Rust with rustup" >&2
        command -v rustup >/dev/null 2>&1 || { echo "error: neither cargo nor rustup is installed; see https://rustup.rs" >&2; return 1; }
        rustup toolchain install stable --profile minimal --component clippy,rustfmt
    fi
}

# Installs Debian packages that are missing (apt-get update only when something is missing).
ensure_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A C compiler and cmake-free build prerequisites for aws-lc-sys.
ensure_c_compiler() {
    command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || ensure_apt build-essential
}

# Installs redis-server (Debian package) for the shared-store tests, idempotently. On success
# exports MASKINPORTEN_REQUIRE_REDIS=1, so those tests fail rather than skip if it is missing;
# when installation is impossible it says why and the tests skip with a printed reason. The
# tests start their own servers (on unused loopback ports), because one of them kills Redis.
ensure_redis() {
    if ! command -v redis-server >/dev/null 2>&1; then
        if ! ensure_apt redis-server; then
            echo "warning: cannot install redis-server (apt-get failed): the shared-store tests will be skipped" >&2
            return 0
        fi
    fi
    if command -v redis-server >/dev/null 2>&1; then
        export MASKINPORTEN_REQUIRE_REDIS=1
    else
        echo "warning: redis-server is not on PATH after installation: the shared-store tests will be skipped" >&2
    fi
}

# Starts one redis-server on an unused loopback port (no persistence), unless the one recorded
# in $REDIS_PIDFILE still runs; exports MASKINPORTEN_REDIS_URL. Stop it with stop_redis.
start_redis() {
    ensure_redis
    REDIS_PIDFILE=${REDIS_PIDFILE:-${TMPDIR:-/tmp}/maskinporten-redis.pid}
    REDIS_PORTFILE="$REDIS_PIDFILE.port"
    if [ -f "$REDIS_PIDFILE" ] && kill -0 "$(cat "$REDIS_PIDFILE")" 2>/dev/null && [ -f "$REDIS_PORTFILE" ]; then
        export MASKINPORTEN_REDIS_URL="redis://127.0.0.1:$(cat "$REDIS_PORTFILE")/"
        return 0
    fi
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
        --pidfile "$REDIS_PIDFILE" --logfile "${REDIS_PIDFILE%.pid}.log" >/dev/null
    for _ in $(seq 100); do
        [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ] && break
        sleep 0.05
    done
    echo "$port" > "$REDIS_PORTFILE"
    export MASKINPORTEN_REDIS_URL="redis://127.0.0.1:$port/"
}

# Stops the redis-server start_redis started.
stop_redis() {
    if [ -n "${REDIS_PIDFILE:-}" ] && [ -f "$REDIS_PIDFILE" ]; then
        kill "$(cat "$REDIS_PIDFILE")" 2>/dev/null || true
        rm -f "$REDIS_PIDFILE" "$REDIS_PIDFILE.port"
    fi
}
