/*
 * test_diff.c - the semantic diff (src/analysis/) against brute force.
 *
 * A base policy over the test model (a standard times the household size,
 * a banded table on the income, two exceptions) is changed the ways
 * officers change policies: a threshold moved, a table boundary moved, a
 * row added, an exception dropped.  For each generated pair the regions
 * diff_policies reports must be exactly the points of a fine grid of
 * households (sizes 1 to 5, incomes in steps of 0.25 up to 2000.00 and
 * of 5.00 to 4000.00, and a fen either side of every boundary the text
 * states) where evaluating both versions gives different outputs; every
 * region must be exact and its witness must show the difference.
 * Equivalent pairs (the same text reformatted, labels changed) must be
 * reported equivalent.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"
#include "analysis/diff.h"

/* The base policy, with holes for what the pairs change. */
static void base_text(char *out, size_t cap, const char *standard, const char *cut, const char *extra_row,
                      int exception, const char *label)
{
    snprintf(out, cap,
             "policy t.d \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"
             "parameter standard: money per month \"%s\"\n  from 2017-01-01: %s\n"
             "let size: int \"人口\" = count(household.members)\n"
             "let income: money per month \"收入\" = sum(m.income for m in household.members)\n"
             "table band(x: money per month) -> money per month hit first \"档\"\n"
             "  | < %s | 200.00 | \"低档\"\n"
             "%s"
             "  | < 700.00 | 100.00 | \"中档\"\n"
             "  | else | 0.00 | \"无\"\n"
             "output eligible: bool \"符合\" else \"不符合\" = income < standard * size\n"
             "output benefit: money per month \"补助\" = band(income) + standard * size - income\n"
             "  unless not eligible then 0.00 \"不符合\"\n"
             "%s",
             label, standard, cut, extra_row,
             exception ? "  unless size >= 4 and income < 100.00 then 50.00 \"大户\"\n" : "");
}

/* The texts of a pair: the old one the base policy (standard 500.00,
 * cut 300.00), the new one as the test builds it. */
static char old_text[4096], new_text[4096];

static void base_pair(int exception, const char *standard, const char *label)
{
    base_text(old_text, sizeof old_text, "500.00", "300.00", "", exception, "标准");
    base_text(new_text, sizeof new_text, standard, "300.00", "", exception, label);
}

typedef struct pair {
    compiled a, b;
    diff_report rep;
    arena pool;
} pair;

static void pair_diff(pair *p, const char *a_text, const char *b_text)
{
    compile_text(&p->a, a_text);
    compile_text(&p->b, b_text);
    assert_non_null(p->a.policy);
    if (!p->b.policy) fail_msg("%s", p->b.diags);
    arena_init(&p->pool, 65536);
    diff_options o = {.from = date_from_ymd(2019, 1, 1), .until = date_from_ymd(2019, 1, 1), .max_regions = 100000};
    const char *why;
    assert_int_equal(diff_policies(p->a.policy, p->b.policy, &o, &p->pool, &p->rep, &why), 0);
}

static void pair_free(pair *p)
{
    arena_free(&p->pool);
    compiled_free(&p->a);
    compiled_free(&p->b);
}

static int var_index(const diff_report *r, diff_var_kind k)
{
    for (uint32_t i = 0; i < r->nvars; i++)
        if (r->vars[i].kind == k) return (int)i;
    return -1;
}

/* Whether some region holds the household of n members and this income. */
static int in_region(const diff_report *r, int64_t n, int64_t income)
{
    int vl = var_index(r, DV_LEN), vs = var_index(r, DV_SUM);
    for (uint32_t i = 0; i < r->nregions; i++) {
        const diff_region *g = &r->regions[i];
        if (vl >= 0 && (n < g->lo[vl] || n > g->hi[vl])) continue;
        if (vs >= 0 && (income < g->lo[vs] || income > g->hi[vs])) continue;
        return 1;
    }
    return 0;
}

