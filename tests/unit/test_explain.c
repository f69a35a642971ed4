/*
 * test_explain.c - what an explanation says: each test compiles a small
 * policy, makes an explained decision and compares parts of the
 * explanation JSON with the text and figures worked out by hand beside
 * it.  The first tests reproduce the mistakes issue 11 reported; the
 * last ones check explanations as proofs (audit/proof.h): every test of
 * every shipped and illustrative policy and generated households re-derive
 * step by step, and hand-altered explanations do not.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"
#include "policy_helper.h"
#include "audit/proof.h"
#include "io/decision.h"

#define HEAD "policy t.p \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"

/* The explained decision of json by p on day d into b; the decision's
 * return code. */
static decision_rc explain_into(const policy *p, int64_t d, const char *json, size_t len, buf *b,
                                decision_frame *frame, arena *pool)
{
    decision_result res;
    buf_reset(b);
    arena_reset(pool);
    decision_rc rc = decision_make(p, json, len, "", d, 1, frame, pool, b, NULL, &res);
    if (rc != DECISION_OK) {
        buf_reset(b);
        buf_adds(b, res.err.msg);
    }
    return rc;
}

/* The explained decision of `json` at `date` (malloc'ed), or the error. */
static char *explained(const char *policy_text, const char *date, const char *json)
{
    compiled c;
    compile_text(&c, policy_text);
    if (!c.policy) {
        print_error("%s", c.diags);
        compiled_free(&c);
        return strdup("COMPILE ERROR");
    }
    int64_t d;
    date_parse(date, strlen(date), &d);
    char *out = explain_text(c.policy, d, json, NULL);
    compiled_free(&c);
    return out;
}

static void assert_has(const char *doc, const char *want)
{
    if (!strstr(doc, want))
        fail_msg("explanation lacks\n  %s\nin\n  %s", want, doc);
}

static void assert_lacks(const char *doc, const char *unwanted)
{
    if (strstr(doc, unwanted))
        fail_msg("explanation has\n  %s\nin\n  %s", unwanted, doc);
}

/* The proof check of an explained decision; why receives the message. */
static int holds(const char *doc, char *why, size_t n);

/* Requires each string of has in the explained decision and none of
 * lacks (both NULL-terminated; NULL: none), and that the proof checker
 * re-derives it. */
static void expect_explained(const char *policy_text, const char *date, const char *json,
                             const char *const *has, const char *const *lacks)
{
    char *doc = explained(policy_text, date, json);
    for (; has && *has; has++) assert_has(doc, *has);
    for (; lacks && *lacks; lacks++) assert_lacks(doc, *lacks);
    char why[512];
    if (!holds(doc, why, sizeof why)) fail_msg("%s", why);
    free(doc);
}

#define ONE_MEMBER "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40}]}}"

/* `standard at (as_of - 1 years)` on 2019-06-30 reads 2018-06-30, when
 * 800.00 was in force (2018-01-01 to 2018-12-31): the parameter listed
 * is that value, not the 860.00 in force on the decision date. */
static void parameter_read_at_another_date(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"parameters\":[{\"name\":\"standard\",\"label\":\"标准\",\"value\":\"800.00\","
            "\"read_on\":\"2018-06-30\",\"in_force_from\":\"2018-01-01\","
            "\"in_force_until\":\"2018-12-31\",\"source\":\"s2018\",\"document\":\"s2018\"}]",
        "\"formula\":\"标准 于 决定日期（2019-06-30） - 1 年（2018-06-30） 在效的值（800.00）\"",
        NULL};
    static const char *const lacks[] = {
        "860.00",
        NULL};
    expect_explained("policy t.p \"测试\"\ncovers 2019-01-01 to 2030-12-31\nuse t.household\n"
        "parameter standard: money per month \"标准\"\n"
        "  from 2018-01-01 until 2018-12-31: 800.00 source \"s2018\"\n"
        "  from 2019-01-01: 860.00 source \"s2019\"\n"
        "output last: money per month \"一年前的标准\" = standard at (as_of - 1 years)\n",
        "2019-06-30", ONE_MEMBER, has, lacks);
}

