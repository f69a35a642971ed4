#!/usr/bin/env bash
# replay.sh - the auditor's replays and the officer's impact runs through
# real nginx, eligod and MariaDB.
#
#   1. 240 generated 低保 households are decided through nginx; the
#      impact of 860 -> 900 on them (counts, change in total benefit)
#      equals what awk computes here from the same incomes in fen, by
#      `eligo impact` and POST /v1/impact (officer only, logged);
#      `eligo impact` shows its progress on a terminal, only there;
#   2. decisions of every shipped program (tests/requests/cases.txt, half
#      with explain) too; each replays as a match, one by one (API) and
#      as a range (API and `eligo replay`); only the auditor may replay,
#      and every replay is in the access log;
#   3. the policy file on disk changes to 900 yuan and eligod reloads: the
#      stored decisions still replay as matches (the stored text decides);
#   4. tampering in MariaDB: an altered output, an altered input and an
#      altered policy text are each reported (tampered, with the replayed
#      differences, or unreplayable) by the API and by `eligo replay`
#      (exit 1); a range counts tampered rows apart and lists them;
#   5. 100,000 stored decisions (the rows above copied in SQL) replay as
#      a range in bounded memory: peak RSS and the rate are printed.
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${ELIGOD:-}" ] && [ -n "${ELIGO:-}" ]; then ELIGOD=$(dirname "$ELIGO")/eligod; fi
ELIGO=${ELIGO:-$top/eligo}
export ELIGO ELIGOD
PATH=$PATH:/usr/sbin
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
harness_stack replay
export STACK_WORKERS=3 STACK_POLICIES=$tmp/policies
cp -r "$top/policies" "$tmp/policies" && chmod -R u+w "$tmp/policies"
post() {   # TOKEN PATH BODY: sets $code and $tmp/body
    code=$(curl -s -m 60 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' --data-binary "$3" "$U$2")
}
sql() { mariadb_sql "$STACK_VAR/mariadb" "$1"; }

stack_test_up "$tmp"
url=$(mariadb_url "$STACK_VAR/mariadb")
today=$(date -u +%F)

# generated households first: the impact test below wants them alone
# 240 households of 1 to 6 members, each member's income 700.00 to
# 999.99, so many households fall between 860 and 900 yuan per person
awk -v seed=7 'BEGIN { srand(seed);
    for (h = 0; h < 240; h++) {
        k = 1 + int(rand() * 6); total = 0; line = "";
        for (j = 0; j < k; j++) {
            fen = 70000 + int(rand() * 30000); total += fen;
            line = line sprintf("%s{\"id\":\"m%d\",\"age\":40,\"monthly_income\":\"%d.%02d\"}", j ? "," : "", j, fen / 100, fen % 100);
        }
        printf "%d %d {\"household\":{\"members\":[%s]}}\n", k, total, line;
    } }' >"$tmp/households"
made=0
while read -r _ total input; do
    post "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"input\":$input}"
    [ "$code" = 201 ] && made=$((made + 1))
done <"$tmp/households"
same "generated decisions stored" 240 "$made"
# ---- 1. impact of 860 -> 900 on the generated households (the only
# decisions so far), against counts computed here in fen
read -r w_became w_stayed w_not w_before w_after w_change w_up w_same <<<"$(awk '
function yuan(f) { return sprintf("%d.%02d", int(f / 100), f % 100) }
{   k = $1; t = $2; b0 = (t < 86000 * k) ? 86000 * k - t : 0; b1 = (t < 90000 * k) ? 90000 * k - t : 0;
    if (t < 86000 * k) stayed++; else if (t < 90000 * k) became++; else not++;
    before += b0; after += b1; if (b1 > b0) up++; else same++;
} END { printf "%d %d %d %s %s %s %d %d\n", became, stayed, not, yuan(before), yuan(after), yuan(after - before), up, same }' "$tmp/households")"
[ "$w_became" -gt 10 ] && [ "$w_stayed" -gt 10 ] && [ "$w_not" -gt 10 ] && ok ||
    not_ok "the generated households do not cover every case: $w_became $w_stayed $w_not"
