#!/usr/bin/env bash
# refusal.sh - a policy's `refuse when` over HTTP, through real nginx,
# eligod and MariaDB: 422 of type refused with the policy's reason as
# detail and one error per input field the condition names; nothing is
# stored; the input that passes every refusal is decided as usual.  The
# stack serves the shipped policies plus demo.nursing_share and its
# model from tests/policies.  Last line "N passed, N failed"; non-zero
# exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack refusal
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
cp -r "$top/policies" "$tmp/policies"
cp "$top/tests/policies/demo.model" "$top/tests/policies/nursing_share.policy" "$tmp/policies/"
export STACK_WORKERS=2 STACK_POLICIES=$tmp/policies STACK_CHECKPOINTS=0
stack_test_up "$tmp"
PT=https://eligo.example/problems
portal=(-H "Authorization: Bearer $ELIGO_PORTAL_TOKEN")
json=(-H 'Content-Type: application/json')
rows() { mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.decisions"; }
home() {   # TOTAL NURSING RATED_ON: a care home decided on 2022-06-01
    printf '{"policy":"demo.nursing_share","as_of":"2022-06-01","input":{"care_home":{"total_beds":%s,"nursing_beds":%s,"rated_on":"%s"}}}' \
        "$1" "$2" "$3"
}

before=$(rows)
expect "422 more nursing beds than beds" 422 "${portal[@]}" "${json[@]}" -d "$(home 100 101 2022-01-01)" "$U/v1/decisions" &&
    contains "beds: type refused" "\"type\":\"$PT/refused\"" "$tmp/body" &&
    contains "beds: the policy's reason" '"detail":"护理型床位数不能超过床位总数"' "$tmp/body" &&
    contains "beds: both fields named" '"errors":[{"pointer":"/input/care_home/nursing_beds","detail":"护理型床位数不能超过床位总数"},{"pointer":"/input/care_home/total_beds","detail":"护理型床位数不能超过床位总数"}]' "$tmp/body"
expect "422 a rating after the decision date" 422 "${portal[@]}" "${json[@]}" -d "$(home 100 80 2022-06-02)" "$U/v1/decisions" &&
    contains "rating: type refused" "\"type\":\"$PT/refused\"" "$tmp/body" &&
    contains "rating: the field named" '"errors":[{"pointer":"/input/care_home/rated_on","detail":"等级评定日期不能晚于决定日期"}]' "$tmp/body"
after=$(rows)
if [ "$before" = "$after" ]; then ok "a refused request stores no decision"; else not_ok "refused requests stored: $before -> $after"; fi
expect "201 on the day of the rating, 80 of 100 beds" 201 "${portal[@]}" "${json[@]}" -d "$(home 100 80 2022-06-01)" "$U/v1/decisions" &&
    contains "80 of 100: met" '"share_met":true' "$tmp/body"

finish
