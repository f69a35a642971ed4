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
# here first.  Screenshots of each step go to tests/workbench-shots/ in
# the build directory (docs/workbench/ has copies).  Last line "N passed,
# N failed"; non-zero exit on failure.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
# shellcheck source=tests/client/npm.sh
. "$top/tests/client/npm.sh"
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    echo "FAIL workbench: $chromium is missing (Debian: chromium, scripts/lib/packages.sh)"
    echo "0 passed, 1 failed"
    exit 1
fi
dir=$(pwd)/tests/workbench-node
shots=$(pwd)/tests/workbench-shots
client_ready workbench "$top/tests/workbench" "$dir" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eligo-workbench.XXXXXX")
# shellcheck source=tests/lib/stack.sh
. "$top/tests/lib/stack.sh"
export STACK_VAR=$tmp/var STACK_WORKERS=2 STACK_POLICIES=$top/policies
STACK_PORT=$(mariadb_free_port) || exit 1
export STACK_PORT
cleanup() {
    stack_down >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

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
    echo "FAIL storing the five decisions the impact run reads ($stored stored)"
    echo "0 passed, 1 failed"
    exit 1
fi

rm -rf "$shots"
mkdir -p "$shots"
export WORKBENCH_URL=$U/workbench/ ELIGO_OFFICER_TOKEN CHROMIUM=$chromium WORKBENCH_SHOTS=$shots
export WORKBENCH_PROFILE=$tmp/profile
# run beside its node_modules, where an ES module finds its imports
cp "$top/tests/workbench/workbench.mjs" "$dir/" && node "$dir/workbench.mjs"
