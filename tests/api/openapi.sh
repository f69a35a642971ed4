#!/usr/bin/env bash
# openapi.sh - docs/openapi.yaml cannot drift from the code: its paths,
# methods and roles are exactly the route table's (src/service/routes.c),
# its problem types exactly those eligod (src/service/http.c) and nginx
# (nginx/eligo.conf and the snippets it includes) write, each listed in docs/api.md, and nginx's Allow
# map names every path; nginx's fastcgi_read_timeout is the one
# src/service/budget.h orders its deadlines against; and, where the Python package is installed,
# openapi-spec-validator finds it valid.  No server is started.  Last line "N passed, N
# failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
harness_tmp openapi
require jq -- "Debian package jq"

# same_list NAME FILE-A FILE-B: the two sorted lists are equal
same_list() {
    if diff -u "$2" "$3" >"$tmp/diff"; then ok "$1"; else not_ok "$1" "$(cat "$tmp/diff")"; fi
}

sed '/^#/d' "$top/docs/openapi.yaml" >"$tmp/doc.json"
if jq -e '.openapi | startswith("3.1.")' "$tmp/doc.json" >/dev/null 2>&1; then ok "OpenAPI 3.1, valid JSON"
else not_ok "docs/openapi.yaml is not OpenAPI 3.1 JSON" "$(jq . "$tmp/doc.json" 2>&1 | tail -n 3)"; fi

# the OpenAPI 3.1 schema itself, where openapi-spec-validator is installed
if python3 -c 'import openapi_spec_validator' 2>/dev/null; then
    if python3 -c 'import json, sys
from openapi_spec_validator import validate
try:
    validate(json.load(open(sys.argv[1])))
except Exception as e:
    sys.exit(str(e).splitlines()[0])' "$tmp/doc.json" >"$tmp/validate" 2>&1; then ok "openapi-spec-validator: valid"
    else not_ok "openapi-spec-validator" "$(cat "$tmp/validate")"; fi
else
    skip "openapi-spec-validator" "not installed, the document's schema not checked (Debian: python3-openapi-spec-validator)"
fi

# "METHOD PATH ROLES" from the route table: the first line of each row of `routes[]`
sed -n 's/^ *\[ROUTE_[a-z_]*\] = {\.method = "\([A-Z]*\)", \.pattern = "\([^"]*\)", \.roles = \(ROLE_[A-Z_ |]*\)[,}].*/\1 \2 \3/p' \
    "$top/src/service/routes.c" |
    while read -r method path roles; do
        case $roles in
        ROLE_NONE) roles=- ;;
        ROLE_ANY) roles="admin auditor officer portal" ;;
        *) roles=$(echo "$roles" | tr '|' '\n' | sed 's/ //g; s/^ROLE_//' | tr '[:upper:]' '[:lower:]' | sort | paste -sd' ') ;;
        esac
        echo "$method $path $roles"
    done | sort >"$tmp/routes"
[ "$(wc -l <"$tmp/routes")" -ge 10 ] && ok "route table read ($(wc -l <"$tmp/routes") routes)" ||
    not_ok "route table: $(wc -l <"$tmp/routes") routes read from routes.c" "$(cat "$tmp/routes")"
jq -r '.paths | to_entries[] | .key as $p | .value | to_entries[] |
       "\(.key | ascii_upcase) \($p) \(.value["x-eligo-roles"] // ["?"] | sort | if length == 0 then "-" else join(" ") end)"' \
    "$tmp/doc.json" | sort >"$tmp/doc.routes"
same_list "every route in the document, with its roles, and no other" "$tmp/routes" "$tmp/doc.routes"

# an operation with roles needs the bearer token; one without needs none
jq -r '.paths[][] | select(((.["x-eligo-roles"] | length) > 0) != ((.security | length) > 0)) | .operationId' \
    "$tmp/doc.json" >"$tmp/bad.security"
[ -s "$tmp/bad.security" ] && not_ok "security does not match the roles" "$(cat "$tmp/bad.security")" ||
    ok "security matches the roles"

# problem types: eligod's and nginx's are the document's, docs/api.md lists each
jq -r '.components.schemas.Problem.properties.type.enum[] | sub(".*/problems/"; "")' "$tmp/doc.json" | sort >"$tmp/doc.types"
{
    sed -n 's/^ *\[PROBLEM_[A-Z_]*\] = {"\([a-z-]*\)".*/\1/p' "$top/src/service/http.c"
    cat "$top"/nginx/*.conf | grep -o 'eligo.example/problems/[a-z-]*' | sed 's|.*/||'
} | sort -u >"$tmp/code.types"
same_list "problem types: the document's are eligod's and nginx's" "$tmp/code.types" "$tmp/doc.types"
while read -r t; do
    grep -qF "| \`$t\` |" "$top/docs/api.md" || echo "$t"
done <"$tmp/doc.types" >"$tmp/undocumented"
[ -s "$tmp/undocumented" ] && not_ok "problem types missing from docs/api.md" "$(cat "$tmp/undocumented")" ||
    ok "docs/api.md lists every problem type"

# nginx's Allow map (its own 405s) covers every path of the table
while read -r _ path _; do
    # shellcheck disable=SC2001  # a bracket expression: not a bash pattern
    probe=$(echo "$path" | sed 's/{[^}]*}/x1/g')
    awk '/map \$request_uri \$eligo_allow/,/}/' "$top/nginx/eligo_maps.conf" | sed -n 's/^ *"~\(.*\)" ".*";$/\1/p' |
        while read -r re; do echo "$probe" | grep -qE -- "$re" && { echo hit; break; }; done | grep -q hit ||
        echo "$path"
done <"$tmp/routes" >"$tmp/unmapped"
[ -s "$tmp/unmapped" ] && not_ok "paths missing from nginx's \$eligo_allow map" "$(cat "$tmp/unmapped")" ||
    ok "nginx's Allow map names every path"

# nginx gives up on eligod after fastcgi_read_timeout: budget.h's asserts
# order the deadlines against BUDGET_NGINX_READ_TIMEOUT_S, which must be
# that number or they hold the wrong one (nginx times: "15", "15s", "1m")
conf_s=$(sed -n 's/^ *fastcgi_read_timeout *\([0-9]*\)\([sm]\{0,1\}\);.*/\1 \2/p' "$top/nginx/eligo_fastcgi.conf" |
    awk '{print $2 == "m" ? $1 * 60 : $1}')
code_s=$(sed -n 's/^ *BUDGET_NGINX_READ_TIMEOUT_S *= *\([0-9]*\).*/\1/p' "$top/src/service/budget.h")
what="fastcgi_read_timeout in nginx/eligo_fastcgi.conf (${conf_s:-none} s) is BUDGET_NGINX_READ_TIMEOUT_S in src/service/budget.h (${code_s:-none} s)"
[ -n "$conf_s" ] && [ "$conf_s" = "$code_s" ] && ok "$what" || not_ok "$what"

finish
