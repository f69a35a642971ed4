#!/usr/bin/env bash
# privacy.sh - no personal data outside the decisions table, and no
# token in clear anywhere (docs/security.md).
#
# Sends requests whose inputs carry canary values (an ID number and an
# income that appear nowhere else) down every path that could log them:
# a stored decision, an explained one, the officer's playground, a 422
# that echoes the bad value, malformed JSON, a reused request_id with
# another body, an oversized body, a query string, a wrong token, and a
# decision while the database is stopped (the store's error path).  Then
# it stops the stack, so every log is flushed, and greps every file the
# stack wrote outside MariaDB's data directory (eligod's log, nginx's
# access and error logs, MariaDB's error log) and a dump of every table
# but `decisions` for the canaries and for the four tokens: none may
# appear.  The tokens table must hold SHA-256 hashes only; the FastCGI
# socket must be mode 0660 and refuse another user.
# Last line "N passed, N failed"; non-zero exit on failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack privacy
export STACK_WORKERS=2
# send TOKEN PATH BODY WANT-CODE NAME: posts and checks the status
send() {
    local code
    code=$(curl -s -m 10 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' --data-binary "$3" "$U$2")
    if [ "$code" = "$4" ]; then ok; else not_ok "$5: status $code, wanted $4" "$(cat "$tmp/body")"; fi
}

stack_test_up "$tmp"

canary_id=11010519491231002X canary_income=73519.86
household="{\"household\":{\"members\":[{\"id\":\"$canary_id\",\"age\":44,\"monthly_income\":\"$canary_income\"},{\"id\":\"b\",\"age\":9}]}}"
decision() { printf '{"policy":"tianjin.dibao","as_of":"2019-01-01","request_id":"%s"%s,"input":%s}' "$1" "${2:-}" "$household"; }

send "$ELIGO_PORTAL_TOKEN" /v1/decisions "$(decision privacy-1)" 201 "a stored decision"
send "$ELIGO_PORTAL_TOKEN" /v1/decisions "$(decision privacy-2 ',"explain":true')" 201 "an explained decision"
send "$ELIGO_OFFICER_TOKEN" /v1/evaluate "$(decision privacy-3 ',"explain":true')" 200 "the officer's playground"
send "$ELIGO_PORTAL_TOKEN" /v1/decisions "$(decision privacy-1 | sed "s/\"age\":44/\"age\":45/")" 422 "request_id reused with another body"
send "$ELIGO_PORTAL_TOKEN" /v1/decisions \
    "{\"policy\":\"tianjin.dibao\",\"input\":{\"household\":{\"members\":[{\"id\":\"a\",\"age\":\"$canary_id\",\"monthly_income\":\"x$canary_income\"}]}}}" \
    422 "a 422 that names the bad values"
send "$ELIGO_PORTAL_TOKEN" /v1/decisions "{\"policy\":\"tianjin.dibao\",\"input\":{\"id\":\"$canary_id\",\"income\":$canary_income" \
    400 "malformed JSON"
{ printf '{"policy":"tianjin.dibao","input":{"household":{"members":[{"id":"%s","monthly_income":"%s","x":"' \
    "$canary_id" "$canary_income"; head -c 1100000 /dev/zero | tr '\0' a; printf '"}]}}}'; } >"$tmp/big.json"
send "$ELIGO_PORTAL_TOKEN" /v1/decisions "@$tmp/big.json" 413 "an oversized body"
send "tok-$canary_id" /v1/decisions "$(decision privacy-4)" 401 "a wrong token"
code=$(curl -s -m 10 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
    "$U/v1/policies/tianjin.dibao?as_of=2019-01-01&id=$canary_id")
[ "$code" = 200 ] && ok || not_ok "a query string: status $code" "$(cat "$tmp/body")"

