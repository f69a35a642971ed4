/*
 * policy_helper.h - what the unit tests that run the shipped policies
 * share: loading them, turning a test block's `given` literal into
 * request JSON (policy/ptest.c's), and drawing households from a small deterministic
 * generator.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_TEST_POLICY_HELPER_H
#define ELIGO_TEST_POLICY_HELPER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "lang/compile.h"
#include "policy/load.h"
#include "policy/ptest.h"

/* A test block's `given` bindings as request JSON into b (reset first),
 * as `eligo test` writes them. */
static inline void test_given_json(buf *b, const ast_node *tn)
{
    buf_reset(b);
    ptest_given_json(b, tn);
}

/* A deterministic draw in [0, n). */
static inline int draw(uint64_t *seed, int n)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((*seed >> 33) % (uint64_t)n);
}

/* What the generator drew that the hand-written reference needs. */
typedef struct drawn_household {
    int n;
    int64_t income_fen[6];
    int tekun[6];
    int care[6];            /* index into care[]: 0 full, 1 partial, 2 none */
} drawn_household;

/* A household of 1 to 6 members with every field of the civil model
 * drawn from a small deterministic generator; what the reference needs
 * goes to *d when d is not NULL. */
static inline void random_household_drawn(buf *b, uint64_t *seed, drawn_household *d)
{
    static const char *care[] = {"full", "partial", "none"};
    static const char *cat[] = {"none", "dibao", "tekun", "low_income"};
    int k = 1 + draw(seed, 6);
    buf_printf(b, "{\"household\":{\"hukou\":\"%s\",\"members\":[", draw(seed, 2) ? "urban" : "rural");
    for (int j = 0; j < k; j++) {
        int age = draw(seed, 100), yuan = draw(seed, 3000), fen = draw(seed, 100);
        int able = draw(seed, 2), c = draw(seed, 3), a = draw(seed, 4);
        int pay = draw(seed, 200000), out = draw(seed, 50000), major = draw(seed, 2), aid = draw(seed, 200000);
        buf_printf(b, "%s{\"id\":\"m%d\",\"age\":%d,\"monthly_income\":\"%d.%02d\",\"able_to_work\":%s,"
                   "\"self_care\":\"%s\",\"assistance_category\":\"%s\",\"in_policy_self_pay\":\"%d\","
                   "\"out_of_policy_self_pay\":\"%d\",\"major_disease\":%s,\"major_aid_received_this_year\":\"%d\"}",
                   j ? "," : "", j, age, yuan, fen, able ? "true" : "false", care[c], cat[a], pay, out,
                   major ? "true" : "false", aid);
        if (d) {
            d->income_fen[j] = (int64_t)yuan * 100 + fen;
            d->tekun[j] = a == 2;
            d->care[j] = c;
        }
    }
    if (d) d->n = k;
    buf_adds(b, "]}}");
}

static inline void random_household(buf *b, uint64_t *seed)
{
    random_household_drawn(b, seed, NULL);
}

/* The shipped policies and the illustrative ones, as the policy suite
 * checks them. */
static inline int load_policies(registry *r)
{
    const char *top = getenv("top_srcdir");
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/policies", top ? top : ".");
    snprintf(b, sizeof b, "%s/tests/policies", top ? top : ".");
    const char *paths[] = {a, b};
    diag_list dl;
    diag_list_init(&dl);
    int rc = registry_load(r, paths, 2, NULL, &dl);
    if (rc) diag_print(&dl, stderr);
    diag_list_free(&dl);
    return rc;
}

#endif
