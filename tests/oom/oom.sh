#!/usr/bin/env bash
# oom.sh - make check's run of the OOM loop: every
# 5th injection point of each operation, in both modes, and always the
# last points (tests/oom/oom_loop.c).  The full loop, every point, is
# tests/soak/oom_full.sh.  In the ASan build each run ends with a leak
# check, so a leaking error path fails here too.
# OOM_STEP overrides the step (1: every point).
#
# SPDX-License-Identifier: Apache-2.0
set -u
cd "${top_srcdir:-.}" || exit 1
exec "$OLDPWD/tests/oom/oom_loop" --step "${OOM_STEP:-5}" "$@"
