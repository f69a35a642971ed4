# shellcheck shell=bash
# cluster.sh - three MariaDB Galera nodes, two eligod hosts and one nginx,
# all under one directory, started and stopped by pid.
#
# Used by scripts/cluster (DIR = var/cluster) and tests/cluster/faults.sh
# (a temporary DIR), so both run the same thing.  It builds on
# mariadb.sh (each node is a mariadb.sh directory with its wsrep options
# in DIR/nodeN/args) and stack.sh (each eligod host is a stack.sh VAR,
# DIR/hostA and DIR/hostB; nginx is DIR's, with both hosts upstream).
#
# The network: every node runs in a network namespace of its own
# (elgc-nN; CLUSTER_NS sets the prefix) with two links, which is how a
# production cluster is wired:
#   - the cluster network, a bridge (elgc-br) joining the nodes'
#     10.217.1.N: group communication (gcomm), IST and SST only;
#   - a client link to the root namespace, 10.217.1N.1 (here) to
#     10.217.1N.2 (the node), which its eligod host connects to.
# A partition (cluster_partition N) takes node N's port off the bridge
# (the link goes down): N loses its peers but not its eligod host, which
# then meets what an application meets on a real partition, a node that
# answers "WSREP has not yet prepared node for application use" (1047).
# Namespaces need root; without them the cluster does not start.
#
# Ports: each node's client, gcomm, IST and SST ports are distinct (chosen
# free on the first start, kept in DIR/ports.env), so the same settings
# would work on one address.  SST is by mariabackup, streamed with socat
# and authenticated as the node's root over its socket (rsync's daemon
# drops to nobody as root and cannot write a 0700 data directory); every
# node has
# innodb_flush_log_at_trx_commit=1 (mariadb.sh) and the Galera settings
# listed in cluster_node_args.
#
# Functions (CLUSTER_DIR must be set):
#   cluster_up             start what is not running; 0 when all answer
#   cluster_down           stop nginx, the hosts, the nodes, the network
#   cluster_status         one line per component; 1 when one is not well
#   cluster_node_start N   start (or rejoin) node N
#   cluster_node_kill9 N   SIGKILL node N
#   cluster_node_stop N    stop node N cleanly
#   cluster_node_state N   wsrep_local_state_comment of N ("down" if none)
#   cluster_wait_synced N [SECONDS]  until N says Synced in a 3-node view
#   cluster_partition N / cluster_heal N
#   cluster_host_start X / cluster_host_kill9 X   eligod host A or B
#   cluster_sql N SQL      SQL as root on node N (its socket)
#   cluster_url            nginx's base URL
#
# SPDX-License-Identifier: Apache-2.0

cluster_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/stack.sh
. "$cluster_top/tests/lib/stack.sh"

# the namespaces' and links' prefix, and the networks' first two octets:
# the fault test uses its own, so it can run beside scripts/cluster
CLUSTER_NS=${CLUSTER_NS:-elgc}
CLUSTER_NET=${CLUSTER_NET:-10.217}
CLUSTER_DB_PASSWORD=${CLUSTER_DB_PASSWORD:-eligo-cluster-pw}
# host A uses node 1, host B node 2; node 3 serves no host
_cluster_host_node() { case $1 in A) echo 1 ;; B) echo 2 ;; esac; }

_cluster_node_dir() { echo "$CLUSTER_DIR/node$1"; }
cluster_sql() { mariadb_sql "$(_cluster_node_dir "$1")" "$2"; }
cluster_url() { STACK_PORT=$CLUSTER_HTTP_PORT stack_url; }

