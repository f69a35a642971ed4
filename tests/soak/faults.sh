#!/usr/bin/env bash
# faults.sh - the long form of tests/integration/faults.sh (nothing
# answered that is not stored, whatever fails), run on demand, never by make check: 60 s per scenario
# (30 worker SIGKILLs, 20 SIGHUPs 3 s apart, 10 s database outages),
# 10 kill -9s of MariaDB in a row, and a recycling run long enough for
# 1,000 recycles.  About 12 minutes.  Run from a build directory:
#     top_srcdir=SOURCE-TREE ELIGO=$PWD/eligo bash SOURCE-TREE/tests/soak/faults.sh
# after `make eligo eligod tests/integration/load_client`.
# Any FAULTS_* setting of the short form may be given to override these.
#
# SPDX-License-Identifier: Apache-2.0
set -u
here=$(cd "$(dirname "$0")" && pwd)
export FAULTS_SECONDS=${FAULTS_SECONDS:-60}
export FAULTS_DB_KILLS=${FAULTS_DB_KILLS:-10}
export FAULTS_RECYCLE_SECONDS=${FAULTS_RECYCLE_SECONDS:-240}
export FAULTS_MIN_RECYCLES=${FAULTS_MIN_RECYCLES:-1000}
exec bash "$here/../integration/faults.sh"
