/*
 * test_tables.c - unit tests for src/lang/tables.c.
 *
 * Fixed cases pin the witnesses check.c prints (they are part of golden
 * diagnostics), and randomized cases compare tab_analyze and
 * tab_index_build against brute force over every input of small domains.
 * The random generator is seeded, so a failure reproduces.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lang/tables.h"

#define NONE UINT32_MAX

/* ------------------------------------------------------------------ */
/* Building tables                                                     */
/* ------------------------------------------------------------------ */

typedef struct tt {
    tab_rows t;
    tab_cond *cond;             /* the mutable view of t.cond */
    tab_interval *domain;
    arena *pool;
} tt;

static void tt_new(tt *x, arena *pool, uint32_t ncols, uint32_t nrows)
{
    x->pool = pool;
    x->cond = arena_alloc(pool, (size_t)ncols * nrows * sizeof *x->cond + 1);
    x->domain = arena_alloc(pool, ncols * sizeof *x->domain + 1);
    assert_non_null(x->cond);
    assert_non_null(x->domain);
    x->t = (tab_rows){ ncols, nrows, x->domain, x->cond };
}

static void tt_set(tt *x, uint32_t r, uint32_t c, const tab_interval *iv,
                   uint32_t n)
{
    tab_interval *copy = arena_alloc(x->pool, n * sizeof *copy + 1);

    assert_non_null(copy);
    memcpy(copy, iv, n * sizeof *copy);
    x->cond[(size_t)r * x->t.ncols + c] = (tab_cond){ n, copy };
}

#define IVS(...) ((const tab_interval[]){ __VA_ARGS__ })
#define NIVS(...) (uint32_t)(sizeof IVS(__VA_ARGS__) / sizeof(tab_interval))
#define SET(x, r, c, ...) tt_set((x), (r), (c), IVS(__VA_ARGS__), NIVS(__VA_ARGS__))

static int setup(void **state)
{
    arena *pool = malloc(sizeof *pool);

    if (!pool)
        return -1;
    arena_init(pool, 1 << 16);
    *state = pool;
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    free(*state);
    return 0;
}

static size_t count_kind(const tab_findings *f, tab_kind kind)
{
    size_t i, n = 0;

    for (i = 0; i < f->n; i++)
        n += f->items[i].kind == kind;
    return n;
}

static const tab_finding *nth_kind(const tab_findings *f, tab_kind kind,
                                   size_t nth)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (f->items[i].kind == kind && nth-- == 0)
            return &f->items[i];
    return NULL;
}

static int row_matches(const tab_rows *t, uint32_t r, const int64_t *p)
{
    uint32_t c;

    for (c = 0; c < t->ncols; c++)
        if (!tab_cond_match(&t->cond[(size_t)r * t->ncols + c], p[c]))
            return 0;
    return 1;
}

static const int ALL = TAB_FIND_OVERLAPS | TAB_FIND_GAPS | TAB_FIND_SHADOWED;

/* ------------------------------------------------------------------ */
/* tab_normalize and tab_cond_match                                    */
/* ------------------------------------------------------------------ */

static void test_normalize_basic(void **state)
{
    tab_interval iv[] = { {10, 12}, {1, 3}, {2, 5}, {7, 8}, {6, 6}, {20, 30},
                          {22, 25} };
    uint32_t n = tab_normalize(iv, 7);

    (void)state;
    assert_int_equal(tab_normalize(iv, 0), 0);
    /* {1,3}+{2,5} overlap, {6,6} and {7,8} are adjacent: one run to 8. */
    assert_int_equal(n, 3);
    assert_true(iv[0].lo == 1 && iv[0].hi == 8);
    assert_true(iv[1].lo == 10 && iv[1].hi == 12);
    assert_true(iv[2].lo == 20 && iv[2].hi == 30);
}

static void test_normalize_not_adjacent(void **state)
{
    tab_interval iv[] = { {5, 9}, {0, 3} };

    (void)state;
    assert_int_equal(tab_normalize(iv, 2), 2);
    assert_true(iv[0].lo == 0 && iv[0].hi == 3);
    assert_true(iv[1].lo == 5 && iv[1].hi == 9);
}

