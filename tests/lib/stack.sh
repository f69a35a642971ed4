# shellcheck shell=bash
# stack.sh - the local stack: a private MariaDB, eligod and nginx, all
# under one directory, started and stopped by pid.
#
# Used by scripts/stack (VAR = var/, port 8080) and by the integration
# suites (a temporary VAR and a free port), so both run the same thing.
# Nothing here touches a system service: MariaDB comes from mariadb.sh,
# nginx runs as the current user with -p VAR/nginx, eligod is started in
# the background with its pid file in VAR/run.
#
# Settings (environment, read by stack_up):
#   STACK_VAR       the directory (required)
#   STACK_PORT      nginx's port on 127.0.0.1 (8080)
#   STACK_WORKERS   eligod workers (4)
#   STACK_POLICIES  the policy folder eligod serves (policies/ of the tree)
#   STACK_EXTRA     more eligod options (e.g. --max-requests 100)
#   STACK_LISTEN    eligod's address (unix:VAR/run/eligod.sock; HOST:PORT)
#   STACK_UPSTREAM  nginx's upstream servers, HOST:PORT ... (eligod's socket)
#   STACK_KEY_DIR   where the checkpoint signing key is (VAR/keys)
#   STACK_THREADS   eligod's --threads when STACK_EXTRA sets it (8), for
#                   nginx's keepalive
#   STACK_KEEPALIVE nginx's kept upstream connections (a quarter of workers x
#                   threads)
#   STACK_CHECKPOINTS  1 (default): tamper evidence on.  The checkpoint
#                   signing key is VAR/keys/checkpoint.key (mode 0600 in a
#                   0700 directory, made by `eligo audit keygen` on the first
#                   start, never in MariaDB, never printed), its public key
#                   VAR/keys/checkpoint.key.pub; eligod runs its sequencer
#                   with it and appends every checkpoint to VAR/log/checkpoints.
#                   0: no key, no sequencer.
#   ELIGO, ELIGOD   the binaries (default: the tree's, built when missing)
#
# Functions:
#   stack_up        start what is not running; 0 when /healthz answers
#   stack_nginx_up  start nginx alone, in front of VAR/run/eligod.sock
#                   (or of $STACK_UPSTREAM)
#   stack_eligod_up URL    start eligod alone on the database at URL
#   stack_tokens URL       one token per role in VAR/tokens.env
#   stack_down      stop nginx, eligod, MariaDB (by pid)
#   stack_status    one line per component
#   stack_url       http://127.0.0.1:PORT
#   stack_helper_pid NAME  the pid of eligod's helper child NAME
#                   (eligod-commit: the committer, eligod-seq: the sequencer)
#   stack_worker_pids      eligod's workers (its other children)
#
# Sanitizers (a sanitizer build is tested as it runs): eligod runs with ASAN_OPTIONS and
# UBSAN_OPTIONS adding log_path=VAR/asan/eligod (one report file per
# process: the master and every worker) and halt_on_error=1; in a build
# without sanitizers they are ignored.  stack_down fails when a report
# file is not empty, and prints them; a suite that has an EXIT trap when
# stack_up starts eligod also ends with a failure then, after its trap ran.
# So it does when a process whose command line names VAR is still there
# 2 s after the stop (an orphaned worker or helper): stack_down names it,
# kills it and fails.
#
# SPDX-License-Identifier: Apache-2.0

stack_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/mariadb.sh
. "$stack_top/tests/lib/mariadb.sh"
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
# A suite run by make check is given eligo ($ELIGO): eligod is beside it,
# and so is the load client built for the suites (STACK_LOAD, or
# $LOAD_CLIENT).
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; export ELIGO ELIGOD; fi
# shellcheck disable=SC2034  # read by the suites that source this file
STACK_LOAD=${LOAD_CLIENT:-$(dirname "${ELIGO:-$stack_top/eligo}")/tests/integration/load_client}

stack_url() { echo "http://127.0.0.1:${STACK_PORT:-8080}"; }

_stack_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

