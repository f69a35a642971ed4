#!/usr/bin/env bash
# two_hosts.sh - two eligod hosts on one database, each with its
# sequencer: the lease of db/004_sequencer_lease.sql lets one of them
# sign, the other stands by, and the chain stays one.  The same thing as
# on a Galera cluster (docs/scale-out.md; tests/cluster/faults.sh runs it
# there, on demand), here on the single MariaDB of tests/lib/stack.sh so
# that make check covers it.
#
#   1. Host 1 (stack_up) and host 2 (stack_eligod_up on the same database,
#      the same key, its own socket) both run a sequencer.  After 10
#      decisions: the lease names one of them, "HOSTNAME/MASTER-PID"; the
#      other logged that it stands by; every decision is under a
#      checkpoint; `eligo audit verify` passes.
#   2. The holder's master is SIGKILLed: its sequencer child logs that
#      the master is gone and stops (then the rest of that host is
#      killed).  10 more decisions, which nginx (in front of both hosts)
#      sends to the other: within the lease (10 s) and a round, the lease
#      names the other host, which logs that it holds it, signs the new
#      decisions on the same chain (checkpoints 1..k, tree sizes growing),
#      and verify passes.
#
# About 20 s.  Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack twohosts
export STACK_WORKERS=2
host2=$tmp/var2
# nginx in front of both hosts, as on a cluster: a request goes to the
# other host when one's socket is gone
export STACK_UPSTREAM="unix:$STACK_VAR/run/eligod.sock unix:$host2/run/eligod.sock"
stopped=
# host 2 and what is left of the stopped host; the stack is the harness's.
# Host 2 is stopped as stack_down stops host 1, waiting for it to leave:
# its command line names host 1's key, so stack_down's look for leftovers
# (2 s) found a sanitizer build of it still stopping, once in CI.
cleanup() {
    _stack_stop "$host2/run/eligod.pid" TERM 400
    [ -n "$stopped" ] && kill -KILL -- "-$stopped" 2>/dev/null
}
at_exit cleanup

sql() { mariadb_sql "$STACK_VAR/mariadb" "USE eligo; $1"; }

stack_test_up "$tmp"
url=$(mariadb_url "$STACK_VAR/mariadb")
STACK_VAR=$host2 STACK_KEY_DIR=$tmp/var/keys STACK_LISTEN=unix:$host2/run/eligod.sock \
    stack_eligod_up "$url" >"$tmp/host2.up" 2>&1
want "host 2 started on the same database" "$(_stack_alive "$host2/run/eligod.pid" && echo y)" "$(cat "$tmp/host2.up")"
pid1=$(cat "$STACK_VAR/run/eligod.pid") pid2=$(cat "$host2/run/eligod.pid")
log1=$STACK_VAR/log/eligod.log log2=$host2/log/eligod.log
me=$(hostname)

# post N PREFIX: N decisions through nginx
post() {
    local i code bad=0
    for i in $(seq 1 "$1"); do
        code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
            -H 'Content-Type: application/json' \
            -d "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"$2-$i\",\"input\":$(tr -d '\n' <"$top/tests/requests/dibao-family.json")}" \
            "$U/v1/decisions")
        [ "$code" = 201 ] || bad=$((bad + 1))
    done
    echo "$bad"
}
# sequenced_within SECONDS N: until N decisions are stored, none without a seq
sequenced_within() {
    local i
    for i in $(seq 1 $(($1 * 10))); do
        [ "$(sql "SELECT COUNT(*), COUNT(seq_key) FROM decisions")" = "$2	$2" ] && return 0
        sleep 0.1
    done
    return 1
}
chain_linear() {
    sql "SELECT k, tree_size FROM checkpoints ORDER BY k" |
        awk '$1 != NR || $2 <= last {bad = 1} {last = $2} END {if (!bad && NR > 0) print "y"}'
}
cli_verify() {
    ELIGO_DB=$url "$ELIGO" audit verify --public-key "$STACK_VAR/keys/checkpoint.key.pub" >"$tmp/verify" 2>&1 && echo y
}