# Ports, chosen once and all together (so no two are the same):
# CLUSTER_HTTP_PORT, hosts' FastCGI ports, and per node the client (DB),
# gcomm (G), IST (I) and SST (S) ports.
_cluster_ports() {
    local f=$CLUSTER_DIR/ports.env n v
    if [ ! -s "$f" ]; then
        : >"$f.new"
        for v in HTTP_PORT FCGI_A FCGI_B DB1 DB2 DB3 G1 G2 G3 I1 I2 I3 S1 S2 S3; do
            n=$(mariadb_free_port) || return 1
            [ "$v" = HTTP_PORT ] && n=${CLUSTER_HTTP_PORT:-$n}
            # never the same port twice (the next check would pass it again)
            while grep -q "=$n\$" "$f.new"; do n=$((n + 1)); done
            echo "CLUSTER_$v=$n" >>"$f.new"
        done
        mv "$f.new" "$f"
    fi
    # shellcheck disable=SC1090
    . "$f"
}

# ---- the network ----------------------------------------------------

_cluster_net_up() {
    local n
    ip link show "${CLUSTER_NS}-br" >/dev/null 2>&1 || {
        ip link add "${CLUSTER_NS}-br" type bridge && ip link set "${CLUSTER_NS}-br" up
    } || { echo "cluster: cannot create the bridge ${CLUSTER_NS}-br (root and iproute2 needed)" >&2; return 1; }
    for n in 1 2 3; do
        ip netns list | grep -qw "${CLUSTER_NS}-n$n" && continue
        ip netns add "${CLUSTER_NS}-n$n" || return 1
        ip -n "${CLUSTER_NS}-n$n" link set lo up
        ip link add "${CLUSTER_NS}$n-g" type veth peer name g0 netns "${CLUSTER_NS}-n$n" || return 1
        ip link set "${CLUSTER_NS}$n-g" master "${CLUSTER_NS}-br" up
        ip -n "${CLUSTER_NS}-n$n" addr add "$CLUSTER_NET.1.$n/24" dev g0
        ip -n "${CLUSTER_NS}-n$n" link set g0 up
        ip link add "${CLUSTER_NS}$n-c" type veth peer name c0 netns "${CLUSTER_NS}-n$n" || return 1
        ip addr add "$CLUSTER_NET.1$n.1/24" dev "${CLUSTER_NS}$n-c"
        ip link set "${CLUSTER_NS}$n-c" up
        ip -n "${CLUSTER_NS}-n$n" addr add "$CLUSTER_NET.1$n.2/24" dev c0
        ip -n "${CLUSTER_NS}-n$n" link set c0 up
    done
}

_cluster_net_down() {
    local n
    for n in 1 2 3; do
        ip link del "${CLUSTER_NS}$n-g" 2>/dev/null
        ip link del "${CLUSTER_NS}$n-c" 2>/dev/null
        ip netns del "${CLUSTER_NS}-n$n" 2>/dev/null
    done
    ip link del "${CLUSTER_NS}-br" 2>/dev/null
    return 0
}

cluster_partition() { ip link set "${CLUSTER_NS}$1-g" down; }
cluster_heal() { ip link set "${CLUSTER_NS}$1-g" up; }

# ---- the nodes ------------------------------------------------------

# The wsrep options of node N, one a line (mariadb.sh reads DIR/args).
# Why each: binlog_format=ROW and innodb_autoinc_lock_mode=2 are what
# Galera replicates safely; evs timeouts shortened so a partitioned node
# is declared gone in about 3 s (defaults 5 s and 15 s); gcache of 128M
# so a node away for a minute under this load rejoins by IST, not SST.
cluster_node_args() {
    local n=$1 addrs=
    for m in 1 2 3; do addrs+="${addrs:+,}$CLUSTER_NET.1.$m:$(eval echo "\$CLUSTER_G$m")"; done
    cat <<EOF
--bind-address=0.0.0.0
--wsrep-on=ON
--wsrep-provider=/usr/lib/galera/libgalera_smm.so
--wsrep-cluster-name=eligo
--wsrep-cluster-address=gcomm://$addrs
--wsrep-node-name=node$n
--wsrep-node-address=$CLUSTER_NET.1.$n
--wsrep-provider-options=gmcast.listen_addr=tcp://$CLUSTER_NET.1.$n:$(eval echo "\$CLUSTER_G$n");ist.recv_addr=$CLUSTER_NET.1.$n:$(eval echo "\$CLUSTER_I$n");evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;gcache.size=128M
--wsrep-sst-method=mariabackup
--wsrep-sst-auth=root:
--wsrep-sst-receive-address=$CLUSTER_NET.1.$n:$(eval echo "\$CLUSTER_S$n")
--binlog-format=ROW
--innodb-autoinc-lock-mode=2
--wsrep-slave-threads=2
EOF
}

