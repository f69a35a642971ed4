#!/bin/sh
# schema.sh - each policy's JSON Schema (`eligo schema NAME`, the document
# GET /v1/policies/{name}/schema serves) accepts exactly the inputs eligo
# accepts: the requests of the policy suite and mutations of them
# (tests/api/schema_check.py, with the jsonschema package).  No server is
# started; tests/integration/http.sh fetches the schema through nginx.
#
# Environment: ELIGO (the binary), top_srcdir (the source root), PYTHON.
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
ELIGO=${ELIGO:-./eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
PYTHON=${PYTHON:-python3}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
if ! "$PYTHON" -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then
    skip_all "$PYTHON has no jsonschema with draft 2020-12 (Debian: python3-jsonschema)"
fi
harness_tmp schema
"$PYTHON" "$top/tests/api/schema_check.py" "$ELIGO" "$top" "$tmp"