/* A `decimal unit %` is shown as a percentage (80%, not 0.80), and a
 * whole count compared with a share of another (5 against 80% of 7 =
 * 5.6) is one whole unit from the threshold, not 0.000001. */
static void percentage_and_whole_margin(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"label\":\"未达到 80%\"",
        "\"formula\":\"户数（5） ≥ 占比目标 80% × 7\"",
        "\"margin\":{\"amount\":\"1\",\"text\":\"户数 增加 1 即满足此条件\"}",
        NULL};
    expect_explained("policy t.p \"测试\"\ncovers 2019-01-01 to 2030-12-31\nuse t.household\n"
        "parameter share: decimal unit % \"占比目标\"\n  from 2019-01-01: 80% source \"s\"\n"
        "output met: bool \"达到 {share}\" else \"未达到 {share}\" = household.size_hint >= share * 7\n",
        "2019-06-30", "{\"household\":{\"size_hint\":5,\"members\":[{\"id\":\"a\",\"age\":40}]}}", has, NULL);
}

/* A partial table where no row matches: the explanation gives the
 * default of value_or as the one row, which the proof checker accepts,
 * and the text says the default applied. */
static void partial_table_default(void **state)
{
    (void)state;
    const char *p = "policy t.p \"测试\"\ncovers 2019-01-01 to 2030-12-31\nuse t.household\n"
        "table extra(n: int) -> money per month hit unique partial \"补贴\"\n  | 1 | 100.00 |\n  | 2 | 150.00 |\n"
        "output x: money per month \"补贴\" = value_or(extra(count(household.members)), 0.00)\n";
    char *doc = explained(p, "2019-06-30", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40},"
                                           "{\"id\":\"b\",\"age\":4},{\"id\":\"c\",\"age\":9}]}}");
    assert_has(doc, "\"rows\":[{\"row\":\"default\",\"conditions\":[],\"result\":{\"op\":\"const\",\"value\":\"0.00\"}}]");
    assert_has(doc, "(表中无对应行,取默认值)");
    char why[512];
    if (!holds(doc, why, sizeof why)) fail_msg("%s", why);
    free(doc);
    doc = explained(p, "2019-06-30", ONE_MEMBER);
    assert_has(doc, "\"value\":\"100.00\"");
    assert_lacks(doc, "取默认值");
    free(doc);
}

/* jiaxing.dibao's shape: `unless not eligible` where eligible is false
 * with a negative `else` label.  What held is that label, stated once,
 * with no 非 and no bare true/false. */
static void unless_on_negative_label(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"rule\":\"收入不低于标准,不发放:收入 2000.00 元不低于 1000.00 元（成立）\"",
        NULL};
    static const char *const lacks[] = {
        "非 ",
        " false\"",
        " true\"",
        NULL};
    expect_explained(HEAD
        "let income: money per month \"收入\" = sum(m.income for m in household.members)\n"
        "output eligible: bool \"收入 {income} 元低于 1000.00 元\" else \"收入 {income} 元不低于 1000.00 元\"\n"
        "  = income < 1000.00\n"
        "output benefit: money per month \"补助\" = 1000.00 - income\n"
        "  unless not eligible then 0.00 \"收入不低于标准,不发放\"\n",
        "2019-09-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"2000.00\"}]}}", has, lacks);
}

/* A village of 300 m² matches the row `< 500`; the parameter of the row
 * `>= 500` (urban_area) did not decide anything and is not listed. */
static void only_matched_rows_parameters(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"name\":\"rural_area\"",
        NULL};
    static const char *const lacks[] = {
        "urban_area",
        "1200",
        NULL};
    expect_explained(HEAD
        "parameter rural_area: int \"农村标准面积\"\n  from 2017-01-01: 300 source \"r\"\n"
        "parameter urban_area: int \"城市标准面积\"\n  from 2017-01-01: 1200 source \"u\"\n"
        "table area_for(n: int) -> int hit unique \"面积标准\"\n"
        "  | < 3 | rural_area | \"小家庭\"\n  | >= 3 | urban_area | \"大家庭\"\n"
        "output area: int \"面积\" = area_for(count(household.members))\n",
        "2019-01-01", ONE_MEMBER, has, lacks);
}

