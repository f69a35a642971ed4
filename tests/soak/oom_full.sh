#!/usr/bin/env bash
# oom_full.sh - the OOM loop (every allocation may fail, and
# none may crash or leak) at every injection point, transient and persistent (make check's tests/oom/oom.sh tries
# every 5th).  About 1.5 minutes in the ASan build.  Run from a build
# directory, best the ASan one (leaks on error paths are found only there):
#     make tests/oom/oom_loop
#     top_srcdir=SOURCE-TREE bash SOURCE-TREE/tests/soak/oom_full.sh
# Arguments go to oom_loop (--only NAME picks operations).
#
# SPDX-License-Identifier: Apache-2.0
set -u
here=$(cd "$(dirname "$0")" && pwd)
export top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export OOM_STEP=1
exec bash "$here/../oom/oom.sh" "$@"
