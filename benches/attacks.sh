#!/usr/bin/env bash
# What heavy clients cost everyone else: each attack of the memory and
# fairness issue runs against a fresh server while todo-bench's latency
# probe sends 1,000 PINGs a second on a connection of its own, and the
# probe's p50, p99, p99.9 and max are printed with the server's peak RSS.
#
# Usage: benches/attacks.sh [SERVER_BINARY]   (default: the release build)
#
# The server runs pinned to CPU 0, the load and the probe to CPU 1, at the
# server's default limits (--in-memory where the server has the option).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bins -q
SERVER=${1:-target/release/todo-server}
BENCH=target/release/todo-bench
PORT=${PORT:-4840}
DURATION=${DURATION:-5}
ARGS=()
if "$SERVER" --help | grep -q -- --in-memory; then ARGS+=(--in-memory); fi

PID=""
stop() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; PID=""; }
trap stop EXIT

# attack NAME TODO-BENCH-ARGS...: one row.
attack() {
    local name=$1
    shift
    taskset -c 0 "$SERVER" --port "$PORT" "${ARGS[@]}" 2>/dev/null &
    PID=$!
    for _ in $(seq 100); do
        "$BENCH" --port "$PORT" -t ping -n 1 -c 1 -q >/dev/null 2>&1 && break
        sleep 0.1
    done
    local line
    line=$(taskset -c 1 "$BENCH" --port "$PORT" -q --probe 1000 "$@" | grep '^result') ||
        { echo "todo-bench failed for $name" >&2; exit 1; }
    local hwm
    hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$PID/status")
    stop
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    printf '%-40s | %9s %9s %9s %9s | %10s | %8.1f MB\n' "$name" \
        "$(field probe_p50_us)" "$(field probe_p99_us)" "$(field probe_p999_us)" \
        "$(field probe_max_us)" "$(field rps)" "$(calc "$hwm / 1024")"
}
calc() { awk "BEGIN { print $* }"; }

echo "$SERVER, $(date -u +%F), probe PING latency in us while the attack runs"
printf '%-40s | %9s %9s %9s %9s | %10s | %11s\n' attack p50 p99 p99.9 max "req/s" "peak RSS"
attack "DEL missing item, 2M-item list, 4x32" -t del-scan --keys 1 --prefill 2000000 \
    -c 4 -P 32 -d "$DURATION"
attack "LIST of a 60 MB list, 4x2" -t big-list --keys 1 --prefill 60000 --size 1000 \
    -c 4 -P 2 -d "$DURATION"
attack "LISTS over 1M lists, 2x1" -t lists --keys 1000000 --prefill 1 -c 2 -P 1 \
    -d "$DURATION"
attack "1M pipelined PUTs on one connection" -t put -c 1 -P 10000 -n 1000000
# The same over RESP, where the server has it: LREM of a missing item
# (a scan of the whole list), LRANGE 0 -1 of a 60 MB list, KEYS * over a
# million names.
if "$SERVER" --help | grep -q -- --in-memory && [ -z "${NO_RESP:-}" ]; then
    attack "RESP LREM missing item, 2M-item list, 4x32" --proto resp -t del-scan --keys 1 \
        --prefill 2000000 -c 4 -P 32 -d "$DURATION"
    attack "RESP LRANGE 0 -1 of a 60 MB list, 4x2" --proto resp -t big-list --keys 1 \
        --prefill 60000 --size 1000 -c 4 -P 2 -d "$DURATION"
    attack "RESP KEYS * over 1M lists, 2x1" --proto resp -t lists --keys 1000000 --prefill 1 \
        -c 2 -P 1 -d "$DURATION"
fi
