#!/bin/sh
# run-golden.sh - placeholder until the grammar's golden suite lands.
#
# The real driver compiles tests/lang/ok/*.policy and tests/lang/errors/*
# and compares the diagnostics with the expected files.  Until then it
# runs nothing and says so, in the closing line scripts/check sums.
echo "0 passed, 0 failed"
