#!/usr/bin/env bash
# policies.sh - --policies on every subcommand that reads policies, and a
# policy tree's own models (eligo(1), docs/language.md section 3.4).
#
# A scratch tree holds the shared model and documents at its root and a
# city folder with a model that extends civil.household and civil.person
# (tests/policies/city_visit).  $ELIGO_POLICIES points at an empty folder,
# so every answer below comes from --policies or from the tree itself:
# check, test, eval, schema, bench, diff and impact take --policies DIR;
# `eligo test` of the city folder, run from the root, from the folder and
# from elsewhere, finds the tree's models and gives the same 4 results.
# The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
ELIGO=${ELIGO:-$top/eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
harness_tmp clipol
cd "$tmp" || exit 1
unset ELIGO_DB
mkdir empty tree tree/city elsewhere
export ELIGO_POLICIES=$tmp/empty
cp "$top/policies/civil.model" tree/
cp -r "$top/policies/sources" tree/
cp "$top/tests/policies/city_visit/"* tree/city/
# one member of grade 2 in a hardship family: severe (grades 1 and 2), so visited
printf '{"household": {"hardship": true, "members": [{"id": "a", "age": 50, "disability_grade": 2}]}}\n' >grade2.json

# ---- check and test: --policies DIR, and a PATH inside the tree
status "check --policies" 0 "$ELIGO" check --policies "$tmp/tree"
status "check without --policies: no policies at all" 0 "$ELIGO" check
status "test --policies" 0 "$ELIGO" test --policies "$tmp/tree"
contains "test --policies runs the city's 4 tests" "4 passed, 0 failed" out
status "test of the city folder from the root" 0 "$ELIGO" test tree/city
cp out from_root
(cd tree/city && "$ELIGO" test .) >from_city 2>&1
cmp -s from_root from_city && ok "test . in the city folder: the same answers" || not_ok "test . differs" "$(diff from_root from_city)"
(cd elsewhere && "$ELIGO" test "$tmp/tree/city") >from_elsewhere 2>&1
cmp -s from_root from_elsewhere && ok "test from another folder: the same answers" || not_ok "differs" "$(cat from_elsewhere)"
contains "the tree's test run" "4 passed, 0 failed" from_root

# ---- eval, schema, bench: a NAME looked up in --policies
status "eval --policies" 0 "$ELIGO" eval demo.disability_visit --as-of 2024-03-01 --input grade2.json --policies "$tmp/tree"
contains "eval: grade 2 in a hardship family is visited" '"outputs":{"regular_visit":true}' out
status "eval without --policies: no such policy" 2 "$ELIGO" eval demo.disability_visit --as-of 2024-03-01 --input grade2.json
status "schema --policies" 0 "$ELIGO" schema demo.disability_visit --policies "$tmp/tree"
contains "schema: the person's added field" '"disability_grade"' out
contains "schema: the household's added field" '"hardship"' out
status "bench --policies" 0 "$ELIGO" bench demo.disability_visit --input grade2.json --seconds 1 --as-of 2024-03-01 --policies "$tmp/tree"

# ---- diff and impact: a candidate file's models from --policies
# the candidate lies in a copy of the tree: a city's model is for its own folder
cp -r tree grade3
sed -i 's/from 2020-01-01: 2 /from 2020-01-01: 3 /' grade3/city/disability_visit.policy
status "diff NAME FILE --policies" 1 "$ELIGO" diff demo.disability_visit grade3/city/disability_visit.policy \
    --as-of 2024-03-01 --policies "$tmp/tree"
contains "diff: grade 3 now counts as severe" "disability_grade" out
status "impact --policies (loads, then wants a database)" 2 "$ELIGO" impact tree/city/disability_visit.policy \
    --from 2024-01-01 --to 2024-12-31 --policies "$tmp/tree"
contains "impact: the policy compiled, the database is missing" "no database" err

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
