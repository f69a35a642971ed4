/*
 * mutate_helper.h - the byte mutations a JSON reader's single pass is
 * held to its token reader over (`single_pass_agrees` in test_json_in.c
 * and test_json_req.c): every prefix of a text, and every byte of it
 * left out, doubled, or replaced by one of a few bytes JSON gives a
 * meaning to.  The caller's check reads each variant both ways, fails
 * the test when they differ, and says whether they accepted it.
 * Include it after <cmocka.h>.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_TEST_MUTATE_HELPER_H
#define ELIGO_TEST_MUTATE_HELPER_H

#include <stddef.h>
#include <string.h>

/* Reads text[0..len) both ways; 1 when both accepted it. */
typedef int (*variant_check)(void *ctx, const char *text, size_t len);

/* Runs check on every variant of base (at most 1022 bytes), each byte
 * replaced in turn by each of the bytes of `with`; returns how many
 * variants were accepted.  base itself is the caller's to check. */
static inline unsigned variants_accepted(const char *base, const char *with, variant_check check, void *ctx)
{
    size_t n = strlen(base);
    char text[1024];
    unsigned ok = 0;
    assert_true(n + 1 < sizeof text);
    for (size_t i = 0; i < n; i++) {
        ok += (unsigned)check(ctx, base, i);
        memcpy(text, base, i);
        memcpy(text + i, base + i + 1, n - i - 1);
        ok += (unsigned)check(ctx, text, n - 1);
        memcpy(text, base, i + 1);
        memcpy(text + i + 1, base + i, n - i);
        ok += (unsigned)check(ctx, text, n + 1);
        memcpy(text, base, n);
        for (const char *w = with; *w; w++) {
            text[i] = *w;
            ok += (unsigned)check(ctx, text, n);
        }
    }
    return ok;
}

#endif