_stack_children() {
    [ -f "$STACK_VAR/run/eligod.pid" ] && ps -o pid=,comm= --ppid "$(cat "$STACK_VAR/run/eligod.pid")" 2>/dev/null
}
stack_helper_pid() { _stack_children | awk -v n="$1" '$2 == n {print $1}'; }
stack_worker_pids() { _stack_children | awk '$2 != "eligod-commit" && $2 != "eligod-seq" {print $1}'; }

# The checkpoint signing key, made once: a 0700 directory, a 0600 file;
# keygen's output (the public line) goes nowhere, the key never leaves VAR.
_stack_key() {
    local dir=${1:-$STACK_VAR/keys}
    [ -s "$dir/checkpoint.key" ] && return 0
    mkdir -p "$dir" && chmod 700 "$dir" || return 1
    "$ELIGO" audit keygen --out "$dir/checkpoint.key" --name "${STACK_KEY_NAME:-eligo.local/decisions}" \
        >/dev/null 2>>"$STACK_VAR/log/keygen.log" || {
        echo "stack: eligo audit keygen failed; see $STACK_VAR/log/keygen.log" >&2
        return 1
    }
}

# The sanitizer options for eligod: the caller's, plus one report file
# per process under VAR/asan, and a stop at the first report.
_stack_san_options() {
    echo "${1:+$1:}log_path=$STACK_VAR/asan/eligod:halt_on_error=1"
}

# Prints eligod's non-empty sanitizer reports; 1 when there is one.  The
# text is kept in _stack_san_found for the suite's verdict (a suite's
# cleanup sends stack_down's output to /dev/null).
_stack_san_reports() {
    local f found=
    for f in "$STACK_VAR"/asan/eligod.*; do
        [ -s "$f" ] || continue
        found+="sanitizer report $(basename "$f"):"$'\n'"$(head -n 40 "$f")"$'\n'
    done
    [ -z "$found" ] && return 0
    _stack_san_found+=$found
    printf '%s' "$found" >&2
    return 1
}

# Run after the suite's own EXIT trap: a report, or a process stack_down
# found left running, fails the suite even when every check passed (its
# closing line is already written).
_stack_san_verdict() {
    if [ -n "${_stack_san_found:-}" ]; then
        printf '%s' "$_stack_san_found"
        echo "FAIL stack_down: eligod sanitizer reports or processes left running (above)"
        exit 1
    fi
    exit "${_stack_san_rc:-0}"
}

# Appends the verdict to the caller's EXIT trap, once; a caller without
# one (scripts/stack) is left alone.
_stack_san_guard() {
    local cur words
    cur=$(trap -p EXIT)
    case $cur in ''|*_stack_san_verdict*) return 0 ;; esac
    eval "words=($cur)"     # trap -- 'COMMAND' EXIT
    # shellcheck disable=SC2064  # the command is expanded now, on purpose
    trap "_stack_san_rc=\$?; ${words[2]}"$'\n''_stack_san_verdict' EXIT
}

# Finds (or builds, in the tree, as scripts/quickstart does) eligo and eligod.
_stack_binaries() {
    if [ -n "${ELIGO:-}" ] && [ -n "${ELIGOD:-}" ] && [ -x "$ELIGO" ] && [ -x "$ELIGOD" ]; then
        return 0
    fi
    if [ ! -x "$stack_top/eligod" ] || [ ! -x "$stack_top/eligo" ]; then
        echo "stack: building eligo and eligod in the source tree"
        ( cd "$stack_top" &&
          { [ -x configure ] || autoreconf -fi; } &&
          { [ -f config.status ] || ./configure; } &&
          make -j"$(nproc 2>/dev/null || echo 2)" ) >"$STACK_VAR/build.log" 2>&1 || {
            echo "stack: build failed; see $STACK_VAR/build.log" >&2
            tail -n 20 "$STACK_VAR/build.log" >&2
            return 1
        }
    fi
    ELIGO=${ELIGO:-$stack_top/eligo}
    ELIGOD=${ELIGOD:-$stack_top/eligod}
    export ELIGO ELIGOD
}