/* `(a and b) or c` keeps its parentheses: 且 and 或 have no precedence a
 * reader knows. */
static void and_inside_or_keeps_parentheses(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"formula\":\"(甲（成立） 且 乙（不成立）) 或 丙（不成立）\"",
        NULL};
    expect_explained(HEAD
        "let a: bool \"甲\" = count(household.members) > 0\n"
        "let b: bool \"乙\" = count(household.members) > 1\n"
        "let c: bool \"丙\" = count(household.members) > 2\n"
        "output x: bool \"结果\" = (a and b) or c\n",
        "2019-01-01", ONE_MEMBER, has, NULL);
}

/* An enum constant is shown by its label, as the field's value is. */
static void enum_comparison_shows_labels(void **state)
{
    (void)state;
    static const char *const has[] = {
        "成员均满足“自理 = 完全自理”（成立）",
        "成员中有满足“自理 = 完全丧失”者（不成立）",
        NULL};
    static const char *const lacks[] = {
        "= full",
        "= none",
        NULL};
    expect_explained(HEAD
        "output all_full: bool \"都能自理\" = all(m.care == full for m in household.members)\n"
        "output first_none: bool \"完全丧失\" = any(m.care == none for m in household.members)\n",
        "2019-01-01", ONE_MEMBER, has, lacks);
}

/* A list let read by an aggregation is named by its label, not "?". */
static void list_let_by_its_label(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"formula\":\"数列中满足“x > 1”的数量（2）\"",
        "\"formula\":\"数列的数量（3）\"",
        NULL};
    static const char *const lacks[] = {
        "?",
        NULL};
    expect_explained(HEAD
        "let xs: list of int \"数列\" = [1, 2, 3]\n"
        "output n: int \"大于 1 的个数\" = count(x in xs where x > 1)\n"
        "output k: int \"个数\" = count(xs)\n",
        "2019-01-01", ONE_MEMBER, has, lacks);
}

/* A collect-count table whose else row gave the value (no row matched)
 * re-derives to that value, not to a count of one. */
static void count_table_else_row(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"outputs\":{\"x\":7}",
        NULL};
    expect_explained(HEAD
        "table n(age: int) -> int hit collect count\n  | > 100 | 1 |\n  | else | 7 |\n"
        "output x: int \"个数\" = n(count(household.members))\n",
        "2019-01-01", ONE_MEMBER, has, NULL);
}

/* min and max of two dates explain as the latest and the earliest, and
 * the proof checker re-derives them (it refuted "max: operand 2020-06-01
 * is not a number" although the decision was right).  As of 2020-06-01:
 * max(as_of, 2020-01-01) is 2020-06-01, min(as_of, 2020-01-01) 2020-01-01. */
static void min_max_of_dates(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"late\":\"2020-06-01\"",
        "\"early\":\"2020-01-01\"",
        NULL};
    expect_explained(HEAD
        "output late: date \"较晚\" = max(as_of, 2020-01-01)\n"
        "output early: date \"较早\" = min(as_of, 2020-01-01)\n",
        "2020-06-01", ONE_MEMBER, has, NULL);
}

static int holds(const char *doc, char *why, size_t n)
{
    unsigned steps = 0;
    return proof_check(doc, strlen(doc), why, n, &steps) == 0 && steps > 0;
}

/* The shipped and illustrative policies, and what explaining with them
 * needs. */
typedef struct bench {
    registry r;
    arena pool;
    decision_frame frame;
    buf in, out;
    char why[512];
} bench;

static void bench_open(bench *b)
{
    memset(b, 0, sizeof *b);
    assert_int_equal(load_policies(&b->r), 0);
    arena_init(&b->pool, 65536);
    buf_init(&b->in);
    buf_init(&b->out);
}

static void bench_close(bench *b)
{
    buf_free(&b->in);
    buf_free(&b->out);
    decision_frame_free(&b->frame);
    arena_free(&b->pool);
    registry_free(&b->r);
}

/* Explains b->in by p on day d and checks the explanation as a proof,
 * and that it names everything it shows (no "?"); 0 when the decision
 * is an error (nothing to explain), else 1. */
