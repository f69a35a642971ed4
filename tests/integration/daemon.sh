#!/usr/bin/env bash
# daemon.sh - eligod operated as an administrator would (php-fpm's and
# nginx's conventions): -v, -t, a second instance started by mistake,
# the signals, and the decision counters across a reload that adds a
# policy.
#
# Starts the stack (tests/lib/stack.sh) in a temporary directory on a
# free port with a copy of policies/, and checks:
#   - `eligod -v` and `eligod -t` (0 on good policies, 1 with the
#     file:line:col diagnostic on a broken one), without starting;
#   - a second eligod given the same socket and pid file exits 1 and
#     leaves both as they were (the first one keeps serving);
#   - a decision, then a policy added whose name sorts first and
#     `kill -USR2`: the master reloads and lives, and
#     eligo_decisions_total keeps the count under the policy that made it;
#   - eligo_build_info, process_start_time_seconds, the respawn counters
#     by child and eligo_database_up are in /metrics;
#   - USR1 logged as a log reopening, WINCH logged and ignored;
#   - QUIT stops gracefully and removes the socket and the pid file.
# The last line is "N passed, N failed".
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
export ELIGO ELIGOD
for tool in nginx mariadbd curl; do
    command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null 2>&1 || { echo "integration: $tool not installed"; echo "0 passed, 1 failed"; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eligo-daemon.XXXXXX")
# shellcheck source=tests/lib/stack.sh
. "$top/tests/lib/stack.sh"
export STACK_VAR=$tmp/var STACK_WORKERS=2 STACK_POLICIES=$tmp/policies STACK_CHECKPOINTS=0
STACK_PORT=$(mariadb_free_port) || exit 1
export STACK_PORT
cp -r "$top/policies" "$tmp/policies"
chmod -R u+w "$tmp/policies"

second=
cleanup() {
    [ -n "$second" ] && kill -KILL "$second" 2>/dev/null
    stack_down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"

# ---- -v and -t, before anything runs
out=$("$ELIGOD" -v 2>&1)
case $out in "eligod (eligo) "[0-9]*) ok "eligod -v: $out" ;; *) not_ok "eligod -v" "$out" ;; esac
"$ELIGOD" --version >/dev/null 2>&1 && ok "eligod --version exits 0" || not_ok "eligod --version exit status"
"$ELIGOD" -t --policies "$tmp/policies" >"$tmp/t.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "eligod -t on good policies: 0"; else not_ok "eligod -t on good policies: $rc" "$(cat "$tmp/t.out")"; fi
cp -r "$tmp/policies" "$tmp/broken"
printf '\nlet broken: int "x" = no_such_name + 1\n' >>"$tmp/broken/tianjin/dibao.policy"
bad_line=$(wc -l <"$tmp/broken/tianjin/dibao.policy")
"$ELIGOD" -t --policies "$tmp/broken" >"$tmp/t.out" 2>&1
rc=$?
if [ $rc -eq 1 ]; then ok "eligod -t on a broken policy: 1"; else not_ok "eligod -t on a broken policy: $rc" "$(cat "$tmp/t.out")"; fi
contains "eligod -t names file:line:col" "$tmp/broken/tianjin/dibao.policy:$bad_line:" "$tmp/t.out"

start=$(date +%s)
if ! stack_up >"$tmp/up.log" 2>&1; then
    not_ok "stack up" "$(cat "$tmp/up.log"; tail -n 20 "$STACK_VAR/log/eligod.log" 2>/dev/null)"
    echo "$passed passed, $failed failed"
    exit 1
fi
ok "stack up"
# shellcheck disable=SC1091
. "$STACK_VAR/tokens.env"
U=$(stack_url)
log=$STACK_VAR/log/eligod.log
master=$(cat "$STACK_VAR/run/eligod.pid")
sock=$STACK_VAR/run/eligod.sock
auth() { echo "Authorization: Bearer $1"; }

# ---- a second eligod with the same socket and pid file
sock_inode=$(stat -c %i "$sock")
"$ELIGOD" --policies "$tmp/policies" --listen "unix:$sock" --pid "$STACK_VAR/run/eligod.pid" \
    --workers 1 >"$tmp/second.log" 2>&1 &
second=$!
for _ in $(seq 1 100); do kill -0 "$second" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$second" 2>/dev/null; then
    not_ok "the second eligod is still running"
    kill -KILL "$second"