# The upstream's server lines: the template's unix socket, or one line
# per HOST:PORT of $STACK_UPSTREAM (several eligod hosts, scripts/cluster).
_stack_upstreams() {
    local a lines=
    if [ -z "${STACK_UPSTREAM:-}" ]; then cat; return; fi
    for a in $STACK_UPSTREAM; do lines+="        server $a;\\n"; done
    sed -e "s|^ *server unix:.*;\$|${lines%\\n}|"
}

# Renders nginx/eligo.conf into VAR/nginx/nginx.conf.
_stack_nginx_conf() {
    local prefix=$STACK_VAR/nginx workers=${STACK_WORKERS:-4} keepalive user=""
    # nginx's idle cache (1 process x keepalive): a quarter of eligod's
    # threads (workers x STACK_THREADS, eligod's --threads: 8), as shipped
    keepalive=${STACK_KEEPALIVE:-$((workers * ${STACK_THREADS:-8} / 4))}
    [ "$keepalive" -ge 1 ] || keepalive=1
    if [ "$(id -u)" -eq 0 ]; then
        # as root nginx's workers would drop to nobody and lose the 0660 socket
        user="user $(id -un) $(id -gn);"
    fi
    mkdir -p "$prefix/logs" "$prefix/tmp" "$prefix/conf"
    cp "$stack_top/nginx/eligo_fastcgi.conf" "$stack_top/nginx/eligo_problems.conf" \
        "$stack_top/nginx/eligo_maps.conf" "$prefix/conf/"
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|${STACK_PORT:-8080}|g" \
        -e "s|@SOCKET@|$STACK_VAR/run/eligod.sock|g" -e "s|@KEEPALIVE@|$keepalive|g" \
        -e "s|@WORKERS@|$workers|g" -e "s|@NGINX_WORKERS@|1|g" -e "s|@USER@|$user|g" \
        -e "s|@CONF_DIR@|$prefix/conf|g" -e "s|@WEBDIR@|$stack_top/web|g" \
        "$stack_top/nginx/eligo.conf" | _stack_upstreams >"$prefix/nginx.conf"
}

# Starts nginx alone (when not running) in front of whatever listens on
# VAR/run/eligod.sock: stack_up's eligod, or bench/run's baseline server.
stack_nginx_up() {
    _stack_alive "$STACK_VAR/nginx/nginx.pid" && return 0
    local tries=1
    _stack_nginx_conf
    # A test's port was free when chosen, but another suite may bind it
    # first: a test (STACK_PORT given, not the default 8080) moves on to
    # another free port, at most twice; callers read stack_url afterwards.
    until nginx -p "$STACK_VAR/nginx" -e "$STACK_VAR/nginx/logs/error.log" \
        -c "$STACK_VAR/nginx/nginx.conf" 2>>"$STACK_VAR/nginx/logs/start.log"; do
        if [ "${STACK_PORT:-8080}" = 8080 ] || [ $tries -ge 3 ] ||
            ! grep -q 'Address already in use' "$STACK_VAR/nginx/logs/start.log"; then
            cat "$STACK_VAR/nginx/logs/start.log" >&2
            echo "stack: nginx did not start (port ${STACK_PORT:-8080} taken?); see $STACK_VAR/nginx/logs/error.log" >&2
            return 1
        fi
        tries=$((tries + 1))
        # the failed start's [emerg] lines are not this nginx's: kept
        # aside, so a suite that reads error.log for alerts sees its own
        mv "$STACK_VAR/nginx/logs/error.log" "$STACK_VAR/nginx/logs/error.log.port-$STACK_PORT-taken"
        STACK_PORT=$(mariadb_free_port) || return 1
        export STACK_PORT
        _stack_nginx_conf
    done
}

_stack_wait_health() {
    for _ in $(seq 1 100); do
        if curl -fsS -m 2 "$(stack_url)/healthz" 2>/dev/null | grep -q '"database":"up"'; then
            return 0
        fi
        sleep 0.1
    done
    echo "stack: /healthz did not report the database up within 10 s" >&2
    return 1
}

