/*
 * test_eval.c - the evaluator through the whole compiler: each test
 * compiles a small policy from a string, evaluates an input and compares
 * the outputs JSON with a value computed by hand in the comment beside it.
 *
 * Every evaluation here goes both ways, through the flat program (vm.c)
 * and through the tree walker (eval.c), and the two must agree on every
 * let and output, or on the error; the last tests do the same for every
 * test of the shipped policies, for generated households and, through a
 * generator driven by the compiled model, for generated inputs of every
 * policy whatever entity it reads.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"
#include "policy_helper.h"
#include "eval/vm.h"
#include "base/always.h"

/* Every def's value as JSON, or the error (code, location, message). */
static char *run_path(const policy *p, int64_t as_of, const ev_cell *root, arena *pool, int walk)
{
    ev_cell *frame = calloc(p->tree.nslots, sizeof(ev_cell));
    ev_ctx c;
    ev_ctx_init(&c, &p->tree, frame, pool);
    c.walk = walk;
    buf b;
    buf_init(&b);
    if (ev_bind(&c, as_of) || ev_run(&c, root)) {
        buf_printf(&b, "ERROR %d at %u: %s", (int)c.err.code, c.err.loc, c.err.msg);
    } else {
        for (uint32_t i = 0; i < p->tree.ndefs; i++) {
            const ev_def *d = &p->tree.defs[i];
            buf_printf(&b, "%s=", d->name);
            json_write_value(&b, d->type, &frame[d->slot]);
            buf_addc(&b, ' ');
        }
        if (c.warned) buf_printf(&b, "warned=%llx ", (unsigned long long)c.warned);
    }
    char *out = strdup(buf_cstr(&b));
    buf_free(&b);
    free(frame);
    return out;
}

/* Runs input JSON both ways and fails the test when they disagree;
 * returns 1 when the input was valid (and so evaluated), and then, when
 * agreed is not NULL, the agreed values in *agreed (the caller frees). */
static int same_both_ways_into(const policy *p, int64_t as_of, const char *json, size_t len, char **agreed)
{
    int valid = 0;
    arena pool;
    arena_init(&pool, 8192);
    json_errors errs;
    ev_cell *root = NULL;
    if (json_input_parse(json, len, p->root, "", &pool, &root, &errs) == JSON_OK) {
        valid = 1;
        char *vm = run_path(p, as_of, root, &pool, 0);
        char *walk = run_path(p, as_of, root, &pool, 1);
        if (strcmp(vm, walk) != 0)
            print_error("%s on %.*s:\nprogram %s\nwalker  %s\n", p->name, (int)len, json, vm, walk);
        assert_string_equal(vm, walk);
        if (agreed) *agreed = vm;
        else free(vm);
        free(walk);
    }
    arena_free(&pool);
    return valid;
}

static int same_both_ways(const policy *p, int64_t as_of, const char *json, size_t len)
{
    return same_both_ways_into(p, as_of, json, len, NULL);
}

/* decide() after checking that both ways agree. */
static char *decide_both(const policy *p, const char *date, const char *json)
{
    int64_t d;
    date_parse(date, strlen(date), &d);
    same_both_ways(p, d, json, strlen(json));
    return decide(p, date, json);
}
#define decide decide_both

#define HEAD "policy t.p \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"

static void expect_outputs(const char *policy_text, const char *date, const char *input, const char *want)
{
    compiled c;
    compile_text(&c, policy_text);
    if (!c.policy) print_error("%s", c.diags);
    assert_non_null(c.policy);
    char *got = decide(c.policy, date, input);
    if (strcmp(got, want) != 0) print_error("got  %s\nwant %s\n", got, want);
    assert_string_equal(got, want);
    free(got);
    compiled_free(&c);
}

/* A household of one child, aged 1. */
#define ONE_CHILD "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1}]}}"
#define FAMILY "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"1000\"},{\"id\":\"b\",\"age\":38,\"income\":500},{\"id\":\"c\",\"age\":10}]}}"

/* A partial table: a matching row's value, else value_or's default; the
 * program leaves the call to the walker, and both ways agree (decide). */
static void partial_table_value_or(void **state)
{
    const char *p = HEAD
        "table extra(n: int) -> money per month hit unique partial \"补贴\"\n  | 1 | 100.00 |\n  | 2 | 150.00 |\n"
        "output x: money per month = value_or(extra(count(household.members)), 0.00)\n"
        "output y: money per month = value_or(extra(count(household.members)), 7.50) + 1.00\n";
    expect_outputs(p, "2019-01-01", ONE_CHILD, "{\"x\":\"100.00\",\"y\":\"101.00\"}");
    expect_outputs(p, "2019-01-01", FAMILY, "{\"x\":\"0.00\",\"y\":\"8.50\"}");
}

/* `80%` is the decimal 0.80 and `4.0321万` the number 40321: the
 * literals as the seed documents write them. */
static void percent_and_wan_literals(void **state)
{
    expect_outputs(HEAD
        "output p: decimal = 80%\noutput q: decimal = 12.5 %\noutput h: decimal = 100%\n"
        "output s: decimal = 0.5%\noutput w: money = 4.0321万\noutput i: int = 2万\n"
        "output m: decimal = 1.5万 * 80%\n",
        "2019-01-01", ONE_CHILD,
        "{\"p\":\"0.8\",\"q\":\"0.125\",\"h\":\"1\",\"s\":\"0.005\",\"w\":\"40321.00\",\"i\":20000,"
        "\"m\":\"12000\"}");
}

static void dibao(void **state)
{
    /* 3 members, income 1500: 860 * 3 = 2580 > 1500, benefit 1080, per capita 500 */
    expect_outputs(HEAD
        "parameter standard: money per month \"标准\"\n  from 2017-01-01: 860.00\n"
        "let size = count(household.members)\n"
        "let income: money per month = sum(m.income for m in household.members)\n"
        "output eligible: bool \"低于标准\" = income < standard * size\n"
        "output benefit: money per month = standard * size - income unless not eligible then 0.00 \"不符合\"\n"
        "output per_capita: money per month = round(income / size)\n",
        "2019-01-01", FAMILY,
        "{\"eligible\":true,\"benefit\":\"1080.00\",\"per_capita\":\"500.00\"}");
}

static void exactly_at_standard(void **state)
{
    /* one member with income exactly 860.00: not eligible; 859.99: eligible */
    const char *p = HEAD
        "parameter standard: money per month\n  from 2017-01-01: 860.00\n"
        "output eligible: bool = sum(m.income for m in household.members) < standard * count(household.members)\n";
#define EARNING(income) "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"income\":\"" income "\"}]}}"
    expect_outputs(p, "2019-01-01", EARNING("860.00"), "{\"eligible\":false}");
    expect_outputs(p, "2019-01-01", EARNING("859.99"), "{\"eligible\":true}");
#undef EARNING
}

static void point_one_plus_point_two(void **state)
{
    expect_outputs(HEAD "output x: bool = 0.1 + 0.2 == 0.3\noutput y: decimal = 0.1 + 0.2\n",
                   "2019-01-01", FAMILY, "{\"x\":true,\"y\":\"0.3\"}");
}

static void half_fen_rounding(void **state)
{
    /* 85% of 0.01 = 0.0085 -> 0.01 half up; 0.005 -> 0.00 half_even, 0.01 half_up, 0.00 down */
    expect_outputs(HEAD
        "output a: money = round(0.01 * 0.85, 0.01)\n"
        "output b: money = round(0.005, 0.01, half_even)\n"
        "output c: money = round(0.005, 0.01)\n"
        "output d: money = round(0.015, 0.01, half_even)\n"
        "output e: money = round(0.019, 0.01, down)\n"
        "output f: money = round(-0.005, 0.01)\n",
        "2019-01-01", FAMILY,
        "{\"a\":\"0.01\",\"b\":\"0.00\",\"c\":\"0.01\",\"d\":\"0.02\",\"e\":\"0.01\",\"f\":\"-0.01\"}");
}