static int explain_and_check(bench *b, const policy *p, int64_t d)
{
    if (explain_into(p, d, b->in.data, b->in.len, &b->out, &b->frame, &b->pool) != DECISION_OK) return 0;
    if (!holds(buf_cstr(&b->out), b->why, sizeof b->why))
        fail_msg("%s on %s: %s\n%s", p->name, b->in.data, b->why, b->out.data);
    if (strchr(b->out.data, '?'))       /* what the explainer says of a node it cannot name */
        fail_msg("%s on %s: a ? in\n%s", p->name, b->in.data, b->out.data);
    return 1;
}

/* Every test of every shipped and illustrative policy, explained and
 * re-derived step by step. */
static void policy_tests_explain_as_proofs(void **state)
{
    (void)state;
    bench b;
    bench_open(&b);
    unsigned checked = 0;
    for (uint32_t i = 0; i < b.r.npolicies; i++) {
        const policy *p = b.r.policies[i];
        for (uint32_t t = 0; t < p->ntests; t++) {
            const ast_node *tn = p->tests[t].node;
            int64_t as_of;
            if (!tn->a || date_parse(tn->a->text, strlen(tn->a->text), &as_of)) continue;
            test_given_json(&b.in, tn);
            checked += (unsigned)explain_and_check(&b, p, as_of);
        }
    }
    print_message("%u explained policy tests re-derived\n", checked);
    assert_true(checked >= 150);
    bench_close(&b);
}

/* How many generated households each household programme explains: a
 * hundred thousand, a tenth of it in a sanitizer build, or
 * ELIGO_EXPLAIN_HOUSEHOLDS. */
static long explained_households(void)
{
    const char *e = getenv("ELIGO_EXPLAIN_HOUSEHOLDS");
    if (e && atol(e) > 0) return atol(e);
#if defined(__SANITIZE_ADDRESS__)
    return 10000;
#else
    return 100000;
#endif
}

/* Generated households through every household programme, each
 * explanation re-derived; the dates cycle through the first day, a day
 * in 2019 and the last day each programme covers. */
static void generated_households_explain_as_proofs(void **state)
{
    (void)state;
    bench b;
    bench_open(&b);
    long n = explained_households(), checked = 0;
    for (uint32_t i = 0; i < b.r.npolicies; i++) {
        const policy *p = b.r.policies[i];
        if (strcmp(p->root->name, "household") != 0 || strncmp(p->name, "demo.", 5) == 0) continue;
        int64_t days[] = {p->tree.covers_from, 17897 /* 2019-01-01 */, p->tree.covers_until};
        uint64_t seed = 11;
        for (long h = 0; h < n; h++) {
            buf_reset(&b.in);
            random_household(&b.in, &seed);
            checked += explain_and_check(&b, p, days[h % 3]);
        }
        print_message("%s: %ld generated households explained and re-derived\n", p->name, n);
    }
    assert_true(checked >= n);
    bench_close(&b);
}

/* doc with the first `from` after `after` replaced by `to` (malloc'ed). */
static char *altered(const char *doc, const char *after, const char *from, const char *to)
{
    const char *a = strstr(doc, after);
    assert_non_null(a);
    const char *f = strstr(a, from);
    assert_non_null(f);
    size_t n = strlen(doc) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(f - doc), doc, to, f + strlen(from));
    return out;
}

static void expect_refuted(const char *doc, const char *why_has)
{
    char why[512];
    assert_false(holds(doc, why, sizeof why));
    if (!strstr(why, why_has)) fail_msg("refuted, but with: %s", why);
}

/* A hand-altered explanation fails the check, naming the step and what
 * does not hold: a changed operand, a changed parameter value, a dropped
 * table row. */