cluster_node_state() {
    local v
    v=$(cluster_sql "$1" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)
    echo "${v:-down}"
}

_cluster_node_size() {
    cluster_sql "$1" "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | cut -f2
}

cluster_wait_synced() {
    local n=$1 secs=${2:-60}
    for _ in $(seq 1 $((secs * 5))); do
        [ "$(cluster_node_state "$n")" = Synced ] && [ "$(_cluster_node_size "$n")" = 3 ] && return 0
        sleep 0.2
    done
    echo "cluster: node $n not Synced in a cluster of 3 after $secs s (state $(cluster_node_state "$n"))" >&2
    return 1
}

_cluster_any_running() {
    local n
    for n in 1 2 3; do
        [ -f "$(_cluster_node_dir "$n")/pid" ] && kill -0 "$(cat "$(_cluster_node_dir "$n")/pid")" 2>/dev/null && return 0
    done
    return 1
}

# Which node may bootstrap a new cluster: the one whose grastate.dat says
# safe_to_bootstrap: 1 (the last to leave), node 1 on a first start.
_cluster_bootstrap_node() {
    local n
    for n in 1 2 3; do
        grep -q '^safe_to_bootstrap: *1' "$(_cluster_node_dir "$n")/data/grastate.dat" 2>/dev/null && { echo "$n"; return; }
    done
    echo 1
}

# After a crash grastate.dat says seqno -1: the node does not know how far
# it got and would ask for a full SST.  As mysqld_safe does, run the
# server once with --wsrep-recover (InnoDB recovery, then it prints the
# last committed position and exits) and start from that position, so
# that the node rejoins by IST when the donor's gcache still has the
# write sets it missed.  Prints --wsrep-start-position=UUID:SEQNO, or
# nothing when there is nothing to recover.
_cluster_node_recover() {
    local dir=$1 n=$2 pos more=()
    grep -q '^seqno: *-1' "$dir/data/grastate.dat" 2>/dev/null || return 0
    mapfile -t more <"$dir/args"
    : >"$dir/recover.log"
    # shellcheck disable=SC2046  # zero or one word
    ip netns exec "${CLUSTER_NS}-n$n" mariadbd --no-defaults $(_mariadb_user_args) \
        --datadir="$dir/data" --socket="$dir/recover.sock" --skip-networking --tmpdir="$dir/tmp" \
        --innodb-log-file-size=16M --log-error="$dir/recover.log" "${more[@]}" --wsrep-recover \
        </dev/null >/dev/null 2>&1
    pos=$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:[0-9-]*\).*/\1/p' "$dir/recover.log" | tail -n 1)
    [ -n "$pos" ] && echo "--wsrep-start-position=$pos"
}

