#!/bin/sh
# gen_table.sh ROWS - a valid policy whose decision table has ROWS rows,
# for the scaling benchmark of bench/run (ns per decision against rows).
#
# The policy `bench.rows` looks up every member's monthly income in one
# `unique` table of ROWS adjacent half-open bands covering 0.00 to
# 1600.00 (the incomes gen_households.sh writes), plus an `else` row,
# and sums the amounts.  Band widths are whole fen, so bands stay exact.
#
# SPDX-License-Identifier: Apache-2.0
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/usage.sh
. "$top/scripts/lib/usage.sh"
usage_counts "$0" "bench/gen_table.sh ROWS" 1 "$@"
rows=${1:-100}
awk -v rows="$rows" 'BEGIN {
    print "policy bench.rows \"generated policy for the decision-table benchmark\"";
    print "jurisdiction \"bench\"";
    print "assumption \"generated figures\"";
    print "covers 2017-04-01 to 2030-12-31";
    print "use civil.household";
    printf "table band(income: money per month) -> money per month hit unique \"%d bands\"\n", rows;
    step = int((160000 + rows - 1) / rows);          # fen per band
    for (i = 0; i < rows; i++)
        printf "  | [%d.%02d, %d.%02d) | %d.00 | assumption \"g\"\n", int(i * step / 100), (i * step) % 100,
               int((i + 1) * step / 100), ((i + 1) * step) % 100, i % 500;
    print "  | else | 0.00 | assumption \"g\"";
    print "output total: money per month \"sum of the bands\"";
    print "  = sum(band(m.monthly_income) for m in household.members)";
}'
