# shellcheck shell=bash
# packages.sh - the Debian packages eligo needs, and how to get them.
#
# Sourced by scripts/quickstart and scripts/check so that there is one
# list.  eligo_install_packages asks dpkg first and only calls apt-get
# (update once, then install) when something is missing, so a rerun on a
# prepared machine costs nothing.  clang and libclang-rt-dev (its
# sanitizer and libFuzzer runtimes) build tests/fuzz; wrk and gnuplot-nox
# are bench/run's load generator and plotter.  man-db and groff-base
# check the man pages (man --warnings), util-linux's unshare lets
# tests/install.sh run the installed binaries at their configured paths
# (iproute2 brings up its namespace's loopback, openssl makes the
# throw-away certificate of its TLS check).  galera-4, mariadb-backup and
# socat make scripts/cluster's three-node Galera cluster (mariabackup
# streamed by socat is its state transfer; iproute2 also makes the
# cluster's namespaces).
# python3-jsonschema (draft 2020-12) checks each policy's schema
# (tests/api/schema.sh); nodejs and npm run the generated client and the
# OpenAPI linter (tests/client/); chromium is the headless browser the
# workbench's test drives (tests/integration/workbench.sh), and
# fonts-wqy-zenhei the Chinese font its screenshots are drawn with.
# debhelper, devscripts and lintian build and check the Debian package
# (tests/deb.sh); systemd brings systemd-analyze (tests/unit-security.sh),
# strace watches eligod against the unit's filter
# (tests/integration/syscalls.sh), prometheus brings promtool, which
# checks GET /metrics' text (tests/integration/metrics.sh); shellcheck
# checks every shell script of the tree (tests/shellcheck.sh).
# A package counts as installed when an installed package provides it:
# NodeSource's nodejs provides npm.
#
# SPDX-License-Identifier: Apache-2.0

ELIGO_PACKAGES="
    build-essential autoconf automake pkg-config bison flex
    libcmocka-dev libssl-dev
    libfcgi-dev libmariadb-dev mariadb-server mariadb-client nginx curl jq
    valgrind clang libclang-rt-dev wrk gnuplot-nox
    man-db groff-base util-linux iproute2 openssl galera-4 mariadb-backup socat
    python3-jsonschema nodejs npm chromium fonts-wqy-zenhei
    debhelper devscripts lintian systemd strace prometheus shellcheck
"

# Prints the packages from ELIGO_PACKAGES that are not fully installed.
eligo_missing_packages() {
    for p in $ELIGO_PACKAGES; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] && continue
        dpkg-query -W -f='${Status} ${Provides}\n' 2>/dev/null |
            grep -qE "^install ok installed .*(^| |,)$p( |,|\$)" || printf '%s\n' "$p"
    done
}

eligo_install_packages() {
    missing=$(eligo_missing_packages | tr '\n' ' ')
    if [ -z "$missing" ]; then
        echo "packages: all installed"
        return 0
    fi
    echo "packages: installing $missing"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "packages: not root and no sudo; install these first: $missing" >&2
            return 1
        }
        sudo="sudo"
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    # shellcheck disable=SC2086  # one word per package
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing || return 1
}
