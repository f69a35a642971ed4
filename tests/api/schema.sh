#!/bin/sh
# schema.sh - each policy's JSON Schema (`eligo schema NAME`, the document
# GET /v1/policies/{name}/schema serves) accepts exactly the inputs eligo
# accepts: the requests of the policy suite and mutations of them
# (tests/api/schema_check.py, with the jsonschema package).  No server is
# started; tests/integration/http.sh fetches the schema through nginx.
#
# Environment: ELIGO (the binary), top_srcdir (the source root), PYTHON.
# Last line "N passed, N failed"; non-zero exit on failure.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
ELIGO=${ELIGO:-./eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then
    echo "schema: $PYTHON has no jsonschema with draft 2020-12 (Debian: python3-jsonschema)"
    echo "0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eligo-schema.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
"$PYTHON" "$top/tests/api/schema_check.py" "$ELIGO" "$top" "$tmp"
