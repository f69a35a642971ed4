#!/usr/bin/env bash
# syscalls.sh - eligod stays inside the sandbox its systemd unit sets.
#
# The unit (dist/systemd/eligod.service) allows only the system calls of
# its SystemCallFilter= lines, the address families of
# RestrictAddressFamilies=, and no memory both writable and executable
# (MemoryDenyWriteExecute=).  systemd applies those only when it starts
# the unit, which needs systemd as PID 1; here eligod runs under
# strace -f instead, through the stack (tests/lib/stack.sh: the master,
# workers, the committer and the sequencer), serving decisions, /metrics
# and an audit verify, reloading on SIGHUP and stopping; then every
# system call it made must be in the unit's filter (its groups expanded
# by `systemd-analyze syscall-filter`), every socket of an allowed family,
# and no mmap or mprotect asked for PROT_WRITE with PROT_EXEC.  A call
# outside the filter would kill eligod under systemd (SIGSYS) or fail it
# (EPERM) where the project's checks cannot see.  Needs strace and
# systemd-analyze; says SKIP without them, where ptrace is not allowed,
# and for a sanitizer build.
# The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
unit=$top/dist/systemd/eligod.service
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
if ! command -v strace >/dev/null 2>&1 || ! command -v systemd-analyze >/dev/null 2>&1 ||
    ! strace -o /dev/null true 2>/dev/null; then
    skip_all "eligod under strace: no strace, no systemd-analyze, or ptrace not allowed"
fi
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
real=${ELIGOD:?ELIGOD or ELIGO names the built binaries}
# a sanitizer's runtime makes calls of its own (and is never what the
# unit runs): the production build is the one judged
if ldd "$real" 2>/dev/null | grep -qE 'libasan|libubsan'; then
    skip_all "eligod under strace: a sanitizer build"
fi
harness_stack syscalls
printf '#!/bin/sh\nexec strace -f -qq -o %s/trace %s "$@"\n' "$tmp" "$real" >"$tmp/eligod"
chmod +x "$tmp/eligod"
export STACK_WORKERS=2 STACK_POLICIES=$top/policies ELIGOD=$tmp/eligod

stack_test_up "$tmp"
fam=$(cat "$top/tests/requests/dibao-family.json")
decide() {
    curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
        -H 'Content-Type: application/json' --data-binary \
        "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"input\":$fam}" "$U/v1/decisions"
}
codes="$(decide) $(decide) $(curl -s -m 5 -o /dev/null -w '%{http_code}' "$U/metrics")"
sleep 1.5     # a checkpoint round
codes="$codes $(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ELIGO_AUDITOR_TOKEN" "$U/v1/audit/verify")"
kill -HUP "$(cat "$STACK_VAR/run/eligod.pid")"
sleep 2
codes="$codes $(decide)"
stack_down >/dev/null 2>&1
[ "$codes" = "201 201 200 200 201" ] && ok "under strace: decisions, /metrics, verify, a reload ($codes)" ||
    not_ok "the requests under strace: $codes, wanted 201 201 200 200 201"
[ -s "$tmp/trace" ] || { not_ok "no trace"; finish; }

# the unit's filter, its @groups expanded; allow-list less deny-lists
filter() {
    python3 - "$unit" <<'PY'
import subprocess, sys
seen = {}
def expand(name):
    if not name.startswith('@'):
        return {name}
    if name not in seen:
        out = subprocess.run(['systemd-analyze', 'syscall-filter', name], capture_output=True, text=True).stdout
        seen[name] = set()
        for line in out.splitlines()[1:]:
            t = line.strip()
            if t and not t.startswith('#'):
                seen[name] |= expand(t)
    return seen[name]
allow, deny = set(), set()
for line in open(sys.argv[1]):
    if line.startswith('SystemCallFilter='):
        v = line.split('=', 1)[1].split()
        if v and v[0].startswith('~'):
            v[0] = v[0][1:]
            for n in v: deny |= expand(n)
        else:
            for n in v: allow |= expand(n)
print('\n'.join(sorted(allow - deny)))
PY
}
filter >"$tmp/allowed"
sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$tmp/trace" | sort -u >"$tmp/used"
outside=$(comm -23 "$tmp/used" <(sort -u "$tmp/allowed") | tr '\n' ' ')
[ "$(wc -l <"$tmp/allowed")" -gt 100 ] && [ -z "$outside" ] &&
    ok "$(wc -l <"$tmp/used") distinct system calls, all in the unit's SystemCallFilter" ||
    not_ok "system calls outside the unit's filter: ${outside:-none} ($(wc -l <"$tmp/allowed") allowed)"

families=$(sed -n 's/^RestrictAddressFamilies=//p' "$unit")
used_fam=$(grep -o 'socket(AF_[A-Z0-9]*' "$tmp/trace" | sed 's/socket(//' | sort -u | tr '\n' ' ')
bad=""
for f in $used_fam; do case " $families " in *" $f "*) ;; *) bad="$bad $f" ;; esac; done
[ -n "$used_fam" ] && [ -z "$bad" ] && ok "socket families $used_fam all in RestrictAddressFamilies" ||
    not_ok "socket families outside RestrictAddressFamilies:${bad:- none} (used: $used_fam)"

wx=$(grep -E '(mmap|mprotect)\(.*(PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE|PROT_READ\|PROT_WRITE\|PROT_EXEC)' "$tmp/trace" | head -n 3)
[ -z "$wx" ] && ok "no memory both writable and executable (MemoryDenyWriteExecute)" || not_ok "W+X mappings" "$wx"
finish
