#!/usr/bin/env bash
# lint.sh - docs/openapi.yaml linted by Redocly's CLI (@redocly/cli, pinned
# in tests/client/package-lock.json, rules in tests/client/redocly.yaml):
# no error and no warning.  Node and npm come from Debian; the packages
# from the npm registry, once per build directory (tests/client/npm.sh).
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
# shellcheck source=tests/client/npm.sh
. "$top/tests/client/npm.sh"
dir=$(pwd)/tests/client-node
client_ready lint "$top/tests/client" "$dir"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
"$dir/node_modules/.bin/redocly" lint --config "$top/tests/client/redocly.yaml" --format=json \
    "$top/docs/openapi.yaml" >"$dir/lint.json" 2>"$dir/lint.err"
if jq -e '.totals.errors == 0 and .totals.warnings == 0' "$dir/lint.json" >/dev/null 2>&1; then
    ok "redocly lint docs/openapi.yaml: no error, no warning"
else
    not_ok "redocly lint docs/openapi.yaml" \
        "$(jq -r '.problems[]? | "\(.severity) \(.ruleId): \(.message) at \(.location[0].pointer)"' "$dir/lint.json" 2>/dev/null; cat "$dir/lint.err")"
fi
finish
