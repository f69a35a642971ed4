#!/usr/bin/env bash
# workbench.sh - the officer's workbench (web/workbench/) in a real
# browser against the live stack: Debian's chromium, headless, driven by
# puppeteer-core (pinned by tests/workbench/package-lock.json, installed
# with `npm ci` once per build directory as tests/client's packages are)
# through tests/workbench/workbench.mjs.  It opens the page through nginx,
# loads tianjin.dibao, makes a typo and reads the diagnostic at its line,
# fixes it, evaluates a household and reads the Chinese explanation,
# changes the standard from 860 to 900 and reads the tests, the diff's
# witness household and the impact counts over five decisions stored
# here first.  Before the browser, the routes the page calls are checked
# with curl: POST /v1/check's findings, evaluation and problems, and
# the policy text GET /v1/policies/{name} gives.  Screenshots of each step go to tests/workbench-shots/ in
# the build directory (docs/workbench/ has copies).  Last line "N passed,
# N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
# shellcheck source=tests/client/npm.sh
. "$top/tests/client/npm.sh"
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    skip_all "$chromium is missing (Debian: chromium, scripts/lib/packages.sh)"
fi
dir=$(pwd)/tests/workbench-node
shots=$(pwd)/tests/workbench-shots
client_ready workbench "$top/tests/workbench" "$dir"
harness_stack workbench
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
export STACK_WORKERS=2 STACK_POLICIES=$top/policies
stack_test_up "$tmp"
# The decisions the impact run reads: one-person households at
# 2019-01-01 (standard 860.00) with incomes 500.00, 870.00, 899.99 and
# 900.00, and a two-person household with 1000.00.  Under 900.00 (by
# hand): 500.00 stays eligible, benefit 360.00 -> 400.00 (+40.00);
# 870.00 and 899.99 become eligible, 0.00 -> 30.00 and 0.00 -> 0.01;
# 900.00 stays ineligible (900.00 < 900.00 does not hold), 0.00 both;
# the two-person one stays eligible, 720.00 -> 800.00 (+80.00).
# So checked 5, became eligible 2, lost 0, stayed eligible 2, stayed
# ineligible 1; benefit up 4, down 0, same 1; total 1080.00 -> 1230.01,
# change 150.01; distribution 0: 1, 0.01..10: 1, 10..100: 3.
stored=0
for members in '[{"id":"a","age":40,"monthly_income":"500.00"}]' '[{"id":"a","age":40,"monthly_income":"870.00"}]' \
    '[{"id":"a","age":40,"monthly_income":"899.99"}]' '[{"id":"a","age":40,"monthly_income":"900.00"}]' \
    '[{"id":"a","age":40,"monthly_income":"1000.00"},{"id":"b","age":12}]'; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
        -H 'Content-Type: application/json' \
        -d "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"input\":{\"household\":{\"members\":$members}}}" \
        "$U/v1/decisions")
    [ "$code" = 201 ] && stored=$((stored + 1))
done
if [ "$stored" -ne 5 ]; then
    not_ok "storing the five decisions the impact run reads ($stored stored)"
    finish
fi

# ---- the routes the page calls, by curl
officer=(-H "Authorization: Bearer $ELIGO_OFFICER_TOKEN" -H 'Content-Type: application/json')
dibao=$top/policies/tianjin/dibao.policy
# jqok NAME FILTER: the last body satisfies the jq filter
jqok() { if jq -e "$2" "$tmp/body" >/dev/null 2>&1; then ok "$1"; else not_ok "$1" "$(head -c 600 "$tmp/body")"; fi; }
# checkbody TEXT-FILE [EVALUATE-JSON]: a /v1/check body
checkbody() { jq -n --rawfile t "$1" --argjson e "${2:-null}" '{text: $t, name: "dibao.policy"} + (if $e then {evaluate: $e} else {} end)'; }
household='{"policy":"tianjin.dibao","as_of":"2019-01-01","explain":true,"input":{"household":{"members":[{"id":"a","age":40,"monthly_income":"1000.00"},{"id":"b","age":38,"monthly_income":"500.00"},{"id":"c","age":10}]}}}'

expect "GET /v1/policies/tianjin.dibao" 200 -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" "$U/v1/policies/tianjin.dibao"
jq -j .text "$tmp/body" >"$tmp/text"
cmp -s "$tmp/text" "$dibao" && ok "its text is the file's, byte for byte" || not_ok "its text is not the file's"
checkbody "$dibao" | expect "POST /v1/check the shipped text" 200 "${officer[@]}" --data-binary @- "$U/v1/check" &&
    jqok "it compiles, no diagnostic, its 13 tests pass" \
        '.ok == true and .policy == "tianjin.dibao" and .diagnostics == [] and .tests == {"passed": 13, "failed": 0, "failures": []}'
