# shellcheck shell=bash
# scaling.sh - `bench/run --scaling`: throughput and p99 of POST
# /v1/evaluate and /v1/decisions against wrk's connections (1 to 256) on
# the default eligod (8 workers x 8 threads), then against eligod's
# workers x threads at 32 connections, each configuration a fresh stack
# (tests/lib/stack.sh).  Writes build/bench/concurrency.dat and
# workers.dat, plots them into docs/perf-concurrency.svg and
# docs/perf-workers.svg, and the section "Scaling" of docs/performance.md
# (table, load average before and after; bench/run's full run keeps it).
# Why the curves flatten is explained in bench/notes.md.
#
# Sourced by bench/run (top, out, var, runs, median, wrk_once, http.sh).
#
# SPDX-License-Identifier: Apache-2.0

# shellcheck disable=SC2154  # top, out, var, runs: set by bench/run
scaling_conns="1 4 16 64 256"
scaling_grid="1x1 2x1 4x1 8x1 1x8 2x8 4x8 8x8"     # workers x threads
scaling_secs=5

# scaling_point NAME PATH TOKEN CONNS: "rps p99 non-2xx", the median of
# the runs (each a wrk of scaling_secs), into $var/scale.NAME.
scaling_point() {
    local f=$var/scale.$1.$4
    : >"$f"
    for _ in $(seq "$runs"); do wrk_once "$eligo_port" "$2" "$3" "$var/evaluate.jsonl" "$scaling_secs" "$4" >>"$f"; done
    echo "$(awk '{print $1}' "$f" | median) $(awk '{print $2}' "$f" | median) $(awk '{s += $3} END {print s + 0}' "$f")"
}

# Both routes at each number of connections: "conns ev-rps ev-p99 ev-bad dec-rps dec-p99 dec-bad".
scaling_conns_run() {
    local c
    for c in $scaling_conns; do
        echo "$c $(scaling_point evaluate /v1/evaluate "$ELIGO_OFFICER_TOKEN" "$c")" \
            "$(scaling_point decisions /v1/decisions "$ELIGO_PORTAL_TOKEN" "$c")"
    done
}

# A stack of W workers x T threads: "W T ev-rps ev-p99 ev-bad dec-rps dec-p99 dec-bad".
scaling_grid_run() {
    local g w t
    for g in $scaling_grid; do
        w=${g%x*} t=${g#*x}
        http_down
        rm -rf "$eligo_var"
        STACK_EXTRA="--threads $t" STACK_THREADS=$t BENCH_WORKERS=$w scaling_stack || return 1
        echo "$w $t $(scaling_point evaluate /v1/evaluate "$ELIGO_OFFICER_TOKEN" 32)" \
            "$(scaling_point decisions /v1/decisions "$ELIGO_PORTAL_TOKEN" 32)"
    done
}

# eligod's stack alone (no baselines), with BENCH_WORKERS workers.
scaling_stack() {
    STACK_VAR=$eligo_var STACK_WORKERS=${BENCH_WORKERS:-8} STACK_PORT=$(mariadb_free_port) || return 1
    export STACK_VAR STACK_WORKERS STACK_PORT STACK_EXTRA STACK_THREADS
    bench_mariadb
    stack_up >"$var/eligo-up.log" 2>&1 || { cat "$var/eligo-up.log" >&2; return 1; }
    eligo_port=$STACK_PORT
    # shellcheck disable=SC1091
    . "$eligo_var/tokens.env"
}

scaling_plots() {
    command -v gnuplot >/dev/null || { echo "bench: gnuplot missing, no plots" >&2; return 0; }
    gnuplot <<G
set terminal svg size 640,400 font "sans,11" noenhanced
set grid
set key top left Left reverse
set ytics nomirror; set y2tics
set yrange [0:*]; set y2range [0.1:*]
set logscale x 2; set logscale y2
set output "docs/perf-concurrency.svg"
set title "requests/s and p99 against wrk connections (8 workers x 8 threads)"
set xlabel "connections (log scale)"; set ylabel "requests/s"; set y2label "p99, ms (log scale)"
plot "$out/concurrency.dat" using 1:2 with linespoints title "/v1/evaluate, req/s", \
     "" using 1:5 with linespoints title "/v1/decisions, req/s", \
     "" using 1:3 axes x1y2 with linespoints dashtype 2 title "/v1/evaluate, p99 (right)", \
     "" using 1:6 axes x1y2 with linespoints dashtype 2 title "/v1/decisions, p99 (right)"
set output "docs/perf-workers.svg"
set title "requests/s against workers, 1 and 8 threads each (32 connections)"
set xlabel "workers (log scale)"; unset y2label; unset y2tics; unset logscale y2
plot "< awk '\$2 == 1' $out/workers.dat" using 1:3 with linespoints title "/v1/evaluate, 1 thread", \
     "< awk '\$2 == 8' $out/workers.dat" using 1:3 with linespoints title "/v1/evaluate, 8 threads", \
     "< awk '\$2 == 1' $out/workers.dat" using 1:6 with linespoints title "/v1/decisions, 1 thread", \
     "< awk '\$2 == 8' $out/workers.dat" using 1:6 with linespoints title "/v1/decisions, 8 threads"
G
}

# The section of docs/performance.md, from the two .dat files.
scaling_section() {
    echo "## Scaling"
    echo
    echo "Measured by \`bench/run --scaling\` on $(date -u +%Y-%m-%d), median of $runs wrk runs of ${scaling_secs} s each;" \
        "load average $1 before and $2 after (the second includes the run's own load; other work" \
        "during the run, which this cannot tell, moves the figures). wrk, nginx, eligod and MariaDB share the cores."
    echo
    echo "| connections | /v1/evaluate req/s | p99 ms | non-2xx | /v1/decisions req/s | p99 ms | non-2xx |"
    echo "|---|---|---|---|---|---|---|"
    awk '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7}' "$out/concurrency.dat"
    echo
    echo "| workers x threads (32 connections) | /v1/evaluate req/s | p99 ms | non-2xx | /v1/decisions req/s | p99 ms | non-2xx |"
    echo "|---|---|---|---|---|---|---|"
    awk '{printf "| %s x %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8}' "$out/workers.dat"
    echo
    echo "![requests/s and p99 against connections](perf-concurrency.svg)"
    echo "![requests/s against workers x threads](perf-workers.svg)"
    echo
    echo "Where each curve flattens, and why: see \"Scaling\" in the notes below."
    echo
}

# Replaces (or adds, before the notes) the Scaling section of docs/performance.md.
scaling_docs() {
    local f=docs/performance.md
    scaling_section "$1" "$2" >"$out/scaling.md"
    awk -v sec="$out/scaling.md" '
        /^## Scaling$/ {skip = 1; next}
        /^## / && skip {skip = 0}
        /^## How each figure is measured/ && !done {while ((getline l < sec) > 0) print l; done = 1}
        !skip {print}' "$f" >"$f.new" && mv "$f.new" "$f"
}

scaling_main() {
    local load0 load1
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    trap http_down EXIT
    trap 'exit 1' INT TERM
    sh bench/gen_households.sh 1000 1 >"$out/households.jsonl"
    scaling_stack
    http_bodies
    echo "bench: connections $scaling_conns" >&2
    scaling_conns_run >"$out/concurrency.dat"
    echo "bench: workers x threads $scaling_grid" >&2
    scaling_grid_run >"$out/workers.dat"
    http_down
    load1=$(cut -d' ' -f1-3 /proc/loadavg)
    cat "$out/concurrency.dat" "$out/workers.dat"
    scaling_plots
    scaling_docs "$load0" "$load1"
}
