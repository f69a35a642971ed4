#!/usr/bin/env bash
# unit-security.sh - the shipped systemd unit: valid, and hardened.
#
# `systemd-analyze security --offline=true` on dist/systemd/eligod.service
# must give an overall exposure of 2.0 or less, and the unit must keep the
# settings the hardening rests on (no capability, a system call filter, no
# W+X memory, the address families eligod uses and no other, the clock,
# hostname, kernel logs and other processes out of reach), check the
# policies before starting and before a reload, and start as Type=notify.
# `systemd-analyze verify` must be clean on it, with the daemon's path
# pointed at the built eligod (verify insists that the program exists).
# Needs systemd-analyze (the systemd package), not systemd as PID 1: the
# unit is read, never run here (tests/deb.sh runs its commands).  Skipped,
# and says so, without systemd-analyze.  The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
unit=$top/dist/systemd/eligod.service
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
require systemd-analyze -- "Debian package systemd"
harness_tmp unit

# ---- exposure
systemd-analyze security --offline=true "$unit" >"$tmp/security.out" 2>&1
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/security.out")
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
    ok "systemd-analyze security --offline: exposure $score (at most 2.0)"
else
    not_ok "exposure ${score:-unknown}, wanted at most 2.0" "$(grep -E '✗|Overall' "$tmp/security.out")"
fi

# ---- the settings the figure rests on, each a line of the unit
for want in 'CapabilityBoundingSet=' 'NoNewPrivileges=yes' 'SystemCallFilter=@system-service' \
    'SystemCallArchitectures=native' 'MemoryDenyWriteExecute=yes' 'RestrictNamespaces=yes' 'LockPersonality=yes' \
    'ProtectClock=yes' 'ProtectHostname=yes' 'ProtectKernelLogs=yes' 'ProtectProc=invisible' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK' 'ProtectSystem=strict' \
    'Type=notify' 'SupplementaryGroups=eligo'; do
    grep -qxF "$want" "$unit" && ok "$want" || not_ok "the unit lacks the line $want"
done
grep -q '^ExecStartPre=/usr/sbin/eligod -t ' "$unit" && ok "ExecStartPre=eligod -t" || not_ok "no ExecStartPre=eligod -t"
# systemd runs ExecReload lines in order and fails the reload at the first
# that fails: the check must come before the signal
first=$(grep -m1 '^ExecReload=' "$unit")
# shellcheck disable=SC2016  # $MAINPID is the unit's, not the shell's
[[ $first == 'ExecReload=/usr/sbin/eligod -t '* ]] && grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit" &&
    ok "ExecReload: eligod -t, then SIGHUP" || not_ok "ExecReload" "$(grep '^ExecReload=' "$unit")"

# ---- verify, the program paths pointed at the built daemon
eligod=${ELIGO:+$(dirname "$ELIGO")/eligod}
if [ -n "$eligod" ] && [ -x "$eligod" ]; then
    sed "s|/usr/sbin/eligod|$eligod|g" "$unit" >"$tmp/eligod.service"
    systemd-analyze verify --man=no "$tmp/eligod.service" >"$tmp/verify.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] && [ ! -s "$tmp/verify.out" ] && ok "systemd-analyze verify: clean" ||
        not_ok "systemd-analyze verify: status $rc" "$(cat "$tmp/verify.out")"
else
    not_ok "no built eligod to verify the unit with (ELIGO names the built eligo)"
fi
finish
