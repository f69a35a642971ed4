#!/usr/bin/env bash
# nginx_count.sh [SECONDS] - instructions a request of nginx itself, in
# front of the minimal libfcgi server (bench/baseline/fcgi_min.c): behind
# the minimal configuration (bench/nginx_min.conf) and behind eligo's
# (nginx/eligo.conf, rendered as tests/lib/stack.sh renders it), counted
# by callgrind.  bench/run's site ratio (requests/s of the one against the
# other) moves with whatever else the two cores are doing; this count
# does not, so it is the figure for what the site's configuration costs
# nginx.
#
# Each configuration runs in one nginx process under callgrind (`daemon
# off; master_process off;`), once with no request and once under wrk
# (4 connections, SECONDS, default 10); the difference over the requests
# wrk made is printed, with the ratio.  Only user-space instructions are
# counted: the kernel's share (sockets, epoll) is not, and a connection
# kept to the upstream saves mostly kernel work.  The callgrind files
# stay in build/bench/var/nginx_count/ for callgrind_annotate.
#
# SPDX-License-Identifier: Apache-2.0
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/usage.sh
. "$top/scripts/lib/usage.sh"
usage_counts "$0" "bench/nginx_count.sh [SECONDS]" 1 "$@"
secs=${1:-10}
out=$top/build/bench
var=$out/var/nginx_count
command -v valgrind >/dev/null || { echo "nginx_count.sh: valgrind is not installed" >&2; exit 1; }
command -v wrk >/dev/null || { echo "nginx_count.sh: wrk is not installed" >&2; exit 1; }
rm -rf "$var"
mkdir -p "$var/run"
cc -O2 -o "$var/fcgi_min" "$top/bench/baseline/fcgi_min.c" -lfcgi
# shellcheck source=bench/http.sh
. "$top/bench/http.sh"     # tests/lib/stack.sh's helpers, min_nginx_conf

fcgi_pid=
stop() {
    [ -n "$fcgi_pid" ] && kill -TERM "$fcgi_pid" 2>/dev/null
    [ -n "$fcgi_pid" ] && wait "$fcgi_pid" 2>/dev/null
    return 0
}
trap stop EXIT
"$var/fcgi_min" "$var/run/eligod.sock" 4 "$var/run/fcgi_min.pid" </dev/null >"$var/fcgi_min.log" 2>&1 &
fcgi_pid=$!
for _ in $(seq 1 50); do [ -S "$var/run/eligod.sock" ] && break; sleep 0.1; done

# the two configurations, each under $var/NAME, the same socket
STACK_VAR=$var STACK_WORKERS=1 STACK_THREADS=1 STACK_KEEPALIVE=1 _stack_nginx_conf
mv "$var/nginx" "$var/site"
sed -i "s|$var/nginx|$var/site|g" "$var/site/nginx.conf"
min_nginx_conf "$var/minimal" 8080 "$var/run/eligod.sock"
sh "$top/bench/gen_households.sh" 1000 1 |
    sed 's/^\(.*\)$/{"policy":"tianjin.dibao","as_of":"2019-01-01","input":\1}/' >"$var/bodies.jsonl"

# count NAME SECONDS: "requests instructions" of one nginx run
count() {
    local name=$1 s=$2 port conf=$var/$1/count.conf n=0 vg
    port=$(mariadb_free_port)
    sed -e "s|listen 127.0.0.1:[0-9@A-Z]*|listen 127.0.0.1:$port|" "$var/$name/nginx.conf" >"$conf"
    valgrind -q --tool=callgrind --callgrind-out-file="$var/$name.$s.out" \
        nginx -p "$var/$name" -e "$var/$name/logs/error.log" -c "$conf" -g 'daemon off; master_process off;' &
    vg=$!
    for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
    if [ "$s" != 0 ]; then
        n=$(BENCH_TOKEN=x BENCH_BODIES=$var/bodies.jsonl wrk -t1 -c4 -d"${s}s" -s "$top/bench/post.lua" \
            "http://127.0.0.1:$port/v1/evaluate" | awk '/ requests in / {print $1}')
    fi
    kill -QUIT "$vg"
    wait "$vg" || true
    echo "$n $(sed -n 's/^summary: //p' "$var/$name.$s.out")"
}

for name in minimal site; do
    read -r _ idle <<<"$(count "$name" 0)"
    read -r n busy <<<"$(count "$name" "$secs")"
    echo "$name ${n:-0} $idle $busy"
done | awk '$2 == 0 { printf "nginx_count: wrk made no request to the %s nginx (see %s)\n", $1, "build/bench/var/nginx_count" > "/dev/stderr"; bad = 1; next }
    { per[$1] = ($4 - $3) / $2; printf "%-8s %7.0f instructions a request (%d requests)\n", $1, per[$1], $2 }
    END { if (bad) exit 1; printf "site/minimal %.2fx\n", per["site"] / per["minimal"] }'
