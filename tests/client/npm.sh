# shellcheck shell=bash
# npm.sh - the pinned node_modules of tests/client (package-lock.json),
# installed once per build directory with `npm ci` and reused while the
# lock file is unchanged.  Sourced by tests/api/lint.sh and
# tests/integration/client.sh; a lock keeps two suites run by `make -j`
# from installing at once.
#
# client_node_modules SRC DIR: DIR gets package.json, package-lock.json
# and node_modules; 0, or 1 with npm's output printed.
#
# SPDX-License-Identifier: Apache-2.0
client_node_modules() {
    local src=$1 dir=$2 stamp
    mkdir -p "$dir" || return 1
    (
        flock 9
        stamp=$(cat "$src/package-lock.json" "$src/package.json" | sha256sum | cut -c1-64)
        if [ -d "$dir/node_modules" ] && [ "$(cat "$dir/.installed" 2>/dev/null)" = "$stamp" ]; then
            exit 0
        fi
        cp "$src/package.json" "$src/package-lock.json" "$dir/" || exit 1
        # npm has no overall deadline: a registry fetch that stalls
        # mid-download has held a suite for over ten minutes.  Each try
        # gets 180 s; a stalled one is killed and tried again.
        for try in 1 2 3; do
            (cd "$dir" && timeout 180 npm ci --no-audit --no-fund --ignore-scripts \
                --fetch-timeout=60000 >npm-ci.log 2>&1) && break
            echo "npm ci, try $try: failed or stalled (exit $?)" >>"$dir/npm-ci.tries"
            [ "$try" = 3 ] && { cat "$dir/npm-ci.tries" "$dir/npm-ci.log"; exit 1; }
        done
        echo "$stamp" >"$dir/.installed"
    ) 9>"$dir/.lock"
}

# client_ready WHO SRC DIR: node and npm are there and DIR has the
# packages; else the suite's closing lines saying why, and 1.
client_ready() {
    require node npm -- "Debian packages nodejs, npm"
    client_node_modules "$2" "$3" && return 0
    not_ok "$1: npm ci failed"
    finish
}
