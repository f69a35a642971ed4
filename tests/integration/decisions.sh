#!/usr/bin/env bash
# decisions.sh - the portal's side of the API through real nginx, eligod
# and MariaDB: every shipped program gives the hand-computed outputs of
# tests/requests/cases.txt; a screening request for three programs;
# idempotent retries (same decision, one row) and a reused request_id
# (422); validation (422 with pointers, 400 with the byte offset, 422 for
# a date with no standard in force); the auditor reads a stored decision;
# the officer's playground stores nothing; and the database stopped (503,
# nothing answered unstored) and started again (201 without restarting
# eligod).  At the end every 201 received is exactly one stored row.
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
harness_stack dec
export STACK_WORKERS=4 STACK_POLICIES=$tmp/policies
cp -r "$top/policies" "$tmp/policies" && chmod -R u+w "$tmp/policies"
created=0
# post TOKEN PATH BODY [HEADER]: sets $code and $tmp/body
post() {
    local extra=()
    [ -n "${4:-}" ] && extra=(-H "$4")
    code=$(curl -s -m 10 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' "${extra[@]}" --data-binary "$3" "$U$2")
    [ "$code" = 201 ] && created=$((created + 1))
    return 0
}
rows() { mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.decisions $1"; }

stack_test_up "$tmp"

# ---- every shipped program, figures computed by hand
while IFS='|' read -r file policy as_of want; do
    case $file in '#'*|'') continue ;; esac
    input=$(tr -d '\n' <"$top/tests/requests/$file")
    post "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"$policy\",\"as_of\":\"$as_of\",\"input\":$input}"
    case $want in
    '!'*) answered "$policy $file $as_of" 422 "${want#!}" && answered "$policy $file: pointer" 422 '"pointer":"/as_of"' ;;
    *) answered "$policy $file $as_of" 201 "\"outputs\":$want,\"reasons\"" ;;
    esac
done <"$top/tests/requests/cases.txt"

# ---- one household screened for three programs
screen=$(tr -d '\n' <"$top/tests/requests/household-screening.json")
post "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.dibao\",\"tianjin.tekun_care\",\"tianjin.medical_aid\"],\"as_of\":\"2019-09-01\",\"request_id\":\"screen-1\",\"input\":$screen}"
created=$((created + 2))      # one 201 answer, three stored decisions
answered "screening: dibao" 201 '"monthly_benefit":"1020.00"' && answered "screening: care" 201 '"monthly_care_subsidy":"800.00"' &&
    answered "screening: medical aid" 201 '"total_aid":"4200.00"' && answered "screening: ids" 201 '"request_id":"screen-1/tianjin.medical_aid"'

# ---- idempotency: same id and body -> same decision, one row; other body -> 422
fam=$(tr -d '\n' <"$top/tests/requests/dibao-family.json")
b1="{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"retry-1\",\"input\":$fam}"
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "$b1" && answered "first request" 201
id1=$(grep -o '"decision_id":"[^"]*"' "$tmp/body")
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "$b1" && answered "retry answered from the store" 200 "$id1"
[ "$(rows "WHERE request_id = 'retry-1'")" = 1 ] && ok || not_ok "retry stored twice"
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "${b1/1000.00/999.00}" && answered "request_id reused with another body" 422 "different request"
b2="{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"input\":$fam}"
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "$b2" "Idempotency-Key: key-7" && answered "Idempotency-Key header" 201 '"request_id":"key-7"'
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "$b2" "Idempotency-Key: key-7" && answered "Idempotency-Key retry" 200 '"request_id":"key-7"'

# ---- a retry while the first attempt is still being committed: 409
( mariadb_sql "$STACK_VAR/mariadb" "BEGIN; INSERT INTO eligo.decisions (id, request_id, client, fingerprint,
    policy_name, policy_hash, as_of, input, outputs, response, created_at, content_hash) VALUES
    ('00000000-0000-7000-8000-0000000000aa', 'slow-1', 'stack-portal', 'fp', 'tianjin.dibao', 'sha256:x',
    '2019-01-01', '{}', '{}', '{}', UTC_TIMESTAMP(6), 'h'); SELECT SLEEP(3); ROLLBACK;" >/dev/null ) &
