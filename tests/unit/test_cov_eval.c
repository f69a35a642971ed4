/*
 * test_cov_eval.c - the evaluator's less used paths, most run both ways:
 * by the flat program (vm.c) and by the tree walker (eval.c), which must
 * print the same outputs or the same error.
 *
 * The cases are the evaluation errors a decision can end in (overflow,
 * division by zero, a date out of range, min of an empty list, collect
 * min or max with no row), the fused loop comparisons and date
 * arithmetic of the program, text comparison, the sum-and-map fusion,
 * a bool column looked up by table.  Then parts checked on their own:
 * the scalar formatter, the disassembler, model lookups, dates of
 * five-digit years, and explained decisions (margins of whole counts,
 * warnings, a parameter read inside a loop, an int percentage), which
 * go through decision_make rather than both evaluators.  Every expected
 * value is worked out in the comment beside it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"
#include "eval/vm.h"
#include "io/decision.h"
#include "eval/model.h"

#define HEAD "policy t.p \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"
#define BIG "9223372036854775807"           /* INT64_MAX */

/* One way of evaluating `json` at `date`: the outputs as JSON, or
 * "ERROR code: message". */
static char *one_way(const policy *p, const char *date, const char *json, int walk)
{
    arena pool;
    arena_init(&pool, 8192);
    json_errors errs;
    ev_cell *root = NULL;
    assert_int_equal(json_input_parse(json, strlen(json), p->root, "", &pool, &root, &errs), JSON_OK);
    int64_t d;
    assert_int_equal(date_parse(date, strlen(date), &d), 0);
    ev_cell *frame = calloc(p->tree.nslots, sizeof(ev_cell));
    ev_ctx c;
    ev_ctx_init(&c, &p->tree, frame, &pool);
    c.walk = walk;
    buf b;
    buf_init(&b);
    if (ev_bind(&c, d) || ev_run(&c, root))
        buf_printf(&b, "ERROR %d: %s", (int)c.err.code, c.err.msg);
    else
        json_write_outputs(&b, p, &c);
    char *out = strdup(buf_cstr(&b));
    buf_free(&b);
    free(frame);
    arena_free(&pool);
    return out;
}

/* Compiles HEAD + body into c; the test fails, showing the
 * diagnostics, when it does not compile. */
static void compile_body(compiled *c, const char *body)
{
    char *text = malloc(strlen(HEAD) + strlen(body) + 1);
    assert_non_null(text);
    strcpy(text, HEAD);
    strcat(text, body);
    compile_text(c, text);
    free(text);
    if (!c->policy) print_error("%s", c->diags);
    assert_non_null(c->policy);
}

/* Compiles HEAD + body, evaluates both ways, and requires `want` from
 * each. */
static void expect_both(const char *body, const char *date, const char *json, const char *want)
{
    compiled c;
    compile_body(&c, body);
    for (int walk = 0; walk < 2; walk++) {
        char *got = one_way(c.policy, date, json, walk);
        if (strcmp(got, want) != 0) print_error("%s:\n got  %s\n want %s\n", walk ? "walker" : "program", got, want);
        assert_string_equal(got, want);
        free(got);
    }
    compiled_free(&c);
}

#define ONE(extra) "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40}]" extra "}}"

/* INT64_MAX + 1, INT64_MAX * 2 and 0 - INT64_MAX - 2 leave int64. */
static void int_overflow(void **state)
{
    (void)state;
    expect_both("output x: int = household.size_hint + 1\n", "2019-01-01", ONE(",\"size_hint\":" BIG),
                "ERROR 3: arithmetic overflow");
    expect_both("output x: int = household.size_hint * 2\n", "2019-01-01", ONE(",\"size_hint\":" BIG),
                "ERROR 3: arithmetic overflow");
    expect_both("output x: int = 0 - household.size_hint - 2\n", "2019-01-01", ONE(",\"size_hint\":" BIG),
                "ERROR 3: arithmetic overflow");
    /* 0 - INT64_MAX - 1 is INT64_MIN, whose negation is not an int64 */
    expect_both("let low: int \"最小\" = 0 - household.size_hint - 1\noutput x: int = -low\n", "2019-01-01",
                ONE(",\"size_hint\":" BIG), "ERROR 3: arithmetic overflow");
    /* the largest int itself is fine: 9223372036854775807 - 1 */
    expect_both("output x: int = household.size_hint - 1\n", "2019-01-01", ONE(",\"size_hint\":" BIG),
                "{\"x\":9223372036854775806}");
}

