#!/usr/bin/env bash
# tree_models.sh - eligod serves a policy tree whose city folder extends
# the shared model (docs/language.md section 3.3), through real nginx,
# eligod and MariaDB.  The stack serves the shipped policies plus
# tests/policies/city_visit (a model adding household.hardship and
# person.disability_grade, and demo.disability_visit using them): a
# member of grade 2 in a hardship family is visited, grade 3 is not, a
# grade outside the added field's range 0..4 is refused naming the
# field, and the shared civil policies still take their requests without
# the city's fields.  `eligod --test` pointed at the city folder alone
# finds the shared model at the tree's root.  Last line "N passed,
# N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack treemodels
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
cp -r "$top/policies" "$tmp/policies"
cp -r "$top/tests/policies/city_visit" "$tmp/policies/city_visit"
export STACK_WORKERS=2 STACK_POLICIES=$tmp/policies STACK_CHECKPOINTS=0
stack_test_up "$tmp"
portal=(-H "Authorization: Bearer $ELIGO_PORTAL_TOKEN")
json=(-H 'Content-Type: application/json')
visit() {   # HARDSHIP GRADE: one member, decided on 2024-03-01
    printf '{"policy":"demo.disability_visit","as_of":"2024-03-01","input":{"household":{"hardship":%s,"members":[{"id":"a","age":50,"disability_grade":%s}]}}}' \
        "$1" "$2"
}

expect "201 grade 2 in a hardship family" 201 "${portal[@]}" "${json[@]}" -d "$(visit true 2)" "$U/v1/decisions" &&
    contains "grade 2: visited" '"outputs":{"regular_visit":true}' "$tmp/body"
expect "201 grade 3 in a hardship family" 201 "${portal[@]}" "${json[@]}" -d "$(visit true 3)" "$U/v1/decisions" &&
    contains "grade 3: not severe, not visited" '"outputs":{"regular_visit":false}' "$tmp/body"
expect "422 grade 5: outside the added field's range" 422 "${portal[@]}" "${json[@]}" -d "$(visit true 5)" "$U/v1/decisions" &&
    contains "grade 5: the field named" '"pointer":"/input/household/members/0/disability_grade"' "$tmp/body"
expect "the shared policy's schema has no city field" 200 "${portal[@]}" "$U/v1/policies/tianjin.dibao/schema" &&
    if grep -q disability_grade "$tmp/body"; then not_ok "civil's schema shows disability_grade"; else ok "civil's schema unchanged"; fi

if "$ELIGOD" --test --policies "$tmp/policies/city_visit" >"$tmp/t.out" 2>&1; then
    ok "eligod --test on the city folder alone compiles (the tree's shared model found)"
else
    not_ok "eligod --test --policies city_visit" "$(cat "$tmp/t.out")"
fi

finish
