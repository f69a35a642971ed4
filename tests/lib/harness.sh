# shellcheck shell=sh
# harness.sh - what every shell suite under tests/ shares: counting
# passes, failures and skips, the closing line, the rule for a missing
# tool, and (for the suites that need one) a private stack started with
# a trap that stops it.
#
# POSIX sh, so the #!/bin/sh suites (policy, lang, api) source it as the
# bash ones do.  scripts/check and the suites' readers parse the closing
# line "N passed, N failed" (", N skipped" follows when something was
# skipped); keep that format.
#
#   ok [NAME]                a pass ("ok   NAME" printed when NAME is given)
#   not_ok NAME [DETAIL]     a failure, with up to $HARNESS_DETAIL bytes
#                            (1500) of DETAIL indented below it
#   fail TEXT...             a failure named by its words
#   want NAME TEST [DETAIL]  a pass when TEST is not empty, else a failure
#   same NAME WANT GOT       a pass when GOT is WANT
#   skip NAME REASON         a case that cannot run here, counted apart
#   skip_all REASON          the whole suite cannot run here: says why,
#                            prints the closing line and exits 77
#   require TOOL... -- WHY   every TOOL is on PATH (/usr/sbin searched
#                            too), or the whole suite is skipped: it says
#                            which tool and WHY (the Debian package) and
#                            exits 77, as automake expects
#   add_counts FILE STATUS   adds the counts of a C driver whose output
#                            (ending "N passed, N failed") is FILE and
#                            whose exit status was STATUS
#   finish                   prints the closing line and exits: 1 when
#                            anything failed, else 0
#   harness_tmp NAME         makes the scratch directory $tmp, removed on
#                            exit (with the stack, when one was started)
#   harness_stack NAME       sources tests/lib/stack.sh, makes $tmp, sets
#                            STACK_VAR=$tmp/var and a free STACK_PORT and
#                            traps EXIT to stop the stack; the caller sets
#                            STACK_WORKERS, STACK_POLICIES... and then
#                            calls stack_test_up "$tmp"
#   harness_mariadb NAME     sources tests/lib/mariadb.sh, makes $tmp and
#                            starts a private MariaDB in var=$tmp/mariadb
#                            (stopped on exit); its URL in $url
#   at_exit COMMAND          run COMMAND (a function name, with no
#                            arguments) on exit, before the stack stops
#   request_templates DIR    one decision request body per valid case of
#                            tests/requests/cases.txt in DIR/1.json,
#                            DIR/2.json ..., request_id "@RID@" (the load
#                            client puts its own in; faults suites)
#
# The caller sets `top` (the source root) before sourcing, or it is
# found from this file's place when sourced as "$top/tests/lib/harness.sh".
#
# SPDX-License-Identifier: Apache-2.0

# sourced once: expect.sh sources it again for the suites that use both
[ -n "${harness_loaded:-}" ] && return 0
harness_loaded=1
passed=0
failed=0
skipped=0
harness_exit_hooks=
harness_with_stack=

ok() {
    passed=$((passed + 1))
    if [ -n "${1:-}" ]; then echo "ok   $1"; fi
}
not_ok() {
    failed=$((failed + 1))
    echo "FAIL $1"
    if [ -n "${2:-}" ]; then
        printf '%s\n' "$2" | head -c "${HARNESS_DETAIL:-1500}" | sed 's/^/     /'
        echo
    fi
}
fail() { not_ok "$*"; }
want() {
    if [ -n "$2" ]; then ok; else not_ok "$1" "${3:-}"; fi
}
same() {
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$3', wanted '$2'"; fi
}
skip() {
    skipped=$((skipped + 1))
    echo "SKIP $1: $2"
}
add_counts() {
    _h_line=$(tail -n 1 "$1")
    _h_p=$(printf '%s\n' "$_h_line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    _h_f=$(printf '%s\n' "$_h_line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$_h_p" ]; then fail "driver ended without a count (status $2)"; return; fi
    passed=$((passed + _h_p))
    failed=$((failed + _h_f))
    [ "$2" -eq 0 ] || [ "$_h_f" -ne 0 ] || fail "driver exit status $2"
}
finish() {
    if [ "$skipped" -gt 0 ]; then
        echo "$passed passed, $failed failed, $skipped skipped"
    else
        echo "$passed passed, $failed failed"
    fi
    [ "$failed" -eq 0 ] && exit 0
    exit 1
}

# require TOOL... -- WHY: the one rule for a missing tool.
require() {
    _h_missing=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || _h_missing="$_h_missing $1"
        shift
    done
    [ "${1:-}" = -- ] && shift
    [ -z "$_h_missing" ] && return 0
    skip_all "no$_h_missing here${1:+ ($*)}"
}
skip_all() {
    echo "SKIP the whole suite: $1"
    echo "$passed passed, $failed failed, $((skipped + 1)) skipped"
    exit 77
}

at_exit() { harness_exit_hooks="$harness_exit_hooks $1"; }

_harness_cleanup() {
    for _h_hook in $harness_exit_hooks; do "$_h_hook"; done
    if [ -n "$harness_with_stack" ]; then stack_down >/dev/null 2>&1; fi
    if [ -n "${tmp:-}" ] && [ -z "${HARNESS_KEEP:-}" ]; then rm -rf "$tmp"; fi
}

harness_tmp() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/eligo-$1.XXXXXX") || exit 99
    trap _harness_cleanup EXIT
    trap 'exit 1' INT TERM
}

# harness_mariadb NAME: the preamble of the suites that need MariaDB alone.
_harness_mariadb_stop() { mariadb_stop "$var"; }
harness_mariadb() {
    require mariadbd mariadb-install-db -- "Debian packages mariadb-server, mariadb-client"
    # shellcheck source=tests/lib/mariadb.sh
    . "${top:-$top_srcdir}/tests/lib/mariadb.sh"
    harness_tmp "$1"
    var=$tmp/mariadb
    at_exit _harness_mariadb_stop
    if mariadb_start "$var"; then ok; else fail "starting a private MariaDB"; finish; fi
    url=$(mariadb_url "$var")
}

# harness_stack NAME: the preamble of every suite that starts the stack.
harness_stack() {
    require nginx mariadbd curl -- "Debian packages nginx, mariadb-server, curl"
    # shellcheck disable=SC2154  # top: the suite's, set before sourcing
    # shellcheck source=tests/lib/stack.sh
    . "$top/tests/lib/stack.sh"
    harness_tmp "$1"
    harness_with_stack=1
    STACK_VAR=$tmp/var
    STACK_PORT=$(mariadb_free_port) || exit 1
    export STACK_VAR STACK_PORT
}

# request_templates DIR: the bodies the load client sends, one per valid case.
request_templates() {
    mkdir -p "$1" || return 1
    _h_n=0
    while IFS='|' read -r _h_file _h_policy _h_as_of _h_expect; do
        case $_h_file in '#'*|'') continue ;; esac
        case $_h_expect in '!'*) continue ;; esac
        _h_n=$((_h_n + 1))
        printf '{"policy":"%s","as_of":"%s","request_id":"@RID@","input":%s}\n' "$_h_policy" "$_h_as_of" \
            "$(tr -d '\n' <"${top:-$top_srcdir}/tests/requests/$_h_file")" >"$1/$_h_n.json"
    done <"${top:-$top_srcdir}/tests/requests/cases.txt"
}
