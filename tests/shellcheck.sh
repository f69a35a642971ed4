#!/bin/sh
# tests/shellcheck.sh - every shell script of the tree is shellcheck clean.
#
# The scripts are the files under scripts/, tests/, bench/, dist/ and
# debian/ named *.sh or starting with a sh or bash #! line (node_modules
# and build output left out); each is one case.  shellcheck runs from
# the source root, so it reads .shellcheckrc (the checks turned off
# there, and why) and follows the `# shellcheck source=` paths.  A
# #!/bin/sh script is held to POSIX sh: shellcheck reports bash-only
# features in it.  Skipped (77) where shellcheck is not installed
# (Debian package shellcheck, in scripts/lib/packages.sh).
#
# Environment: top_srcdir (the source root).
# Last line: "N passed, N failed"; exit 1 when anything failed.
#
# SPDX-License-Identifier: Apache-2.0

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top_srcdir" || exit 99
# shellcheck source=tests/lib/harness.sh
. "$top_srcdir/tests/lib/harness.sh"
require shellcheck -- "Debian package shellcheck"
harness_tmp shellcheck

# the shell scripts: by name, or by their first line
find scripts tests bench dist debian -type f \
    ! -path '*/node_modules/*' ! -path 'debian/eligo/*' ! -path 'debian/.debhelper/*' 2>/dev/null |
    sort | while IFS= read -r f; do
        case $f in
        *.sh) echo "$f" ;;
        *) head -n 1 "$f" | grep -qE '^#! */(usr/)?bin/(env +)?(ba)?sh( |$)' && echo "$f" ;;
        esac
    done >"$tmp/scripts"

[ -s "$tmp/scripts" ] || { not_ok "no shell script found under $top_srcdir"; finish; }
while IFS= read -r f; do
    if shellcheck "$f" >"$tmp/out" 2>&1; then ok
    else not_ok "shellcheck $f" "$(cat "$tmp/out")"; fi
done <"$tmp/scripts"
echo "$(wc -l <"$tmp/scripts") scripts checked"
finish