sed 's/from 2017-04-01: 860.00/from 2017-04-01: 900.00/' "$top/policies/tianjin/dibao.policy" >"$tmp/candidate.policy"
impact_want=("\"checked\":240,\"failed\":0" \
    "\"became_eligible\":$w_became,\"lost_eligibility\":0,\"stayed_eligible\":$w_stayed,\"stayed_ineligible\":$w_not" \
    "\"output\":\"monthly_benefit\",\"period\":\"month\",\"total_before\":\"$w_before\",\"total_after\":\"$w_after\",\"change\":\"$w_change\",\"up\":$w_up,\"down\":0,\"same\":$w_same")
ELIGO_POLICIES=$top/policies "$ELIGO" impact "$tmp/candidate.policy" --from "$today" --to "$today" --json \
    --db "$url" >"$tmp/body" 2>&1
code=$?
answered "eligo impact 860 -> 900" 0 "${impact_want[@]}"
ELIGO_POLICIES=$top/policies "$ELIGO" impact "$tmp/candidate.policy" --from "$today" --to "$today" --histogram \
    --db "$url" >"$tmp/out" 2>&1
grep -q "became eligible $w_became, lost eligibility 0" "$tmp/out" && grep -q '#' "$tmp/out" && ok ||
    not_ok "eligo impact table and histogram" "$(cat "$tmp/out")"
# progress on a terminal (script(1) gives it one), as replay's: the last
# line before the table counts every decision; none when stderr is a file
if grep -q 'checked, ' "$tmp/out" "$tmp/body"; then not_ok "eligo impact: a progress line with stderr not a terminal"; else ok; fi
ELIGO_POLICIES=$top/policies script -qefc "$(printf '%q ' "$ELIGO" impact "$tmp/candidate.policy" --from "$today" \
    --to "$today" --db "$url")" /dev/null >"$tmp/tty" 2>&1
tr '\r' '\n' <"$tmp/tty" | grep -q "^  240 checked, $w_became became eligible, 0 lost eligibility, 0 failed, [0-9]* decisions/s" && ok ||
    not_ok "eligo impact: progress on a terminal" "$(tr '\r' '\n' <"$tmp/tty" | head -n 5)"
body=$(jq -n --rawfile t "$tmp/candidate.policy" --arg d "$today" '{policy_text: $t, from: $d, to: $d}')
post "$ELIGO_OFFICER_TOKEN" /v1/impact "$body"
answered "POST /v1/impact 860 -> 900" 200 "${impact_want[@]}"
post "$ELIGO_AUDITOR_TOKEN" /v1/impact "$body" && answered "auditor may not run impact" 403
post "$ELIGO_OFFICER_TOKEN" /v1/impact "$(jq -n --arg d "$today" '{policy_text: "policy x.y \"t\"\nlet a: int = \"b\"\n", from: $d, to: $d}')"
answered "a candidate that does not compile" 422 '"pointer":"/policy_text"' 'error:'
same "impact runs are in the access log" 2 "$(sql "SELECT COUNT(*) FROM eligo.access_log WHERE action = 'impact' AND role = 'officer'")"
# the playground is logged as counts: each worker's writer thread writes a
# row per caller and action a second after the first request it counted
# (src/service/access_queue.c), so about a second after 3 requests all 3
# are counted (waited for up to 10 s: a loaded machine commits slowly), in
# as many rows as workers served them
one=$(sed -n 1p "$tmp/households" | cut -d' ' -f3-)
for _ in 1 2 3; do post "$ELIGO_OFFICER_TOKEN" /v1/evaluate "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"input\":$one}"; done
counted() { sql "SELECT COALESCE(SUM(requests), 0), COUNT(*) FROM eligo.access_log WHERE action = 'evaluate' AND role = 'officer' AND client = 'stack-officer'"; }
for _ in $(seq 1 100); do
    read -r logged rows < <(counted)
    [ "$logged" -ge 3 ] && break
    sleep 0.1
done
same "evaluate requests counted in the access log" 3 "$logged"
[ "$rows" -ge 1 ] && [ "$rows" -le 3 ] && ok || not_ok "evaluate's 3 requests in $rows rows"
same "each row's last_at at or after its at" 0 \
    "$(sql "SELECT COUNT(*) FROM eligo.access_log WHERE action = 'evaluate' AND (last_at IS NULL OR last_at < at)")"
