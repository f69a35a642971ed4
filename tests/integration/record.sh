#!/usr/bin/env bash
# record.sh - one request as one unit, the whole stored record, and
# impact runs that cannot be misled, through real nginx, eligod and
# MariaDB:
#
#   1. a request for several policies is all or nothing: a 422 from one
#      policy names it (/policy/1) and stores nothing, also for the others;
#      a 201 stores every decision and a retry gets them all (200); the
#      same request_id with another list, another order or a single
#      policy is 422 and stores nothing more;
#   2. GET /v1/decisions/{id} returns the whole record (the answered
#      document, the canonical input, request_id, client, time, hashes,
#      seq); an upper-case id is answered in lower case; outputs are
#      stored once, in the response (db/005), and a row that also holds
#      them in its column (stored before 005) verifies and replays; a row
#      whose stored outputs were altered in MariaDB (column or response)
#      is shown "tampered" with the parts that differ;
#   3. impact: a tampered row is counted apart, never used as "before";
#      a sum past 64 bits is a 422 naming the decision; a benefit that is
#      not money, an unknown policy and from after to are 422; the CLI
#      exits 1 on findings and 2 on usage;
#   4. part 1 again with --group-commit 0 (each worker commits its own).
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
ELIGO=${ELIGO:-$top/eligo}
export ELIGO ELIGOD
PATH=$PATH:/usr/sbin
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
harness_stack record
# no sequencer: the test checkpoints with `eligo audit checkpoint` when it
# wants a row under a checkpoint, and a row made after that stays outside
export STACK_WORKERS=2 STACK_POLICIES=$tmp/policies STACK_CHECKPOINTS=0
cp -r "$top/policies" "$tmp/policies" && chmod -R u+w "$tmp/policies"
call() {   # METHOD TOKEN PATH [BODY]: sets $code and $tmp/body
    local data=()
    [ -n "${4:-}" ] && data=(-H 'Content-Type: application/json' --data-binary "$4")
    code=$(curl -s -m 30 -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $2" "${data[@]}" "$U$3")
}
sql() { mariadb_sql "$STACK_VAR/mariadb" "$1"; }

stack_test_up "$tmp"
fam=$(tr -d '\n' <"$top/tests/requests/dibao-family.json")
screen=$(tr -d '\n' <"$top/tests/requests/household-screening.json")

# ---- 1. one request, one unit
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.dibao\",\"wuyi.eco_burial\"],\"as_of\":\"2019-06-01\",\"request_id\":\"multi-bad\",\"input\":$fam}"
answered "one policy of two rejects the input: 422 naming it" 422 '"policy":{"pointer":"/policy/1","name":"wuyi.eco_burial"}'
same "nothing stored after the 422" 0 "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id LIKE 'multi-bad%'")"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.dibao\",\"no.such\"],\"as_of\":\"2019-06-01\",\"request_id\":\"multi-bad\",\"input\":$fam}"
answered "an unknown policy of a list: 404 naming it" 404 '"pointer":"/policy/1"'

two="{\"policy\":[\"tianjin.dibao\",\"tianjin.tekun_care\"],\"as_of\":\"2019-09-01\",\"request_id\":\"multi-1\",\"input\":$screen}"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "$two"
answered "two policies: 201 with both" 201 '"monthly_benefit":"1020.00"' '"monthly_care_subsidy":"800.00"' \
    '"request_id":"multi-1/tianjin.tekun_care"'
ids=$(grep -o '"decision_id":"[^"]*"' "$tmp/body" | tr '\n' ' ')
same "both stored" 2 "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id LIKE 'multi-1%'")"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "$two"
answered "the same request again: 200" 200
same "the retry answers the stored decisions" "$ids" "$(grep -o '"decision_id":"[^"]*"' "$tmp/body" | tr '\n' ' ')"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "${two/tianjin.tekun_care/tianjin.medical_aid}"
answered "same request_id, another list: 422" 422 "different request"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.tekun_care\",\"tianjin.dibao\"],\"as_of\":\"2019-09-01\",\"request_id\":\"multi-1\",\"input\":$screen}"
answered "same request_id, the list in another order: 422" 422 "different request"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-09-01\",\"request_id\":\"multi-1\",\"input\":$screen}"
answered "same request_id, a string instead of the list: 422" 422 "different request"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":\"tianjin.tekun_care\",\"as_of\":\"2019-09-01\",\"request_id\":\"single-1\",\"input\":$screen}"
answered "a single policy" 201
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.tekun_care\",\"tianjin.dibao\"],\"as_of\":\"2019-09-01\",\"request_id\":\"single-1\",\"input\":$screen}"
answered "its request_id with a list: 422" 422 "different request"
same "nothing more stored under either request_id" 3 \
    "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id LIKE 'multi-1%' OR request_id LIKE 'single-1%'")"
