#!/usr/bin/env bash
# deb.sh - the Debian package as an administrator meets it: built, linted,
# installed, configured as README.Debian says, serving, then purged.
#
# Run by scripts/check (not by `make check`: it installs a package on the
# machine, which needs root and takes a minute or two).  Steps:
#   1. a copy of the source tree; `dpkg-buildpackage -us -uc -b` in it
#      (DEB_BUILD_OPTIONS=nocheck: scripts/check runs every suite anyway);
#   2. `lintian --fail-on error,warning` on the result;
#   3. `apt-get install ./eligo_*.deb` on this machine (waiting for the
#      dpkg lock another apt-get holds): the eligo user,
#      /etc/eligo root:eligo 0750, the unit installed but not enabled, and
#      the installed `eligo check` and `eligod -t` from /;
#   4. in private mount and network namespaces (unshare -mn) where /run,
#      /etc/eligo and /var/lib/eligo are scratch tmpfs mounts and nginx's
#      /var/log/nginx and /var/lib/nginx scratch directories (nothing of
#      the host's changes): a MariaDB started here (tests/lib/mariadb.sh),
#      the configuration README.Debian gives, `eligo db migrate`, the
#      installed unit's ExecStartPre and ExecStart run as it says (user
#      eligo, group www-data, eligo supplementary, its UMask), the
#      distribution's nginx with the installed site enabled, and a decision
#      through it: POST /v1/decisions, dibao for the family of
#      tests/requests/dibao-family.json, 1080.00 a month (tests/requests/
#      cases.txt); then the unit's ExecReload, and its stop signal;
#   5. `apt-get purge eligo`: no file of the package left; the eligo user
#      is removed again when this test created it.
# There is no systemd as PID 1 here: the unit's commands are run by this
# script, not by systemd (tests/unit-security.sh checks the unit itself).
# The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        exec sudo -n "$0" "$@"
    fi
    skip_all "the Debian package: installing it needs root (or sudo without a password)"
fi
require dpkg-buildpackage lintian apt-get unshare -- "scripts/lib/packages.sh"
if dpkg-query -W -f='${Status}' eligo 2>/dev/null | grep -q 'ok installed'; then
    not_ok "eligo is installed already: this test installs and purges its own"
    finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eligo-deb.XXXXXX")
