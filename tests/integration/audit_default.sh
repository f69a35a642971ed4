#!/usr/bin/env bash
# audit_default.sh - tamper evidence on by default (issue 12), through
# the stack the scripts start (tests/lib/stack.sh): real MariaDB, eligod
# and nginx.
#
#   1. stack_up made the signing key itself: VAR/keys/checkpoint.key,
#      mode 0600 in a 0700 directory, found in no log and nowhere in
#      MariaDB's files; eligod runs a sequencer child (eligod-seq).
#   2. Five decisions, then GET /v1/audit/verify answers 200 intact with
#      all five under a signed checkpoint within 5 s.
#   3. An altered decision, a deleted one, an altered and a deleted
#      policy text: verify names the row each time, and is intact again
#      once the row is put back.  `eligo audit verify` agrees.
#   4. The access log: the CLI's identity is the OS account (with
#      $SUDO_USER beside it), never $USER; verify and replay or impact
#      ranges, from the CLI and over HTTP, are logged with their arguments.
#   5. The sequencer child SIGSTOPped for 10 s while load_client posts:
#      decisions are still answered and stored; a worker SIGKILLed during
#      the stop is reaped and replaced; once unprotected rows are older
#      than --max-unprotected (4 s here), verify fails with "problem":
#      "unprotected" (the CLI exits 1); after SIGCONT every decision is
#      under a checkpoint within 5 s and verify is intact.
#
# About 40 s.  Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack auditdef
LOAD=$STACK_LOAD
export STACK_WORKERS=4
# a bound the 10 s stop passes (the default is 60 s)
export STACK_EXTRA="--max-unprotected 4"
loader='' stopped=''
cleanup() {
    [ -n "$loader" ] && kill "$loader" 2>/dev/null
    [ -n "$stopped" ] && kill -CONT "$stopped" 2>/dev/null
}
at_exit cleanup

sql() { mariadb_sql "$STACK_VAR/mariadb" "USE eligo; $1"; }
now_ms() { date +%s%3N; }
field() { sed -n "s/.*\"$1\":\\(\"[^\"]*\"\\|[0-9a-z]*\\).*/\\1/p" "$tmp/verify"; }   # NAME: from the last verify
verify() {   # GET /v1/audit/verify into $tmp/verify; sets $code
    code=$(curl -s -m 20 -o "$tmp/verify" -w '%{http_code}' -H "Authorization: Bearer $ELIGO_AUDITOR_TOKEN" \
        "$U/v1/audit/verify")
}
# intact_within SECONDS: verify until it is intact with every stored
# decision under a checkpoint; 0 when it came in time
intact_within() {
    local end=$(($(now_ms) + $1 * 1000)) rows
    while :; do
        verify
        rows=$(sql "SELECT COUNT(*) FROM decisions")
        [ "$code" = 200 ] && [ "$(field intact)" = true ] && [ "$(field unsequenced)" = 0 ] &&
            [ "$(field decisions)" = "$rows" ] && return 0
        [ "$(now_ms)" -ge "$end" ] && return 1
        sleep 0.2
    done
}
cli_verify() {   # [OPTIONS]: eligo audit verify with the stack's public key; sets $rc, output in $tmp/cli
    ELIGO_DB=$(mariadb_url "$STACK_VAR/mariadb") "$ELIGO" audit verify \
        --public-key "$STACK_VAR/keys/checkpoint.key.pub" "$@" >"$tmp/cli" 2>&1
    rc=$?
}

stack_test_up "$tmp"
export ELIGO_PORTAL_TOKEN
log=$STACK_VAR/log/eligod.log
key=$STACK_VAR/keys/checkpoint.key

# ---- 1. the key
want "key: mode 0600" "$([ "$(stat -c %a "$key" 2>/dev/null)" = 600 ] && echo y)" "$(ls -la "$STACK_VAR/keys" 2>&1)"
want "key: directory mode 0700" "$([ "$(stat -c %a "$STACK_VAR/keys" 2>/dev/null)" = 700 ] && echo y)"
secret=$(cut -d+ -f5- "$key")   # the base64 of the seed (the name and hash have no '+')
want "key: a private key line" "$([ ${#secret} -ge 40 ] && echo y)"
want "key: in no log" "$(grep -rqaF -- "$secret" "$STACK_VAR/log" "$STACK_VAR/nginx/logs" || echo y)"
want "key: nowhere in MariaDB's files" "$(grep -rqaF -- "$secret" "$STACK_VAR/mariadb" || echo y)"
seq_pid=$(stack_helper_pid eligod-seq)
want "a sequencer child runs" "$([ -n "$seq_pid" ] && echo y)" "$(grep -i 'sequencer\|checkpoint' "$log" | tail -n 5)"

