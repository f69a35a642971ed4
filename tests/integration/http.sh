#!/usr/bin/env bash
# http.sh - HTTP by the book, through real nginx, eligod and MariaDB:
# every error a problem+json with a type URI per error class, instance and
# request_id, from eligod and from nginx alike; Location on 201;
# Retry-After on 409 and 503; Cache-Control: no-store; HEAD wherever GET
# is; Allow on every 405 (nginx's TRACE included); a JSON 404 for /v1;
# the Idempotency-Key header as a Structured Field string held to
# request_id's rule; a policy's JSON Schema, judging envelopes as
# eligod does; messages that say what is wrong with a value; a locked
# access_log that delays only audited routes; and /healthz 503 with the
# database stopped; and the request id, one per request and the same
# in the answer, the logs and the problem.  Last line "N passed, N
# failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack http
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
# without a checkpoint key, so that GET /v1/audit/verify shows a 503 that
# is not the database's
export STACK_WORKERS=4 STACK_POLICIES=$top/policies STACK_CHECKPOINTS=0
locker=
cleanup() {
    [ -n "$locker" ] && kill "$locker" 2>/dev/null
}
at_exit cleanup

stack_test_up "$tmp"
PT=https://eligo.example/problems
portal=(-H "Authorization: Bearer $ELIGO_PORTAL_TOKEN")
auditor=(-H "Authorization: Bearer $ELIGO_AUDITOR_TOKEN")
json=(-H 'Content-Type: application/json')
rows() { mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.decisions"; }
dibao() {   # AS_OF [MORE MEMBERS OF THE ENVELOPE]: a one-person dibao request
    printf '{"policy":"tianjin.dibao","as_of":"%s",%s"input":{"household":{"members":[{"id":"a","age":40,"monthly_income":"%s"}]}}}' \
        "$1" "${2:-}" "${3:-1000.00}"
}

# problem NAME TYPE INSTANCE: the last body is a problem of that type
# naming the path, with the request id nginx sent back in X-Request-Id
problem() {
    local rid
    rid=$(tr -d '\r' <"$tmp/headers" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: //p' | tail -n 1)
    contains "$1: type $2" "\"type\":\"$PT/$2\"" "$tmp/body"
    contains "$1: instance" "\"instance\":\"$3\"" "$tmp/body"
    contains "$1: request_id" "\"request_id\":\"$rid\"" "$tmp/body"
}

# ---- problem types, from eligod and from nginx
expect "404 unknown route (eligod)" 404 "${portal[@]}" "$U/v1/nothing" && problem "eligod 404" not-found /v1/nothing
expect "404 outside /v1 (nginx)" 404 "$U/nothing" && problem "nginx 404" not-found /nothing
expect "404 for /v1, not a redirect" 404 "$U/v1" && problem "/v1" not-found /v1
no_header "/v1: no Location" Location
expect "404 unknown policy" 404 "${portal[@]}" "$U/v1/policies/no.such" &&
    problem "unknown policy" unknown-policy /v1/policies/no.such
expect "404 deciding an unknown policy" 404 "${portal[@]}" "${json[@]}" \
    -d '{"policy":"no.such","input":{"household":{}}}' "$U/v1/decisions" &&
    problem "decision for an unknown policy" unknown-policy /v1/decisions
expect "401 without a token" 401 "$U/v1/policies" && problem "401" unauthorized /v1/policies
has_header "401: WWW-Authenticate" 'WWW-Authenticate: Bearer realm="eligo"'
expect "403 portal reading a decision" 403 "${portal[@]}" "$U/v1/decisions/x" && problem "403" forbidden /v1/decisions/x
expect "405 DELETE /v1/policies" 405 -X DELETE "${portal[@]}" "$U/v1/policies" &&
    problem "405 (eligod)" method-not-allowed /v1/policies
has_header "405: Allow names GET and HEAD" "Allow: GET, HEAD"
expect "405 GET /v1/decisions" 405 "${portal[@]}" "$U/v1/decisions" && has_header "405: Allow: POST" "Allow: POST"
expect "405 TRACE (nginx)" 405 -X TRACE "$U/v1/decisions" && problem "405 (nginx)" method-not-allowed /v1/decisions
has_header "nginx's 405: Allow" "Allow: POST"
expect "405 TRACE on a GET route" 405 -X TRACE "$U/v1/policies/tianjin.dibao" &&
    has_header "nginx's 405 on a GET route: Allow" "Allow: GET, HEAD"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
expect "413 body over 1 MiB (nginx, before the token)" 413 "${json[@]}" --data-binary @"$tmp/big.json" "$U/v1/decisions" &&
    problem "413" payload-too-large /v1/decisions
expect "415 text/plain" 415 "${portal[@]}" -H 'Content-Type: text/plain' -d '{}' "$U/v1/decisions" &&
    problem "415" unsupported-media-type /v1/decisions
expect "503 verify without a key: not the database's" 503 "${auditor[@]}" "$U/v1/audit/verify" &&
    problem "no key" service-unavailable /v1/audit/verify && has_header "no key: Retry-After" "Retry-After: 2"
expect "400 malformed JSON" 400 "${portal[@]}" "${json[@]}" -d '{"policy":' "$U/v1/decisions" &&
    problem "400" malformed-json /v1/decisions
for v in null 1 true; do
    expect "422 for the JSON value $v" 422 "${portal[@]}" "${json[@]}" -d "$v" "$U/v1/decisions" &&
        problem "$v" invalid-input /v1/decisions &&
        contains "$v: expected a JSON object" '"errors":[{"pointer":"","detail":"expected a JSON object"}]' "$tmp/body"
done
for route in "auditor /v1/replays" "officer /v1/impact"; do
    # shellcheck disable=SC2086  # ROLE PATH, split on purpose
    set -- $route
    tok=$([ "$1" = auditor ] && echo "$ELIGO_AUDITOR_TOKEN" || echo "$ELIGO_OFFICER_TOKEN")
    expect "422 for null to $2" 422 -H "Authorization: Bearer $tok" "${json[@]}" -d null "$U$2" &&
        problem "null to $2" invalid-input "$2" &&
        contains "null to $2: expected a JSON object" '"errors":[{"pointer":"","detail":"expected a JSON object"}]' "$tmp/body"
    expect "400 for broken JSON to $2" 400 -H "Authorization: Bearer $tok" "${json[@]}" -d '{"from":' "$U$2" &&
        problem "broken JSON to $2" malformed-json "$2"
done
expect "422 input that does not fit" 422 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01 '' fifty)" "$U/v1/decisions" &&
    problem "422" invalid-input /v1/decisions
expect "400 as_of not a date" 400 "${portal[@]}" "$U/v1/policies/tianjin.dibao?as_of=2019-13-01" &&
    problem "as_of" invalid-parameter /v1/policies/tianjin.dibao &&
    contains "as_of: the pointer is /as_of" '"errors":[{"pointer":"/as_of",' "$tmp/body"
expect "422 a date the policy does not cover" 422 "${portal[@]}" "${json[@]}" -d "$(dibao 2031-01-01)" "$U/v1/decisions" &&
    problem "2031" outside-covered-period /v1/decisions &&
    contains "2031: pointer /as_of" '"pointer":"/as_of"' "$tmp/body"
expect "GET the policy on a date it does not cover" 200 "${portal[@]}" "$U/v1/policies/tianjin.dibao?as_of=2031-01-01" &&
    contains "2031: not covered" '"covered":false' "$tmp/body"
if grep -qF '"in_force":true' "$tmp/body"; then not_ok "2031: a parameter says in_force: true" "$(cat "$tmp/body")"
else ok "2031: no parameter in force"; fi
expect "GET the policy on a covered date" 200 "${portal[@]}" "$U/v1/policies/tianjin.dibao?as_of=2019-01-01" &&
    contains "2019: covered" '"covered":true' "$tmp/body"

# ---- the OpenAPI document, served as docs/openapi.yaml has it
expect "GET /v1/openapi.json" 200 "$U/v1/openapi.json"
if [ "$(jq -S . "$tmp/body" 2>&1)" = "$(sed '/^#/d' "$top/docs/openapi.yaml" | jq -S .)" ]; then
    ok "the served document is docs/openapi.yaml"
else not_ok "the served document differs from docs/openapi.yaml" "$(head -c 300 "$tmp/body")"; fi

# ---- a policy's JSON Schema: the one `eligo schema` writes, and it
# judges request envelopes as eligod does (their inputs: tests/api/schema.sh)
expect "GET a policy's schema" 200 "${portal[@]}" "$U/v1/policies/tianjin.dibao/schema" &&
    has_header "the schema's media type" "Content-Type: application/schema+json"
cp "$tmp/body" "$tmp/schema.json"
if [ "$(jq -S . "$tmp/schema.json" 2>&1)" = "$("$ELIGO" schema tianjin.dibao --policies "$top/policies" | jq -S .)" ]; then
    ok "the served schema is eligo schema's"
else not_ok "the served schema differs from eligo schema's" "$(head -c 300 "$tmp/schema.json")"; fi
expect "the schema of an unknown policy" 404 "${portal[@]}" "$U/v1/policies/no.such/schema" &&
    problem "schema 404" unknown-policy /v1/policies/no.such/schema
expect "the schema needs a token" 401 "$U/v1/policies/tianjin.dibao/schema"
envelope_agrees() {   # NAME BODY: 2xx from eligod exactly when the schema accepts BODY
    local code verdict
    code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "${portal[@]}" "${json[@]}" -d "$2" "$U/v1/decisions")
    verdict=$(printf '%s' "$2" | python3 -c 'import json, sys, decimal, jsonschema
s = json.load(open(sys.argv[1]), parse_float=decimal.Decimal)
v = jsonschema.Draft202012Validator(s)
print("accepts" if v.is_valid(json.load(sys.stdin, parse_float=decimal.Decimal)) else "rejects")' "$tmp/schema.json" 2>&1)
    case $code:$verdict in
    2??:accepts | 4??:rejects) ok "envelope $1: eligod $code, the schema $verdict" ;;
    *) not_ok "envelope $1: eligod $code, the schema $verdict" "$2" ;;
    esac
}
envelope_agrees "valid" "$(dibao 2019-01-01)"
envelope_agrees "explain text" "$(dibao 2019-01-01 '"explain":"text",')"
envelope_agrees "explain 1" "$(dibao 2019-01-01 '"explain":1,')"
envelope_agrees "explain null" "$(dibao 2019-01-01 '"explain":null,')"
envelope_agrees "29 February 2019" "$(dibao 2019-02-29)"
envelope_agrees "29 February 2020" "$(dibao 2020-02-29)"
envelope_agrees "as_of 1899" "$(dibao 1899-12-31)"
envelope_agrees "request_id with a space" "$(dibao 2019-01-01 '"request_id":"a b",')"
envelope_agrees "request_id of 129" "$(dibao 2019-01-01 "\"request_id\":\"$(printf 'r%.0s' $(seq 129))\",")"
envelope_agrees "an unknown member" "$(dibao 2019-01-01 '"extra":1,')"
envelope_agrees "no policy" '{"input":{"household":{"members":[{"id":"a","age":40}]}}}'
envelope_agrees "no input" '{"policy":"tianjin.dibao"}'
envelope_agrees "a list of policies" '{"policy":["tianjin.dibao","tianjin.medical_aid"],"as_of":"2019-01-01","input":{"household":{"members":[{"id":"a","age":40}]}}}'
envelope_agrees "a policy listed twice" '{"policy":["tianjin.dibao","tianjin.dibao"],"as_of":"2019-01-01","input":{"household":{"members":[{"id":"a","age":40}]}}}'
envelope_agrees "input not an object" '{"policy":"tianjin.dibao","input":[]}'