chmod 0755 "$tmp"
installed=0
user_before=0
getent passwd eligo >/dev/null && user_before=1
cleanup() {
    [ -f "$tmp/eligod.pid" ] && kill -TERM "$(cat "$tmp/eligod.pid")" 2>/dev/null
    [ -f "$tmp/nginx.pid" ] && kill -TERM "$(cat "$tmp/nginx.pid")" 2>/dev/null
    if [ -f "$tmp/db/pid" ]; then
        # shellcheck source=tests/lib/mariadb.sh
        . "$top/tests/lib/mariadb.sh" && mariadb_stop "$tmp/db" >/dev/null 2>&1
    fi
    if [ "$installed" -eq 1 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 purge -y -qq eligo >/dev/null 2>&1
        [ "$user_before" -eq 0 ] && { deluser --system --quiet eligo; delgroup --system --quiet eligo; } >/dev/null 2>&1
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- 1. build, from a copy of the tree (the build writes into debian/)
src=$tmp/src/eligo
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z --cached --others --exclude-standard | grep -zv '^build/' |
        tar --null -T - -cf -) | tar -C "$src" -xf -
else
    (cd "$top" && tar --exclude=./build -cf - .) | tar -C "$src" -xf -
fi
start=$(date +%s)
if (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc 2>/dev/null || echo 2)" \
    dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b ($(($(date +%s) - start)) s)"
else
    not_ok "dpkg-buildpackage" "$(tail -n 30 "$tmp/build.log")"
    finish
fi
deb=$(ls "$tmp"/src/eligo_*_*.deb)

# ---- 2. lintian: no error, no warning (overrides say why in the file)
if lintian --fail-on error,warning "$tmp"/src/eligo_*.changes >"$tmp/lintian.log" 2>&1; then
    ok "lintian: no error or warning ($(grep -c '^I:' "$tmp/lintian.log") info tags)"
else
    not_ok "lintian" "$(grep -E '^(E|W):' "$tmp/lintian.log")"
fi

# ---- 3. install on this machine
if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$deb" >"$tmp/install.log" 2>&1; then
    installed=1
    ok "apt-get install ./$(basename "$deb")"
else
    not_ok "apt-get install" "$(tail -n 20 "$tmp/install.log")"
    finish
fi
[ "$(getent passwd eligo | cut -d: -f7)" = /usr/sbin/nologin ] && ok "the eligo system user, without a shell" ||
    not_ok "the eligo user" "$(getent passwd eligo)"
got=$(stat -c '%U:%G %a' /etc/eligo)
[ "$got" = "root:eligo 750" ] && ok "/etc/eligo is root:eligo 0750" || not_ok "/etc/eligo: $got"
[ -f /lib/systemd/system/eligod.service ] && [ ! -e /etc/systemd/system/multi-user.target.wants/eligod.service ] &&
    ok "the unit is installed, not enabled before it is configured" || not_ok "the unit's state"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify --man=no /lib/systemd/system/eligod.service >"$tmp/verify.out" 2>&1 && [ ! -s "$tmp/verify.out" ] &&
        ok "systemd-analyze verify on the installed unit: clean" || not_ok "systemd-analyze verify" "$(cat "$tmp/verify.out")"
fi
docs=$(sed -n 's|^Documentation=.*file://\([^ ]*\).*|\1|p' /lib/systemd/system/eligod.service)
[ -n "$docs" ] && [ -f "$docs" ] && ok "the unit's Documentation= file is there: $docs" || not_ok "the unit's Documentation= file '$docs'"
(cd / && /usr/bin/eligo check) >"$tmp/check.out" 2>&1 && ok "installed eligo check, from /" ||
    not_ok "installed eligo check" "$(cat "$tmp/check.out")"
(cd / && /usr/sbin/eligod -t) >"$tmp/t.out" 2>&1 && grep -q 'policies in /usr/share/eligo/policies' "$tmp/t.out" &&
    ok "installed eligod -t, from /: $(tail -n 1 "$tmp/t.out")" || not_ok "installed eligod -t" "$(cat "$tmp/t.out")"

# ---- 4. configured and serving, in namespaces of its own
unit=/lib/systemd/system/eligod.service
# The value of KEY= in the unit's [Service] section, continuation lines
# joined; one line per occurrence.
unit_cmd() {
    sed -n '/^\[Service\]/,/^\[Install\]/p' "$unit" | awk -v k="$1=" '
        index($0, k) == 1 { line = substr($0, length(k) + 1)
            while (line ~ /\\$/) { sub(/\\$/, "", line); getline nxt; line = line nxt }
            print line }'
}
unit_value() { unit_cmd "$1" | tail -n 1; }
cat >"$tmp/inside.sh" <<'INSIDE'
set -u
tmp=$1 top=$2 unit=$3
rc() { echo "$1 $2" >>"$tmp/rc"; }
ip link set lo up || exit 90
# scratch /run, /etc/eligo and /var/lib/eligo; nginx's logs and enabled sites
for d in /run /etc/eligo /var/lib/eligo; do mount -t tmpfs -o mode=0755 tmpfs "$d" || exit 91; done
mkdir -p "$tmp/nginx-log" "$tmp/sites-enabled"
ln -s /etc/nginx/sites-available/eligo "$tmp/sites-enabled/eligo"
mount --bind "$tmp/nginx-log" /var/log/nginx || exit 92
# nginx makes its temp directories there, owned by its user: scratch ones
mkdir -p "$tmp/nginx-lib" && mount --bind "$tmp/nginx-lib" /var/lib/nginx || exit 94
mount --bind "$tmp/sites-enabled" /etc/nginx/sites-enabled || exit 93
# the installed tmpfiles.d entry makes /run/eligo, /var/lib/eligo, /etc/eligo
systemd-tmpfiles --create /usr/lib/tmpfiles.d/eligo.conf >"$tmp/tmpfiles.out" 2>&1
rc tmpfiles $?

. "$top/tests/lib/mariadb.sh"
mariadb_start "$tmp/db" >"$tmp/mariadb.out" 2>&1 || { rc mariadb 1; exit 0; }
rc mariadb 0
url=$(mariadb_url "$tmp/db")

# README.Debian's configuration
printf 'ELIGO_DB=%s\n' "$url" >/etc/eligo/eligod.env
chown root:eligo /etc/eligo/eligod.env && chmod 0640 /etc/eligo/eligod.env
cp -r /usr/share/eligo/policies /etc/eligo/
eligo audit keygen --out /etc/eligo/checkpoint.key --name eligo.test/decisions >"$tmp/keygen.out" 2>&1
cp /etc/eligo/checkpoint.key.pub /etc/eligo/checkpoint.pub && chown eligo /etc/eligo/checkpoint.key
(cd / && env $(cat /etc/eligo/eligod.env) eligo db migrate) >"$tmp/migrate.out" 2>&1
rc migrate $?
ELIGO_DB=$url eligo token add --role portal --name deb-test >"$tmp/token" 2>"$tmp/token.err"
rc token $?

# the unit's commands, run as the unit says; it execs: call it in a
# subshell, or with & (then $! is eligod's own pid, the unit's $MAINPID)
as_unit() {
    umask "$(cat "$tmp/umask")" && cd / &&
    exec setpriv --reuid=eligo --regid="$(cat "$tmp/group")" --groups="$(cat "$tmp/groups")" \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin $(cat /etc/eligo/eligod.env) sh -c "exec $1"
}
(as_unit "$(cat "$tmp/execstartpre")") >"$tmp/pre.out" 2>&1
rc execstartpre $?
as_unit "$(cat "$tmp/execstart")" >"$tmp/eligod.log" 2>&1 &
echo $! >"$tmp/eligod.pid"
for _ in $(seq 100); do [ -S /run/eligo/eligod.sock ] && break; sleep 0.1; done
stat -c '%U:%G %a' /run/eligo/eligod.sock >"$tmp/sock" 2>&1

nginx -t >"$tmp/nginx-t.out" 2>&1
rc nginx-t $?
nginx >"$tmp/nginx.out" 2>&1
rc nginx $?
for _ in $(seq 50); do [ -s /run/nginx.pid ] && break; sleep 0.1; done
cp /run/nginx.pid "$tmp/nginx.pid" 2>/dev/null
body="{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"input\":$(cat "$top/tests/requests/dibao-family.json")}"
curl -s -m 10 -o "$tmp/decision" -w '%{http_code}' -H "Authorization: Bearer $(cat "$tmp/token")" \
    -H 'Content-Type: application/json' --data-binary "$body" http://127.0.0.1:8080/v1/decisions >"$tmp/code" 2>&1

# systemctl reload: the ExecReload lines in order, $MAINPID the master;
# like systemd, the first that fails fails the reload
pid=$(cat "$tmp/eligod.pid")
reload() {
    local cmd
    while IFS= read -r cmd; do
        cmd=${cmd//\$MAINPID/$pid}
        case $cmd in
        */eligod\ *) (as_unit "$cmd") || return 1 ;;
        *) sh -c "$cmd" || return 1 ;;
        esac
    done <"$tmp/execreload"
}
reload >"$tmp/reload.out" 2>&1
rc reload $?
sleep 1
post() {
    curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$tmp/token")" \
        -H 'Content-Type: application/json' --data-binary "$body" http://127.0.0.1:8080/v1/decisions
}
post >"$tmp/code2" 2>&1
# a policy that no longer compiles: the reload fails, the old ones serve on
echo 'this is not a rule' >>/etc/eligo/policies/tianjin/dibao.policy
reload >"$tmp/reload-bad.out" 2>&1
rc reload-bad $?
post >"$tmp/code3" 2>&1

