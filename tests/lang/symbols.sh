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
#
# SPDX-License-Identifier: Apache-2.0

lib=${LIBELIGO:-libeligo.a}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top_srcdir/tests/lib/harness.sh"
require nm -- "Debian package binutils"
defined=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }') ||
    { not_ok "cannot read $lib"; finish; }
yy=$(printf '%s\n' "$defined" | grep -E '^(yy|YY)' || true)
if [ -z "$yy" ]; then ok "no yy* symbol in $lib"; else not_ok "yy* symbols in $lib" "$yy"; fi
if printf '%s\n' "$defined" | grep -qx langparse; then
    ok "langparse is defined"
else
    not_ok "langparse is not defined in $lib"
fi
finish