static void altered_explanations_are_refuted(void **state)
{
    (void)state;
    char *doc = explained(HEAD
        "parameter standard: money per month \"标准\"\n  from 2017-01-01: 810.00 source \"s\"\n"
        "table extra(n: int) -> money per month hit unique \"补贴\"\n  | < 2 | 100.00 |\n  | >= 2 | 200.00 |\n"
        "let size: int \"人口\" = count(household.members)\n"
        "let income: money per month \"收入\" = sum(m.income for m in household.members)\n"
        "output benefit: money per month \"补助\" = standard * size - income + extra(size)\n",
        "2019-09-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"300.00\"},"
                      "{\"id\":\"b\",\"age\":40}]}}");
    char why[512];
    if (!holds(doc, why, sizeof why)) fail_msg("%s\n%s", why, doc);
    /* 810.00 × 2 − 300.00 + 200.00 = 1520.00; say the income was 200.00 */
    char *x = altered(doc, "\"calc\":{\"op\":\"add\"", "\"name\":\"income\",\"value\":\"300.00\"",
                      "\"name\":\"income\",\"value\":\"200.00\"");
    expect_refuted(x, "step benefit: operand income is 200.00, but that step's value is 300.00");
    free(x);
    /* the standard said to be 800.00 in the parameters list */
    x = altered(doc, "\"name\":\"benefit\"", "\"value\":\"810.00\",\"read_on\"", "\"value\":\"800.00\",\"read_on\"");
    expect_refuted(x, "step benefit: parameter standard read on 2019-09-01 is 800.00 in the parameters but 810.00");
    free(x);
    /* ... and in the calculation too: then the product does not hold */
    char *y = altered(doc, "\"name\":\"benefit\"", "\"value\":\"810.00\",\"read_on\"", "\"value\":\"800.00\",\"read_on\"");
    x = altered(y, "\"calc\":{", "\"read_on\":\"2019-09-01\",\"value\":\"810.00\"", "\"read_on\":\"2019-09-01\",\"value\":\"800.00\"");
    expect_refuted(x, "step benefit: mul gives 1600, not the stated 1620.00");
    free(x);
    free(y);
    /* the matched row dropped from the table lookup (2 persons: row 2, >= 2) */
    const char *row = strstr(doc, "{\"row\":2,");
    assert_non_null(row);
    const char *end = strstr(row, "}}]");
    assert_non_null(end);
    size_t n = strlen(doc);
    x = malloc(n + 1);
    snprintf(x, n + 1, "%.*s%s", (int)(row - doc), doc, end + 2);
    expect_refuted(x, "step benefit: table extra: row 2 is neither matched nor passed over");
    free(x);
    /* row 1 (< 2) said to accept up to 2: then it matches and cannot have been passed over */
    x = altered(doc, "\"passed_over\":[{\"row\":1", "[[null,1]]", "[[null,2]]");
    expect_refuted(x, "step benefit: table extra row 1: the arguments meet its conditions, but it was passed over");
    free(x);
    free(doc);
}

/* The check never crashes on a broken text: every prefix of an
 * explanation is refuted (it is not JSON), and the explanation with each
 * byte in turn replaced by a digit, a quote or a bracket is checked
 * without a fault (many such changes land in labels and the text, which
 * the check does not read, so they may still add up). */
static void mangled_explanations_do_not_crash(void **state)
{
    (void)state;
    char *doc = explained(HEAD
        "parameter standard: money per month \"标准\"\n  from 2017-01-01: 810.00 source \"s\"\n"
        "table extra(n: int) -> money per month hit unique\n  | < 2 | 100.00 |\n  | >= 2 | 200.00 |\n"
        "let size: int \"人口\" = count(household.members)\n"
        "output benefit: money per month \"补助\" = round(standard * size / 3) + extra(size)\n"
        "  unless size > 5 then 0.00 \"人口过多\"\n",
        "2019-09-01", ONE_MEMBER);
    size_t n = strlen(doc);
    char *m = malloc(n + 1), why[512];
    unsigned cut = 0, flipped = 0, steps;
    for (size_t k = 0; k < n; k++) {
        memcpy(m, doc, n + 1);
        cut += proof_check(m, k, why, sizeof why, &steps) != 0;
        for (const char *c = "7\"[{"; *c; c++) {
            m[k] = *c;
            flipped += proof_check(m, n, why, sizeof why, &steps) != 0;
        }
    }
    print_message("%zu prefixes and %u of %zu changed bytes refuted\n", n, flipped, 4 * n);
    assert_int_equal(cut, n);
    free(m);
    free(doc);
}

