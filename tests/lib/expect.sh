# shellcheck shell=bash
# expect.sh - the checks the integration suites share: count passes and
# failures, send one request and compare its status, content type and
# headers, look for a text in a file.
#
# The counting (ok, not_ok, finish and the closing line) is harness.sh's,
# sourced here.  The caller sets tmp (a scratch directory).
#
#   expect NAME STATUS CURL-ARGS...
#                            sends the request: the status must be STATUS
#                            and, for errors, the type application/problem+json;
#                            the body is left in $tmp/body, the headers in
#                            $tmp/headers
#   contains NAME TEXT FILE  FILE holds TEXT
#   has_header NAME LINE     the last response had the header line LINE
#                            (case-insensitive name, exact value)
#   no_header NAME FIELD     the last response had no FIELD header
#   check NAME JQ-FILTER [FILE]
#                            the filter is true of FILE ($check_file, else
#                            $tmp/body)
#   status NAME STATUS CMD...
#                            CMD exits STATUS (its stdout in $tmp/out,
#                            its stderr in $tmp/err)
#   answered NAME STATUS [TEXT...]
#                            the request the suite sent itself (its status in
#                            $code, its body in $tmp/body) got STATUS, and the
#                            body holds every TEXT
#
# SPDX-License-Identifier: Apache-2.0

# shellcheck source=tests/lib/harness.sh
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
expect() {
    local name=$1 want=$2 out code ctype
    shift 2
    out=$(curl -s -m 10 -D "$tmp/headers" -o "$tmp/body" -w '%{http_code} %{content_type}' "$@")
    code=${out%% *}
    ctype=${out#* }
    if [ "$code" != "$want" ]; then
        not_ok "$name: status $code, wanted $want" "$(cat "$tmp/body")"
        return 1
    fi
    if [ "$want" -ge 400 ] && [ "${ctype%%;*}" != application/problem+json ]; then
        not_ok "$name: content type $ctype, wanted application/problem+json" "$(cat "$tmp/body")"
        return 1
    fi
    ok "$name"
}
contains() {   # NAME TEXT FILE
    if grep -qF -- "$2" "$3"; then ok "$1"; else not_ok "$1: no \`$2\`" "$(cat "$3")"; fi
}
_header_lines() { tr -d '\r' <"$tmp/headers"; }
has_header() {   # NAME "Field: value"
    local field=${2%%:*} value=${2#*: }
    if _header_lines | grep -i "^$field:" | sed 's/^[^:]*: *//' | grep -qxF -- "$value"; then ok "$1"
    else not_ok "$1: no \`$2\`" "$(_header_lines)"; fi
}
no_header() {   # NAME FIELD
    if _header_lines | grep -qi "^$2:"; then not_ok "$1: has $2" "$(_header_lines)"; else ok "$1"; fi
}
answered() {   # NAME WANT-CODE [TEXT...]
    local name=$1 want=$2 t
    shift 2
    if [ "$code" != "$want" ]; then not_ok "$name: status $code, wanted $want" "$(cat "$tmp/body")"; return 1; fi
    for t in "$@"; do
        grep -qF -- "$t" "$tmp/body" || { not_ok "$name: no \`$t\`" "$(cat "$tmp/body")"; return 1; }
    done
    ok
}
status() {   # NAME WANT CMD...
    local name=$1 want=$2 rc
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" = "$want" ]; then ok "$name (exit $want)"; else not_ok "$name: exit $rc, wanted $want" "$(cat "$tmp/out" "$tmp/err")"; fi
}
check() {   # NAME JQ-FILTER [FILE]
    local file=${3:-${check_file:-$tmp/body}}
    if jq -e "$2" "$file" >/dev/null 2>&1; then ok "$1"
    else not_ok "$1" "$(jq -c "$2" "$file" 2>&1 | head -c 300)"; fi
}