same "every stored decision answered" 3 "$(sql "SELECT COUNT(*) FROM eligo.decisions")"


# ---- 2. the whole record, checked before it is shown
url=$(mariadb_url "$STACK_VAR/mariadb")
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"rec-1\",\"input\":$fam}"
answered "a decision to read back" 201
id=$(grep -o '"decision_id":"[^"]*"' "$tmp/body" | head -n 1 | cut -d'"' -f4)
if "$ELIGO" audit keygen --out "$tmp/key" --name eligo.test/decisions >/dev/null &&
    "$ELIGO" audit checkpoint --key "$tmp/key" --db "$url" --all >"$tmp/out" 2>&1; then ok
else not_ok "eligo audit checkpoint" "$(cat "$tmp/out")"; fi
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"rec-2\",\"input\":$fam}"
id2=$(grep -o '"decision_id":"[^"]*"' "$tmp/body" | head -n 1 | cut -d'"' -f4)
seq=$(sql "SELECT seq FROM eligo.decisions WHERE id = '$id'")
model=$(sql "SELECT model_hash FROM eligo.decisions WHERE id = '$id'")
upper=$(printf '%s' "$id" | tr 'a-f' 'A-F')
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$upper"
answered "the whole record, asked for in upper case" 200 "{\"decision_id\":\"$id\",\"request_id\":\"rec-1\",\"client\":\"stack-portal\",\"created_at\":\"$(date -u +%F)T" \
    '"policy":{"name":"tianjin.dibao","hash":"sha256:' "\"model\":{\"hash\":\"$model\"}" '"as_of":"2019-01-01"' \
    "\"seq\":$seq,\"checkpoint\":1,\"tampered\":false,\"input\":{\"household\":" \
    "\"answered\":{\"decision_id\":\"$id\",\"request_id\":\"rec-1\",\"policy\":" '"monthly_benefit":"1080.00"'
grep -qE '"created_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"' "$tmp/body" && ok ||
    not_ok "created_at is not RFC 3339 UTC" "$(cat "$tmp/body")"
same "the upper-case id is neither echoed nor logged" "0 $id" \
    "$(grep -c "$upper" "$tmp/body") $(sql "SELECT target FROM eligo.access_log WHERE action = 'decisions_get' ORDER BY id DESC LIMIT 1")"
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id2"
answered "a record not yet checkpointed" 200 '"seq":null,"checkpoint":null,"tampered":false'
call GET "$ELIGO_AUDITOR_TOKEN" /v1/decisions/0000000A-0000-7000-8000-00000000000B
answered "an unknown id, in upper case: 404 naming it in lower case" 404 '"instance":"/v1/decisions/0000000a-0000-7000-8000-00000000000b"'
same "not echoed in upper case" 0 "$(grep -c 0000000A "$tmp/body")"
call GET "$ELIGO_AUDITOR_TOKEN" /v1/decisions/not-an-id
answered "not an id" 404
# outputs and explanation are held once, in the response (db/005); a row
# stored before 005 holds them in their columns too, and reads the same:
# rec-1 is made such a row by copying its outputs member into the column
same "outputs and explanation only in the response" 2 \
    "$(sql "SELECT SUM(outputs IS NULL AND explanation IS NULL) FROM eligo.decisions WHERE id IN ('$id', '$id2')")"