/* The less common formulas, each worked out by hand for a household of
 * two with 30.00 and 20.00 a month, on 2019-06-30:
 * nested parentheses and a rounding mode, (100.00 - (50.00 + 10.00)) × 3
 * ÷ 7 = 17.142857 → 17.14 half-even; a negation first; value_or taking
 * its default; a date moved by years, months and days in turn
 * (2000-01-01 → 2001-01-01 → 2001-03-01 → 2001-03-04); the margin of <,
 * ≤ and > (50.00 more makes 100.00, no longer < 100.00; 50.01 more makes
 * 100.01, no longer ≤ and now >); lists and maps in the citizen's text. */
static void less_common_formulas(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"formula\":\"(基数 100.00 - (收入合计 50.00 + 10.00)) × 3 ÷ 7,四舍六入五成双到 0.01（17.14）\"",
        "\"formula\":\"-收入合计 50.00 + 基数 100.00\"",
        "\"formula\":\"护理加发(最差自理 完全自理)（0.00）(表中无对应行,取默认值)\"",
        "\"formula\":\"日期（2000-01-01） + 1 年（2001-01-01） + 2 个月（2001-03-01） + 3 天（2001-03-04）\"",
        "\"margin\":{\"amount\":\"50.00\",\"text\":\"收入合计 增加 50.00 即不再满足此条件\"}",
        "\"margin\":{\"amount\":\"50.01\",\"text\":\"收入合计 增加 50.01 即不再满足此条件\"}",
        "\"margin\":{\"amount\":\"50.01\",\"text\":\"收入合计 增加 50.01 即满足此条件\"}",
        "9. 标签:[低]。\\n10. 各成员:[a: 30.00, b: 20.00]。",
        "1. 最差自理:完全自理。",
        NULL};
    expect_explained(HEAD
        "parameter base: money per month \"基数\"\n  from 2017-01-01: 100.00 assumption \"示例\"\n"
        "table bonus(c: care) -> money per month hit unique partial \"护理加发\"\n  | none | 50.00 |\n"
        "let total: money per month \"收入合计\" = sum(m.income for m in household.members)\n"
        "output worst: care \"最差自理\" = if any(m.care == none for m in household.members) then none else full\n"
        "output calc: money per month \"计算\" = round((base - (total + 10.00)) * 3 / 7, 0.01, half_even)\n"
        "output neg: money per month \"负数\" = -total + base\n"
        "output extra: money per month \"加发\" = value_or(bonus(worst), 0.00)\n"
        "output later: date \"一年后\" = household.since + 1 year + 2 months + 3 days\n"
        "output low: bool \"收入低\" else \"收入不低\" = total < base\n"
        "output le: bool \"不超过\" = total <= base\n"
        "output gt: bool \"超过\" = total > base\n"
        "output ids: list of text \"标签\" = if total > base then [\"高\", \"收入\"] else [\"低\"]\n"
        "output byid: map of money per month \"各成员\" = map(m.id => m.income for m in household.members)\n",
        "2019-06-30",
        "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"30.00\"},"
        "{\"id\":\"b\",\"age\":9,\"income\":\"20.00\",\"care\":\"partial\"}]}}", has, NULL);
}

/* Labels with placeholders, a bool let shown by its label, a table
 * without a label, an int percentage, a loop reading parameters, and the
 * citizen's account of sources and assumptions.  Two members, 40 and 2,
 * cap 3: size 2 ≤ 3 holds, 2 more (4) would not; rate(2) is the else
 * row, 2, plus 50 gives 52; only the member of 40 is at least 3, so the
 * sum is one base, 100.00. */