# the store's error path: the database stopped
mariadb_stop "$STACK_VAR/mariadb"
send "$ELIGO_PORTAL_TOKEN" /v1/decisions "$(decision privacy-5)" 503 "a decision while the database is down"
mariadb_start "$STACK_VAR/mariadb" >/dev/null 2>&1 || not_ok "database restart"
for _ in $(seq 1 50); do
    code=$(curl -s -m 10 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $ELIGO_PORTAL_TOKEN" \
        -H 'Content-Type: application/json' --data-binary "$(decision privacy-5)" "$U/v1/decisions")
    [ "$code" = 201 ] && break
    sleep 0.2
done
[ "$code" = 201 ] && ok || not_ok "the same decision once the database is back: status $code" "$(cat "$tmp/body")"

# ---- the database: personal data only in `decisions`, tokens only hashed
db=$STACK_VAR/mariadb
tables=$(mariadb_sql "$db" "SELECT table_name FROM information_schema.tables WHERE table_schema = 'eligo' AND table_name <> 'decisions'")
# shellcheck disable=SC2086  # one table a word
mariadb-dump --no-defaults --protocol=socket --socket="$db/mysql.sock" -uroot --skip-comments eligo $tables \
    >"$tmp/dump.sql" 2>"$tmp/dump.err" || not_ok "mariadb-dump" "$(cat "$tmp/dump.err")"
[ -s "$tmp/dump.sql" ] && ok || not_ok "the dump is empty"
if grep -qF -e "$canary_id" -e "$canary_income" "$tmp/dump.sql"; then
    not_ok "a canary is stored outside the decisions table" "$(grep -oF -e "$canary_id" -e "$canary_income" "$tmp/dump.sql" | head -n 3)"
else ok; fi
[ "$(mariadb_sql "$db" "SELECT COUNT(*) FROM eligo.decisions WHERE input LIKE '%$canary_id%'")" -ge 1 ] && ok ||
    not_ok "the canary decision is not in the decisions table (the canary test would prove nothing)"
# shellcheck disable=SC2086  # one table a word
mariadb-dump --no-defaults --protocol=socket --socket="$db/mysql.sock" -uroot --skip-comments eligo \
    >"$tmp/dump-all.sql" 2>/dev/null
tokens=$(sed -n 's/^ELIGO_[A-Z]*_TOKEN=//p' "$STACK_VAR/tokens.env")
[ "$(wc -w <<<"$tokens")" = 4 ] && ok || not_ok "tokens.env does not hold four tokens"
for t in $tokens; do
    if grep -qF "$t" "$tmp/dump-all.sql"; then not_ok "a token is stored in clear"; else ok; fi
    h=$(printf '%s' "$t" | sha256sum | cut -c1-64)
    [ "$(mariadb_sql "$db" "SELECT COUNT(*) FROM eligo.tokens WHERE hash = '$h'")" = 1 ] && ok ||
        not_ok "the token's SHA-256 is not what the tokens table holds"
done
[ "$(stat -c %a "$STACK_VAR/tokens.env")" = 600 ] && ok || not_ok "tokens.env is not mode 0600"

# ---- the FastCGI socket: 0660, and another user cannot connect
sock=$STACK_VAR/run/eligod.sock
mode=$(stat -c %a "$sock")
[ "$mode" = 660 ] && ok || not_ok "the FastCGI socket is mode $mode, wanted 660"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    # let "nobody" reach the socket's directory, so that only the socket's own mode decides
    chmod o+x "$tmp" "$STACK_VAR" "$STACK_VAR/run"
    if setpriv --reuid=65534 --regid=65534 --clear-groups curl -s -m 5 -o /dev/null --unix-socket "$sock" http://x/ 2>/dev/null; then
        not_ok "another user connected to the FastCGI socket"
    else
        code=$?
        [ "$code" = 7 ] && ok || not_ok "connecting as another user: curl exit $code, wanted 7 (refused)"
    fi
    chmod o-x "$tmp" "$STACK_VAR" "$STACK_VAR/run"
fi

# ---- every log the stack wrote: no canary, no token
stack_down >/dev/null 2>&1
find "$STACK_VAR" -path "$db/data" -prune -o -type f -print >"$tmp/files"
logs=$(grep -c 'log' "$tmp/files")
[ "$logs" -ge 4 ] && ok || not_ok "expected eligod, nginx and MariaDB logs, found $logs" "$(cat "$tmp/files")"
[ -s "$STACK_VAR/nginx/logs/access.log" ] && grep -q ' 422 ' "$STACK_VAR/nginx/logs/access.log" && ok ||
    not_ok "nginx's access log did not record the requests"
grep -q 'POST /v1/decisions 201' "$STACK_VAR/log/eligod.log" && ok || not_ok "eligod's log did not record the requests"
hits=$(grep -v -e '/tokens.env$' "$tmp/files" | tr '\n' '\0' | xargs -0 grep -laF -e "$canary_id" -e "$canary_income" 2>/dev/null)
[ -z "$hits" ] && ok || not_ok "canary values in: $hits" "$(echo "$hits" | head -n 3 | xargs grep -haF -e "$canary_id" -e "$canary_income" | head -n 3)"
for t in $tokens; do
    hits=$(grep -v -e '/tokens.env$' "$tmp/files" | tr '\n' '\0' | xargs -0 grep -laF "$t" 2>/dev/null)
    [ -z "$hits" ] && ok || not_ok "a token in: $hits"
done
echo "$(wc -l <"$tmp/files") files under var/ outside MariaDB's data checked for 2 canaries and 4 tokens"
finish
