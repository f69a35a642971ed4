#!/bin/sh
# json_count.sh [BUILD [POLICY [HOUSEHOLDS]]] - instructions a household of
# the in-process JSON path (json_input_parse, ev_run, json_write_decision),
# counted by callgrind, so anyone can reproduce the counts bench/notes.md
# gives.  Builds bench/json_count.c against BUILD's libeligo.a (default
# build/bench, else build/dev; configured and made already), runs it over
# bench/gen_households.sh HOUSEHOLDS 1 (1000) with POLICY
# (tianjin.dibao) twice and with no pass, and prints the difference over
# twice the households: loading the policies and the households cancels
# out.  The callgrind files stay in BUILD/json_count.{2,0}.out for
# callgrind_annotate (functions' inclusive counts over 2 x HOUSEHOLDS).
#
# SPDX-License-Identifier: Apache-2.0
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/usage.sh
. "$top/scripts/lib/usage.sh"
case ${1:-} in
-h | --help) usage_help "$0"; exit 0 ;;
-*) usage_error "bench/json_count.sh [BUILD [POLICY [HOUSEHOLDS]]]" "unknown option: $1" ;;
esac
build=${1:-}
if [ -z "$build" ]; then
    build=$top/build/bench
    [ -f "$build/libeligo.a" ] || build=$top/build/dev
fi
policy=${2:-tianjin.dibao}
n=${3:-1000}
[ -f "$build/libeligo.a" ] || { echo "json_count.sh: no $build/libeligo.a (configure and make first)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "json_count.sh: valgrind is not installed" >&2; exit 1; }
cc=$(sed -n 's/^CC = //p' "$build/Makefile")
cflags=$(sed -n 's/^CFLAGS = //p' "$build/Makefile")
# shellcheck disable=SC2086  # CC and CFLAGS are word lists
${cc:-cc} -std=gnu11 $cflags -I"$top/src" -I"$build" -I"$build/grammar" -o "$build/json_count" \
    "$top/bench/json_count.c" "$build/libeligo.a" -lcrypto -lmariadb -lm
"$top/bench/gen_households.sh" "$n" 1 >"$build/json_count.jsonl"
for passes in 2 0; do
    valgrind -q --tool=callgrind --callgrind-out-file="$build/json_count.$passes.out" \
        "$build/json_count" "$top/policies" "$policy" "$build/json_count.jsonl" "$passes" >/dev/null
done
total() { sed -n 's/^summary: //p' "$1"; }
awk -v a="$(total "$build/json_count.2.out")" -v b="$(total "$build/json_count.0.out")" -v n="$n" -v p="$policy" \
    'BEGIN { printf "%s: %.0f instructions a household (%d households, 2 passes minus none)\n", p, (a - b) / (2 * n), n }'
