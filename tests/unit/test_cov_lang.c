/*
 * test_cov_lang.c - the layout of `eligo fmt` (lang/fmt.c) and the
 * printed form of diagnostics (lang/diag.c) in their less common cases:
 * table cells holding `|`, escaped quotes, CJK text and a trailing
 * comment; comments inside and outside blocks; continuation lines inside
 * brackets; CRLF, tabs and runs of blank lines; very long quoted lines
 * cut around the caret; control characters and tabs in a quoted line;
 * file-less messages; and the error limit.  Then the checker's less
 * common messages: suggestions for an unknown type (from the enums and
 * the entities), `at` on a let, the argument counts of round and of a
 * table, money of two periods added or subtracted, min of an enum;
 * outputs looked up by name; a policy with more names than the
 * checker's first tables hold.
 *
 * Every expected text is written out in full beside its input.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/buf.h"
#include "lang/diag.h"
#include "compile_helper.h"

/* Cells are split on `|` outside strings (an escaped quote does not end
 * one), padded to the widest of their column by display width (长度 is
 * four columns), and the text after the last `|` is kept. */
static void fmt_table_cells(void **state)
{
    (void)state;
    expect_fmt("table t(a: int) -> text hit first \"表\"\n"
               "|1|\"a|b\"|\n"
               "| 10 | \"x\\\"y\" | # 注\n"
               "|else|\"长度\"|\n",
               "table t(a: int) -> text hit first \"表\"\n"
               "  | 1    | \"a|b\"  |\n"
               "  | 10   | \"x\\\"y\" | # 注\n"
               "  | else | \"长度\" |\n");
}

/* A blank line between rows stays, and the rows on both sides are one
 * table, padded to the widest cell of the whole column (it used to
 * split the table in two, each aligned on its own). */
static void fmt_table_blank_row(void **state)
{
    (void)state;
    expect_fmt("table t(a: int) -> int hit first \"表\"\n"
               "| 1 | 2 |\n"
               "\n"
               "| 1000 | 20000 |\n",
               "table t(a: int) -> int hit first \"表\"\n"
               "  | 1    | 2     |\n"
               "\n"
               "  | 1000 | 20000 |\n");
}

/* Declarations at column 0, their continuations at two spaces; a comment
 * keeps its level (top, or indented, or inside an entity block); lines
 * inside an open bracket keep the officer's alignment; CRLF, tabs and
 * trailing spaces go; three blank lines become one; leading blank lines
 * go.  `policyx` and `let_b` are not keywords, so they are continuations. */
static void fmt_layout(void **state)
{
    (void)state;
    expect_fmt("\n\n  policy t.x \"x\"\r\n\n\n\n# top comment\nlet a =\n\t1 + 2   \n    # inner comment\n"
               "entity e \"e\" {\n# in block\nx: int \"x\"\n  }\noutput o = f(1,\n      2)\npolicyx\nlet_b",
               "policy t.x \"x\"\n\n# top comment\nlet a =\n  1 + 2\n  # inner comment\n"
               "entity e \"e\" {\n  # in block\n  x: int \"x\"\n}\noutput o = f(1,\n      2)\n  policyx\n  let_b\n");
    expect_fmt("", "");
    expect_fmt("\n\n", "");
}

/* One diagnostic printed into a string. */
static char *printed(const char *name, const char *text, src_loc loc, diag_level level,
                     const char *hint, size_t max_errors, int copies)
{
    diag_list dl;
    diag_list_init(&dl);
    dl.max_errors = max_errors;
    source *src = name ? source_new(name, text, strlen(text)) : NULL;
    for (int i = 0; i < copies; i++) {
        diag_add(&dl, level, src, loc, NULL, "message %d", i + 1);
        if (hint) diag_hint(&dl, "%s", hint);
    }
    char *out = diag_text(&dl);
    diag_list_free(&dl);
    source_free(src);
    return out;
}

/* A line of 600 bytes with the caret at byte 300 is shown from byte 140
 * (160 before the caret) for 320 bytes, with "..." at both cuts. */