static void per_month_conversion(void **state)
{
    /* 16187 per year / 12 = 1348.91666.. -> 1348.92 */
    expect_outputs(HEAD
        "parameter annual: money per year\n  from 2017-01-01: 16187.00\n"
        "output monthly: money per month = round(per_month(annual))\n"
        "output yearly: money per year = per_year(monthly) \n",
        "2019-07-01", FAMILY, "{\"monthly\":\"1348.92\",\"yearly\":\"16187.04\"}");
}

static void int_rounding(void **state)
{
    /* 4 + round(1050 / 300, 1) = 4 + 4 (3.5 half up) = 8; 1000 -> 4 + 3 = 7 */
    const char *p = HEAD "output staffing: int = 4 + round(household.size_hint / 300, 1)\n";
    expect_outputs(p, "2019-01-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1}],\"size_hint\":1050}}",
                   "{\"staffing\":8}");
    expect_outputs(p, "2019-01-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1}],\"size_hint\":1000}}",
                   "{\"staffing\":7}");
}

static void dated_parameters(void **state)
{
    const char *p = HEAD
        "parameter s: money per month\n  from 2016-01-01 until 2018-12-31: 800.00\n  from 2019-01-01: 860.00\n"
        "output now: money per month = s\n"
        "output last_year: money per month = s at (as_of - 1 years)\n";
    /* first day of the new value and the last day of the old one */
    expect_outputs(p, "2019-01-01", FAMILY, "{\"now\":\"860.00\",\"last_year\":\"800.00\"}");
    expect_outputs(p, "2018-12-31", FAMILY, "{\"now\":\"800.00\",\"last_year\":\"800.00\"}");
    compiled c;
    compile_text(&c, p);
    char *got = decide(c.policy, "2016-12-31", FAMILY);
    assert_non_null(strstr(got, "as_of 2016-12-31 is outside the period this policy covers"));
    free(got);
    compiled_free(&c);
}

/* A date read with `at` that moves as_of by a constant is checked when
 * the policy is compiled, over the whole covered period: the first
 * covered day, 2017-01-01, reads 2016-01-01, which has no value (found
 * only by a decision in 2017 before). */
static void at_dates_checked_statically(void **state)
{
    (void)state;
    compiled c;
    compile_text(&c, HEAD
        "parameter s: money per month\n  from 2017-01-01 until 2018-12-31: 800.00\n  from 2019-01-01: 860.00\n"
        "output now: money per month = s\n"
        "output last_year: money per month = s at (as_of - 1 years)\n");
    assert_null(c.policy);
    assert_non_null(strstr(c.diags, "over the covered period this reads `s` on the days from 2016-01-01 to "
                                    "2029-12-31, and no value of it is in force from 2016-01-01 to 2016-12-31"));
    compiled_free(&c);
}

/* The error for a date with no value says which case it is: before the
 * first value, after the last one, or in a gap between two (a date from
 * the input: one that moves as_of is checked when compiling). */
static void expect_no_value(const char *since, const char *want)
{
    char text[1024], json[256];
    snprintf(text, sizeof text, HEAD
             "parameter s: money per month\n"
             "  from 2012-01-01 until 2013-12-31: 700.00\n"
             "  from 2015-01-01 until 2016-12-31: 780.00\n"
             "  from 2017-01-01 until 2030-12-31: 860.00\n"
             "output now: money per month = s\n"
             "output x: money per month = s at household.since\n");
    snprintf(json, sizeof json, "{\"household\":{\"since\":\"%s\",\"members\":[{\"id\":\"a\",\"age\":40}]}}", since);
    compiled c;
    compile_text(&c, text);
    assert_non_null(c.policy);
    char *got = decide(c.policy, "2019-06-30", json);
    if (!strstr(got, want)) print_error("got %s\nwant %s\n", got, want);
    assert_non_null(strstr(got, want));
    free(got);
    compiled_free(&c);
}

static void no_value_says_which_case(void **state)
{
    (void)state;
    expect_no_value("2009-06-30",
                    "no value of parameter `s` (s) in force on 2009-06-30: "
                    "it is before the first value, from 2012-01-01");
    expect_no_value("2031-06-30",
                    "no value of parameter `s` (s) in force on 2031-06-30: "
                    "it is after the last value, which ended on 2030-12-31");
    expect_no_value("2014-06-30",
                    "no value of parameter `s` (s) in force on 2014-06-30: "
                    "it is in the gap between the value that ended on 2013-12-31 "
                    "and the next, from 2015-01-01");
}

static void unless_rules(void **state)
{
    const char *p = HEAD
        "output level: int = 1\n  unless count(household.members) > 5 then 3 \"大家庭\"\n"
        "  unless count(household.members) > 2 then 2 \"中等\"\n";
    expect_outputs(p, "2019-01-01", FAMILY, "{\"level\":2}");
    expect_outputs(p, "2019-01-01", ONE_CHILD, "{\"level\":1}");
}

static void unique_table(void **state)
{
    /* tekun care: none 800, partial 400, full 0 */
    expect_outputs(HEAD
        "table amount(c: care) -> money per month hit unique\n"
        "  | none | 800.00 | \"完全丧失\"\n  | partial | 400.00 |\n  | full | 0.00 |\n"
        "output total: money per month = sum(amount(m.care) for m in household.members)\n",
        "2019-01-01",
        "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":80,\"care\":\"none\"},{\"id\":\"b\",\"age\":79,\"care\":\"partial\"},{\"id\":\"c\",\"age\":1}]}}",
        "{\"total\":\"1200.00\"}");
}

static void hit_policies(void **state)
{
    const char *rows =
        "  | < 18 | 1 |\n  | 18..59 | 2 |\n  | >= 60 | 3 |\n  | >= 0 | 10 |\n";
    char p[4096];
    snprintf(p, sizeof p, HEAD
        "table f(age: int) -> int hit first\n%s"
        "table s(age: int) -> int hit collect sum\n%s"
        "table n(age: int) -> int hit collect count\n%s"
        "table mx(age: int) -> int hit collect max\n%s"
        "table pr(age: int) -> int hit priority\n%s"
        "table ro(age: int) -> int hit rule_order\n%s"
        "table oo(age: int) -> int hit output_order\n%s"
        "output a: int = f(70)\noutput b: int = s(70)\noutput c: int = n(70)\noutput d: int = mx(5)\n"
        "output e: int = pr(30)\noutput g: list of int = ro(70)\noutput h: list of int = oo(70)\n",
        rows, rows, rows, rows, rows, rows, rows);
    /* age 70 matches rows 3 (3) and 4 (10): first 3, sum 13, count 2; age 5: max(1, 10) = 10;
     * priority on numbers: largest, 10; rule order [3,10]; output order [10,3] */
    expect_outputs(p, "2019-01-01", FAMILY,
                   "{\"a\":3,\"b\":13,\"c\":2,\"d\":10,\"e\":10,\"g\":[3,10],\"h\":[10,3]}");
}

/* Text results (issue 13): they came out as "" while the explanation
 * showed the matching row.  Same rows under every hit policy; age 70
 * matches rows 3 ("old") and 4 ("any"), age 30 rows 2 and 4. */