# ---- 2. a few decisions, covered within 5 s
body='{"policy":"tianjin.dibao","as_of":"2019-01-01","request_id":"@RID@","input":{"household":{"members":[{"id":"a","age":44,"monthly_income":"500.00"}]}}}'
for i in 1 2 3 4 5; do
    curl -s -m 10 -o /dev/null -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" -H 'Content-Type: application/json' \
        --data-binary "${body/@RID@/few-$i}" "$U/v1/decisions"
done
t0=$(now_ms)
intact_within 5
covered=$?
echo "five decisions: verify intact with all five under a checkpoint $(($(now_ms) - t0)) ms after the last was answered"
want "verify: 200 intact, the 5 decisions under a checkpoint within 5 s" \
    "$([ "$covered" = 0 ] && [ "$(field decisions)" = 5 ] && echo y)" "$code $(cat "$tmp/verify")"
# the sequencer signs each row's committed content_hash without reading the
# row back; verify above recomputed every leaf from content, and the signed
# leaves are those content_hashes in seq order: the chain rehashing signed
cols=$(sql "SELECT GROUP_CONCAT(content_hash ORDER BY seq SEPARATOR '') FROM decisions WHERE seq > 0")
leaves=$(sql "SELECT LOWER(HEX(GROUP_CONCAT(leaves ORDER BY k SEPARATOR ''))) FROM checkpoints")
want "the signed leaves are the 5 rows' content_hash in seq order" \
    "$([ "${#cols}" = 320 ] && [ "$cols" = "$leaves" ] && echo y)" "$cols / $leaves"
# the sequencer's figures in /metrics: what verify just said
curl -s -m 10 "$U/metrics" >"$tmp/metrics"
last=$(sed -n 's/^eligo_checkpoint_last_seconds //p' "$tmp/metrics")
want "metrics: the 5 decisions under a checkpoint, none unprotected" \
    "$(grep -qx 'eligo_checkpoint_tree_size 5' "$tmp/metrics" && grep -qx 'eligo_decisions_unprotected 0' "$tmp/metrics" &&
        grep -qx 'eligo_checkpoints_total{result="error"} 0' "$tmp/metrics" &&
        ! grep -qx 'eligo_checkpoints_total{result="signed"} 0' "$tmp/metrics" && echo y)" "$(grep checkpoint "$tmp/metrics")"
want "metrics: the last checkpoint signed within the last 30 s" \
    "$([ -n "$last" ] && [ $(($(date +%s) - last)) -le 30 ] && [ $(($(date +%s) - last)) -ge 0 ] && echo y)" "last=$last"

# ---- 3. tampering is named
id=$(sql "SELECT id FROM decisions WHERE seq = 3")
sql "CREATE TABLE saved AS SELECT * FROM decisions WHERE id = '$id'"
# (the outputs are held in the response since db/005)
sql "UPDATE decisions SET response = IF(LOCATE('\"eligible\":true', response), REPLACE(response, '\"eligible\":true', '\"eligible\":false'), REPLACE(response, '\"eligible\":false', '\"eligible\":true')) WHERE id = '$id'"
verify
want "altered decision: named" "$([ "$code" = 200 ] && [ "$(field intact)" = false ] && [ "$(field id)" = "\"$id\"" ] && echo y)" \
    "$(cat "$tmp/verify")"
cli_verify
want "altered decision: the CLI exits 1 naming it" "$([ "$rc" = 1 ] && grep -q "decision $id (seq 3)" "$tmp/cli" && echo y)" \
    "$(cat "$tmp/cli")"
cli_verify --json
want "altered decision: --json prints the API's report" \
    "$([ "$rc" = 1 ] && grep -qF "\"intact\":false" "$tmp/cli" && grep -qF "\"id\":\"$id\"" "$tmp/cli" && echo y)" "$(cat "$tmp/cli")"
sql "UPDATE decisions d JOIN saved s ON s.id = d.id SET d.response = s.response"
want "altered decision put back: intact" "$(intact_within 1 && echo y)" "$(cat "$tmp/verify")"