/* Two members with INT64_MAX / 2 + 1 each: their sum is INT64_MAX + 1. */
static void sum_overflow(void **state)
{
    (void)state;
    expect_both("output x: int = sum(m.age * household.size_hint for m in household.members)\n", "2019-01-01",
                "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1},{\"id\":\"b\",\"age\":1}],"
                "\"size_hint\":4611686018427387904}}",
                "ERROR 3: arithmetic overflow in sum");
}

/* 10 / 0 as decimals, and int 7 / 0 once converted. */
static void division_by_zero(void **state)
{
    (void)state;
    expect_both("output x: decimal = 10 / household.size_hint\n", "2019-01-01", ONE(",\"size_hint\":0"),
                "ERROR 4: division by zero");
    /* 10 / 4 = 2.5 exactly */
    expect_both("output x: decimal = 10 / household.size_hint\n", "2019-01-01", ONE(",\"size_hint\":4"),
                "{\"x\":\"2.5\"}");
}

/* 2000-01-01 + 200 years is 2200-01-01, past 2199-12-31; in days and
 * months as well. */
static void date_out_of_range(void **state)
{
    (void)state;
    static const char *const past[] = {"output x: date = household.since + 200 years\n",
                                       "output x: date = household.since + 2400 months\n",
                                       "output x: date = household.since + 80000 days\n"};
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++)
        expect_both(past[i], "2019-01-01", ONE(""), "ERROR 3: date out of range");
    /* 2016-02-29 + 1 year = 2017-02-28 (the last day of the shorter
     * month), + 1 month = 2016-03-29, + 1 day = 2016-03-01 */
    expect_both("output y: date = household.since + 1 year\noutput m: date = household.since + 1 month\n"
                "output d: date = household.since + 1 day\n",
                "2019-01-01", ONE(",\"since\":\"2016-02-29\""),
                "{\"y\":\"2017-02-28\",\"m\":\"2016-03-29\",\"d\":\"2016-03-01\"}");
}

/* min over no member older than 100 has no value. */
static void min_of_empty(void **state)
{
    (void)state;
    expect_both("output x: int = min(m.age for m in household.members where m.age > 100)\n", "2019-01-01",
                ONE(""), "ERROR 5: min of an empty list");
    expect_both("output x: int = max(m.age for m in household.members where m.age > 100)\n", "2019-01-01",
                ONE(""), "ERROR 5: max of an empty list");
}

/* The loop comparisons of a `where` against a constant, one per operator:
 * ages 10, 40, 70; texts of the same and of another length; a map over
 * no element is empty. */
static void loop_comparisons(void **state)
{
    (void)state;
    expect_both("output lt: int = count(m in household.members where m.age < 40)\n"
                "output le: int = count(m in household.members where m.age <= 40)\n"
                "output gt: int = count(m in household.members where m.age > 40)\n"
                "output ge: int = count(m in household.members where m.age >= 40)\n"
                "output eq: int = count(m in household.members where m.age == 40)\n"
                "output ne: int = count(m in household.members where m.age != 40)\n"
                "output tx: int = count(m in household.members where m.id == \"b\")\n"
                "output tn: bool = any(m.id != \"b\" for m in household.members)\n"
                "output tl: int = count(m in household.members where m.id == \"bb\")\n"
                "output mp: map of int = map(m.id => m.age for m in household.members where m.age > 100)\n",
                "2019-01-01",
                "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":10},{\"id\":\"b\",\"age\":40},"
                "{\"id\":\"c\",\"age\":70}]}}",
                "{\"lt\":1,\"le\":2,\"gt\":1,\"ge\":2,\"eq\":1,\"ne\":2,\"tx\":1,\"tn\":true,\"tl\":0,\"mp\":{}}");
}