static void test_normalize_extremes(void **state)
{
    tab_interval top[] = { {INT64_MAX, INT64_MAX}, {INT64_MAX - 5, INT64_MAX - 1},
                           {INT64_MAX, INT64_MAX} };
    tab_interval bottom[] = { {INT64_MIN + 1, 0}, {INT64_MIN, INT64_MIN} };
    tab_interval whole[] = { {INT64_MIN, INT64_MAX}, {0, 0}, {INT64_MAX, INT64_MAX} };
    tab_interval apart[] = { {INT64_MAX, INT64_MAX}, {INT64_MIN, INT64_MIN} };

    (void)state;
    assert_int_equal(tab_normalize(top, 3), 1);
    assert_true(top[0].lo == INT64_MAX - 5 && top[0].hi == INT64_MAX);
    assert_int_equal(tab_normalize(bottom, 2), 1);
    assert_true(bottom[0].lo == INT64_MIN && bottom[0].hi == 0);
    assert_int_equal(tab_normalize(whole, 3), 1);
    assert_true(whole[0].lo == INT64_MIN && whole[0].hi == INT64_MAX);
    assert_int_equal(tab_normalize(apart, 2), 2);
    assert_true(apart[0].lo == INT64_MIN && apart[1].hi == INT64_MAX);
}

static void test_normalize_drops_inverted(void **state)
{
    tab_interval iv[] = { {5, 1}, {3, 3}, {100, -100} };
    tab_interval none[] = { {1, 0} };

    (void)state;
    assert_int_equal(tab_normalize(iv, 3), 1);
    assert_true(iv[0].lo == 3 && iv[0].hi == 3);
    assert_int_equal(tab_normalize(none, 1), 0);
}

static void test_cond_match(void **state)
{
    const tab_interval iv[] = { {INT64_MIN, -10}, {0, 0}, {5, 9},
                                {INT64_MAX - 1, INT64_MAX} };
    tab_cond c = { 4, iv }, never = { 0, NULL };

    (void)state;
    assert_true(tab_cond_match(&c, INT64_MIN));
    assert_true(tab_cond_match(&c, -10));
    assert_false(tab_cond_match(&c, -9));
    assert_false(tab_cond_match(&c, -1));
    assert_true(tab_cond_match(&c, 0));
    assert_false(tab_cond_match(&c, 1));
    assert_false(tab_cond_match(&c, 4));
    assert_true(tab_cond_match(&c, 5));
    assert_true(tab_cond_match(&c, 9));
    assert_false(tab_cond_match(&c, 10));
    assert_false(tab_cond_match(&c, INT64_MAX - 2));
    assert_true(tab_cond_match(&c, INT64_MAX));
    assert_false(tab_cond_match(&never, 0));
    assert_false(tab_cond_match(&never, INT64_MIN));
}

/* ------------------------------------------------------------------ */
/* tab_analyze: fixed cases                                            */
/* ------------------------------------------------------------------ */

static void test_enum_full_cover(void **state)
{
    tt x;
    tab_findings f;
    uint32_t r;

    tt_new(&x, *state, 1, 4);
    x.domain[0] = (tab_interval){ 0, 3 };
    for (r = 0; r < 4; r++)
        SET(&x, r, 0, { r, r });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
}

static void test_enum_multi_value_rows(void **state)
{
    tt x;
    tab_findings f;

    /* {0,2} and {1,3}: disjoint though each is split. */
    tt_new(&x, *state, 1, 2);
    x.domain[0] = (tab_interval){ 0, 3 };
    SET(&x, 0, 0, { 0, 0 }, { 2, 2 });
    SET(&x, 1, 0, { 1, 1 }, { 3, 3 });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
}

static void test_overlap_witness(void **state)
{
    tt x;
    tab_findings f;
    const tab_finding *o;

    tt_new(&x, *state, 1, 2);
    x.domain[0] = (tab_interval){ 0, 20 };
    SET(&x, 0, 0, { 0, 10 });
    SET(&x, 1, 0, { 5, 20 });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 1);
    o = &f.items[0];
    assert_int_equal(o->kind, TAB_OVERLAP);
    assert_int_equal(o->row1, 0);
    assert_int_equal(o->row2, 1);
    assert_int_equal(o->witness[0], 5);
}

static void test_gap_witness(void **state)
{
    tt x;
    tab_findings f;

    tt_new(&x, *state, 1, 2);
    x.domain[0] = (tab_interval){ 0, 150 };
    SET(&x, 0, 0, { 0, 17 });
    SET(&x, 1, 0, { 19, 150 });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].kind, TAB_GAP);
    assert_int_equal(f.items[0].row1, NONE);
    assert_int_equal(f.items[0].row2, NONE);
    assert_int_equal(f.items[0].witness[0], 18);
}

