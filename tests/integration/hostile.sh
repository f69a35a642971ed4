#!/usr/bin/env bash
# hostile.sh - the hostile-input corpus (tests/hostile/cases.txt) through
# real nginx, eligod and MariaDB: every case gets exactly its status, every
# answer that is not 2xx is application/problem+json (nginx's own 400, 408,
# 413, 414 included), no case gets a 5xx, no eligod worker dies, and the
# table of decisions is unchanged.  Cases listed in tests/hostile/KNOWN
# are reported apart, not counted as failures, while they still give the
# answer recorded there.  Last line "N passed, N failed"; non-zero exit on
# failure.
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
corpus=$top/tests/hostile
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
harness_stack hostile
export STACK_WORKERS=4 STACK_POLICIES=$top/policies
known=0 total=0

stack_test_up "$tmp"
rows() { mariadb_sql "$STACK_VAR/mariadb" "SELECT COUNT(*) FROM eligo.decisions"; }
workers() { stack_worker_pids | sort; }
master=$(cat "$STACK_VAR/run/eligod.pid")
workers "$master" >"$tmp/workers.before"
rows_before=$(rows)

# ---- building blocks for the generated bodies, paths and headers
repeat() { local s=$1 n=$2 out=$1; while [ "${#out}" -lt $((${#s} * n)) ]; do out=$out$out; done; printf '%s' "${out:0:$((${#s} * n))}"; }
gen_body() {   # KIND N -> file
    local kind=$1 n=$2 f=$tmp/gen-$1-$2
    [ -f "$f" ] && { echo "$f"; return; }
    case $kind in
    deep) { printf '{"policy":"tianjin.dibao","input":'; repeat '{"a":' "$n"; printf 1; repeat '}' "$n"; printf '}'; } >"$f" ;;
    deeparr) { printf '{"policy":"tianjin.dibao","input":{"household":'; repeat '[' "$n"; repeat ']' "$n"; printf '}}'; } >"$f" ;;
    big) { printf '{"policy":"tianjin.dibao","input":{"household":{"members":[],"pad":"'; repeat x "$n"; printf '"}}}'; } >"$f" ;;
    manykeys) { printf '{"policy":"tianjin.dibao","input":{"household":{'; seq 1 "$n" | sed 's/.*/"k&":1/' | paste -sd, | tr -d '\n'; printf '}}}'; } >"$f" ;;
    longstr) { printf '{"policy":"'; repeat a "$n"; printf '","input":{"household":{"members":[]}}}'; } >"$f" ;;
    *) return 1 ;;
    esac
    echo "$f"
}
token_of() {
    case $1 in
    portal) echo "$ELIGO_PORTAL_TOKEN" ;; officer) echo "$ELIGO_OFFICER_TOKEN" ;;
    auditor) echo "$ELIGO_AUDITOR_TOKEN" ;; admin) echo "$ELIGO_ADMIN_TOKEN" ;;
    bad) echo "not-a-token-0000000000000000000000000000" ;;
    esac
}