# ---- values: the message says what is wrong
m=/input/household/members/0/monthly_income
expect "money 1e3" 422 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01 '' 1e3 | sed 's/"1e3"/1e3/')" "$U/v1/decisions" &&
    contains "1e3: the exponent" "{\"pointer\":\"$m\",\"detail\":\"expected money >= 0 written without an exponent (such as 1000.00), got 1e3\"}" "$tmp/body"
expect "money 1,000.00" 422 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01 '' 1,000.00)" "$U/v1/decisions" &&
    contains "1,000.00: the separators" 'written without thousands separators (such as 1000.00), got \"1,000.00\"' "$tmp/body"
expect "money above the largest" 422 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01 '' 9223372036854.78)" "$U/v1/decisions" &&
    contains "too much: the largest" 'expected money >= 0 up to 9223372036854.77, got \"9223372036854.78\"' "$tmp/body"
expect "a year before 1900" 422 "${portal[@]}" "${json[@]}" \
    -d '{"policy":"tianjin.worker_certification","as_of":"2019-01-01","input":{"worker":{"hired_on":"1899-12-31","has_certificate":false}}}' \
    "$U/v1/decisions" &&
    contains "1899: the range" 'expected date YYYY-MM-DD from 1900-01-01 to 2199-12-31, got \"1899-12-31\"' "$tmp/body"

