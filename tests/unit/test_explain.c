/*
 * test_explain.c - what an explanation says: each test compiles a small
 * policy, makes an explained decision and compares parts of the
 * explanation JSON with the text and figures worked out by hand beside
 * it.  The first tests reproduce the mistakes issue 11 reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"
#include "io/decision.h"

#define HEAD "policy t.p \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"

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
    arena pool;
    arena_init(&pool, 8192);
    decision_frame frame = {0};
    decision_result res;
    buf b;
    buf_init(&b);
    decision_rc rc = decision_make(c.policy, json, strlen(json), "", d, 1, &frame, &pool, &b, NULL, &res);
    char *out = strdup(rc == DECISION_OK ? buf_cstr(&b) : res.err.msg);
    buf_free(&b);
    decision_frame_free(&frame);
    arena_free(&pool);
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

#define ONE_MEMBER "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40}]}}"

/* `standard at (as_of - 1 years)` on 2019-06-30 reads 2018-06-30, when
 * 800.00 was in force (2018-01-01 to 2018-12-31): the parameter listed
 * is that value, not the 860.00 in force on the decision date. */
static void parameter_read_at_another_date(void **state)
{
    (void)state;
    char *doc = explained("policy t.p \"测试\"\ncovers 2019-01-01 to 2030-12-31\nuse t.household\n"
        "parameter standard: money per month \"标准\"\n"
        "  from 2018-01-01 until 2018-12-31: 800.00 source \"s2018\"\n"
        "  from 2019-01-01: 860.00 source \"s2019\"\n"
        "output last: money per month \"一年前的标准\" = standard at (as_of - 1 years)\n",
        "2019-06-30", ONE_MEMBER);
    assert_has(doc, "\"parameters\":[{\"name\":\"standard\",\"label\":\"标准\",\"value\":\"800.00\","
                    "\"read_on\":\"2018-06-30\",\"in_force_from\":\"2018-01-01\","
                    "\"in_force_until\":\"2018-12-31\",\"source\":\"s2018\"}]");
    assert_lacks(doc, "860.00");
    free(doc);
}

/* jiaxing.dibao's shape: `unless not eligible` where eligible is false
 * with a negative `else` label.  What held is that label, stated once,
 * with no 非 and no bare true/false. */
static void unless_on_negative_label(void **state)
{
    (void)state;
    char *doc = explained(HEAD
        "let income: money per month \"收入\" = sum(m.income for m in household.members)\n"
        "output eligible: bool \"收入 {income} 元低于 1000.00 元\" else \"收入 {income} 元不低于 1000.00 元\"\n"
        "  = income < 1000.00\n"
        "output benefit: money per month \"补助\" = 1000.00 - income\n"
        "  unless not eligible then 0.00 \"收入不低于标准,不发放\"\n",
        "2019-09-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"2000.00\"}]}}");
    assert_has(doc, "\"rule\":\"收入不低于标准,不发放:收入 2000.00 元不低于 1000.00 元（成立）\"");
    assert_lacks(doc, "非 ");
    assert_lacks(doc, " false\"");
    assert_lacks(doc, " true\"");
    free(doc);
}

/* A village of 300 m² matches the row `< 500`; the parameter of the row
 * `>= 500` (urban_area) did not decide anything and is not listed. */
static void only_matched_rows_parameters(void **state)
{
    (void)state;
    char *doc = explained(HEAD
        "parameter rural_area: int \"农村标准面积\"\n  from 2017-01-01: 300 source \"r\"\n"
        "parameter urban_area: int \"城市标准面积\"\n  from 2017-01-01: 1200 source \"u\"\n"
        "table area_for(n: int) -> int hit unique \"面积标准\"\n"
        "  | < 3 | rural_area | \"小家庭\"\n  | >= 3 | urban_area | \"大家庭\"\n"
        "output area: int \"面积\" = area_for(count(household.members))\n",
        "2019-01-01", ONE_MEMBER);
    assert_has(doc, "\"name\":\"rural_area\"");
    assert_lacks(doc, "urban_area");
    assert_lacks(doc, "1200");
    free(doc);
}

/* `(a and b) or c` keeps its parentheses: 且 and 或 have no precedence a
 * reader knows. */
static void and_inside_or_keeps_parentheses(void **state)
{
    (void)state;
    char *doc = explained(HEAD
        "let a: bool \"甲\" = count(household.members) > 0\n"
        "let b: bool \"乙\" = count(household.members) > 1\n"
        "let c: bool \"丙\" = count(household.members) > 2\n"
        "output x: bool \"结果\" = (a and b) or c\n",
        "2019-01-01", ONE_MEMBER);
    assert_has(doc, "\"formula\":\"(甲（成立） 且 乙（不成立）) 或 丙（不成立）\"");
    free(doc);
}

/* An enum constant is shown by its label, as the field's value is. */
static void enum_comparison_shows_labels(void **state)
{
    (void)state;
    char *doc = explained(HEAD
        "output all_full: bool \"都能自理\" = all(m.care == full for m in household.members)\n"
        "output first_none: bool \"完全丧失\" = any(m.care == none for m in household.members)\n",
        "2019-01-01", ONE_MEMBER);
    assert_has(doc, "all(自理 = 完全自理 for m in 成员)");
    assert_lacks(doc, "= full");
    assert_lacks(doc, "= none");
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parameter_read_at_another_date),
        cmocka_unit_test(unless_on_negative_label),
        cmocka_unit_test(only_matched_rows_parameters),
        cmocka_unit_test(and_inside_or_keeps_parentheses),
        cmocka_unit_test(enum_comparison_shows_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
