#!/usr/bin/env bash
# run.sh - eligod behind real nginx with a real MariaDB.
#
# Starts the whole stack (tests/lib/stack.sh) in a temporary directory on
# a free port, with a copy of policies/ it can break, and checks through
# nginx: health, the policy list and one policy's parameters on a date,
# every error the router owns (401, 403, 404, 405, 413, 415) as
# problem+json, one stored decision, metrics, a SIGHUP with a broken
# policy (old answers kept, file:line:col logged), a SIGHUP with a good
# change (new hash served), and a SIGKILLed worker (replaced, the pool
# keeps answering).  Everything it started is stopped on exit.  The last
# line is "N passed, N failed"; the exit status is non-zero on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
export ELIGO ELIGOD
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack it
export STACK_WORKERS=4 STACK_POLICIES=$tmp/policies
cp -r "$top/policies" "$tmp/policies"
chmod -R u+w "$tmp/policies"

# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"

start=$(date +%s)
stack_test_up "$tmp"
ok "stack up (MariaDB, eligod, nginx on 127.0.0.1:$STACK_PORT)"
log=$STACK_VAR/log/eligod.log
master=$(cat "$STACK_VAR/run/eligod.pid")
auth() { echo "Authorization: Bearer $1"; }

workers() { stack_worker_pids; }   # not the committer, not the sequencer

# ---- basics
# the shipped policies, counted from the folder the stack serves
npol=$(find "$tmp/policies" -name '*.policy' | wc -l)
expect "GET /healthz" 200 "$U/healthz" && contains "healthz: database up, $npol policies" "\"database\":\"up\",\"policies\":$npol" "$tmp/body"
expect "GET /v1/policies" 200 -H "$(auth "$ELIGO_AUDITOR_TOKEN")" "$U/v1/policies"
n=$(grep -o '"name":' "$tmp/body" | wc -l)
if [ "$n" -eq "$npol" ]; then ok "$npol shipped policies listed"; else not_ok "policies listed: $n" "$(cat "$tmp/body")"; fi
expect "GET /v1/policies/tianjin.dibao?as_of=2019-01-01" 200 -H "$(auth "$ELIGO_PORTAL_TOKEN")" \
    "$U/v1/policies/tianjin.dibao?as_of=2019-01-01"
contains "standard 860.00 from 2017-04-01" '"name":"standard"' "$tmp/body"
contains "standard's value and start" '"value":"860.00","from":"2017-04-01"' "$tmp/body"
contains "standard's citation" '"file":"001_9ead28f4facb4925.txt","quote":"乡低保标准统一提高到每人每月860元","assumption":null' "$tmp/body"
contains "input model with members" '"name":"members","type":"list of person","required":true' "$tmp/body"
contains "outputs listed" '{"name":"eligible","type":"bool"' "$tmp/body"
hash=$(grep -o '"hash":"sha256:[0-9a-f]*"' "$tmp/body" | head -n 1)

# ---- the router's errors
expect "401 without a token" 401 "$U/v1/policies"
expect "401 with an unknown token" 401 -H "$(auth 0000000000000000000000000000000000000000000000000000000000000000)" "$U/v1/policies"
expect "403 officer posting a decision" 403 -H "$(auth "$ELIGO_OFFICER_TOKEN")" -H 'Content-Type: application/json' \
    -d '{}' "$U/v1/decisions"
expect "403 portal reading a stored decision" 403 -H "$(auth "$ELIGO_PORTAL_TOKEN")" "$U/v1/decisions/x"
expect "404 unknown route" 404 -H "$(auth "$ELIGO_PORTAL_TOKEN")" "$U/v1/nothing"
expect "404 unknown route outside /v1" 404 "$U/nothing"
expect "404 unknown policy" 404 -H "$(auth "$ELIGO_PORTAL_TOKEN")" "$U/v1/policies/no.such"
expect "405 DELETE /v1/policies" 405 -X DELETE -H "$(auth "$ELIGO_PORTAL_TOKEN")" "$U/v1/policies"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
expect "413 body over 1 MiB" 413 -H "$(auth "$ELIGO_PORTAL_TOKEN")" -H 'Content-Type: application/json' \
    --data-binary @"$tmp/big.json" "$U/v1/decisions"
expect "415 text/plain body" 415 -H "$(auth "$ELIGO_PORTAL_TOKEN")" -H 'Content-Type: text/plain' \
    -d '{}' "$U/v1/decisions"