static int differs(const policy *a, const policy *b, int64_t n, int64_t income)
{
    buf in;
    buf_init(&in);
    char money[40];
    dec_format(income, 2, money);
    buf_printf(&in, "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"%s\"}", money);
    for (int64_t i = 1; i < n; i++) buf_printf(&in, ",{\"id\":\"m%lld\",\"age\":9}", (long long)i);
    buf_adds(&in, "]}}");
    char *x = decide(a, "2019-01-01", buf_cstr(&in)), *y = decide(b, "2019-01-01", buf_cstr(&in));
    int d = strcmp(x, y) != 0;
    free(x);
    free(y);
    buf_free(&in);
    return d;
}

/* Compares the report with both versions over the grid; returns the
 * number of grid points that differ. */
static int check_grid(const pair *p, const int64_t *bounds, int nbounds)
{
    int ndiff = 0;
    for (uint32_t i = 0; i < p->rep.nregions; i++) {
        assert_true(p->rep.regions[i].exact);
        if (!p->rep.regions[i].confirmed) fail_msg("witness of region %u does not differ: %s", i, p->rep.regions[i].witness);
    }
    assert_true(p->rep.exact);
    for (int64_t n = 1; n <= 5; n++) {
        for (int64_t fen = 0; fen <= 400000; fen += fen < 200000 ? 25 : 500) {
            int64_t x = fen * 10000;
            int d = differs(p->a.policy, p->b.policy, n, x);
            if (d != in_region(&p->rep, n, x))
                fail_msg("size %lld income %lld.%02lld: outputs %s but the diff says %s", (long long)n,
                         (long long)(fen / 100), (long long)(fen % 100), d ? "differ" : "agree",
                         d ? "no region" : "a region");
            ndiff += d;
        }
        for (int k = 0; k < nbounds; k++)
            for (int64_t m = 1; m <= n; m += n > 1 ? n - 1 : 1)
                for (int64_t e = -1; e <= 1; e++) {
                    int64_t x = bounds[k] * m + e * 10000;
                    if (x < 0) continue;
                    assert_int_equal(differs(p->a.policy, p->b.policy, n, x), in_region(&p->rep, n, x));
                }
    }
    return ndiff;
}

static uint64_t seed = 0x5eed18;

static int64_t draw_yuan(int lo, int hi)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (int64_t)((seed >> 33) % (uint64_t)(hi - lo + 1));
}

static void generated_pairs(void **state)
{
    (void)state;
    base_text(old_text, sizeof old_text, "500.00", "300.00", "", 1, "标准");
    for (int round = 0; round < 8; round++) {
        int kind = round % 4;
        char standard[32] = "500.00", cut[32] = "300.00", row[128] = "";
        int64_t s = draw_yuan(400, 700), c = draw_yuan(100, 650), r0 = draw_yuan(300, 600);
        if (kind == 0) snprintf(standard, sizeof standard, "%lld.00", (long long)s);
        if (kind == 1) snprintf(cut, sizeof cut, "%lld.50", (long long)c);
        if (kind == 2) snprintf(row, sizeof row, "  | < %lld.00 | 150.00 | \"加档\"\n", (long long)r0);
        base_text(new_text, sizeof new_text, standard, cut, row, kind != 3, "标准");
        pair p;
        pair_diff(&p, old_text, new_text);
        /* the boundaries the texts state, per member (size * bound) and absolute */
        int64_t b[] = {500 * DEC_SCALE, s * DEC_SCALE, 100 * DEC_SCALE / 1, 300 * DEC_SCALE,
                       c * DEC_SCALE + DEC_SCALE / 2, r0 * DEC_SCALE, 700 * DEC_SCALE};
        int nd = check_grid(&p, b, 7);
        /* a changed policy changes something on the grid, except a standard
         * drawn equal to the old one */
        if (!(kind == 0 && s == 500)) assert_true(nd > 0);
        assert_int_equal(p.rep.equivalent, p.rep.nregions == 0);
        pair_free(&p);
    }
}

static void equivalent_pairs(void **state)
{
    (void)state;
    /* the same rules with another label and another layout */
    base_pair(1, "500.00", "低保标准(每人每月)");
    char *q = strstr(new_text, " = count");
    assert_non_null(q);
    memmove(q + 3, q + 1, strlen(q + 1) + 1);   /* " = count" -> "\n  = count" */
    memcpy(q, "\n  ", 3);
    pair p;
    pair_diff(&p, old_text, new_text);
    assert_true(p.rep.equivalent);
    assert_true(p.rep.exact);
    assert_int_equal(p.rep.nregions, 0);
    assert_int_equal(check_grid(&p, NULL, 0), 0);
    pair_free(&p);
}