# ---- 201: Location and no-store; the stored decision by its Location
expect "POST a decision" 201 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01 '"request_id":"http-1",')" "$U/v1/decisions"
id=$(grep -o '"decision_id":"[^"]*"' "$tmp/body" | head -n 1 | cut -d'"' -f4)
has_header "201: Location" "Location: /v1/decisions/$id"
has_header "201: Cache-Control" "Cache-Control: no-store"
expect "the retry" 200 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01 '"request_id":"http-1",')" "$U/v1/decisions" &&
    contains "the retry: the same decision" "\"decision_id\":\"$id\"" "$tmp/body"
expect "GET the Location" 200 "${auditor[@]}" "$U/v1/decisions/$id" && contains "the Location is the decision" "$id" "$tmp/body"
has_header "GET a decision: Cache-Control" "Cache-Control: no-store"
expect "request_id reused" 422 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01 '"request_id":"http-1",' 999.00)" "$U/v1/decisions" &&
    problem "reused" request-id-reused /v1/decisions
has_header "422: Cache-Control" "Cache-Control: no-store"

# ---- 409 while the same request_id is held by another transaction
(mariadb_sql "$STACK_VAR/mariadb" \
    "BEGIN; SELECT id FROM eligo.decisions WHERE request_id = 'http-1' FOR UPDATE; SELECT SLEEP(3); COMMIT" >/dev/null 2>&1) &