static void test_gaps_at_domain_ends(void **state)
{
    tt x;
    tab_findings f;

    tt_new(&x, *state, 1, 1);
    x.domain[0] = (tab_interval){ -5, 5 };
    SET(&x, 0, 0, { -2, 2 });
    assert_int_equal(tab_analyze(&x.t, TAB_FIND_GAPS, 100, *state, &f), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.items[0].witness[0], -5);
    assert_int_equal(f.items[1].witness[0], 3);
}

static void test_multi_column_no_false_overlap(void **state)
{
    tt x;
    tab_findings f;

    /* Column 0 overlaps on [5,10], column 1 on [4,5], but never both. */
    tt_new(&x, *state, 2, 3);
    x.domain[0] = (tab_interval){ 0, 15 };
    x.domain[1] = (tab_interval){ 0, 10 };
    SET(&x, 0, 0, { 0, 10 });
    SET(&x, 0, 1, { 0, 5 });
    SET(&x, 1, 0, { 5, 15 });
    SET(&x, 1, 1, { 6, 10 });
    SET(&x, 2, 0, { 11, 15 });
    SET(&x, 2, 1, { 4, 5 });
    assert_int_equal(tab_analyze(&x.t, TAB_FIND_OVERLAPS | TAB_FIND_SHADOWED,
                                 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
}

static void test_multi_column_overlap_witness(void **state)
{
    tt x;
    tab_findings f;

    tt_new(&x, *state, 2, 2);
    x.domain[0] = (tab_interval){ 0, 15 };
    x.domain[1] = (tab_interval){ 0, 10 };
    SET(&x, 0, 0, { 0, 10 });
    SET(&x, 0, 1, { 0, 5 });
    SET(&x, 1, 0, { 5, 15 });
    SET(&x, 1, 1, { 3, 10 });
    assert_int_equal(tab_analyze(&x.t, TAB_FIND_OVERLAPS, 100, *state, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].row1, 0);
    assert_int_equal(f.items[0].row2, 1);
    assert_int_equal(f.items[0].witness[0], 5);
    assert_int_equal(f.items[0].witness[1], 3);
}

static void test_inner_gap_witness(void **state)
{
    tt x;
    tab_findings f;

    /* Nothing covers column 0 from 6 up: the gap's later columns start at
     * their domains' low ends. */
    tt_new(&x, *state, 3, 1);
    x.domain[0] = (tab_interval){ 0, 9 };
    x.domain[1] = (tab_interval){ -3, 3 };
    x.domain[2] = (tab_interval){ 100, 200 };
    SET(&x, 0, 0, { 0, 5 });
    SET(&x, 0, 1, { -3, 3 });
    SET(&x, 0, 2, { 100, 200 });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].kind, TAB_GAP);
    assert_int_equal(f.items[0].witness[0], 6);
    assert_int_equal(f.items[0].witness[1], -3);
    assert_int_equal(f.items[0].witness[2], 100);
}

static void fill_grade_table(tt *x, arena *pool)
{
    uint32_t e, v;

    tt_new(x, pool, 2, 54);
    x->domain[0] = (tab_interval){ 0, 2 };
    x->domain[1] = (tab_interval){ 1, 18 };
    for (e = 0; e < 3; e++)
        for (v = 1; v <= 18; v++) {
            SET(x, e * 18 + v - 1, 0, { e, e });
            SET(x, e * 18 + v - 1, 1, { v, v });
        }
}

static void test_grade_table_covered(void **state)
{
    tt x;
    tab_findings f;

    fill_grade_table(&x, *state);
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
}

static void test_grade_table_holes(void **state)
{
    tt x;
    tab_findings f;

    /* Drop (1, 7) and let (2, 18) also claim (2, 17). */
    fill_grade_table(&x, *state);
    x.cond[(18 + 6) * 2 + 1].n = 0;
    SET(&x, 2 * 18 + 17, 1, { 17, 18 });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(count_kind(&f, TAB_GAP), 1);
    assert_int_equal(nth_kind(&f, TAB_GAP, 0)->witness[0], 1);
    assert_int_equal(nth_kind(&f, TAB_GAP, 0)->witness[1], 7);
    assert_int_equal(count_kind(&f, TAB_OVERLAP), 1);
    assert_int_equal(nth_kind(&f, TAB_OVERLAP, 0)->row1, 2 * 18 + 16);
    assert_int_equal(nth_kind(&f, TAB_OVERLAP, 0)->row2, 2 * 18 + 17);
    assert_int_equal(nth_kind(&f, TAB_OVERLAP, 0)->witness[0], 2);
    assert_int_equal(nth_kind(&f, TAB_OVERLAP, 0)->witness[1], 17);
    /* The emptied row can never fire. */
    assert_int_equal(count_kind(&f, TAB_SHADOWED), 1);
    assert_int_equal(nth_kind(&f, TAB_SHADOWED, 0)->row1, 18 + 6);
    assert_int_equal(nth_kind(&f, TAB_SHADOWED, 0)->row2, NONE);
}