/* The shape of one region by hand: the standard 500 -> 600 for a
 * household of 2 makes incomes in [1000.00, 1200.00) newly eligible. */
static void one_region_by_hand(void **state)
{
    (void)state;
    base_pair(0, "600.00", "标准");
    pair p;
    pair_diff(&p, old_text, new_text);
    int found = 0;
    for (uint32_t i = 0; i < p.rep.nregions; i++) {
        const diff_region *g = &p.rep.regions[i];
        if (strcmp(g->description, "人口 = 2 and 收入 in [1000.00, 1200.00)") != 0) continue;
        found = 1;
        assert_int_equal(g->nchanges, 2);
        assert_string_equal(g->changes[0].output, "eligible");
        assert_string_equal(g->changes[0].old_json, "false");
        assert_string_equal(g->changes[0].new_json, "true");
        assert_string_equal(g->changes[1].output, "benefit");
        assert_string_equal(g->changes[1].old_json, "\"0.00\"");
        /* band(1000.00 .. 1199.99) = 0.00: 1200.00 - income */
        assert_string_equal(g->changes[1].new_json, "\"1200.00 − 收入\"");
        assert_true(g->confirmed);
    }
    assert_true(found);
    pair_free(&p);
}

/* A date of the input and the decision date: the bonus for households
 * registered before a day that moves from 2010-01-01 to 2012-06-30, and
 * one that starts on 2021-01-01 instead of 2020-01-01. */
static void dates_by_hand(void **state)
{
    (void)state;
    static const char *fmt =
        "policy t.d \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"
        "output bonus: money per month \"奖励\" = 0.00\n"
        "  unless household.since < %s then 100.00 \"早\"\n"
        "output extra: money per month \"加发\" = 0.00\n"
        "  unless as_of >= %s then 10.00 \"新\"\n";
    char a[1024], b[1024];
    snprintf(a, sizeof a, fmt, "2010-01-01", "2020-01-01");
    snprintf(b, sizeof b, fmt, "2012-06-30", "2021-01-01");
    pair p;
    compile_text(&p.a, a);
    compile_text(&p.b, b);
    if (!p.a.policy || !p.b.policy) fail_msg("%s%s", p.a.diags, p.b.diags);
    arena_init(&p.pool, 65536);
    diff_options o = {.from = date_from_ymd(2019, 1, 1), .until = date_from_ymd(2022, 12, 31)};
    const char *why;
    assert_int_equal(diff_policies(p.a.policy, p.b.policy, &o, &p.pool, &p.rep, &why), 0);
    assert_true(p.rep.exact);
    /* bonus: registered in [2010-01-01, 2012-06-30), every day; extra:
     * every household, decided in 2020 */
    int bonus = 0, extra = 0;
    for (uint32_t i = 0; i < p.rep.nregions; i++) {
        const diff_region *g = &p.rep.regions[i];
        assert_true(g->confirmed);
        for (uint32_t k = 0; k < g->nchanges; k++) {
            if (strcmp(g->changes[k].output, "bonus") == 0) {
                bonus++;
                assert_string_equal(g->changes[k].old_json, "\"0.00\"");
                assert_string_equal(g->changes[k].new_json, "\"100.00\"");
                assert_non_null(strstr(g->description, "日期 in [2010-01-01, 2012-06-30)"));
            } else {
                extra++;
                assert_string_equal(g->changes[k].output, "extra");
                assert_string_equal(g->changes[k].old_json, "\"10.00\"");
                assert_string_equal(g->changes[k].new_json, "\"0.00\"");
                assert_true(g->from >= date_from_ymd(2020, 1, 1) && g->until <= date_from_ymd(2020, 12, 31));
            }
        }
    }
    assert_true(bonus > 0);
    assert_true(extra > 0);
    arena_free(&p.pool);
    compiled_free(&p.a);
    compiled_free(&p.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_region_by_hand),
        cmocka_unit_test(equivalent_pairs),
        cmocka_unit_test(generated_pairs),
        cmocka_unit_test(dates_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
