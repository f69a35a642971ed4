#!/usr/bin/env bash
# store_bytes.sh - what one stored decision costs MariaDB: bytes received
# and sent, the server's CPU, and the row's bytes on disk (data and
# indexes), on a private stack (tests/lib/stack.sh).
#
# Posts decisions through nginx and eligod for a few seconds with
# tests/integration/load_client (unique request ids, 16 connections),
# once without and once with an explanation, then divides the server's
# counters (SHOW GLOBAL STATUS Bytes_received / Bytes_sent, utime+stime
# of mariadbd from /proc, the redo InnoDB wrote: Innodb_lsn_current) by
# the rows added, and reads
# information_schema.TABLES after ANALYZE TABLE for the bytes per row.
# The sequencer's own traffic (seq numbering, reading rows back for
# their leaves) is counted too: it is part of what a decision costs.
# Last, the officer's POST /v1/evaluate for the access log's share.
#
# Usage: bench/store_bytes.sh [SECONDS]   (from a built tree; default 5)
# Prints one "name value" line per figure; not a test (no verdict).
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=scripts/lib/usage.sh
. "$top/scripts/lib/usage.sh"
usage_counts "$0" "bench/store_bytes.sh [SECONDS]" 1 "$@"
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack storebytes
secs=${1:-5}
sql() { mariadb_sql "$STACK_VAR/mariadb" "$1"; }
status() { sql "SHOW GLOBAL STATUS LIKE '$1'" | awk '{print $2}'; }
# disk TABLE: "data_length index_length" after ANALYZE (InnoDB pages).
disk() {
    sql "ANALYZE TABLE eligo.$1" >/dev/null
    sql "SELECT DATA_LENGTH, INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'eligo' AND TABLE_NAME = '$1'" |
        tr '\t' ' '
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$STACK_VAR/mariadb/pid")/stat"; }

stack_test_up "$tmp"
hz=$(getconf CLK_TCK)

# run NAME PATH TABLE BODY: load for $secs, then the figures per row of TABLE.
run() {
    local rows0 rx0 tx0 cpu0 lsn0 rows rx tx cpu lsn disk0 disk
    printf '%s\n' "$4" >"$tmp/template.json"
    rows0=$(sql "SELECT COUNT(*) FROM eligo.$3")
    disk0=$(disk "$3")
    rx0=$(status Bytes_received) tx0=$(status Bytes_sent) cpu0=$(cpu_ticks) lsn0=$(status Innodb_lsn_current)
    "$STACK_LOAD" -a "127.0.0.1:$STACK_PORT" -u "$2" -p "$1" -o "$tmp/$1.out" -c 16 -d "$secs" -g 30 \
        "$tmp/template.json" >"$tmp/$1.summary" 2>&1
    sleep 2     # the sequencer numbers the last rows
    rows=$(($(sql "SELECT COUNT(*) FROM eligo.$3") - rows0))
    rx=$(($(status Bytes_received) - rx0)) tx=$(($(status Bytes_sent) - tx0)) cpu=$(($(cpu_ticks) - cpu0))
    lsn=$(($(status Innodb_lsn_current) - lsn0))
    echo "$1.rows $rows"
    echo "$1.answered $(tail -n 1 "$tmp/$1.summary")"
    [ "$rows" -gt 0 ] || return 0
    echo "$1.bytes_received_per_row $((rx / rows))"
    echo "$1.bytes_sent_per_row $((tx / rows))"
    echo "$1.mariadb_cpu_us_per_row $((cpu * 1000000 / hz / rows))"
    echo "$1.redo_bytes_per_row $((lsn / rows))"
    disk=$(disk "$3")
    echo "$1.data_bytes_per_row $(((${disk% *} - ${disk0% *}) / rows))"
    echo "$1.index_bytes_per_row $(((${disk#* } - ${disk0#* }) / rows))"
}

body='{"policy":"tianjin.dibao","as_of":"2019-01-01","request_id":"@RID@","input":{"household":{"members":[{"id":"a","age":44,"monthly_income":"500.00"},{"id":"b","age":12,"monthly_income":"0.00"}]}}'
export ELIGO_PORTAL_TOKEN
run plain /v1/decisions decisions "$body}"
run explained /v1/decisions decisions "$body,\"explain\":true}"
sql "SELECT 'decisions.rows', COUNT(*) FROM eligo.decisions"
sql "SELECT 'decisions.index', INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'eligo' AND TABLE_NAME = 'decisions' GROUP BY INDEX_NAME"
# average bytes of the large columns, without and with an explanation:
# explained, rows, input, outputs, explanation, response
sql "SELECT 'decisions.column_bytes', request_id LIKE 'explained%', COUNT(*), ROUND(AVG(LENGTH(input))), ROUND(AVG(COALESCE(LENGTH(outputs), 0))), ROUND(AVG(COALESCE(LENGTH(explanation), 0))), ROUND(AVG(LENGTH(response))) FROM eligo.decisions GROUP BY request_id LIKE 'explained%'"
sql "SELECT 'policy_versions.rows', COUNT(*) FROM eligo.policy_versions"
ELIGO_PORTAL_TOKEN=$ELIGO_OFFICER_TOKEN
run evaluate /v1/evaluate access_log "$body}"
finish
