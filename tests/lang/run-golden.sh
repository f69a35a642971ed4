#!/bin/sh
# run-golden.sh - the golden diagnostics suite.
#
# For every tests/lang/errors/*.policy, *.test and *.model, runs
# `$ELIGO check FILE` from the source root (so messages name the file as
# tests/lang/errors/x.policy), and requires exit status 1 and output
# (stdout and stderr together) equal to FILE.expected, byte for byte.
# A folder tests/lang/errors/NAME.dir is checked as a whole, the way a
# policy folder is loaded (its own models), against NAME.dir.expected.
# For every tests/lang/ok/*.policy, requires exit status 0 and no output.
#
# Environment:
#   ELIGO                 the eligo binary (default: $top_srcdir/eligo)
#   top_srcdir            the source root (default: two levels above here)
#   ELIGO_POLICIES        the models a file is checked against (default:
#                         policies/ of the source root, as `make check`
#                         sets it; without it a hand run finds no model
#                         and fails nearly every file)
#   ELIGO_UPDATE_GOLDEN=1 rewrite the .expected files from the actual
#                         output instead of comparing (review the diff!)
#
# Prints one line per failure with a unified diff, and last
# "N passed, N failed"; exits 1 when anything failed.
#
# SPDX-License-Identifier: Apache-2.0

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
ELIGO=${ELIGO:-$top_srcdir/eligo}

case $ELIGO in
/*) ;;
*) ELIGO=$(pwd)/$ELIGO ;;
esac
if [ ! -x "$ELIGO" ]; then
    echo "run-golden.sh: no eligo binary at $ELIGO (set ELIGO)" >&2
    exit 99
fi
cd "$top_srcdir" || exit 99
ELIGO_POLICIES=${ELIGO_POLICIES:-policies/}
export ELIGO_POLICIES
# shellcheck source=tests/lib/harness.sh
. "$top_srcdir/tests/lib/harness.sh"
harness_tmp golden

for f in tests/lang/errors/*.policy tests/lang/errors/*.test tests/lang/errors/*.model tests/lang/errors/*.dir; do
    [ -e "$f" ] || continue
    "$ELIGO" check "$f" >"$tmp/out" 2>&1
    status=$?
    if [ "${ELIGO_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$tmp/out" "$f.expected"
    fi
    if [ ! -f "$f.expected" ]; then
        fail "$f: no $f.expected (run with ELIGO_UPDATE_GOLDEN=1 to create it)"
        continue
    fi
    if [ "$status" -ne 1 ]; then
        fail "$f: exit status $status, expected 1"
        cat "$tmp/out"
        continue
    fi
    if ! cmp -s "$f.expected" "$tmp/out"; then
        fail "$f: diagnostics differ"
        diff -u "$f.expected" "$tmp/out" | sed "s|$tmp/out|actual|"
        continue
    fi
    ok
done

for f in tests/lang/ok/*.policy; do
    [ -f "$f" ] || continue
    "$ELIGO" check "$f" >"$tmp/out" 2>&1
    status=$?
    if [ "$status" -ne 0 ]; then
        fail "$f: exit status $status, expected 0"
        cat "$tmp/out"
    elif [ -s "$tmp/out" ]; then
        fail "$f: expected no output"
        cat "$tmp/out"
    else
        ok
    fi
done

finish
