#!/usr/bin/env bash
# overload.sh - no kept-connection tail and no 502 under overload (issue
# 14), through real nginx, eligod and MariaDB started by tests/lib/stack.sh:
#   1. a burst of 64 connections leaves nginx's upstream cache full of
#      idle kept connections, and 64 client connections are then held
#      open and idle on nginx; fresh requests still get p99 < 50 ms (or
#      4 x the p99 measured before, on a busy machine) and none waits a
#      second (or 20 x that p99, below nginx's keepalive_time of 3 s),
#      because a kept connection holds no eligod thread (worker.c);
#      nor does a connection to eligod's socket that sends nothing;
#   2. a burst of 256 connections of durable POST /v1/decisions: every
#      answer 201, no socket error, no request over 1 s (2.5 s in a
#      sanitizer build; 20 x the p99 of 1. on a busy machine), and one
#      line, not two lanes: p99 within 5 x the median.  When each eligod
#      thread stayed with its kept connection, requests nginx sent on kept
#      connections were served at once and new connections waited in the
#      backlog: 80% under 12 ms, the rest 0.1-0.55 s, p99 40 x the median,
#      1.36 s on a machine busy with other suites.  The listen backlog
#      (somaxconn) takes what the threads cannot serve at once, where a
#      backlog of 128 made nginx answer 97% of them 502.
# Needs wrk (Debian package wrk): without it the suite is skipped (77).
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
require wrk -- "Debian package wrk"
harness_stack overload
export STACK_WORKERS=4
held=()
silent=
cleanup() {   # the idle client connections of part 1, the silent ones (hold_silent)
    local fd
    for fd in "${held[@]}"; do exec {fd}>&-; done
    [ -z "$silent" ] || kill "$silent" 2>/dev/null
}
at_exit cleanup

stack_test_up "$tmp"

# A 330-byte decision request like bench/run's, without request_id (eligod
# makes one per request, so every POST stores a new row).
cat >"$tmp/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("OVERLOAD_TOKEN")
wrk.body = '{"policy":"tianjin.dibao","as_of":"2019-01-01","input":{"household":{"members":[{"id":"a","age":44,"monthly_income":"500.00"},{"id":"b","age":9}]}}}'
EOF

# wrk_run CONNS SECONDS PATH TOKEN: "requests non-2xx socket-errors p99-ms max-ms median-ms"
wrk_run() {
    OVERLOAD_TOKEN=$4 wrk -t2 -c"$1" -d"$2"s --timeout 5s --latency -s "$tmp/post.lua" "$U$3" 2>&1 | tee "$tmp/wrk.last" | awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        / requests in / { n = $1 }
        /Non-2xx/ { bad = $NF }
        /Socket errors/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
        /^ +Latency / && !max { max = ms($4) }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        END { printf "%d %d %d %.2f %.2f %.2f\n", n, bad, err, p99, max, p50 }'
}

# ---- 1. kept connections everywhere, fresh requests still prompt
# The same fresh load first, before any connection is kept: its p99 is what
# this machine gives now (other suites may be running beside this one), so
# the bar is 50 ms or four times that, whichever is larger.  A thread
# held by an idle kept connection would show as a tail of seconds
# (nginx's keepalive_time is 3 s), far above either.
read -r n_free _ _ p99_free _ < <(wrk_run 4 3 /v1/evaluate "$ELIGO_OFFICER_TOKEN")
p99_bar=$(awk -v p="$p99_free" 'BEGIN {b = 4 * p; if (b < 50) b = 50; printf "%.2f", b}')
# The slowest request: 1 s (2.5 s in a sanitizer build, several times
# slower), or 20 x the p99 above when other suites load the machine, but
# below nginx's keepalive_time (3 s), the wait of a thread held by a kept
# connection.
burst_bar=1000
ldd "$ELIGOD" 2>/dev/null | grep -q libasan && burst_bar=2500
burst_bar=$(awk -v b="$burst_bar" -v p="$p99_free" 'BEGIN {r = 20 * p; if (r > b) b = r; printf "%d", b}')
kept_bar=$(awk -v p="$p99_free" 'BEGIN {b = 20 * p; if (b < 1000) b = 1000; if (b > 2900) b = 2900; printf "%d", b}')
read -r n bad err _ _ < <(wrk_run 64 2 /v1/evaluate "$ELIGO_OFFICER_TOKEN")
want "64-connection burst: all 200 ($n requests, non-2xx $bad, socket errors $err)" \
    "$([ "$n" -gt 0 ] && [ "$bad" = 0 ] && [ "$err" = 0 ] && echo y)" "$(cat "$tmp/wrk.last")"
