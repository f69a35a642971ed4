#!/usr/bin/env bash
# orphans.sh - eligod's children do not outlive their master, through
# real nginx, eligod and MariaDB started by tests/lib/stack.sh: after a
# few requests (so nginx holds kept connections that pin worker
# threads), the master is SIGKILLed; every child it had (workers, the
# committer, the sequencer) is gone within 2 s (the kernel's SIGTERM
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

kill -KILL "$master"
alive=$children
for _ in $(seq 1 20); do
    sleep 0.1
    alive=
    for p in $children; do kill -0 "$p" 2>/dev/null && alive+="$p "; done
    [ -z "$alive" ] && break
done
want "every child gone within 2 s of the master's SIGKILL (left: $alive)" "$([ -z "$alive" ] && echo y)" \
    "$(tail -n 5 "$STACK_VAR/log/eligod.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")
want "after: nginx answers 502 (got $code)" "$([ "$code" = 502 ] && echo y)"
want "after: eligod's socket refuses connections" \
    "$(grep -q 'eligod.sock failed (111: Connection refused)' "$STACK_VAR/nginx/logs/error.log" 2>/dev/null && echo y)" \
    "$(tail -n 3 "$STACK_VAR/nginx/logs/error.log" 2>/dev/null)"
children=$alive   # the cleanup kills what is left

finish
