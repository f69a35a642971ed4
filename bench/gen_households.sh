#!/bin/sh
# gen_households.sh N [SEED] - N households of 1 to 6 members as JSON
# lines, deterministic for a seed: incomes 0.00 to 1500.99, a quarter of
# the members 特困 with a random self-care level.
n=${1:-1000}
seed=${2:-1}
awk -v n="$n" -v seed="$seed" 'BEGIN {
    srand(seed);
    split("full partial none", care, " ");
    for (i = 0; i < n; i++) {
        k = 1 + int(rand() * 6);
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
