#!/usr/bin/env bash
# faults.sh - the Galera cluster under faults: a portal client posts
# decisions through nginx to two eligod hosts on a three-node cluster
# (tests/lib/cluster.sh), retrying every lost answer by its request_id,
# while in turn
#   node-kill   node 1 (host A's) is SIGKILLed and restarted: it must
#               rejoin by IST;
#   partition   node 2 (host B's) is cut from its peers (its cluster link
#               down, its client link up) for 10 s, then healed;
#   host-kill   eligod host A (master and children) is SIGKILLed, then
#               started again;
#   rolling     nodes 1, 2, 3 are stopped and started one at a time,
#               each waited for until Synced.
# After each: on every node, every request_id answered 201/200 is stored
# exactly once with the answered decision id and content (SHA-256 of the
# answered body rebuilt from the row), no row is stored that no answer
# carried, `eligo audit verify` passes, and the checkpoints are 1..k with
# growing tree sizes (one linear chain, whichever host signed them).  At
# the end: each host's checkpoints, the standby notices, and nodes 1 and
# 2 counting causal reads (the hosts' sessions set wsrep_sync_wait).
# Figures per scenario: requests, answered, stored, retried, lost,
# duplicated, and the attempts that met 502/503.
#
# On demand (2 to 3.5 minutes, needs root for the namespaces): not in
# make check; run it as tests/cluster/faults.sh from the tree or with
# ELIGO/ELIGOD set.  CLUSTER_FAULTS_ONLY="partition" runs some of the
# scenarios; CLUSTER_FAULTS_KEEP=1 keeps the scratch directory.  A
# missing tool (ip, socat, mariabackup, mariadbd, nginx) skips it (77,
# tests/lib/harness.sh's require); not being root fails it.  Last line
# "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
only=${CLUSTER_FAULTS_ONLY:-}
conns=${CLUSTER_FAULTS_CONNS:-8}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
require ip socat mariabackup mariadbd nginx -- \
    "Debian packages iproute2, socat, mariadb-backup, mariadb-server, nginx"
harness_tmp cluster
# its own namespaces and networks: scripts/cluster may be up beside it
export CLUSTER_DIR=$tmp/cluster CLUSTER_NS=elgt CLUSTER_NET=10.218 STACK_WORKERS=4
# shellcheck source=tests/lib/cluster.sh
. "$top/tests/lib/cluster.sh"
LOAD=$STACK_LOAD
CLUSTER_HTTP_PORT=$(mariadb_free_port) || exit 1
export CLUSTER_HTTP_PORT
loader=
cleanup() {   # the load client and the cluster; $tmp is the harness's
    [ -n "$loader" ] && kill "$loader" 2>/dev/null
    cluster_down >/dev/null 2>&1
    if [ -n "${CLUSTER_FAULTS_KEEP:-}" ]; then HARNESS_KEEP=1; echo "kept $tmp"; fi
}
at_exit cleanup

runs() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]]; }

# root is no tool to install: a run asked for by hand that cannot start
# is a failure, not a skip
if [ "$(id -u)" -ne 0 ] || [ ! -x "$LOAD" ]; then
    fail "needs root (network namespaces) and the load client ($LOAD: make tests/integration/load_client builds it)"
    finish
fi

# request bodies: the shipped programs' cases (tests/requests/cases.txt)
request_templates "$tmp/templates"

t0=$(date +%s)
if ! cluster_up >"$tmp/up.log" 2>&1; then
    not_ok "cluster up" "$(tail -n 30 "$tmp/up.log")"
    finish
fi
# shellcheck disable=SC1091
. "$CLUSTER_DIR/tokens.env"
export ELIGO_PORTAL_TOKEN
echo "cluster up in $(($(date +%s) - t0)) s: $(cluster_url), hosts A (node 1) and B (node 2)"
pub=$CLUSTER_DIR/keys/checkpoint.key.pub

