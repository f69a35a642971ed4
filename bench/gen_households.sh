#!/bin/sh
# gen_households.sh N [SEED [MIN MAX]] - N households of MIN to MAX
# members (1 to 6 by default) as JSON lines, deterministic for a seed:
# incomes 0.00 to 1500.99, a quarter of the members 特困 with a random
# self-care level.  bench/run uses fixed sizes (MIN = MAX) to draw
# ns per decision against household size.
#
# SPDX-License-Identifier: Apache-2.0
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/usage.sh
. "$top/scripts/lib/usage.sh"
usage_counts "$0" "bench/gen_households.sh N [SEED [MIN MAX]]" 4 "$@"
n=${1:-1000}
seed=${2:-1}
min=${3:-1}
max=${4:-6}
awk -v n="$n" -v seed="$seed" -v min="$min" -v max="$max" 'BEGIN {
    srand(seed);
    split("full partial none", care, " ");
    for (i = 0; i < n; i++) {
        k = min + int(rand() * (max - min + 1));
        printf "{\"household\":{\"members\":[";
        for (j = 0; j < k; j++) {
            inc = sprintf("%d.%02d", int(rand() * 1501), int(rand() * 100));
            cat = rand() < 0.25 ? "tekun" : "none";
            printf "%s{\"id\":\"m%d\",\"age\":%d,\"monthly_income\":\"%s\",\"assistance_category\":\"%s\",\"self_care\":\"%s\"}",
                   j ? "," : "", j, int(rand() * 90), inc, cat, care[1 + int(rand() * 3)];
        }
        printf "]}}\n";
    }
}'