static void labels_sources_and_loops(void **state)
{
    (void)state;
    static const char *const has[] = {
        "\"label\":\"人数不超过 3\",\"value\":true,\"formula\":\"人数 2 ≤ 上限 3\"",
        "\"margin\":{\"amount\":\"2\",\"text\":\"人数 增加 2 即不再满足此条件\"}",
        "\"formula\":\"人数不超过 3（成立） 且 人数 2 ≥ 1\"",
        "\"formula\":\"rate(人数 2)（2） + 比例 50%\"",
        "\"formula\":\"成员中满足“年龄 ≥ 上限”者的“基数”合计（100.00）\"",
        "\"sources\":[{\"file\":\"doc.txt\",\"text\":\"全文\"}]",
        "上限:3,自 2017-01-01 起施行,按 2019-06-30 在效的数值适用。未见文件依据,系假定:假定上限为3。",
        "基数:100.00 元,自 2017-01-01 起施行,按 2019-06-30 在效的数值适用。出处:doc.txt:“基数为100元”。",
        "rate else。出处未载。\\n政策依据:doc.txt:“全文”\\n",
        NULL};
    expect_explained("policy t.p \"测试\"\nsource \"doc.txt\" \"全文\"\n"
        "covers 2017-01-01 to 2030-12-31\nuse t.household\n"
        "parameter base: money per month \"基数\"\n  from 2017-01-01: 100.00 source \"doc.txt\" \"基数为100元\"\n"
        "parameter cap: int \"上限\"\n  from 2017-01-01: 3 assumption \"假定上限为3\"\n"
        "parameter share: int unit % \"比例\"\n  from 2017-01-01: 50 assumption \"假定\"\n"
        "table rate(n: int 0..100) -> int hit first\n  | < 2 | 1 |\n  | else | 2 |\n"
        "let size: int \"人数\" = count(household.members)\n"
        "let small: bool \"人数不超过 {cap}\" else \"人数超过 {cap}\" = size <= cap\n"
        "output ok: bool \"可以\" = small and size >= 1\n"
        "output r: int \"档\" = rate(size) + share\n"
        "output each: money per month \"人均\" = sum(base for m in household.members where m.age >= cap)\n",
        "2019-06-30", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40},{\"id\":\"b\",\"age\":2}]}}", has, NULL);
}

/* buf_json_string() finds its first escape 16 or 8 bytes a step: every
 * escaped byte at every position of strings of 1..19 bytes, against the
 * escapes written out here by hand (a byte of UTF-8 passes as it is). */
static void json_string_escapes(void **state)
{
    (void)state;
    static const struct { char in; const char *out; } esc[] = {
        { '"', "\\\"" }, { '\\', "\\\\" }, { '\n', "\\n" }, { '\t', "\\t" },
        { '\x01', "\\u0001" }, { '\x1f', "\\u001f" }, { 'x', "x" }, { '\x7f', "\x7f" },
        { '\xe5', "\xe5" },
    };
    for (size_t e = 0; e < sizeof esc / sizeof esc[0]; e++)
        for (size_t n = 1; n < 20; n++)
            for (size_t at = 0; at < n; at++) {
                char in[20], want[64];
                memset(in, 'a', n);
                in[at] = esc[e].in;
                snprintf(want, sizeof want, "\"%.*s%s%.*s\"", (int)at, in, esc[e].out,
                         (int)(n - at - 1), in + at + 1);
                buf b;
                buf_init(&b);
                buf_json_string(&b, in, n);
                assert_string_equal(buf_cstr(&b), want);
                int plain = esc[e].in == 'x' || esc[e].in == '\x7f' || esc[e].in == '\xe5';
                assert_int_equal(buf_json_plain(in, n), plain ? n : at);
                /* the tokenizer's prefix stops at UTF-8 too */
                assert_int_equal(buf_json_ascii(in, n), plain && esc[e].in != '\xe5' ? n : at);
                buf_free(&b);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_string_escapes),
        cmocka_unit_test(parameter_read_at_another_date),
        cmocka_unit_test(unless_on_negative_label),
        cmocka_unit_test(percentage_and_whole_margin),
        cmocka_unit_test(partial_table_default),
        cmocka_unit_test(only_matched_rows_parameters),
        cmocka_unit_test(and_inside_or_keeps_parentheses),
        cmocka_unit_test(enum_comparison_shows_labels),
        cmocka_unit_test(list_let_by_its_label),
        cmocka_unit_test(count_table_else_row),
        cmocka_unit_test(min_max_of_dates),
        cmocka_unit_test(altered_explanations_are_refuted),
        cmocka_unit_test(mangled_explanations_do_not_crash),
        cmocka_unit_test(less_common_formulas),
        cmocka_unit_test(labels_sources_and_loops),
        cmocka_unit_test(policy_tests_explain_as_proofs),
        cmocka_unit_test(generated_households_explain_as_proofs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