same "rows read one by one count one request, with no last_at" 0 \
    "$(sql "SELECT COUNT(*) FROM eligo.access_log WHERE action NOT IN ('evaluate', 'check', 'diff') AND (requests <> 1 OR last_at IS NOT NULL)")"

# ---- 2. decisions of every program; replays
n=0
while IFS='|' read -r file policy as_of want; do
    case $file in '#'*|'') continue ;; esac
    case $want in '!'*) continue ;; esac
    input=$(tr -d '\n' <"$top/tests/requests/$file")
    explain=false; [ $((n % 2)) = 0 ] && explain=true
    post "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"$policy\",\"as_of\":\"$as_of\",\"explain\":$explain,\"input\":$input}"
    [ "$code" = 201 ] && n=$((n + 1)) || not_ok "decision $policy $file: $code" "$(cat "$tmp/body")"
done <"$top/tests/requests/cases.txt"
[ "$n" -ge 20 ] && ok || not_ok "only $n program decisions made"

total=$(sql "SELECT COUNT(*) FROM eligo.decisions")
same "rows" $((n + 240)) "$total"
same "every row names its model" 0 "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE model_hash IS NULL")"
same "model texts stored" 1 "$(sql "SELECT COUNT(*) FROM eligo.model_versions")"

# one by one through the API
bad=0
for id in $(sql "SELECT id FROM eligo.decisions ORDER BY id"); do
    post "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$id/replay" ""
    { [ "$code" = 200 ] && grep -q '"match":true' "$tmp/body"; } || { bad=$((bad + 1)); [ $bad = 1 ] && cat "$tmp/body"; }
done
same "every decision replays as a match (API, one by one)" 0 "$bad"
post "$ELIGO_PORTAL_TOKEN" "/v1/decisions/$id/replay" "" && answered "portal may not replay" 403
post "$ELIGO_OFFICER_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\"}" && answered "officer may not replay" 403
post "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/00000000-0000-7000-8000-00000000dead/replay" "" && answered "unknown id" 404
same "replays are in the access log (and the unknown id)" "$((total + 1))" \
    "$(sql "SELECT COUNT(*) FROM eligo.access_log WHERE action = 'decision_replay' AND role = 'auditor' AND client = 'stack-auditor'")"

# as a range
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\"}"
answered "range replay (API)" 200 "\"checked\":$total,\"matches\":$total,\"mismatches\":0,\"unreplayable\":0"
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\",\"policy\":\"tianjin.dibao\"}"
dibao=$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE policy_name = 'tianjin.dibao'")
answered "range replay of one policy" 200 "\"checked\":$dibao,\"matches\":$dibao"
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"2000-01-01\",\"to\":\"2000-01-31\"}"
answered "an empty range" 200 '"checked":0,'
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\"}" && answered "missing to" 422 '"pointer":"/to"'
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"2019-13-01\"}" && answered "bad date" 422 '"pointer":"/to"'
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\",\"limit\":1}" && answered "unknown member" 422 '"pointer":"/limit"'
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":" && answered "malformed body" 400
if "$ELIGO" replay --from "$today" --to "$today" --db "$url" >"$tmp/out" 2>&1 &&
    grep -q "^$total decisions replayed: $total match, 0 mismatch, 0 unreplayable" "$tmp/out"; then ok
else not_ok "eligo replay --from --to" "$(cat "$tmp/out")"; fi

# ---- 3. the policy on disk changes; the stored text still decides
sed -i 's/from 2017-04-01: 860.00/from 2017-04-01: 900.00/' "$tmp/policies/tianjin/dibao.policy"
kill -HUP "$(cat "$STACK_VAR/run/eligod.pid")"
for _ in $(seq 50); do
    curl -s "$U/v1/policies/tianjin.dibao" -H "Authorization: Bearer $ELIGO_AUDITOR_TOKEN" | grep -q '"900.00"' && break
    sleep 0.1
