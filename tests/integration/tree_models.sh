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
# finds the shared model at the tree's root.  Decisions made under the
# extension are stored with the text set of both model files and replay
# byte for byte; `eligo audit verify` finds the set intact; an altered
# base in that set is reported by replay and by verify.  Last line "N passed,
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

decision_id() { sed -n 's/.*"decision_id":"\([^"]*\)".*/\1/p' "$tmp/body"; }
expect "201 grade 2 in a hardship family" 201 "${portal[@]}" "${json[@]}" -d "$(visit true 2)" "$U/v1/decisions" &&
    contains "grade 2: visited" '"outputs":{"regular_visit":true}' "$tmp/body"
id2=$(decision_id)
expect "201 grade 3 in a hardship family" 201 "${portal[@]}" "${json[@]}" -d "$(visit true 3)" "$U/v1/decisions" &&
    contains "grade 3: not severe, not visited" '"outputs":{"regular_visit":false}' "$tmp/body"
id3=$(decision_id)
expect "422 grade 5: outside the added field's range" 422 "${portal[@]}" "${json[@]}" -d "$(visit true 5)" "$U/v1/decisions" &&
    contains "grade 5: the field named" '"pointer":"/input/household/members/0/disability_grade"' "$tmp/body"
expect "the shared policy's schema has no city field" 200 "${portal[@]}" "$U/v1/policies/tianjin.dibao/schema" &&
    if grep -q disability_grade "$tmp/body"; then not_ok "civil's schema shows disability_grade"; else ok "civil's schema unchanged"; fi

# Replay of decisions made under the extension: the stored model text is
# the text set of both files (civil's first), its hash is the decisions'
# model hash, and each replays byte for byte from the store alone.
sql() { mariadb_sql "$STACK_VAR/mariadb" "$1"; }
url=$(mariadb_url "$STACK_VAR/mariadb")
auditor=(-X POST -H "Authorization: Bearer $ELIGO_AUDITOR_TOKEN")
set_hash=$(sql "SELECT DISTINCT model_hash FROM eligo.decisions WHERE policy_name = 'demo.disability_visit'")
nc=$(wc -c <"$tmp/policies/civil.model")
nv=$(wc -c <"$tmp/policies/city_visit/visit.model")
same "the extension's stored text is a text set: civil ($nc bytes), then city_visit ($nv)" 1 \
    "$(sql "SELECT text LIKE '#@eligo model text set\n#@file civil $nc\n%\n#@file city_visit $nv\n%' FROM eligo.model_versions WHERE hash = '$set_hash'")"
printf '%s' "$(sql "SELECT CONCAT('sha256:', SHA2(text, 256)) FROM eligo.model_versions WHERE hash = '$set_hash'")" >"$tmp/h"
same "the decisions' model hash is the SHA-256 of the stored text set" "$set_hash" "$(cat "$tmp/h")"
for id in "$id2" "$id3"; do
    expect "replay of $id (made under city_visit)" 200 "${auditor[@]}" "$U/v1/decisions/$id/replay" &&
        contains "$id replays byte for byte" '"match":true' "$tmp/body"
done
if "$ELIGO" replay --from "$(date -u +%F)" --to "$(date -u +%F)" --policy demo.disability_visit --db "$url" \
    >"$tmp/out" 2>&1 && grep -q "^2 decisions replayed: 2 match, 0 mismatch, 0 unreplayable" "$tmp/out"; then
    ok "eligo replay: both city_visit decisions match"
else not_ok "eligo replay --policy demo.disability_visit" "$(cat "$tmp/out")"; fi
# the verifier re-hashes every stored text: the set hashes to its key
export ELIGO_DB=$url
if "$ELIGO" audit keygen --out "$tmp/key" >"$tmp/out" 2>&1 &&
    "$ELIGO" audit checkpoint --key "$tmp/key" --all >"$tmp/out" 2>&1 &&
    "$ELIGO" audit verify --public-key "$tmp/key.pub" >"$tmp/out" 2>&1 && grep -q '^intact: ' "$tmp/out"; then
    ok "eligo audit verify: intact, the text set included"
else not_ok "eligo audit verify" "$(cat "$tmp/out")"; fi
# the base's part of the stored set altered (a comment, same length, so
# the set still splits and compiles): no longer the hashed text
sql "UPDATE eligo.model_versions SET text = REPLACE(text, '# 民政通用数据模型 civil', '# 民政通用数据模型 CIVIL') WHERE hash = '$set_hash'"
expect "replay after the stored base was altered" 200 "${auditor[@]}" "$U/v1/decisions/$id2/replay" &&
    contains "an altered base is named" "does not hash to $set_hash: it was altered" "$tmp/body"
"$ELIGO" audit verify --public-key "$tmp/key.pub" >"$tmp/out" 2>&1
same "eligo audit verify: the altered set is tampering (exit 1)" 1 "$?"

if "$ELIGOD" --test --policies "$tmp/policies/city_visit" >"$tmp/t.out" 2>&1; then
    ok "eligod --test on the city folder alone compiles (the tree's shared model found)"
else
    not_ok "eligod --test --policies city_visit" "$(cat "$tmp/t.out")"
fi

finish
