#!/usr/bin/env bash
# todo-server against Redis on the same work, side by side, on this machine.
#
# Both servers run pinned to CPU 0 and todo-bench to CPU 1, with identical
# settings for both. Sections (SECTIONS, all by default):
#
#   memory-rows  throughput and p99 latency, todo-server --in-memory against
#                Redis without persistence, with the ratio for each row
#   resp         the same work in RESP (todo-bench --proto resp: LPUSH,
#                LRANGE 0 -1, PING as multibulk requests, the same bytes to
#                both servers), then redis-benchmark itself against both,
#                and the cost of a nutcracker hop in front of todo-server
#   durable      the same rows with a log: --fsync everysec against Redis
#                --appendonly yes --appendfsync everysec, and always against
#                always, both logs on the same disk (BENCH_DIR); with the
#                ratio of everysec to --in-memory, run alongside
#   replay       1,000,000 lists of 10 items written to both, then the bytes
#                on disk and the time to load them at start, as written and
#                after a compaction (COMPACT / BGREWRITEAOF)
#   memory       RSS after 1,000,000 lists of one 16-byte item each, and per
#                idle connection with 9,000 open
#
# Each row runs REPEAT times, alternating the servers, and shows the
# median: at pipeline 1 both servers wait on the same syscalls and one run
# can differ from the next by 10%.
#
# Usage: benches/compare.sh      (DURATION=3 WARMUP=1 REPEAT=5 by default;
#        SECTIONS="durable replay" for some; BENCH_DIR for the logs, a fresh
#        directory under /tmp by default)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
REPEAT=${REPEAT:-5}
TODO_PORT=${TODO_PORT:-4740}
REDIS_PORT=${REDIS_PORT:-6740}
SECTIONS=${SECTIONS:-memory-rows resp durable replay memory}
BENCH_DIR=${BENCH_DIR:-$(mktemp -d /tmp/todo-compare.XXXXXX)}
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
cleanup() {
    stop_servers
    rm -rf "$BENCH_DIR/todo" "$BENCH_DIR/redis"
}
trap cleanup EXIT

# wait_for PROTO PORT: until the server answers PING.
wait_for() {
    for _ in $(seq 600); do
        "$BENCH" --proto "$1" --port "$2" -t ping -n 1 -c 1 -q >/dev/null 2>&1 && return
        sleep 0.1
    done
    echo "the $1 server did not start" >&2
    exit 1
}

