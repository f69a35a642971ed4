# shellcheck shell=bash
# cpu.sh - where the CPU goes per request (bench/run --cpu): for the
# baseline behind the minimal nginx and behind eligo's nginx configuration,
# POST /v1/evaluate and durable POST /v1/decisions, the CPU time
# (user + system) every process of the stack spent during one wrk run,
# divided by the requests wrk made, by process name (nginx, eligod's
# workers, eligod-commit, eligod-seq, mariadbd, fcgi_min).  On two shared
# cores, throughput ratios are the inverse of these figures; they are what
# docs/performance.md's arithmetic for larger machines starts from.
#
# Sourced by bench/run after bench/http.sh and http_up.  Only processes
# whose command line, or whose parent's, names $var are counted (nginx
# workers are named by their master), so other work on the machine is
# not; wrk is not counted (it is gone before the second look).
#
# SPDX-License-Identifier: Apache-2.0

# shellcheck disable=SC2154  # var, eligo_port, min_port, ...: set by bench/run and http.sh

cpu_ours() {
    local pp
    # a process may end between the listing and the reading: 2>/dev/null first
    tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q "$var" && return 0
    pp=$(awk '{print $4}' "/proc/$1/stat" 2>/dev/null)
    [ -n "$pp" ] && [ "$pp" != 0 ] && tr '\0' ' ' 2>/dev/null <"/proc/$pp/cmdline" | grep -q "$var"
}

# cpu_snap: "pid name ticks" for each process of ours.
cpu_snap() {
    local p
    for p in /proc/[0-9]*; do
        cpu_ours "${p#/proc/}" || continue
        # the name is between the parentheses; utime and stime are fields 14 and 15
        awk -v pid="${p#/proc/}" '{n = $0; sub(/^[^(]*\(/, "", n); sub(/\).*/, "", n);
            sub(/^[^)]*\) /, ""); print pid, n, $12 + $13}' "$p/stat" 2>/dev/null
    done | sort
}

# cpu_run NAME PORT PATH TOKEN: "NAME process us-per-request" lines, and
# "NAME all us-per-request" and "NAME rate requests/s".
cpu_run() {
    local r hz
    hz=$(getconf CLK_TCK)
    cpu_snap >"$var/cpu.0"
    r=$(wrk_once "$2" "$3" "$4" "$var/evaluate.jsonl" "$wrk_secs")
    cpu_snap >"$var/cpu.1"
    join "$var/cpu.0" "$var/cpu.1" | awk -v name="$1" -v hz="$hz" -v n="$(echo "$r" | awk '{print $4}')" \
        -v rate="$(echo "$r" | awk '{print $1}')" '
        $2 == $4 { t[$2] += $5 - $3; all += $5 - $3 }
        END { for (k in t) if (t[k] > 0) printf "%s %s %.0f\n", name, k, t[k] * 1e6 / hz / n
              printf "%s all %.0f\n%s rate %s\n", name, all * 1e6 / hz / n, name, rate }'
}

# cpu_table: the baseline behind each nginx and the two routes, one row
# each, us of CPU per request.  The site row against the baseline row is
# what eligo's nginx configuration costs, in a figure the machine's other
# load moves far less than it moves a throughput ratio.
cpu_table() {
    local procs="nginx eligod eligod-commit eligod-seq mariadbd fcgi_min" name p
    {
        cpu_run baseline "$min_port" /v1/evaluate x
        cpu_run site "$fcgi_port" /v1/evaluate x
        cpu_run evaluate "$eligo_port" /v1/evaluate "$ELIGO_OFFICER_TOKEN"
        cpu_run decisions "$eligo_port" /v1/decisions "$ELIGO_PORTAL_TOKEN"
    } >"$var/cpu.us"
    echo "| route | requests/s | ${procs// / | } | all (wrk not counted) |"
    echo "|---|---|$(for _ in $procs; do printf -- '---|'; done)---|"
    for name in baseline site evaluate decisions; do
        printf '| %s | %s |' "$name" "$(awk -v k="$name" '$1 == k && $2 == "rate" {print $3}' "$var/cpu.us")"
        for p in $procs all; do
            printf ' %s |' "$(awk -v k="$name" -v p="$p" '$1 == k && $2 == p {print $3; f = 1} END {if (!f) print "-"}' "$var/cpu.us")"
        done
        echo
    done
}
