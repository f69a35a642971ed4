/*
 * test_check.c - the checker's diagnostics, asserted on the exact
 * message: names, types, units and periods, cycles, tables (overlap and
 * gap witnesses, hit policies), dated parameters and assertions.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"

#define HEAD "policy t.p \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"

/* Compiles; asserts failure and that the printed diagnostics hold want. */
/* The text does not compile, and its diagnostics say want: an error
 * turned into a warning would leave the text in place but fail here. */
static void expect_diag(const char *text, const char *want)
{
    compiled c;
    compile_text(&c, text);
    if (!strstr(c.diags, want)) print_error("diagnostics:\n%s\nwanted: %s\n", c.diags, want);
    assert_non_null(strstr(c.diags, want));
    if (c.policy || c.dl.nerrors == 0) print_error("compiled, with diagnostics:\n%s\n", c.diags);
    assert_null(c.policy);
    assert_true(c.dl.nerrors > 0);
    compiled_free(&c);
}

static void expect_clean(const char *text)
{
    compiled c;
    compile_text(&c, text);
    if (c.dl.n) print_error("%s", c.diags);
    assert_non_null(c.policy);
    assert_int_equal(c.dl.n, 0);
    compiled_free(&c);
}

static void unknown_name_suggests(void **state)
{
    expect_diag(HEAD "let income: money per month = sum(m.income for m in household.members)\n"
                "output x: bool = incom > 0.00\n",
                "t.policy:5:18: error: unknown name `incom`");
    expect_diag(HEAD "let income: money per month = sum(m.income for m in household.members)\n"
                "output x: bool = incom > 0.00\n", "hint: did you mean `income`?");
}

static void money_periods_do_not_mix(void **state)
{
    expect_diag(HEAD "output x: money per month = sum(m.income + m.yearly for m in household.members)\n",
                "cannot add money per month and money per year");
    expect_diag(HEAD "output x: money per month = sum(m.income + m.yearly for m in household.members)\n",
                "hint: convert one side with per_month(...) or per_year(...)");
    expect_clean(HEAD "output x: money per month = round(sum(m.income + per_month(m.yearly) for m in household.members))\n");
}

static void money_times_money_is_an_error(void **state)
{
    expect_diag(HEAD "output x: money per month = sum(m.income * m.income for m in household.members)\n",
                "cannot multiply money per month and money per month");
}

static void literal_scales_money(void **state)
{
    expect_clean(HEAD "output x: money per month = sum(m.income * 2 for m in household.members)\n"
                 "output y: money per month = sum(0.5 * m.income for m in household.members) + 1.00\n");
}

static void cycle_is_reported(void **state)
{
    expect_diag(HEAD "let a: int = b\nlet b: int = a\noutput x: int = a\n",
                "definitions form a cycle: a -> b -> a");
}

static void unique_overlap_has_witness(void **state)
{
    expect_diag(HEAD "table f(age: int 0..150) -> int hit unique\n  | < 18 | 1 |\n  | 16..60 | 2 |\n  | > 60 | 3 |\n"
                "output x: int = f(3)\n",
                "rows 1 and 2 of table `f` overlap under hit policy unique, e.g. for age = 16");
}

static void gap_has_witness(void **state)
{
    expect_diag(HEAD "table f(age: int 0..150, able: bool) -> int hit unique\n"
                "  | < 18 | - | 1 |\n  | >= 18 | true | 2 |\n  | >= 60 | false | 3 |\n"
                "output x: int = f(3, true)\n",
                "no row of table `f` matches age = 18, able = false");
}

static void enum_gap_and_else(void **state)
{
    expect_diag(HEAD "table f(c: care) -> int hit unique\n  | none | 1 |\n  | partial | 2 |\noutput x: int = f(none)\n",
                "no row of table `f` matches c = full");
    expect_clean(HEAD "table f(c: care) -> int hit unique\n  | none | 1 |\n  | partial | 2 |\n  | else | 0 |\noutput x: int = f(none)\n");
}

static void first_with_dead_row_warns(void **state)
{
    compiled c;
    compile_text(&c, HEAD "table f(age: int 0..150) -> int hit first\n  | >= 0 | 1 |\n  | 10..20 | 2 |\noutput x: int = f(3)\n");
    assert_non_null(c.policy);   /* warnings only */
    assert_non_null(strstr(c.diags, "warning: row 2 of table `f` is never used"));
    compiled_free(&c);
}

static void parameter_gap_in_covered_period(void **state)
{
    expect_diag("policy t.p \"t\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"
                "parameter s: money per month\n  from 2018-01-01: 1.00\noutput x: money per month = s\n",
                "no value of `s` is in force from 2017-01-01 to 2017-12-31, inside the covered period");
}

static void assertion_names_interval_and_values(void **state)
{
    expect_diag(HEAD "parameter u: money per month\n  from 2017-01-01 until 2019-12-31: 1000.00\n  from 2020-01-01: 1200.00\n"
                "parameter r: money per month\n  from 2017-01-01: 900.00\n"
                "assert r >= u * 0.85 \"农村不低于城市85%\"\noutput x: money per month = u + r\n",
                "assertion \"农村不低于城市85%\" fails from 2020-01-01 to 2030-12-31: r = 900.00, u = 1200.00");
}

static void unused_let_warns(void **state)
{
    compiled c;
    compile_text(&c, HEAD "let spare: int = 1\noutput x: int = 2\n");
    assert_non_null(c.policy);
    assert_non_null(strstr(c.diags, "warning: let `spare` is never used"));
    compiled_free(&c);
}

static void wrong_argument_type(void **state)
{
    expect_diag(HEAD "table f(c: care) -> int hit unique\n  | - | 1 |\noutput x: int = f(3)\n",
                "argument `c` of table `f` must be care, not int");
}

static void unknown_enum_value(void **state)
{
    expect_diag(HEAD "output n: int = count(m in household.members where m.care == partal)\n",
                "`partal` is not a value of enum care");
}

static void int_output_needs_rounding(void **state)
{
    expect_diag(HEAD "output n: int = household.size_hint / 300\n", "hint: round it to an integer with round(x, 1)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_name_suggests),
        cmocka_unit_test(money_periods_do_not_mix),
        cmocka_unit_test(money_times_money_is_an_error),
        cmocka_unit_test(literal_scales_money),
        cmocka_unit_test(cycle_is_reported),
        cmocka_unit_test(unique_overlap_has_witness),
        cmocka_unit_test(gap_has_witness),
        cmocka_unit_test(enum_gap_and_else),
        cmocka_unit_test(first_with_dead_row_warns),
        cmocka_unit_test(parameter_gap_in_covered_period),
        cmocka_unit_test(assertion_names_interval_and_values),
        cmocka_unit_test(unused_let_warns),
        cmocka_unit_test(wrong_argument_type),
        cmocka_unit_test(unknown_enum_value),
        cmocka_unit_test(int_output_needs_rounding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