# start_load NAME SECONDS: the client in the background, answers in $tmp/NAME.*
start_load() {
    scenario=$1
    "$LOAD" -a "127.0.0.1:$CLUSTER_HTTP_PORT" -p "$1" -o "$tmp/$1.out" -c "$conns" -d "$2" -w 0.02 -g 60 \
        "$tmp"/templates/*.json >"$tmp/$1.summary" 2>"$tmp/$1.err" &
    loader=$!
}
finish_load() { wait "$loader"; loader=; }
fig() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$tmp/$scenario.summary" | tail -n 1; }

# Until no decision waits for a checkpoint on node 1 (the sequencer of
# whichever host holds the lease has caught up; at most 30 s).
wait_sequenced() {
    for _ in $(seq 1 150); do
        [ "$(cluster_sql 1 "SELECT COUNT(*) FROM eligo.decisions WHERE seq = 0")" = 0 ] && return 0
        sleep 0.2
    done
    return 1
}

# verify NAME WHAT: the comparison on every node, the figures, the chain.
verify() {
    local name=$1 what=$2 node answered stored unstored unanswered dups rows lost sum vrc
    for node in 1 2 3; do
        cluster_wait_synced "$node" 60 >/dev/null 2>&1
    done
    local states
    states=$(for node in 1 2 3; do cluster_node_state "$node"; done | tr '\n' ' ')
    want "$name: every node Synced ($states)" "$([ "$states" = "Synced Synced Synced " ] && echo y)"
    awk -F'\t' '$2 == 200 || $2 == 201 {print $1 "\t" $4 "\t" $5}' "$tmp/$name.out" | sort >"$tmp/$name.answered"
    answered=$(wc -l <"$tmp/$name.answered")
    want "$name: sequenced within 30 s" "$(wait_sequenced && echo y)"
    for node in 1 2 3; do
        cluster_sql "$node" "SELECT request_id, id,
            SHA2(CONCAT('{\"decision_id\":\"', id, '\",\"request_id\":\"', request_id, '\",', SUBSTRING(response, 2)), 256)
            FROM eligo.decisions WHERE request_id LIKE '$name-%'" | sort >"$tmp/$name.stored$node"
        rows=$(wc -l <"$tmp/$name.stored$node")
        unstored=$(comm -23 "$tmp/$name.answered" "$tmp/$name.stored$node" | wc -l)
        unanswered=$(comm -13 "$tmp/$name.answered" "$tmp/$name.stored$node" | wc -l)
        dups=$(cut -f1 "$tmp/$name.stored$node" | uniq -d | wc -l)
        want "$name: node $node: answered but not stored as answered: $unstored" "$([ "$unstored" = 0 ] && echo y)" \
            "$(comm -23 "$tmp/$name.answered" "$tmp/$name.stored$node" | head -n 3)"
        want "$name: node $node: stored but never answered: $unanswered" "$([ "$unanswered" = 0 ] && echo y)" \
            "$(comm -13 "$tmp/$name.answered" "$tmp/$name.stored$node" | head -n 3)"
        want "$name: node $node: request_ids stored twice: $dups" "$([ "$dups" = 0 ] && echo y)"
        [ "$node" = 1 ] && stored=$rows lost=$unstored sum=$dups
        vrc=0
        ELIGO_DB=$(cat "$CLUSTER_DIR/node$node/url") "$ELIGO" audit verify --public-key "$pub" \
            >"$tmp/$name.verify$node" 2>&1 || vrc=$?
        want "$name: node $node: eligo audit verify passes (exit $vrc)" "$([ $vrc = 0 ] && echo y)" \
            "$(tail -n 5 "$tmp/$name.verify$node")"
        cluster_sql "$node" "SELECT k, tree_size FROM eligo.checkpoints ORDER BY k" >"$tmp/$name.chain$node"
        want "$name: node $node: checkpoints 1..k, tree sizes growing" \
            "$(awk '$1 != NR || $2 <= last {bad = 1} {last = $2} END {if (!bad && NR > 0) print "y"}' "$tmp/$name.chain$node")" \
            "$(head -n 5 "$tmp/$name.chain$node")"
    done
    want "$name: the same checkpoints on every node" \
        "$(cmp -s "$tmp/$name.chain1" "$tmp/$name.chain2" && cmp -s "$tmp/$name.chain1" "$tmp/$name.chain3" && echo y)"
    want "$name: every request_id answered (failed $(fig failed))" "$([ "$(fig failed)" = 0 ] && echo y)" \
        "$(head -n 3 "$tmp/$name.err")"
    printf '%-9s %s: requests %s, answered %s, stored %s, retried %s, lost %s, duplicated %s (attempts that met 502: %s, 503: %s, 504: %s, no answer: %s; p99 %s ms, max %s ms); checkpoints %s\n' \
        "$name" "$what" "$(fig sent)" "$answered" "$stored" "$(fig retried)" "$lost" "$sum" \
        "$(fig s502)" "$(fig s503)" "$(fig s504)" "$(fig conn)" "$(fig p99_ms)" "$(fig max_ms)" \
        "$(wc -l <"$tmp/$name.chain1")"
}

# ---- node 1 SIGKILLed under load, restarted: it rejoins by IST
if runs node-kill; then
    start_load node-kill 14
    sleep 3
    cluster_node_kill9 1
    sleep 4
    lines=$(wc -l <"$CLUSTER_DIR/node1/error.log")
    cluster_node_start 1 >>"$tmp/restart.log" 2>&1
    cluster_wait_synced 1 60 >>"$tmp/restart.log" 2>&1
    finish_load
    # the joiner's log: "IST received: UUID:SEQNO" after an IST; a node
    # that starts without a position asks from 0 ("IST uuid:0000...")
    # and gets a full SST.  (Galera logs "SST received" for both.)
    ist=$(tail -n +"$lines" "$CLUSTER_DIR/node1/error.log" | grep -c 'IST received: ')
    sst=$(tail -n +"$lines" "$CLUSTER_DIR/node1/error.log" | grep -c 'IST uuid:00000000-0000-0000-0000-000000000000')
    want "node-kill: node 1 rejoined by IST (IST lines $ist, SST lines $sst)" "$([ "$ist" -gt 0 ] && [ "$sst" = 0 ] && echo y)" \
        "$(tail -n +"$lines" "$CLUSTER_DIR/node1/error.log" | grep -E 'IST|SST' | head -n 5)"
    verify node-kill "node 1 SIGKILLed for 4 s, rejoined by IST"
fi

# ---- node 2 cut from its peers for 10 s (its eligod still reaches it)
if runs partition; then
    start_load partition 18
    sleep 3
    cluster_partition 2
    sleep 5
    state=$(cluster_node_state 2)
    ready=$(cluster_sql 2 "SHOW STATUS LIKE 'wsrep_ready'" | cut -f2)
    sleep 5
    cluster_heal 2
    cluster_wait_synced 2 60 >>"$tmp/restart.log" 2>&1
    finish_load
    want "partition: node 2 left the primary component (state $state, wsrep_ready $ready)" \
        "$([ "$ready" = OFF ] && echo y)"
    verify partition "node 2 partitioned for 10 s (it said: $state, wsrep_ready $ready), healed"
fi

# ---- eligod host A SIGKILLed (master and children), started again
if runs host-kill; then
    start_load host-kill 14
    sleep 3
    holder=$(cluster_sql 1 "SELECT holder FROM eligo.sequencer_lease")
    cluster_host_kill9 A
    sleep 5
    cluster_host_start A >>"$tmp/restart.log" 2>&1
    finish_load
    verify host-kill "host A SIGKILLed for 5 s (the lease was $holder's)"
    after=$(cluster_sql 1 "SELECT holder FROM eligo.sequencer_lease")
    echo "host-kill: the lease went from $holder to $after"
fi

# ---- a rolling restart of the three nodes under load
if runs rolling; then
    start_load rolling 40
    sleep 2
    t1=$(date +%s)
    for node in 1 2 3; do
        cluster_node_stop "$node"
        cluster_node_start "$node" >>"$tmp/restart.log" 2>&1
        cluster_wait_synced "$node" 60 >>"$tmp/restart.log" 2>&1
    done
    took=$(($(date +%s) - t1))
    finish_load
    verify rolling "nodes 1, 2, 3 restarted one at a time in $took s"
fi

# ---- the sequencers: every host runs one, the lease let one work at a time
signed_a=$(grep -c 'info: checkpoint [0-9]*: ' "$CLUSTER_DIR/hostA/log/eligod.log")
signed_b=$(grep -c 'info: checkpoint [0-9]*: ' "$CLUSTER_DIR/hostB/log/eligod.log")
raced=$(cat "$CLUSTER_DIR"/host?/log/eligod.log | grep -c 'another sequencer wrote the next checkpoint first')
standby=$(cat "$CLUSTER_DIR"/host?/log/eligod.log | grep -c "standing by, another host holds the sequencer's lease")
echo "sequencers: host A signed $signed_a checkpoints, host B $signed_b; lost races $raced; standby notices $standby"
want "a host stood by while another held the lease ($standby notices)" "$([ "$standby" -gt 0 ] && echo y)"

# ---- causal reads: the hosts' sessions read with wsrep_sync_wait (db.c)
causal=$(for node in 1 2; do cluster_sql "$node" "SHOW STATUS LIKE 'wsrep_causal_reads'" | cut -f2; done | tr '\n' ' ')
echo "causal reads counted by nodes 1 and 2 (wsrep_causal_reads): $causal"
read -r causal1 causal2 <<<"$causal"
want "the hosts' reads wait for causality (wsrep_causal_reads $causal)" \
    "$([ "${causal1:-0}" -gt 0 ] && [ "${causal2:-0}" -gt 0 ] && echo y)"

echo "ran $(($(date +%s) - t0)) s"
finish