done
input=$(sed -n 1p "$tmp/households" | cut -d' ' -f3-)
post "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"input\":$input}"
answered "after the reload, decisions use 900" 201
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\"}"
answered "old and new decisions replay under their own texts" 200 "\"checked\":$((total + 1)),\"matches\":$((total + 1)),\"mismatches\":0"
same "two policy texts stored for tianjin.dibao" 2 "$(sql "SELECT COUNT(*) FROM eligo.policy_versions WHERE name = 'tianjin.dibao'")"
sql "DELETE FROM eligo.decisions WHERE created_at = (SELECT MAX(created_at) FROM eligo.decisions)" >/dev/null

# ---- 4. tampering
# (the outputs are held in the response since db/005)
victim=$(sql "SELECT id FROM eligo.decisions WHERE policy_name = 'tianjin.dibao' AND response LIKE '%\"eligible\":true%' ORDER BY id LIMIT 1")
benefit=$(sql "SELECT JSON_UNQUOTE(JSON_EXTRACT(response, '$.outputs.monthly_benefit')) FROM eligo.decisions WHERE id = '$victim'")
sql "CREATE TABLE eligo.kept AS SELECT id, response FROM eligo.decisions WHERE id = '$victim'"
sql "UPDATE eligo.decisions SET response = REPLACE(response, '\"monthly_benefit\":\"$benefit\"', '\"monthly_benefit\":\"9999.99\"') WHERE id = '$victim'"
post "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$victim/replay" ""
# "checkpoint" is among the parts that differ once the sequencer has
# covered the row, which it may or may not have done by now
answered "altered output: tampered, naming it with both values" 200 '"match":false,"tampered":true,"differs":["content_hash"' \
    "{\"output\":\"monthly_benefit\",\"original\":\"9999.99\",\"replayed\":\"$benefit\"}"
"$ELIGO" replay "$victim" --db "$url" >"$tmp/out" 2>&1
same "eligo replay ID exits 1 on a mismatch" 1 $?
grep -q '"match":false' "$tmp/out" && ok || not_ok "eligo replay ID output" "$(cat "$tmp/out")"
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\"}"
answered "range replay names the altered decision, apart" 200 '"mismatches":0,"unreplayable":0,"tampered":1,' \
    "\"tampered_ids\":[\"$victim\"]"

victim2=$(sql "SELECT id FROM eligo.decisions WHERE policy_name = 'tianjin.dibao' AND id <> '$victim' ORDER BY id LIMIT 1")
sql "UPDATE eligo.decisions SET input = JSON_SET(input, '$.household.members[0].monthly_income', '0.00') WHERE id = '$victim2'"
post "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$victim2/replay" ""
answered "altered input: tampered" 200 '"match":false,"tampered":true' '"output":"monthly_benefit"'

# one line added to the stored 860 text: every decision made under it
# is unreplayable (the two altered above: tampered), none a false match
forged=$'\n# forged\n'
sql "UPDATE eligo.policy_versions SET text = CONCAT(text, '$forged') WHERE name = 'tianjin.dibao' AND text LIKE '%from 2017-04-01: 860.00%'"
post "$ELIGO_AUDITOR_TOKEN" "/v1/decisions/$victim/replay" ""
answered "altered policy text: unreplayable" 200 '"replayable":false' 'it was altered'
"$ELIGO" replay --from "$today" --to "$today" --db "$url" >"$tmp/out" 2>&1
same "eligo replay range exits 1" 1 $?
grep -q "^$total decisions replayed: $((total - dibao)) match, 0 mismatch, $((dibao - 2)) unreplayable, 2 tampered" "$tmp/out" && ok ||
    not_ok "range with an altered text: $((dibao - 2)) unreplayable, 2 tampered" "$(cat "$tmp/out")"
sql "UPDATE eligo.policy_versions SET text = LEFT(text, CHAR_LENGTH(text) - ${#forged}) WHERE text LIKE '%# forged%'"
sql "UPDATE eligo.decisions d JOIN eligo.kept k ON k.id = d.id SET d.response = k.response"
sql "DROP TABLE eligo.kept"
sql "DELETE FROM eligo.decisions WHERE id = '$victim2'"
post "$ELIGO_AUDITOR_TOKEN" /v1/replays "{\"from\":\"$today\",\"to\":\"$today\"}"
answered "restored: everything matches again" 200 "\"checked\":$((total - 1)),\"matches\":$((total - 1)),\"mismatches\":0,\"unreplayable\":0,\"tampered\":0"


