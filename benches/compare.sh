#!/usr/bin/env bash
# todo-server against Redis on the same work, side by side, on this machine.
#
# Both servers run pinned to CPU 0 and todo-bench to CPU 1, with identical
# settings for both. Prints one table of throughput and p99 latency with the
# ratio todo-server / Redis for each row, then memory: RSS after 1,000,000
# lists of one 16-byte item each, and per idle connection with 9,000 open.
#
# Each row runs REPEAT times, alternating the two servers, and shows the
# median: at pipeline 1 both servers wait on the same syscalls and one run
# can differ from the next by 10%.
#
# Usage: benches/compare.sh      (DURATION=3 WARMUP=1 REPEAT=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
REPEAT=${REPEAT:-5}
TODO_PORT=${TODO_PORT:-4740}
REDIS_PORT=${REDIS_PORT:-6740}
CONNECTIONS=50
COMMON=(-c "$CONNECTIONS" --keys 1000 --size 16 --prefill 10 -q)

if ! command -v redis-server >/dev/null; then
    echo "installing redis-server" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq redis-server >/dev/null
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 1; }

cargo build --release --bins -q
SERVER=target/release/todo-server
BENCH=target/release/todo-bench

TODO_PID=""
REDIS_PID=""
stop_servers() {
    for pid in $TODO_PID $REDIS_PID; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
    TODO_PID=""
    REDIS_PID=""
}
trap stop_servers EXIT

start_servers() {
    taskset -c 0 "$SERVER" --port "$TODO_PORT" 2>/dev/null &
    TODO_PID=$!
    taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize no --logfile /dev/null &
    REDIS_PID=$!
    for _ in $(seq 100); do
        if "$BENCH" --port "$TODO_PORT" -t ping -n 1 -c 1 -q >/dev/null 2>&1 &&
            "$BENCH" --proto redis --port "$REDIS_PORT" -t ping -n 1 -c 1 -q >/dev/null 2>&1; then
            return
        fi
        sleep 0.1
    done
    echo "the servers did not start" >&2
    exit 1
}

calc() { awk "BEGIN { print $* }"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# field NAME LINE: the value of NAME=value in a todo-bench result line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# run PROTO PORT WORKLOAD PIPELINE: one todo-bench result line.
run() {
    taskset -c 1 "$BENCH" --proto "$1" --port "$2" -t "$3" -P "$4" -d "$DURATION" --warmup "$WARMUP" \
        "${COMMON[@]}" | grep '^result' || { echo "todo-bench failed" >&2; exit 1; }
}

echo "todo-server vs Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'), $(date -u +%F), $(nproc) cores," \
    "$CONNECTIONS connections, 1000 lists, 16-byte items, LIST of 10 items," \
    "median of $REPEAT runs of ${DURATION}s each"
start_servers
printf '\n%-8s %4s | %12s %9s | %12s %9s | %7s %9s\n' workload pipe "todo req/s" "p99 us" "redis req/s" "p99 us" \
    ratio "p99 ratio"
# median NUMBERS...: the middle value.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for row in "put 1" "put 32" "list 1" "list 32" "mixed 32" "ping 1" "ping 32"; do
    set -- $row
    todo_rps=() todo_p99=() redis_rps=() redis_p99=()
    for _ in $(seq "$REPEAT"); do
        todo=$(run todo "$TODO_PORT" "$1" "$2")
        redis=$(run redis "$REDIS_PORT" "$1" "$2")
        for line in "$todo" "$redis"; do
            [ "$(field clean "$line")" = true ] || { echo "not clean: $line" >&2; exit 1; }
        done
        todo_rps+=("$(field rps "$todo")") todo_p99+=("$(field p99_us "$todo")")
        redis_rps+=("$(field rps "$redis")") redis_p99+=("$(field p99_us "$redis")")
    done
    t_rps=$(median "${todo_rps[@]}") t_p99=$(median "${todo_p99[@]}")
    r_rps=$(median "${redis_rps[@]}") r_p99=$(median "${redis_p99[@]}")
    printf '%-8s %4s | %12.0f %9.1f | %12.0f %9.1f | %6.2fx %8.2fx\n' "$1" "$2" \
        "$t_rps" "$t_p99" "$r_rps" "$r_p99" "$(calc "$t_rps / $r_rps")" "$(calc "$t_p99 / $r_p99")"
done
stop_servers

# Memory: fresh servers, 1,000,000 lists of one 16-byte item each.
start_servers
todo_before=$(rss_kb "$TODO_PID")
redis_before=$(rss_kb "$REDIS_PID")
taskset -c 1 "$BENCH" --port "$TODO_PORT" -t fill -n 1000000 -P 32 -q >/dev/null
taskset -c 1 "$BENCH" --proto redis --port "$REDIS_PORT" -t fill -n 1000000 -P 32 -q >/dev/null
todo_after=$(rss_kb "$TODO_PID")
redis_after=$(rss_kb "$REDIS_PID")
printf '\n%-36s | %12s | %12s | %7s\n' "memory" "todo-server" "redis" ratio
printf '%-36s | %9.1f MB | %9.1f MB | %6.2fx\n' "RSS with 1,000,000 one-item lists" \
    "$(calc "$todo_after / 1024")" "$(calc "$redis_after / 1024")" \
    "$(calc "$todo_after / $redis_after")"
printf '%-36s | %10.0f B | %10.0f B | %6.2fx\n' "  per list (growth / 1,000,000)" \
    "$(calc "($todo_after - $todo_before) * 1024 / 1000000")" \
    "$(calc "($redis_after - $redis_before) * 1024 / 1000000")" \
    "$(calc "($todo_after - $todo_before) / ($redis_after - $redis_before)")"
stop_servers

# Idle connections: fresh servers, 9,000 connections held open on each.
start_servers
idle_kb() { # PROTO PORT PID: RSS growth while 9,000 connections are held
    local before log
    before=$(rss_kb "$3")
    log=$(mktemp)
    taskset -c 1 "$BENCH" --proto "$1" --port "$2" -t idle -c 9000 -d 3 -q >/dev/null 2>"$log" &
    local bench=$!
    for _ in $(seq 200); do grep -q holding "$log" && break; sleep 0.05; done
    sleep 0.5
    echo $(($(rss_kb "$3") - before))
    wait "$bench"
    rm -f "$log"
}
todo_idle=$(idle_kb todo "$TODO_PORT" "$TODO_PID")
redis_idle=$(idle_kb redis "$REDIS_PORT" "$REDIS_PID")
printf '%-36s | %10.0f B | %10.0f B | %6.2fx\n' "per idle connection (9,000 open)" \
    "$(calc "$todo_idle * 1024 / 9000")" "$(calc "$redis_idle * 1024 / 9000")" \
    "$(calc "$todo_idle / $redis_idle")"