static void text_table_results(void **state)
{
    const char *rows =
        "  | < 18 | \"child\" |\n  | 18..59 | \"adult\" |\n  | >= 60 | \"old\" |\n  | >= 0 | \"any\" |\n";
    char p[4096];
    snprintf(p, sizeof p, HEAD
        "table u(age: int) -> text hit unique\n  | < 60 | \"young\" |\n  | >= 60 | \"old\" |\n"
        "table f(age: int) -> text hit first\n  | >= 60 | \"old\" |\n  | else | \"any\" |\n"
        "table an(age: int) -> text hit any\n  | < 60 | \"young\" |\n  | < 70 | \"young\" |\n  | >= 70 | \"old\" |\n"
        "table pr(age: int) -> text hit priority\n%s"
        "table co(age: int) -> text hit collect\n%s"
        "table ro(age: int) -> text hit rule_order\n%s"
        "table oo(age: int) -> text hit output_order\n%s"
        "table n(age: int) -> text hit collect count\n%s"
        "output a: text = u(70)\noutput b: text = f(70)\noutput c: text = an(65)\n"
        "output d: text = pr(70)\noutput e: list of text = co(70)\noutput g: list of text = ro(30)\n"
        "output h: list of text = oo(70)\noutput k: int = n(70)\n"
        "output same: bool = u(10) == \"young\"\n",
        rows, rows, rows, rows, rows);
    /* priority and output order rank texts by first appearance in the
     * table: child, adult, old, any; so pr(70) = "old", oo(70) = [old, any] */
    expect_outputs(p, "2019-01-01", FAMILY,
                   "{\"a\":\"old\",\"b\":\"old\",\"c\":\"young\",\"d\":\"old\",\"e\":[\"old\",\"any\"],"
                   "\"g\":[\"adult\",\"any\"],\"h\":[\"old\",\"any\"],\"k\":2,\"same\":true}");
}

/* A text table's else row, and its result compared. */
static void text_table_else(void **state)
{
    expect_outputs(HEAD
        "table size_class(n: int) -> text hit unique \"规模\"\n"
        "  | >= 3 | \"large\" | \"大\"\n  | else | \"small\" | \"小\"\n"
        "output cls: text = size_class(count(household.members))\n"
        "output big: bool = size_class(count(household.members)) == \"large\"\n",
        "2019-01-01", FAMILY, "{\"cls\":\"large\",\"big\":true}");
    expect_outputs(HEAD
        "table size_class(n: int) -> text hit unique \"规模\"\n"
        "  | >= 3 | \"large\" | \"大\"\n  | else | \"small\" | \"小\"\n"
        "output cls: text = size_class(count(household.members))\n",
        "2019-01-01", ONE_CHILD, "{\"cls\":\"small\"}");
}

/* if/else between texts and between lists (it was refused: "if/else
 * between lists is not supported"), and a list literal of texts. */
static void text_if_else(void **state)
{
    const char *p = HEAD
        "let size: int = count(household.members)\n"
        "output cls: text = if size >= 3 then \"large\" else \"small\"\n"
        "output tags: list of text = if size >= 3 then [\"big\", \"family\"] else [\"small\"]\n"
        "output ages: list of int = if size >= 3 then [3] else []\n";
    expect_outputs(p, "2019-01-01", FAMILY,
                   "{\"cls\":\"large\",\"tags\":[\"big\",\"family\"],\"ages\":[3]}");
    expect_outputs(p, "2019-01-01", ONE_CHILD,
                   "{\"cls\":\"small\",\"tags\":[\"small\"],\"ages\":[]}");
}

/* `unless` on texts and lists: it stopped with "internal error: node N
 * is not a list". */
static void text_unless(void **state)
{
    const char *p = HEAD
        "let size: int = count(household.members)\n"
        "output word: text = \"small\"\n  unless size >= 3 then \"large\" \"3人及以上\"\n"
        "output tags: list of text = [\"one\"]\n  unless size >= 3 then [\"big\", \"family\"]\n";
    expect_outputs(p, "2019-01-01", FAMILY, "{\"word\":\"large\",\"tags\":[\"big\",\"family\"]}");
    expect_outputs(p, "2019-01-01", ONE_CHILD,
                   "{\"word\":\"small\",\"tags\":[\"one\"]}");
}

/* collect count's else value is the count when no row matches: an int.
 * 1.00 gave 1000000 (the scaled decimal); now it is refused, and 1 is 1. */
static void collect_count_else(void **state)
{
    const char *t = HEAD
        "table n(age: int) -> decimal hit collect count\n  | >= 60 | 2.5 |\n  | >= 80 | 1.5 |\n  | else | %s |\n"
        "output young: int = n(30)\noutput old: int = n(85)\n";
    char p[1024];
    snprintf(p, sizeof p, t, "1");
    expect_outputs(p, "2019-01-01", FAMILY, "{\"young\":1,\"old\":2}");
    const char *bad[] = {"1.00", "2.5"};
    for (int i = 0; i < 2; i++) {
        compiled c;
        snprintf(p, sizeof p, t, bad[i]);
        compile_text(&c, p);
        assert_null(c.policy);
        assert_non_null(strstr(c.diags, "the `else` value of `collect count` table `n` is a count: it must be int"));
        compiled_free(&c);
    }
}

static void grade_table_two_columns(void **state)
{
    expect_outputs(HEAD
        "enum post { manager \"管理岗\", expert \"专技岗\", worker \"工勤岗\" }\n"
        "table pay(p: post, grade: int 1..3) -> money per month hit unique\n"
        "  | manager | 1 | 300.00 |\n  | manager | 2..3 | 200.00 |\n"
        "  | expert, worker | 1..2 | 100.00 |\n  | expert, worker | 3 | 50.00 |\n"
        "output a: money per month = pay(manager, 2)\noutput b: money per month = pay(worker, 3)\n",
        "2019-01-01", FAMILY, "{\"a\":\"200.00\",\"b\":\"50.00\"}");
}

/* How many instructions `op` a policy's program holds. */
static int program_ops(const char *policy_text, int op)
{
    compiled c;
    compile_text(&c, policy_text);
    assert_non_null(c.policy);
    int n = 0;
    for (uint32_t i = 0; i < c.policy->tree.prog->ncode; i++)
        n += c.policy->tree.prog->code[i].op == op;
    compiled_free(&c);
    return n;
}

/* The loops (LOOP instructions) of a policy's program. */
static int program_loops(const char *policy_text) { return program_ops(policy_text, EV_OP_LOOP); }

/* A sum followed by a map over the same members with the same filter and
 * value (tekun_care's shape) is one loop in the program; the values are
 * those of the walker (expect_outputs runs both): adults a (1000) and b
 * (500), 1500.00 in all.  A different filter (> 18), or one that reads
 * the sum, keeps two loops. */
static void sum_and_map_in_one_loop(void **state)
{
#define SUM "output adult_income: money per month = sum(m.income for m in household.members where m.age >= 18)\n"
    const char *fused = HEAD SUM
        "output by_id: map of money per month = map(m.id => m.income for m in household.members where m.age >= 18)\n";
    expect_outputs(fused, "2019-01-01", FAMILY,
                   "{\"adult_income\":\"1500.00\",\"by_id\":{\"a\":\"1000.00\",\"b\":\"500.00\"}}");
    assert_int_equal(program_loops(fused), 1);
    /* its body: the sum's addition, the key m.id and the put in one SUM_PUT */
    assert_int_equal(program_ops(fused, EV_OP_SUM_PUT), 1);
    assert_int_equal(program_ops(fused, EV_OP_MAP_PUT), 0);
    assert_int_equal(program_loops(HEAD SUM
        "output by_id: map of money per month = map(m.id => m.income for m in household.members where m.age > 18)\n"), 2);
    assert_int_equal(program_loops(HEAD SUM
        "output by_id: map of money per month = map(m.id => m.income for m in household.members where m.age >= 18 and adult_income > 0.00)\n"), 2);
#undef SUM
}