# ---- 5. 100,000 stored decisions replay as a range in bounded memory
# (copies of the rows above; each copy's id keeps its original's time
# prefix, as the UUIDv7 of a real decision made at that time would, so
# the table's order is the real one; each copy's leaf hash is computed in
# SQL, the store's encoding: 0x00, then each field's length in 8 bytes
# and its bytes, NULL as length 2^64-1; a row stored since db/005 holds
# its outputs and explanation only in the response, cut out here as the
# store's readers do: the outputs member ends where "reasons" begins, the
# explanation, when there is one, is the document's last member)
outputs="COALESCE(outputs, SUBSTRING_INDEX(SUBSTRING_INDEX(response, ',\"reasons\":', 1), ',\"outputs\":', -1))"
at="LOCATE(',\"explanation\":', response)"
explanation="IF(outputs IS NULL AND explanation IS NULL AND $at > 0, SUBSTRING(response, $at + 15, CHAR_LENGTH(response) - $at - 15), explanation)"
field() { echo "IF($1 IS NULL, UNHEX('FFFFFFFFFFFFFFFF'), CONCAT(UNHEX(LPAD(HEX(LENGTH($1)), 16, '0')), CAST($1 AS BINARY)))"; }
leaf="CONVERT(SHA2(CONCAT(0x00"
for f in id request_id client fingerprint policy_name policy_hash model_hash "DATE_FORMAT(as_of, '%Y-%m-%d')" \
    input "$outputs" "$explanation" response "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f')"; do
    leaf="$leaf, $(field "$f")"
done
leaf="$leaf), 256) USING ascii)"
base=$(sql "SELECT COUNT(*) FROM eligo.decisions")
same "the leaf hash in SQL is the store's" "$base" "$(sql "SELECT COUNT(*) FROM eligo.decisions WHERE content_hash = $leaf")"
copies=$(( (100000 + base - 1) / base ))
# One transaction: the sequencer seals rows it can see, and a copy seen
# between the INSERT and the UPDATE would be sealed with its original's
# content_hash (the sequencer signs the stored hash), a tampered row.
sql "START TRANSACTION;
     INSERT INTO eligo.decisions (id, request_id, client, fingerprint, policy_name, policy_hash, model_hash,
        as_of, input, outputs, explanation, response, created_at, content_hash)
     SELECT CONCAT(LEFT(d.id, 14), 'c', LPAD(HEX(s.seq), 3, '0'), SUBSTRING(d.id, 19)),
        CONCAT(d.request_id, '/copy-', s.seq), d.client, d.fingerprint, d.policy_name, d.policy_hash,
        d.model_hash, d.as_of, d.input, d.outputs, d.explanation, d.response, d.created_at, d.content_hash
     FROM eligo.decisions d JOIN eligo.seq_1_to_$((copies - 1)) s;
     UPDATE eligo.decisions SET content_hash = $leaf WHERE request_id LIKE '%/copy-%';
     COMMIT"
big=$(sql "SELECT COUNT(*) FROM eligo.decisions")
[ "$big" -ge 100000 ] && ok || not_ok "only $big rows for the large replay"
/usr/bin/time -f '%M' -o "$tmp/rss" "$ELIGO" replay --from "$today" --to "$today" --db "$url" >"$tmp/out" 2>&1
same "large range replay exit" 0 $?
rss_kib=$(tail -n 1 "$tmp/rss")
grep -q "^$big decisions replayed: $big match, 0 mismatch" "$tmp/out" && ok || not_ok "large range replay" "$(cat "$tmp/out")"
if ldd "$ELIGO" | grep -q libasan; then
    echo "(AddressSanitizer build: its shadow memory makes the RSS no measure; limit not checked)"
elif [ "$rss_kib" -lt 65536 ]; then ok
else not_ok "large range replay peak RSS ${rss_kib} KiB (limit 64 MiB)"; fi
echo "range replay of $big decisions: $(sed -n 's/.*(\(.*\)).*/\1/p' "$tmp/out"), peak RSS $((rss_kib / 1024)) MiB"

finish
