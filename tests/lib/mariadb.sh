# shellcheck shell=bash
# mariadb.sh - a private MariaDB server for tests, in a directory of its own.
#
# Sourced by the integration suites (tests/integration/*.sh) and usable by
# scripts/stack.  mariadb_start creates a data directory under DIR (first
# time only), starts mariadbd on 127.0.0.1 at a free port with its socket,
# pid file and error log in DIR, waits until it answers, and creates the
# database and a password user for eligo.  Everything it needs to find the
# server again is kept in DIR (port, pid, url), so another process -- a
# test hook, a second shell -- can kill or restart the same server.
#
# It never touches a system service, /etc/mysql or the default socket:
# every program runs with --no-defaults.  Running as root (CI containers)
# works: mariadbd refuses root unless told --user=root, so it is told.
#
# A Galera node (scripts/cluster) keeps its wsrep options in DIR/args, one
# a line, and the network namespace it runs in in DIR/netns; both are read
# at every start, so a test can restart the node as it was.
# MARIADB_LAUNCH_ARGS adds options to one start (--wsrep-new-cluster).
#
# What it does not do: set up replication itself, TLS, tuning for speed beyond the
# buffer pool (32M, or $MARIADB_BUFFER_POOL: the benchmarks give it room
# for their 100,000 decisions, as a production server would have) and the
# redo log (16M, or $MARIADB_LOG_FILE_SIZE: small for the suites' disk use,
# which many servers at once multiply; the benchmarks give it a production
# size, since a small log makes InnoDB flush pages all the time under load
# and costs MariaDB CPU per commit).  Durability settings are the production ones
# (innodb_flush_log_at_trx_commit=1), since the tests check them.
#
# Functions (DIR is the server's directory; it is created when missing):
#   mariadb_start DIR [DB USER PASSWORD]   start (install on first use); 0 when up
#   mariadb_stop DIR                       TERM by pid, KILL after 20 s
#   mariadb_kill9 DIR                      kill -9 by pid (crash test), waits for exit
#   mariadb_sql DIR SQL                    run SQL as root over the socket
#   mariadb_url DIR                        prints mariadb://user:pass@127.0.0.1:port/db
#
# SPDX-License-Identifier: Apache-2.0

# The server binaries live in sbin on Debian, which is not on every PATH.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac

# Prints a TCP port on 127.0.0.1 that nothing listens on.  Starts from a
# random point so that parallel suites rarely pick the same one; the
# server's own bind is the final check.
mariadb_free_port() {
    local port tries=0
    port=$((20000 + (RANDOM * 7 + $$) % 30000))
    while [ $tries -lt 200 ]; do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
        port=$((port + 1))
        tries=$((tries + 1))
    done
    return 1
}

# Arguments mariadbd and mariadb-install-db need when run as root.
_mariadb_user_args() {
    if [ "$(id -u)" -eq 0 ]; then echo "--user=root"; fi
}

_mariadb_client() {
    local dir=$1
    shift
    mariadb --no-defaults --protocol=socket --socket="$dir/mysql.sock" -uroot "$@"
}

mariadb_sql() {
    _mariadb_client "$1" -N -B -e "$2"
}

mariadb_url() {
    cat "$1/url"
}

# Starts mariadbd in the background; waits up to 30 s for a ping.
_mariadb_launch() {
    local dir=$1 port more=() ns=()
    port=$(cat "$dir/port")
    # a cluster node's own options and network namespace (scripts/cluster)
    local pool=(--innodb-buffer-pool-size="${MARIADB_BUFFER_POOL:-32M}")
    if [ -f "$dir/args" ]; then
        mapfile -t more <"$dir/args"
        # bookworm's wsrep_sst_mariabackup hands this option on to
        # mariadb-backup, which refuses it and fails the SST: a node keeps
        # the server's default (128M)
        pool=()
    fi
    [ -s "$dir/netns" ] && ns=(ip netns exec "$(cat "$dir/netns")")
    # shellcheck disable=SC2046,SC2086  # zero or one word; a list of options
    "${ns[@]}" mariadbd --no-defaults $(_mariadb_user_args) \
        --datadir="$dir/data" --socket="$dir/mysql.sock" --pid-file="$dir/mysqld.pid" \
        --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
        --log-error="$dir/error.log" --tmpdir="$dir/tmp" \
        "${pool[@]}" --innodb-log-file-size="${MARIADB_LOG_FILE_SIZE:-16M}" \
        --innodb-flush-log-at-trx-commit=1 --sync-binlog=1 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        "${more[@]}" ${MARIADB_LAUNCH_ARGS:-} </dev/null >>"$dir/error.log" 2>&1 &
    echo $! >"$dir/pid"
    # not a job of this shell: a kill -9 later is not reported as "Killed"
    disown $! 2>/dev/null
    for _ in $(seq 1 300); do
        if mariadb-admin --no-defaults --protocol=socket --socket="$dir/mysql.sock" -uroot \
            --connect-timeout=1 ping >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
            echo "mariadb: mariadbd exited at start; the end of $dir/error.log:" >&2
            tail -n 15 "$dir/error.log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "mariadb: no answer after 30 s; the end of $dir/error.log:" >&2
    tail -n 15 "$dir/error.log" >&2
    return 1
}

