#!/usr/bin/env bash
# migrate_seq.sh - db/007_seq_in_place.sql upgrades a store that already
# holds numbered and unnumbered decisions and checkpoints, and changes
# nothing that was stored.
#
# Through the stack (tests/lib/stack.sh, no sequencer child): 9 decisions,
# 6 of them put under checkpoint 1 with `eligo audit checkpoint`, 3 left
# unnumbered.  A second database on the same server is migrated with
# 001-006 only (the schema before 007: seq NULL until numbered, the
# unique key on seq) and given those texts, checkpoints and decisions as
# such a store holds them (seq NULL for the 3).  Then `eligo db migrate`
# applies 007, and:
#   - every stored field of every decision (seq as 0 where it was NULL),
#     its content_hash and every checkpoint row are byte for byte as before;
#   - seq is NOT NULL DEFAULT 0 and the unique key is over seq_key;
#   - `eligo audit verify` is intact, with 6 decisions under checkpoints
#     and 3 not yet; `eligo replay` of a numbered and an unnumbered one
#     matches;
#   - 2 decisions stored after the upgrade (the committer's INSERT, which
#     names no seq) and the 3 left get seqs 7-11 from `eligo audit
#     checkpoint`, in id order, under checkpoint 2 of size 11, and verify
#     is intact again; two rows can never share a seq (1062).
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
ELIGO=${ELIGO:-$top/eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
export ELIGO ELIGOD
PATH=$PATH:/usr/sbin
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack migrate_seq
export STACK_WORKERS=2 STACK_CHECKPOINTS=0
sql() { mariadb_sql "$STACK_VAR/mariadb" "$1"; }
post() {   # REQUEST_ID: one durable decision; prints its id
    curl -s -m 30 -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" -H 'Content-Type: application/json' \
        --data-binary "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"$1\",\"input\":$fam}" \
        "$U/v1/decisions" | grep -o '"decision_id":"[^"]*"' | cut -d'"' -f4
}
# The stored columns (seq_key is generated from seq and takes no value).
stored="id, seq, request_id, client, fingerprint, policy_name, policy_hash, model_hash, as_of, input, outputs, explanation, response, created_at, content_hash"
# One digest of every stored field of every decision, seq NULL read as 0,
# and one of every checkpoint row: equal before and after means unchanged.
digest() {   # DB
    sql "SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, COALESCE(seq, 0), request_id, client, fingerprint, policy_name,
            policy_hash, COALESCE(model_hash, '-'), as_of, MD5(input), MD5(COALESCE(outputs, '-')),
            MD5(COALESCE(explanation, '-')), MD5(response), created_at, content_hash) ORDER BY id SEPARATOR '/'))
         FROM $1.decisions;
         SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', k, tree_size, MD5(root), MD5(leaves), MD5(note)) ORDER BY k SEPARATOR '/'))
         FROM $1.checkpoints" | tr '\n' ' '
}

stack_test_up "$tmp"
fam=$(tr -d '\n' <"$top/tests/requests/dibao-family.json")
url=$(mariadb_url "$STACK_VAR/mariadb")
"$ELIGO" audit keygen --out "$tmp/key" --name eligo.test/decisions >/dev/null || { fail "keygen"; finish; }

# ---- a store as it was before 007: 6 numbered under checkpoint 1, 3 not
for i in 1 2 3 4 5 6; do post "old-$i" >>"$tmp/ids"; done
if "$ELIGO" audit checkpoint --key "$tmp/key" --db "$url" --all >"$tmp/out" 2>&1; then ok
else fail "eligo audit checkpoint: $(cat "$tmp/out")"; fi
for i in 7 8 9; do post "old-$i" >>"$tmp/ids"; done
same "9 decisions stored, 6 numbered" "9 6" "$(sql "SELECT COUNT(*), SUM(seq > 0) FROM eligo.decisions" | tr '\t' ' ')"

