# shellcheck shell=bash
# http.sh - the service half of bench/run: eligod and the minimal libfcgi
# baseline, each behind its own nginx rendered from nginx/eligo.conf (only
# the socket, the port and the paths differ), and the baseline again
# behind the minimal nginx of bench/nginx_min.conf, loaded with wrk; the
# durable-commit baseline of MariaDB itself; and a worker's memory.
#
# Sourced by bench/run after it has set top, out, var, wrk_secs and the
# binaries (ELIGO, ELIGOD).  The stack helpers of tests/lib/stack.sh do
# the starting and stopping; http_down stops everything http_up started,
# by pid, and is safe to call twice (bench/run calls it on EXIT).
#
# SPDX-License-Identifier: Apache-2.0

# shellcheck disable=SC2154  # top, var, out, wrk_secs: set by bench/run
# shellcheck source=tests/lib/stack.sh
. "$top/tests/lib/stack.sh"

eligo_var=$var/eligo
fcgi_var=$var/fcgi
min_var=$var/nginx-min
workers=${BENCH_WORKERS:-8}     # the baseline's too; BENCH_WORKERS to try others

# The bench's MariaDB, for every stack it starts (http_up, scaling.sh):
# a buffer pool with room for the 100,000 decisions of the replay row,
# and a production-sized redo log (docs/operations.md, "MariaDB
# settings").  With the test suites' 16M, durable decisions' 5 KB of redo
# each wrap the log about every second and InnoDB flushes dirty pages the
# whole time: about 40% more of MariaDB's CPU per decision and a
# longer tail (bench/notes.md, "The redo log's size").  Durability is
# unchanged.  MARIADB_LOG_FILE_SIZE set beforehand compares another size.
bench_mariadb() {
    export MARIADB_BUFFER_POOL=1G
    export MARIADB_LOG_FILE_SIZE=${MARIADB_LOG_FILE_SIZE:-1G}
}

# Starts MariaDB + eligod + nginx, then fcgi_min + its own nginx.
http_up() {
    STACK_VAR=$eligo_var STACK_WORKERS=$workers STACK_PORT=$(mariadb_free_port) || return 1
    export STACK_VAR STACK_WORKERS STACK_PORT
    bench_mariadb
    http_day=$(date -u +%Y-%m-%d)
    stack_up >"$var/eligo-up.log" 2>&1 || { cat "$var/eligo-up.log" >&2; return 1; }
    eligo_port=$STACK_PORT      # stack_up may have moved to another free port
    # shellcheck disable=SC1091
    . "$eligo_var/tokens.env"
    mkdir -p "$fcgi_var/run"
    "$out/fcgi_min" "$fcgi_var/run/eligod.sock" "$workers" "$fcgi_var/run/fcgi_min.pid" \
        </dev/null >"$fcgi_var/fcgi_min.log" 2>&1 &
    for _ in $(seq 1 50); do [ -S "$fcgi_var/run/eligod.sock" ] && break; sleep 0.1; done
    fcgi_port=$(mariadb_free_port) || return 1
    # fcgi_min's workers serve one connection each, and a kept one blocks
    # its process: one kept connection, as eligod's site keeps for a
    # pool of 8 single-threaded workers (a quarter of eligod's threads
    # would be 2, and pin a quarter of fcgi_min's processes)
    STACK_VAR=$fcgi_var STACK_PORT=$fcgi_port STACK_THREADS=1 STACK_KEEPALIVE=1 stack_nginx_up
    min_nginx_up
}

