# shellcheck shell=bash
# peers.sh - the peer-engine half of bench/run: Cedar (cedar-wasm),
# zen-engine and json-rules-engine, installed pinned from npm by their
# package-lock.json (npm ci, into build/bench/peers), each deciding the
# 低保 rule of tianjin.dibao on the households of eligo's JSON path
# (peers.js), after eligod's answer for every household (answers.js) has
# been fetched so that a peer that disagrees is reported, not timed.
#
# package-lock.json was made by `npm install --package-lock-only`; the
# entries of zen-engine's binaries for other platforms (darwin, win32,
# arm64, wasm32) carry no integrity because the registry this was made
# against serves only linux-x64 ones, and npm ci wants them listed.
#
# Sourced by bench/run after http_up and http_bodies (eligo_port, the
# officer token and $var/evaluate.jsonl are there).  bench_peers sets
# peer_lines: one "peer NAME: ..." line per engine, or one "peer all:
# skipped (why)" line when node, npm or the registry is not there.
#
# SPDX-License-Identifier: Apache-2.0

# shellcheck disable=SC2154  # top, out, var, quick, secs, runs: set by bench/run
bench_peers() {
    local d=$out/peers
    peer_lines=""
    if [ "$quick" = 1 ]; then peer_lines="peer all: skipped (--quick leaves the peers out)"; return 0; fi
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        peer_lines="peer all: skipped (no node or npm)"; return 0
    fi
    mkdir -p "$d"
    cp "$top"/bench/peers/package.json "$top"/bench/peers/package-lock.json "$top"/bench/peers/*.js "$d/"
    if ! (cd "$d" && timeout 300 npm ci --no-audit --no-fund >npm.log 2>&1); then
        peer_lines="peer all: skipped (npm ci failed, the registry unreachable? $(tail -n 1 "$d/npm.log"))"; return 0
    fi
    if ! node "$d/answers.js" "http://127.0.0.1:$eligo_port/v1/evaluate" "$ELIGO_OFFICER_TOKEN" \
        "$var/evaluate.jsonl" >"$d/answers" 2>"$d/answers.err"; then
        peer_lines="peer all: skipped (eligod's answers: $(head -c 200 "$d/answers.err"))"; return 0
    fi
    peer_lines=$(node "$d/peers.js" "$out/households.jsonl" "$d/answers" "$secs" "$runs" 2>&1)
}

# peer_fastest: "NAME RATE" of the fastest timed peer, or nothing.
peer_fastest() {
    echo "$peer_lines" | sed -n 's/^peer \([^:]*\): \([0-9]*\) decisions\/s.*/\2 \1/p' | sort -n | tail -n 1 |
        awk '{print $2, $1}'
}

# peer_rows JSON: a table row per peer line, with eligo's JSON path as a ratio.
peer_rows() {
    echo "$peer_lines" | while IFS= read -r l; do
        local name rest rate
        name=${l#peer } name=${name%%:*} rest=${l#peer "$name": }
        rate=$(echo "$rest" | sed -n 's/^\([0-9]*\) decisions\/s.*/\1/p')
        if [ -n "$rate" ]; then
            echo "| peer in the same run: $name, in node $(node --version 2>/dev/null), one core | $(fmt "$rate") decisions/s (${rest#* decisions/s (} | - | eligo's JSON path $(ratio "$1" "$rate")x | - | |"
        else
            echo "| peer in the same run: $name | $rest | - | - | - | |"
        fi
    done
}
