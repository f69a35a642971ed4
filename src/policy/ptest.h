/*
 * ptest.h - running a policy's own `test` blocks, for `eligo test`
 * (cli/cmd_test.c) and the officer's POST /v1/check (service/h_check.c).
 *
 * A test's `given` is written in the policy language; it is turned into
 * the same JSON a portal would send and goes through the same validation
 * (io/json_in.c), so a test exercises exactly the production path.  A
 * failing test is handed to the caller's `fail` callback with its line
 * and one message (output, expected and actual value, or the error); the
 * caller prints it, or writes it into an answer.
 *
 * Ownership: nothing is kept between calls; the message passed to `fail`
 * lives only during the call.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_PTEST_H
#define ELIGO_PTEST_H

#include <stdint.h>
#include <stdio.h>
#include "base/buf.h"
#include "lang/compile.h"

typedef void (*ptest_fail_fn)(void *ctx, const policy *p, const policy_test *t, uint32_t line,
                              const char *message);

typedef struct ptest_run {
    ptest_fail_fn fail;
    void *ctx;
    FILE *inputs;     /* each test's input as "policy TAB as_of TAB json", or NULL */
    uint32_t *cov;    /* p->tree.ncov + 1 counters of rows and rules reached, or NULL */
} ptest_run;

/* A test block's `given` bindings (tn, a `test` node) as the request
 * JSON a portal would send, appended to b. */
void ptest_given_json(buf *b, const ast_node *tn);

/* Runs test t of p: 1 when it passed, 0 when it failed (fail called once
 * or more). */
int ptest_one(const ptest_run *r, const policy *p, const policy_test *t);

#endif