/* A sum that overflows: the same error as the walker's (decide compares
 * both), 5,000,000,000,000.00 twice being above the
 * 9,223,372,036,854.775807 a money holds. */
static void expect_sum_overflow(const char *policy_text)
{
    compiled c;
    compile_text(&c, policy_text);
    assert_non_null(c.policy);
    char *got = decide(c.policy, "2019-01-01",
        "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"5000000000000.00\"},"
        "{\"id\":\"b\",\"age\":41,\"income\":\"5000000000000.00\"}]}}");
    assert_non_null(strstr(got, "ERROR: arithmetic overflow"));
    free(got);
    compiled_free(&c);
}

/* ... inside the fused loop of a sum and a map (SUM_PUT). */
static void sum_and_map_overflow(void **state)
{
    const char *p = HEAD
        "output total: money per month = sum(m.income for m in household.members where m.age >= 18)\n"
        "output by_id: map of money per month = map(m.id => m.income for m in household.members where m.age >= 18)\n";
    assert_int_equal(program_ops(p, EV_OP_SUM_PUT), 1);
    expect_sum_overflow(p);
}

/* count(L) just before sum(x.f for x in L) of a list field (tianjin.dibao's
 * size and income) is one LEN_SUM_OF: FAMILY has 3 members and incomes
 * 1000 + 500 + none = 1500.00.  The other order keeps two instructions,
 * and the sum's overflow is the walker's error. */
static void count_and_sum_in_one_instruction(void **state)
{
    const char *fused = HEAD "output n: int = count(household.members)\n"
        "output s: money per month = sum(m.income for m in household.members)\n";
    expect_outputs(fused, "2019-01-01", FAMILY, "{\"n\":3,\"s\":\"1500.00\"}");
    assert_int_equal(program_ops(fused, EV_OP_LEN_SUM_OF), 1);
    assert_int_equal(program_ops(fused, EV_OP_LEN_OF), 0);
    const char *apart = HEAD "output s: money per month = sum(m.income for m in household.members)\n"
        "output n: int = count(household.members)\n";
    expect_outputs(apart, "2019-01-01", FAMILY, "{\"s\":\"1500.00\",\"n\":3}");
    assert_int_equal(program_ops(apart, EV_OP_LEN_SUM_OF), 0);
    expect_sum_overflow(fused);
}

static void aggregations(void **state)
{
    expect_outputs(HEAD
        "output oldest: int = max(m.age for m in household.members)\n"
        "output youngest: int = min(m.age for m in household.members)\n"
        "output any_child: bool = any(m.age < 18 for m in household.members)\n"
        "output all_adults: bool = all(m.age >= 18 for m in household.members)\n"
        "output adults: int = count(m in household.members where m.age >= 18)\n"
        "output adult_income: money per month = sum(m.income for m in household.members where m.age >= 18)\n"
        "output by_id: map of money per month = map(m.id => m.income for m in household.members where m.income > 0.00)\n",
        "2019-01-01", FAMILY,
        "{\"oldest\":40,\"youngest\":10,\"any_child\":true,\"all_adults\":false,\"adults\":2,"
        "\"adult_income\":\"1500.00\",\"by_id\":{\"a\":\"1000.00\",\"b\":\"500.00\"}}");
}

static void dates(void **state)
{
    expect_outputs(HEAD
        "output deadline: date = household.since + 2 years\n"
        "output expired: bool = as_of >= household.since + 2 years\n",
        "2019-02-28", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1}],\"since\":\"2017-03-01\"}}",
        "{\"deadline\":\"2019-03-01\",\"expired\":false}");
    expect_outputs(HEAD "output expired: bool = as_of >= household.since + 2 years\n",
        "2019-03-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1}],\"since\":\"2017-03-01\"}}",
        "{\"expired\":true}");
}

/* age_on, years_between, months_between (full years, 周岁): born on
 * 1944-02-29, 77 on 2021-02-28 (a common year: the day `+ 77 years`
 * gives), 76 the day before; a date before the birth date is an error. */
static void ages_and_durations(void **state)
{
    const char *p = HEAD
        "let born: date = household.since\n"
        "output age: int = age_on(born, as_of)\n"
        "output over_76: bool = age_on(born, as_of) >= 77\n"
        "output served_years: int = years_between(born, as_of)\n"
        "output served_months: int = months_between(born, as_of)\n"
        "output back: int = months_between(as_of, born)\n"
        "output fixed: int = years_between(2016-02-29, 2017-02-28)\n";
    const char *in = "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1}],\"since\":\"1944-02-29\"}}";
    expect_outputs(p, "2021-02-28", in,
                   "{\"age\":77,\"over_76\":true,\"served_years\":77,\"served_months\":924,\"back\":-924,\"fixed\":1}");
    expect_outputs(p, "2021-02-27", in,
                   "{\"age\":76,\"over_76\":false,\"served_years\":76,\"served_months\":923,\"back\":-923,\"fixed\":1}");
    compiled c;
    compile_text(&c, HEAD "output age: int = age_on(household.since, as_of)\n");
    char *got = decide(c.policy, "2019-01-01",
                       "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1}],\"since\":\"2020-01-01\"}}");
    if (!strstr(got, "age_on: the date 2019-01-01 is before the birth date 2020-01-01")) print_error("%s\n", got);
    assert_non_null(strstr(got, "age_on: the date 2019-01-01 is before the birth date 2020-01-01"));
    free(got);
    compiled_free(&c);
}

static void overflow_is_an_error(void **state)
{
    compiled c;
    compile_text(&c, HEAD "output big: money per month = sum(m.income * 1000000 for m in household.members)\n");
    assert_non_null(c.policy);
    char *got = decide(c.policy, "2019-01-01",
        "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"income\":\"9000000000.00\"}]}}");
    assert_string_equal(got, "ERROR: arithmetic overflow");
    free(got);
    compiled_free(&c);
}

static void sub_fen_output_is_an_error(void **state)
{
    compiled c;
    compile_text(&c, HEAD "output x: money per month = sum(m.income for m in household.members) * 0.33333\n");
    char *got = decide(c.policy, "2019-01-01", FAMILY);
    assert_non_null(strstr(got, "digits below the fen"));
    free(got);
    compiled_free(&c);
}

static void outside_covered_period(void **state)
{
    compiled c;
    compile_text(&c, "policy t.p \"t\"\ncovers 2017-01-01 to 2017-12-31\nuse t.household\noutput x: int = 1\n");
    char *got = decide(c.policy, "2018-01-01", FAMILY);
    assert_non_null(strstr(got, "outside the period this policy covers (2017-01-01 to 2017-12-31)"));
    free(got);
    compiled_free(&c);
}

/* Regression: a parameter whose first value starts with the covered
 * period, read on the day before it, used to report "no value of
 * parameter `s`" (parameters were bound before the period was checked);
 * the day is outside the period, and that is what the decision says. */
static void before_covers_with_parameter(void **state)
{
    compiled c;
    compile_text(&c, "policy t.p \"t\"\ncovers 2017-01-01 to 2017-12-31\nuse t.household\n"
                     "parameter s: int\n  from 2017-01-01: 3\noutput x: int = s\n");
    char *got = decide(c.policy, "2016-12-31", FAMILY);
    assert_non_null(strstr(got, "as_of 2016-12-31 is outside the period this policy covers (2017-01-01 to 2017-12-31)"));
    assert_null(strstr(got, "no value of parameter"));
    free(got);
    got = decide(c.policy, "2018-01-01", FAMILY);
    assert_non_null(strstr(got, "outside the period this policy covers"));
    free(got);
    compiled_free(&c);
}

