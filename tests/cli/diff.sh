#!/usr/bin/env bash
# diff.sh - `eligo diff` on the shipped tianjin.dibao: the standard 860 ->
# 900 must be reported as exactly the regions where the standard matters
# (for each household size n: incomes below 860 n get 40 n more, incomes
# in [860 n, 900 n) become eligible), each witness decided again here by
# `eligo eval` under both versions; a copy that differs only in layout,
# labels and the quotation is equivalent; a second value from 2019-01-01
# is a change from that day only.  No server is started.  The last line
# is "N passed, N failed".
#
# SPDX-License-Identifier: Apache-2.0
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
ELIGO=${ELIGO:-$top/eligo}
# shellcheck source=tests/lib/expect.sh
. "$top/tests/lib/expect.sh"
harness_tmp diff
require jq -- "Debian package jq"
unset ELIGO_DB
export ELIGO_POLICIES=$top/policies

mkdir "$tmp/old" "$tmp/new" "$tmp/dated" "$tmp/fmt"
for d in old new dated fmt; do cp "$top/policies/civil.model" "$tmp/$d/"; ln -s "$top/policies/sources" "$tmp/$d/sources"; done
cp "$top/policies/tianjin/dibao.policy" "$tmp/old/"
sed 's/from 2017-04-01: 860.00/from 2017-04-01: 900.00/' "$top/policies/tianjin/dibao.policy" >"$tmp/new/dibao.policy"
# check (expect.sh) reads what status left in $tmp/out
check_file=$tmp/out

# ---- 860 -> 900 on 2019-01-01
status "860 -> 900 differs" 1 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/new/dibao.policy" --as-of 2019-01-01 --json
cp "$tmp/out" "$tmp/report.json"
check "not equivalent, exact" '.equivalent == false and .exact == true and .truncated == 0'
check "two regions per household size 1..50" '.regions | length == 100'
# the regions, computed here: for n people, [0, 860 n) and [860 n, 900 n)
for n in $(seq 1 50); do
    printf '家庭人口 = %d and 家庭月收入合计 < %d.00\n' "$n" $((860 * n))
    printf '家庭人口 = %d and 家庭月收入合计 in [%d.00, %d.00)\n' "$n" $((860 * n)) $((900 * n))
done >"$tmp/want"
jq -r '.regions[].description' "$tmp/out" >"$tmp/got"
if cmp -s "$tmp/want" "$tmp/got"; then ok "the regions are exactly where the standard matters"
else not_ok "regions" "$(diff "$tmp/want" "$tmp/got" | head -n 10)"; fi
check "n = 3, [2580.00, 2700.00): eligible false -> true, benefit 0.00 -> 2700.00 − income" \
    '.regions[5] | .changes == [{"output":"eligible","label":.changes[0].label,"old":false,"new":true,"varies":false},
                                 {"output":"monthly_benefit","label":.changes[1].label,"old":"0.00","new":"2700.00 − 家庭月收入合计","varies":true}]'
check "n = 3, below 2580.00: only the benefit changes, by +120.00" \
    '.regions[4].changes | length == 1 and .[0].output == "monthly_benefit" and .[0].delta == "+120.00"'
check "every witness confirmed" '[.regions[].confirmed] | all'

# the witnesses of sizes 1, 2, 3, 10 and 50 decided again by eligo eval
# under both versions (test_diff checks every witness of its pairs)
bad=0
for i in 0 1 2 3 4 5 18 19 98 99; do
    jq -c ".regions[$i].witness.input" "$tmp/report.json" >"$tmp/w.json"
    o=$("$ELIGO" eval tianjin.dibao --as-of 2019-01-01 --input "$tmp/w.json" --policies "$tmp/old" 2>/dev/null | jq -c .outputs)
    n=$("$ELIGO" eval tianjin.dibao --as-of 2019-01-01 --input "$tmp/w.json" --policies "$tmp/new" 2>/dev/null | jq -c .outputs)
    wo=$(jq -c ".regions[$i].witness_outputs.old" "$tmp/report.json")
    wn=$(jq -c ".regions[$i].witness_outputs.new" "$tmp/report.json")
    if [ -z "$o" ] || [ "$o" = "$n" ] || [ "$o" != "$wo" ] || [ "$n" != "$wn" ]; then
        bad=$((bad + 1))
        [ $bad = 1 ] && not_ok "witness $i" "old $o / $wo, new $n / $wn"
    fi