/* collect min of a table: the least output of the rows that match; with
 * no matching row and no else row, an evaluation error. */
static void collect_min_no_row(void **state)
{
    (void)state;
    const char *t = "table f(a: int 0..150) -> int hit collect min\n  | >= 60 | 3 |\n  | >= 30 | 5 |\n"
                    "output x: int = f(max(m.age for m in household.members))\n";
    /* 40: only row 2 matches, 5 */
    expect_both(t, "2019-01-01", ONE(""), "{\"x\":5}");
    /* 70: rows 1 and 2, min(3, 5) = 3 */
    expect_both(t, "2019-01-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":70}]}}", "{\"x\":3}");
    /* 20: no row */
    expect_both(t, "2019-01-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":20}]}}",
                "ERROR 5: table `f`: no row matched for collect min");
}

/* Conditions comparing a loop field or a let with another let, taken
 * both ways: with n = 40 and ages 10, 40, 70, one age is below n, two at
 * most n, one above, one equal, n > 3 holds and n == 3 does not; with
 * n = 3 none is below or at most, three above, none equal, and the ifs
 * turn the other way.  (g to j are the negations of e, f, a and d: the
 * program jumps on the other comparison.) */
static void jumps_both_ways(void **state)
{
    (void)state;
    const char *t = "let n: int \"n\" = household.size_hint\n"
                    "output a: int = sum(if m.age < n then 1 else 0 for m in household.members)\n"
                    "output b: int = sum(if m.age <= n then 1 else 0 for m in household.members)\n"
                    "output c: int = sum(if m.age > n then 1 else 0 for m in household.members)\n"
                    "output d: int = sum(if m.age == n then 1 else 0 for m in household.members)\n"
                    "output e: int = if n > 3 then 1 else 2\n"
                    "output f: int = if n == 3 then 1 else 2\n"
                    "output g: int = if n <= 3 then 1 else 2\n"
                    "output h: int = if n != 3 then 1 else 2\n"
                    "output i: int = sum(if m.age >= n then 1 else 0 for m in household.members)\n"
                    "output j: int = sum(if m.age != n then 1 else 0 for m in household.members)\n";
#define AGES "\"members\":[{\"id\":\"a\",\"age\":10},{\"id\":\"b\",\"age\":40},{\"id\":\"c\",\"age\":70}]"
    expect_both(t, "2019-01-01", "{\"household\":{" AGES ",\"size_hint\":40}}",
                "{\"a\":1,\"b\":2,\"c\":1,\"d\":1,\"e\":1,\"f\":2,\"g\":2,\"h\":1,\"i\":2,\"j\":2}");
    expect_both(t, "2019-01-01", "{\"household\":{" AGES ",\"size_hint\":3}}",
                "{\"a\":0,\"b\":0,\"c\":3,\"d\":0,\"e\":2,\"f\":1,\"g\":1,\"h\":2,\"i\":3,\"j\":3}");
#undef AGES
}

/* `if c then x + y else z` with x, y, z lets: one instruction (PICK),
 * and its overflow reported only when that arm is the value.
 * With n = 7: p = 7 + 1 = 8, q = 7 - 1 = 6 (the else arm, under not),
 * r = 0.50 + 0.25 = 0.75 as decimals.  With n = INT64_MAX, p overflows
 * but q (INT64_MAX - 1) does not, and s takes `one` (1), its arm
 * n + one, which would overflow, not taken. */