# the burst leaves each worker playground access-log counts, which its
# writer thread writes within the measurement below: no request waits
# for that write (src/service/access_queue.c), where a request thread
# that wrote a batch once stalled every thread of its worker for 650 ms
port=${U##*:}
for _ in $(seq 1 64); do
    # a keep-alive request, its answer left unread: nginx keeps the connection idle
    exec {fd}<>"/dev/tcp/127.0.0.1/$port" || break
    printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n' >&"$fd"
    held+=("$fd")
done
want "64 idle client connections held open (${#held[@]})" "$([ "${#held[@]}" = 64 ] && echo y)"
# fresh_load WHAT SECONDS: the fresh load again, beside WHAT; every answer
# 200 and p99 under p99_bar; n and max for the caller
fresh_load() {
    local bad err p99
    read -r n bad err p99 max _ < <(wrk_run 4 "$2" /v1/evaluate "$ELIGO_OFFICER_TOKEN")
    echo "fresh requests beside $1: $n requests, p99 $p99 ms, max $max ms"
    want "beside $1: all 200 (non-2xx $bad, socket errors $err)" \
        "$([ "$n" -gt 0 ] && [ "$bad" = 0 ] && [ "$err" = 0 ] && echo y)" "$(cat "$tmp/wrk.last")"
    want "beside $1: p99 $p99 ms < $p99_bar ms (50, or 4 x the $p99_free ms before)" \
        "$(awk -v p="$p99" -v b="$p99_bar" 'BEGIN {if (p < b) print "y"}')" "$(cat "$tmp/wrk.last")"
}
fresh_load "64 idle connections" 3
want "fresh requests: none waited for a thread held by a kept connection (max $max ms < $kept_bar)" \
    "$(awk -v m="$max" -v b="$kept_bar" 'BEGIN {if (m < b) print "y"}')" "$(cat "$tmp/wrk.last")"

# ---- 1b. connections that send nothing hold no thread: 64 straight to
# eligod's socket, twice its 32 threads (STACK_WORKERS x 8), held open
# and silent.  A worker reads a connection only once epoll finds it
# readable (worker.c); a thread that read the first silent connection it
# accepted would wait on it, and 32 of them would stop the pool.
# hold_silent N NAME: N connections to eligod's socket, opened and then
# left silent for 8 s by a background process (its pid in $silent), once
# all are connected (or 5 s have passed)
hold_silent() {
    python3 - "$STACK_VAR/run/eligod.sock" "$1" "$tmp/$2.ready" <<'PY' &
import socket, sys, time
held = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    held.append(s)
open(sys.argv[3], "w").write("%d\n" % len(held))
time.sleep(8)
PY
    silent=$!
    for _ in $(seq 1 50); do [ -s "$tmp/$2.ready" ] && break; sleep 0.1; done
    want "$1 silent connections to eligod's socket ($(cat "$tmp/$2.ready" 2>/dev/null))" \
        "$([ "$(cat "$tmp/$2.ready" 2>/dev/null)" = "$1" ] && echo y)"
}
if command -v python3 >/dev/null 2>&1; then
    hold_silent 64 idle
    sleep 0.5    # accepted and parked by now
    fresh_load "64 silent connections" 2
    # requests stuck behind the silent ones never finish within wrk's run,
    # so they show in the rate, not the latency: with threads that read
    # silent connections (2 s each in libfcgi's wait), 2,144 requests in
    # 2 s where parked connections gave 30,721
    want "beside 64 silent connections: $n requests in 2 s, at least a quarter of the rate before ($n_free in 3 s)" \
        "$(awk -v n="$n" -v f="$n_free" 'BEGIN {if (n / 2 >= f / 3 / 4) print "y"}')" "$(cat "$tmp/wrk.last")"
    kill "$silent" 2>/dev/null
    wait "$silent" 2>/dev/null
else
    skip "silent connections" "no python3"
fi

# ---- 2. 256 connections of durable decisions
rows0=$(mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.decisions")
read -r n bad err p99 max p50 < <(wrk_run 256 3 /v1/decisions "$ELIGO_PORTAL_TOKEN")
rows=$(($(mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.decisions") - rows0))
echo "256-connection burst of decisions: $n requests, median $p50 ms, p99 $p99 ms, max $max ms, $rows rows stored"
want "256 connections: every answer 201 (non-2xx $bad, socket errors $err)" \
    "$([ "$n" -gt 0 ] && [ "$bad" = 0 ] && [ "$err" = 0 ] && echo y)" "$(cat "$tmp/wrk.last")"
want "256 connections: no request over $burst_bar ms (max $max ms)" "$(awk -v m="$max" -v b="$burst_bar" 'BEGIN {if (m < b) print "y"}')" \
    "$(cat "$tmp/wrk.last")"
# the ratio does not move with the machine's speed: a busy machine slows
# every request alike (fair: about 2; two lanes: about 40)
want "256 connections: one line, p99 $p99 ms within 5 x the median $p50 ms" \
    "$(awk -v p="$p99" -v m="$p50" 'BEGIN {if (p <= 5 * m) print "y"}')" "$(cat "$tmp/wrk.last")"
# wrk stops with requests in flight: those may be stored unanswered, never the reverse
want "256 connections: at least one row per answer ($rows rows, $n answers)" "$([ "$rows" -ge "$n" ] && echo y)"
sleep 1.5    # the access log is buffered (flush=1s)
want "nginx logged no 502" "$(grep -q '" 502 ' "$STACK_VAR/nginx/logs/access.log" 2>/dev/null || echo y)" \
    "$(grep '" 502 ' "$STACK_VAR/nginx/logs/access.log" | head -n 3)"

# ---- 3. out of file descriptors: a worker that cannot accept pauses
# (worker.c's ACCEPT_PAUSE_MS) instead of spinning on the socket, which
# stays readable, logs it once a second at most, and serves again once
# connections close.  Each worker limited to 64 descriptors (prlimit),
# then 400 silent connections; the backlog holds what the workers cannot
# take.
if command -v python3 >/dev/null 2>&1 && command -v prlimit >/dev/null 2>&1; then
    for p in $(stack_worker_pids); do prlimit --pid "$p" --nofile=64:64; done
    elog=$STACK_VAR/log/eligod.log
    emfile() { grep -c 'accept: Too many open files' "$elog"; }
    # the workers' CPU in clock ticks (utime + stime of every thread)
    ticks() { local p; for p in $(stack_worker_pids); do awk '{print $14 + $15}' "/proc/$p/stat"; done |
        awk '{t += $1} END {print t + 0}'; }
    before=$(emfile)
    hold_silent 400 many
    sleep 0.5
    ticks0=$(ticks)
    sleep 2
    cpu=$(($(ticks) - ticks0))
    errors=$(($(emfile) - before))
    kill "$silent" 2>/dev/null
    wait "$silent" 2>/dev/null
    echo "out of descriptors: $errors accept errors logged in 2.5 s, workers' CPU $cpu ticks in 2 s"
    want "out of descriptors: $errors lines logged in 2.5 s (want 1 to 24: once a second a worker)" \
        "$([ "$errors" -ge 1 ] && [ "$errors" -le 24 ] && echo y)" "$(tail -n 3 "$elog")"
    # 32 threads pausing 100 ms between tries use a tick or two; spinning,
    # they took both cores (400 ticks), and a share of them on a busy machine
    want "out of descriptors: the workers used $cpu ticks of CPU in 2 s (want < 40: paused, not spinning)" \
        "$([ "$cpu" -lt 40 ] && echo y)"
    sleep 1      # the silent connections' closes reach the workers
    read -r n bad err _ _ _ < <(wrk_run 4 1 /v1/evaluate "$ELIGO_OFFICER_TOKEN")
    want "descriptors free again: $n requests, all 200 (non-2xx $bad, socket errors $err)" \
        "$([ "$n" -gt 0 ] && [ "$bad" = 0 ] && [ "$err" = 0 ] && echo y)" "$(cat "$tmp/wrk.last")"
else
    skip "out of descriptors" "no python3 or prlimit"
fi

finish