static void loop_over_numbers(void **state)
{
    /* count(x in [1, 2, 3] where x > 1) = 2 and the sum 2 + 3 = 5: the
     * loop variable is the number itself (count once read a pointer) */
    expect_outputs(HEAD "let xs: list of int = [1, 2, 3]\n"
        "output n: int = count(x in xs where x > 1)\n"
        "output s: int = sum(x for x in xs where x > 1)\n",
        "2019-01-01", FAMILY, "{\"n\":2,\"s\":5}");
}

static void overflow_only_when_taken(void **state)
{
    /* big + big overflows; `unless` takes it or not (vm.c computes both
     * arms of such a rule and must report the overflow only when taken) */
    const char *taken = HEAD "let big: money = 9000000000000.00\nlet n = count(household.members)\n"
        "output y: money = big + big unless n > 100 then 0.00\n";
    const char *not_taken = HEAD "let big: money = 9000000000000.00\nlet n = count(household.members)\n"
        "output y: money = big + big unless n < 100 then 0.00\n";
    compiled c;
    compile_text(&c, taken);
    assert_non_null(c.policy);
    char *got = decide(c.policy, "2019-01-01", FAMILY);
    assert_string_equal(got, "ERROR: arithmetic overflow");
    free(got);
    compiled_free(&c);
    expect_outputs(not_taken, "2019-01-01", FAMILY, "{\"y\":\"0.00\"}");
}

static void div_round_fast_path(void **state)
{
    /* dec_div_round's 64-bit half-up case against the 128-bit routine,
     * on ties (2579.99 / 3 has none; 1000.01 / 2 = 500.005 is one),
     * quanta, signs and magnitudes near the 64-bit edge */
    static const int64_t as[] = {0, 1, 5000, 1000010000, 2579990000, 859996666, 9223372036854, 9223372036854775807,
                                 -1, -1000010000, INT64_MIN};
    static const int64_t bs[] = {1, 2, 3, 7, 2000000, 3000000, 1000000, 922337203685477, -2000000, 0};
    static const int64_t qs[] = {1, 10000, 1000000, 5000, 922337203685477};
    for (size_t i = 0; i < sizeof as / sizeof *as; i++)
        for (size_t j = 0; j < sizeof bs / sizeof *bs; j++)
            for (size_t k = 0; k < sizeof qs / sizeof *qs; k++)
                for (int m = ROUND_HALF_UP; m <= ROUND_FLOOR; m++) {
                    int64_t fast = 0, wide = 0;
                    dec_status s1 = dec_div_round(as[i], bs[j], qs[k], (dec_round_mode)m, &fast);
                    dec_status s2 = dec_div_round_wide(as[i], bs[j], qs[k], (dec_round_mode)m, &wide);
                    assert_int_equal(s1, s2);
                    if (s1 == DEC_OK) assert_int_equal(fast, wide);
                }
}

/* Every test of every shipped and illustrative policy, both ways; and
 * 300 generated households through every policy of households, on the
 * first day, a day in 2019 and the last day each policy covers. */
static void shipped_policies_both_ways(void **state)
{
    registry r;
    uint32_t ntests = 0, nhouseholds = 0;
    assert_int_equal(load_policies(&r), 0);
    for (uint32_t i = 0; i < r.npolicies; i++) {
        const policy *p = r.policies[i];
        for (uint32_t t = 0; t < p->ntests; t++) {
            const ast_node *tn = p->tests[t].node;
            int64_t as_of;
            if (!tn->a || date_parse(tn->a->text, strlen(tn->a->text), &as_of)) continue;
            buf in;
            buf_init(&in);
            test_given_json(&in, tn);
            ntests += (uint32_t)same_both_ways(p, as_of, in.data, in.len);
            buf_free(&in);
        }
        if (strcmp(p->root->name, "household") != 0) continue;
        int64_t days[] = {p->tree.covers_from, 17897 /* 2019-01-01 */, p->tree.covers_until};
        uint64_t seed = 1;
        for (int h = 0; h < 300; h++) {
            buf in;
            buf_init(&in);
            random_household(&in, &seed);
            nhouseholds += (uint32_t)same_both_ways(p, days[h % 3], in.data, in.len);
            buf_free(&in);
        }
    }
    registry_free(&r);
    print_message("%u policy tests and %u households evaluated both ways\n", ntests, nhouseholds);
    assert_true(ntests >= 150);
    assert_true(nhouseholds >= 3000);
}

/* The node list's columns hold for every shipped policy's tree: each
 * operand a node kind's arity names is a node (or -1, an absent filter);
 * every instruction has a name; each node a program leaves to the walker
 * (a TREE or TREE_CELL instruction: tables of several columns or other
 * hit policies, parameters `at` a date, list literals) is counted in
 * ev_prog.ntree and named here; and tianjin.dibao and tianjin.tekun_care,
 * the benchmark's pair, leave none. */
static void node_list_columns(void **state)
{
    static const int arity[EV_KIND_COUNT] = {
#define X(name, ar, result, vm, doc) [EV_##name] = ar,
        EV_NODE_LIST(X)
#undef X
    };
    registry r;
    assert_int_equal(load_policies(&r), 0);
    uint32_t nprog = 0, total = 0;
    for (uint32_t i = 0; i < r.npolicies; i++) {
        const ev_tree *t = &r.policies[i]->tree;
        for (uint32_t k = 0; k < t->nnodes; k++) {
            const ev_node *n = &t->nodes[k];
            const int32_t ops[3] = {n->a, n->b, n->c};
            assert_true(n->kind < EV_KIND_COUNT);
            for (int o = 0; o < arity[n->kind]; o++)
                assert_true(ops[o] >= -1 && ops[o] < (int32_t)t->nnodes);
        }
        assert_non_null(t->prog);
        nprog++;
        for (uint32_t k = 0; k < t->prog->ncode; k++)
            assert_string_not_equal(ev_op_name(t->prog->code[k].op), "?");
        uint32_t ntree = 0;
        for (uint32_t k = 0; k < t->prog->ncode; k++) {
            const ev_insn *in = &t->prog->code[k];
            if (in->op == EV_OP_TREE || in->op == EV_OP_TREE_CELL) {
                print_message("%s: a %s node left to the tree walker\n", r.policies[i]->name,
                              ev_op_name(t->nodes[in->imm].kind));
                ntree++;
            }
        }
        assert_int_equal(t->prog->ntree, ntree);
        total += ntree;
        const char *name = r.policies[i]->name;
        if (strcmp(name, "tianjin.dibao") == 0 || strcmp(name, "tianjin.tekun_care") == 0)
            assert_int_equal(ntree, 0);
    }
    assert_string_equal(ev_op_name(EV_ADD_DEC), "ADD_DEC");
    assert_string_equal(ev_op_name(EV_OP_SCAN), "SCAN");
    assert_string_equal(ev_op_name(EV_OP_COUNT), "?");
    assert_int_equal(nprog, r.npolicies);
    print_message("%u nodes of %u policies left to the tree walker\n", total, nprog);
    registry_free(&r);
}

/* A tree the compiler cannot make: a list node (LIST_SLOT) asked for as
 * a scalar, and a scalar node (AS_OF) as a list.  Each is an internal
 * error, EVE_INTERNAL (not EVE_OVERFLOW), after a failed ALWAYS that
 * aborts in debug builds unless told not to, as here. */
