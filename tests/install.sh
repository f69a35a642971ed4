#!/usr/bin/env bash
# install.sh - `make install DESTDIR=...` as an administrator meets it.
#
# Installs the build into a scratch root and checks that every part is
# where the configured prefixes say (eligod in sbin, eligo in bin, the
# man pages, the migrations, the policies with sources/, the nginx site
# and snippets, the systemd unit, sysusers.d and tmpfiles.d entries, the
# docs and the example configuration), that the man pages pass
# `man --warnings` clean, that the installed unit and site name the
# configured paths, and that `make uninstall` leaves no file behind.
# Then, in private mount and network namespaces (unshare -rmn) where the scratch
# root's prefix is bound over the real one, runs the installed
# `eligo check`, `eligo eval` and `eligod -t` from / with no policy
# folder given: they must find their data through the compiled-in
# paths, never the current directory; and `nginx -t` on the installed
# site in Debian's layout, also with its TLS server uncommented (a
# throw-away certificate).  Where user namespaces are not allowed that
# part is skipped, and says so.  The last line is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
build=$(dirname "${ELIGO:?ELIGO names the built eligo}")
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_tmp install
root=$tmp/root
make -s -C "$build" --no-print-directory print-dirs >"$tmp/dirs" 2>/dev/null
var() { sed -n "s|^$1=||p" "$tmp/dirs"; }

if ! make -s -C "$build" install DESTDIR="$root" >"$tmp/install.log" 2>&1; then
    not_ok "make install DESTDIR" "$(tail -n 20 "$tmp/install.log")"
    finish
fi
ok "make install DESTDIR"
prefix=$(var prefix) bindir=$(var bindir) sbindir=$(var sbindir) mandir=$(var mandir)
pkgdatadir=$(var pkgdatadir) docdir=$(var docdir) sysconfdir=$(var sysconfdir) datadir=$(var datadir)
unitdir=$(var systemdsystemunitdir) sysusersdir=$(var sysusersdir) tmpfilesdir=$(var tmpfilesdir)
runstatedir=$(var runstatedir)
[ -n "$prefix" ] && [ -n "$sbindir" ] || { not_ok "the configured directories (make print-VAR)"; finish; }

for f in "$sbindir/eligod" "$bindir/eligo"; do
    [ -x "$root$f" ] && ok "installed $f" || not_ok "missing $f"
done
[ ! -e "$root$bindir/eligod" ] && ok "eligod is not in bin" || not_ok "eligod also in $bindir"
for f in "$mandir/man1/eligo.1" "$mandir/man5/eligo-policy.5" "$mandir/man8/eligod.8" \
    "$pkgdatadir/db/001_schema.sql" "$pkgdatadir/db/003_checkpoints.sql" \
    "$pkgdatadir/policies/civil.model" "$pkgdatadir/policies/tianjin/dibao.policy" \
    "$pkgdatadir/policies/sources/001_9ead28f4facb4925.txt" \
    "$pkgdatadir/web/workbench/index.html" "$pkgdatadir/web/workbench/workbench.js" \
    "$sysconfdir/nginx/sites-available/eligo" "$sysconfdir/nginx/snippets/eligo_fastcgi.conf" \
    "$sysconfdir/nginx/snippets/eligo_site.conf" "$sysconfdir/nginx/snippets/eligo_problems.conf" "$sysconfdir/nginx/snippets/eligo_maps.conf" \
    "$unitdir/eligod.service" "$sysusersdir/eligo.conf" "$tmpfilesdir/eligo.conf" \
    "$docdir/README.md" "$docdir/LICENSE" "$docdir/operations.md" "$docdir/examples/eligod.env.example" "$docdir/examples/eligod.conf.example" \
    "$datadir/bash-completion/completions/eligo" "$datadir/bash-completion/completions/eligod"; do
    [ -f "$root$f" ] && ok "installed $f" || not_ok "missing $f"