locker=$!
sleep 0.5
expect "409 in flight" 409 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01 '"request_id":"http-1",')" "$U/v1/decisions" &&
    problem "409" request-in-flight /v1/decisions
has_header "409: Retry-After" "Retry-After: 1"
wait "$locker"
locker=

# ---- HEAD wherever GET is: the same status and headers, no body
head_like_get() {   # PATH [TOKEN [TYPE]]: on a plain socket, so that a body would be seen
    local path=$1 get_len hdr='' type=${3:-application/json}
    [ -n "${2:-}" ] && hdr="Authorization: Bearer $2\r\n"
    expect "GET $path" 200 ${2:+-H "Authorization: Bearer $2"} "$U$path" || return
    get_len=$(wc -c <"$tmp/body")
    (
        exec 3<>"/dev/tcp/127.0.0.1/$STACK_PORT" || exit 1
        printf "HEAD %s HTTP/1.1\r\nHost: localhost\r\n${hdr}Connection: close\r\n\r\n" "$path" >&3
        timeout 10 cat <&3
    ) >"$tmp/head" 2>/dev/null
    tr -d '\r' <"$tmp/head" | sed '/^$/q' >"$tmp/headers"
    if head -n 1 "$tmp/headers" | grep -q ' 200 '; then ok "HEAD $path: 200"; else not_ok "HEAD $path" "$(cat "$tmp/head")"; fi
    has_header "HEAD $path: the GET's Content-Length" "Content-Length: $get_len"
    has_header "HEAD $path: the GET's Content-Type" "Content-Type: $type"
    local total head_len
    total=$(wc -c <"$tmp/head")
    head_len=$(awk '{ n += length($0) + 1 } /^\r?$/ { print n; exit }' "$tmp/head")
    [ "$total" = "$head_len" ] && ok "HEAD $path: no body" || not_ok "HEAD $path: $((total - head_len)) bytes after the headers"
}
head_like_get /v1/policies "$ELIGO_PORTAL_TOKEN"
head_like_get "/v1/policies/tianjin.dibao?as_of=2019-01-01" "$ELIGO_PORTAL_TOKEN"
head_like_get "/v1/decisions/$id" "$ELIGO_AUDITOR_TOKEN"
head_like_get /v1/policies/tianjin.dibao/schema "$ELIGO_PORTAL_TOKEN" application/schema+json
head_like_get /healthz
expect "HEAD /metrics" 200 -I "$U/metrics" && has_header "HEAD /metrics: text" "Content-Type: text/plain; version=0.0.4; charset=utf-8"
expect "HEAD of a POST route" 405 -I "${portal[@]}" "$U/v1/decisions" && has_header "HEAD of a POST route: Allow" "Allow: POST"