# systemctl stop: KillSignal to the master, which must be gone in TimeoutStopSec
kill -0 "$pid" 2>/dev/null || rc alive 1
kill "-$(cat "$tmp/killsignal")" "$pid"
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then rc stop 1; else rc stop 0; rm -f "$tmp/eligod.pid"; fi
kill -QUIT "$(cat /run/nginx.pid)" 2>/dev/null && rm -f "$tmp/nginx.pid"
mariadb_stop "$tmp/db" >/dev/null 2>&1
exit 0
INSIDE
unit_value ExecStartPre >"$tmp/execstartpre"
unit_value ExecStart >"$tmp/execstart"
unit_cmd ExecReload >"$tmp/execreload"
unit_value UMask >"$tmp/umask"
unit_value Group >"$tmp/group"
{ unit_value Group; unit_value SupplementaryGroups; } | tr ' \n' ',,' | sed 's/,*$//' >"$tmp/groups"
unit_value KillSignal | sed 's/^SIG//' >"$tmp/killsignal"
[ -s "$tmp/umask" ] || echo 0022 >"$tmp/umask"
start=$(date +%s)
unshare -mn bash "$tmp/inside.sh" "$tmp" "$top" "$unit"
inside=$?
rc() { awk -v k="$1" '$1 == k {print $2}' "$tmp/rc" 2>/dev/null; }
if [ $inside -ne 0 ]; then
    not_ok "the namespaces (unshare -mn, status $inside)"