# `count` misspelt on line 31: let size: int "家庭人口" = cuont(household.members),
# the call marked from column 24 to 48 (exclusive) in code points
sed '31s/count(/cuont(/' "$dibao" >"$tmp/typo.policy"
checkbody "$tmp/typo.policy" | expect "POST /v1/check a typo" 200 "${officer[@]}" --data-binary @- "$U/v1/check" &&
    jqok "not ok, no tests, the error at 31:24..48 in eligo check's form" \
        '.ok == false and .policy == null and .tests == null and (.diagnostics[0] | .severity == "error"
         and .line == 31 and .col == 24 and .end_line == 31 and .end_col == 48
         and (.text | startswith("dibao.policy:31:24: error: ")) and (.text | contains("^~~~~")))'
# seed 001 under 900.00: 1500 < 900 x 3 = 2700, benefit 2700 - 1500 = 1200.00
sed '29s/860\.00/900.00/' "$dibao" >"$tmp/900.policy"
checkbody "$tmp/900.policy" "$household" |
    expect "POST /v1/check 900 with a household" 200 "${officer[@]}" --data-binary @- "$U/v1/check" &&
    jqok "the quotation warning, 3 tests pass and 10 fail, benefit 1200.00 and its explanation" \
        '.ok == true and [.diagnostics[].severity] == ["warning"] and .tests.passed == 3 and .tests.failed == 10
         and .tests.failures[0].line == 54 and .evaluation.outputs.monthly_benefit == "1200.00"
         and (.evaluation.explanation.text | contains("低于低保标准 900.00 元 × 家庭人口 3 人 = 2700.00 元"))'
checkbody "$dibao" '{"policy":"tianjin.dibao","input":{"household":{"members":[{"id":"a","age":400}]}}}' |
    expect "POST /v1/check an input that does not fit" 200 "${officer[@]}" --data-binary @- "$U/v1/check" &&
    jqok "evaluation_error: what /v1/evaluate answers, at its pointer" \
        '.evaluation == null and .evaluation_error.status == 422 and
         .evaluation_error.type == "https://eligo.example/problems/invalid-input" and
         .evaluation_error.errors == [{"pointer": "/input/household/members/0/age", "detail": "expected int 0..150, got 400"}]'
checkbody "$dibao" '{"policy":"wuyi.eco_burial","input":{"burial":{"method":"sea"}}}' |
    expect "POST /v1/check evaluating another policy: 422" 422 "${officer[@]}" --data-binary @- "$U/v1/check" &&
    jqok "pointer /evaluate/policy" '.errors[0].pointer == "/evaluate/policy"'
expect "POST /v1/check without text: 422" 422 "${officer[@]}" -d '{"name":"x.policy"}' "$U/v1/check" &&
    jqok "pointer /text" '.errors[0].pointer == "/text"'
expect "POST /v1/check an unknown member: 422" 422 "${officer[@]}" -d '{"text":"","publish":true}' "$U/v1/check" &&
    jqok "pointer /publish" '.errors[0].pointer == "/publish"'
expect "POST /v1/check a name with a slash: 422" 422 "${officer[@]}" -d '{"text":"","name":"../x"}' "$U/v1/check" &&
    jqok "pointer /name" '.errors[0].pointer == "/name"'
expect "POST /v1/check not JSON: 400" 400 "${officer[@]}" -d '{"text":' "$U/v1/check" &&
    jqok "malformed-json" '.type == "https://eligo.example/problems/malformed-json"'
expect "POST /v1/check as portal: 403" 403 -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
    -H 'Content-Type: application/json' -d '{"text":""}' "$U/v1/check"
expect "TRACE /v1/check: 405 from nginx" 405 -X TRACE "$U/v1/check" && has_header "Allow: POST" "Allow: POST"
expect "GET /workbench/" 200 "$U/workbench/" && has_header "served as HTML" "Content-Type: text/html; charset=utf-8"
contains "the page is the workbench" "<title>eligo 政策工作台</title>" "$tmp/body"
expect "GET /workbench/workbench.js" 200 "$U/workbench/workbench.js" &&
    has_header "a module script needs a JavaScript type" "Content-Type: text/javascript; charset=utf-8"

rm -rf "$shots"
mkdir -p "$shots"
export WORKBENCH_URL=$U/workbench/ ELIGO_OFFICER_TOKEN CHROMIUM=$chromium WORKBENCH_SHOTS=$shots
export WORKBENCH_PROFILE=$tmp/profile
# run beside its node_modules, where an ES module finds its imports
cp "$top/tests/workbench/workbench.mjs" "$dir/" && node "$dir/workbench.mjs" >"$tmp/browser.log" 2>&1
grep -v ' passed, .* failed$' "$tmp/browser.log"
read -r bp _ bf _ < <(grep ' passed, .* failed$' "$tmp/browser.log" | tail -n 1) || { bp=0 bf=1; echo "FAIL the browser run gave no count"; }
passed=$((passed + bp)) failed=$((failed + bf))
finish