static void pick_arms(void **state)
{
    (void)state;
    const char *t = "let n: int \"n\" = household.size_hint\nlet one: int \"一\" = 1\n"
                    "let h: decimal \"半\" = 0.50\nlet k: decimal \"四分之一\" = 0.25\nlet z: decimal \"零\" = 0\n"
                    "output q: int = if not (n > 5) then 0 else n - one\n"
                    "output r: decimal = if n > 5 then h + k else z\n";
    const char *p = "output p: int = if n > 5 then n + one else one\n";
    char both[1024];
    snprintf(both, sizeof both, "%s%s", t, p);
    expect_both(both, "2019-01-01", ONE(",\"size_hint\":7"), "{\"q\":6,\"r\":\"0.75\",\"p\":8}");
    expect_both(both, "2019-01-01", ONE(",\"size_hint\":" BIG), "ERROR 3: arithmetic overflow");
    expect_both(t, "2019-01-01", ONE(",\"size_hint\":" BIG), "{\"q\":9223372036854775806,\"r\":\"0.75\"}");
    expect_both(both, "2019-01-01", ONE(",\"size_hint\":2"), "{\"q\":0,\"r\":\"0\",\"p\":1}");
    expect_both("let n: int \"n\" = household.size_hint\nlet one: int \"一\" = 1\n"
                "output s: int = if n > 5 then one else n + one\n",
                "2019-01-01", ONE(",\"size_hint\":" BIG), "{\"s\":1}");
}

/* Hit policies on an enum result, whose order is the enum's (full,
 * partial, none), and collect into a list and into a sum with an else
 * row.  Age 85: rows >= 60 and >= 80 match; priority takes the first of
 * the enum order among full and partial, full; output order lists them
 * as [full, partial]; collect gives [1, 4] in row order; collect sum
 * 1 + 4 = 5.  Age 20: no row; output order gives [], collect [], and
 * collect sum its else value 7. */
static void enum_orders_and_collect(void **state)
{
    (void)state;
    const char *t = "let a: int \"年龄\" = max(m.age for m in household.members)\n"
                    "table pr(x: int 0..150) -> care hit priority\n  | >= 80 | partial |\n  | >= 60 | full |\n"
                    "  | else | none |\n"
                    "table oo(x: int 0..150) -> care hit output_order\n  | >= 80 | partial |\n  | >= 60 | full |\n"
                    "table cl(x: int 0..150) -> int hit collect\n  | >= 60 | 1 |\n  | >= 80 | 4 |\n"
                    "table cs(x: int 0..150) -> int hit collect sum\n  | >= 60 | 1 |\n  | >= 80 | 4 |\n"
                    "  | else | 7 |\n"
                    "output p: care = pr(a)\noutput o: list of care = oo(a)\noutput l: list of int = cl(a)\n"
                    "output s: int = cs(a)\n";
    expect_both(t, "2019-01-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":85}]}}",
                "{\"p\":\"full\",\"o\":[\"full\",\"partial\"],\"l\":[1,4],\"s\":5}");
    expect_both(t, "2019-01-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":20}]}}",
                "{\"p\":\"none\",\"o\":[],\"l\":[],\"s\":7}");
}

/* collect sum of outputs that leave int64: money is kept in millionths
 * (decimal.h), so 5000000000000.00 is 5 × 10^18 inside and two of them
 * pass INT64_MAX (about 9.22 × 10^18).  An int cell cannot be that large:
 * its literal is limited to the same range. */
static void collect_sum_overflow(void **state)
{
    (void)state;
    expect_both("table cs(x: int 0..150) -> money hit collect sum\n  | >= 0 | 5000000000000.00 |\n"
                "  | >= 1 | 5000000000000.00 |\n"
                "output s: money = cs(max(m.age for m in household.members))\n",
                "2019-01-01", ONE(""), "ERROR 3: arithmetic overflow");
}

/* Shapes the lowering treats apart: a loop over a list of ints, ifs on
 * a constant condition, a list literal of texts, a division rounded in
 * one step by a decimal and by an int, and a negative literal.  Incomes
 * 100.00 and 50.00 for two members: sum over [1, 2, 3] is 6; the
 * constant ifs give 1 and 20; the texts are ["a", "b"], two of them;
 * 150.00 ÷ 7 = 21.428571 → 21.43; 150.00 ÷ 2 = 75.00; -5 + 2 = -3. */