cluster_node_start() {
    local n=$1 dir boot=
    dir=$(_cluster_node_dir "$n")
    mkdir -p "$dir"
    cluster_node_args "$n" >"$dir/args"
    [ -f "$dir/port" ] || eval echo "\$CLUSTER_DB$n" >"$dir/port"
    echo "${CLUSTER_NS}-n$n" >"$dir/netns"
    _cluster_any_running || boot=--wsrep-new-cluster
    boot="$boot $(_cluster_node_recover "$dir" "$n")"
    # the first start of a joiner: its data comes by SST, its user with it
    [[ $boot != *new-cluster* ]] && [ ! -f "$dir/url" ] && echo "joiner" >"$dir/url"
    MARIADB_LAUNCH_ARGS=$boot mariadb_start "$dir" eligo eligo "$CLUSTER_DB_PASSWORD" || return 1
    if [[ $boot == *new-cluster* ]] && ! cluster_sql "$n" "SELECT 1 FROM mysql.user WHERE user='eligo' AND host='$CLUSTER_NET.%'" | grep -q 1; then
        cluster_sql "$n" "CREATE USER IF NOT EXISTS 'eligo'@'$CLUSTER_NET.%' IDENTIFIED BY '$CLUSTER_DB_PASSWORD';
            GRANT ALL ON eligo.* TO 'eligo'@'$CLUSTER_NET.%';" || return 1
    fi
    echo "mariadb://eligo:$CLUSTER_DB_PASSWORD@$CLUSTER_NET.1$n.2:$(cat "$dir/port")/eligo" >"$dir/url"
}

cluster_node_kill9() { mariadb_kill9 "$(_cluster_node_dir "$1")"; }
cluster_node_stop() { mariadb_stop "$(_cluster_node_dir "$1")"; }

# ---- the eligod hosts and nginx ---------------------------------------

# Runs "$@" with stack.sh's settings for host X (A or B).
_cluster_as_host() {
    local x=$1
    shift
    STACK_VAR=$CLUSTER_DIR/host$x STACK_KEY_DIR=$CLUSTER_DIR/keys \
        STACK_LISTEN=127.0.0.1:$(eval echo "\$CLUSTER_FCGI_$x") "$@"
}

cluster_host_start() {
    local url
    url=$(cat "$(_cluster_node_dir "$(_cluster_host_node "$1")")/url")
    _cluster_as_host "$1" stack_eligod_up "$url"
}

cluster_host_kill9() {
    local pidf=$CLUSTER_DIR/host$1/run/eligod.pid
    _stack_alive "$pidf" || return 0
    # the master and its children (workers, committer, sequencer) at once,
    # as when the machine dies: stack.sh starts eligod with setsid, so its
    # process group is its pid.  (Children first, then the master, would
    # let the master fork new ones in between, which outlive it.)
    local pid
    pid=$(cat "$pidf")
    kill -KILL -- "-$pid" 2>/dev/null
    rm -f "$pidf"
}

_cluster_host_stop() {
    STACK_VAR=$CLUSTER_DIR/host$1
    if _stack_alive "$STACK_VAR/run/eligod.pid"; then
        local pid
        pid=$(cat "$STACK_VAR/run/eligod.pid")
        kill -TERM "$pid"
        for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$STACK_VAR/run/eligod.pid"
    _stack_san_reports
}

_cluster_nginx() {
    STACK_VAR=$CLUSTER_DIR STACK_PORT=$CLUSTER_HTTP_PORT \
        STACK_UPSTREAM="127.0.0.1:$CLUSTER_FCGI_A 127.0.0.1:$CLUSTER_FCGI_B" "$@"
}

# ---- the whole ------------------------------------------------------

cluster_up() {
    : "${CLUSTER_DIR:?CLUSTER_DIR must be set}"
    mkdir -p "$CLUSTER_DIR/log" || return 1
    STACK_VAR=$CLUSTER_DIR _stack_binaries || return 1
    _cluster_ports || return 1
    _cluster_net_up || return 1
    local n first
    first=$(_cluster_bootstrap_node)
    cluster_node_start "$first" || return 1
    for n in 1 2 3; do
        [ "$n" = "$first" ] || cluster_node_start "$n" || return 1
    done
    for n in 1 2 3; do cluster_wait_synced "$n" 120 || return 1; done
    local url
    url=$(cat "$(_cluster_node_dir 1)/url")
    ( cd "$cluster_top" && ELIGO_DB=$url "$ELIGO" db migrate --dir "$cluster_top/db" ) \
        >>"$CLUSTER_DIR/log/migrate.log" 2>&1 || {
        echo "cluster: eligo db migrate failed; see $CLUSTER_DIR/log/migrate.log" >&2
        return 1
    }
    STACK_VAR=$CLUSTER_DIR stack_tokens "$url" || return 1
    cluster_host_start A || return 1
    cluster_host_start B || return 1
    _cluster_nginx stack_nginx_up || return 1
    # stack_nginx_up moves to another port when this one was taken meanwhile
    local port
    port=$(sed -n 's/^ *listen 127\.0\.0\.1:\([0-9]*\);.*/\1/p' "$CLUSTER_DIR/nginx/nginx.conf" | head -n 1)
    if [ -n "$port" ] && [ "$port" != "$CLUSTER_HTTP_PORT" ]; then
        CLUSTER_HTTP_PORT=$port
        sed -i "s/^CLUSTER_HTTP_PORT=.*/CLUSTER_HTTP_PORT=$port/" "$CLUSTER_DIR/ports.env"
    fi
    cluster_wait_hosts
}

