#!/usr/bin/env bash
# pool.sh - the dynamic worker pool (--pm dynamic, issue 14) on the real
# stack (tests/lib/stack.sh: MariaDB, eligod, nginx):
#   0. it refuses spares closer than --threads, a start past --workers,
#      spares without --pm dynamic, an unknown --pm;
#   1. it starts with 1 worker of 2 threads (--start-workers 1, at most
#      --workers 4, idle threads kept between 1 and 3) and stays there;
#   2. 16 connections posting durable decisions use up the spare threads:
#      the pool grows to 4 workers (read from /metrics); a reload then
#      replaces the 4 by 4 new ones; every answer 2xx;
#   3. the load stops: the pool shrinks back to 1 worker, a worker a
#      second, while a steady client sees no 5xx and no failed connection;
#      the retired workers exit, none is counted as a respawn;
#   4. a reload at 1 worker serves the new policy text and keeps the
#      pool's size;
#   5. a worker killed is a crash: one respawn, replaced, no retirement;
#   6. the stop leaves no process (stack_down's check).
# Every wait is bounded in the master's cadence (once a second, pm.h):
# growing needs 2 to 3 of its seconds and shrinking 3 to 4, so each wait
# allows 15 (a wait, not a figure: the seconds taken are printed).
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack pool
LOAD=$STACK_LOAD
threads=2 max=4 cadence_s=1 deadline_ticks=15
# nginx keeps a quarter of the smallest pool's threads (one worker of 2:
# one connection), so it can never pin every thread of that pool
export STACK_WORKERS=$max STACK_THREADS=$threads STACK_KEEPALIVE=1 STACK_POLICIES=$tmp/policies
export STACK_EXTRA="--pm dynamic --threads $threads --start-workers 1 --min-spare-threads 1 --max-spare-threads 3"
cp -r "$top/policies" "$tmp/policies" && chmod -R u+w "$tmp/policies"
loader=
cleanup() {   # the client loop, if a check ended the suite while it ran
    [ -n "$loader" ] && touch "$tmp/stop" && wait "$loader"
}
at_exit cleanup

if [ ! -x "$LOAD" ]; then
    not_ok "load_client not built ($LOAD)"
    finish
fi
request_templates "$tmp/templates"

stack_test_up "$tmp"
export ELIGO_PORTAL_TOKEN
master=$(cat "$STACK_VAR/run/eligod.pid")
log=$STACK_VAR/log/eligod.log

# ---- 0. options eligod refuses (exit 2, the reason on stderr)
# refused OPTIONS... -- MESSAGE
refused() {
    local args=() err rc
    while [ "$1" != -- ]; do args+=("$1"); shift; done
    err=$("$ELIGOD" "${args[@]}" 2>&1 >/dev/null)
    rc=$?
    want "refused: ${args[*]} (exit $rc)" "$([ $rc = 2 ] && grep -qF -- "$2" <<<"$err" && echo y)" "$err"
}
refused --pm dynamic --threads 2 --min-spare-threads 1 --max-spare-threads 2 -- \
    "--max-spare-threads 2: must be at least --min-spare-threads + --threads (3)"
refused --pm dynamic --workers 4 --start-workers 5 -- "--start-workers 5: more than --workers 4"
refused --min-spare-threads 2 -- "need --pm dynamic"
refused --pm elastic -- "--pm elastic: expects static or dynamic"