static void lowering_shapes(void **state)
{
    (void)state;
    expect_both("let total: money per month \"合计\" = sum(m.income for m in household.members)\n"
                "let n: int \"人数\" = count(household.members)\n"
                "output s: int = sum(x for x in [1, 2, 3])\n"
                "output c1: int = if true then 1 else 2\noutput c2: int = if not true then 10 else 20\n"
                "output t: list of text = [\"a\", \"b\"]\noutput tn: int = count([\"a\", \"b\"])\n"
                "output d: money per month = round(total / 7, 0.01)\n"
                "output e: money per month = round(total / n, 0.01)\n"
                "output g: int = -5 + 2\n",
                "2019-01-01",
                "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"100.00\"},"
                "{\"id\":\"b\",\"age\":30,\"income\":\"50.00\"}]}}",
                "{\"s\":6,\"c1\":1,\"c2\":20,\"t\":[\"a\",\"b\"],\"tn\":2,\"d\":\"21.43\",\"e\":\"75.00\",\"g\":-3}");
}

/* The scalar formatter on the kinds the suites print through other
 * paths, and on values no checked policy holds: an enum index past the
 * enum's values and a kind with no scalar form print "?". */
static void format_scalars(void **state)
{
    (void)state;
    char out[64];
    ty b = {.kind = TY_BOOL}, l = {.kind = TY_LIST};
    assert_string_equal(ev_format_scalar(&b, 1, out), "true");
    assert_string_equal(ev_format_scalar(&b, 0, out), "false");
    assert_string_equal(ev_format_scalar(&l, 0, out), "?");
    compiled c;
    compile_text(&c, HEAD "output x: care = full\n");
    assert_non_null(c.policy);
    const ty *care = c.policy->tree.defs[0].type;
    assert_string_equal(ev_format_scalar(care, 1, out), "partial");
    assert_string_equal(ev_format_scalar(care, 3, out), "?");
    assert_string_equal(ev_format_scalar(care, -1, out), "?");
    compiled_free(&c);
}

/* The disassembler on `household.size_hint + 1`: three instructions
 * (the field into a temporary, the addition of the constant 1 into the
 * output's slot, the end) and one constant; a tree with no program says
 * the walker evaluates it; a number that is no node kind nor
 * instruction is "?". */
static void disassembler(void **state)
{
    (void)state;
    compiled c;
    compile_text(&c, HEAD "output x: int = household.size_hint + 1\n");
    assert_non_null(c.policy);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ev_prog_disasm(&c.policy->tree, f);
    ev_tree bare = c.policy->tree;
    bare.prog = NULL;
    ev_prog_disasm(&bare, f);
    fclose(f);
    assert_string_equal(text, "3 instructions, 1 constants, 0 left to the walker\n"
                              "   0 FIELD          dst 2 a 0 b 2 c -1 imm 0 node 0\n"
                              "   1 ADD_INT        dst 1 a 2 b 3 c -1 imm 0 node 2\n"
                              "   2 HALT           dst -1 a -1 b -1 c -1 imm 0 node -1\n"
                              "no program: the tree walker evaluates\n");
    free(text);
    assert_string_equal(ev_op_name(-1), "?");
    assert_string_equal(ev_op_name(EV_OP_COUNT), "?");
    compiled_free(&c);
}

/* A sum followed by a map over the same members and filter runs as one
 * loop unless the map's key reads the sum.  Ages 10 and 70: the sum is
 * 80; keys from a text table (10 is "young", 70 "old"), from an if on
 * the age, and from an if on the sum itself (80 > 50, so m.id). */