mkdir "$tmp/db006"
cp "$top"/db/00[1-6]_*.sql "$tmp/db006/"
user=$(printf '%s' "$url" | sed 's|^mariadb://\([^:]*\):.*|\1|')
sql "CREATE DATABASE old; GRANT ALL ON old.* TO '$user'@'127.0.0.1'; GRANT ALL ON old.* TO '$user'@'localhost'"
old_url=${url%/*}/old
# this eligo applies 001-006, then cannot prepare its statements there
# (no seq_key yet): it names the old schema and exits 1
"$ELIGO" db migrate --db "$old_url" --dir "$tmp/db006" >"$tmp/out" 2>&1
same "migrating a second database to 006" "1 1 1" \
    "$? $(grep -c 'applied 006_' "$tmp/out") $(grep -c 'schema is missing or old.*seq_key' "$tmp/out")"
shape=$(sql "SHOW CREATE TABLE old.decisions" | tr -d '\140')   # without the backquotes
want "the old schema: seq NULL-able with its unique key" \
    "$(grep -q 'seq bigint(20) unsigned DEFAULT NULL' <<<"$shape" && grep -q 'UNIQUE KEY uq_decisions_seq (seq)' <<<"$shape" && echo y)" \
    "$shape"
sql "INSERT INTO old.policy_versions SELECT * FROM eligo.policy_versions;
     INSERT INTO old.model_versions SELECT * FROM eligo.model_versions;
     INSERT INTO old.checkpoints SELECT * FROM eligo.checkpoints;
     INSERT INTO old.decisions ($stored) SELECT ${stored/seq,/NULLIF(seq, 0),} FROM eligo.decisions"
same "the old store: 3 decisions with seq NULL" 3 "$(sql "SELECT COUNT(*) FROM old.decisions WHERE seq IS NULL")"
before=$(digest old)
want "the digests of the old store: two MD5s" "$(grep -qE '^[0-9a-f]{32} [0-9a-f]{32} $' <<<"$before" && echo y)" "$before"

# ---- the upgrade
if "$ELIGO" db migrate --db "$old_url" --dir "$top/db" >"$tmp/out" 2>&1 && grep -q 'applied 007_seq_in_place.sql' "$tmp/out"; then ok
else fail "eligo db migrate to 007: $(cat "$tmp/out")"; finish; fi
same "every stored field and checkpoint as before" "$before" "$(digest old)"
shape=$(sql "SHOW CREATE TABLE old.decisions" | tr -d '\140')
want "seq NOT NULL DEFAULT 0, the unique key over seq_key" \
    "$(grep -q 'seq bigint(20) unsigned NOT NULL DEFAULT 0' <<<"$shape" && grep -q 'UNIQUE KEY uq_decisions_seq_key (seq_key)' <<<"$shape" &&
        ! grep -q 'uq_decisions_seq (' <<<"$shape" && echo y)" "$shape"
same "seq_key: 1-6 and 3 NULL" "1,2,3,4,5,6 3" \
    "$(sql "SELECT GROUP_CONCAT(seq_key ORDER BY seq_key), SUM(seq_key IS NULL) FROM old.decisions" | tr '\t' ' ')"
"$ELIGO" audit verify --db "$old_url" --public-key "$tmp/key.pub" --max-unprotected 3600 >"$tmp/out" 2>&1
same "verify after the upgrade: exit 0" 0 $?
want "verify: 6 under checkpoints, 3 not yet" "$(grep -q '^intact: 6 decisions' "$tmp/out" && grep -q '3 not yet' "$tmp/out" && echo y)" \
    "$(cat "$tmp/out")"
numbered=$(sed -n 1p "$tmp/ids")
pending=$(sed -n 9p "$tmp/ids")
for id in "$numbered" "$pending"; do
    "$ELIGO" replay "$id" --db "$old_url" >"$tmp/out" 2>&1
    same "replay of $id after the upgrade: exit 0, match" "0 1" "$? $(grep -c "\"decision_id\":\"$id\",\"match\":true" "$tmp/out")"
done

# ---- decisions stored after the upgrade, then numbered next
for i in 10 11; do post "new-$i" >>"$tmp/ids"; done
sql "INSERT INTO old.decisions (${stored/seq, /}) SELECT ${stored/seq, /} FROM eligo.decisions WHERE request_id LIKE 'new-%'"
same "stored after the upgrade: seq 0, seq_key NULL" "2 2" \
    "$(sql "SELECT SUM(seq = 0), SUM(seq_key IS NULL) FROM old.decisions WHERE request_id LIKE 'new-%'" | tr '\t' ' ')"
if "$ELIGO" audit checkpoint --key "$tmp/key" --db "$old_url" --all >"$tmp/out" 2>&1; then ok
else fail "eligo audit checkpoint after the upgrade: $(cat "$tmp/out")"; fi
want_ids=$(sed -n '7,11p' "$tmp/ids" | sort | paste -sd,)
same "the 5 unnumbered get seqs 7-11 in id order" "$want_ids" \
    "$(sql "SELECT GROUP_CONCAT(id ORDER BY seq) FROM old.decisions WHERE seq > 6")"
same "checkpoint 2 covers them: size 11" "2 11" "$(sql "SELECT k, tree_size FROM old.checkpoints ORDER BY k DESC LIMIT 1" | tr '\t' ' ')"
"$ELIGO" audit verify --db "$old_url" --public-key "$tmp/key.pub" >"$tmp/out" 2>&1
same "verify after numbering: exit 0" 0 $?
want "verify: 11 decisions, none left" "$(grep -q '^intact: 11 decisions' "$tmp/out" && echo y)" "$(cat "$tmp/out")"
sql "UPDATE old.decisions SET seq = 3 WHERE seq = 4" 2>"$tmp/out"
want "two rows cannot share a seq: 1062" "$(grep -q 'ERROR 1062' "$tmp/out" && echo y)" "$(cat "$tmp/out")"
finish
