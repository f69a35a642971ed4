#!/usr/bin/env bash
# store_test.sh - the store against a real, private MariaDB server.
#
# Starts a server of its own in a temporary directory (tests/lib/mariadb.sh),
# then: `eligo db migrate` applies db/ and a second run applies nothing;
# `eligo token add` prints a token that is stored only hashed, `eligo
# token revoke` deletes a name's tokens; a server
# with innodb_flush_log_at_trx_commit=2 is refused with a message naming
# it (and accepted with --allow-nondurable); the C driver
# (store_driver.c) checks the idempotent put, reads, a kill -9 of the
# server while the store is open, an outage and injected errors; finally the rows are
# counted with the mariadb client: one row per (client, request_id).
# The server is always stopped (trap), by its pid.
#
# Environment: ELIGO (the binary; the driver is next to it, in
# tests/integration), top_srcdir (the source root).
# Last line: "N passed, N failed"; exit 1 when anything failed, 77 (skip)
# when the MariaDB server programs are not installed.
#
# SPDX-License-Identifier: Apache-2.0
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/mariadb.sh
. "$top_srcdir/tests/lib/mariadb.sh"
# shellcheck source=tests/lib/harness.sh
. "$top_srcdir/tests/lib/harness.sh"

# Hook mode, called by the driver: store_test.sh --hook DIR kill|start
if [ "${1:-}" = --hook ]; then
    case $3 in
    kill) mariadb_kill9 "$2" ;;
    start) mariadb_start "$2" ;;
    *) exit 2 ;;
    esac
    exit
fi