# ---- Idempotency-Key: a Structured Field string, held to request_id's rule
before=$(rows)
idem() {   # NAME STATUS KEY [TEXT]
    expect "Idempotency-Key $1" "$2" "${portal[@]}" "${json[@]}" -H "Idempotency-Key: $3" -d "$(dibao 2019-01-01)" "$U/v1/decisions" &&
        { [ -z "${4:-}" ] || contains "Idempotency-Key $1: $4" "$4" "$tmp/body"; }
}
idem "quoted" 201 '"key-q1"' '"request_id":"key-q1"'
idem "the same key unquoted" 200 'key-q1' '"request_id":"key-q1"'
after=$(rows)
[ "$after" = $((before + 1)) ] && ok "one key, one row" || not_ok "one key gave $((after - before)) rows"
before=$after
idem "with a space" 400 'a b' && problem "a b" invalid-parameter /v1/decisions
idem "in Chinese" 400 '请求-1'
idem "of invalid UTF-8" 400 "$(printf 'k\xff\xfe')"
idem "quoted with a space" 400 '"a b"'
idem "with an escaped quote" 400 '"key\"q2"'
idem "with an open quote" 400 '"key-q3'
idem "with text after the quote" 400 '"key-q3"x'
idem "of 129 characters" 400 "$(printf 'k%.0s' $(seq 1 129))"
[ "$(rows)" = "$before" ] && ok "no row for a refused key" || not_ok "a refused key stored a row"

