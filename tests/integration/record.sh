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
#      seq); an upper-case id is answered in lower case; a row whose
#      stored outputs were altered in MariaDB is shown "tampered" with the
#      parts that differ;
#   3. impact: a tampered row is counted apart, never used as "before";
#      a sum past 64 bits is a 422 naming the decision; a benefit that is
#      not money, an unknown policy and from after to are 422; the CLI
#      exits 1 on findings and 2 on usage.
# Last line "N passed, N failed"; non-zero exit on failure.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
ELIGO=${ELIGO:-$top/eligo}
export ELIGO ELIGOD
PATH=$PATH:/usr/sbin
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eligo-record.XXXXXX")
# shellcheck source=tests/lib/stack.sh
. "$top/tests/lib/stack.sh"
export STACK_VAR=$tmp/var STACK_WORKERS=2 STACK_POLICIES=$tmp/policies
cp -r "$top/policies" "$tmp/policies" && chmod -R u+w "$tmp/policies"
STACK_PORT=$(mariadb_free_port) || exit 1
export STACK_PORT
cleanup() { stack_down >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

passed=0 failed=0
ok() { passed=$((passed + 1)); }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -c 2000 && echo; }
call() {   # METHOD TOKEN PATH [BODY]: sets $code and $tmp/body
    local data=()
    [ -n "${4:-}" ] && data=(-H 'Content-Type: application/json' --data-binary "$4")
    code=$(curl -s -m 30 -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $2" "${data[@]}" "$U$3")
}
expect() {   # NAME WANT-CODE [TEXT...]
    local name=$1 want=$2 t
    shift 2
    if [ "$code" != "$want" ]; then not_ok "$name: status $code, wanted $want" "$(cat "$tmp/body")"; return 1; fi
    for t in "$@"; do
        grep -qF -- "$t" "$tmp/body" || { not_ok "$name: no \`$t\`" "$(cat "$tmp/body")"; return 1; }
    done
    ok
}
same() { if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$3', wanted '$2'"; fi; }
sql() { mariadb_sql "$STACK_VAR/mariadb" "$1"; }

stack_test_up "$tmp"
fam=$(tr -d '\n' <"$top/tests/requests/dibao-family.json")
screen=$(tr -d '\n' <"$top/tests/requests/household-screening.json")

# ---- 1. one request, one unit
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.dibao\",\"wuyi.eco_burial\"],\"as_of\":\"2019-06-01\",\"request_id\":\"multi-bad\",\"input\":$fam}"
expect "one policy of two rejects the input: 422 naming it" 422 '"policy":{"pointer":"/policy/1","name":"wuyi.eco_burial"}'
same "nothing stored after the 422" 0 "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id LIKE 'multi-bad%'")"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.dibao\",\"no.such\"],\"as_of\":\"2019-06-01\",\"request_id\":\"multi-bad\",\"input\":$fam}"
expect "an unknown policy of a list: 404 naming it" 404 '"pointer":"/policy/1"'

two="{\"policy\":[\"tianjin.dibao\",\"tianjin.tekun_care\"],\"as_of\":\"2019-09-01\",\"request_id\":\"multi-1\",\"input\":$screen}"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "$two"
expect "two policies: 201 with both" 201 '"monthly_benefit":"1020.00"' '"monthly_care_subsidy":"800.00"' \
    '"request_id":"multi-1/tianjin.tekun_care"'
ids=$(grep -o '"decision_id":"[^"]*"' "$tmp/body" | tr '\n' ' ')
same "both stored" 2 "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id LIKE 'multi-1%'")"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "$two"
expect "the same request again: 200" 200
same "the retry answers the stored decisions" "$ids" "$(grep -o '"decision_id":"[^"]*"' "$tmp/body" | tr '\n' ' ')"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "${two/tianjin.tekun_care/tianjin.medical_aid}"
expect "same request_id, another list: 422" 422 "different request"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.tekun_care\",\"tianjin.dibao\"],\"as_of\":\"2019-09-01\",\"request_id\":\"multi-1\",\"input\":$screen}"
expect "same request_id, the list in another order: 422" 422 "different request"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-09-01\",\"request_id\":\"multi-1\",\"input\":$screen}"
expect "same request_id, a string instead of the list: 422" 422 "different request"
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":\"tianjin.tekun_care\",\"as_of\":\"2019-09-01\",\"request_id\":\"single-1\",\"input\":$screen}"
expect "a single policy" 201
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":[\"tianjin.tekun_care\",\"tianjin.dibao\"],\"as_of\":\"2019-09-01\",\"request_id\":\"single-1\",\"input\":$screen}"
expect "its request_id with a list: 422" 422 "different request"
same "nothing more stored under either request_id" 3 \
    "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE request_id LIKE 'multi-1%' OR request_id LIKE 'single-1%'")"
same "every stored decision answered" 3 "$(sql "SELECT COUNT(*) FROM eligo.decisions")"


# ---- 2. the whole record, checked before it is shown
url=$(mariadb_url "$STACK_VAR/mariadb")
call POST "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"rec-1\",\"input\":$fam}"
expect "a decision to read back" 201
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
expect "the whole record, asked for in upper case" 200 "{\"decision_id\":\"$id\",\"request_id\":\"rec-1\",\"client\":\"stack-portal\",\"created_at\":\"$(date -u +%F)T" \
    '"policy":{"name":"tianjin.dibao","hash":"sha256:' "\"model\":{\"hash\":\"$model\"}" '"as_of":"2019-01-01"' \
    "\"seq\":$seq,\"checkpoint\":1,\"tampered\":false,\"input\":{\"household\":" \
    "\"answered\":{\"decision_id\":\"$id\",\"request_id\":\"rec-1\",\"policy\":" '"monthly_benefit":"1080.00"'
grep -qE '"created_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"' "$tmp/body" && ok ||
    not_ok "created_at is not RFC 3339 UTC" "$(cat "$tmp/body")"
same "the upper-case id is neither echoed nor logged" "0 $id" \
    "$(grep -c "$upper" "$tmp/body") $(sql "SELECT target FROM eligo.access_log WHERE action = 'decisions_get' ORDER BY id DESC LIMIT 1")"
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id2"
expect "a record not yet checkpointed" 200 '"seq":null,"checkpoint":null,"tampered":false'
call GET "$ELIGO_AUDITOR_TOKEN" /v1/decisions/00000000-0000-7000-8000-000000000000
expect "an unknown id" 404
call GET "$ELIGO_AUDITOR_TOKEN" /v1/decisions/not-an-id
expect "not an id" 404
sql "UPDATE eligo.decisions SET outputs = REPLACE(outputs, '1080.00', '9999.00') WHERE id IN ('$id', '$id2')"
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id"
expect "stored outputs altered: flagged, with the parts" 200 '"tampered":true,"differs":["content_hash","checkpoint","outputs"]'
call GET "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id2"
expect "the same before its checkpoint" 200 '"checkpoint":null,"tampered":true,"differs":["content_hash","outputs"]'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