ELIGO=${ELIGO:-$top_srcdir/eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
DRIVER=$(dirname "$ELIGO")/tests/integration/store_driver
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

start=$(date +%s)
harness_mariadb store
sql() { mariadb_sql "$var" "USE eligo; $1"; }

# 1. migrations, twice
if "$ELIGO" db migrate --db "$url" --dir "$top_srcdir/db" >"$tmp/out" 2>&1 &&
    grep -q '^applied 001_schema.sql$' "$tmp/out"; then ok
else fail "eligo db migrate"; cat "$tmp/out"; finish; fi
nfiles=$(find "$top_srcdir/db" -name '[0-9]*_*.sql' | wc -l)
same "schema_migrations rows" "$nfiles" "$(sql 'SELECT COUNT(*) FROM schema_migrations')"
if ELIGO_DB=$url "$ELIGO" db migrate --dir "$top_srcdir/db" >"$tmp/out" 2>&1 &&
    grep -q '^up to date' "$tmp/out"; then ok
else fail "second eligo db migrate (URL from ELIGO_DB)"; cat "$tmp/out"; fi
tables=$(sql 'SHOW TABLES')
missing=$(for t in access_log decisions model_versions policy_versions schema_migrations tokens; do
    grep -qx "$t" <<<"$tables" || printf '%s ' "$t"; done)
same "tables missing after migrate" "" "$missing"

# 2. tokens: printed once, stored hashed
token=$("$ELIGO" token add --role portal --name portal-test --db "$url" 2>"$tmp/err")
if [[ $token =~ ^[0-9a-f]{64}$ ]]; then ok; else fail "eligo token add printed '$token'"; cat "$tmp/err"; fi
same "token stored by its SHA-256" "1 0" \
    "$(sql "SELECT COUNT(*) FROM tokens WHERE hash = SHA2('$token', 256)") $(sql "SELECT COUNT(*) FROM tokens WHERE hash = '$token'")"
if "$ELIGO" token add --role root --name x --db "$url" >"$tmp/out" 2>&1; then fail "token add --role root succeeded"
elif grep -q 'unknown role' "$tmp/out"; then ok
else fail "token add --role root: $(cat "$tmp/out")"; fi
# eligo token revoke: every token of the name, then none left (exit 1)
"$ELIGO" token add --role officer --name cli-revoke --db "$url" >/dev/null 2>&1
"$ELIGO" token add --role auditor --name cli-revoke --db "$url" >/dev/null 2>&1
same "token revoke: both tokens of the name" '2 tokens of "cli-revoke" revoked' \
    "$("$ELIGO" token revoke --name cli-revoke --db "$url" 2>"$tmp/err")"
same "rows of cli-revoke after the revoke" 0 "$(sql "SELECT COUNT(*) FROM tokens WHERE name = 'cli-revoke'")"
"$ELIGO" token revoke --name cli-revoke --db "$url" >/dev/null 2>"$tmp/err"
same "token revoke of a name without tokens: exit 1, said" '1 eligo token revoke: no token named "cli-revoke"' \
    "$? $(cat "$tmp/err")"

# 3. durability refusal
sql "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
if "$ELIGO" token add --role admin --name nondurable --db "$url" >"$tmp/out" 2>&1; then
    fail "a server with innodb_flush_log_at_trx_commit=2 was accepted"
elif grep -q 'innodb_flush_log_at_trx_commit=2' "$tmp/out"; then ok
else fail "refusal message: $(cat "$tmp/out")"; fi
if "$ELIGO" token add --role admin --name nondurable --allow-nondurable --db "$url" >/dev/null 2>"$tmp/out"; then ok
else fail "--allow-nondurable: $(cat "$tmp/out")"; fi
sql "SET GLOBAL innodb_flush_log_at_trx_commit = 1"

# 4. the driver: idempotent put, reads, crash, outage, commit rate
STORE_TEST_HOOK="bash $self --hook $var" "$DRIVER" "$url" "$token" >"$tmp/driver" 2>&1
status=$?
grep -v '^[0-9]* passed, [0-9]* failed$' "$tmp/driver"
add_counts "$tmp/driver" "$status"

# 5. rows, counted from outside the store
if kill -0 "$(cat "$var/pid" 2>/dev/null)" 2>/dev/null; then
    same "rows for (portal-test, r1)" 1 \
        "$(sql "SELECT COUNT(*) FROM decisions WHERE client = 'portal-test' AND request_id = 'r1'")"
    same "rows for r1 across clients" 2 "$(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'r1'")"
    same "rows for r-outage" 1 "$(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'r-outage'")"
    same "rows for in-flight" 1 "$(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'in-flight'")"
    same "rows for each injected fault" "1 1 1 1 1 1 1" \
        "$(sql "SELECT COUNT(*) FROM decisions WHERE request_id LIKE 'f-%' GROUP BY request_id" | tr '\n' ' ' | sed 's/ $//')"
    same "batch rows: twins, new, lost commit, beside in-flight" "1 2 4 2" \
        "$(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'b-same'") $(sql "SELECT COUNT(*) FROM decisions WHERE request_id LIKE 'b-new-%'") $(sql "SELECT COUNT(*) FROM decisions WHERE request_id LIKE 'b-lost-%'") $(sql "SELECT COUNT(*) FROM decisions WHERE request_id LIKE 'b-beside-%'")"
    same "rows of a group that met a conflict: its first stored alone later" "1 0 1 1" \
        "$(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'g-1/a'") $(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'g-1/c'") $(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'g-2/a'") $(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'g-lone'")"
    same "outputs hashed in place, held only in the response" 1 \
        "$(sql "SELECT COUNT(*) FROM decisions WHERE request_id = 'r-inplace' AND outputs IS NULL AND explanation IS NULL")"
    same "rows of the batches of 13 and 70" "13 70" \
        "$(sql "SELECT COUNT(*) FROM decisions WHERE request_id LIKE 'n-13-%'") $(sql "SELECT COUNT(*) FROM decisions WHERE request_id LIKE 'n-70-%'")"
    same "all rows" 409 "$(sql 'SELECT COUNT(*) FROM decisions')"
    same "one policy text" 1 "$(sql 'SELECT COUNT(*) FROM policy_versions')"
    same "content hashes distinct and well-formed" 409 \
        "$(sql "SELECT COUNT(DISTINCT content_hash) FROM decisions WHERE content_hash REGEXP '^[0-9a-f]{64}\$'")"
    same "seq left for the checkpointer" 0 "$(sql 'SELECT COUNT(*) FROM decisions WHERE seq > 0')"
else
    fail "the server is not running after the driver"
fi

echo "store suite took $(($(date +%s) - start)) s"
finish
