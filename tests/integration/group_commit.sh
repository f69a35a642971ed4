#!/usr/bin/env bash
# group_commit.sh - the committer (src/service/committer.c) through real
# nginx, eligod and MariaDB: 32 concurrent requests with one request_id
# give one row, one 201, and 200s (same decision id) or 409s; then, while
# load_client keeps posting, the committer is SIGKILLed three times: it is
# respawned, and every decision answered 200/201 is stored as answered,
# none twice, and every request_id ends answered.
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack gc
LOAD=$STACK_LOAD
export STACK_WORKERS=8
loader=
cleanup() {
    [ -n "$loader" ] && kill "$loader" 2>/dev/null
}
at_exit cleanup

sql() { mariadb_sql "$STACK_VAR/mariadb" "$1"; }

stack_test_up "$tmp"
export ELIGO_PORTAL_TOKEN
log=$STACK_VAR/log/eligod.log
committer() { stack_helper_pid eligod-commit; }

# ---- 32 twins at once
body='{"policy":"tianjin.dibao","as_of":"2019-01-01","request_id":"twins","input":{"household":{"members":[{"id":"a","age":44,"monthly_income":"500.00"}]}}}'
for i in $(seq 1 32); do
    curl -s -m 10 -o "$tmp/twin.$i" -w '%{http_code}\n' -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
        -H 'Content-Type: application/json' --data-binary "$body" "$U/v1/decisions" >"$tmp/code.$i" &
done
wait
codes=$(cat "$tmp"/code.* | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')
n201=$(cat "$tmp"/code.* | grep -c '^201$')
nother=$(cat "$tmp"/code.* | grep -vc '^\(200\|201\|409\)$')
ids=$(for i in $(seq 1 32); do grep -q '^20[01]$' "$tmp/code.$i" && { sed -n 's/.*"decision_id":"\([^"]*\)".*/\1/p' "$tmp/twin.$i"; echo; }; done | grep . | sort -u)
want "twins: one 201, the rest 200 or 409 ($codes)" "$([ "$n201" = 1 ] && [ "$nother" = 0 ] && echo y)"
want "twins: one decision id in every 200/201" "$([ "$(printf '%s\n' "$ids" | grep -c .)" = 1 ] && echo y)" "$ids"
want "twins: one row" "$([ "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id = 'twins'")" = 1 ] && echo y)"
want "twins: the row is the answered one" \
    "$([ "$(sql "SELECT id FROM eligo.decisions WHERE request_id = 'twins'")" = "$ids" ] && echo y)" "row $(sql "SELECT id FROM eligo.decisions WHERE request_id = 'twins'"), answered $ids"

# ---- the committer SIGKILLed under load
if [ -x "$LOAD" ]; then
    printf '%s\n' "${body/\"twins\"/\"@RID@\"}" >"$tmp/template.json"
    "$LOAD" -a "127.0.0.1:$STACK_PORT" -p kill -o "$tmp/kill.out" -c 16 -d 6 -w 0.01 -g 40 "$tmp/template.json" \
        >"$tmp/kill.summary" 2>"$tmp/kill.err" &
    loader=$!
    kills=0
    for _ in 1 2 3; do
        sleep 1.5
        pid=$(committer)
        [ -n "$pid" ] && kill -KILL "$pid" && kills=$((kills + 1))
    done
    wait "$loader"
    loader=
    # a committer killed young is respawned after a back-off (up to a few s)
    for _ in $(seq 1 100); do
        [ -n "$(committer)" ] && [ "$(grep -c 'committer [0-9]* started' "$log")" -ge 4 ] && break
        sleep 0.1
    done
    want "committer: killed 3 times" "$([ "$kills" = 3 ] && echo y)"
    want "committer: respawned" "$([ -n "$(committer)" ] && [ "$(grep -c 'committer [0-9]* started' "$log")" -ge 4 ] && echo y)" \
        "$(grep committer "$log" | tail -n 5)"
    sql "SELECT request_id, id FROM eligo.decisions WHERE request_id LIKE 'kill-%'" | sort >"$tmp/stored"
    awk -F'\t' '$2 == 200 || $2 == 201 {print $1 "\t" $4}' "$tmp/kill.out" | sort >"$tmp/answered"
    unstored=$(comm -23 "$tmp/answered" "$tmp/stored" | wc -l)
    dups=$(cut -f1 "$tmp/stored" | uniq -d | wc -l)
    never=$(awk -F'\t' '$2 != 200 && $2 != 201' "$tmp/kill.out" | wc -l)
    echo "committer kills: $(tail -n 1 "$tmp/kill.summary")"
    want "committer kills: the client ran" "$([ -s "$tmp/answered" ] && echo y)" "$(cat "$tmp/kill.err")"
    want "committer kills: answered but not stored as answered: $unstored" "$([ "$unstored" = 0 ] && echo y)" \
        "$(comm -23 "$tmp/answered" "$tmp/stored" | head -n 5)"
    want "committer kills: duplicate rows: $dups" "$([ "$dups" = 0 ] && echo y)"
    want "committer kills: request_ids never answered 200/201: $never" "$([ "$never" = 0 ] && echo y)"
    want "committer kills: rows = answered request_ids" \
        "$([ "$(wc -l <"$tmp/stored")" = "$(wc -l <"$tmp/answered")" ] && echo y)"
else
    want "load_client built ($LOAD)" ""
fi

finish