static void diag_long_line(void **state)
{
    (void)state;
    char text[601];
    memset(text, 'a', 600);
    text[600] = '\0';
    text[300] = 'X';
    char *out = printed("f.policy", text, (src_loc){300, 301}, DIAG_ERROR, NULL, 0, 1);
    char want[1200];
    char shown[321];
    memcpy(shown, text + 140, 320);
    shown[320] = '\0';
    snprintf(want, sizeof want, "f.policy:1:301: error: message 1\n    1 | ...%s...\n      |    %*s^\n",
             shown, 160, "");
    assert_string_equal(out, want);
    free(out);
}

/* A tab widens to the next multiple of 8 and a control character shows
 * as a space, in the line and under it, so the caret stays aligned. */
static void diag_tab_and_control(void **state)
{
    (void)state;
    char *out = printed("f.policy", "\tx\x01y", (src_loc){3, 4}, DIAG_WARNING, "look here", 0, 1);
    assert_string_equal(out, "f.policy:1:4: warning: message 1\n"
                             "    1 |         x y\n"
                             "      |           ^\n"
                             "hint: look here\n");
    free(out);
}

/* Without a source, only the level, the message and the hint. */
static void diag_no_source(void **state)
{
    (void)state;
    char *out = printed(NULL, "", (src_loc){0, 0}, DIAG_NOTE, "a hint", 0, 1);
    assert_string_equal(out, "note: message 1\nhint: a hint\n");
    free(out);
}

/* With a limit of 2 errors, the third is dropped with its hint, and the
 * list says so once at the end. */
static void diag_error_limit(void **state)
{
    (void)state;
    char *out = printed(NULL, "", (src_loc){0, 0}, DIAG_ERROR, "h", 2, 3);
    assert_string_equal(out, "error: message 1\nhint: h\nerror: message 2\nhint: h\n"
                             "note: too many errors; only the first 2 are shown\n");
    free(out);
}

#define HEAD "policy t.p \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"
#define SUMS "sum(m.income for m in household.members) %c sum(m.yearly for m in household.members)\n"

/* HEAD + body must fail to compile with want among its printed
 * diagnostics (the line, its caret line and any hint). */
static void expect_refused(const char *body, const char *want)
{
    char text[2048];
    snprintf(text, sizeof text, HEAD "%s", body);
    compiled c;
    compile_text(&c, text);
    if (c.policy || !strstr(c.diags, want)) print_error("diagnostics:\n%s\nwanted:\n%s\n", c.diags, want);
    assert_null(c.policy);
    assert_non_null(strstr(c.diags, want));
    compiled_free(&c);
}

static void checker_messages(void **state)
{
    (void)state;
    char sums[256];
    expect_refused("let b: car \"乙\" = full\noutput o: int = 1\n",
                   "t.policy:4:8: error: unknown type `car`\n    4 | let b: car \"乙\" = full\n"
                   "      |        ^~~\nhint: did you mean `care`?\n");
    expect_refused("let c: list of housold \"丙\" = household.members\noutput o: int = 1\n",
                   "t.policy:4:16: error: unknown type `housold`\n"
                   "    4 | let c: list of housold \"丙\" = household.members\n"
                   "      |                ^~~~~~~\nhint: did you mean `household`?\n");
    expect_refused("let k: int \"k\" = 1\noutput o: int = k at as_of\n",
                   "t.policy:5:17: error: `k` is a let, not a parameter: only parameters can be read at another date\n");
    expect_refused("output o: decimal = round(1.5, 0.1, half_up, 3)\n",
                   "t.policy:4:21: error: round takes 1 to 3 arguments: round(x, quantum, mode)\n");
    expect_refused("table f(a: int 0..150) -> int hit first\n  | >= 1 | 1 |\n  | else | 0 |\noutput o: int = f(1, 2)\n",
                   "t.policy:7:17: error: table `f` takes 1 argument, got 2\n");
    snprintf(sums, sizeof sums, "output o: money per month = " SUMS, '+');
    expect_refused(sums, "t.policy:4:29: error: cannot add money per month and money per year\n");
    snprintf(sums, sizeof sums, "output o: money per month = " SUMS, '-');
    expect_refused(sums, "t.policy:4:29: error: cannot subtract money per month and money per year\n");
    expect_refused("output o: int = min(m.care for m in household.members)\n",
                   "t.policy:4:17: error: values of type care have no order\n");
}

/* Words that only begin with a keyword (letX, let9, letA) are
 * continuations; inside an open bracket trailing tabs and CR go;
 * `source` after a `warn when` is its citation,
 * indented under it; a table at the very end without a newline; a
 * comment inside an entity block is indented with the block. */