# Starts eligod (when not running) on the database at URL $1, listening
# on $STACK_LISTEN (unix:VAR/run/eligod.sock, or HOST:PORT), with its pid
# file and log under VAR; waits until it listens.  The signing key is
# $STACK_KEY_DIR/checkpoint.key (VAR/keys when unset): the hosts of one
# cluster share one.
stack_eligod_up() {
    local url=$1 listen=${STACK_LISTEN:-unix:$STACK_VAR/run/eligod.sock} keys=${STACK_KEY_DIR:-$STACK_VAR/keys}
    mkdir -p "$STACK_VAR/run" "$STACK_VAR/log" || return 1
    _stack_alive "$STACK_VAR/run/eligod.pid" && return 0
    local cp_opts=()
    if [ "${STACK_CHECKPOINTS:-1}" = 1 ]; then
        _stack_key "$keys" || return 1
        cp_opts=(--checkpoint-key "$keys/checkpoint.key" --checkpoint-file "$STACK_VAR/log/checkpoints")
    fi
    mkdir -p "$STACK_VAR/asan" && rm -f "$STACK_VAR"/asan/eligod.*
    _stack_san_guard
    # shellcheck disable=SC2086  # STACK_EXTRA is a list of options
    ASAN_OPTIONS=$(_stack_san_options "${ASAN_OPTIONS:-}") \
    UBSAN_OPTIONS=$(_stack_san_options "${UBSAN_OPTIONS:-}") \
    ELIGO_DB=$url setsid "$ELIGOD" --policies "${STACK_POLICIES:-$stack_top/policies}" \
        --listen "$listen" --workers "${STACK_WORKERS:-4}" \
        --pid "$STACK_VAR/run/eligod.pid" "${cp_opts[@]}" ${STACK_EXTRA:-} \
        </dev/null >>"$STACK_VAR/log/eligod.log" 2>&1 &
    disown $! 2>/dev/null
    for _ in $(seq 1 100); do
        _stack_alive "$STACK_VAR/run/eligod.pid" && _stack_listening "$listen" && break
        sleep 0.1
    done
    _stack_alive "$STACK_VAR/run/eligod.pid" || {
        echo "stack: eligod did not start; the end of $STACK_VAR/log/eligod.log:" >&2
        tail -n 20 "$STACK_VAR/log/eligod.log" >&2
        return 1
    }
}

# Is something listening at eligod's address $1 (unix:/path or HOST:PORT)?
_stack_listening() {
    case $1 in
    unix:*) [ -S "${1#unix:}" ] ;;
    *) (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null ;;
    esac
}

# One token per role in VAR/tokens.env (mode 0600), made once, on the
# database at URL $1.
stack_tokens() {
    local url=$1
    [ -s "$STACK_VAR/tokens.env" ] && return 0
    local role tok tmp=$STACK_VAR/tokens.env.tmp
    : >"$tmp"
    chmod 600 "$tmp"
    for role in portal officer auditor admin; do
        tok=$(ELIGO_DB=$url "$ELIGO" token add --role "$role" --name "stack-$role" 2>>"$STACK_VAR/log/tokens.log") || {
            echo "stack: eligo token add --role $role failed; see $STACK_VAR/log/tokens.log" >&2
            return 1
        }
        echo "ELIGO_$(echo "$role" | tr '[:lower:]' '[:upper:]')_TOKEN=$tok" >>"$tmp"
    done
    mv "$tmp" "$STACK_VAR/tokens.env"
}

stack_up() {
    : "${STACK_VAR:?STACK_VAR must be set}"
    mkdir -p "$STACK_VAR/run" "$STACK_VAR/log" || return 1
    _stack_binaries || return 1
    mariadb_start "$STACK_VAR/mariadb" || return 1
    local url
    url=$(mariadb_url "$STACK_VAR/mariadb")
    ( cd "$stack_top" && ELIGO_DB=$url "$ELIGO" db migrate --dir "$stack_top/db" ) \
        >>"$STACK_VAR/log/migrate.log" 2>&1 || {
        echo "stack: eligo db migrate failed; see $STACK_VAR/log/migrate.log" >&2
        tail -n 5 "$STACK_VAR/log/migrate.log" >&2
        return 1
    }

    stack_eligod_up "$url" || return 1
    stack_nginx_up || return 1

    stack_tokens "$url" || return 1
    _stack_wait_health
}