# ---- 1. both hosts up: one holds the lease, the other stands by
want "10 decisions answered 201 (failures: $(post 10 a))" "$([ "$(sql "SELECT COUNT(*) FROM decisions")" = 10 ] && echo y)"
want "all 10 under a checkpoint within 5 s" "$(sequenced_within 5 10 && echo y)" "$(sql "SELECT COUNT(*), COUNT(seq_key) FROM decisions")"
holder=$(sql "SELECT holder FROM sequencer_lease")
case $holder in
"$me/$pid1") first=1 other=2 flog=$log1 olog=$log2 ;;
"$me/$pid2") first=2 other=1 flog=$log2 olog=$log1 ;;
*) first= ;;
esac
want "the lease names host 1 or host 2 ($holder; hosts $me/$pid1, $me/$pid2)" "$([ -n "$first" ] && echo y)"
if [ -n "$first" ]; then
    want "host $other logged that it stands by" "$(grep -q "standing by, another host holds the sequencer's lease" "$olog" && echo y)" \
        "$(grep checkpoints "$olog" | tail -n 3)"
    want "host $first logged that it holds the lease" "$(grep -q "this host ($holder) holds the sequencer's lease" "$flog" && echo y)"
    want "host $other signed no checkpoint" "$(grep -q 'info: checkpoint [0-9]*: ' "$olog" || echo y)"
fi
want "checkpoints 1..k, tree sizes growing" "$(chain_linear)" "$(sql "SELECT k, tree_size FROM checkpoints")"
want "eligo audit verify passes" "$(cli_verify)" "$(tail -n 5 "$tmp/verify")"

# ---- 2. the holder stops: the other host takes the lease when it expires
if [ "$first" = 1 ]; then stopped=$pid1 survivor=$pid2 slog=$log2; else stopped=$pid2 survivor=$pid1 slog=$log1; fi
# SIGKILL of the master alone: its sequencer child must notice and stop,
# or it would go on renewing the lease in the dead master's name
kill -KILL "$stopped"
if [ "$first" = 1 ]; then stopped_log=$log1; else stopped_log=$log2; fi
for _ in $(seq 1 50); do grep -q "the master (pid $stopped) is gone; the sequencer stops" "$stopped_log" && break; sleep 0.1; done
want "the holder's sequencer stopped within 5 s of its master's SIGKILL" \
    "$(grep -q "the master (pid $stopped) is gone; the sequencer stops" "$stopped_log" && echo y)" "$(tail -n 5 "$stopped_log")"
# the rest of that host (workers, committer) goes too: the whole group
kill -KILL -- "-$stopped" 2>/dev/null
want "10 more decisions answered through the surviving host (failures: $(post 10 b))" \
    "$([ "$(sql "SELECT COUNT(*) FROM decisions")" = 20 ] && echo y)"
for _ in $(seq 1 150); do
    [ "$(sql "SELECT holder FROM sequencer_lease")" = "$me/$survivor" ] && break
    sleep 0.1
done
want "within 15 s the lease names the surviving host ($me/$survivor)" \
    "$([ "$(sql "SELECT holder FROM sequencer_lease")" = "$me/$survivor" ] && echo y)" \
    "$(sql "SELECT holder, expires_at FROM sequencer_lease")"
want "all 20 under a checkpoint within 5 s more" "$(sequenced_within 5 20 && echo y)" \
    "$(sql "SELECT COUNT(*), COUNT(seq_key) FROM decisions")"
want "the survivor logged that it holds the lease" "$(grep -q "this host ($me/$survivor) holds the sequencer's lease" "$slog" && echo y)"
want "the survivor signed the new decisions" "$(grep -q 'info: checkpoint [0-9]*: ' "$slog" && echo y)"
want "checkpoints still 1..k, tree sizes growing" "$(chain_linear)" "$(sql "SELECT k, tree_size FROM checkpoints")"
want "eligo audit verify passes after the handover" "$(cli_verify)" "$(tail -n 5 "$tmp/verify")"

finish