static void fmt_edges(void **state)
{
    (void)state;
    expect_fmt("letX = 1\nlet9 = 2\nletA\n", "  letX = 1\n  let9 = 2\n  letA\n");
    expect_fmt("output o: int = max(\n      1,\t\r\n      2)\t\noutput p: int = 1\n",
               "output o: int = max(\n      1,\n      2)\noutput p: int = 1\n");
    expect_fmt("warn when n > 3: \"多\"\nsource \"文件\" \"原文\"\noutput x: int = 1\n",
               "warn when n > 3: \"多\"\n  source \"文件\" \"原文\"\noutput x: int = 1\n");
    expect_fmt("table t(a: int) -> int hit first\n|1|2|\n|else|3|",
               "table t(a: int) -> int hit first\n  | 1    | 2 |\n  | else | 3 |\n");
    expect_fmt("entity e {\n# 注\n  a: int\n}\n", "entity e {\n  # 注\n  a: int\n}\n");
}

/* A text that ends inside an open ( [ or { (the officer stopped
 * typing; `eligo fmt` refuses it since it does not parse, but the
 * formatter must still be idempotent on it): the lines inside keep their
 * layout, the text ends with one newline, with or without one or more
 * after the last line, and formatting again adds none (it added a blank
 * line per run before). */
static void fmt_open_bracket_at_end(void **state)
{
    (void)state;
    static const char *const open[] = {"output o: int = max(1,\n    2", "output l: list of int = [1,\n    2",
                                       "test \"t\" as of 2019-01-01\n  given h = {a: 1,\n    b: 2"};
    for (int i = 0; i < 3; i++) {
        char want[128], in[128];
        snprintf(want, sizeof want, "%s\n", open[i]);
        expect_fmt(open[i], want);
        expect_fmt(want, want);
        snprintf(in, sizeof in, "%s\n\n\n", open[i]);
        expect_fmt(in, want);
        snprintf(in, sizeof in, "%s  \t\r\n  \n", open[i]);
        expect_fmt(in, want);
    }
    /* the brackets open on the last line itself */
    expect_fmt("output o: int = max(\n", "output o: int = max(\n");
    expect_fmt("output o: int = max(\n\n", "output o: int = max(\n");
}

/* policy_output finds outputs by name, and neither a let nor a name
 * that is not declared. */
static void outputs_by_name(void **state)
{
    (void)state;
    compiled c;
    compile_text(&c, HEAD "let k: int \"k\" = 2\noutput x: int = k + 1\noutput y: int = k\n");
    assert_non_null(c.policy);
    const ev_def *y = policy_output(c.policy, "y");
    assert_non_null(y);
    assert_string_equal(y->name, "y");
    assert_ptr_equal(policy_output(c.policy, "x")->name, policy_def(c.policy, "x")->name);
    assert_null(policy_output(c.policy, "k"));
    assert_null(policy_output(c.policy, "z"));
    compiled_free(&c);
}

/* A policy with more names than the checker's first tables hold (32
 * symbols, 64 hash slots): 40 lets, each one more than the last, so the
 * output v39 is 40. */
static void many_names(void **state)
{
    (void)state;
    char text[8192] = HEAD "let v0: int \"v0\" = 1\n";
    for (int k = 1; k < 40; k++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "let v%d: int \"v%d\" = v%d + 1\n", k, k, k - 1);
    strcat(text, "output x: int = v39\n");
    compiled c;
    compile_text(&c, text);
    if (!c.policy) print_error("%s", c.diags);
    assert_non_null(c.policy);
    char *got = decide(c.policy, "2019-01-01", "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40}]}}");
    assert_string_equal(got, "{\"x\":40}");
    free(got);
    compiled_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fmt_table_cells),
        cmocka_unit_test(fmt_table_blank_row),
        cmocka_unit_test(fmt_layout),
        cmocka_unit_test(diag_long_line),
        cmocka_unit_test(diag_tab_and_control),
        cmocka_unit_test(diag_no_source),
        cmocka_unit_test(diag_error_limit),
        cmocka_unit_test(checker_messages),
        cmocka_unit_test(fmt_edges),
        cmocka_unit_test(fmt_open_bracket_at_end),
        cmocka_unit_test(outputs_by_name),
        cmocka_unit_test(many_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