static void internal_error_is_its_own_code(void **state)
{
    ev_node nodes[2] = {{.kind = EV_LIST_SLOT, .a = 0, .b = -1, .c = -1, .loc = 7},
                        {.kind = EV_AS_OF, .a = -1, .b = -1, .c = -1, .loc = 9}};
    ev_tree t;
    memset(&t, 0, sizeof t);
    t.nodes = nodes;
    t.nnodes = 2;
    t.nslots = 1;
    ev_cell frame[1] = {{0}};
    ev_ctx c;
    ev_ctx_init(&c, &t, frame, NULL);
    unsigned long before = always_failures;
    always_abort = 0;
    assert_int_equal(ev_scalar(&c, 0), 0);
    assert_int_equal(c.err.code, EVE_INTERNAL);
    assert_int_equal(c.err.loc, 7);
    assert_string_equal(c.err.msg, "internal error: a LIST_SLOT node is not a scalar");
    ev_ctx_init(&c, &t, frame, NULL);
    ev_value(&c, 1);
    always_abort = 1;
    assert_int_equal(c.err.code, EVE_INTERNAL);
    assert_string_equal(c.err.msg, "internal error: a AS_OF node is not a list");
#ifndef NDEBUG
    assert_int_equal(always_failures, before + 2);
#else
    assert_int_equal(always_failures, before);
#endif
}

/* demo.elder_age (age_on, months_between) on generated elders, both
 * ways: birth dates from 1900 to 2030 (a third of them on 29 February),
 * decision dates over the whole covered period, some before the birth
 * (the error must agree too). */
static void generated_elders_both_ways(void **state)
{
    registry r;
    assert_int_equal(load_policies(&r), 0);
    const policy *p = registry_find(&r, "demo.elder_age");
    assert_non_null(p);
    uint64_t seed = 80;
    int valid = 0, unborn = 0;
    for (int i = 0; i < 20000; i++) {
        char born[11], json[96];
        int y = 1900 + draw(&seed, 131);
        int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        int64_t b = leap && draw(&seed, 3) == 0 ? date_from_ymd(y, 2, 29)
                                               : date_from_ymd(y, 1 + draw(&seed, 12), 1 + draw(&seed, 28));
        int64_t as_of = p->tree.covers_from + draw(&seed, (int)(p->tree.covers_until - p->tree.covers_from + 1));
        date_format(b, born);
        int n = snprintf(json, sizeof json, "{\"elder\":{\"birth_date\":\"%s\",\"in_hardship\":%s}}", born,
                         draw(&seed, 2) ? "true" : "false");
        char *agreed = NULL;
        valid += same_both_ways_into(p, as_of, json, (size_t)n, &agreed);
        unborn += agreed && strncmp(agreed, "ERROR", 5) == 0;
        free(agreed);
    }
    registry_free(&r);
    print_message("20000 generated elders agree both ways, %d of them not yet born on the date\n", unborn);
    assert_int_equal(valid, 20000);
    assert_true(unborn > 0 && unborn < 2000);
}

/* demo.nursing_share (refusals) on generated care homes, both ways, each
 * against the rule written out: refused for more nursing beds than beds
 * (first) or a rating after the decision date, else met at 80% or more. */
static void generated_care_homes_both_ways(void **state)
{
    registry r;
    assert_int_equal(load_policies(&r), 0);
    const policy *p = registry_find(&r, "demo.nursing_share");
    assert_non_null(p);
    uint64_t seed = 4;
    int refused = 0, met = 0;
    for (int i = 0; i < 20000; i++) {
        int total = 1 + draw(&seed, 200), nursing = draw(&seed, total + 20);
        int64_t as_of = p->tree.covers_from + draw(&seed, (int)(p->tree.covers_until - p->tree.covers_from + 1));
        int64_t rated = as_of - 400 + draw(&seed, 420);
        char d[11], json[128], want[128];
        date_format(rated, d);
        int n = snprintf(json, sizeof json, "{\"care_home\":{\"total_beds\":%d,\"nursing_beds\":%d,\"rated_on\":\"%s\"}}",
                         total, nursing, d);
        if (nursing > total)
            snprintf(want, sizeof want, "ERROR %d", EVE_REFUSED), refused++;
        else if (rated > as_of)
            snprintf(want, sizeof want, "ERROR %d", EVE_REFUSED), refused++;
        else
            snprintf(want, sizeof want, "share_met=%s ", nursing * 100 >= 80 * total ? "true" : "false");
        met += nursing <= total && rated <= as_of && nursing * 100 >= 80 * total;
        char *agreed = NULL;
        assert_int_equal(same_both_ways_into(p, as_of, json, (size_t)n, &agreed), 1);
        if (strncmp(agreed, want, strlen(want)) != 0) print_error("%s: got %s, want %s\n", json, agreed, want);
        assert_true(strncmp(agreed, want, strlen(want)) == 0);
        assert_true(nursing <= total || strstr(agreed, "护理型床位数不能超过床位总数"));
        free(agreed);
    }
    registry_free(&r);
    print_message("20000 generated care homes agree both ways: %d refused, %d meet the share\n", refused, met);
    assert_true(refused > 2000 && met > 2000);
}

/* tianjin.committee_size (an advisory norm, `warn when`) on generated
 * committees, both ways, against the seed's sizes written out: 5 to 7,
 * 3 to 5, 5 to 9 members by body; outside them the one warning holds
 * and the decision is still made. */
static void generated_committees_both_ways(void **state)
{
    registry r;
    assert_int_equal(load_policies(&r), 0);
    const policy *p = registry_find(&r, "tianjin.committee_size");
    assert_non_null(p);
    static const char *const body[] = {"party_committee", "party_branch", "residents_committee"};
    static const int lo[] = {5, 3, 5}, hi[] = {7, 5, 9};
    uint64_t seed = 13;
    int warned = 0;
    for (int i = 0; i < 20000; i++) {
        int k = draw(&seed, 3), members = draw(&seed, 15);
        int64_t as_of = p->tree.covers_from + draw(&seed, (int)(p->tree.covers_until - p->tree.covers_from + 1));
        char json[96], want[96];
        int n = snprintf(json, sizeof json, "{\"committee\":{\"body\":\"%s\",\"members\":%d}}", body[k], members);
        int out = members < lo[k] || members > hi[k];
        snprintf(want, sizeof want, "proposed=%d min_members=%d max_members=%d %s", members, lo[k], hi[k],
                 out ? "warned=1 " : "");
        warned += out;
        char *agreed = NULL;
        assert_int_equal(same_both_ways_into(p, as_of, json, (size_t)n, &agreed), 1);
        if (strcmp(agreed, want) != 0) print_error("%s: got %s, want %s\n", json, agreed, want);
        assert_string_equal(agreed, want);
        free(agreed);
    }
    registry_free(&r);
    print_message("20000 generated committees agree both ways, %d outside the usual size\n", warned);
    assert_true(warned > 2000 && warned < 18000);   /* both kinds, many times */
}

/* The hand-written reference (as bench/baseline/dibao.c decides): 低保
 * 860.00 per person per month, eligible below 860 x size, the benefit
 * the difference, the per-capita income rounded half up to the fen; the
 * 特困 care subsidy 800.00 / 400.00 / 0.00 for full / partial / no loss
 * of self-care (the tianjin policies cite the seed). */
static void reference_dibao(const drawn_household *d, char *out, size_t n)
{
    int64_t total = 0;
    for (int i = 0; i < d->n; i++) total += d->income_fen[i];
    int64_t threshold = 86000 * d->n, benefit = total < threshold ? threshold - total : 0;
    int64_t per_capita = (2 * total + d->n) / (2 * d->n);
    snprintf(out, n, "eligible=%s monthly_benefit=\"%lld.%02lld\" per_capita_income=\"%lld.%02lld\" ",
             total < threshold ? "true" : "false", (long long)(benefit / 100), (long long)(benefit % 100),
             (long long)(per_capita / 100), (long long)(per_capita % 100));
}

