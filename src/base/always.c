/*
 * always.c - the report of a failed ALWAYS or NEVER (always.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include "base/always.h"

int always_abort = 1;
unsigned long always_failures;

void always_failed(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: %s does not hold: a bug in eligo\n", file, line, what);
    if (always_abort)
        abort();
    always_failures++;
}