sql "DELETE FROM decisions WHERE id = '$id'"
verify
want "deleted decision: its seq named" "$([ "$(field intact)" = false ] && [ "$(field seq)" = 3 ] && grep -q 'seq 3 is missing' "$tmp/verify" && echo y)" \
    "$(cat "$tmp/verify")"
# seq_key is generated from seq (db/007): the stored columns only
stored="id, seq, request_id, client, fingerprint, policy_name, policy_hash, model_hash, as_of, input, outputs, explanation, response, created_at, content_hash"
sql "INSERT INTO decisions ($stored) SELECT $stored FROM saved"
want "deleted decision put back: intact" "$(intact_within 1 && echo y)" "$(cat "$tmp/verify")"

hash=$(sql "SELECT policy_hash FROM decisions WHERE id = '$id'")
first=$(sql "SELECT id FROM decisions WHERE policy_hash = '$hash' ORDER BY seq LIMIT 1")
sql "CREATE TABLE saved_text AS SELECT * FROM policy_versions WHERE hash = '$hash'"
sql "UPDATE policy_versions SET text = REPLACE(text, '1', '2') WHERE hash = '$hash'"
verify
want "altered policy text: named with a decision made under it" \
    "$([ "$(field intact)" = false ] && [ "$(field kind)" = '"text"' ] && [ "$(field id)" = "\"$first\"" ] &&
       grep -qF "policy text $hash (tianjin.dibao) does not hash" "$tmp/verify" && echo y)" "$(cat "$tmp/verify")"
cli_verify
want "altered policy text: the CLI exits 1" "$([ "$rc" = 1 ] && grep -qF "$hash" "$tmp/cli" && echo y)" "$(cat "$tmp/cli")"
sql "DELETE FROM policy_versions WHERE hash = '$hash'"
verify
want "deleted policy text: named" "$([ "$(field intact)" = false ] && grep -qF "$hash, which is not stored" "$tmp/verify" && echo y)" \
    "$(cat "$tmp/verify")"
sql "INSERT INTO policy_versions SELECT * FROM saved_text"
want "policy text put back: intact" "$(intact_within 1 && echo y)" "$(cat "$tmp/verify")"
cli_verify
want "the CLI: intact, exit 0" "$([ "$rc" = 0 ] && grep -q '^intact: 5 decisions' "$tmp/cli" && echo y)" "$(cat "$tmp/cli")"

# ---- 4. the access log: who, from the system, and with which arguments
me=$(id -un)
USER=mallory ELIGO_DB=$(mariadb_url "$STACK_VAR/mariadb") "$ELIGO" replay --from 2000-01-01 --to 2000-01-02 >/dev/null 2>&1
last() { sql "SELECT CONCAT(client, ' ', role, ' ', target) FROM access_log WHERE action = '$1' ORDER BY id DESC LIMIT 1"; }
want "access log: a CLI replay range as the OS account, not \$USER" \
    "$([ "$(last replays)" = "cli:$me cli from=2000-01-01 to=2000-01-02" ] && echo y)" "$(last replays)"
SUDO_USER=alice USER=mallory cli_verify
want "access log: verify, with sudo's account beside the OS account" \
    "$([ "$(last audit_verify)" = "cli:$me(sudo:alice) cli key=eligo.local/decisions max_unprotected=60" ] && echo y)" "$(last audit_verify)"
want "access log: \$USER never taken" "$([ "$(sql "SELECT COUNT(*) FROM access_log WHERE client LIKE '%mallory%'")" = 0 ] && echo y)"
curl -s -m 10 -o /dev/null -H "Authorization: Bearer $ELIGO_AUDITOR_TOKEN" -H 'Content-Type: application/json' \
    --data-binary '{"from":"2000-01-01","to":"2000-01-02","policy":"tianjin.dibao"}' "$U/v1/replays"
want "access log: an HTTP replay range with its arguments" \
    "$([ "$(last replays)" = "stack-auditor auditor policy=tianjin.dibao from=2000-01-01 to=2000-01-02" ] && echo y)" "$(last replays)"
jq -n --rawfile t "$top/policies/tianjin/dibao.policy" '{policy_text: $t, from: "2000-01-01", to: "2000-01-02"}' >"$tmp/impact.json"
curl -s -m 20 -o /dev/null -H "Authorization: Bearer $ELIGO_OFFICER_TOKEN" -H 'Content-Type: application/json' \
    --data-binary @"$tmp/impact.json" "$U/v1/impact"