done
# every migration of the tree, or `eligo db migrate` on an installed
# system leaves the schema behind the code that writes to it
for f in "$top"/db/*.sql; do
    [ -f "$root$pkgdatadir/db/${f##*/}" ] && ok "installed migration ${f##*/}" ||
        not_ok "migration ${f##*/} is not installed (Makefile.am dist_migration_DATA)"
done
grep -q "alias $pkgdatadir/web/workbench/;" "$root$sysconfdir/nginx/snippets/eligo_site.conf" &&
    ok "the site serves the workbench from $pkgdatadir/web/workbench/" ||
    not_ok "eligo_site.conf's workbench folder" "$(grep alias "$root$sysconfdir/nginx/snippets/eligo_site.conf")"
n=$(find "$root$pkgdatadir/policies" -name '*.log' -o -name '*.trs' | wc -l)
[ "$n" -eq 0 ] && ok "no test logs among the installed policies" || not_ok "$n test logs installed"

for m in eligo.1 eligo-policy.5 eligod.8; do
    sec=${m##*.}
    warn=$(man --warnings -l "$root$mandir/man$sec/$m" 2>&1 >/dev/null)
    [ -z "$warn" ] && ok "man --warnings $m: clean" || not_ok "man --warnings $m" "$warn"
done

unit=$root$unitdir/eligod.service
grep -q "^ExecStart=$sbindir/eligod " "$unit" && ok "the unit starts $sbindir/eligod" || not_ok "unit ExecStart" "$(grep Exec "$unit")"
grep -q "^ExecStartPre=$sbindir/eligod -t " "$unit" && ok "the unit checks with eligod -t first" || not_ok "unit ExecStartPre"
grep -q "^Type=notify$" "$unit" && ok "the unit is Type=notify" || not_ok "unit Type" "$(grep ^Type "$unit")"
grep -q "^ExecReload=$sbindir/eligod -t " "$unit" && ok "systemctl reload checks the policies first" || not_ok "unit ExecReload"
grep -q "unix:$runstatedir/eligo/eligod.sock" "$root$sysconfdir/nginx/sites-available/eligo" &&
    ok "the site names the configured socket" || not_ok "site socket" "$(grep unix: "$root$sysconfdir/nginx/sites-available/eligo")"

# ---- bash completion, read from the programs' --help
got=$(PATH=$build:$PATH bash -c '. "$1"
t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); if [ "$1" = eligod ]; then _eligod; else _eligo; fi; echo "${COMPREPLY[*]}"; }
t eligo fm; t eligo eval --as; t eligo audit ve; t eligo audit verify --js; t eligod --max-r' _ "$root$datadir/bash-completion/completions/eligod" 2>&1)
want=$(printf '%s\n' fmt --as-of verify --json --max-requests)
[ "$got" = "$want" ] && ok "bash completion: subcommands and options from --help" || not_ok "bash completion" "$got"

# ---- the installed binaries, at their configured paths, run from /
# a network namespace of its own too: nginx -t binds the site's ports,
# 443 included, which only the namespace's root may
if unshare -rmn true 2>/dev/null && [ -d "$prefix" ]; then
    cat >"$tmp/inside.sh" <<INSIDE
set -u
mount --bind "$root$prefix" "$prefix" || exit 90
ip link set lo up 2>/dev/null
cd /
unset ELIGO_POLICIES ELIGO_DB
"$bindir/eligo" check >"$tmp/check.out" 2>&1; echo "check \$?" >>"$tmp/rc"
"$bindir/eligo" eval tianjin.dibao --as-of 2019-01-01 --input - <"$top/tests/requests/dibao-family.json" >"$tmp/eval.out" 2>&1
echo "eval \$?" >>"$tmp/rc"
"$sbindir/eligod" -t >"$tmp/t.out" 2>&1; echo "eligod-t \$?" >>"$tmp/rc"
"$sbindir/eligod" --version >"$tmp/v.out" 2>&1; echo "eligod-v \$?" >>"$tmp/rc"
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    n=$tmp/nginx
    mkdir -p "\$n/sites-enabled" "\$n/log"
    cp -r "$root$sysconfdir/nginx/snippets" "\$n/"
    cp "$root$sysconfdir/nginx/sites-available/eligo" "\$n/sites-enabled/eligo"
    # in the namespace nginx believes it is root: "user root" keeps its
    # temp directories' owner one the namespace maps
    printf 'user root root;\npid %s/nginx.pid;\nerror_log %s/log/error.log;\nevents {}\nhttp {\n    include /etc/nginx/mime.types;\n    include %s/sites-enabled/*;\n}\n' "\$n" "\$n" "\$n" >"\$n/nginx.conf"
    # Debian's log directory is root's: a scratch one stands in for it
    [ -d /var/log/nginx ] && mount --bind "\$n/log" /var/log/nginx
    # and its temp directories, which a nginx run as www-data leaves
    # owned by a user this namespace does not map (chown would fail)
    mkdir -p "\$n/lib" && [ -d /var/lib/nginx ] && mount --bind "\$n/lib" /var/lib/nginx
    PATH=\$PATH:/usr/sbin nginx -t -p "\$n" -c "\$n/nginx.conf" >"$tmp/nginx.out" 2>&1; echo "nginx \$?" >>"$tmp/rc"
    # the commented TLS server, uncommented, with a throw-away certificate
    if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=eligo.test \
        -keyout "\$n/tls.key" -out "\$n/tls.pem" >/dev/null 2>&1; then
        sed -e '/^#server {/,/^#}/s/^#//' -e "s|/etc/ssl/certs/eligo.example.org.pem|\$n/tls.pem|" \
            -e "s|/etc/ssl/private/eligo.example.org.key|\$n/tls.key|" \
            "$root$sysconfdir/nginx/sites-available/eligo" >"\$n/sites-enabled/eligo"
        PATH=\$PATH:/usr/sbin nginx -t -p "\$n" -c "\$n/nginx.conf" >"$tmp/nginx-tls.out" 2>&1; echo "nginx-tls \$?" >>"$tmp/rc"
    fi
fi
INSIDE
    unshare -rmn bash "$tmp/inside.sh"
    rc() { awk -v k="$1" '$1 == k {print $2}' "$tmp/rc" 2>/dev/null; }
    [ "$(rc check)" = 0 ] && [ ! -s "$tmp/check.out" ] && ok "installed eligo check, from /, finds the installed policies" ||
        not_ok "installed eligo check: $(rc check)" "$(cat "$tmp/check.out" 2>/dev/null)"
    [ "$(rc eval)" = 0 ] && grep -q '"monthly_benefit":"1080.00"' "$tmp/eval.out" && ok "installed eligo eval: benefit 1080.00" ||
        not_ok "installed eligo eval: $(rc eval)" "$(cat "$tmp/eval.out" 2>/dev/null)"
    [ "$(rc eligod-t)" = 0 ] && grep -q "policies in $pkgdatadir/policies" "$tmp/t.out" && ok "installed eligod -t checks $pkgdatadir/policies" ||
        not_ok "installed eligod -t: $(rc eligod-t)" "$(cat "$tmp/t.out" 2>/dev/null)"
    [ "$(rc eligod-v)" = 0 ] && ok "installed eligod --version: $(cat "$tmp/v.out")" || not_ok "installed eligod --version"
    if [ -n "$(rc nginx)" ]; then
        [ "$(rc nginx)" = 0 ] && ok "nginx -t on the installed site in Debian's layout" || not_ok "nginx -t" "$(cat "$tmp/nginx.out")"
    fi
    if [ -n "$(rc nginx-tls)" ]; then
        [ "$(rc nginx-tls)" = 0 ] && grep -q 'listen 443 ssl' "$tmp/nginx/sites-enabled/eligo" &&
            ok "nginx -t with the site's TLS server uncommented" || not_ok "nginx -t, TLS" "$(cat "$tmp/nginx-tls.out")"
    fi
else
    skip "the installed binaries at their paths" "no user namespaces here (unshare -rmn)"
fi

# ---- uninstall
make -s -C "$build" uninstall DESTDIR="$root" >"$tmp/uninstall.log" 2>&1
left=$(find "$root" -type f | sed "s|^$root||")
[ -z "$left" ] && ok "make uninstall leaves no file" || not_ok "files left after make uninstall" "$left"
finish
