#!/bin/sh
# symbols.sh - libeligo.a exports no yy* symbol.
#
# The generated parser and scanner are named lang* (parser.y's api.prefix,
# lexer.l's prefix option), so a program that links libeligo.a beside
# its own bison or flex parser gets no duplicate yyparse or yylex.  Each
# global symbol the library defines is listed with nm; any whose name
# starts with yy or YY fails, and so does a library without langparse
# (which would mean the check read the wrong file).
#
# Runs from the build directory (make check), where libeligo.a is.
# Last line: "N passed, N failed"; exit 1 when anything failed.

lib=${LIBELIGO:-libeligo.a}
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2"; }

if ! command -v nm >/dev/null 2>&1; then
    echo "SKIP nm not found"
    echo "0 passed, 0 failed"
    exit 77
fi
defined=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }') ||
    { echo "FAIL cannot read $lib"; echo "0 passed, 1 failed"; exit 1; }
yy=$(printf '%s\n' "$defined" | grep -E '^(yy|YY)' || true)
if [ -z "$yy" ]; then ok "no yy* symbol in $lib"; else not_ok "yy* symbols in $lib" "$yy"; fi
if printf '%s\n' "$defined" | grep -qx langparse; then
    ok "langparse is defined"
else
    not_ok "langparse is not defined in $lib"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
