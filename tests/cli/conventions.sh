#!/usr/bin/env bash
# conventions.sh - what every `eligo` subcommand does the same way
# (eligo(1)): --help on stdout with exit 0, --opt=value and --opt value
# alike, `-` for stdin (and, for fmt, stdout), fmt replacing a file
# atomically, --version, and the exit codes 0 ok, 1 findings, 2 usage,
# 3 unavailable.  Runs in a scratch directory, so nothing relies on the
# current directory.  The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
ELIGO=${ELIGO:-$top/eligo}
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
harness_tmp cli
cd "$tmp" || exit 1
export ELIGO_POLICIES=$top/policies
unset ELIGO_DB
# status (expect.sh) leaves the output in out and err: $tmp is the current directory

# ---- --help on every subcommand: stdout, exit 0, nothing on stderr
for cmd in check eval schema explain test fmt bench replay impact diff "db migrate" "token add" "token revoke" \
    "audit keygen" "audit checkpoint" "audit verify"; do
    # shellcheck disable=SC2086
    status "eligo $cmd --help" 0 "$ELIGO" $cmd --help
    if head -n 1 out | grep -q "^usage: eligo $cmd " && [ ! -s err ]; then ok "eligo $cmd --help on stdout"
    else not_ok "eligo $cmd --help output" "$(head -n 3 out err)"; fi
done
status "eligo --help" 0 "$ELIGO" --help
status "eligo --version" 0 "$ELIGO" --version
grep -Eq '^eligo [0-9]+\.[0-9]+' out && ok "eligo --version prints the version" || not_ok "eligo --version" "$(cat out)"

# ---- usage errors are 2 and name the option
status "unknown option" 2 "$ELIGO" check --no-such-option
grep -q -- "--no-such-option" err && ok "the unknown option is named" || not_ok "unknown option not named" "$(cat err)"
status "a flag given a value" 2 "$ELIGO" check --assumptions=yes
status "a missing value" 2 "$ELIGO" eval tianjin.dibao --as-of
status "a missing positional" 2 "$ELIGO" eval --as-of 2019-01-01 --input x.json
status "unknown subcommand" 2 "$ELIGO" no-such-command

# ---- --opt=value and --opt value, and - for stdin
req=$top/tests/requests/dibao-family.json
"$ELIGO" eval tianjin.dibao --as-of 2019-01-01 --input "$req" >spaced 2>&1
status "eval --as-of=DATE --input=FILE" 0 "$ELIGO" eval tianjin.dibao --as-of=2019-01-01 --input="$req"
cmp -s out spaced && ok "--opt=value answers as --opt value" || not_ok "--opt=value differs" "$(diff out spaced)"
status "eval --input - (stdin)" 0 "$ELIGO" eval tianjin.dibao --as-of 2019-01-01 --input - <"$req"
cmp -s out spaced && ok "--input - answers as the file" || not_ok "--input - differs" "$(diff out spaced)"
"$ELIGO" eval tianjin.dibao --as-of 2019-01-01 --input "$req" --explain >explained 2>/dev/null
status "explain --check - (stdin)" 0 "$ELIGO" explain --check - <explained
status "--policies=DIR" 0 "$ELIGO" check --policies="$top/policies"

# ---- findings are 1, an unreachable database is 3
mkdir broken
cp "$top/policies/civil.model" broken/
printf 'policy x.y "x"\nlet a: int "a" = no_such_name\n' >broken/x.policy
status "check on a broken policy" 1 "$ELIGO" check broken
status "replay with the database unreachable" 3 "$ELIGO" replay --db mariadb://u:p@127.0.0.1:1/none 0123
status "replay with no database given" 2 "$ELIGO" replay 0123

# ---- fmt -: stdin to stdout, no file named "-"
pol=$top/policies/changzhou/public_welfare_job.policy
sed 's/$/   /' "$pol" >untidy.policy
status "fmt - " 0 "$ELIGO" fmt - <untidy.policy
cmp -s out "$pol" && ok "fmt - writes the formatted text to stdout" || not_ok "fmt - output differs" "$(diff out "$pol" | head)"
[ -e ./- ] && not_ok "fmt - created a file named -" || ok "no file named - created"
status "fmt --check on an untidy file" 1 "$ELIGO" fmt --check untidy.policy

# ---- fmt replaces a file atomically: a new inode, the old mode, no leftovers
chmod 640 untidy.policy
before=$(stat -c %i untidy.policy)
status "fmt FILE" 0 "$ELIGO" fmt untidy.policy
after=$(stat -c '%i %a' untidy.policy)
[ "${after% *}" != "$before" ] && ok "fmt renamed a new file into place" || not_ok "fmt rewrote the file in place (inode $before)"
[ "${after#* }" = 640 ] && ok "fmt kept the mode 640" || not_ok "fmt changed the mode to ${after#* }"
cmp -s untidy.policy "$pol" && ok "fmt FILE formatted it" || not_ok "fmt FILE result differs"
n=$(find . -name 'untidy.policy.*' | wc -l)
[ "$n" -eq 0 ] && ok "no temporary file left" || not_ok "$n temporary files left"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