sql "UPDATE eligo.decisions SET outputs = SUBSTRING_INDEX(SUBSTRING_INDEX(response, ',\"reasons\":', 1), ',\"outputs\":', -1) WHERE id = '$id'"
same "rec-1 as stored before 005: the outputs member in its column" 1 \
    "$(sql "SELECT LOCATE(CONCAT(',\"outputs\":', outputs, ',\"reasons\":'), response) > 0 AND outputs LIKE '%\"1080.00\"%' FROM eligo.decisions WHERE id = '$id'")"
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id"
answered "a row stored before 005: same hash, same checkpoint" 200 "\"seq\":$seq,\"checkpoint\":1,\"tampered\":false"
"$ELIGO" replay "$id" --db "$url" >"$tmp/out" 2>&1
same "a row stored before 005 replays: exit 0, match" "0 1" "$? $(grep -c "\"decision_id\":\"$id\",\"match\":true" "$tmp/out")"
# an explained decision as stored before 005: explanation in its column too
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"rec-3\",\"explain\":true,\"input\":$fam}"
answered "an explained decision" 201 '"explanation":{'
id3=$(grep -o '"decision_id":"[^"]*"' "$tmp/body" | head -n 1 | cut -d'"' -f4)
sql "UPDATE eligo.decisions SET outputs = SUBSTRING_INDEX(SUBSTRING_INDEX(response, ',\"reasons\":', 1), ',\"outputs\":', -1),
    explanation = SUBSTRING(response, LOCATE(',\"explanation\":', response) + 15,
        CHAR_LENGTH(response) - LOCATE(',\"explanation\":', response) - 15) WHERE id = '$id3'"
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id3"
answered "an explained row stored before 005 verifies" 200 '"tampered":false'
same "its explanation column is the response's member" 1 \
    "$(sql "SELECT explanation LIKE '{%}' AND RIGHT(response, CHAR_LENGTH(explanation) + 1) = CONCAT(explanation, '}') FROM eligo.decisions WHERE id = '$id3'")"
sql "DELETE FROM eligo.decisions WHERE id = '$id3'"
sql "UPDATE eligo.decisions SET outputs = REPLACE(outputs, '1080.00', '9999.00') WHERE id = '$id'"
sql "UPDATE eligo.decisions SET response = REPLACE(response, '1080.00', '9999.00') WHERE id = '$id2'"
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id"
answered "stored outputs altered: flagged, with the parts" 200 '"tampered":true,"differs":["content_hash","checkpoint","outputs"]'
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id2"
answered "outputs altered in the response, before its checkpoint" 200 '"checkpoint":null,"tampered":true,"differs":["content_hash"]'

# ---- 3. impact and replay that cannot lie
big='{"household":{"members":[{"id":"a","age":40,"monthly_income":"9223372036854.77"}]}}'
for k in 1 2; do
    call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"big-$k\",\"input\":$big}"
    answered "a household at the top of the money range ($k)" 201 '"per_capita_income":"9223372036854.77"'
done
today=$(date -u +%F)
cp "$top/policies/tianjin/dibao.policy" "$tmp/candidate.policy"
impact() {   # JQ-ARGS...: POST /v1/impact with the candidate and today's range, plus the members given
    call POST "$ELIGO_OFFICER_TOKEN" /v1/impact \
        "$(jq -n --rawfile t "$tmp/candidate.policy" --arg d "$today" "$@" '{policy_text: $t, from: $d, to: $d} + $extra')"
}
# tianjin.dibao rows today: multi-1 (350.00), rec-1 and rec-2 (altered), big-1 and big-2
impact --argjson extra '{"benefit": "per_capita_income"}'
answered "sums past 64 bits are exact; altered rows apart, never \"before\"" 200 '"checked":5,"failed":0,"tampered":2,' \
    '"total_before":"18446744074059.54","total_after":"18446744074059.54","change":"0.00"' \
    "\"tampered\":[\"$id\",\"$id2\"]"
"$ELIGO" impact "$tmp/candidate.policy" --from "$today" --to "$today" --benefit per_capita_income --db "$url" \
    --policies "$tmp/policies" >"$tmp/out" 2>&1
same "eligo impact exits 1 when it found tampered rows" 1 $?
grep -q "total 18446744074059.54 -> 18446744074059.54" "$tmp/out" && grep -q "2 tampered" "$tmp/out" && ok ||
    not_ok "eligo impact report" "$(cat "$tmp/out")"