static void fused_sum_and_map(void **state)
{
    (void)state;
    const char *json = "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":10},{\"id\":\"c\",\"age\":70}]}}";
    const char *sum = "output total: int = sum(m.age for m in household.members where m.age > 5)\n";
    char t[1024];
    snprintf(t, sizeof t, "table grp(a: int 0..150) -> text hit first\n  | >= 60 | \"old\" |\n"
             "  | else | \"young\" |\n%soutput each: map of int = map(grp(m.age) => m.age for m in "
             "household.members where m.age > 5)\n", sum);
    expect_both(t, "2019-01-01", json, "{\"total\":80,\"each\":{\"young\":10,\"old\":70}}");
    snprintf(t, sizeof t, "%soutput each: map of int = map((if m.age > 50 then m.id else \"y\") => m.age "
             "for m in household.members where m.age > 5)\n", sum);
    expect_both(t, "2019-01-01", json, "{\"total\":80,\"each\":{\"y\":10,\"c\":70}}");
    snprintf(t, sizeof t, "%soutput each: map of int = map((if total > 50 then m.id else \"z\") => m.age "
             "for m in household.members where m.age > 5)\n", sum);
    expect_both(t, "2019-01-01", json, "{\"total\":80,\"each\":{\"a\":10,\"c\":70}}");
}

/* The explained decision (explanation on) of `json` by HEAD + body on
 * 2019-06-30, malloc'ed. */
static char *explained(const char *body, const char *json)
{
    compiled c;
    compile_body(&c, body);
    int64_t day;
    assert_int_equal(date_parse("2019-06-30", 10, &day), 0);
    decision_rc rc;
    char *out = explain_text(c.policy, day, json, &rc);
    compiled_free(&c);
    if (rc != DECISION_OK) print_error("%s\n", out);
    assert_int_equal(rc, DECISION_OK);
    return out;
}

/* Requires each of want[0..n) in the explained decision of json by
 * HEAD + body. */
static void expect_explained(const char *body, const char *json, const char *const *want, size_t n)
{
    char *doc = explained(body, json);
    for (size_t i = 0; i < n; i++)
        if (!strstr(doc, want[i])) fail_msg("no\n  %s\nin\n  %s", want[i], doc);
    free(doc);
}

/* The explained margin of a whole count against a share (80% of 7 =
 * 5.6, so 5 is the last count below and 6 the first above): 3 < 5.6
 * holds until 3 + 3 = 6; 8 < 5.6 fails until 8 - 3 = 5; 8 <= 5.6 fails
 * until 8 - 3 = 5; 3 <= 5.6 holds until 3 + 3 = 6; 2 > 5.6 fails until
 * 2 + 4 = 6; 9 > 5.6 holds until 9 - 4 = 5. */
static char *explain_margin(const char *op, int n)
{
    char body[512], json[128];
    snprintf(body, sizeof body, "parameter share: decimal unit %% \"占比\"\n  from 2017-01-01: 80%% source \"s\"\n"
             "output ok: bool \"符合\" = household.size_hint %s share * 7\n", op);
    snprintf(json, sizeof json, "{\"household\":{\"size_hint\":%d,\"members\":[{\"id\":\"a\",\"age\":4}]}}", n);
    char *doc = explained(body, json);
    const char *m = strstr(doc, "\"margin\":");
    char *out = strndup(m ? m : "none", m ? (size_t)(strchr(m, '}') - m + 1) : 4);
    free(doc);
    return out;
}