# ---- the request id (eligo_maps.conf): time, nginx worker, connection and
# request on it; the same in X-Request-Id, the problem, eligod's log line
# and nginx's access log
curl -s -m 10 -D "$tmp/ids" -o /dev/null -o "$tmp/body" "${portal[@]}" "$U/v1/nothing" "$U/v1/nothing"
mapfile -t ids < <(tr -d '\r' <"$tmp/ids" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: //p')
same "request id: two answers on one connection, two ids" 2 "${#ids[@]}"
rid_re='^[0-9]+\.[0-9]{3}-[0-9]+-[0-9]+-[0-9]+$'
[[ ${ids[0]:-} =~ $rid_re ]] && [[ ${ids[1]:-} =~ $rid_re ]] && ok "request ids: msec-pid-connection-request" ||
    not_ok "request ids: ${ids[*]}"
conn=${ids[0]#*-}     # pid-connection-request, without the time
same "request ids: one worker and connection, requests 1 and 2" "${conn%-*}-1 ${conn%-*}-2" "$conn ${ids[1]#*-}"
contains "request id: the second problem names its id" "\"request_id\":\"${ids[1]:-none}\"" "$tmp/body"
# both logs are buffered, eligod's until its thread is idle for a while
for _ in $(seq 1 50); do
    grep -qF "${ids[1]:-none}" "$STACK_VAR/log/eligod.log" &&
        grep -qF "rid=${ids[1]:-none}" "$STACK_VAR/nginx/logs/access.log" && break
    sleep 0.1
done
contains "request id: eligod logged the request under it" "${ids[1]:-none}" "$STACK_VAR/log/eligod.log"
contains "request id: in nginx's access log" "rid=${ids[1]:-none}" "$STACK_VAR/nginx/logs/access.log"

# ---- a locked access_log delays only the audited routes
# The playground's counts are written by each worker's own thread
# (src/service/access_queue.c): an officer of its own, so that its rows
# are this part's alone, evaluates beside the portal; none waits for the
# lock, and every request is counted once the lock is gone.
lock_officer=(-H "Authorization: Bearer $("$ELIGO" token add --role officer --name lock-officer \
    --db "$(mariadb_url "$STACK_VAR/mariadb")")")
(mariadb_sql "$STACK_VAR/mariadb" "LOCK TABLES eligo.access_log WRITE; SELECT SLEEP(4); UNLOCK TABLES" >/dev/null 2>&1) &
locker=$!
sleep 0.5
curl -s -m 10 -o "$tmp/audit.body" -w '%{http_code} %{time_total}\n' "${auditor[@]}" "$U/v1/decisions/$id" >"$tmp/audit.out" &
audit=$!
sleep 0.2
slow=0 bad=0
for i in $(seq 1 10); do
    read -r code secs < <(curl -s -m 10 -o /dev/null -w '%{http_code} %{time_total}\n' "${portal[@]}" "${json[@]}" \
        -d "$(dibao 2019-01-01 "\"request_id\":\"lock-$i\",")" "$U/v1/decisions")
    [ "$code" = 201 ] || bad=$((bad + 1))
    awk -v s="$secs" 'BEGIN { exit !(s > 0.5) }' && slow=$((slow + 1))
    read -r hcode < <(curl -s -m 10 -o "$tmp/health" -w '%{http_code}\n' "$U/healthz")
    [ "$hcode" = 200 ] && grep -qF '"database":"up"' "$tmp/health" || bad=$((bad + 1))
    read -r code secs < <(curl -s -m 10 -o /dev/null -w '%{http_code} %{time_total}\n' "${lock_officer[@]}" \
        "${json[@]}" -d "$(dibao 2019-01-01)" "$U/v1/evaluate")
    [ "$code" = 200 ] || bad=$((bad + 1))
    awk -v s="$secs" 'BEGIN { exit !(s > 0.5) }' && slow=$((slow + 1))
    sleep 0.2
done
[ $bad = 0 ] && ok "access_log locked: every decision 201, evaluate 200, /healthz 200 database up" ||
    not_ok "access_log locked: $bad of 30 portal decisions, evaluations or health checks failed"
[ $slow = 0 ] && ok "access_log locked: no decision or evaluation took over 0.5 s" ||
    not_ok "access_log locked: $slow decisions or evaluations took over 0.5 s"
wait "$audit"
read -r acode asecs <"$tmp/audit.out"
[ "$acode" = 503 ] && ok "access_log locked: the auditor's read is 503" || not_ok "access_log locked: the auditor got $acode" "$(cat "$tmp/audit.body")"
awk -v s="$asecs" 'BEGIN { exit !(s < 1.5) }' && ok "the auditor's 503 within its bound ($asecs s)" ||
    not_ok "the auditor waited $asecs s"
wait "$locker"
locker=
expect "the lock gone: the auditor reads" 200 "${auditor[@]}" "$U/v1/decisions/$id"
# a failed write is tried again a second later: up to 10 s for all 10
for _ in $(seq 1 100); do
    counted=$(mariadb_sql "$STACK_VAR/mariadb" "SELECT COALESCE(SUM(requests), 0) FROM eligo.access_log WHERE client = 'lock-officer'")
    [ "$counted" -ge 10 ] && break
    sleep 0.1
done
same "access_log locked: the 10 evaluations counted once it is free" 10 "$counted"

# ---- the database stopped: /healthz and decisions 503 with Retry-After
mariadb_stop "$STACK_VAR/mariadb"
expect "healthz with the database stopped" 503 "$U/healthz" &&
    problem "healthz" store-unavailable /healthz && contains "healthz: database down" '"database":"down"' "$tmp/body"
has_header "healthz 503: Retry-After" "Retry-After: 2"
expect "a decision with the database stopped" 503 "${portal[@]}" "${json[@]}" -d "$(dibao 2019-01-01)" "$U/v1/decisions" &&
    problem "503" store-unavailable /v1/decisions
has_header "503: Retry-After" "Retry-After: 2"

finish