# ---- one real decision, stored
body='{"policy":"tianjin.dibao","as_of":"2019-01-01","input":{"household":{"members":[{"id":"a","age":40,"monthly_income":"1000.00"},{"id":"b","age":38,"monthly_income":"500.00"},{"id":"c","age":10}]}}}'
expect "POST /v1/decisions" 201 -H "$(auth "$ELIGO_PORTAL_TOKEN")" -H 'Content-Type: application/json' \
    -d "$body" "$U/v1/decisions" && contains "decision: benefit 1080.00" '"monthly_benefit":"1080.00"' "$tmp/body"
expect "GET /metrics (loopback)" 200 "$U/metrics" && contains "metrics count decisions" \
    'eligo_requests_total{route="decisions_create",status="201"} 1' "$tmp/body"
# the master samples the FastCGI socket's listen queue from the kernel (listenq.c)
# (eligod's default backlog is the kernel's somaxconn)
somaxconn=$(cat /proc/sys/net/core/somaxconn)
contains "metrics show the listen backlog (somaxconn, $somaxconn)" "eligo_listen_backlog $somaxconn" "$tmp/body"

# ---- SIGHUP with a broken policy: diagnostics logged, old set kept
pol=$tmp/policies/tianjin/dibao.policy
cp "$pol" "$tmp/dibao.good"
printf '\nlet broken: int "x" = no_such_name + 1\n' >>"$pol"
bad_line=$(wc -l <"$pol")
kill -HUP "$master"
for _ in $(seq 1 50); do grep -q "reload failed" "$log" && break; sleep 0.1; done
contains "broken reload logged as failed" "reload failed" "$log"
contains "diagnostic with file:line:col" "$pol:$bad_line:" "$log"
expect "old policies still served" 200 -H "$(auth "$ELIGO_PORTAL_TOKEN")" "$U/v1/policies/tianjin.dibao?as_of=2019-01-01" &&
    contains "old hash still served" "$hash" "$tmp/body"

# ---- SIGHUP with a good change: the new hash is served by every worker
cp "$tmp/dibao.good" "$pol"
printf '\n# reloaded by the integration test\n' >>"$pol"
kill -HUP "$master"
new_ok=0
for _ in $(seq 1 80); do
    same=0
    for _ in 1 2 3 4 5 6 7 8; do
        curl -s -m 5 -H "$(auth "$ELIGO_PORTAL_TOKEN")" "$U/v1/policies/tianjin.dibao" >"$tmp/body"
        grep -qF "$hash" "$tmp/body" || same=$((same + 1))
    done
    [ $same -eq 8 ] && { new_ok=1; break; }
    sleep 0.1
done
if [ $new_ok -eq 1 ]; then ok "good reload: every answer carries the new hash"; else not_ok "good reload: old hash still served" "$(tail -n 5 "$log")"; fi
for _ in $(seq 1 50); do [ "$(workers | wc -l)" -eq 4 ] && break; sleep 0.1; done
n=$(workers | wc -l)
if [ "$n" -eq 4 ]; then ok "4 workers after the reload"; else not_ok "workers after the reload: $n" "$(tail -n 10 "$log")"; fi

# ---- SIGKILL a worker: replaced, the pool keeps answering
victim=$(workers | head -n 1)
kill -KILL "$victim"
bad=0
for _ in $(seq 1 30); do
    code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$U/healthz")
    [ "$code" = 200 ] || bad=$((bad + 1))
done
if [ $bad -le 1 ]; then ok "pool answers after a SIGKILL ($bad of 30 failed)"; else not_ok "$bad of 30 requests failed after a SIGKILL"; fi
for _ in $(seq 1 30); do
    n=$(workers | wc -l)
    [ "$n" -eq 4 ] && ! workers | grep -qx "$victim" && break
    sleep 0.1
done
if [ "$n" -eq 4 ] && ! workers | grep -qx "$victim"; then ok "killed worker replaced"; else not_ok "after SIGKILL: $n workers"; fi
contains "death logged with its signal" "killed by signal 9" "$log"

# ---- SIGTERM: the master stops its workers and exits
# Workers get PCTL_FAST_STOP_S (1 s) before SIGKILL; the committer ends its
# batch (at most the store's 3 s budget) and the sequencer its round.  A
# sanitizer build runs every child's leak check at exit, which on a busy
# machine once took past 10 s: it gets 20.
stop_bar=10
ldd "$ELIGOD" 2>/dev/null | grep -q libasan && stop_bar=20
kill -TERM "$master"
for _ in $(seq 1 $((stop_bar * 10))); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$master" 2>/dev/null; then not_ok "eligod still running $stop_bar s after SIGTERM"; else ok "SIGTERM: eligod exited"; fi
if [ -e "$STACK_VAR/run/eligod.sock" ]; then not_ok "socket left behind"; else ok "socket removed"; fi

echo "($(($(date +%s) - start)) s)"
finish