impact --argjson extra '{"benefit": "eligible"}'
answered "benefit naming a yes/no output" 422 '"pointer":"/benefit","detail":"the benefit output must be money"'
impact --argjson extra '{"eligibility": "monthly_benefit"}'
answered "eligibility naming a money output" 422 '"pointer":"/eligibility"'
impact --argjson extra '{"to": "2000-01-01"}'
answered "impact from after to" 422 '"pointer":"/from","detail":"from is after to"'
sed -i 's/^policy tianjin.dibao /policy tianjin.no_such /' "$tmp/candidate.policy"
impact --argjson extra '{}'
answered "impact of a policy never decided" 422 '"pointer":"/policy_text"' 'no decision was ever made'
"$ELIGO" impact "$tmp/candidate.policy" --from "$today" --to "$today" --db "$url" --policies "$tmp/policies" >"$tmp/out" 2>&1
same "eligo impact of a policy never decided exits 2" 2 $?
cp "$top/policies/tianjin/dibao.policy" "$tmp/candidate.policy"
"$ELIGO" impact "$tmp/candidate.policy" --from "$today" --to "$today" --benefit eligible --db "$url" \
    --policies "$tmp/policies" >"$tmp/out" 2>&1
same "eligo impact --benefit naming a yes/no output exits 2" "2 1" "$? $(grep -c 'must be money' "$tmp/out")"
"$ELIGO" impact "$tmp/candidate.policy" --from "$today" --to 2000-01-01 --db "$url" --policies "$tmp/policies" >"$tmp/out" 2>&1
same "eligo impact --from after --to exits 2" 2 $?
call POST "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"2000-01-01\"}"
answered "replay from after to" 422 '"pointer":"/from"'
"$ELIGO" replay --from "$today" --to 2000-01-01 --db "$url" >"$tmp/out" 2>&1
same "eligo replay --from after --to exits 2" 2 $?
call POST "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\",\"policy\":\"tianjin.no_such\"}"
answered "replay of a policy never decided" 422 '"pointer":"/policy"'
"$ELIGO" replay --from "$today" --to "$today" --policy tianjin.no_such --db "$url" >"$tmp/out" 2>&1
same "eligo replay --policy never decided exits 2" 2 $?
call POST "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\",\"policy\":\"tianjin.dibao\"}"
answered "a range replay counts the altered rows apart" 200 '"checked":5,"matches":3,"mismatches":0,"unreplayable":0,"tampered":2,'
"$ELIGO" replay "$upper" --db "$url" >"$tmp/out" 2>&1
same "eligo replay of an altered row, id in upper case: exit 1, flagged" "1 1" \
    "$? $(grep -c "\"decision_id\":\"$id\",\"match\":false,\"tampered\":true" "$tmp/out")"

for k in 1 2 3 4; do
    call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"alt-$k\",\"input\":$fam}"
done
sql "UPDATE eligo.decisions SET input = REPLACE(input, '1000.00', '1.00') WHERE request_id LIKE 'alt-%'"
cp "$top/policies/tianjin/dibao.policy" "$tmp/candidate.policy"
impact --argjson extra '{}'
answered "six altered rows: all listed, not five examples" 200 '"checked":9,"failed":0,"tampered":6,'
same "tampered ids listed" 6 "$(jq '.examples.tampered | length' "$tmp/body")"

# ---- 4. the same unit when each worker commits its own (--group-commit 0)
master=$(cat "$STACK_VAR/run/eligod.pid")
kill "$master"
# up to 30 s: a sanitizer build on a busy machine once took past 10 (the
# loop ends as soon as the master is gone; a master still stopping would
# be taken by stack_test_up below for the new one)
for _ in $(seq 1 300); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
# (its workers have flushed their request logs: the upper-case GET of part 2 is there in lower case)
same "the request log names the id in lower case only (its three GETs)" "0 3" \
    "$(grep -c "$upper" "$STACK_VAR/log/eligod.log") $(grep -c "GET /v1/decisions/$id 200" "$STACK_VAR/log/eligod.log")"
STACK_EXTRA="--group-commit 0" stack_test_up "$tmp"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.dibao\",\"wuyi.eco_burial\"],\"as_of\":\"2019-06-01\",\"request_id\":\"own-bad\",\"input\":$fam}"
answered "no committer: one policy of two rejects the input" 422 '"pointer":"/policy/1"'
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "${two/multi-1/own-1}"
answered "no committer: two policies" 201 '"request_id":"own-1/tianjin.tekun_care"'
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "${two/multi-1/own-1}"
answered "no committer: the same again" 200
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "$(printf '%s' "${two/multi-1/own-1}" | sed 's/tianjin.tekun_care/tianjin.medical_aid/')"
answered "no committer: another list" 422 "different request"
same "no committer: two rows, none for the 422s" "0 2" \
    "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id LIKE 'own-bad%'") $(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id LIKE 'own-1%'")"

finish
