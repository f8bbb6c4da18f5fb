#!/usr/bin/env bash
# Benchmarks of `maskinporten serve` (figures, not timed tests), on loopback, release build:
#  1. cache hits through POST /api/v1/token with wrk at 1, 64 and 512 connections;
#  2. introspection of a valid token, against the core's raw validate rate on one core;
#  3. peak RSS idle and after the 512-connection run;
#  4. three replicas on one Redis, 1,000 callers, 60 s tokens, Redis killed half way
#     (REPLICA_SECONDS, default 60; 0 skips it): Maskinporten requests and failed calls.
# The service is pinned to core 0 and wrk to core 1 (taskset). Usage: bindings/cli/bench/serve.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other processes skew every figure)"
source scripts/lib.sh
ensure_apt wrk redis-server
DURATION=${DURATION:-10}
REPLICA_SECONDS=${REPLICA_SECONDS:-60}
export CARGO_INCREMENTAL=0 NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
cargo build -q --release -p maskinporten-cli --example validate_rate
cargo build -q --release -p maskinporten-cli
BIN=target/release/maskinporten
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; stop_redis; rm -rf "$WORK"; }
trap cleanup EXIT

# Waits for the first line of $1 (a ready line) and prints it.
ready() { for _ in $(seq 200); do [ -s "$1" ] && { head -1 "$1"; return; }; sleep 0.05; done; echo "no ready line in $1" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
wrk_run() { # connections url script; the service's CPU time per request too (robust to load)
    local before after
    before=$(cpu_ticks "$SERVE")
    taskset -c 1 wrk -t1 -c"$1" -d"${DURATION}s" --latency -s "$3" "$2" > "$WORK/wrk.txt"
    after=$(cpu_ticks "$SERVE")
    python3 - "$WORK/wrk.txt" "$1" "$((after - before))" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
total = int(re.search(r"(\d+) requests in", text).group(1))
cpu = int(sys.argv[3]) / 100
per_cpu = f"  {total / cpu:.0f} req per CPU-second of serve" if cpu > 0 else ""
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", text))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: (.*)", text)
print(f"  {sys.argv[2]:>4} connections: {float(rps):>9.0f} req/s  p50 {lat.get('50')}  p99 {lat.get('99')}"
      f"  non-2xx {errors.group(1) if errors else 0}{per_cpu}  {('socket errors: ' + sock.group(1)) if sock else ''}")
PY
}

taskset -c 1 $BIN simulator --config tests/simulator/e2e.toml --port 0 > "$WORK/sim.out" 2>/dev/null & PIDS+=($!)
ISSUER=$(field "$(ready "$WORK/sim.out")" issuer)
export MASKINPORTEN_CLIENT_ID=5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d MASKINPORTEN_P12=tests/vectors/keys/client.p12 \
    MASKINPORTEN_P12_PASSWORD=vector-password MASKINPORTEN_ENV=$ISSUER MASKINPORTEN_LOG=warn
taskset -c 0 $BIN serve --listen 127.0.0.1:0 > "$WORK/serve.out" 2>"$WORK/serve.err" & SERVE=$!; PIDS+=($SERVE)
URL=$(field "$(ready "$WORK/serve.out")" url)
sleep 0.5
echo "== serve: peak RSS idle: $(rss_kb $SERVE) kB"
TOKEN=$(curl -s "$URL/api/v1/token" -H 'content-type: application/json' \
    -d '{"identity_provider":"maskinporten","target":"test:scope.read"}' | field "$(cat)" access_token)

echo "== cache hits, POST /api/v1/token (serve on core 0, wrk on core 1, ${DURATION} s each)"
for c in 1 64 512; do wrk_run "$c" "$URL/api/v1/token" bindings/cli/bench/token.lua; done
echo "== serve: peak RSS after 512 connections: $(rss_kb $SERVE) kB"

echo "== introspection of a valid token, alternated with the core's raw validate on the same core"
curl -s "${ISSUER}jwk" > "$WORK/jwks.json"
printf %s "$TOKEN" > "$WORK/token"
for round in 1 2 3; do
    TOKEN=$TOKEN wrk_run 64 "$URL/api/v1/introspect" bindings/cli/bench/introspect.lua
    echo "  raw core validate on core 0: $(taskset -c 0 target/release/examples/validate_rate "$ISSUER" "$WORK/jwks.json" "$WORK/token" "$DURATION")"
done
TOKEN=$TOKEN wrk_run 1 "$URL/api/v1/introspect" bindings/cli/bench/introspect.lua
kill $SERVE; wait $SERVE 2>/dev/null || true
[ "$REPLICA_SECONDS" -gt 0 ] || exit 0

echo "== three replicas on one Redis, 1000 callers, 60 s tokens, ${REPLICA_SECONDS} s, Redis killed half way"
cat > "$WORK/sim60.toml" <<TOML
trusted_ca = ["$PWD/tests/vectors/keys/ca.pem"]
[[scopes]]
name = "test:scope.read"
at_max_age = 60
[[clients]]
client_id = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d"
org_number = "311000004"
scopes = ["test:scope.read"]
TOML
$BIN simulator --config "$WORK/sim60.toml" --port 0 > "$WORK/sim60.out" 2>/dev/null & PIDS+=($!)
ISSUER=$(field "$(ready "$WORK/sim60.out")" issuer)
start_redis
export MASKINPORTEN_ENV=$ISSUER MASKINPORTEN_STORE_KEY=$(head -c 32 /dev/urandom | base64)
URLS=()
for i in 1 2 3; do
    $BIN serve --listen 127.0.0.1:0 > "$WORK/replica$i.out" 2>"$WORK/replica$i.err" & PIDS+=($!)
    URLS+=("$(field "$(ready "$WORK/replica$i.out")" url)")
done
HALF=$((REPLICA_SECONDS / 2))
for i in 0 1 2; do
    taskset -c 1 wrk -t1 -c334 -d"${REPLICA_SECONDS}s" -s bindings/cli/bench/token.lua "${URLS[$i]}/api/v1/token" > "$WORK/replica-wrk$i.txt" &
    WRKS+=($!)
done
sleep "$HALF"
BEFORE=$(curl -s "${ISSUER}_sim/stats" | field "$(cat)" requests)
kill "$(cat "$REDIS_PIDFILE")"
wait "${WRKS[@]}"
AFTER=$(curl -s "${ISSUER}_sim/stats" | field "$(cat)" requests)
for i in 0 1 2; do
    python3 - "$WORK/replica-wrk$i.txt" "$i" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
total = re.search(r"(\d+) requests in", text).group(1)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: (.*)", text)
print(f"  replica {sys.argv[2]}: {total} calls, non-2xx {errors.group(1) if errors else 0}, socket errors: {sock.group(1) if sock else 'none'}")
PY
done
echo "  Maskinporten requests: $BEFORE with Redis (first ${HALF} s), $((AFTER - BEFORE)) after Redis was killed"