static void test_shadowed_under_first(void **state)
{
    tt x;
    tab_findings f;
    const tab_finding *s;

    tt_new(&x, *state, 1, 3);
    x.domain[0] = (tab_interval){ 0, 100 };
    SET(&x, 0, 0, { 0, 100 });
    SET(&x, 1, 0, { 10, 20 });
    SET(&x, 2, 0, { 30, 40 });
    assert_int_equal(tab_analyze(&x.t, TAB_FIND_SHADOWED, 100, *state, &f), 0);
    assert_int_equal(f.n, 2);
    s = &f.items[0];
    assert_int_equal(s->kind, TAB_SHADOWED);
    assert_int_equal(s->row1, 1);
    assert_int_equal(s->row2, 0);
    assert_non_null(s->witness);
    assert_int_equal(s->witness[0], 10);
    assert_int_equal(f.items[1].row1, 2);
    assert_int_equal(f.items[1].row2, 0);
    assert_int_equal(f.items[1].witness[0], 30);
}

static void test_shadowed_by_union(void **state)
{
    tt x;
    tab_findings f;

    /* Row 2 is covered by rows 0 and 1 together, by neither alone. */
    tt_new(&x, *state, 2, 4);
    x.domain[0] = (tab_interval){ 0, 10 };
    x.domain[1] = (tab_interval){ 0, 10 };
    SET(&x, 0, 0, { 0, 5 });
    SET(&x, 0, 1, { 0, 10 });
    SET(&x, 1, 0, { 6, 10 });
    SET(&x, 1, 1, { 0, 10 });
    SET(&x, 2, 0, { 3, 8 });
    SET(&x, 2, 1, { 2, 2 });
    /* Row 3 sticks out by one value, so it is not shadowed. */
    SET(&x, 3, 0, { 0, 10 });
    SET(&x, 3, 1, { 0, 10 });
    x.domain[1].hi = 11;
    SET(&x, 3, 1, { 0, 11 });
    assert_int_equal(tab_analyze(&x.t, TAB_FIND_SHADOWED, 100, *state, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].row1, 2);
    assert_int_equal(f.items[0].row2, 0);
    assert_int_equal(f.items[0].witness[0], 3);
    assert_int_equal(f.items[0].witness[1], 2);
}

static void test_later_row_not_shadowed(void **state)
{
    tt x;
    tab_findings f;

    /* Row 1 starts under row 0 but outlives it. */
    tt_new(&x, *state, 1, 2);
    x.domain[0] = (tab_interval){ 0, 10 };
    SET(&x, 0, 0, { 0, 5 });
    SET(&x, 1, 0, { 3, 10 });
    assert_int_equal(tab_analyze(&x.t, TAB_FIND_SHADOWED, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
}

static void test_empty_condition(void **state)
{
    tt x;
    tab_findings f;
    const tab_finding *s;

    /* Row 1 has no values in column 1; row 2 only values outside the
     * domain.  Neither overlaps anything, both are shadowed. */
    tt_new(&x, *state, 2, 3);
    x.domain[0] = (tab_interval){ 0, 1 };
    x.domain[1] = (tab_interval){ 0, 1 };
    SET(&x, 0, 0, { 0, 1 });
    SET(&x, 0, 1, { 0, 1 });
    SET(&x, 1, 0, { 0, 1 });
    SET(&x, 2, 0, { 0, 1 });
    SET(&x, 2, 1, { 5, 9 });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 2);
    s = nth_kind(&f, TAB_SHADOWED, 0);
    assert_int_equal(s->row1, 1);
    assert_int_equal(s->row2, NONE);
    assert_null(s->witness);
    s = nth_kind(&f, TAB_SHADOWED, 1);
    assert_int_equal(s->row1, 2);
    assert_int_equal(s->row2, NONE);
}

static void test_condition_clipped_to_domain(void **state)
{
    tt x;
    tab_findings f;

    tt_new(&x, *state, 1, 2);
    x.domain[0] = (tab_interval){ 0, 9 };
    SET(&x, 0, 0, { INT64_MIN, 4 });
    SET(&x, 1, 0, { 5, INT64_MAX });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
}

static void test_int64_extremes(void **state)
{
    tt x;
    tab_findings f;

    tt_new(&x, *state, 1, 3);
    x.domain[0] = (tab_interval){ INT64_MIN, INT64_MAX };
    SET(&x, 0, 0, { INT64_MIN, 0 });
    SET(&x, 1, 0, { 1, INT64_MAX });
    SET(&x, 2, 0, { INT64_MAX, INT64_MAX });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.items[0].kind, TAB_OVERLAP);
    assert_int_equal(f.items[0].row1, 1);
    assert_int_equal(f.items[0].row2, 2);
    assert_true(f.items[0].witness[0] == INT64_MAX);
    assert_int_equal(f.items[1].kind, TAB_SHADOWED);
    assert_int_equal(f.items[1].row1, 2);

    /* One value short at each end. */
    SET(&x, 0, 0, { INT64_MIN + 1, 0 });
    SET(&x, 1, 0, { 1, INT64_MAX - 1 });
    x.cond[2].n = 0;
    assert_int_equal(tab_analyze(&x.t, TAB_FIND_GAPS, 100, *state, &f), 0);
    assert_int_equal(f.n, 2);
    assert_true(f.items[0].witness[0] == INT64_MIN);
    assert_true(f.items[1].witness[0] == INT64_MAX);
}