static void whole_count_margins(void **state)
{
    (void)state;
    static const struct { const char *op; int n; const char *want; } cases[] = {
        {"<", 3, "\"margin\":{\"amount\":\"3\",\"text\":\"户数 增加 3 即不再满足此条件\"}"},
        {"<", 8, "\"margin\":{\"amount\":\"3\",\"text\":\"户数 减少 3 即满足此条件\"}"},
        {"<=", 3, "\"margin\":{\"amount\":\"3\",\"text\":\"户数 增加 3 即不再满足此条件\"}"},
        {"<=", 8, "\"margin\":{\"amount\":\"3\",\"text\":\"户数 减少 3 即满足此条件\"}"},
        {">", 2, "\"margin\":{\"amount\":\"4\",\"text\":\"户数 增加 4 即满足此条件\"}"},
        {">", 9, "\"margin\":{\"amount\":\"4\",\"text\":\"户数 减少 4 即不再满足此条件\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = explain_margin(cases[i].op, cases[i].n);
        if (strcmp(got, cases[i].want) != 0) print_error("%s %d: %s\n", cases[i].op, cases[i].n, got);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

/* Model lookups with no entity, enum or name, and with an entry whose
 * name is missing (skipped, not read): "b" is still found after it. */
static void model_lookups(void **state)
{
    (void)state;
    const char *values[] = {NULL, "b"};
    enum_def e = {.name = "e", .nvalues = 2, .values = values};
    field_def fields[] = {{.name = NULL}, {.name = "b"}};
    entity_def ent = {.name = "x", .nfields = 2, .fields = fields};
    assert_int_equal(enum_value(&e, "b", 1), 1);
    assert_int_equal(enum_value(&e, "c", 1), -1);
    assert_int_equal(enum_value(NULL, "b", 1), -1);
    assert_int_equal(enum_value(&e, NULL, 0), -1);
    assert_ptr_equal(entity_field(&ent, "b", 1), &fields[1]);
    assert_null(entity_field(NULL, "b", 1));
    assert_null(entity_field(&ent, NULL, 0));
}

/* Days outside the years eligo accepts still print within the eleven
 * bytes of the buffer: year 10000 is cut to ten characters, year -1 is
 * "-001". */
static void dates_outside_four_digits(void **state)
{
    (void)state;
    char out[16];
    date_format(date_from_ymd(10000, 1, 1), out);
    assert_string_equal(out, "10000-01-0");
    date_format(date_from_ymd(-1, 12, 31), out);
    assert_string_equal(out, "-001-12-31");
}

/* A bool column looked up by a table of two entries; collect max with
 * no row; a decimal divided by a decimal zero.  able true gives 1 and
 * false 2; age 20 matches neither >= 60 nor >= 30 of the collect max;
 * size_hint 0 makes z = 0 × 0.5 = 0 and 1.5 / z fails. */
static void bool_lookup_and_failures(void **state)
{
    (void)state;
    const char *t = "table f(b: bool) -> int hit unique\n  | true | 1 |\n  | false | 2 |\n"
                    "output x: int = sum(f(m.able) for m in household.members)\n";
    expect_both(t, "2019-01-01",
                "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"able\":true},"
                "{\"id\":\"b\",\"age\":2,\"able\":false},{\"id\":\"c\",\"age\":3,\"able\":false}]}}",
                "{\"x\":5}");
    expect_both("table g(a: int 0..150) -> int hit collect max\n  | >= 60 | 3 |\n  | >= 30 | 5 |\n"
                "output x: int = g(max(m.age for m in household.members))\n",
                "2019-01-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":20}]}}",
                "ERROR 5: table `g`: no row matched for collect max");
    expect_both("let z: decimal \"零\" = household.size_hint * 0.5\noutput x: decimal = 1.5 / z\n",
                "2019-01-01", ONE(",\"size_hint\":0"), "ERROR 4: division by zero");
}

/* Two warnings that hold (n = 9), the first with no source and the
 * second with an assumption, and a third that does not: the two are
 * listed in order, only the second with a source (its line, the
 * policy's sixth), and the third not at all. */
static void two_warnings(void **state)
{
    (void)state;
    const char *want = "\"warnings\":[{\"text\":\"多于 3\",\"fields\":[\"/household/size_hint\"]},"
                       "{\"text\":\"多于 5\",\"fields\":[\"/household/size_hint\"],"
                       "\"source\":{\"line\":6,\"assumption\":\"示例规则\"}}]";
    expect_explained("let n: int \"人数\" = household.size_hint\n"
                     "warn when n > 3: \"多于 3\"\n"
                     "warn when n > 5: \"多于 5\"\n  assumption \"示例规则\"\n"
                     "output x: int \"人数\" = n\n"
                     "warn when n > 100: \"多于 100\"\n",
                     "{\"household\":{\"size_hint\":9,\"members\":[{\"id\":\"a\",\"age\":4}]}}", &want, 1);
}

