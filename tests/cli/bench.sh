#!/usr/bin/env bash
# bench.sh - `eligo bench` on the shipped tianjin.dibao with one household
# (tests/requests/dibao-family.json) at 2019-01-01, where it is decided
# without error.  --cpu prints exactly one line, "eval cpu: X ns per
# decision (N decisions, 1 inputs, 0 errors)", X a positive number and N
# a positive count; without it, the four lines eval:, json:, parse: and
# write:, each with a positive rate.  No timing bar: the figures are the
# machine's.
#
# Then the benchmark and tool scripts' arguments (scripts/lib/usage.sh):
# bench/run --no-such-option exits 2 with "bench/run: unknown argument:
# --no-such-option" and its usage line on stderr, nothing on stdout;
# bench/run --help exits 0 with its header on stdout; the same for the
# other scripts of bench/ and scripts/, each refusing a first argument
# it does not take.  They run from a copy of bench/ and scripts/ in a
# scratch directory, under a 20 s timeout: should a script ignore the
# argument again, the work it starts finds no source tree and stops,
# rather than building or rewriting docs/performance.md here.
# The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
ELIGO=${ELIGO:-$top/eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
harness_tmp clibench
unset ELIGO_DB
export ELIGO_POLICIES=$top/policies
family=$top/tests/requests/dibao-family.json

# positive NAME VALUE: VALUE is a number greater than 0
positive() {
    if awk -v v="$2" 'BEGIN { exit !(v ~ /^[0-9]+(\.[0-9]+)?$/ && v + 0 > 0) }'; then
        ok "$1"
    else
        not_ok "$1" "got '$2'"
    fi
}

# ---- --cpu: the evaluator alone, by this thread's CPU clock
status "bench --cpu" 0 "$ELIGO" bench tianjin.dibao --input "$family" --as-of 2019-01-01 --seconds 0.2 --cpu
same "--cpu prints one line" 1 "$(wc -l <"$tmp/out")"
line=$(head -n 1 "$tmp/out")
shape='^eval cpu: ([0-9]+\.[0-9]) ns per decision \(([0-9]+) decisions, 1 inputs, 0 errors\)$'
if [[ $line =~ $shape ]]; then
    ok "--cpu line shape"
    positive "--cpu: ns per decision is positive" "${BASH_REMATCH[1]}"
    positive "--cpu: decisions counted" "${BASH_REMATCH[2]}"
else
    not_ok "--cpu line shape" "got '$line'"
fi
same "--cpu writes nothing to stderr" "" "$(cat "$tmp/err")"

# ---- the wall-clock figures, as before
status "bench" 0 "$ELIGO" bench tianjin.dibao --input "$family" --as-of 2019-01-01 --seconds 0.2
same "four lines: eval, json, parse, write" "eval: json: parse: write:" "$(awk '{print $1}' "$tmp/out" | paste -sd ' ')"
positive "eval: decisions/s" "$(awk '$1 == "eval:" {print $2}' "$tmp/out")"
positive "json: decisions/s" "$(awk '$1 == "json:" {print $2}' "$tmp/out")"
positive "parse: per second" "$(awk '$1 == "parse:" {sub("/s", "", $2); print $2}' "$tmp/out")"
positive "write: per second" "$(awk '$1 == "write:" {sub("/s", "", $2); print $2}' "$tmp/out")"

# ---- the help names the option and its clock
status "bench --help" 0 "$ELIGO" bench --help
contains "--help lists --cpu" "--cpu" "$tmp/out"
contains "--help says it is CPU time" "CPU time per decision" "$tmp/out"
contains "--help says --cpu leaves the JSON path out" "not the JSON path" "$tmp/out"

# ---- scripts refuse what they do not take, before doing anything
# (bench/ is not in the release tarball: there this part is skipped)
script_arguments() {
    mkdir -p "$tmp/copy"
    cp -R "$top/bench" "$top/scripts" "$tmp/copy/"
    status "bench/run --no-such-option" 2 timeout 20 "$tmp/copy/bench/run" --no-such-option
    same "bench/run: the unknown argument and the usage on stderr" \
        "bench/run: unknown argument: --no-such-option|usage: bench/run [--quick | --http | --cpu | --scaling]" \
        "$(paste -sd '|' "$tmp/err")"
    same "bench/run: nothing on stdout" "" "$(cat "$tmp/out")"
    status "bench/run --quick extra" 2 timeout 20 "$tmp/copy/bench/run" --quick extra
    contains "bench/run: too many arguments" "too many arguments: --quick extra" "$tmp/err"
    for h in --help -h; do
        status "bench/run $h" 0 timeout 20 "$tmp/copy/bench/run" "$h"
        same "bench/run $h: the header's first line" \
            "bench/run [--quick | --http | --cpu | --scaling] - eligo's benchmarks, each against a baseline" \
            "$(head -n 1 "$tmp/out")"
    done
    # SCRIPT BAD-ARGUMENT WHY
    while read -r script bad why; do
        status "$script $bad" 2 timeout 20 "$tmp/copy/$script" "$bad"
        same "$script $bad: what is wrong" "$script: $why: $bad" "$(head -n 1 "$tmp/err")"
        grep -q "^usage: $script" "$tmp/err" && ok "$script $bad: usage line" || not_ok "$script $bad: no usage line" "$(cat "$tmp/err")"
        status "$script --help" 0 timeout 20 "$tmp/copy/$script" --help
        same "$script --help: the header" "${script##*/}" "$(head -n 1 "$tmp/out" | awk '{print $1}')"
    done <<'EOF'
scripts/check --no-such-option unknown argument
scripts/coverage --no-such-option unknown argument
scripts/quickstart --no-such-option unknown argument
scripts/stack --no-such-option unknown argument
scripts/cluster --no-such-option unknown argument
bench/nginx_count.sh --no-such-option not a whole number
bench/store_bytes.sh 5s not a whole number
bench/json_count.sh --no-such-option unknown option
bench/gen_households.sh -1 not a whole number
bench/gen_policy.sh --no-such-option not a whole number
bench/gen_table.sh ten not a whole number
EOF
}
if [ -f "$top/bench/run" ]; then script_arguments; else skip "the scripts' arguments" "no bench/ here"; fi
finish
