#!/bin/sh
# audit_tamper_full.sh - tamper evidence at full size: 1,000
# random mutations of a 10,000-decision store, each detected and named,
# 10 untouched stores of 10,000 decisions with no false alarm, and
# 1,000 rounds of two racing sequencers whose chain must not fork.  The same suite as
# tests/integration/audit_tamper.sh, larger (several minutes).
# Usage (from a build directory): ELIGO=./eligo tests/soak/audit_tamper_full.sh
#
# SPDX-License-Identifier: Apache-2.0
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir
TAMPER_ROWS=10000 TAMPER_MUTATIONS=1000 TAMPER_STORES=10 TAMPER_STORE_ROWS=10000 TAMPER_RACE_ROUNDS=1000 \
    exec bash "$top_srcdir/tests/integration/audit_tamper.sh"