static void test_max_each(void **state)
{
    tt x;
    tab_findings f;
    uint32_t r;

    /* Ten identical rows: 45 overlapping pairs, 9 shadowed rows. */
    tt_new(&x, *state, 1, 10);
    x.domain[0] = (tab_interval){ 0, 9 };
    for (r = 0; r < 10; r++)
        SET(&x, r, 0, { 0, 4 });
    assert_int_equal(tab_analyze(&x.t, ALL, 3, *state, &f), 0);
    assert_int_equal(count_kind(&f, TAB_OVERLAP), 3);
    assert_int_equal(count_kind(&f, TAB_GAP), 1);
    assert_int_equal(count_kind(&f, TAB_SHADOWED), 3);
    assert_int_equal(tab_analyze(&x.t, ALL, 1000, *state, &f), 0);
    assert_int_equal(count_kind(&f, TAB_OVERLAP), 45);
    assert_int_equal(count_kind(&f, TAB_SHADOWED), 9);
    assert_int_equal(tab_analyze(&x.t, ALL, 0, *state, &f), 0);
    assert_int_equal(f.n, 0);
    assert_int_equal(tab_analyze(&x.t, 0, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
}

static void test_pair_reported_once(void **state)
{
    tt x;
    tab_findings f;

    /* The rows meet in two separate places in each column. */
    tt_new(&x, *state, 2, 2);
    x.domain[0] = (tab_interval){ 0, 9 };
    x.domain[1] = (tab_interval){ 0, 9 };
    SET(&x, 0, 0, { 0, 1 }, { 5, 6 });
    SET(&x, 0, 1, { 0, 1 }, { 5, 6 });
    SET(&x, 1, 0, { 1, 2 }, { 6, 9 });
    SET(&x, 1, 1, { 1, 2 }, { 6, 9 });
    assert_int_equal(tab_analyze(&x.t, TAB_FIND_OVERLAPS, 100, *state, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].witness[0], 1);
    assert_int_equal(f.items[0].witness[1], 1);
}

static void test_adjacent_intervals_in_a_row(void **state)
{
    tt x;
    tab_findings f;
    tab_index ix;

    /* Not merged by the caller: [0,4] and [5,9] still cover 0..9 once. */
    tt_new(&x, *state, 1, 1);
    x.domain[0] = (tab_interval){ 0, 9 };
    SET(&x, 0, 0, { 0, 4 }, { 5, 9 });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
    assert_int_equal(tab_index_build(&x.t, *state, &ix), 0);
    assert_int_equal(ix.ncells, 1);
}

static void test_no_columns(void **state)
{
    tt x;
    tab_findings f;

    tt_new(&x, *state, 0, 3);
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(count_kind(&f, TAB_OVERLAP), 3);
    assert_int_equal(count_kind(&f, TAB_SHADOWED), 2);
    assert_int_equal(count_kind(&f, TAB_GAP), 0);
    tt_new(&x, *state, 0, 0);
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(count_kind(&f, TAB_GAP), 1);
}

static void test_no_rows(void **state)
{
    tt x;
    tab_findings f;
    tab_index ix;

    tt_new(&x, *state, 2, 0);
    x.domain[0] = (tab_interval){ 3, 9 };
    x.domain[1] = (tab_interval){ -1, 9 };
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].witness[0], 3);
    assert_int_equal(f.items[0].witness[1], -1);
    assert_int_equal(tab_index_build(&x.t, *state, &ix), 0);
    assert_int_equal(ix.ncells, 1);
    assert_int_equal(ix.row_start[1], 0);
}