# send NAME METHOD PATH AUTH CTYPE HEADERS BODY: sets $code and $ctype
send() {
    local name=$1 method=$2 path=$3 auth=$4 ct=$5 hdrs=$6 body=$7 h args=()
    if [ "$method" = RAW ]; then
        send_raw "$body"
        return
    fi
    case $path in %long:*) path=/v1/$(repeat a "${path#%long:}") ;; esac
    case $auth in
    none) ;;
    =*) args+=(-H "Authorization: ${auth#=}") ;;
    *) args+=(-H "Authorization: Bearer $(token_of "$auth")") ;;
    esac
    case $ct in
    -) args+=(-H 'Content-Type:') ;;
    json) args+=(-H 'Content-Type: application/json') ;;
    *) args+=(-H "Content-Type: $ct") ;;
    esac
    if [ "$hdrs" != - ]; then
        local IFS='^'
        for h in $hdrs; do
            case $h in
            %big:*) h=${h#%big:}; args+=(-H "${h%%:*}: $(repeat b "${h#*:}")") ;;
            %many:*) for i in $(seq 1 "${h#%many:}"); do args+=(-H "X-Pad-$i: $(repeat c 7000)"); done ;;
            %cl:*) args+=(-H "Content-Length: ${h#%cl:}") ;;
            *) args+=(-H "$h") ;;
            esac
        done
        unset IFS
    fi
    case $body in
    -) ;;
    @*) args+=(--data-binary "@$corpus/bodies/${body#@}") ;;
    %gen:*) body=${body#%gen:}; args+=(--data-binary "@$(gen_body "${body%%:*}" "${body#*:}")") ;;
    *) printf '%s' "$body" >"$tmp/body.in"; args+=(--data-binary "@$tmp/body.in") ;;
    esac
    local out
    out=$(curl -s -m 20 --path-as-is -o "$tmp/body" -w '%{http_code} %{content_type}' -X "$method" \
        "${args[@]}" "$U$path" 2>/dev/null)
    code=${out%% *}
    ctype=${out#* }
    [ "$ctype" = "$out" ] && ctype=
}

# the whole request as is on a plain connection
send_raw() {
    local resp
    resp=$(
        exec 3<>"/dev/tcp/127.0.0.1/$STACK_PORT" || exit 1
        printf '%b' "$1" >&3
        timeout 10 cat <&3
    ) 2>/dev/null
    printf '%s' "$resp" >"$tmp/body"
    code=$(printf '%s' "$resp" | head -n 1 | tr -d '\r' | cut -d' ' -f2)
    ctype=$(printf '%s' "$resp" | tr -d '\r' | sed -n '/^$/q; s/^[Cc]ontent-[Tt]ype: *//p' | head -n 1)
    [ -n "$code" ] || code=000
}

known_of() { grep -v '^#' "$corpus/KNOWN" | grep -F -- "$1|" | grep "^$1|" | head -n 1; }

check_case() {   # NAME WANT
    local name=$1 want=$2 problem=yes k why
    total=$((total + 1))
    echo "$code" >>"$tmp/codes"
    case $code in 2??) ;; *) case $ctype in application/problem+json*) ;; *) problem=no ;; esac ;; esac
    if [ "$code" = "$want" ] && [ "$problem" = yes ]; then
        if [ -n "$(known_of "$name")" ]; then echo "NOTE $name is listed in KNOWN but now answers $code $ctype: remove it"; fi
        ok
        return
    fi
    k=$(known_of "$name")
    if [ -n "$k" ]; then
        IFS='|' read -r _ kcode kct why <<<"$k"
        if [ "$kcode" = "$code" ] && [ "$kct" = "${ctype%%;*}" ]; then
            known=$((known + 1))
            echo "KNOWN $name: $code ${ctype:-no content type}, wanted $want problem+json: $why"
            echo "$name" >>"$tmp/known.list"
            return
        fi
    fi
    not_ok "$name: status $code (${ctype:-no content type}), wanted $want application/problem+json" "$(head -c 300 "$tmp/body")"
    [ "${code:0:1}" = 5 ] && echo "$name" >>"$tmp/5xx.list"
}

while IFS='|' read -r name want method path auth ct hdrs body; do
    case $name in '#'*|'') continue ;; esac
    send "$name" "$method" "$path" "$auth" "$ct" "$hdrs" "$body"
    check_case "$name" "$want"
done <"$corpus/cases.txt"

