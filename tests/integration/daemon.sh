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
#   - QUIT stops gracefully and removes the socket and the pid file;
#   - --log journal prefixes each line with its journald priority,
#     --log-level drops the lower ones;
#   - the configuration file (--conf): read, overridden by the command
#     line, file:line on a bad line; and the sd_notify messages a unit of
#     Type=notify hears, on a socket of the test's own.
# The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
export ELIGO ELIGOD
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack daemon
export STACK_WORKERS=2 STACK_POLICIES=$tmp/policies STACK_CHECKPOINTS=0
cp -r "$top/policies" "$tmp/policies"
chmod -R u+w "$tmp/policies"

second=
cleanup() {
    [ -n "$second" ] && kill -KILL "$second" 2>/dev/null
}
at_exit cleanup

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

# ---- --log journal (journald's <N> priorities) and --log-level
"$ELIGOD" -t --log journal --policies "$tmp/policies" >"$tmp/t.out" 2>&1
# the shipped policies, counted from the folder
npol=$(find "$tmp/policies" -name '*.policy' | wc -l)
if grep -q "^<6>eligod\\[[0-9]*\\] info: compiled $npol policies" "$tmp/t.out" && ! grep -qv '^<[346]>' "$tmp/t.out"; then
    ok "--log journal: every line starts with its priority"; else not_ok "--log journal" "$(cat "$tmp/t.out")"; fi
"$ELIGOD" -t --log journal --policies "$tmp/broken" >"$tmp/t.out" 2>&1
contains "--log journal: a policy error at priority 3" "<3>eligod" "$tmp/t.out"
"$ELIGOD" -t --log-level=error --policies "$tmp/policies" >"$tmp/t.out" 2>&1
if [ ! -s "$tmp/t.out" ]; then ok "--log-level error: no info lines"; else not_ok "--log-level error printed" "$(cat "$tmp/t.out")"; fi

# ---- the configuration file: names one to one with the options
cat >"$tmp/eligod.conf" <<CONF
; a comment
[eligod]
policies = $tmp/broken
workers = 1
CONF
"$ELIGOD" -t --conf "$tmp/eligod.conf" >"$tmp/t.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -qF "$tmp/broken/tianjin/dibao.policy:$bad_line:" "$tmp/t.out"; then ok "-t --conf: the file's policies are checked (1)"
else not_ok "-t --conf FILE: $rc" "$(cat "$tmp/t.out")"; fi
"$ELIGOD" -t --conf="$tmp/eligod.conf" --policies "$tmp/policies" >"$tmp/t.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "the command line wins over the file (0)"; else not_ok "command line over the file: $rc" "$(cat "$tmp/t.out")"; fi
printf 'workers = lots\n' >"$tmp/bad.conf"
"$ELIGOD" -t --conf "$tmp/bad.conf" >"$tmp/t.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -qF "$tmp/bad.conf:1: workers = lots: expects a whole number" "$tmp/t.out"; then ok "a bad value: file:line named, -t exits 1"
else not_ok "bad conf value: $rc" "$(cat "$tmp/t.out")"; fi
printf 'no-such-option = 1\n' >"$tmp/bad.conf"
"$ELIGOD" --conf "$tmp/bad.conf" >"$tmp/t.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF "$tmp/bad.conf:1: unknown option \`no-such-option\`" "$tmp/t.out"; then ok "an unknown name: file:line named, exit 2"
else not_ok "unknown conf name: $rc" "$(cat "$tmp/t.out")"; fi

# ---- sd_notify: READY, RELOADING, STOPPING and STATUS on $NOTIFY_SOCKET
if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/notify.sock" "$tmp/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2], "w") as out:
    while True:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        out.write(msg.replace("\n", " | ") + "\n")
        out.flush()
        if "STOPPING=1" in msg:
            break
PY
    listener=$!
    for _ in $(seq 1 50); do [ -S "$tmp/notify.sock" ] && break; sleep 0.1; done
    NOTIFY_SOCKET=$tmp/notify.sock "$ELIGOD" --policies "$tmp/policies" --listen "unix:$tmp/n.sock" \
        --workers 1 --pid "$tmp/n.pid" >"$tmp/n.log" 2>&1 &
    npid=$!
    for _ in $(seq 1 100); do grep -q READY=1 "$tmp/notify.log" 2>/dev/null && break; sleep 0.1; done
    kill -HUP "$npid"
    for _ in $(seq 1 100); do [ "$(grep -c READY=1 "$tmp/notify.log")" -ge 2 ] && break; sleep 0.1; done
    kill -QUIT "$npid"
    wait "$npid"
    wait "$listener"
    contains "READY=1 with the status" "READY=1 | STATUS=generation 1, $npol policies, 1 workers" "$tmp/notify.log"
    contains "RELOADING=1 on HUP" "RELOADING=1 | STATUS=compiling $tmp/policies" "$tmp/notify.log"
    contains "READY=1 after the reload" "READY=1 | STATUS=generation 2, $npol policies" "$tmp/notify.log"
    contains "STOPPING=1 on QUIT" "STOPPING=1 | STATUS=stopping (graceful)" "$tmp/notify.log"
else
    skip "sd_notify" "no python3 to listen"
fi

start=$(date +%s)
stack_test_up "$tmp"
ok "stack up"
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
contains "USR2 reaches generation 2" "reload: generation 2 with $((npol + 1)) policies" "$log"
sleep 0.3
if kill -0 "$master" 2>/dev/null; then ok "the master lives after USR2"; else not_ok "USR2 stopped the master"; fi
# until a worker of the new generation answers
for _ in $(seq 1 80); do
    curl -s -m 5 "$U/metrics" >"$tmp/body"
    grep -q "^eligo_policies $((npol + 1))$" "$tmp/body" && break
    sleep 0.1
done
contains "a new worker answers /metrics" "eligo_policies $((npol + 1))" "$tmp/body"
contains "after the reload the count stays with tianjin.dibao" 'eligo_decisions_total{policy="tianjin.dibao"} 1' "$tmp/body"
contains "the new policy counts 0" 'eligo_decisions_total{policy="changzhou.aaa_first"} 0' "$tmp/body"
n=$(grep -c '^eligo_decisions_total{' "$tmp/body")
if [ "$n" -eq $((npol + 1)) ]; then ok "$((npol + 1)) decision counters"; else not_ok "decision counters: $n" "$(grep eligo_decisions_total "$tmp/body")"; fi
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
# a worker serves its kept connections on until nginx lets go (bounded
# near 5 s); a sanitizer build's leak checks at exit add more
quit_bar=10
ldd "$ELIGOD" 2>/dev/null | grep -q libasan && quit_bar=20
kill -QUIT "$master"
for _ in $(seq 1 $((quit_bar * 10))); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$master" 2>/dev/null; then not_ok "eligod still running $quit_bar s after QUIT"; else ok "QUIT: eligod exited"; fi
contains "QUIT is a graceful stop" "graceful stop of" "$log"
if [ -e "$sock" ] || [ -e "$STACK_VAR/run/eligod.pid" ]; then not_ok "socket or pid file left behind"; else ok "socket and pid file removed"; fi

echo "($(($(date +%s) - start)) s)"
finish
