#!/bin/sh
# run.sh - the policy suite: the shipped library and the illustrative
# policies compile cleanly, their own tests pass, and `eligo eval` gives
# the hand-computed outputs of tests/requests/cases.txt and rejects each
# invalid request of tests/requests/invalid-cases.txt with exit status 2
# and the expected first problem (path and detail).  A `.test` whose `expect label`
# does not hold reports the label it got.
#
# Environment: ELIGO (the binary), top_srcdir (the source root).
# Last line: "N passed, N failed"; exit 1 when anything failed.
#
# SPDX-License-Identifier: Apache-2.0

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
ELIGO=${ELIGO:-$top_srcdir/eligo}
case $ELIGO in /*) ;; *) ELIGO=$(pwd)/$ELIGO ;; esac
cd "$top_srcdir" || exit 99
# shellcheck source=tests/lib/harness.sh
. "$top_srcdir/tests/lib/harness.sh"
harness_tmp policy

# 1. everything compiles with no diagnostic at all
if "$ELIGO" check policies tests/policies >"$tmp/check" 2>&1 && [ ! -s "$tmp/check" ]; then ok
else fail "eligo check policies tests/policies"; cat "$tmp/check"; fi

# 2. the policies' own tests, counted one by one
for dir in policies tests/policies; do
    "$ELIGO" test --junit "$tmp/junit.xml" "$dir" >"$tmp/test" 2>&1
    status=$?
    line=$(tail -n 1 "$tmp/test")
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ]; then fail "eligo test $dir printed no summary"; cat "$tmp/test"; continue; fi
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$status" = 0 ] || cat "$tmp/test"
    grep -q '<testsuite name="eligo" tests="'$((p + f))'"' "$tmp/junit.xml" && ok || fail "JUnit report of $dir"
done

# 3. decisions computed by hand (tests/requests/README.md)
while IFS='|' read -r file policy as_of want; do
    case $file in '#'*|'') continue ;; esac
    out=$("$ELIGO" eval "$policy" --as-of "$as_of" --input "tests/requests/$file" 2>&1)
    case $want in
    '!'*)
        msg=${want#!}
        case $out in *"$msg"*) ok ;; *) fail "$policy $file $as_of: expected error '$msg', got: $out" ;; esac ;;
    *)
        case $out in *"\"outputs\":$want,\"reasons\""*) ok ;; *) fail "$policy $file $as_of: expected $want, got: $out" ;; esac ;;
    esac
done < tests/requests/cases.txt

# 3a. an advisory norm (`warn when`): a party branch of 6 (一般设委员3至5人)
#     is decided, and the decision carries the warning with the fields read
out=$("$ELIGO" eval tianjin.committee_size --as-of 2019-01-01 --input tests/requests/committee-branch-6.json 2>&1)
case $out in
*'"outputs":{"min_members":3,"max_members":5},'*'"warnings":[{"text":"拟设 6 人,不在一般设 3 至 5 人之内","fields":["/committee/members","/committee/body"],"source":{"line":'*) ok ;;
*) fail "tianjin.committee_size: the warning of a branch of 6: $out" ;;
esac
printf '{"committee":{"body":"party_branch","members":5}}' >"$tmp/branch5.json"
out=$("$ELIGO" eval tianjin.committee_size --as-of 2019-01-01 --input "$tmp/branch5.json" 2>&1)
case $out in *'"reasons":'*'"warnings"'*) fail "tianjin.committee_size: a warning for a branch of 5: $out" ;; *'"reasons":'*) ok ;; *) fail "tianjin.committee_size: $out" ;; esac

# 3b. a range output (「给予社工考试通过人员1000元-2000元不等的奖补」): one JSON
#     member with its min and max, one line of the citizen's text with
#     至 between the ends, and a min above the max an evaluation error
mkdir -p "$tmp/range/sources"
cp tests/policies/award_range.policy tests/policies/demo.model "$tmp/range/"
cp tests/policies/sources/003_7b365a448f042d91.txt "$tmp/range/sources/"
printf '{"sample":{"value":2.5}}' >"$tmp/range25.json"
out=$("$ELIGO" eval demo.award_range --as-of 2020-01-01 --input "$tmp/range25.json" --policies "$tmp/range" 2>&1)
case $out in
*'"outputs":{"exam_award":{"min":"1000.00","max":"2000.00"},"ossuary_award":{"min":"250000.00","max":"650000.00"},"exam_award_spread":"1000.00","sample_range":{"min":"2.5","max":"10"}},'*) ok ;;
*) fail "demo.award_range: the range outputs: $out" ;;
esac
out=$("$ELIGO" eval demo.award_range --as-of 2020-01-01 --input "$tmp/range25.json" --policies "$tmp/range" --explain=text 2>&1)
case $out in
*'1. 社工考试通过奖补:1000.00 元 至 2000.00 元。'*'2. 骨灰堂联建奖励:250000.00 元 至 650000.00 元。'*'奖补幅度:社工考试通过奖补(上限) 2000.00 - 社工考试通过奖补(下限) 1000.00,得 1000.00 元。'*) ok ;;
*) fail "demo.award_range: the range in the citizen's text: $out" ;;
esac
printf '{"sample":{"value":10.01}}' >"$tmp/range1001.json"
out=$("$ELIGO" eval demo.award_range --as-of 2020-01-01 --input "$tmp/range1001.json" --policies "$tmp/range" 2>&1)
# shellcheck disable=SC2016  # the backquotes are the message's own
case $out in
*'range output `sample_range` = 10.01 to 10: its min is above its max'*) ok ;;
*) fail "demo.award_range: a min above the max: $out" ;;
esac

# 4. invalid requests: exit 2, the problem named by its path
while IFS='|' read -r file policy first; do
    case $file in '#'*|'') continue ;; esac
    "$ELIGO" eval "$policy" --as-of 2019-06-01 --input "tests/requests/$file" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" = 2 ] && [ "$(head -n 1 "$tmp/err")" = "$first" ] && [ ! -s "$tmp/out" ]; then ok
    else fail "$policy $file: want exit 2 and '$first', got $status: $(head -n 1 "$tmp/err")"; fi
done < tests/requests/invalid-cases.txt

# 5. the explanation of the Tianjin example cites the standard, its date and the seed
"$ELIGO" eval tianjin.dibao --as-of 2019-01-01 --input tests/requests/dibao-family.json --explain >"$tmp/explain" 2>&1
for want in '"value":"860.00","read_on":"2019-01-01","in_force_from":"2017-04-01"' '001_9ead28f4facb4925.txt' '"margin":{"amount":"1080.00"'; do
    grep -qF "$want" "$tmp/explain" && ok || fail "explanation lacks $want"
done

# 5a. issue 11's household: the exception on "not eligible" is stated by
# what held, once, with no 非 and no bare true/false
"$ELIGO" eval jiaxing.dibao --as-of 2019-09-01 --input tests/requests/jiaxing-not-eligible.json --explain >"$tmp/jx" 2>&1
grep -qF '"rule":"非低保家庭,不发放“虚拟岗”工资:家庭月收入合计 2000.00 元不低于低保标准 810.00 元 × 家庭人口 2 人 = 1620.00 元（成立）"' "$tmp/jx" && ok || fail "jiaxing.dibao: the rule of virtual_job_wage"
grep -qE '(^|[^并])非 | (true|false)"' "$tmp/jx" && fail "jiaxing.dibao: 非 or a bare true/false in the explanation" || ok

# 5b. the explanation re-derives step by step (eligo explain --check), and
# with the standard altered in its parameters list it does not
out=$("$ELIGO" explain --check "$tmp/explain" 2>&1)
case $out in *" steps hold") ok ;; *) fail "eligo explain --check on the Tianjin example: $out" ;; esac
sed 's/"value":"860.00","read_on"/"value":"800.00","read_on"/' "$tmp/explain" >"$tmp/altered"
out=$("$ELIGO" explain --check - <"$tmp/altered" 2>&1)
status=$?
case "$status $out" in "1 eligo explain: stdin: step threshold: parameter standard read on 2019-01-01 is 800.00 in the parameters but 860.00 in the calculation") ok ;;
*) fail "altered explanation: want exit 1 naming step threshold, got $status: $out" ;; esac

# 5c. the citizen's account of one household per shipped programme
# (tests/explain/cases.txt), byte for byte
while IFS='|' read -r policy as_of file; do
    case $policy in '#'*|'') continue ;; esac
    "$ELIGO" eval "$policy" --as-of "$as_of" --input "tests/requests/$file" --explain=text >"$tmp/text" 2>&1
    if cmp -s "$tmp/text" "tests/explain/$policy.txt"; then ok
    else fail "eligo eval $policy --explain=text differs from tests/explain/$policy.txt"; diff "tests/explain/$policy.txt" "$tmp/text" | head -20; fi
done < tests/explain/cases.txt

# 6. formatting is canonical and idempotent
"$ELIGO" fmt --check policies/*/*.policy policies/civil.model tests/policies/*.policy tests/policies/*.model >"$tmp/fmt" 2>&1 && ok || { fail "eligo fmt --check policies"; cat "$tmp/fmt"; }

# 7. fmt never damages a file it cannot parse: the file stays byte for
#    byte, the error is printed, exit 1; a byte order mark is accepted
#    (check passes) and formatting drops it
printf 'policy t.broken "坏"\ncovers 2017-04-01 to\n    let x: int =\n| 1 |  2 |\n' >"$tmp/broken.policy"
cp "$tmp/broken.policy" "$tmp/broken.orig"
"$ELIGO" fmt "$tmp/broken.policy" >"$tmp/fmt" 2>&1
status=$?
if [ "$status" = 1 ] && cmp -s "$tmp/broken.policy" "$tmp/broken.orig" &&
   grep -q 'broken.policy:2:21: error: missing date at the end of the line' "$tmp/fmt" &&
   grep -q 'broken.policy has errors; left untouched' "$tmp/fmt"; then ok
else fail "eligo fmt on a file with a syntax error: status $status"; cat "$tmp/fmt"; fi
"$ELIGO" fmt --check "$tmp/broken.policy" >"$tmp/fmt" 2>&1
[ $? = 1 ] && cmp -s "$tmp/broken.policy" "$tmp/broken.orig" && ok || fail "eligo fmt --check on a file with a syntax error"
# 7a. a text that stops inside an open ( [ or { (the last lines of an
#     officer still typing): each is left byte for byte, the error names
#     where the text ended, and `fmt -` (an editor's filter) writes the
#     text back unchanged rather than nothing, exit 1
opened() {   # the rest of the text, printf escapes: after three good lines
    printf 'policy t.open "开"\ncovers 2017-04-01 to 2030-12-31\nuse civil.household\n'
    printf '%b' "$1"
}
opened 'output o: int "o" = max(1,\n' >"$tmp/open1.policy"
opened 'output l: list of int "l" = [1,\n  2' >"$tmp/open2.policy"
opened 'output o: int "o" = 1\ntest "t" as of 2019-01-01\n  given household = {members: [{id: "a", age: 40},\n\n' \
    >"$tmp/open3.policy"
# shellcheck disable=SC2016 # backquotes of the messages, not expansions
for want in 'open1.policy:4:27: error: unexpected end of file, expected a value' \
    'open2.policy:5:4: error: unexpected end of file, expected `]` or `,`' \
    'open3.policy:6:51: error: unexpected end of file, expected a value or `]`'; do
    f=$tmp/${want%%:*}
    cp "$f" "$f.orig"
    "$ELIGO" fmt "$f" >"$tmp/fmt" 2>&1
    status=$?
    if [ "$status" = 1 ] && cmp -s "$f" "$f.orig" && grep -qF "$want" "$tmp/fmt"; then ok
    else fail "eligo fmt on ${f##*/}: status $status"; cat "$tmp/fmt"; fi
    "$ELIGO" fmt - <"$f.orig" >"$tmp/fmt" 2>/dev/null
    status=$?
    [ "$status" = 1 ] && cmp -s "$tmp/fmt" "$f.orig" && ok || fail "eligo fmt - on ${f##*/}: status $status, text changed"
