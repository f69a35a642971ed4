#!/usr/bin/env bash
# diff_http.sh - POST /v1/diff through real nginx, eligod and MariaDB: the
# officer sends tianjin.dibao with the standard raised from 860 to 900 and
# gets the same 100 regions as `eligo diff --json` (the region of
# three-person households with incomes in [2580.00, 2700.00) among them),
# whose witness POST /v1/evaluate decides as the report says under the
# loaded version; a copy with other labels is equivalent; a candidate that
# does not compile is 422 at /text with file:line:col; an unknown policy
# 404; the portal 403; bad dates 422 naming the member.  Nothing is
# stored.  `eligo diff sha256:...` reads the text a decision was made
# under from the database (logged) and finds the same 100 regions.  Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
export ELIGO ELIGOD
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack diffhttp
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
require jq -- "Debian package jq"
export STACK_WORKERS=2 STACK_POLICIES=$top/policies STACK_CHECKPOINTS=0
stack_test_up "$tmp"
officer=(-H "Authorization: Bearer $ELIGO_OFFICER_TOKEN" -H 'Content-Type: application/json')
portal=(-H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" -H 'Content-Type: application/json')
rows() { mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.decisions"; }
# body FILE [MORE]: {"policy": "tianjin.dibao", "text": <FILE>, MORE...}
body() { jq -n --rawfile t "$1" "{policy: \"tianjin.dibao\", text: \$t${2:+, $2}}"; }

sed 's/from 2017-04-01: 860.00/from 2017-04-01: 900.00/' "$top/policies/tianjin/dibao.policy" >"$tmp/900.policy"
before=$(rows)
body "$tmp/900.policy" 'as_of: "2019-01-01"' >"$tmp/req"
if expect "POST /v1/diff 860 -> 900" 200 "${officer[@]}" --data-binary @"$tmp/req" "$U/v1/diff"; then
    check "not equivalent, exact, 100 regions" '.equivalent == false and .exact == true and (.regions | length) == 100'
    check "region 6: three people, [2580.00, 2700.00), eligible false -> true" \
        '.regions[5].description == "家庭人口 = 3 and 家庭月收入合计 in [2580.00, 2700.00)" and
         .regions[5].changes[0] == {"output":"eligible","label":.regions[5].changes[0].label,"old":false,"new":true,"varies":false}'
    cp "$tmp/body" "$tmp/report.json"
    # the same report as the command line's
    "$ELIGO" diff tianjin.dibao "$tmp/900.policy" --as-of 2019-01-01 --json --policies "$top/policies" \
        >"$tmp/cli.json" 2>/dev/null
    if cmp -s <(jq -S . "$tmp/report.json") <(jq -S . "$tmp/cli.json"); then ok "the JSON of eligo diff --json"
    else not_ok "HTTP and CLI reports differ" "$(diff <(jq -S . "$tmp/report.json") <(jq -S . "$tmp/cli.json") | head -n 8)"; fi
    # its witness, decided by the loaded (860) version: not eligible, 0.00
    jq -c '.regions[5].witness' "$tmp/report.json" >"$tmp/w"
    expect "POST /v1/evaluate the witness" 200 "${officer[@]}" --data-binary @"$tmp/w" "$U/v1/evaluate" &&
        check "the witness under 860: not eligible, 0.00, as reported" \
            ".outputs == $(jq -c '.regions[5].witness_outputs.old' "$tmp/report.json") and .outputs.eligible == false and .outputs.monthly_benefit == \"0.00\""
fi
if [ "$(rows)" = "$before" ]; then ok "nothing stored"; else not_ok "the diff stored decisions"; fi

# ---- eligo diff of a stored version, by its hash: a decision stores the
# text it was made under; the read is logged before it is made
printf '{"policy":"tianjin.dibao","as_of":"2019-01-01","input":{"household":{"members":[{"id":"a","age":40,"monthly_income":"1000.00"}]}}}' >"$tmp/d"
if expect "POST /v1/decisions" 201 "${portal[@]}" --data-binary @"$tmp/d" "$U/v1/decisions"; then
    hash=$(jq -r .policy.hash "$tmp/body")
    url=$(mariadb_url "$STACK_VAR/mariadb")
    ELIGO_DB=$url "$ELIGO" diff "$hash" "$tmp/900.policy" --as-of 2019-01-01 --json --policies "$top/policies" \
        >"$tmp/body" 2>"$tmp/err"
    rc=$?
    if [ $rc = 1 ]; then ok "eligo diff $hash (exit 1)"; else not_ok "eligo diff by hash: exit $rc" "$(cat "$tmp/err")"; fi
    check "the stored 860 against 900: the same 100 regions" '(.regions | length) == 100 and .exact == true'
    logged=$(mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.access_log WHERE action = 'diff' AND target = '$hash'")
    if [ "$logged" = 1 ]; then ok "the read of the stored text is logged"; else not_ok "access_log rows for diff: $logged"; fi
    ELIGO_DB=$url "$ELIGO" diff "sha256:$(printf '0%.0s' $(seq 64))" "$tmp/900.policy" --policies "$top/policies" >/dev/null 2>"$tmp/err"
    rc=$?
    if [ $rc = 1 ] && grep -q "no policy text stored" "$tmp/err"; then ok "an unknown hash (exit 1)"
    else not_ok "unknown hash: exit $rc" "$(cat "$tmp/err")"; fi
    before=$(rows)
fi

# ---- labels and layout only: equivalent
sed -e 's/"家庭人口"/"家庭人口数"/' -e 's/^  = income < threshold$/  =   income <   threshold/' "$top/policies/tianjin/dibao.policy" >"$tmp/same.policy"
body "$tmp/same.policy" >"$tmp/req"
expect "POST /v1/diff relabelled copy" 200 "${officer[@]}" --data-binary @"$tmp/req" "$U/v1/diff" &&
    check "equivalent" '.equivalent == true and .exact == true and .regions == []'

# ---- errors
sed 's/^let income: money per month/let income: money per mnth/' "$top/policies/tianjin/dibao.policy" >"$tmp/broken.policy"
body "$tmp/broken.policy" >"$tmp/req"
expect "a candidate that does not compile" 422 "${officer[@]}" --data-binary @"$tmp/req" "$U/v1/diff" &&
    check "422 at /text with file:line:col: error:" '.errors[0].pointer == "/text" and (.errors[0].detail | test("candidate.policy:[0-9]+:[0-9]+: error:"))'
jq -n --rawfile t "$tmp/900.policy" '{policy: "no.such", text: $t}' >"$tmp/req"
expect "an unknown policy" 404 "${officer[@]}" --data-binary @"$tmp/req" "$U/v1/diff"
body "$tmp/900.policy" >"$tmp/req"
expect "the portal may not diff" 403 "${portal[@]}" --data-binary @"$tmp/req" "$U/v1/diff"
body "$tmp/900.policy" 'as_of: "2019-01-01", from: "2019-01-01", to: "2019-02-01"' >"$tmp/req"
expect "as_of with from and to" 422 "${officer[@]}" --data-binary @"$tmp/req" "$U/v1/diff" &&
    check "named /as_of" '.errors[0].pointer == "/as_of"'
body "$tmp/900.policy" 'as_of: "2019-02-30"' >"$tmp/req"
expect "a bad date" 422 "${officer[@]}" --data-binary @"$tmp/req" "$U/v1/diff" &&
    check "named /as_of" '.errors[0].pointer == "/as_of"'
body "$tmp/900.policy" 'to: "2019-02-01"' >"$tmp/req"
expect "to without from" 422 "${officer[@]}" --data-binary @"$tmp/req" "$U/v1/diff"

finish