/* A parameter read with `at` inside a loop, and an `int unit %`: two
 * members at 800.00 each (in force on 2018-06-30, a year before the
 * decision) make 1600.00; the int 80 is shown as 80%. */
static void param_in_loop_and_int_percent(void **state)
{
    (void)state;
    const char *want[] = {"\"outputs\":{\"x\":\"1600.00\",\"r\":80}", "1. 合计:1600.00 元。\\n2. 比:80%。",
                          "比:比例 80%,得 80%。", "\"formula\":\"比例 80%\""};
    expect_explained("parameter standard: money per month \"标准\"\n  from 2016-01-01: 800.00 source \"s\"\n"
                     "parameter rate: int unit % \"比例\"\n  from 2017-01-01: 80 source \"r\"\n"
                     "output x: money per month \"合计\" = sum(standard at (as_of - 1 years) for m in household.members)\n"
                     "output r: int unit % \"比\" = rate\n",
                     "{\"household\":{\"since\":\"2018-01-01\",\"members\":[{\"id\":\"a\",\"age\":4},{\"id\":\"b\",\"age\":5}]}}",
                     want, sizeof want / sizeof want[0]);
}

/* A fused sum and map over 33 members, one more than the frame keeps
 * for a map (VM_MAP_ROOM): member k (1 to 33) is "m<k>" aged k, so the
 * sum is 33 × 34 / 2 = 561 and the map is m1: 1 ... m33: 33.  And a
 * money sum divided by an int too large to be a decimal (INT64_MAX
 * millionths pass int64): an overflow, not a division by zero. */
static void large_map_and_wide_divisor(void **state)
{
    (void)state;
    char json[4096] = "{\"household\":{\"members\":[", want[2048] = "{\"total\":561,\"each\":{";
    for (int k = 1; k <= 33; k++) {
        snprintf(json + strlen(json), sizeof json - strlen(json), "%s{\"id\":\"m%d\",\"age\":%d}", k > 1 ? "," : "",
                 k, k);
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s\"m%d\":%d", k > 1 ? "," : "", k, k);
    }
    strcat(json, "]}}");
    strcat(want, "}}");
    expect_both("output total: int = sum(m.age for m in household.members where m.age > 0)\n"
                "output each: map of int = map(m.id => m.age for m in household.members where m.age > 0)\n",
                "2019-01-01", json, want);
    expect_both("let total: money per month \"合计\" = sum(m.income for m in household.members)\n"
                "output e: money per month = round(total / household.size_hint, 0.01)\n",
                "2019-01-01", ONE(",\"size_hint\":" BIG), "ERROR 3: arithmetic overflow");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(int_overflow),
        cmocka_unit_test(sum_overflow),
        cmocka_unit_test(division_by_zero),
        cmocka_unit_test(date_out_of_range),
        cmocka_unit_test(min_of_empty),
        cmocka_unit_test(loop_comparisons),
        cmocka_unit_test(collect_min_no_row),
        cmocka_unit_test(jumps_both_ways),
        cmocka_unit_test(pick_arms),
        cmocka_unit_test(enum_orders_and_collect),
        cmocka_unit_test(collect_sum_overflow),
        cmocka_unit_test(lowering_shapes),
        cmocka_unit_test(format_scalars),
        cmocka_unit_test(disassembler),
        cmocka_unit_test(fused_sum_and_map),
        cmocka_unit_test(whole_count_margins),
        cmocka_unit_test(model_lookups),
        cmocka_unit_test(dates_outside_four_digits),
        cmocka_unit_test(bool_lookup_and_failures),
        cmocka_unit_test(two_warnings),
        cmocka_unit_test(param_in_loop_and_int_percent),
        cmocka_unit_test(large_map_and_wide_divisor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
