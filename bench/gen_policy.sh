#!/bin/sh
# gen_policy.sh LINES - a valid policy of about LINES lines, for the
# compilation benchmark of bench/run (time against size).
#
# The policy `bench.size` over civil.household repeats one block of ten
# lines: a parameter with two dated values, a `let` summing over the
# members, a three-row `unique` decision table and an output using both,
# so every stage (resolve, check, tables, lower) has work in proportion
# to the size.  Every name is used, so the checker reports nothing.
# Labels, the types of lets and outputs (inferred) and all but one space
# of indentation are left out to keep 100,000 lines under the 4 MiB file
# limit, now that every value and row cites an assumption.
#
# SPDX-License-Identifier: Apache-2.0
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/usage.sh
. "$top/scripts/lib/usage.sh"
usage_counts "$0" "bench/gen_policy.sh LINES" 1 "$@"
lines=${1:-10000}
awk -v lines="$lines" 'BEGIN {
    print "policy bench.size \"generated policy for the compilation benchmark\"";
    print "jurisdiction \"bench\"";
    print "assumption \"generated figures\"";
    print "covers 2017-04-01 to 2030-12-31";
    print "use civil.household";
    for (i = 0; i < int(lines / 10) || i == 0; i++) {
        printf "parameter s%d: money per month\n", i;
        printf " from 2017-04-01 until 2019-12-31: %d.00 assumption \"g\"\n", 800 + i % 100;
        printf " from 2020-01-01: %d.00 assumption \"g\"\n", 900 + i % 100;
        printf "let i%d = sum(m.monthly_income for m in household.members where m.age >= %d)\n", i, i % 90;
        printf "table b%d(x: money per month) -> money per month hit unique\n", i;
        printf " | < 500.00 | s%d assumption \"g\"\n", i;
        printf " | [500.00, 1000.00) | 100.00 assumption \"g\"\n";
        printf " | >= 1000.00 | 0.00 assumption \"g\"\n";
        printf "output o%d = b%d(i%d)\n", i, i, i;
        print "";
    }
}'
