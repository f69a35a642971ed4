#!/usr/bin/env bash
# run.sh - build the libFuzzer targets, fuzz each for a while, replay the
# findings kept in tests/fuzz/regressions.
#
#   tests/fuzz/run.sh [--seconds N] [--build-only] [harness...]
#
# Harnesses: fuzz_compile (policy text -> compiled policy), fuzz_request
# (request JSON -> decision JSON), fuzz_values (the decimal and date
# parsers, with oracles).  Default: all three, 20 s each.
#
# The project's sources are compiled here with clang, ASan, UBSan and the
# fuzzer's coverage instrumentation into build/fuzz/ (not the gcc-built
# libeligo.a); the grammar is generated there with bison and flex.  Each
# harness runs with these limits:
# -max_len=65536 -timeout=2 (FUZZ_TIMEOUT) -rss_limit_mb=512, halting on the first
# report.  Its corpus, build/fuzz/corpus/<harness>, is seeded from the
# shipped policies (fuzz_compile), the integration requests (fuzz_request)
# and tests/fuzz/seeds/<harness>, and kept between runs.  A crash, leak,
# timeout or OOM is written to build/fuzz/findings/<harness>/ and fails
# the run; build/fuzz/logs/<harness>.log has the report.
#
# Then every file in tests/fuzz/regressions/<harness>/ is replayed once.
# A file listed in that folder's KNOWN file is a finding whose bug is not
# fixed yet: it is replayed and reported, but its crash does not fail the
# run (and it says so when it stops crashing).
#
# One case per harness run and one per regression file; the last line is
# "N passed, N failed" (scripts/check adds it to its total).  The exit
# status is non-zero when anything failed.
#
# Environment: CC (default clang), FUZZ_JOBS (parallel compiles),
# FUZZ_TIMEOUT (seconds one input may take, default 2: raise it for a long
# run at low priority on a busy machine, where a starved process would
# otherwise report inputs that take 0.1 s alone as timeouts).
#
# SPDX-License-Identifier: Apache-2.0
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

seconds=20
build_only=0
all="fuzz_compile fuzz_request fuzz_values"
harnesses=""
while [ $# -gt 0 ]; do
    case $1 in
    --seconds) seconds=${2:-}; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --build-only) build_only=1; shift ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    fuzz_*) harnesses="$harnesses $1"; shift ;;
    *) echo "run.sh: unknown argument $1 (harnesses: $all)" >&2; exit 2 ;;
    esac
done
# (libFuzzer reads -max_total_time=0 as "no limit": refuse it)
case $seconds in
''|*[!0-9]*|0) echo "run.sh: --seconds takes a whole number > 0" >&2; exit 2 ;;
esac
harnesses=${harnesses:-$all}
for h in $harnesses; do
    [ -f "tests/fuzz/$h.c" ] || { echo "run.sh: no harness $h (harnesses: $all)" >&2; exit 2; }
done