# Until both hosts report the database up on /healthz: two answers in a
# row through nginx, whose round robin sends them to the two hosts.
cluster_wait_hosts() {
    local up
    for _ in $(seq 1 100); do
        up=0
        curl -fsS -m 2 "$(cluster_url)/healthz" 2>/dev/null | grep -q '"database":"up"' && up=$((up + 1))
        curl -fsS -m 2 "$(cluster_url)/healthz" 2>/dev/null | grep -q '"database":"up"' && up=$((up + 1))
        [ $up = 2 ] && return 0
        sleep 0.1
    done
    echo "cluster: /healthz did not report the database up on both hosts within 10 s" >&2
    return 1
}

cluster_down() {
    : "${CLUSTER_DIR:?CLUSTER_DIR must be set}"
    [ -s "$CLUSTER_DIR/ports.env" ] && _cluster_ports
    local rc=0 n pid
    if _stack_alive "$CLUSTER_DIR/nginx/nginx.pid"; then
        pid=$(cat "$CLUSTER_DIR/nginx/nginx.pid")
        kill -QUIT "$pid"
        for n in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    ( _cluster_host_stop A ) || rc=1
    ( _cluster_host_stop B ) || rc=1
    # one at a time: the last to leave is the one safe to bootstrap from
    for n in 3 2 1; do cluster_node_stop "$n"; done
    _cluster_net_down
    return $rc
}

cluster_status() {
    : "${CLUSTER_DIR:?CLUSTER_DIR must be set}"
    [ -s "$CLUSTER_DIR/ports.env" ] || { echo "cluster: never started"; return 1; }
    _cluster_ports
    local rc=0 n x state size st
    for n in 1 2 3; do
        state=$(cluster_node_state "$n")
        size=$(_cluster_node_size "$n")
        echo "node$n    $state, cluster size ${size:-?}, client $CLUSTER_NET.1$n.2:$(cat "$(_cluster_node_dir "$n")/port" 2>/dev/null), gcomm $CLUSTER_NET.1.$n:$(eval echo "\$CLUSTER_G$n"), IST :$(eval echo "\$CLUSTER_I$n"), SST :$(eval echo "\$CLUSTER_S$n")"
        [ "$state" = Synced ] || rc=1
    done
    for x in A B; do
        if _stack_alive "$CLUSTER_DIR/host$x/run/eligod.pid"; then
            echo "host$x    eligod pid $(cat "$CLUSTER_DIR/host$x/run/eligod.pid"), 127.0.0.1:$(eval echo "\$CLUSTER_FCGI_$x") -> node$(_cluster_host_node $x)"
        else
            echo "host$x    stopped"; rc=1
        fi
    done
    if _stack_alive "$CLUSTER_DIR/nginx/nginx.pid"; then
        st=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$(cluster_url)/healthz")
        echo "nginx    pid $(cat "$CLUSTER_DIR/nginx/nginx.pid"), $(cluster_url), /healthz $st"
        [ "$st" = 200 ] || rc=1
    else
        echo "nginx    stopped"; rc=1
    fi
    return $rc
}