static int64_t reference_care(const drawn_household *d)
{
    static const int64_t fen[] = {0, 40000, 80000};   /* full, partial, none */
    int64_t care = 0;
    for (int i = 0; i < d->n; i++)
        if (d->tekun[i]) care += fen[d->care[i]];
    return care;
}

/* How many generated households the differential test draws: a million
 * by default, a tenth of it in a sanitizer build;
 * ELIGO_DIFF_HOUSEHOLDS sets it. */
static long differential_households(void)
{
    const char *e = getenv("ELIGO_DIFF_HOUSEHOLDS");
    if (e && atol(e) > 0) return atol(e);
#if defined(__SANITIZE_ADDRESS__)
    return 100000;
#else
    return 1000000;
#endif
}

/* Goal 20's differential run: generated households through
 * tianjin.dibao and tianjin.tekun_care, each evaluated by the flat
 * program and by the tree walker (which must agree on every let and
 * output) and compared with the hand-written reference; every tenth
 * household also through every other household policy both ways, among
 * them demo.text_results (text tables under unique, priority and
 * collect, text and list if/else, collect count with an else). */
static void generated_households_differential(void **state)
{
    registry r;
    assert_int_equal(load_policies(&r), 0);
    const policy *dibao_p = registry_find(&r, "tianjin.dibao");
    const policy *care_p = registry_find(&r, "tianjin.tekun_care");
    assert_non_null(dibao_p);
    assert_non_null(care_p);
    assert_non_null(registry_find(&r, "demo.text_results"));
    long n = differential_households(), others = 0;
    uint64_t seed = 20;
    int64_t as_of = 17897;   /* 2019-01-01 */
    buf in;
    buf_init(&in);
    for (long h = 0; h < n; h++) {
        drawn_household d;
        buf_reset(&in);
        random_household_drawn(&in, &seed, &d);
        char *got = NULL, want[160];
        assert_true(same_both_ways_into(dibao_p, as_of, in.data, in.len, &got));
        reference_dibao(&d, want, sizeof want);
        if (!strstr(got, want)) print_error("tianjin.dibao on %s:\nprogram   %s\nreference %s\n", in.data, got, want);
        assert_non_null(strstr(got, want));
        free(got);
        assert_true(same_both_ways_into(care_p, as_of, in.data, in.len, &got));
        int64_t care = reference_care(&d);
        snprintf(want, sizeof want, "monthly_care_subsidy=\"%lld.%02lld\" ", (long long)(care / 100),
                 (long long)(care % 100));
        if (!strstr(got, want)) print_error("tianjin.tekun_care on %s:\nprogram   %s\nreference %s\n", in.data, got, want);
        assert_non_null(strstr(got, want));
        free(got);
        if (h % 10) continue;
        for (uint32_t i = 0; i < r.npolicies; i++) {
            const policy *p = r.policies[i];
            if (p == dibao_p || p == care_p || strcmp(p->root->name, "household") != 0) continue;
            int64_t day = h % 20 ? as_of : p->tree.covers_until;
            others += same_both_ways(p, day, in.data, in.len);
        }
    }
    buf_free(&in);
    registry_free(&r);
    print_message("%ld generated households: tianjin.dibao and tianjin.tekun_care agree with the hand-written "
                  "reference and both evaluators; %ld more decisions of other policies agree both ways\n", n, others);
    assert_true(others > 0);
}

/* A generic input generator, driven by the compiled model: one random
 * request for a policy's root entity, every field drawn within what the
 * model declares of it (json_in.c checks the same bounds), so that most
 * inputs validate and the evaluators, not the reader, are what is
 * exercised.  Numbers fall often on their bounds and on 0 and 1, where
 * comparisons flip; dates around the covered period, on 29 February and
 * a lifetime back for birth dates.  A field with a default is left out
 * one time in eight, so defaults are read too. */
typedef struct gen {
    uint64_t seed;
    int64_t from, until;   /* the policy's covered period, in days */
    int serial;            /* makes most texts distinct (ids) */
} gen;

/* A value in [lo, hi]: a bound, 0 or 1 when they are inside, a step
 * from a bound, a small value or one anywhere in the range. */
static int64_t gen_in_range(gen *g, int64_t lo, int64_t hi, int64_t one)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo, r;   /* unsigned: no overflow */
    int64_t v;
    switch (draw(&g->seed, 8)) {
    case 0: v = lo; break;
    case 1: v = hi; break;
    case 2: v = 0; break;
    case 3: v = one; break;
    case 4: v = draw(&g->seed, 2) ? lo + one : hi - one; break;
    case 5: v = lo + (int64_t)draw(&g->seed, 100) * one; break;
    default:
        r = (uint64_t)draw(&g->seed, 1 << 30) << 30 | (uint64_t)draw(&g->seed, 1 << 30);
        v = (int64_t)((uint64_t)lo + (span == UINT64_MAX ? r : r % (span + 1)));
    }
    return v < lo || v > hi ? lo : v;
}

/* The bounds of f's values, with made-up ones where the model has none:
 * [0, dflt_hi] mostly, and now and then a negative lower end. */
static void gen_bounds(gen *g, const field_def *f, int64_t dflt_hi, int64_t *lo, int64_t *hi)
{
    *lo = f && f->has_min ? f->min : draw(&g->seed, 10) ? 0 : -dflt_hi / 100;
    *hi = f && f->has_max ? f->max : *lo + dflt_hi;
    if (f && f->has_max && !f->has_min && *lo > *hi) *lo = *hi - dflt_hi;
}

static void gen_decimal(buf *b, gen *g, const ty *t, const field_def *f)
{
    int money = t->kind == TY_MONEY;
    int64_t q = money ? 10000 : draw(&g->seed, 2) ? 1000 : 1;   /* the quantum: a fen, or finer */
    int64_t lo, hi;
    gen_bounds(g, f, (money ? 20000 : 1000) * DEC_SCALE, &lo, &hi);
    int64_t v = gen_in_range(g, lo, hi, DEC_SCALE);
    if (draw(&g->seed, 2)) v = v / DEC_SCALE * DEC_SCALE;   /* whole numbers are common */
    v -= v % q;
    if (v < lo) v += q;
    if (v < lo || v > hi) v = lo;
    char s[48];
    dec_format(v, money ? 2 : 0, s);
    buf_printf(b, "\"%s\"", s);
}

static void gen_date(buf *b, gen *g, const field_def *f)
{
    int64_t v;
    switch (draw(&g->seed, 5)) {
    case 0: v = date_from_ymd(1904 + 4 * draw(&g->seed, 32), 2, 29); break;
    case 1: v = g->from - 36500 + draw(&g->seed, 36500); break;   /* a lifetime back */
    default: v = g->from - 400 + draw(&g->seed, (int)(g->until - g->from + 800));
    }
    if (f && f->has_min && (v < f->min || !draw(&g->seed, 8))) v = f->min;
    if (f && f->has_max && (v > f->max || !draw(&g->seed, 8))) v = f->max;
    char s[11];
    date_format(v, s);
    buf_printf(b, "\"%s\"", s);
}