want "access log: an HTTP impact range with its arguments" \
    "$([ "$(last impact)" = "stack-officer officer policy=tianjin.dibao from=2000-01-01 to=2000-01-02" ] && echo y)" "$(last impact)"

# ---- 5. the sequencer stopped for 10 s under load
if [ -x "$LOAD" ] && [ -n "$seq_pid" ]; then
    printf '%s\n' "$body" >"$tmp/template.json"
    load_t0=$(now_ms)
    "$LOAD" -a "127.0.0.1:$STACK_PORT" -p stop -o "$tmp/stop.out" -c 8 -d 14 -w 0.02 -g 40 "$tmp/template.json" \
        >"$tmp/stop.summary" 2>"$tmp/stop.err" &
    loader=$!
    sleep 1
    kill -STOP "$seq_pid" && stopped=$seq_pid
    t_stop=$(now_ms)
    sleep 1
    victim=$(stack_worker_pids | head -n 1)
    kill -KILL "$victim"
    for _ in $(seq 1 50); do
        pids=$(stack_worker_pids)
        [ "$(printf '%s\n' "$pids" | grep -c .)" = 4 ] && ! printf '%s\n' "$pids" | grep -qx "$victim" && break
        sleep 0.1
    done
    want "stop: a worker killed meanwhile is reaped and replaced" \
        "$([ "$(printf '%s\n' "$pids" | grep -c .)" = 4 ] && ! printf '%s\n' "$pids" | grep -qx "$victim" &&
           grep -q "worker $victim killed by signal 9" "$log" && echo y)" "$pids / $(grep "worker $victim" "$log")"
    # rows made since the stop are unprotected; past the 4 s bound (and
    # the sequencer's 0.5 s lag) verify must say so
    sleep $((7 - ($(now_ms) - t_stop) / 1000))
    verify
    want "stop: verify fails, unprotected" \
        "$([ "$code" = 200 ] && [ "$(field intact)" = false ] && [ "$(field problem)" = '"unprotected"' ] && echo y)" \
        "$(cat "$tmp/verify")"
    cli_verify --max-unprotected 4
    want "stop: the CLI exits 1, UNPROTECTED with the count and the age" \
        "$([ "$rc" = 1 ] && grep -q '^UNPROTECTED: [1-9][0-9]* decisions are under no signed checkpoint, the oldest [4-9]\.' "$tmp/cli" && echo y)" \
        "$(cat "$tmp/cli")"
    sleep $((10 - ($(now_ms) - t_stop) / 1000))
    t_cont=$(now_ms)
    kill -CONT "$seq_pid" && stopped=
    wait "$loader"
    loader=
    during=$(awk -F'\t' -v a=$((t_stop - load_t0 + 500)) -v b=$((t_cont - load_t0)) \
        '$1 >= a && $1 < b && $3 == 201' "$tmp/stop.out.attempts" | wc -l)
    want "stop: decisions answered 201 while the sequencer was stopped ($during)" "$([ "$during" -gt 0 ] && echo y)" \
        "$(tail -n 1 "$tmp/stop.summary") $(head -c 300 "$tmp/stop.err")"
    sql "SELECT request_id, id FROM decisions WHERE request_id LIKE 'stop-%'" | sort >"$tmp/stored"
    awk -F'\t' '$2 == 200 || $2 == 201 {print $1 "\t" $4}' "$tmp/stop.out" | sort >"$tmp/answered"
    want "stop: every answered decision stored as answered" \
        "$([ -s "$tmp/answered" ] && [ -z "$(comm -23 "$tmp/answered" "$tmp/stored")" ] && echo y)" \
        "$(comm -23 "$tmp/answered" "$tmp/stored" | head -n 5)"
    t0=$(now_ms)
    intact_within 5
    covered=$?
    echo "sequencer stop: $(wc -l <"$tmp/answered") decisions answered during the load, $during of them in the stop; every decision under a checkpoint $(($(now_ms) - t0)) ms after the load ended"
    want "stop: after SIGCONT every decision under a checkpoint within 5 s" "$([ "$covered" = 0 ] && echo y)" \
        "$(cat "$tmp/verify"); $(grep -i 'checkpoint' "$log" | tail -n 3)"
else
    want "load_client built ($LOAD) and a sequencer to stop" ""
fi

finish
