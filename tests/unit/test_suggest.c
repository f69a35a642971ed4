/*
 * test_suggest.c - unit tests for base/suggest.c, the one "did you mean"
 * rule of the compiler and the request reader.
 *
 * The expected distances are counted by hand beside each case; the
 * thresholds are those of suggest.h (none up to 2 bytes, 1 up to 5, 2
 * beyond; a whole '_'-separated head or tail after those).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/suggest.h"

static size_t dist(const char *a, const char *b)
{
    return suggest_distance(a, strlen(a), b, strlen(b));
}

/* The best of cands for name, or NULL. */
static const char *best(const char *name, const char *const *cands)
{
    suggestion s;
    suggest_init(&s);
    for (; *cands; cands++)
        suggest_consider(&s, name, strlen(name), *cands);
    return s.best;
}

static void distances(void **state)
{
    (void)state;
    assert_int_equal(dist("age", "age"), 0);
    assert_int_equal(dist("ag", "age"), 1);             /* insert e */
    assert_int_equal(dist("hukuo", "hukou"), 1);        /* swap o, u */
    assert_int_equal(dist("houshold", "household"), 1); /* insert e */
    assert_int_equal(dist("incme", "income"), 1);
    assert_int_equal(dist("kitten", "sitting"), 3);     /* k->s, e->i, +g */
    assert_int_equal(dist("", "abc"), 3);
}

static void thresholds(void **state)
{
    (void)state;
    assert_int_equal(suggest_allowed(2), 0);
    assert_int_equal(suggest_allowed(3), 1);
    assert_int_equal(suggest_allowed(5), 1);
    assert_int_equal(suggest_allowed(6), 2);
    static const char *const two[] = { "id", NULL }, *const five[] = { "hukou", NULL },
                             *const long_[] = { "monthly_income", NULL };
    assert_null(best("ib", two));                       /* 1 edit, 2 bytes: none */
    assert_string_equal(best("hukuo", five), "hukou");  /* 1 edit, 5 bytes */
    assert_null(best("hakuo", five));                   /* 2 edits, 5 bytes */
    assert_string_equal(best("montly_incme", long_), "monthly_income"); /* 2 edits */
    assert_null(best("montly_incm", long_));            /* 3 edits */
}

static void affixes(void **state)
{
    (void)state;
    static const char *const c[] = { "monthly_income", "self_care", "age", NULL };
    assert_string_equal(best("income", c), "monthly_income");  /* tail */
    assert_string_equal(best("self", c), "self_care");         /* head */
    assert_null(best("come", c));          /* not a whole '_' part */
    assert_null(best("mon", c));           /* 3 bytes but not whole */
    assert_true(suggest_is_affix("care", 4, "self_care", 9));
    assert_false(suggest_is_affix("ca", 2, "ca_x", 4)); /* shorter than 3 */
    /* a candidate within the edits wins over an affix one */
    static const char *const d[] = { "self_care", "sell", NULL };
    assert_string_equal(best("self", d), "sell");
}

static void first_of_equals(void **state)
{
    (void)state;
    static const char *const c[] = { "bat", "cat", NULL };
    assert_string_equal(best("hat", c), "bat");
    char big[SUGGEST_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    static const char *const a[] = { "aaa", NULL };
    assert_null(best(big, a));             /* longer than SUGGEST_MAX */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(distances),
        cmocka_unit_test(thresholds),
        cmocka_unit_test(affixes),
        cmocka_unit_test(first_of_equals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