# Creates the data directory.  The bootstrap server gets a temporary
# directory of its own: in the shared /tmp, suites installing at once
# collide on its temporary-table file names ("Error on delete of
# '/tmp/#sql-temptable-...'", about one install in six with six at once).
# A failed install is still tried again from an empty directory, up to 3
# times, with the log's error lines shown.
_mariadb_install() {
    local dir=$1 try
    for try in 1 2 3; do
        rm -rf "$dir/data"
        # shellcheck disable=SC2046  # zero or one word
        mariadb-install-db --no-defaults $(_mariadb_user_args) --datadir="$dir/data" --tmpdir="$dir/tmp" \
            --auth-root-authentication-method=normal --skip-test-db \
            --innodb-log-file-size=16M >"$dir/install.log" 2>&1 && return 0
        echo "mariadb: mariadb-install-db failed (try $try of 3); its errors:" >&2
        grep -iE 'error|fail|abort|denied|cannot|can.t' "$dir/install.log" | head -n 20 >&2
        cp "$dir/install.log" "$dir/install.log.$try"
        sleep 1
    done
    return 1
}

mariadb_start() {
    local dir=$1 db=${2:-eligo} user=${3:-eligo} pass=${4:-eligo-test-pw} port
    for p in mariadbd mariadb-install-db mariadb mariadb-admin; do
        command -v "$p" >/dev/null 2>&1 || {
            echo "mariadb: $p not found (install mariadb-server and mariadb-client)" >&2
            return 1
        }
    done
    mkdir -p "$dir/tmp" || return 1
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
        return 0    # already running
    fi
    if [ ! -d "$dir/data/mysql" ]; then
        _mariadb_install "$dir" || return 1
    fi
    if [ ! -f "$dir/port" ]; then
        port=$(mariadb_free_port) || { echo "mariadb: no free port" >&2; return 1; }
        echo "$port" >"$dir/port"
    fi
    # The free port was free when chosen; another server (or nginx of the
    # same stack) can take it before mariadbd binds.  On a first start,
    # try again on another port; a restart keeps its port (the URL names it).
    local tries=1
    until _mariadb_launch "$dir"; do
        [ ! -f "$dir/url" ] && [ $tries -lt 3 ] || return 1
        tries=$((tries + 1))
        port=$(mariadb_free_port) || return 1
        echo "$port" >"$dir/port"
        echo "mariadb: trying again on port $port" >&2
    done
    if [ ! -f "$dir/url" ]; then
        mariadb_sql "$dir" "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4;
            CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$pass';
            CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$pass';
            GRANT ALL ON \`$db\`.* TO '$user'@'127.0.0.1';
            GRANT ALL ON \`$db\`.* TO '$user'@'localhost';" || return 1
        echo "mariadb://$user:$pass@127.0.0.1:$(cat "$dir/port")/$db" >"$dir/url"
    fi
    return 0
}

# Waits up to $2 tenths of a second for pid $1 to go away.
_mariadb_wait_gone() {
    local pid=$1 n=$2
    for _ in $(seq 1 "$n"); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

mariadb_stop() {
    local dir=$1 pid
    [ -f "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        _mariadb_wait_gone "$pid" 200 || kill -KILL "$pid" 2>/dev/null
        _mariadb_wait_gone "$pid" 50
    fi
    rm -f "$dir/pid"
}

mariadb_kill9() {
    local dir=$1 pid
    [ -f "$dir/pid" ] || return 1
    pid=$(cat "$dir/pid")
    kill -KILL "$pid" 2>/dev/null
    _mariadb_wait_gone "$pid" 100
    rm -f "$dir/pid"
}