# min_nginx_conf PREFIX PORT SOCKET: bench/nginx_min.conf rendered into
# PREFIX/nginx.conf (bench/nginx_count.sh renders it too).
min_nginx_conf() {
    local user=""
    [ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
    mkdir -p "$1/logs" "$1/tmp"
    sed -e "s|@PREFIX@|$1|g" -e "s|@PORT@|$2|g" -e "s|@USER@|$user|g" \
        -e "s|@SOCKET@|$3|g" "$top/bench/nginx_min.conf" >"$1/nginx.conf"
}

# The same fcgi_min behind the minimal nginx of bench/nginx_min.conf.
min_nginx_up() {
    min_port=$(mariadb_free_port) || return 1
    min_nginx_conf "$min_var" "$min_port" "$fcgi_var/run/eligod.sock"
    nginx -p "$min_var" -e "$min_var/logs/error.log" -c "$min_var/nginx.conf"
}

http_down() {
    if [ -f "$min_var/nginx.pid" ]; then
        kill -QUIT "$(cat "$min_var/nginx.pid")" 2>/dev/null
        rm -f "$min_var/nginx.pid"
    fi
    # fcgi_min first: stack_down fails on any process of its var/ left
    if [ -f "$fcgi_var/run/fcgi_min.pid" ]; then
        kill -TERM "$(cat "$fcgi_var/run/fcgi_min.pid")" 2>/dev/null
        sleep 0.2
    fi
    STACK_VAR=$fcgi_var stack_down >/dev/null 2>&1
    STACK_VAR=$eligo_var stack_down >/dev/null 2>&1
    return 0
}

# wrk_once PORT PATH TOKEN BODIES SECONDS [CONNECTIONS]: prints "req/s
# p99-ms non-2xx requests"; 32 connections unless given (2 wrk threads,
# 1 for a single connection).
wrk_once() {
    local c=${6:-32} t=2
    [ "$c" -ge 2 ] || t=1
    BENCH_TOKEN=$3 BENCH_BODIES=$4 wrk -t$t -c"$c" -d"$5"s --latency -s "$top/bench/post.lua" \
        "http://127.0.0.1:$1$2" 2>&1 | awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec:/ { rps = $2 }
        /^ +99%/ { p99 = ms($2) }
        /Non-2xx/ { bad = $NF }
        / requests in / { n = $1 }
        END { printf "%.0f %.2f %d %d\n", rps, p99, bad, n }'
}

# http_rounds RUNS: the baseline behind the minimal nginx and behind
# eligo's, evaluate and decisions in turn, RUNS times,
# so that a busier moment of the machine hits all three alike.  The pair
# of the site ratio runs back to back, the minimal first in odd rounds
# and the site first in even ones: a fixed order would give one of them
# the moments right after the decisions round (MariaDB's durable
# commits) every time.  Writes $var/wrk.<name> (one line per run, line N of each the
# round N), $var/wrk.requests (eligod's total) and $var/wrk.site (the
# per-round ratios of the site to the minimal).
http_rounds() {
    local name r
    rm -f "$var"/wrk.*
    for r in $(seq 1 "$1"); do
        if [ $((r % 2)) = 1 ]; then
            wrk_once "$min_port" /v1/evaluate x "$var/evaluate.jsonl" "$wrk_secs" >>"$var/wrk.minimal"
            wrk_once "$fcgi_port" /v1/evaluate x "$var/evaluate.jsonl" "$wrk_secs" >>"$var/wrk.baseline"
        else
            wrk_once "$fcgi_port" /v1/evaluate x "$var/evaluate.jsonl" "$wrk_secs" >>"$var/wrk.baseline"
            wrk_once "$min_port" /v1/evaluate x "$var/evaluate.jsonl" "$wrk_secs" >>"$var/wrk.minimal"
        fi
        wrk_once "$eligo_port" /v1/evaluate "$ELIGO_OFFICER_TOKEN" "$var/evaluate.jsonl" "$wrk_secs" >>"$var/wrk.evaluate"
        wrk_once "$eligo_port" /v1/decisions "$ELIGO_PORTAL_TOKEN" "$var/evaluate.jsonl" "$wrk_secs" >>"$var/wrk.decisions"
    done
    paste -d ' ' "$var/wrk.baseline" "$var/wrk.minimal" | awk '{printf "%.3f\n", $1 / $5}' >"$var/wrk.site"
    for name in evaluate decisions; do awk '{s += $4} END {print s + 0}' "$var/wrk.$name"; done |
        awk '{s += $1} END {print s}' >"$var/wrk.requests"
}

# top_up PATH TOKEN N RATE: about N more requests to eligod at RATE
# requests/s (wrk for the time that takes); prints how many were made.
top_up() {
    local s
    s=$(awk -v n="$3" -v r="$4" 'BEGIN {print int(1.2 * n / r) + 1}')
    wrk_once "$eligo_port" "$1" "$2" "$var/evaluate.jsonl" "$s" | awk '{print $4}'
}

# wrk_median NAME COLUMN: the median of one column of $var/wrk.NAME.
wrk_median() { awk -v c="$2" '{print $c}' "$var/wrk.$1" | median; }

# The request bodies: every generated household as an evaluate/decisions request.
http_bodies() {
    sed 's/^\(.*\)$/{"policy":"tianjin.dibao","as_of":"2019-01-01","input":\1}/' \
        "$out/households.jsonl" >"$var/evaluate.jsonl"
}

# slap_rate CLIENTS QUERIES: MariaDB's own durable single-row commits
# per second (autocommit INSERT of a decision-sized row, 1 KB of JSON),
# on the same server, as rows/s.
slap_rate() {
    mariadb-slap --no-defaults --protocol=socket --socket="$eligo_var/mariadb/mysql.sock" -uroot \
        --create-schema=bench_slap --concurrency="$1" --number-of-queries="$2" --iterations=1 \
        --create="CREATE TABLE t (id CHAR(36) PRIMARY KEY, body JSON NOT NULL) ENGINE=InnoDB" \
        --query="INSERT INTO t VALUES (UUID(), JSON_OBJECT('pad', REPEAT('x', 1000)))" 2>/dev/null |
        awk -v n="$2" '/Average number of seconds to run all queries/ {printf "%.0f\n", n / $(NF - 1)}'
}

# replay_range N: stores decisions up to N in all (POST /v1/decisions),
# then `eligo replay --from --to` over the days of this run; prints its
# summary line ("N decisions replayed: ... (S s, R decisions/s)"), or
# nothing when this eligo has no replay command.
replay_range() {
    local stored
    "$ELIGO" replay 2>&1 | grep -q "unknown command" && return 0
    stored=$(mariadb_sql "$eligo_var/mariadb" "SELECT COUNT(*) FROM eligo.decisions")
    if [ "$stored" -lt "$1" ]; then
        top_up /v1/decisions "$ELIGO_PORTAL_TOKEN" $(($1 - stored)) "$(wrk_median decisions 1)" >/dev/null
    fi
    # the first pass warms the buffer pool; the figure is the second's
    for _ in 1 2; do
        ELIGO_DB=$(mariadb_url "$eligo_var/mariadb") "$ELIGO" replay --from "$http_day" --to "$(date -u +%Y-%m-%d)" |
            grep 'decisions replayed' || true
    done | tail -n 1
}

# worker_memory: one line per eligod worker, "pid requests rss shared private"
# (KiB, from /proc/PID/smaps_rollup; requests counted in eligod's log).
worker_memory() {
    local master pid
    master=$(cat "$eligo_var/run/eligod.pid")
    for pid in $(ps -o pid= --ppid "$master"); do
        printf '%s %s ' "$pid" "$(grep -c "eligod\[$pid\] .*POST /v1/" "$eligo_var/log/eligod.log")"
        awk '/^Rss:/ {r = $2} /^Shared_(Clean|Dirty):/ {s += $2} /^Private_(Clean|Dirty):/ {p += $2}
             END {print r, s, p}' "/proc/$pid/smaps_rollup"
    done
}