# ---- every limit at its edge: a worker's memory over 10,000 maximum-size requests.  The
# body is exactly at the limit (read whole, parsed, answered 422); the
# first 2 s of them go before the measure, over 64 connections (more than
# the workers have threads), so that every thread of every worker has
# grown its buffers and touched its stack; then the RSS of each worker is
# compared before and after the rest (wrk in rounds of 2 s over 4
# connections until enough were sent).  A thread that first served during
# the measure grew it by up to a few hundred kB, once.
rss_of() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }
repeat_big() {   # prints "sent non-2xx socket-errors" for 2 s of the body over ${1:-4} connections
    REPEAT_BODY=$(gen_body big 1048504) REPEAT_TOKEN=$ELIGO_PORTAL_TOKEN \
        wrk -t1 -c"${1:-4}" -d2s -s "$corpus/repeat.lua" "$U/v1/decisions" 2>&1 |
        awk '/ requests in / {n = $1} /Non-2xx/ {bad = $NF} /Socket errors/ {err = 1} END {printf "%d %d %d\n", n, bad, err}'
}
big_n=${HOSTILE_RSS_REQUESTS:-10000}
# an AddressSanitizer build is several times slower, and LSan looks for leaks there
[ -z "${HOSTILE_RSS_REQUESTS:-}" ] && ldd "$ELIGOD" | grep -q libasan && big_n=2000
repeat_big 64 >/dev/null
for p in $(workers "$master"); do echo "$p $(rss_of "$p")"; done >"$tmp/rss.before"
big_sent=0 big_bad=0 big_err=0
while [ "$big_sent" -lt "$big_n" ]; do
    read -r n bad err < <(repeat_big)
    big_sent=$((big_sent + n)) big_bad=$((big_bad + bad)) big_err=$((big_err + err))
    [ "$n" -gt 0 ] || break
done
growth=$(for p in $(workers "$master"); do echo "$p $(rss_of "$p")"; done | join "$tmp/rss.before" - |
    awk '{d = $3 - $2; if (d > m) m = d} END {print m + 0}')
echo "limits: $big_sent requests of 1 MiB ($big_bad answered 4xx), largest worker RSS growth $growth kB"
[ "$big_sent" -ge "$big_n" ] && [ "$big_bad" = "$big_sent" ] && [ "$big_err" = 0 ] && ok ||
    not_ok "limits: $big_bad of $big_sent maximum-size requests answered 4xx, $big_n wanted (wrk rounds with socket errors: $big_err)"
if ldd "$ELIGOD" | grep -q libasan; then
    # AddressSanitizer keeps freed memory in quarantine: RSS says nothing there
    echo "limits: worker RSS not checked (AddressSanitizer build; LSan checks for leaks instead)"
else
    [ "$growth" -lt 1024 ] && ok || not_ok "limits: a worker's RSS grew $growth kB over $big_sent maximum-size requests (want < 1024)"
fi

# ---- after the whole corpus
if [ -s "$tmp/5xx.list" ]; then not_ok "5xx answered to: $(paste -sd' ' "$tmp/5xx.list")"; else ok; fi
kill -0 "$master" 2>/dev/null && ok || not_ok "the eligod master died"
workers "$master" >"$tmp/workers.after"
if cmp -s "$tmp/workers.before" "$tmp/workers.after"; then ok
else not_ok "eligod workers changed (a worker died)" "before: $(paste -sd' ' "$tmp/workers.before"); after: $(paste -sd' ' "$tmp/workers.after")"; fi
curl -fsS -m 5 "$U/healthz" | grep -q '"status":"ok"' && ok || not_ok "/healthz after the corpus"
rows_after=$(rows)
[ "$rows_after" = "$rows_before" ] && ok || not_ok "decisions changed: $rows_before rows before, $rows_after after"
if [ "$(grep -c '\[alert\]\|\[crit\]\|\[emerg\]' "$STACK_VAR/nginx/logs/error.log")" = 0 ]; then ok
else not_ok "nginx logged alerts" "$(grep '\[alert\]\|\[crit\]\|\[emerg\]' "$STACK_VAR/nginx/logs/error.log" | head -n 5)"; fi

echo "$total cases: $((total - known)) as expected or failed above, $known known deviations (tests/hostile/KNOWN)"
echo "statuses seen: $(sort "$tmp/codes" | uniq -c | awk '{printf "%s x%s  ", $2, $1}')"
finish
