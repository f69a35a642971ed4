/*
 * test_ptest.c - policy/ptest.c, the runner of a policy's own tests that
 * `eligo test` and POST /v1/check share: a test that holds passes, and
 * each kind that does not (a value, a label, an input error where none
 * was expected, an expected error that did not come) is reported once
 * per failing expectation, at the line of its `test`, with the message
 * both callers show.  The given bindings become the JSON a portal sends.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"
#include "policy/ptest.h"

#define HEAD "policy t.p \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"

/* Lines (from 1) of the four tests in POLICY, after HEAD's three and the
 * definitions' three: 7, 12, 15, 18. */
static const char POLICY[] =
    HEAD
    "let income: money per month \"收入\" = sum(m.income for m in household.members)\n"
    "output eligible: bool \"收入 {income} 元低于 860.00 元\" else \"收入 {income} 元不低于 860.00 元\"\n"
    "  = income < 860.00\n"
    "test \"低于标准\" as of 2019-01-01\n"
    "  given household = {members: [{id: \"a\", age: 40, income: 500.00}]}\n"
    "  expect eligible = true\n"
    "  expect label eligible = \"收入 500.00 元低于 860.00 元\"\n"
    "  expect label eligible contains \"500.00\"\n"
    "test \"写错的期望\" as of 2019-01-01\n"
    "  given household = {members: [{id: \"a\", age: 40, income: 900.00}]}\n"
    "  expect eligible = true\n"
    "test \"无效输入\" as of 2019-01-01\n"
    "  given household = {members: [{id: \"a\", age: 400}]}\n"
    "  expect error \"expected int 0..150\"\n"
    "test \"意外的成功\" as of 2019-01-01\n"
    "  given household = {members: [{id: \"a\", age: 4}]}\n"
    "  expect error \"no value\"\n";

typedef struct seen {
    int n;
    uint32_t line[8];
    char msg[8][256];
} seen;

static void failed(void *ctx, const policy *p, const policy_test *t, uint32_t line, const char *msg)
{
    (void)p, (void)t;
    seen *s = ctx;
    if (s->n == 8) return;
    s->line[s->n] = line;
    snprintf(s->msg[s->n], sizeof s->msg[0], "%s", msg);
    s->n++;
}

/* Runs test k of POLICY: its result, its failures in s. */
static int run_one(uint32_t k, seen *s)
{
    compiled c;
    compile_text(&c, POLICY);
    if (!c.policy) print_error("%s", c.diags);
    assert_non_null(c.policy);
    assert_int_equal(c.policy->ntests, 4);
    memset(s, 0, sizeof *s);
    ptest_run r = {failed, s, NULL, NULL};
    int ok = ptest_one(&r, c.policy, &c.policy->tests[k]);
    compiled_free(&c);
    return ok;
}

/* Test k passes (msg NULL, nothing reported) or fails with the one
 * message msg at line. */
static void expect_test(int k, int line, const char *msg)
{
    seen s;
    assert_int_equal(run_one(k, &s), msg == NULL);
    assert_int_equal(s.n, msg != NULL);
    if (!msg) return;
    assert_int_equal(s.line[0], line);
    assert_string_equal(s.msg[0], msg);
}

static void test_passes(void **state)
{
    (void)state;
    expect_test(0, 0, NULL);
}

static void test_wrong_value(void **state)
{
    (void)state;
    /* 900.00 < 860.00 does not hold */
    expect_test(1, 12, "output `eligible`: expected true, got false");
}

static void test_expected_error(void **state)
{
    (void)state;
    expect_test(2, 0, NULL);
}

static void test_error_that_did_not_come(void **state)
{
    (void)state;
    expect_test(3, 18, "expected an error containing \"no value\", but the decision succeeded");
}

/* `expect warning`: the tests of WARNED, lines 8, 11 and 14 (after
 * HEAD's three and the definitions' four). */
static const char WARNED[] =
    HEAD
    "let n: int \"人数\" = count(household.members)\n"
    "warn when n > 3: \"{n} 人,多于一般的 3 人\" assumption \"示例\"\n"
    "warn when n > 5: \"{n} 人,多于 5 人\" assumption \"示例\"\n"
    "output size: int \"人数\" = n\n"
    "test \"四人:一条提示\" as of 2019-01-01\n"
    "  given household = {members: [{id: \"a\", age: 30}, {id: \"b\", age: 30}, {id: \"c\", age: 30}, {id: \"d\", age: 30}]}\n"
    "  expect warning \"4 人,多于一般的 3 人\"\n"
    "test \"四人:未写提示\" as of 2019-01-01\n"
    "  given household = {members: [{id: \"a\", age: 30}, {id: \"b\", age: 30}, {id: \"c\", age: 30}, {id: \"d\", age: 30}]}\n"
    "  expect size = 4\n"
    "test \"一人:期望的提示未出现\" as of 2019-01-01\n"
    "  given household = {members: [{id: \"a\", age: 30}]}\n"
    "  expect warning \"1 人,多于一般的 3 人\"\n";

static void warnings_expected_exactly(void **state)
{
    (void)state;
    compiled c;
    compile_text(&c, WARNED);
    if (!c.policy) print_error("%s", c.diags);
    assert_non_null(c.policy);
    seen s;
    ptest_run r = {failed, &s, NULL, NULL};
    memset(&s, 0, sizeof s);
    assert_int_equal(ptest_one(&r, c.policy, &c.policy->tests[0]), 1);
    assert_int_equal(s.n, 0);
    /* a warning that holds and is not expected fails the test */
    memset(&s, 0, sizeof s);
    assert_int_equal(ptest_one(&r, c.policy, &c.policy->tests[1]), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.line[0], 11);
    assert_string_equal(s.msg[0], "the warning \"4 人,多于一般的 3 人\" held, and the test does not expect it");
    /* an expected warning that does not hold (1 > 3 is false) */
    memset(&s, 0, sizeof s);
    assert_int_equal(ptest_one(&r, c.policy, &c.policy->tests[2]), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.line[0], 14);
    assert_string_equal(s.msg[0], "expected the warning \"1 人,多于一般的 3 人\", and it did not hold");
    compiled_free(&c);
}

/* The given bindings as request JSON, numbers as written. */
static void test_given_json(void **state)
{
    (void)state;
    compiled c;
    compile_text(&c, POLICY);
    assert_non_null(c.policy);
    buf b;
    buf_init(&b);
    ptest_given_json(&b, c.policy->tests[0].node);
    assert_string_equal(buf_cstr(&b), "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":500.00}]}}");
    buf_free(&b);
    compiled_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passes),
        cmocka_unit_test(test_wrong_value),
        cmocka_unit_test(test_expected_error),
        cmocka_unit_test(test_error_that_did_not_come),
        cmocka_unit_test(test_given_json),
        cmocka_unit_test(warnings_expected_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