done
[ $bad = 0 ] && ok "the witnesses decide differently under eligo eval, as reported"
# the witness of n = 3 at 2580.00, by hand: 2580.00 < 2580.00 fails under
# 860; under 900, 2580.00 < 2700.00 and the benefit is 2700 - 2580 = 120.00
jq -c '.regions[5].witness.input' "$tmp/report.json" >"$tmp/w.json"
"$ELIGO" eval tianjin.dibao --as-of 2019-01-01 --input "$tmp/w.json" --policies "$tmp/old" >"$tmp/out" 2>/dev/null
check "witness n = 3 under 860: not eligible, 0.00" '.outputs.eligible == false and .outputs.monthly_benefit == "0.00"'
"$ELIGO" eval tianjin.dibao --as-of 2019-01-01 --input "$tmp/w.json" --policies "$tmp/new" >"$tmp/out" 2>/dev/null
check "witness n = 3 under 900: eligible, 120.00" '.outputs.eligible == true and .outputs.monthly_benefit == "120.00"'

# ---- OLD by name: the shipped version
status "OLD named, not a file" 1 "$ELIGO" diff tianjin.dibao "$tmp/new/dibao.policy" --as-of 2019-01-01 --json
check "the same 100 regions" '.regions | length == 100'
status "text report" 1 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/new/dibao.policy" --as-of 2019-01-01
if grep -q '^6\. 家庭人口 = 3 and 家庭月收入合计 in \[2580.00, 2700.00)$' "$tmp/out"; then ok "text report names the region"
else not_ok "text report" "$(head -n 12 "$tmp/out")"; fi

# ---- layout, labels and the quotation only: equivalent
"$ELIGO" fmt - <"$top/policies/tianjin/dibao.policy" | sed -e 's/"家庭人口"/"家庭人口数"/' -e 's/每人每月860元"$/每人每月 860 元"/' \
    >"$tmp/fmt/dibao.policy"
cmp -s "$tmp/fmt/dibao.policy" "$top/policies/tianjin/dibao.policy" && not_ok "the copy is not changed"
status "reformatted, relabelled copy is equivalent" 0 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/fmt/dibao.policy" --json
check "equivalent over the whole period" '.equivalent == true and .exact == true and .regions == [] and .from == "2017-04-01" and .to == "2030-12-31"'

# ---- a second value from 2019-01-01: a change from that day on only
sed -e 's/^  from 2017-04-01: 860.00\(.*\)$/  from 2017-04-01 until 2018-12-31: 860.00\1\n  from 2019-01-01: 900.00 assumption "测试:假定的调整"/' \
    "$top/policies/tianjin/dibao.policy" >"$tmp/dated/dibao.policy"
status "dated change" 1 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/dated/dibao.policy" --json
check "100 regions, all from 2019-01-01 to 2030-12-31" \
    '(.regions | length == 100) and ([.regions[] | .from == "2019-01-01" and .to == "2030-12-31"] | all)'
status "before the change: equivalent" 0 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/dated/dibao.policy" --from 2017-04-01 --to 2018-12-31

# ---- usage
status "one version only" 2 "$ELIGO" diff "$tmp/old/dibao.policy"
status "--as-of with --from" 2 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/new/dibao.policy" --as-of 2019-01-01 --from 2019-01-01
status "a bad date" 2 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/new/dibao.policy" --as-of 2019-13-01
status "no such policy" 1 "$ELIGO" diff no.such.policy "$tmp/new/dibao.policy"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