/* A short text within f's length bounds, mostly distinct. */
static void gen_text(buf *b, gen *g, const field_def *f)
{
    static const char *const piece[] = {"a", "甲", "b", "乙", "x"};
    int64_t lo = f && f->has_min ? f->min : 0, hi = f && f->has_max ? f->max : 8;
    char s[16];
    int n = snprintf(s, sizeof s, "t%d", g->serial++);
    buf_addc(b, '"');
    if (n >= lo && n <= hi && draw(&g->seed, 4)) {
        buf_adds(b, s);
    } else {
        int64_t len = lo + draw(&g->seed, (int)((hi < lo + 8 ? hi : lo + 8) - lo + 1));
        for (int64_t k = 0; k < len; k++) buf_adds(b, piece[draw(&g->seed, 5)]);
    }
    buf_addc(b, '"');
}

static void gen_entity(buf *b, gen *g, const entity_def *e, int depth);

static void gen_value(buf *b, gen *g, const ty *t, const field_def *f, int depth)
{
    int64_t lo, hi;
    switch (t->kind) {
    case TY_BOOL: buf_adds(b, draw(&g->seed, 2) ? "true" : "false"); break;
    case TY_INT:
        gen_bounds(g, f, 120, &lo, &hi);
        buf_printf(b, "%lld", (long long)gen_in_range(g, lo, hi, 1));
        break;
    case TY_DECIMAL: case TY_MONEY: case TY_NUMBER: gen_decimal(b, g, t, f); break;
    case TY_DATE: gen_date(b, g, f); break;
    case TY_TEXT: gen_text(b, g, f); break;
    case TY_ENUM: buf_printf(b, "\"%s\"", t->en->values[draw(&g->seed, (int)t->en->nvalues)]); break;
    case TY_ENTITY: gen_entity(b, g, t->ent, depth + 1); break;
    case TY_LIST: case TY_MAP: {
        int64_t nlo = f && f->has_min ? f->min : 0, nhi = f && f->has_max && f->max < 6 ? f->max : 6;
        int n = (int)(depth > 2 ? nlo : nlo + draw(&g->seed, (int)(nhi >= nlo ? nhi - nlo + 1 : 1)));
        buf_addc(b, t->kind == TY_LIST ? '[' : '{');
        for (int k = 0; k < n; k++) {
            if (k) buf_addc(b, ',');
            if (t->kind == TY_MAP) buf_printf(b, "\"k%d\":", k);
            gen_value(b, g, t->elem, NULL, depth + 1);
        }
        buf_addc(b, t->kind == TY_LIST ? ']' : '}');
        break;
    }
    default: buf_adds(b, "null");   /* no other kind is stored in a record */
    }
}

static void gen_entity(buf *b, gen *g, const entity_def *e, int depth)
{
    int first = 1;
    buf_addc(b, '{');
    for (uint32_t i = 0; i < e->nfields; i++) {
        const field_def *f = &e->fields[i];
        if (!f->required && draw(&g->seed, 8) == 0) continue;
        buf_printf(b, "%s\"%s\":", first ? "" : ",", f->name);
        first = 0;
        gen_value(b, g, f->type, f, depth);
    }
    buf_addc(b, '}');
}

/* One request for p's root entity into b (reset first). */
static void generated_input(buf *b, gen *g, const policy *p)
{
    buf_reset(b);
    buf_printf(b, "{\"%s\":", p->root->name);
    gen_entity(b, g, p->root, 0);
    buf_addc(b, '}');
}

/* How many inputs generated_inputs_both_ways draws per policy. */
#define GENERATED_PER_POLICY 500

/* Every shipped and illustrative policy, whatever its model, on
 * GENERATED_PER_POLICY generated inputs spread over its first covered
 * day, the middle one and the last: the flat program and the tree walker
 * agree on every one (outputs, lets, warnings, the refusal or error).
 * Each policy must decide at least a tenth of them, or the generator
 * tests only the reader's rejections. */
static void generated_inputs_both_ways(void **state)
{
    registry r;
    assert_int_equal(load_policies(&r), 0);
    buf in;
    buf_init(&in);
    long total = 0, refusals = 0, errors = 0;
    uint32_t other_roots = 0;
    for (uint32_t i = 0; i < r.npolicies; i++) {
        const policy *p = r.policies[i];
        other_roots += strcmp(p->root->name, "household") != 0;
        gen g = {.seed = 1000 + i, .from = p->tree.covers_from, .until = p->tree.covers_until};
        int64_t days[] = {g.from, g.from + (g.until - g.from) / 2, g.until};
        int decided = 0, rejected = 0, refused = 0, errored = 0;
        for (int k = 0; k < GENERATED_PER_POLICY; k++) {
            generated_input(&in, &g, p);
            char *agreed = NULL;
            if (!same_both_ways_into(p, days[k % 3], in.data, in.len, &agreed)) rejected++;
            else if (strncmp(agreed, "ERROR ", 6) != 0) decided++;
            else if (atoi(agreed + 6) == EVE_REFUSED) refused++;
            else errored++;
            free(agreed);
        }
        print_message("%-32s decided %3d, rejected by the model %3d, refused %3d, errors %3d\n", p->name, decided,
                      rejected, refused, errored);
        if (decided * 10 < GENERATED_PER_POLICY) print_error("%s: too few decided; last input %s\n", p->name, in.data);
        assert_true(decided * 10 >= GENERATED_PER_POLICY);
        total += decided;
        refusals += refused;
        errors += errored;
    }
    buf_free(&in);
    registry_free(&r);
    print_message("%ld generated inputs decided, %ld refused and %ld in error alike both ways; %u policies "
                  "read an entity other than household\n", total, refusals, errors, other_roots);
    /* the refusal and error paths are compared too, and the policies
     * the household generator cannot feed are among those run */
    assert_true(refusals > 0 && errors > 0);
    assert_true(other_roots >= 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dibao),
        cmocka_unit_test(node_list_columns),
        cmocka_unit_test(internal_error_is_its_own_code),
        cmocka_unit_test(no_value_says_which_case),
        cmocka_unit_test(at_dates_checked_statically),
        cmocka_unit_test(exactly_at_standard),
        cmocka_unit_test(point_one_plus_point_two),
        cmocka_unit_test(half_fen_rounding),
        cmocka_unit_test(per_month_conversion),
        cmocka_unit_test(int_rounding),
        cmocka_unit_test(dated_parameters),
        cmocka_unit_test(unless_rules),
        cmocka_unit_test(unique_table),
        cmocka_unit_test(hit_policies),
        cmocka_unit_test(text_table_results),
        cmocka_unit_test(text_table_else),
        cmocka_unit_test(text_if_else),
        cmocka_unit_test(text_unless),
        cmocka_unit_test(collect_count_else),
        cmocka_unit_test(grade_table_two_columns),
        cmocka_unit_test(aggregations),
        cmocka_unit_test(sum_and_map_in_one_loop),
        cmocka_unit_test(dates),
        cmocka_unit_test(ages_and_durations),
        cmocka_unit_test(overflow_is_an_error),
        cmocka_unit_test(sum_and_map_overflow),
        cmocka_unit_test(count_and_sum_in_one_instruction),
        cmocka_unit_test(sub_fen_output_is_an_error),
        cmocka_unit_test(outside_covered_period),
        cmocka_unit_test(before_covers_with_parameter),
        cmocka_unit_test(generated_committees_both_ways),
        cmocka_unit_test(loop_over_numbers),
        cmocka_unit_test(overflow_only_when_taken),
        cmocka_unit_test(div_round_fast_path),
        cmocka_unit_test(shipped_policies_both_ways),
        cmocka_unit_test(percent_and_wan_literals),
        cmocka_unit_test(partial_table_value_or),
        cmocka_unit_test(generated_elders_both_ways),
        cmocka_unit_test(generated_care_homes_both_ways),
        cmocka_unit_test(generated_households_differential),
        cmocka_unit_test(generated_inputs_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