static void test_large_one_column(void **state)
{
    enum { N = 10000 };
    tt x;
    tab_findings f;
    tab_index ix;
    uint32_t r;

    tt_new(&x, *state, 1, N);
    x.domain[0] = (tab_interval){ 0, 10 * N - 1 };
    for (r = 0; r < N; r++)
        SET(&x, r, 0, { 10 * (int64_t)r, 10 * (int64_t)r + 9 });
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
    assert_int_equal(tab_index_build(&x.t, *state, &ix), 0);
    assert_int_equal(ix.ncells, N);
    assert_int_equal(ix.rows[ix.row_start[tab_index_cell(&ix, 12345)]], 1234);
}

static void test_large_two_columns(void **state)
{
    enum { N = 10000 };
    tt x;
    tab_findings f;
    uint32_t r;

    /* 100 bands in column 0, each split into 100 ranges in column 1. */
    tt_new(&x, *state, 2, N);
    x.domain[0] = (tab_interval){ 0, 99 };
    x.domain[1] = (tab_interval){ 0, 999 };
    for (r = 0; r < N; r++) {
        SET(&x, r, 0, { r / 100, r / 100 });
        SET(&x, r, 1, { (r % 100) * 10, (r % 100) * 10 + 9 });
    }
    assert_int_equal(tab_analyze(&x.t, ALL, 100, *state, &f), 0);
    assert_int_equal(f.n, 0);
}

static void test_out_of_memory(void **state)
{
    enum { N = 1000 };
    arena small;
    tt x;
    tab_findings f;
    tab_index ix;
    uint32_t r;

    tt_new(&x, *state, 1, N);
    x.domain[0] = (tab_interval){ 0, N };
    for (r = 0; r < N; r++)
        SET(&x, r, 0, { r, N });
    arena_init(&small, 256);
    small.limit = 1024;
    assert_int_equal(tab_analyze(&x.t, ALL, 100, &small, &f), -1);
    assert_int_equal(tab_index_build(&x.t, &small, &ix), -1);
    arena_free(&small);
}

/* ------------------------------------------------------------------ */
/* Randomized: analysis and index against brute force                  */
/* ------------------------------------------------------------------ */

static uint64_t rng_state;