fi
wait "$second"
rc=$?
second=
if [ $rc -eq 1 ]; then ok "second eligod exits 1"; else not_ok "second eligod exited $rc" "$(cat "$tmp/second.log")"; fi
contains "second eligod says why" "another eligod (pid $master) holds" "$tmp/second.log"
if [ -S "$sock" ] && [ "$(stat -c %i "$sock")" = "$sock_inode" ]; then ok "the live socket is untouched"; else not_ok "the live socket was removed or replaced"; fi
if [ "$(cat "$STACK_VAR/run/eligod.pid")" = "$master" ]; then ok "the pid file still names the first master"; else not_ok "pid file now: $(cat "$STACK_VAR/run/eligod.pid")"; fi
expect "the first eligod still answers" 200 "$U/healthz"

# ---- a decision, then a reload by USR2 that adds a policy sorting first
body='{"policy":"tianjin.dibao","as_of":"2019-01-01","input":{"household":{"members":[{"id":"a","age":40,"monthly_income":"1000.00"}]}}}'
expect "POST /v1/decisions" 201 -H "$(auth "$ELIGO_PORTAL_TOKEN")" -H 'Content-Type: application/json' \
    -d "$body" "$U/v1/decisions"
expect "GET /metrics" 200 "$U/metrics"
contains "one decision counted under tianjin.dibao" 'eligo_decisions_total{policy="tianjin.dibao"} 1' "$tmp/body"
sed 's/^policy changzhou\.public_welfare_job /policy changzhou.aaa_first /' \
    "$tmp/policies/changzhou/public_welfare_job.policy" >"$tmp/policies/changzhou/aaa_first.policy"
kill -USR2 "$master"
for _ in $(seq 1 50); do grep -q "reload: generation 2" "$log" && break; sleep 0.1; done
contains "USR2 reloads" "SIGUSR2: compiling" "$log"
contains "USR2 reaches generation 2" "reload: generation 2 with 11 policies" "$log"
sleep 0.3
if kill -0 "$master" 2>/dev/null; then ok "the master lives after USR2"; else not_ok "USR2 stopped the master"; fi
# until a worker of the new generation answers
for _ in $(seq 1 80); do
    curl -s -m 5 "$U/metrics" >"$tmp/body"
    grep -q '^eligo_policies 11$' "$tmp/body" && break
    sleep 0.1
done
contains "a new worker answers /metrics" 'eligo_policies 11' "$tmp/body"
contains "after the reload the count stays with tianjin.dibao" 'eligo_decisions_total{policy="tianjin.dibao"} 1' "$tmp/body"
contains "the new policy counts 0" 'eligo_decisions_total{policy="changzhou.aaa_first"} 0' "$tmp/body"
n=$(grep -c '^eligo_decisions_total{' "$tmp/body")
if [ "$n" -eq 11 ]; then ok "11 decision counters"; else not_ok "decision counters: $n" "$(grep eligo_decisions_total "$tmp/body")"; fi
contains "eligo_build_info" 'eligo_build_info{version="' "$tmp/body"
if grep -Eq '^process_start_time_seconds [0-9]{10}$' "$tmp/body"; then ok "process_start_time_seconds"; else not_ok "process_start_time_seconds" "$(grep process_start "$tmp/body")"; fi
contains "committer respawns counted" 'eligo_child_respawns_total{child="committer"} 0' "$tmp/body"
contains "database up" 'eligo_database_up 1' "$tmp/body"

# ---- USR1 and an unhandled signal
kill -USR1 "$master"
kill -WINCH "$master"
for _ in $(seq 1 50); do grep -q "ignored" "$log" && break; sleep 0.1; done
contains "USR1 reopens the log" "SIGUSR1: log reopened" "$log"
contains "WINCH logged and ignored" "signal 28 (Window changed) ignored" "$log"
expect "still serving after USR1 and WINCH" 200 "$U/healthz"

# ---- QUIT: graceful stop
kill -QUIT "$master"
for _ in $(seq 1 100); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$master" 2>/dev/null; then not_ok "eligod still running 10 s after QUIT"; else ok "QUIT: eligod exited"; fi
contains "QUIT is a graceful stop" "graceful stop of" "$log"
if [ -e "$sock" ] || [ -e "$STACK_VAR/run/eligod.pid" ]; then not_ok "socket or pid file left behind"; else ok "socket and pid file removed"; fi

echo "($(($(date +%s) - start)) s)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
