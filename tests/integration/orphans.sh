#!/usr/bin/env bash
# orphans.sh - eligod's children do not outlive their master, through
# real nginx, eligod and MariaDB started by tests/lib/stack.sh: after a
# few requests (so nginx holds kept connections that pin worker
# threads), the master is SIGKILLed; every child it had (workers, the
# committer, the sequencer) is gone within 4 s (the kernel's SIGTERM
# from PR_SET_PDEATHSIG, src/service/signals.c), and nginx then finds
# nobody on eligod's socket (502, "Connection refused" in its log).
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack orphans
export STACK_WORKERS=2
children=
cleanup() {   # whatever child outlived the test
    local p
    for p in $children; do kill -KILL "$p" 2>/dev/null; done
}
at_exit cleanup

stack_test_up "$tmp"
master=$(cat "$STACK_VAR/run/eligod.pid")
# kept connections: several requests on one curl, some at once
for _ in 1 2 3 4; do
    curl -s -o /dev/null -o /dev/null -o /dev/null "$U/healthz" "$U/healthz" "$U/healthz" &
done
wait
children=$(ps -o pid= --ppid "$master" | tr -s ' \n' ' ')
nchildren=$(printf '%s' "$children" | wc -w)
# 2 workers, the committer and the sequencer
want "before: 4 children of the master ($nchildren: $children)" "$([ "$nchildren" = 4 ] && echo y)"
want "before: /healthz answers 200" "$([ "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")" = 200 ] && echo y)"

# running PID: the process exists and has not exited.  An exited child of
# a dead master is a zombie until the new parent (PID 1, or a subreaper)
# reaps it, which some container inits do only every second or two:
# kill -0 still succeeds on a zombie, so its state is read instead.
running() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    case $state in Z*) return 1 ;; esac
    [ -n "$state" ]
}
kill -KILL "$master"
alive=$children
gone_ms=
start_ms=$(date +%s%3N)
for _ in $(seq 1 40); do
    sleep 0.1
    alive=
    for p in $children; do running "$p" && alive+="$p "; done
    [ -z "$alive" ] && gone_ms=$(($(date +%s%3N) - start_ms)) && break
done
# Alone they exit in about 250 ms (a worker's poll); the bar leaves room
# for a machine busy with other suites.  4 s still tells the
# kernel's SIGTERM apart from its absence: without it nothing would end
# them, and a worker that lingered on nginx's kept connections would stay
# until nginx's keepalive_timeout (5 s) closed them.
echo "children gone ${gone_ms:-(not all)} ms after the master's SIGKILL"
want "every child gone within 4 s of the master's SIGKILL (${gone_ms:-over 4000} ms; left: $alive)" \
    "$([ -z "$alive" ] && echo y)" \
    "$(for p in $alive; do ps -o pid=,stat=,wchan:32=,args= -p "$p"; done; tail -n 5 "$STACK_VAR/log/eligod.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")
want "after: nginx answers 502 (got $code)" "$([ "$code" = 502 ] && echo y)"
want "after: eligod's socket refuses connections" \
    "$(grep -q 'eligod.sock failed (111: Connection refused)' "$STACK_VAR/nginx/logs/error.log" 2>/dev/null && echo y)" \
    "$(tail -n 3 "$STACK_VAR/nginx/logs/error.log" 2>/dev/null)"
children=$alive   # the cleanup kills what is left

finish
