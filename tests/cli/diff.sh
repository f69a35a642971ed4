#!/usr/bin/env bash
# diff.sh - `eligo diff` on the shipped tianjin.dibao: the standard 860 ->
# 900 must be reported as exactly the regions where the standard matters
# (for each household size n: incomes below 860 n get 40 n more, incomes
# in [860 n, 900 n) become eligible), each witness decided again here by
# `eligo eval` under both versions; a copy that differs only in layout,
# labels and the quotation is equivalent; a second value from 2019-01-01
# is a change from that day only.  Warnings (tianjin.committee_size):
# a widened usual range, a changed condition, a warning removed and added
# are each reported where the warning's holding differs.  No server is
# started.  The last line
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

# ---- warnings: tianjin.committee_size warns outside the usual size
# (「社区党委(党总支)一般设委员5至7人」).  Widening the party committee's
# range to 5..9: for 8 and 9 members max_members goes 7 -> 9 and the
# warning no longer holds; below 8 and from 10 only max_members changes.
mkdir "$tmp/cw"
cw() {   # NAME SED-SCRIPT: a copy of committee_size edited, tests dropped
    mkdir -p "$tmp/cw/$1"
    cp "$top/policies/civil.model" "$tmp/cw/$1/" && ln -sfn "$top/policies/sources" "$tmp/cw/$1/sources"
    sed -e "$2" -e '/^# -* 测试$/,$d' "$top/policies/tianjin/committee_size.policy" >"$tmp/cw/$1/committee_size.policy"
}
cw old ''
cw wide 's/| party_committee     | 5 | 7 |/| party_committee     | 5 | 9 |/'
cw cond 's/proposed > max_members:$/proposed > max_members + 1:/'
cw none '/^warn when/,+1d'
body='组织类别(社区党委或党总支/社区党支部/社区居委会)'
warning='拟设 {proposed} 人,不在一般设 {min_members} 至 {max_members} 人之内'
status "5..7 -> 5..9 differs" 1 "$ELIGO" diff "$tmp/cw/old/committee_size.policy" "$tmp/cw/wide/committee_size.policy" \
    --as-of 2019-01-01 --json
check "three regions: members < 8, in [8, 10), >= 10 (party committee)" \
    "[.regions[].description] == [\"$body = 社区党委(党总支) and 拟设委员人数 < 8\",
     \"$body = 社区党委(党总支) and 拟设委员人数 in [8, 10)\", \"$body = 社区党委(党总支) and 拟设委员人数 >= 10\"]"
check "8 and 9 members: max 7 -> 9, and the warning true -> false" \
    ".regions[1].changes == [{\"output\":\"max_members\",\"label\":\"最多委员人数\",\"old\":7,\"new\":9,\"delta\":\"+2\",\"varies\":false},
     {\"output\":\"warning\",\"label\":\"$warning\",\"old\":true,\"new\":false,\"varies\":false}]"
check "below 8 and from 10: only max_members" '[.regions[0,2].changes | length] == [1, 1]'
check "the witness of 8 members warns under 5..7 only" \
    '.regions[1].witness.input.committee.members == 8 and .regions[1].confirmed and
     .regions[1].witness_warnings == {"old":["拟设 8 人,不在一般设 5 至 7 人之内"],"new":[]}'
# 9 members decided again by eligo eval: warned under 5..7, not under 5..9
echo '{"committee":{"body":"party_committee","members":9}}' >"$tmp/w9.json"
"$ELIGO" eval tianjin.committee_size --as-of 2019-01-01 --input "$tmp/w9.json" --policies "$tmp/cw/old" >"$tmp/out" 2>/dev/null
check "9 members under 5..7: warned" '[.warnings[].text] == ["拟设 9 人,不在一般设 5 至 7 人之内"]'
"$ELIGO" eval tianjin.committee_size --as-of 2019-01-01 --input "$tmp/w9.json" --policies "$tmp/cw/wide" >"$tmp/out" 2>/dev/null
check "9 members under 5..9: no warning" '.warnings == null and .outputs.max_members == 9'
# only the condition changed (> max + 1): the outputs are the same
# everywhere; the warning differs at max + 1 of each body: 8, 6, 10
status "a warning's condition changed" 1 "$ELIGO" diff "$tmp/cw/old/committee_size.policy" \
    "$tmp/cw/cond/committee_size.policy" --as-of 2019-01-01 --json
check "exactly max + 1 of each body, only the warning, confirmed" \
    "[.regions[].description] == [\"$body = 社区党委(党总支) and 拟设委员人数 = 8\", \"$body = 社区党支部 and 拟设委员人数 = 6\",
     \"$body = 社区居委会 and 拟设委员人数 = 10\"] and ([.regions[] | .changes == [{\"output\":\"warning\",
     \"label\":\"$warning\",\"old\":true,\"new\":false,\"varies\":false}] and .confirmed and
     .witness_outputs.old == .witness_outputs.new] | all)"
# removed, and (the other way) added: below min and above max of each body
status "a warning removed" 1 "$ELIGO" diff "$tmp/cw/old/committee_size.policy" "$tmp/cw/none/committee_size.policy" \
    --as-of 2019-01-01 --json
check "six regions (< 5, >= 8; < 3, >= 6; < 5, >= 10), each warning true -> false" \
    '(.regions | length == 6) and ([.regions[].changes == [{"output":"warning","label":.regions[0].changes[0].label,"old":true,"new":false,"varies":false}]] | all)
     and [.regions[].witness.input.committee.members] == [0, 8, 0, 6, 0, 10]'
status "a warning added" 1 "$ELIGO" diff "$tmp/cw/none/committee_size.policy" "$tmp/cw/old/committee_size.policy" \
    --as-of 2019-01-01 --json
check "the same six, false -> true" '(.regions | length == 6) and ([.regions[].changes[0] | .old == false and .new == true] | all)'
status "text report of a warning" 1 "$ELIGO" diff "$tmp/cw/old/committee_size.policy" "$tmp/cw/wide/committee_size.policy" \
    --as-of 2019-01-01
contains "text report names the warning" "   warning: \"$warning\": true -> false" "$tmp/out"

# ---- usage
status "one version only" 2 "$ELIGO" diff "$tmp/old/dibao.policy"
status "--as-of with --from" 2 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/new/dibao.policy" --as-of 2019-01-01 --from 2019-01-01
status "a bad date" 2 "$ELIGO" diff "$tmp/old/dibao.policy" "$tmp/new/dibao.policy" --as-of 2019-13-01
status "no such policy" 1 "$ELIGO" diff no.such.policy "$tmp/new/dibao.policy"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
