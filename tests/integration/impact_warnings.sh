#!/usr/bin/env bash
# impact_warnings.sh - `eligo impact` and POST /v1/impact count the
# stored decisions whose warnings (`warn when`) a candidate changes,
# through real nginx, eligod and MariaDB.  tianjin.committee_size warns
# when a committee is outside its usual size (「社区党委(党总支)一般设委员
# 5至7人」); five party-committee decisions of 6, 7, 8, 9 and 10 members
# are stored (8, 9 and 10 warned), then a candidate that widens the
# range to 5..9 is run over them: by hand, 8 and 9 lose their warning
# (removed 2), 10 keeps one whose text changed ("5 至 7" -> "5 至 9":
# removed and added, so added 1, removed 3), 6 and 7 are untouched.
# A candidate with the warning deleted removes all three.
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack impactwarn
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
require jq -- "Debian package jq"
cp -r "$top/policies" "$tmp/policies"
export STACK_WORKERS=1 STACK_POLICIES=$tmp/policies STACK_CHECKPOINTS=0
stack_test_up "$tmp"
url=$(mariadb_url "$STACK_VAR/mariadb")
today=$(date -u +%F)
portal=(-H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" -H 'Content-Type: application/json')

for n in 6 7 8 9 10; do
    expect "201 a party committee of $n" 201 "${portal[@]}" \
        -d "{\"policy\":\"tianjin.committee_size\",\"as_of\":\"2019-01-01\",\"input\":{\"committee\":{\"body\":\"party_committee\",\"members\":$n}}}" \
        "$U/v1/decisions"
done
contains "10 members warned under 5..7" '"warnings":[{"text":"拟设 10 人,不在一般设 5 至 7 人之内"' "$tmp/body"

sed -e 's/| party_committee     | 5 | 7 |/| party_committee     | 5 | 9 |/' -e '/^# -* 测试$/,$d' \
    "$top/policies/tianjin/committee_size.policy" >"$tmp/wide.policy"
sed -e '/^warn when/,+1d' -e '/^# -* 测试$/,$d' "$top/policies/tianjin/committee_size.policy" >"$tmp/none.policy"
impact() {   # CANDIDATE [ARGS...]: the JSON report into $tmp/body
    local c=$1
    shift
    ELIGO_POLICIES=$tmp/policies "$ELIGO" impact "$c" --from "$today" --to "$today" --db "$url" "$@" >"$tmp/body" 2>"$tmp/err"
}
impact "$tmp/wide.policy" --json
if jq -e '.checked == 5 and .failed == 0 and .warnings == {"added":1,"removed":3} and
          (.examples.warning_removed | length) == 3 and (.examples.warning_added | length) == 1' "$tmp/body" >/dev/null; then
    ok "5..9: warnings added 1 (10's new text), removed 3 (8, 9, 10's old text)"
else not_ok "impact 5..9" "$(cat "$tmp/body" "$tmp/err")"; fi
impact "$tmp/none.policy" --json
if jq -e '.checked == 5 and .warnings == {"added":0,"removed":3}' "$tmp/body" >/dev/null; then
    ok "the warning deleted: removed from 8, 9 and 10"
else not_ok "impact without the warning" "$(cat "$tmp/body" "$tmp/err")"; fi
impact "$tmp/wide.policy"
contains "the text report" "warnings           added to 1 decisions, removed from 3" "$tmp/body"
body=$(jq -n --rawfile t "$tmp/wide.policy" --arg d "$today" '{policy_text: $t, from: $d, to: $d}')
expect "POST /v1/impact 5..9" 200 -H "Authorization: Bearer $ELIGO_OFFICER_TOKEN" -H 'Content-Type: application/json' \
    --data-binary "$body" "$U/v1/impact" &&
    contains "the API's report counts the warnings" '"warnings":{"added":1,"removed":3}' "$tmp/body"

finish
