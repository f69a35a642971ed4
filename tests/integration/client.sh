#!/usr/bin/env bash
# client.sh - a client generated from docs/openapi.yaml against the live
# stack: openapi-typescript writes the document's types, tsc checks
# tests/client/client.test.ts against them (strict), and Node runs it
# with openapi-fetch through real nginx, eligod and MariaDB: every route,
# every role, the problem types.  Node and npm come from Debian; the
# packages, pinned by tests/client/package-lock.json, from the npm
# registry once per build directory (tests/client/npm.sh).  Last line
# "N passed, N failed"; non-zero exit on failure.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
# shellcheck source=tests/client/npm.sh
. "$top/tests/client/npm.sh"
dir=$(pwd)/tests/client-node
client_ready client "$top/tests/client" "$dir" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eligo-client.XXXXXX")
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

# generate and type-check before starting anything; an object schema
# without properties ("input", "outputs") admits any member, as JSON
# Schema has it, not none (openapi-typescript's default)
rm -rf "$dir/out"
cp "$top/tests/client/client.test.ts" "$top/tests/client/tsconfig.json" "$dir/" &&
    "$dir/node_modules/.bin/openapi-typescript" "$top/docs/openapi.yaml" -o "$dir/openapi.d.ts" --empty-objects-unknown >"$tmp/gen.log" 2>&1 ||
    { echo "FAIL openapi-typescript docs/openapi.yaml"; cat "$tmp/gen.log"; echo "0 passed, 1 failed"; exit 1; }
"$dir/node_modules/.bin/tsc" -p "$dir" >"$tmp/tsc.log" 2>&1 ||
    { echo "FAIL tsc: the test does not fit the document's types"; cat "$tmp/tsc.log"; echo "0 passed, 1 failed"; exit 1; }

stack_test_up "$tmp"
export ELIGO_URL=$U ELIGO_PORTAL_TOKEN ELIGO_OFFICER_TOKEN ELIGO_AUDITOR_TOKEN ELIGO_ADMIN_TOKEN
node "$dir/out/client.test.js" "$top/docs/openapi.yaml" "$top/policies/tianjin/dibao.policy"
