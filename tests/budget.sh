#!/bin/sh
# budget.sh - nginx's timeouts agree with eligod's request budget.
#
# src/service/budget.h holds every wait of a request in one place, and
# its asserts order them; the one wait it cannot assert is nginx's, set
# by hand in nginx/eligo_fastcgi.conf.  This suite reads both: the
# snippet's fastcgi_read_timeout and fastcgi_send_timeout must be
# BUDGET_NGINX_READ_TIMEOUT_S, and the deadlines its opening comment
# states (the store's, --request-timeout's, nginx's) must be the
# header's.  Changing one side without the other fails here.
#
# Last line: "N passed, N failed"; exit 1 when anything failed.
#
# SPDX-License-Identifier: Apache-2.0

top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"

header=$top/src/service/budget.h
conf=$top/nginx/eligo_fastcgi.conf

# budget NAME: the value of enumerator NAME in budget.h
budget() { sed -n "s/^ *$1 = \([0-9][0-9]*\).*/\1/p" "$header"; }
# directive NAME: the seconds of nginx directive NAME in the snippet
directive() { sed -n "s/^$1 \([0-9][0-9]*\)s;.*/\1/p" "$conf"; }

read_s=$(budget BUDGET_NGINX_READ_TIMEOUT_S)
request_s=$(budget BUDGET_REQUEST_TIMEOUT_S)
unavailable_ms=$(budget BUDGET_UNAVAILABLE_MS)
want "budget.h states the three deadlines ($unavailable_ms ms, $request_s s, $read_s s)" \
    "$([ -n "$read_s" ] && [ -n "$request_s" ] && [ -n "$unavailable_ms" ] && echo y)"
same "fastcgi_read_timeout is BUDGET_NGINX_READ_TIMEOUT_S" "$read_s" "$(directive fastcgi_read_timeout)"
same "fastcgi_send_timeout is BUDGET_NGINX_READ_TIMEOUT_S" "$read_s" "$(directive fastcgi_send_timeout)"
line="store timeouts ($((unavailable_ms / 1000)) s) < eligod's
#     --request-timeout ($request_s s) < fastcgi_read_timeout ($read_s s)"
want "the snippet's comment states the same deadlines" \
    "$(tr '\n' '~' <"$conf" | grep -F "$(printf '%s' "$line" | tr '\n' '~')")"
finish