# metric NAME: its value now (labels included in NAME, as /metrics prints it)
metric() { curl -s -m 2 "$U/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
now_ms() { date +%s%3N; }

# wait_metric NAME VALUE: until NAME is VALUE, at most deadline_ticks of
# the master's cadence; prints the seconds it took, or nothing.
wait_metric() {
    local t0 v
    t0=$(now_ms)
    while [ $(($(now_ms) - t0)) -lt $((deadline_ticks * cadence_s * 1000)) ]; do
        v=$(metric "$1")
        if [ "$v" = "$2" ]; then
            awk -v ms=$(($(now_ms) - t0)) 'BEGIN {printf "%.1f\n", ms / 1000}'
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# clients NAME CONNS PAUSE: the load client, in runs of 2 s until
# $tmp/stop exists, in the background; each run's summary line goes to
# $tmp/NAME.summary.
clients() {
    rm -f "$tmp/stop"
    (
        i=0
        while [ ! -f "$tmp/stop" ]; do
            i=$((i + 1))
            "$LOAD" -a "127.0.0.1:$STACK_PORT" -p "$1-$i" -o "$tmp/$1.$i.out" -c "$2" -d 2 -w "$3" -g 20 \
                "$tmp"/templates/*.json 2>>"$tmp/$1.err" | tail -n 1 >>"$tmp/$1.summary"
        done
    ) &
    loader=$!
}

# stop_clients NAME WHAT: stops the client loop; every attempt of every
# run of NAME answered 200 or 201: no failed connection, no 409, 5xx or
# other status, no request id given up.
stop_clients() {
    local sent answered bad
    touch "$tmp/stop"
    wait "$loader"
    loader=
    read -r sent answered bad < <(awk '{for (i = 2; i <= NF; i++) {split($i, kv, "="); f[kv[1]] += kv[2]}}
        END {printf "%d %d %d\n", f["sent"], f["created"] + f["replayed"],
             f["failed"] + f["conn"] + f["s409"] + f["s502"] + f["s503"] + f["s504"] + f["other"]}' "$tmp/$1.summary")
    echo "$2: $sent requests sent, $answered answered 2xx, $bad errors"
    want "$2: every request answered 2xx, no 5xx ($answered of $sent, $bad errors)" \
        "$([ "$sent" -gt 0 ] && [ "$bad" = 0 ] && [ "$answered" = "$sent" ] && echo y)" "$(cat "$tmp/$1.summary")"
}

# ---- 1. the pool at start: 1 worker, 2 idle threads, 1 spawned
same "one worker at start" 1 "$(metric eligo_workers_running)"
same "the most is --workers" $max "$(metric eligo_workers_max)"
same "its two threads idle" 2 "$(metric eligo_threads_idle)"
same "one worker spawned" 1 "$(metric eligo_workers_spawned_total)"
# two of the master's seconds: 2 idle threads are within 1..3, nothing moves
sleep $((2 * cadence_s)).2
same "still one worker two seconds on" 1 "$(metric eligo_workers_running)"
pids0=$(stack_worker_pids | wc -l)
same "one worker process" 1 "$pids0"

# ---- 2. 16 connections of durable decisions: the pool grows to the most
clients grow 16 0
if grow_s=$(wait_metric eligo_workers_running $max); then
    ok "grew to $max workers in $grow_s s under 16 connections"
else
    not_ok "the pool did not grow to $max workers within $deadline_ticks s" "$(curl -s "$U/metrics" | grep -E '^eligo_(workers|threads|listen_queue )')
$(grep 'dynamic pool' "$log" | tail -n 5)"
fi
same "growth: 3 workers spawned" 4 "$(metric eligo_workers_spawned_total)"
grep -q 'dynamic pool: .* starting' "$log" && ok || fail "the log says why the pool grew"
# a reload at the most, under the load: 4 new workers replace the 4 old
# ones, one at a time, and the pool keeps its size
printf '\n# pool reload 1\n' >>"$tmp/policies/tianjin/dibao.policy"
kill -HUP "$master"
wait_metric eligo_generation 2 >/dev/null || fail "reload under load: no generation 2 within $deadline_ticks s"
t0=$(now_ms)
until [ "$(grep -c 'retiring worker [0-9]* (generation 1)' "$log")" = $max ] ||
    [ $(($(now_ms) - t0)) -ge $((deadline_ticks * cadence_s * 1000)) ]; do sleep 0.1; done
same "reload under load: the $max old workers retired" $max "$(grep -c 'retiring worker [0-9]* (generation 1)' "$log")"
# the master counts the pool before it retires a worker on each turn of
# its loop (pm.c, pctl.c), so the last retired one leaves the count a
# turn (50 ms) after its log line: once read at that moment, 5
running=$(wait_metric eligo_workers_running $max) || running="not within $deadline_ticks s: $(metric eligo_workers_running)"
want "reload under load: $max workers running ($running)" "$(case $running in not*) ;; *) echo y ;; esac)"
same "reload under load: $max new workers spawned" $((2 * max)) "$(metric eligo_workers_spawned_total)"
stop_clients grow "growth and a reload under 16 connections"

# ---- 3. the load stops: back to one worker, a steady client unharmed
clients steady 1 0.05
if shrink_s=$(wait_metric eligo_workers_running 1); then
    ok "shrank to 1 worker in $shrink_s s"
else
    not_ok "the pool did not shrink to 1 worker within $deadline_ticks s" "$(curl -s "$U/metrics" | grep -E '^eligo_(workers|threads)')
$(grep 'dynamic pool' "$log" | tail -n 5)"
fi
# a worker retired with a kept connection serves it until nginx lets go
# (keepalive_time 3 s, keepalive_timeout 5 s): the client goes on
# meanwhile.  Its processes are what is waited for: while it serves, its
# slot reads busy, not stopping, so the metric cannot say it is gone.
t0=$(now_ms)
until [ "$(stack_worker_pids | wc -l)" = 1 ]; do
    [ $(($(now_ms) - t0)) -lt $((deadline_ticks * cadence_s * 1000)) ] ||
        fail "retired workers still running after $deadline_ticks s"
    sleep 0.1
done
echo "retired workers gone $(($(now_ms) - t0)) ms after the shrink"
stop_clients steady "a steady client during the shrink"
same "3 workers retired" 3 "$(metric eligo_workers_retired_total)"
same "no worker respawned (a retired worker is no crash)" 0 "$(metric 'eligo_child_respawns_total{child="worker"}')"
same "one worker left, and still one" 1 "$(metric eligo_workers_running)"
same "one worker process left" 1 "$(stack_worker_pids | wc -l)"
same "the log names 3 retirements" 3 "$(grep -c 'dynamic pool: .* retiring worker' "$log")"

# ---- 4. a reload at one worker: the new text decides, the size stays
printf '\n# pool reload 2\n' >>"$tmp/policies/tianjin/dibao.policy"
new_hash=$(sha256sum "$tmp/policies/tianjin/dibao.policy" | cut -c1-64)
# tianjin.dibao's first case (tests/requests/cases.txt), a new request id each time
body=$(sed 's/@RID@/pool-reload-ID/' "$tmp/templates/1.json")
kill -HUP "$master"
wait_metric eligo_generation 3 >/dev/null || fail "reload: no generation 3 within $deadline_ticks s"
t0=$(now_ms)
found=
while [ $(($(now_ms) - t0)) -lt $((deadline_ticks * cadence_s * 1000)) ]; do
    body_i=${body//pool-reload-ID/pool-reload-$(now_ms)}
    if curl -s -m 5 -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" -H 'Content-Type: application/json' \
        --data-binary "$body_i" "$U/v1/decisions" | grep -qF "\"hash\":\"sha256:$new_hash\""; then
        found=y
        break
    fi
    sleep 0.2
done
want "reload: the new policy text decides" "$found"
same "reload: one worker still" 1 "$(wait_metric 'eligo_workers{state="stopping"}' 0 >/dev/null; metric eligo_workers_running)"
same "reload: one worker process" 1 "$(stack_worker_pids | wc -l)"
same "reload: no respawn" 0 "$(metric 'eligo_child_respawns_total{child="worker"}')"
same "no 5xx in nginx's log" 0 "$(sleep 1.2; awk '$5 ~ /^5/' "$STACK_VAR/nginx/logs/access.log" | wc -l)"

# ---- 5. a worker killed in a dynamic pool: a crash, replaced at once
victim=$(stack_worker_pids | head -n 1)
spawned=$(metric eligo_workers_spawned_total)
kill -KILL "$victim"
same "killed worker: counted as one respawn" 1 "$(for _ in $(seq 1 50); do
    r=$(metric 'eligo_child_respawns_total{child="worker"}'); [ "$r" = 1 ] && break; sleep 0.1; done; echo "$r")"
wait_metric eligo_threads_idle $threads >/dev/null || fail "the replacement's threads are not idle within $deadline_ticks s"
same "killed worker: replaced, one worker running" 1 "$(metric eligo_workers_running)"
same "killed worker: one more spawned" $((spawned + 1)) "$(metric eligo_workers_spawned_total)"
same "killed worker: not a retirement" 3 "$(metric eligo_workers_retired_total)"

# ---- 6. the stop: nothing of the stack left running
if stack_down >"$tmp/down.log" 2>&1; then ok "stop: no process left"; else not_ok "stop" "$(cat "$tmp/down.log")"; fi
harness_with_stack=

finish