CC=${CC:-clang}
out=build/fuzz
gen=$out/gen
obj=$out/obj
logs=$out/logs
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
timeout=${FUZZ_TIMEOUT:-2}
passed=0
failed=0
known=0

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS_FUZZ="-std=gnu11 -g -O1 $SAN -fsanitize=fuzzer-no-link -I src -I $gen -I grammar"
LIBS=$(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

# ---- build ---------------------------------------------------------------

build() {
    rm -rf "$gen" "$obj"
    mkdir -p "$gen" "$obj" || return 1
    bison -d -o "$gen/parser.c" grammar/parser.y || return 1
    flex -o "$gen/lexer.c" grammar/lexer.l || return 1
    # the library's rooms, as Makefile.am lists them, plus the grammar
    local srcs
    srcs=$(ls src/base/*.c src/lang/*.c src/eval/*.c src/io/*.c src/policy/*.c) || return 1
    # shellcheck disable=SC2086,SC2016  # one word per flag; $1.. are the inner sh's
    printf '%s\n' $srcs "$gen/parser.c" "$gen/lexer.c" |
        xargs -P "$jobs" -I{} sh -c 'o=$1/$(echo "$2" | tr / _ | sed "s/\.c$/.o/"); exec $3 $4 -c "$2" -o "$o"' \
            sh "$obj" {} "$CC" "$CFLAGS_FUZZ" || return 1
    for h in $harnesses; do
        # shellcheck disable=SC2086
        $CC $CFLAGS_FUZZ -c "tests/fuzz/$h.c" -o "$out/$h.o" || return 1
        # shellcheck disable=SC2086
        $CC $SAN -fsanitize=fuzzer "$out/$h.o" "$obj"/*.o $LIBS -o "$out/$h" || return 1
    done
}

mkdir -p "$logs" || exit 1
printf '%-14s ' build
start=$(date +%s)
if ! build >"$logs/build.log" 2>&1; then
    echo "FAILED ($(($(date +%s) - start))s)"
    tail -n 40 "$logs/build.log" | sed 's/^/    /'
    echo "0 passed, 1 failed"
    exit 1
fi
echo "ok ($(($(date +%s) - start))s)"
[ $build_only -eq 1 ] && exit 0

# ---- seeds ---------------------------------------------------------------

# Writes the seeds of harness $1 into directory $2.
seeds() {
    local h=$1 dir=$2 f name policy as_of rest
    case $h in
    fuzz_compile)
        find policies tests/policies tests/lang -name '*.policy' | sort | while IFS= read -r f; do
            cp "$f" "$dir/$(echo "$f" | tr / _)"
        done
        ;;
    fuzz_request)
        # every integration case as a request envelope around its input
        for list in tests/requests/cases.txt tests/requests/invalid-cases.txt; do
            [ -f "$list" ] || continue
            grep -v '^#' "$list" | while IFS='|' read -r f policy as_of rest; do
                [ -f "tests/requests/$f" ] || continue
                case $as_of in
                [0-9][0-9][0-9][0-9]-*) ;;
                *) as_of=2019-09-01 ;;
                esac
                name=${f%.json}-$policy-$as_of.json
                {
                    printf '{"policy": "%s", "as_of": "%s", "explain": true, "input": ' "$policy" "$as_of"
                    cat "tests/requests/$f"
                    printf '}'
                } >"$dir/$name"
            done
        done
        ;;
    esac
    if [ -d "tests/fuzz/seeds/$h" ]; then
        cp tests/fuzz/seeds/"$h"/* "$dir/" 2>/dev/null
    fi
    return 0
}

# ---- fuzz ----------------------------------------------------------------

# Replays the files in tests/fuzz/regressions/$1, one case each.
replay() {
    local h=$1 dir=tests/fuzz/regressions/$1 f base rc
    [ -d "$dir" ] || return 0
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        base=$(basename "$f")
        case $base in KNOWN|README*) continue ;; esac
        "$out/$h" -timeout="$timeout" -rss_limit_mb=512 -max_len=65536 "$f" >"$logs/$h.replay.log" 2>&1
        rc=$?
        if [ -f "$dir/KNOWN" ] && grep -qx "$base" "$dir/KNOWN"; then
            if [ $rc -ne 0 ]; then
                echo "  replay $base: still fails (known, listed in KNOWN)"
                known=$((known + 1))
            else
                echo "  replay $base: passes now: take it out of $dir/KNOWN"
                passed=$((passed + 1))
            fi
        elif [ $rc -ne 0 ]; then
            echo "  replay $base: FAILED"
            grep -m 1 -E '^(==[0-9]+==ERROR|.*runtime error|SUMMARY)' "$logs/$h.replay.log" | sed 's/^/    /'
            cp "$logs/$h.replay.log" "$logs/$h.replay-$base.log"
            failed=$((failed + 1))
        else
            passed=$((passed + 1))
        fi
    done
}

for h in $harnesses; do
    corpus=$out/corpus/$h
    findings=$out/findings/$h
    mkdir -p "$corpus" "$findings" "$out/seeds/$h"
    rm -f "$out/seeds/$h"/*
    seeds "$h" "$out/seeds/$h"
    cp -n "$out/seeds/$h"/* "$corpus/" 2>/dev/null
    dict=""
    case $h in
    fuzz_compile) dict=-dict=tests/fuzz/policy.dict ;;
    fuzz_request) dict=-dict=tests/fuzz/request.dict ;;
    esac
    printf '%-14s ' "$h"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$out/$h" -max_len=65536 -timeout="$timeout" -rss_limit_mb=512 $dict \
        -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$findings/" "$corpus" >"$logs/$h.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$h.log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$h.log" | tail -n 1)
    units=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        echo "ok: ${execs:-?} execs in ${seconds}s (${rate:-?}/s), corpus $units"
        passed=$((passed + 1))
    else
        echo "FAILED (exit $rc) after ${execs:-?} execs (${rate:-?}/s), see $logs/$h.log"
        grep -E '^(==[0-9]+==ERROR|.*runtime error|SUMMARY|artifact_prefix|Test unit written|fuzz_[a-z]+(\.c)?:)' \
            "$logs/$h.log" | head -n 8 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
    replay "$h"
done

if [ $known -gt 0 ]; then
    echo "$passed passed, $failed failed ($known known failures listed in KNOWN files not counted)"
else
    echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
