#!/usr/bin/env bash
# bench.sh - what the Galera cluster costs in throughput: POST
# /v1/decisions through nginx with wrk (bench/post.lua), first on the
# single stack (one MariaDB, one eligod; tests/lib/stack.sh), then on the
# cluster (three Galera nodes, two eligod hosts; tests/lib/cluster.sh),
# with the same bodies, connections and duration; the single stack twice,
# with as many eligod workers as one cluster host (4) and as both (8).
# Prints per setup decisions/s, latency percentiles, the rows stored and
# the machine's load average.
#
# Everything runs on this one machine over loopback (the nodes in network
# namespaces, linked by veth pairs and a bridge): no real network latency
# between nodes, and the three nodes, both hosts, nginx and wrk share
# the same cores.  The figures compare setups; they predict no
# production cluster.  Needs root and wrk (without wrk it says so and
# exits 77).  BENCH_SECONDS (10), BENCH_CONNS (16).
# Documented in docs/scale-out.md; no figure is a test.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-16}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
require wrk -- "Debian package wrk"
harness_tmp cbench
export CLUSTER_DIR=$tmp/cluster CLUSTER_NS=elgb CLUSTER_NET=10.219 STACK_WORKERS=4
# shellcheck source=tests/lib/cluster.sh
. "$top/tests/lib/cluster.sh"
cleanup() {   # whichever setup is up; $tmp is the harness's
    STACK_VAR=$tmp/stack4 stack_down >/dev/null 2>&1
    STACK_VAR=$tmp/stack8 stack_down >/dev/null 2>&1
    cluster_down >/dev/null 2>&1
}
at_exit cleanup

# the bodies: every shipped case, no request_id (the server makes one)
while IFS='|' read -r file policy as_of expect; do
    case $file in '#'*|'') continue ;; esac
    case $expect in '!'*) continue ;; esac
    printf '{"policy":"%s","as_of":"%s","input":%s}\n' "$policy" "$as_of" \
        "$(tr -d '\n' <"$top/tests/requests/$file")"
done <"$top/tests/requests/cases.txt" >"$tmp/bodies.jsonl"

# what else the machine was doing: the figures are only comparable at a similar load
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

# run LABEL URL TOKEN: wrk's figures in one line
run() {
    BENCH_TOKEN=$3 BENCH_BODIES=$tmp/bodies.jsonl wrk -t2 -c"$conns" -d"${secs}s" --latency \
        -s "$top/bench/post.lua" "$2/v1/decisions" >"$tmp/$1.wrk" 2>&1
    awk -v l="$1" '
        /Requests\/sec/ {rps = $2}
        /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
        /Non-2xx/ {bad = $NF}
        END {printf "%-8s %s decisions/s, p50 %s, p99 %s, non-2xx %s\n", l, rps, p50, p99, bad + 0}' "$tmp/$1.wrk"
}

# one node with as many workers as one host, then as both hosts together
for w in 4 8; do
    STACK_VAR=$tmp/stack$w STACK_PORT=$(mariadb_free_port) STACK_WORKERS=$w
    export STACK_VAR STACK_PORT STACK_WORKERS
    stack_up >"$tmp/stack.log" 2>&1 || { tail -n 20 "$tmp/stack.log"; exit 1; }
    # shellcheck disable=SC1091
    . "$STACK_VAR/tokens.env"
    run "1x$w" "$(stack_url)" "$ELIGO_PORTAL_TOKEN"
    echo "         one node, one host of $w workers; rows stored: $(mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.decisions"); $(load)"
    stack_down >/dev/null 2>&1
done
export STACK_WORKERS=4

CLUSTER_HTTP_PORT=$(mariadb_free_port)
export CLUSTER_HTTP_PORT
cluster_up >"$tmp/cluster.log" 2>&1 || { tail -n 20 "$tmp/cluster.log"; exit 1; }
# shellcheck disable=SC1091
. "$CLUSTER_DIR/tokens.env"
run cluster "$(cluster_url)" "$ELIGO_PORTAL_TOKEN"
echo "         three nodes, two hosts of 4 workers; rows stored: $(cluster_sql 3 "SELECT COUNT(*) FROM eligo.decisions") (node 3, which no host writes to); $(load)"
echo "         certification failures: $(for n in 1 2 3; do cluster_sql "$n" "SHOW STATUS LIKE 'wsrep_local_cert_failures'" | cut -f2; done | tr '\n' ' ')(nodes 1-3)"