else
    [ "$(rc tmpfiles)" = 0 ] && ok "systemd-tmpfiles --create with the installed entry" ||
        not_ok "systemd-tmpfiles" "$(cat "$tmp/tmpfiles.out")"
    [ "$(rc mariadb)" = 0 ] && ok "a MariaDB of the test's own" || not_ok "mariadb" "$(cat "$tmp/mariadb.out")"
    [ "$(rc migrate)" = 0 ] && ok "eligo db migrate, run by the administrator: $(tail -n 1 "$tmp/migrate.out")" ||
        not_ok "eligo db migrate" "$(cat "$tmp/migrate.out" 2>/dev/null)"
    [ "$(rc execstartpre)" = 0 ] && ok "the unit's ExecStartPre (eligod -t) as eligo" ||
        not_ok "ExecStartPre" "$(cat "$tmp/pre.out" 2>/dev/null)"
    [ "$(cat "$tmp/sock" 2>/dev/null)" = "eligo:www-data 660" ] && ok "the unit's eligod listens on eligo:www-data 0660" ||
        not_ok "the socket: $(cat "$tmp/sock" 2>/dev/null)" "$(cat "$tmp/eligod.log" 2>/dev/null)"
    [ "$(rc nginx-t)" = 0 ] && [ "$(rc nginx)" = 0 ] && ok "the distribution's nginx with the installed site enabled" ||
        not_ok "nginx" "$(cat "$tmp/nginx-t.out" "$tmp/nginx.out" 2>/dev/null)"
    [ "$(cat "$tmp/code" 2>/dev/null)" = 201 ] && grep -q '"monthly_benefit":"1080.00"' "$tmp/decision" &&
        ok "a decision through nginx: 201, monthly_benefit 1080.00" ||
        not_ok "the decision: $(cat "$tmp/code" 2>/dev/null)" "$(cat "$tmp/decision" 2>/dev/null; tail -n 5 "$tmp/eligod.log" 2>/dev/null)"
    [ "$(rc reload)" = 0 ] && [ "$(cat "$tmp/code2" 2>/dev/null)" = 201 ] && ok "the unit's ExecReload, then still serving" ||
        not_ok "reload: $(rc reload), then $(cat "$tmp/code2" 2>/dev/null)" "$(cat "$tmp/reload.out" 2>/dev/null)"
    [ "$(rc reload-bad)" = 1 ] && [ "$(cat "$tmp/code3" 2>/dev/null)" = 201 ] &&
        ok "ExecReload fails on a policy that does not compile; the old policies serve on" ||
        not_ok "a failed reload: $(rc reload-bad), then $(cat "$tmp/code3" 2>/dev/null)" "$(cat "$tmp/reload-bad.out" 2>/dev/null)"
    [ "$(rc stop)" = 0 ] && [ -z "$(rc alive)" ] && ok "the unit's KillSignal stops eligod" || not_ok "stop" "$(tail -n 5 "$tmp/eligod.log")"
fi
echo "     (configured and serving: $(($(date +%s) - start)) s)"

# ---- 5. purge
files=$(dpkg -L eligo | while IFS= read -r f; do [ -f "$f" ] && echo "$f"; done)
if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 purge -y -qq eligo >"$tmp/purge.log" 2>&1; then
    installed=0
    left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done)
    [ -z "$left" ] && ok "apt-get purge eligo: none of its $(echo "$files" | wc -l) files left" ||
        not_ok "files left after purge" "$left"
    [ "$user_before" -eq 0 ] && { deluser --system --quiet eligo; delgroup --system --quiet eligo; } >/dev/null 2>&1
else
    not_ok "apt-get purge" "$(tail -n 20 "$tmp/purge.log")"
fi
finish