holder=$!
sleep 1
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"slow-1\",\"input\":$fam}"
answered "409 while the first attempt is in flight" 409 "still being decided"
wait "$holder"
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"slow-1\",\"input\":$fam}"
answered "201 once the first attempt rolled back" 201

# ---- bad requests
post "$ELIGO_PORTAL_TOKEN" /v1/decisions '{"policy":"tianjin.dibao","input":{"household":{"members":[{"id":"a","age":"fifty"}]}}}'
answered "422 names the field" 422 '"pointer":"/input/household/members/0/age","detail":"expected int 0..150, got \"fifty\""'
post "$ELIGO_PORTAL_TOKEN" /v1/decisions '{"policy":"tianjin.dibao","input":{"household":'
answered "400 malformed JSON with the offset" 400 'malformed JSON at byte'
post "$ELIGO_PORTAL_TOKEN" /v1/decisions '{"policy":"no.such","input":{}}'
answered "404 unknown policy" 404 'no.such'
post "$ELIGO_PORTAL_TOKEN" /v1/decisions '{"policy":"tianjin.dibao","input":{"household":{"members":[]}},"extra":1}'
answered "422 unknown envelope field" 422 '"pointer":"/extra"'

# ---- role boundaries (the router's own tests cover 401 and two more)
post "$ELIGO_PORTAL_TOKEN" /v1/evaluate "$b2" && answered "403 portal on evaluate" 403
post "$ELIGO_AUDITOR_TOKEN" /v1/decisions "$b2" && answered "403 auditor posting a decision" 403
post "$ELIGO_ADMIN_TOKEN" /v1/decisions "$b2" && answered "403 admin posting a decision" 403
code=$(curl -s -m 10 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $ELIGO_OFFICER_TOKEN" "$U/v1/decisions/x")
answered "403 officer reading a decision" 403

# ---- the auditor reads it back; the officer's playground stores nothing
id=${id1#\"decision_id\":\"}
id=${id%\"}
code=$(curl -s -m 10 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $ELIGO_AUDITOR_TOKEN" "$U/v1/decisions/$id")
answered "auditor reads the decision" 200 '"monthly_benefit":"1080.00"'
before=$(rows "")
post "$ELIGO_OFFICER_TOKEN" /v1/evaluate "$b2" && answered "officer evaluates" 200 '"monthly_benefit":"1080.00"'
[ "$(rows "")" = "$before" ] && ok || not_ok "evaluate stored a row"

# ---- "explain": "text": the explanation with the citizen's account, and
# every step of it re-derives (eligo explain --check) from the answer alone
post "$ELIGO_OFFICER_TOKEN" /v1/evaluate "${b2%\}},\"explain\":\"text\"}"
answered "explain text" 200 '"text":"天津市城乡最低生活保障(天津市)\n决定日期:2019-01-01\n\n一、决定\n1. 家庭月收入合计 1500.00 元低于'
out=$("$ELIGO" explain --check "$tmp/body" 2>&1)
case $out in *" steps hold") ok ;; *) not_ok "eligo explain --check on the HTTP answer: $out" ;; esac

# ---- the database goes away: 503, nothing unstored; it comes back: 201
stored_before=$(rows "")
mariadb_stop "$STACK_VAR/mariadb"
t0=$(date +%s)
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "$b2"
answered "503 while the database is down" 503 '"status":503'
[ $(($(date +%s) - t0)) -le 5 ] && ok || not_ok "503 took more than 5 s"
mariadb_start "$STACK_VAR/mariadb" >/dev/null 2>&1 || not_ok "database restart"
[ "$(rows "")" = "$stored_before" ] && ok || not_ok "a row was stored during the outage"
for _ in $(seq 1 50); do
    post "$ELIGO_PORTAL_TOKEN" /v1/decisions "$b2"
    [ "$code" = 201 ] && break
    sleep 0.2
done
answered "201 again after the database came back, eligod not restarted" 201

# ---- reloads under a concurrent client: not one request fails
master=$(cat "$STACK_VAR/run/eligod.pid")
(
    i=0
    while [ ! -f "$tmp/stop" ]; do
        i=$((i + 1))
        curl -s -m 10 -o "$tmp/load.$i" -w '%{http_code}\n' -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
            -H 'Content-Type: application/json' \
            --data-binary "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"load-$i\",\"input\":$fam}" \
            "$U/v1/decisions" >>"$tmp/load"
    done
) &
loader=$!
sleep 0.5
for k in 1 2 3; do
    printf '\n# reload %s\n' "$k" >>"$tmp/policies/tianjin/dibao.policy"    # a good change: a new hash
    kill -HUP "$master"
    sleep 1
done
touch "$tmp/stop"
wait "$loader"
total=$(wc -l <"$tmp/load")
good=$(grep -c '^201$' "$tmp/load")
created=$((created + good))
echo "during 3 reloads: $total requests, $good answered 201"
[ "$total" -gt 0 ] && [ "$good" = "$total" ] && ok ||
    not_ok "requests failed during reloads: $((total - good)) of $total" "$(sort "$tmp/load" | uniq -c
        grep -L '"decision_id"' "$tmp"/load.* | head -n 2 | xargs cat; echo
        grep -E 'warn|error' "$STACK_VAR/log/eligod.log" | tail -n 12)"
# an old worker serves on until nginx lets go of its kept connection
# (keepalive_time 3s, keepalive_timeout 5s: nginx/eligo.conf), so the new
# text decides within 5 s of the last reload, and then every time
new_hash=$("$ELIGO" check "$tmp/policies" >/dev/null 2>&1; sha256sum "$tmp/policies/tianjin/dibao.policy" | cut -c1-64)
for _ in $(seq 1 50); do
    post "$ELIGO_PORTAL_TOKEN" /v1/decisions "$b2"
    grep -qF "\"hash\":\"sha256:$new_hash\"" "$tmp/body" && break
    sleep 0.1
done
answered "after the reloads the new text decides within 5 s" 201 "\"hash\":\"sha256:$new_hash\""
sleep 3
for k in 1 2 3 4 5 6 7 8; do
    post "$ELIGO_PORTAL_TOKEN" /v1/decisions "$b2"
    grep -qF "\"hash\":\"sha256:$new_hash\"" "$tmp/body" || break
done
answered "then every decision carries the new hash (8 in a row)" 201 "\"hash\":\"sha256:$new_hash\""

# ---- eligod refuses to start against a server that does not make commits durable
mariadb_sql "$STACK_VAR/mariadb" "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
timeout 20 "$ELIGOD" --policies "$tmp/policies" --listen "unix:$tmp/other.sock" --workers 1 \
    --db "$(mariadb_url "$STACK_VAR/mariadb")" >"$tmp/nondurable.log" 2>&1
status=$?
mariadb_sql "$STACK_VAR/mariadb" "SET GLOBAL innodb_flush_log_at_trx_commit = 1"
if [ "$status" != 0 ] && [ "$status" != 124 ] && grep -q "refusing to start: .*innodb_flush_log_at_trx_commit=2" "$tmp/nondurable.log"; then ok
else not_ok "eligod started against innodb_flush_log_at_trx_commit=2 (exit $status)" "$(cat "$tmp/nondurable.log")"; fi

# ---- every 201 is exactly one stored row
n=$(rows "")
[ "$n" = "$created" ] && ok || not_ok "stored rows $n, 201 answers $created"
echo "$created decisions answered 201, $n rows stored"
finish