# start_servers [POLICY]: both servers, in memory, or with a log synced
# under POLICY (everysec, always) in fresh directories under BENCH_DIR.
start_servers() {
    local todo_args=(--in-memory) redis_args=(--appendonly no)
    if [ -n "${1:-}" ]; then
        rm -rf "$BENCH_DIR/todo" "$BENCH_DIR/redis"
        mkdir -p "$BENCH_DIR/redis"
        todo_args=(--data-dir "$BENCH_DIR/todo" --fsync "$1")
        redis_args=(--appendonly yes --appendfsync "$1" --dir "$BENCH_DIR/redis")
    fi
    taskset -c 0 "$SERVER" --port "$TODO_PORT" "${todo_args[@]}" 2>/dev/null &
    TODO_PID=$!
    taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
        "${redis_args[@]}" --daemonize no --logfile /dev/null &
    REDIS_PID=$!
    wait_for todo "$TODO_PORT"
    wait_for redis "$REDIS_PORT"
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
# median NUMBERS...: the middle value.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# rows TITLE ROWS...: one table, each row "WORKLOAD PIPELINE", on the
# servers running now.
rows() {
    printf '\n%s\n%-8s %4s | %12s %9s | %12s %9s | %7s %9s\n' "$1" workload pipe "todo req/s" \
        "p99 us" "redis req/s" "p99 us" ratio "p99 ratio"
    shift
    for row in "$@"; do
        set -- $row
        todo_rps=() todo_p99=() redis_rps=() redis_p99=()
        for _ in $(seq "$REPEAT"); do
            todo=$(run "${TODO_PROTO:-todo}" "$TODO_PORT" "$1" "$2")
            redis=$(run "${REDIS_PROTO:-redis}" "$REDIS_PORT" "$1" "$2")
            for line in "$todo" "$redis"; do
                [ "$(field clean "$line")" = true ] || { echo "not clean: $line" >&2; exit 1; }
            done
            todo_rps+=("$(field rps "$todo")") todo_p99+=("$(field p99_us "$todo")")
            redis_rps+=("$(field rps "$redis")") redis_p99+=("$(field p99_us "$redis")")
        done
        t_rps=$(median "${todo_rps[@]}") t_p99=$(median "${todo_p99[@]}")
        r_rps=$(median "${redis_rps[@]}") r_p99=$(median "${redis_p99[@]}")
        printf '%-8s %4s | %12.0f %9.1f | %12.0f %9.1f | %6.2fx %8.2fx\n' "$1" "$2" \
            "$t_rps" "$t_p99" "$r_rps" "$r_p99" "$(calc "$t_rps / $r_rps")" \
            "$(calc "$t_p99 / $r_p99")"
    done
}

has() { [[ " $SECTIONS " == *" $1 "* ]]; }

if has memory-rows; then
    start_servers
    rows "in memory (Redis without persistence)" "put 1" "put 32" "list 1" "list 32" \
        "mixed 32" "ping 1" "ping 32"
    stop_servers
fi

if has resp; then
    start_servers
    TODO_PROTO=resp REDIS_PROTO=resp rows "RESP, todo-bench --proto resp (LPUSH, LRANGE 0 -1, PING)" \
        "put 1" "put 32" "list 1" "list 32" "ping 1" "ping 32"
    # redis-benchmark, a tool neither server's authors wrote.
    printf '\n%-28s %4s | %12s | %12s | %7s\n' "redis-benchmark test" pipe "todo req/s" "redis req/s" ratio
    rb() { # PORT TEST PIPELINE: requests per second
        taskset -c 1 redis-benchmark -p "$1" -t "$2" -n 200000 -c "$CONNECTIONS" -P "$3" -q 2>/dev/null |
            tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1
    }
    for test in lpush lrange_100 ping_mbulk; do
        for pipe in 1 32; do
            t=() r=()
            for _ in $(seq "$REPEAT"); do
                t+=("$(rb "$TODO_PORT" "$test" "$pipe")")
                r+=("$(rb "$REDIS_PORT" "$test" "$pipe")")
            done
            tm=$(median "${t[@]}") rm=$(median "${r[@]}")
            printf '%-28s %4s | %12.0f | %12.0f | %6.2fx\n' "$test" "$pipe" "$tm" "$rm" "$(calc "$tm / $rm")"
        done
    done
    stop_servers
    # A nutcracker hop: one todo-server directly, and behind the proxy.
    if command -v nutcracker >/dev/null || [ -x /usr/sbin/nutcracker ]; then
        PATH="$PATH:/usr/sbin"
        taskset -c 0 "$SERVER" --port "$TODO_PORT" --in-memory 2>/dev/null &
        TODO_PID=$!
        wait_for todo "$TODO_PORT"
        proxy_port=$((TODO_PORT + 1))
        conf="$BENCH_DIR/nutcracker.yml"
        printf 'todo:\n  listen: 127.0.0.1:%s\n  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n  servers:\n    - 127.0.0.1:%s:1 todo\n' \
            "$proxy_port" "$TODO_PORT" >"$conf"
        taskset -c 0 nutcracker -c "$conf" -s $((TODO_PORT + 2)) -o "$BENCH_DIR/nutcracker.log" &
        proxy=$!
        wait_for resp "$proxy_port"
        printf '\n%-8s %4s | %12s %9s | %12s %9s\n' "nutcracker" pipe "direct req/s" "p50 us" "proxied req/s" "p50 us"
        for row in "put 1" "put 32" "list 1" "list 32"; do
            set -- $row
            d=$(run resp "$TODO_PORT" "$1" "$2")
            p=$(run resp "$proxy_port" "$1" "$2")
            printf '%-8s %4s | %12.0f %9.1f | %12.0f %9.1f\n' "$1" "$2" "$(field rps "$d")" \
                "$(field p50_us "$d")" "$(field rps "$p")" "$(field p50_us "$p")"
        done
        kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null || true
        stop_servers
    fi
fi

if has durable; then
    for policy in everysec always; do
        start_servers "$policy"
        rows "--fsync $policy (Redis --appendonly yes --appendfsync $policy), logs in $BENCH_DIR" \
            "put 1" "put 32" "list 1" "list 32" "mixed 1" "mixed 32"
        stop_servers
    done
    # everysec against --in-memory, alternating, at pipeline 32.
    printf '\n%-8s %4s | %14s | %14s | %7s\n' workload pipe "everysec req/s" "in-memory req/s" ratio
    for workload in put mixed; do
        durable=() memory=()
        for _ in $(seq "$REPEAT"); do
            rm -rf "$BENCH_DIR/todo"
            taskset -c 0 "$SERVER" --port "$TODO_PORT" --data-dir "$BENCH_DIR/todo" 2>/dev/null &
            TODO_PID=$!
            wait_for todo "$TODO_PORT"
            durable+=("$(field rps "$(run todo "$TODO_PORT" "$workload" 32)")")
            stop_servers
            taskset -c 0 "$SERVER" --port "$TODO_PORT" --in-memory 2>/dev/null &
            TODO_PID=$!
            wait_for todo "$TODO_PORT"
            memory+=("$(field rps "$(run todo "$TODO_PORT" "$workload" 32)")")
            stop_servers
        done
        d=$(median "${durable[@]}") m=$(median "${memory[@]}")
        printf '%-8s %4s | %14.0f | %14.0f | %6.2fx\n' "$workload" 32 "$d" "$m" "$(calc "$d / $m")"
    done
fi

if has replay; then
    # Both write the same 10,000,000 RPUSH / PUT; Redis's automatic rewrite
    # is off so that "as written" is its command log.
    rm -rf "$BENCH_DIR/todo" "$BENCH_DIR/redis"
    mkdir -p "$BENCH_DIR/redis"
    redis_log="$BENCH_DIR/redis.log"
    todo_log="$BENCH_DIR/todo.log"
    start_logged() { # start both on the directories, logging to files,
        # one after the other: each loads its data with the core to itself
        : >"$todo_log"
        : >"$redis_log"
        taskset -c 0 "$SERVER" --port "$TODO_PORT" --data-dir "$BENCH_DIR/todo" 2>"$todo_log" &
        TODO_PID=$!
        wait_for todo "$TODO_PORT"
        taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
            --auto-aof-rewrite-percentage 0 --dir "$BENCH_DIR/redis" --daemonize no \
            --logfile "$redis_log" &
        REDIS_PID=$!
        wait_for redis "$REDIS_PORT"
    }
    load_times() { # seconds each took to load, from their logs
        local todo redis
        # The server ends the line with Rust's Duration: "in 613.2ms",
        # "in 1.8s", "in 950.1µs" (or "ns").
        todo=$(sed -n 's/.*loaded .* items from .* in \([0-9.]*\)\(ns\|µs\|ms\|s\)[[:space:]]*$/\1 \2/p' \
            "$todo_log" | tail -n 1)
        case "$todo" in
        *" ns") todo=$(calc "${todo% ns} / 1e9") ;;
        *" µs") todo=$(calc "${todo% µs} / 1e6") ;;
        *" ms") todo=$(calc "${todo% ms} / 1000") ;;
        *) todo=${todo% s} ;;
        esac
        redis=$(sed -n 's/.*DB loaded from append only file: \([0-9.]*\) seconds.*/\1/p' "$redis_log")
        echo "$todo $redis"
    }
    sizes() { du -sb "$BENCH_DIR/todo" "$BENCH_DIR/redis" | awk '{ printf "%s ", $1 }'; }
    start_logged
    taskset -c 1 "$BENCH" --port "$TODO_PORT" -t lists --keys 1000000 --prefill 10 -n 1 -q >/dev/null
    taskset -c 1 "$BENCH" --proto redis --port "$REDIS_PORT" -t lists --keys 1000000 --prefill 10 \
        -n 1 -q >/dev/null
    stop_servers
    read -r todo_bytes redis_bytes <<<"$(sizes)"
    start_logged
    read -r todo_load redis_load <<<"$(load_times)"
    printf '\n%-44s | %12s | %12s | %7s\n' "1,000,000 lists x 10 items of 16 bytes" todo-server redis ratio
    printf '%-44s | %9.1f MB | %9.1f MB | %6.2fx\n' "on disk, as written" \
        "$(calc "$todo_bytes / 1e6")" "$(calc "$redis_bytes / 1e6")" "$(calc "$todo_bytes / $redis_bytes")"
    printf '%-44s | %10.2f s | %10.2f s | %6.2fx\n' "load at start, as written" \
        "$todo_load" "$redis_load" "$(calc "$todo_load / $redis_load")"
    # Compact one, then the other (Redis's rewrite child would share the
    # core and stretch todo-server's passes), and wait for each to finish.
    exec 3<>"/dev/tcp/127.0.0.1/$TODO_PORT"
    printf 'COMPACT\n' >&3
    read -r _ <&3
    exec 3>&-
    for _ in $(seq 600); do
        grep -q "compaction done" "$todo_log" && break
        sleep 0.2
    done
    redis-cli -p "$REDIS_PORT" bgrewriteaof >/dev/null
    for _ in $(seq 600); do
        redis-cli -p "$REDIS_PORT" info persistence | grep -q 'aof_rewrite_in_progress:0' && break
        sleep 0.2
    done
    # The loop's longest pass while the compaction ran (under no load).
    exec 3<>"/dev/tcp/127.0.0.1/$TODO_PORT"
    printf 'STATS\n' >&3
    longest=""
    while read -r line <&3; do
        case "$line" in
        "* compaction_longest_pass_us "*) longest=${line##* } ;;
        OK*) break ;;
        esac
    done
    exec 3>&-
    sleep 1
    stop_servers
    read -r todo_bytes redis_bytes <<<"$(sizes)"
    start_logged
    read -r todo_load redis_load <<<"$(load_times)"
    stop_servers
    printf '%-44s | %9.1f MB | %9.1f MB | %6.2fx\n' "on disk, compacted (snapshot / RDB preamble)" \
        "$(calc "$todo_bytes / 1e6")" "$(calc "$redis_bytes / 1e6")" "$(calc "$todo_bytes / $redis_bytes")"
    printf '%-44s | %10.2f s | %10.2f s | %6.2fx\n' "load at start, compacted" \
        "$todo_load" "$redis_load" "$(calc "$todo_load / $redis_load")"
    echo "the loop's longest pass while todo-server compacted: ${longest:-?} us"
fi

has memory || exit 0

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