done
printf '\357\273\277' >"$tmp/bom.policy"
cat policies/tianjin/dibao.policy >>"$tmp/bom.policy"
if "$ELIGO" check "$tmp/bom.policy" >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then ok
else fail "eligo check on a policy saved with a BOM"; cat "$tmp/out"; fi
"$ELIGO" fmt "$tmp/bom.policy" && cmp -s "$tmp/bom.policy" policies/tianjin/dibao.policy && ok ||
    fail "eligo fmt drops the BOM of a policy and changes nothing else"

# 8. a test that expects wording reports the wording it got
cat >"$tmp/wording.test" <<'EOF'
tests tianjin.dibao
test "标签写错" as of 2019-01-01
  given household = {members: [{id: "a", age: 40, monthly_income: 860.00}]}
  expect reason eligible contains "不低于低保标准 860.00 元"
  expect label eligible = "家庭月收入合计 860.00 元"
EOF
"$ELIGO" test policies "$tmp/wording.test" >"$tmp/wording" 2>&1
want="$tmp/wording.test:2: FAIL tianjin.dibao \"标签写错\" as of 2019-01-01: label of \`eligible\`: expected \"家庭月收入合计 860.00 元\", got \"家庭月收入合计 860.00 元不低于低保标准 860.00 元 × 家庭人口 1 人 = 860.00 元\""
if [ "$(grep -c FAIL "$tmp/wording")" = 1 ] && grep -qxF "$want" "$tmp/wording"; then ok
else fail "expect label: want '$want'"; cat "$tmp/wording"; fi

finish