# _stack_stop PIDFILE SIGNAL TENTHS: the process of PIDFILE, if alive, gets
# SIGNAL and TENTHS tenths of a second to leave, then KILL.
_stack_stop() {
    local pid
    _stack_alive "$1" || return 0
    pid=$(cat "$1")
    kill "-$2" "$pid" 2>/dev/null
    for _ in $(seq 1 "$3"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    return 0
}

# The processes other than this shell whose command line names a path
# in STACK_VAR (an argument that is VAR or begins with VAR/), as
# "PID COMMAND LINE" lines: what stack_down leaves must be none.
_stack_leftovers() {
    local pid args
    while read -r pid args; do
        [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
        case " $args " in *" $STACK_VAR "* | *" $STACK_VAR/"* | *"=$STACK_VAR/"*) echo "$pid $args" ;; esac
    done < <(ps -e -ww -o pid=,args=)
}

# After the stop: a process still naming VAR 2 s on (one that is just
# exiting has gone by then) is one the stop missed, an orphaned worker or
# helper.  It is named on stderr and in the suite's verdict, then killed;
# 1 when there was one.
_stack_no_leftovers() {
    local left
    for _ in $(seq 1 20); do
        left=$(_stack_leftovers)
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    _stack_san_found+="stack_down: processes of $STACK_VAR left running, killed:"$'\n'"$left"$'\n'
    printf 'stack_down: processes of %s left running, killed:\n%s\n' "$STACK_VAR" "$left" >&2
    local left_pids
    read -r -a left_pids < <(echo "$left" | awk '{print $1}' | tr '\n' ' ')
    kill -KILL "${left_pids[@]}" 2>/dev/null
    return 1
}

stack_down() {
    : "${STACK_VAR:?STACK_VAR must be set}"
    _stack_stop "$STACK_VAR/nginx/nginx.pid" QUIT 100    # graceful: open requests finish
    # TERM: the workers get 1 s, then the master waits up to --stop-timeout
    # (15 s) each for the committer and the sequencer; a master killed
    # before that leaves them orphaned (a sanitizer build under load has
    # taken over 20 s)
    _stack_stop "$STACK_VAR/run/eligod.pid" TERM 400
    rm -f "$STACK_VAR/run/eligod.pid"
    mariadb_stop "$STACK_VAR/mariadb"
    local rc=$?
    _stack_san_reports || rc=1
    _stack_no_leftovers || rc=1
    return $rc
}

stack_status() {
    : "${STACK_VAR:?STACK_VAR must be set}"
    local rc=0
    if [ -f "$STACK_VAR/mariadb/pid" ] && kill -0 "$(cat "$STACK_VAR/mariadb/pid")" 2>/dev/null; then
        echo "mariadb  running, pid $(cat "$STACK_VAR/mariadb/pid"), $(mariadb_url "$STACK_VAR/mariadb" | sed 's|//[^@]*@|//…@|')"
    else
        echo "mariadb  stopped"; rc=1
    fi
    if _stack_alive "$STACK_VAR/run/eligod.pid"; then
        echo "eligod   running, pid $(cat "$STACK_VAR/run/eligod.pid"), socket $STACK_VAR/run/eligod.sock"
    else
        echo "eligod   stopped"; rc=1
    fi
    if _stack_alive "$STACK_VAR/nginx/nginx.pid"; then
        echo "nginx    running, pid $(cat "$STACK_VAR/nginx/nginx.pid"), $(stack_url)"
    else
        echo "nginx    stopped"; rc=1
    fi
    return $rc
}

# For test suites: brings the stack up or ends the suite as failed (its
# closing line and the logs that say why), then reads the tokens and sets
# U to the base URL.  $1 is a scratch directory for the start-up log.
stack_test_up() {
    if ! stack_up >"$1/up.log" 2>&1; then
        not_ok "stack up" "$(cat "$1/up.log"; tail -n 20 "$STACK_VAR/log/eligod.log" 2>/dev/null)"
        finish
    fi
    # shellcheck disable=SC1091
    . "$STACK_VAR/tokens.env"
    # shellcheck disable=SC2034  # the suite's base URL
    U=$(stack_url)
}
