#!/usr/bin/env bash
# metrics.sh - GET /metrics holds what an operator alerts on, and is
# valid Prometheus text (promtool check metrics: no error, no lint).
#
# Starts the stack (tests/lib/stack.sh: MariaDB, eligod with the
# committer and the checkpoint sequencer, nginx) in a temporary directory
# on a free port and checks, with values computed from what the test does:
#   - promtool check metrics clean, before any request and after all;
#   - eligo_database_up 1; process_start_time_seconds between the
#     moments before stack_up and after it;
#   - three decisions (one request of three policies): the committer's
#     batch histogram holds 3 rows (eligo_commit_batch_rows_sum 3), its
#     queue is 0 when idle; after the sequencer's next round
#     eligo_decisions_unprotected is 0, the checkpoint batch histogram
#     holds 3 rows and eligo_checkpoint_age_seconds is at most 2;
#   - access_log locked past the write's deadline: the auditor's read is
#     refused and eligo_access_log_write_failures_total is 1;
#   - SIGKILL to the committer and to the sequencer: each is respawned and
#     eligo_child_respawns_total counts 1 for each; the same for a worker
#     (child="worker"), counted under that one name only;
#   - the static pool of 2 workers: eligo_workers_running 2 and max 2, 2
#     spawned and none retired at start, 3 spawned after the worker's kill.
# Needs promtool (Debian package prometheus); says SKIP for that check
# without it.  The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack metrics
export STACK_WORKERS=2 STACK_POLICIES=$top/policies
locker=
cleanup() {
    [ -n "$locker" ] && kill "$locker" 2>/dev/null
}
at_exit cleanup

# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
metrics() { curl -s -m 5 "$U/metrics" >"$tmp/m"; }
value() { awk -v k="$1" '$1 == k {print $2}' "$tmp/m"; }
metric_is() {   # NAME METRIC WANTED
    local got
    got=$(value "$2")
    [ "$got" = "$3" ] && ok "$1: $2 $got" || not_ok "$1: $2 is '${got}', wanted $3"
}
promtool_clean() {
    if ! command -v promtool >/dev/null 2>&1; then
        skip "promtool check metrics ($1)" "no promtool (Debian package prometheus)"
        return
    fi
    promtool check metrics <"$tmp/m" >"$tmp/promtool.out" 2>&1
    local rc=$?
    [ $rc -eq 0 ] && [ ! -s "$tmp/promtool.out" ] && ok "promtool check metrics ($1): clean" ||
        not_ok "promtool check metrics ($1): status $rc" "$(cat "$tmp/promtool.out")"
}

before=$(date +%s)
stack_test_up "$tmp"
after=$(date +%s)
metrics
promtool_clean "at start"
metric_is "database" eligo_database_up 1
# a static pool (--pm static, the default): --workers, always
metric_is "static pool" eligo_workers_running 2
metric_is "static pool" eligo_workers_max 2
metric_is "static pool: 2 workers forked" eligo_workers_spawned_total 2
metric_is "static pool" eligo_workers_retired_total 0
t=$(value process_start_time_seconds)
[ -n "$t" ] && [ "$t" -ge "$before" ] && [ "$t" -le "$after" ] &&
    ok "process_start_time_seconds $t, within [$before, $after]" || not_ok "process_start_time_seconds '$t' not in [$before, $after]"

# ---- three decisions in one request: one commit of 3 rows
fam=$(cat "$top/tests/requests/dibao-family.json")
code=$(curl -s -m 10 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
    -H 'Content-Type: application/json' --data-binary \
    "{\"policy\":[\"tianjin.dibao\",\"tianjin.tekun_care\",\"tianjin.medical_aid\"],\"as_of\":\"2019-09-01\",\"input\":$fam}" \
    "$U/v1/decisions")
[ "$code" = 201 ] && ok "three decisions: 201" || not_ok "three decisions: $code" "$(cat "$tmp/body")"
id=$(jq -r '.decisions[0].decision_id // empty' "$tmp/body" 2>/dev/null)
# the sequencer's round comes within its interval (1 s) of the commit;
# up to 20 s for a slow (sanitizer) build
for _ in $(seq 100); do
    metrics
    [ "$(value eligo_decisions_unprotected)" = 0 ] && [ "$(value eligo_checkpoint_batch_rows_sum)" = 3 ] && break
    sleep 0.2
done
metric_is "committer" eligo_commit_batch_rows_sum 3
metric_is "committer" eligo_commit_queue 0
metric_is "committer, one request's rows in one commit" 'eligo_commit_batch_rows_bucket{le="4"}' 1
metric_is "sequencer" eligo_decisions_unprotected 0
metric_is "sequencer" eligo_checkpoint_batch_rows_sum 3
age=$(value eligo_checkpoint_age_seconds)
[ -n "$age" ] && [ "$age" -le 2 ] && ok "eligo_checkpoint_age_seconds $age (at most 2)" || not_ok "checkpoint age '$age'"
metric_is "no access_log failure yet" eligo_access_log_write_failures_total 0

# ---- access_log locked: the auditor's read is refused, and counted
if [ -n "$id" ]; then
    (mariadb_sql "$STACK_VAR/mariadb" "LOCK TABLES eligo.access_log WRITE; SELECT SLEEP(5); UNLOCK TABLES" >/dev/null 2>&1) &
    locker=$!
    sleep 0.5
    code=$(curl -s -m 10 -o "$tmp/audit" -w '%{http_code}' -H "Authorization: Bearer $ELIGO_AUDITOR_TOKEN" "$U/v1/decisions/$id")
    [ "$code" = 503 ] && ok "access_log locked: the auditor's read is 503" || not_ok "access_log locked: $code" "$(cat "$tmp/audit")"
    metrics
    metric_is "access_log locked" eligo_access_log_write_failures_total 1
    wait "$locker"
    locker=
else
    not_ok "no decision id in the answer" "$(cat "$tmp/body")"
fi

# ---- the helpers killed: respawned and counted
for child in committer:eligod-commit sequencer:eligod-seq; do
    kind=${child%%:*} name=${child#*:}
    pid=$(stack_helper_pid "$name")
    if [ -z "$pid" ]; then not_ok "no $name process"; continue; fi
    kill -KILL "$pid"
    for _ in $(seq 100); do
        new=$(stack_helper_pid "$name")
        [ -n "$new" ] && [ "$new" != "$pid" ] && break
        sleep 0.1
    done
    metrics
    metric_is "$kind killed, respawned ($pid, then ${new:-none})" "eligo_child_respawns_total{child=\"$kind\"}" 1
done
# ---- a worker killed: counted once, under the same name (there was a
# second metric, eligo_worker_respawns_total, saying the same)
pids=$(stack_worker_pids)
pid=${pids%%[[:space:]]*}
kill -KILL "$pid"
for _ in $(seq 100); do
    [ "$(stack_worker_pids | wc -l)" -ge 2 ] && ! kill -0 "$pid" 2>/dev/null && break
    sleep 0.1
done
# the master counts its pool on its next loop (every 50 ms), after the fork
for _ in $(seq 50); do
    metrics
    [ "$(value eligo_workers_running)" = 2 ] && break
    sleep 0.1
done
metric_is "a worker killed, respawned ($pid)" 'eligo_child_respawns_total{child="worker"}' 1
metric_is "a worker killed, replaced" eligo_workers_running 2
metric_is "a worker killed, a third forked" eligo_workers_spawned_total 3
want "respawns under one name" "$(grep -q '^eligo_worker_respawns_total' "$tmp/m" || echo y)"
metrics
promtool_clean "after all"
finish
