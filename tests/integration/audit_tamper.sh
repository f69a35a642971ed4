#!/usr/bin/env bash
# audit_tamper.sh - tamper evidence (every alteration detected and
# named, no fork of the checkpoint chain; docs/audit.md) against a real, private MariaDB server.
#
# Starts a server of its own (tests/lib/mariadb.sh), migrates it, makes two
# keys with `eligo audit keygen` (the sequencer's and an impostor's), then
# runs the C driver (tamper_driver.c): a store of ROWS decisions
# sequenced and signed, MUTATIONS random mutations each detected and
# named, untouched stores with no false alarm, two sequencers racing.
# Then the CLI on a small store: `eligo audit checkpoint` signs, `eligo
# audit verify` exits 0 and prints its figures, 1 naming the decision
# after a direct UPDATE of its outputs, 1 for a log cut back (its rows
# left unprotected past the bound), 1 for a log that does not extend a
# kept checkpoint (--since), 2 for a bad key file; a private key that
# others can read is refused.
#
# Sizes: make check runs 10,000 decisions and 150 mutations, 10
# untouched stores of 1,000 and 1,000 race rounds (about 100 s on two
# busy cores); tests/soak/audit_tamper_full.sh sets TAMPER_MUTATIONS=1000
# and TAMPER_STORE_ROWS=10000 (the full size).  Last line: "N passed, N failed"; 77 when
# MariaDB is not installed.
#
# SPDX-License-Identifier: Apache-2.0
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top_srcdir/tests/lib/harness.sh"

ELIGO=${ELIGO:-$top_srcdir/eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
DRIVER=$(dirname "$ELIGO")/tests/integration/tamper_driver
ROWS=${TAMPER_ROWS:-10000}
MUTATIONS=${TAMPER_MUTATIONS:-150}
STORES=${TAMPER_STORES:-10}
STORE_ROWS=${TAMPER_STORE_ROWS:-1000}
RACE_ROUNDS=${TAMPER_RACE_ROUNDS:-1000}

start=$(date +%s)
harness_mariadb tamper
sql() { mariadb_sql "$var" "USE eligo; $1"; }
export ELIGO_DB=$url
if "$ELIGO" db migrate --dir "$top_srcdir/db" >"$tmp/out" 2>&1 && grep -q 'applied 003_checkpoints.sql' "$tmp/out"; then ok
else fail "eligo db migrate"; cat "$tmp/out"; finish; fi

# keys: FILE 0600 and FILE.pub
if "$ELIGO" audit keygen --out "$tmp/key" --name eligo.test/decisions >/dev/null &&
    "$ELIGO" audit keygen --out "$tmp/other" --name eligo.test/decisions >/dev/null &&
    [ "$(stat -c %a "$tmp/key")" = 600 ] && [ -s "$tmp/key.pub" ]; then ok
else fail "eligo audit keygen"; finish; fi

# 1. the driver
"$DRIVER" "$url" "$tmp/key" "$tmp/other" "$ROWS" "$MUTATIONS" "$STORES" "$STORE_ROWS" "$RACE_ROUNDS" >"$tmp/driver" 2>&1
status=$?
grep -v '^[0-9]* passed, [0-9]* failed$' "$tmp/driver" | grep -v '^seed ' | head -n 60
grep '^seed ' "$tmp/driver"
add_counts "$tmp/driver" "$status"

# 2. the command line on the race's store
if "$ELIGO" audit checkpoint --key "$tmp/key" --all --file "$tmp/checkpoints" >"$tmp/out" 2>&1; then ok
else fail "eligo audit checkpoint: $(cat "$tmp/out")"; fi
"$ELIGO" audit verify --public-key "$tmp/key.pub" >"$tmp/out" 2>&1
check_exit() { # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then ok; else fail "$1: exit $3, expected $2: $(cat "$tmp/out")"; fi
}
check_exit "verify of an intact store" 0 $?
grep '^intact: ' "$tmp/out"
# the auditor keeps the newest checkpoint (mariadb -B escapes its newlines)
note=$(sql "SELECT note FROM checkpoints ORDER BY k DESC LIMIT 1" | sed 's/\\n/\n/g')
printf '%s\n' "$note" >"$tmp/kept.note"
"$ELIGO" audit verify --public-key "$tmp/key.pub" --since "$tmp/kept.note" >"$tmp/out" 2>&1
check_exit "verify --since the newest checkpoint" 0 $?
# the outputs of a row stored as since db/005: in its response only
seq=$(sql "SELECT MIN(seq) FROM decisions WHERE outputs IS NULL AND seq >= 7")
id=$(sql "SELECT id FROM decisions WHERE seq = $seq")
sql "CREATE TABLE saved AS SELECT id, response FROM decisions WHERE id = '$id'"
sql "UPDATE decisions SET response = REPLACE(REPLACE(response, 'true', 'false'), '.00', '.01') WHERE id = '$id'"
"$ELIGO" audit verify --public-key "$tmp/key.pub" >"$tmp/out" 2>&1
check_exit "verify after an UPDATE of the outputs in the response" 1 $?
if grep -q "decision $id (seq $seq)" "$tmp/out"; then ok; else fail "verify did not name $id: $(cat "$tmp/out")"; fi
sql "UPDATE decisions d JOIN saved s ON s.id = d.id SET d.response = s.response"
sql "DROP TABLE saved"
"$ELIGO" audit verify --public-key "$tmp/key.pub" >"$tmp/out" 2>&1
check_exit "verify after the outputs were put back" 0 $?
"$ELIGO" audit verify --public-key "$tmp/other.pub" >"$tmp/out" 2>&1
check_exit "verify with the wrong public key" 1 $?
# a log cut back to its previous checkpoint: the rows it left without a
# seq are older than the bound (60 s), so not intact even alone; the kept
# checkpoint names the cut
sql "DELETE FROM checkpoints WHERE k = (SELECT MAX(k) FROM checkpoints)"
sql "UPDATE decisions SET seq = 0 WHERE seq > (SELECT MAX(tree_size) FROM checkpoints)"
"$ELIGO" audit verify --public-key "$tmp/key.pub" >"$tmp/out" 2>&1
check_exit "verify of a log cut back to a checkpoint, alone" 1 $?
if grep -q '^UNPROTECTED: [1-9][0-9]* decisions are under no signed checkpoint' "$tmp/out"; then ok
else fail "cut back, alone: $(cat "$tmp/out")"; fi
"$ELIGO" audit verify --public-key "$tmp/key.pub" --since "$tmp/kept.note" >"$tmp/out" 2>&1
check_exit "verify --since a checkpoint the log no longer extends" 1 $?
if grep -q 'kept checkpoint' "$tmp/out"; then ok; else fail "--since: $(cat "$tmp/out")"; fi
echo "not a key" >"$tmp/bad.pub"
"$ELIGO" audit verify --public-key "$tmp/bad.pub" >"$tmp/out" 2>&1
check_exit "verify with a bad key file" 2 $?
chmod 644 "$tmp/key"
if "$ELIGO" audit checkpoint --key "$tmp/key" >"$tmp/out" 2>&1; then fail "a private key of mode 644 was used"
elif grep -q 'mode 0600' "$tmp/out"; then ok
else fail "mode 644: $(cat "$tmp/out")"; fi

echo "audit tamper suite took $(($(date +%s) - start)) s"
finish
