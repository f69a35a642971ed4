#!/bin/sh
# cite.sh - every citation of every shipped policy is load-bearing.
#
# On a copy of policies/, one change at a time:
#  - a value's or a row's citation (`source "DOC" "quote"` or
#    `assumption "why"` ending the line) removed: `eligo check` must fail
#    with "FILE:LINE:COL: error: ... cites no source";
#  - the first character of a quotation replaced by 某: `eligo check` must
#    fail with "FILE:LINE:COL: error: the quotation is not in", a caret
#    line, and a note with the nearest passage ("the document says: …");
#  - every policy-level `source` line of a policy removed: "cites no
#    document".
# Each copy is restored before the next change.  Last, `eligo check
# --assumptions` lists one line per assumption of the library.
#
# Environment: ELIGO (the binary), top_srcdir (the source root).
# Last line: "N passed, N failed"; exit 1 when anything failed.
#
# SPDX-License-Identifier: Apache-2.0

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
ELIGO=${ELIGO:-$top_srcdir/eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
cd "$top_srcdir" || exit 99
# shellcheck source=tests/lib/harness.sh
. "$top_srcdir/tests/lib/harness.sh"
harness_tmp cite
# sed must see the quotations as characters, not bytes
LC_ALL=C.UTF-8
export LC_ALL

cp -r policies "$tmp/policies" && chmod -R u+w "$tmp/policies" || exit 99
if "$ELIGO" check "$tmp/policies" >"$tmp/out" 2>&1; then ok; else fail "the unchanged copy"; cat "$tmp/out"; fi

# expect FILE LINE WHAT PATTERN...: check fails, the first diagnostic is at
# FILE:LINE, and every PATTERN (grep -F) is in the output.
expect() {
    f=$1 line=$2 what=$3
    shift 3
    if "$ELIGO" check "$tmp/policies" >"$tmp/out" 2>&1; then
        fail "$f:$line: $what: eligo check passed"
        return
    fi
    first=$(grep -m 1 ': error: ' "$tmp/out")
    case $first in
    "$tmp/policies/$f:$line:"[0-9]*": error: "*) ;;
    *) fail "$f:$line: $what: first error is: $first"; return ;;
    esac
    for p in "$@"; do
        grep -qF -- "$p" "$tmp/out" || { fail "$f:$line: $what: no '$p' in:"; cat "$tmp/out"; return; }
    done
    ok
}

for path in policies/*/*.policy; do
    f=${path#policies/}
    work=$tmp/policies/$f
    # values and rows: the citation ends the line
    # shellcheck disable=SC2013  # line numbers, one a word; a pipe would lose the counts
    for line in $(grep -nE ' (source "[^"]*" "[^"]*"|assumption "[^"]*")$' "$path" | grep -v '^[0-9]*:source ' | cut -d: -f1); do
        sed -E "${line}s/ (source \"[^\"]*\" \"[^\"]*\"|assumption \"[^\"]*\")\$//" "$path" >"$work"
        expect "$f" "$line" "citation removed" "cites no source" "^~"
        if sed -n "${line}p" "$path" | grep -q ' source "'; then
            sed -E "${line}s/( source \"[^\"]*\" \")./\\1某/" "$path" >"$work"
            expect "$f" "$line" "quotation altered" "the quotation is not in" "^~" "the document says: …"
        fi
    done
    # the policy's own sources: each quotation altered, then all removed
    # shellcheck disable=SC2013  # line numbers, as above
    for line in $(grep -n '^source "' "$path" | cut -d: -f1); do
        sed -E "${line}s/^(source \"[^\"]*\" \")./\\1某/" "$path" >"$work"
        expect "$f" "$line" "policy quotation altered" "the quotation is not in" "^~" "the document says: …"
    done
    pline=$(grep -n '^policy ' "$path" | cut -d: -f1)
    grep -v '^source "' "$path" >"$work"
    expect "$f" "$pline" "policy sources removed" "cites no document"
    cp "$path" "$work"
done

# `eligo check --assumptions` lists what is assumed, file:line first
"$ELIGO" check --assumptions policies >"$tmp/assumed" 2>&1
if grep -qxF 'policies/wuyi/eco_burial.policy:32: table award_for row 3: 种子只对草坪葬和海葬规定奖励,其他安葬方式不奖励' "$tmp/assumed" &&
   [ "$(wc -l <"$tmp/assumed")" -eq "$(grep -c ' assumption "' policies/*/*.policy | awk -F: '{ n += $2 } END { print n }')" ]; then ok
else fail "eligo check --assumptions policies"; cat "$tmp/assumed"; fi

finish
