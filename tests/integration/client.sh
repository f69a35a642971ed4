#!/usr/bin/env bash
# client.sh - a client generated from docs/openapi.yaml against the live
# stack: openapi-typescript writes the document's types, tsc checks
# tests/client/client.test.ts against them (strict), and Node runs it
# with openapi-fetch through real nginx, eligod and MariaDB: every route,
# every role, the problem types.  Node and npm come from Debian; the
# packages, pinned by tests/client/package-lock.json, from the npm
# registry once per build directory (tests/client/npm.sh).  Last line
# "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
# shellcheck source=tests/client/npm.sh
. "$top/tests/client/npm.sh"
dir=$(pwd)/tests/client-node
client_ready client "$top/tests/client" "$dir"
harness_stack client
export STACK_WORKERS=2 STACK_POLICIES=$top/policies
# generate and type-check before starting anything; an object schema
# without properties ("input", "outputs") admits any member, as JSON
# Schema has it, not none (openapi-typescript's default)
rm -rf "$dir/out"
cp "$top/tests/client/client.test.ts" "$top/tests/client/tsconfig.json" "$dir/" &&
    "$dir/node_modules/.bin/openapi-typescript" "$top/docs/openapi.yaml" -o "$dir/openapi.d.ts" --empty-objects-unknown >"$tmp/gen.log" 2>&1 ||
    { not_ok "openapi-typescript docs/openapi.yaml" "$(cat "$tmp/gen.log")"; finish; }
"$dir/node_modules/.bin/tsc" -p "$dir" >"$tmp/tsc.log" 2>&1 ||
    { not_ok "tsc: the test does not fit the document's types" "$(cat "$tmp/tsc.log")"; finish; }

stack_test_up "$tmp"
export ELIGO_URL=$U ELIGO_PORTAL_TOKEN ELIGO_OFFICER_TOKEN ELIGO_AUDITOR_TOKEN ELIGO_ADMIN_TOKEN
node "$dir/out/client.test.js" "$top/docs/openapi.yaml" "$top/policies/tianjin/dibao.policy"