static uint32_t rng(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

/* A random condition over [lo - 2, hi + 2]: sometimes reaching outside the
 * domain, sometimes empty, usually one or two intervals. */
static void random_cond(tt *x, uint32_t r, uint32_t c)
{
    tab_interval iv[3];
    int64_t lo = x->domain[c].lo - 2, span = x->domain[c].hi - lo + 3;
    uint32_t n = rng(10) == 0 ? 0 : 1 + rng(3), i;

    for (i = 0; i < n; i++) {
        int64_t a = lo + rng((uint32_t)span), b = lo + rng((uint32_t)span);
        iv[i] = (tab_interval){ a < b ? a : b, a < b ? b : a };
    }
    n = tab_normalize(iv, n);
    tt_set(x, r, c, iv, n);
}

static void random_table(tt *x, arena *pool, uint32_t ncols, uint32_t nrows,
                         uint32_t width)
{
    uint32_t c, r;

    tt_new(x, pool, ncols, nrows);
    for (c = 0; c < ncols; c++) {
        int64_t lo = (int64_t)rng(7) - 3;
        x->domain[c] = (tab_interval){ lo, lo + 1 + rng(width) };
    }
    for (r = 0; r < nrows; r++)
        for (c = 0; c < ncols; c++)
            random_cond(x, r, c);
}

/* Steps p through the domains in lexicographic order; 0 when done. */
static int next_point(const tab_rows *t, int64_t *p)
{
    uint32_t c = t->ncols;

    while (c-- > 0) {
        if (p[c] < t->domain[c].hi) {
            p[c]++;
            return 1;
        }
        p[c] = t->domain[c].lo;
    }
    return 0;
}

static int lex_less(const int64_t *a, const int64_t *b, uint32_t n)
{
    uint32_t c;

    for (c = 0; c < n; c++)
        if (a[c] != b[c])
            return a[c] < b[c];
    return 0;
}

typedef struct brute {
    uint8_t pair[8][8];         /* rows r1 < r2 meet somewhere */
    int64_t pair_at[8][8][3];   /* the lexicographically first such point */
    uint8_t first[8];           /* the row is the first match somewhere */
    int gap;
    int64_t gap_at[3];
} brute;

static void brute_point(const tab_rows *t, const int64_t *p, brute *b)
{
    uint32_t r1, r2, hit = NONE;

    for (r1 = 0; r1 < t->nrows; r1++) {
        if (!row_matches(t, r1, p))
            continue;
        if (hit == NONE)
            b->first[hit = r1] = 1;
        for (r2 = r1 + 1; r2 < t->nrows; r2++)
            if (row_matches(t, r2, p) && !b->pair[r1][r2]) {
                b->pair[r1][r2] = 1;
                memcpy(b->pair_at[r1][r2], p, t->ncols * sizeof *p);
            }
    }
    if (hit == NONE && !b->gap) {
        b->gap = 1;
        memcpy(b->gap_at, p, t->ncols * sizeof *p);
    }
}

static void brute_force(const tab_rows *t, brute *b)
{
    int64_t p[3];
    uint32_t c;

    memset(b, 0, sizeof *b);
    for (c = 0; c < t->ncols; c++)
        p[c] = t->domain[c].lo;
    do
        brute_point(t, p, b);
    while (next_point(t, p));
}

static void check_findings(const tab_rows *t, const brute *b,
                           const tab_findings *f)
{
    size_t i, j, npairs = 0, ngaps = 0, nshadowed = 0;
    uint32_t r1, r2;

    for (r1 = 0; r1 < t->nrows; r1++)
        for (r2 = r1 + 1; r2 < t->nrows; r2++)
            npairs += b->pair[r1][r2];
    for (i = 0; i < f->n; i++) {
        const tab_finding *x = &f->items[i];
        if (x->kind == TAB_OVERLAP) {
            assert_true(x->row1 < x->row2 && b->pair[x->row1][x->row2]);
            assert_memory_equal(x->witness, b->pair_at[x->row1][x->row2],
                                t->ncols * sizeof(int64_t));
        } else if (x->kind == TAB_GAP) {
            for (r1 = 0; r1 < t->nrows; r1++)
                assert_false(row_matches(t, r1, x->witness));
            /* Distinct regions, found in order, the first one lowest. */
            if (ngaps == 0)
                assert_memory_equal(x->witness, b->gap_at,
                                    t->ncols * sizeof(int64_t));
            else
                assert_true(lex_less(f->items[i - 1].witness, x->witness,
                                     t->ncols));
            ngaps++;
        } else {
            r1 = x->row1;
            assert_false(b->first[r1]);
            if (x->row2 != NONE) {
                assert_true(x->row2 < r1);
                assert_true(row_matches(t, r1, x->witness));
                assert_true(row_matches(t, x->row2, x->witness));
            }
            nshadowed++;
        }
        for (j = 0; j < i; j++)
            assert_false(x->kind == TAB_OVERLAP &&
                         f->items[j].kind == TAB_OVERLAP &&
                         f->items[j].row1 == x->row1 &&
                         f->items[j].row2 == x->row2);
    }
    assert_int_equal(count_kind(f, TAB_OVERLAP), npairs);
    assert_int_equal(ngaps > 0, b->gap);
    for (r1 = 0, i = 0; r1 < t->nrows; r1++)
        i += !b->first[r1];
    assert_int_equal(nshadowed, i);
}

static void test_random_analysis(void **state)
{
    int round;

    rng_state = 20240611;
    for (round = 0; round < 400; round++) {
        tt x;
        brute b;
        tab_findings f;
        uint32_t ncols = 1 + rng(3), nrows = rng(9);

        random_table(&x, *state, ncols, nrows, ncols == 1 ? 20 : 6);
        brute_force(&x.t, &b);
        assert_int_equal(tab_analyze(&x.t, ALL, 1000, *state, &f), 0);
        check_findings(&x.t, &b, &f);
    }
}

static void check_index(const tab_rows *t, const tab_index *ix)
{
    uint32_t k, i, j;

    assert_int_equal(ix->row_start[0], 0);
    assert_true(ix->ncells >= 1);
    assert_true(ix->cell_lo[0] == t->domain[0].lo);
    for (k = 0; k < ix->ncells; k++) {
        uint32_t a = ix->row_start[k], n = ix->row_start[k + 1] - a;
        for (i = 1; i < n; i++)
            assert_true(ix->rows[a + i - 1] < ix->rows[a + i]);
        if (k == 0)
            continue;
        assert_true(ix->cell_lo[k - 1] < ix->cell_lo[k]);
        /* Neighbouring cells never hold the same rows. */
        j = ix->row_start[k - 1];
        assert_false(n == a - j &&
                     memcmp(ix->rows + j, ix->rows + a, n * sizeof *ix->rows) == 0);
    }
}

/* Every candidate list is exactly the rows whose column 0 holds v, and the
 * first candidate matching everywhere is the first row that matches. */
static void probe_index(const tab_rows *t, const tab_index *ix, const int64_t *p)
{
    uint32_t r, want = NONE, got = NONE, i, a, n, seen = 0;
    int32_t k = tab_index_cell(ix, p[0]);

    assert_true(k >= 0);
    a = ix->row_start[k];
    n = ix->row_start[k + 1] - a;
    for (r = 0; r < t->nrows && want == NONE; r++)
        if (row_matches(t, r, p))
            want = r;
    for (i = 0; i < n; i++) {
        assert_true(tab_cond_match(&t->cond[(size_t)ix->rows[a + i] * t->ncols], p[0]));
        if (got == NONE && row_matches(t, ix->rows[a + i], p))
            got = ix->rows[a + i];
    }
    for (r = 0; r < t->nrows; r++)
        seen += tab_cond_match(&t->cond[(size_t)r * t->ncols], p[0]);
    assert_int_equal(seen, n);
    assert_int_equal(got, want);
}

static void test_random_index(void **state)
{
    int round, i;

    rng_state = 7;
    for (round = 0; round < 200; round++) {
        tt x;
        tab_index ix;
        uint32_t c, ncols = 1 + rng(3), nrows = rng(20);
        int64_t p[3];

        random_table(&x, *state, ncols, nrows, 40);
        assert_int_equal(tab_index_build(&x.t, *state, &ix), 0);
        check_index(&x.t, &ix);
        for (i = 0; i < 200; i++) {
            for (c = 0; c < ncols; c++)
                p[c] = x.domain[c].lo +
                       rng((uint32_t)(x.domain[c].hi - x.domain[c].lo + 1));
            probe_index(&x.t, &ix, p);
        }
        p[0] = x.domain[0].lo - 1;
        assert_int_equal(tab_index_cell(&ix, p[0]), -1);
    }
}

static void test_index_cells(void **state)
{
    tt x;
    tab_index ix;

    tt_new(&x, *state, 1, 3);
    x.domain[0] = (tab_interval){ 0, 150 };
    SET(&x, 0, 0, { 0, 17 });
    SET(&x, 1, 0, { 19, 150 });
    SET(&x, 2, 0, { 10, 30 });
    assert_int_equal(tab_index_build(&x.t, *state, &ix), 0);
    /* [0,9] {0}, [10,17] {0,2}, [18,18] {2}, [19,30] {1,2}, [31,150] {1} */
    assert_int_equal(ix.ncells, 5);
    assert_true(ix.cell_lo[0] == 0 && ix.cell_lo[1] == 10 &&
                ix.cell_lo[2] == 18 && ix.cell_lo[3] == 19 &&
                ix.cell_lo[4] == 31);
    assert_int_equal(ix.row_start[5], 7);
    assert_int_equal(ix.rows[ix.row_start[3]], 1);
    assert_int_equal(ix.rows[ix.row_start[3] + 1], 2);
    assert_int_equal(tab_index_cell(&ix, 18), 2);
    assert_int_equal(tab_index_cell(&ix, 150), 4);
    assert_int_equal(tab_index_cell(&ix, -1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_basic),
        cmocka_unit_test(test_normalize_not_adjacent),
        cmocka_unit_test(test_normalize_extremes),
        cmocka_unit_test(test_normalize_drops_inverted),
        cmocka_unit_test(test_cond_match),
        cmocka_unit_test_setup_teardown(test_enum_full_cover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enum_multi_value_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_witness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_witness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gaps_at_domain_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_column_no_false_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_column_overlap_witness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inner_gap_witness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grade_table_covered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grade_table_holes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shadowed_under_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shadowed_by_union, setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_row_not_shadowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_condition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_condition_clipped_to_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int64_extremes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_each, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pair_reported_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adjacent_intervals_in_a_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_one_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_two_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_analysis, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_cells, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
