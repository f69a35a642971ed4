/*
 * test_cov_lang2.c - the compiler's less common paths, third round of
 * the coverage work (docs/testing.md): models that extend another
 * model (lang/compile.c), a test file's expectations checked against
 * the outputs, the peeks a loader makes at .model and .test files;
 * runnable policies for the lowering's rarer forms (lang/lower.c);
 * diagnostics, sources and the tree's dump at their edges (diag.c,
 * source.c, ast.c); the table analysis without columns or inputs
 * (tables.c); `eligo fmt` (fmt.c); where a policy's documents are
 * (cite.c); a cycle of long names (check.c).  The golden diagnostics
 * tests/lang/errors/cov3_* cover the checker's messages.
 *
 * Every expected text is written out in full beside its input; a case
 * that compiles is also run, and its decision compared.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>
#include "base/buf.h"
#include "lang/ast.h"
#include "lang/parse.h"
#include "lang/cite.h"
#include "lang/tables.h"
#include "compile_helper.h"

#define HEAD "policy t.p \"测试\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"
#define ONE "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40}]}}"

/* want must be among got; prints both when it is not. */
static void expect_in(const char *got, const char *want)
{
    if (!strstr(got, want)) print_error("diagnostics:\n%s\nwanted:\n%s\n", got, want);
    assert_non_null(strstr(got, want));
}

/* ---- models extending models ----------------------------------------- */

/* TEST_MODEL compiled, then `text` as model "x.model" in a set holding
 * it; the extension (or NULL) and the printed diagnostics. */
typedef struct extended {
    cmodel *base, *ext;
    char *diags;
} extended;

static void extend_text(extended *e, const char *text, uint32_t nfailed)
{
    diag_list dl;
    diag_list_init(&dl);
    e->base = compile_model(source_new("t.model", TEST_MODEL, strlen(TEST_MODEL)), &dl);
    assert_non_null(e->base);
    model_set set = {&e->base, 1, nfailed, 0};
    e->ext = compile_model_in(source_new("x.model", text, strlen(text)), &set, &dl);
    e->diags = diag_text(&dl);
    diag_list_free(&dl);
}

static void extended_free(extended *e)
{
    cmodel_free(e->ext);
    cmodel_free(e->base);
    free(e->diags);
}

/* The model must fail to compile with want among its diagnostics. */
static void expect_model_refused(const char *text, const char *want)
{
    extended e;
    extend_text(&e, text, 0);
    assert_null(e.ext);
    expect_in(e.diags, want);
    extended_free(&e);
}

static void extend_errors(void **state)
{
    (void)state;
    expect_model_refused("model x \"x\"\nextend household { a: int \"a\" }\n",
                         "x.model:2:1: error: `extend` names a model and one of its entities\n");
    expect_model_refused("model x \"x\"\nextend t.a.b { a: int \"a\" }\n",
                         "hint: write e.g. `extend civil.household { ... }`\n");
    expect_model_refused("model x \"x\"\nextend tt.household { a: int \"a\" }\n",
                         "x.model:2:1: error: unknown model `tt` in `extend tt.household`\n");
    expect_model_refused("model x \"x\"\nextend civil.household { a: int \"a\" }\n",
                         "hint: load it: from a folder at or above this one in the tree, or with --policies\n");
    expect_model_refused("model x \"x\"\nextend t.household { a: int \"a\" }\nextend u.person { b: int \"b\" }\n",
                         "x.model:3:1: error: model `x` already extends `t`: a model extends one model\n");
    expect_model_refused("model x \"x\"\nextend t.housegold { a: int \"a\" }\n",
                         "x.model:2:1: error: model t has no entity `housegold` to extend\n");
    expect_model_refused("model x \"x\"\nextend t.housegold { a: int \"a\" }\n", "hint: did you mean `household`?\n");
    expect_model_refused("enum e { a \"a\" }\n", "x.model:1:1: error: a .model file starts with `model NAME \"title\"`\n");
    /* another model of the load failed: its errors say it all */
    extended e;
    extend_text(&e, "model x \"x\"\nextend tt.household { a: int \"a\" }\n", 1);
    assert_null(e.ext);
    assert_string_equal(e.diags, "");
    extended_free(&e);
}

/* Extending person, which household lists: household is copied with its
 * list pointing at the extended person, and the base is unchanged; a
 * second extension of the same entity in the file adds to it; the
 * extension's own entity comes after the base's. */
static void extend_rewires_lists(void **state)
{
    (void)state;
    extended e;
    extend_text(&e, "model x \"x\"\nextend t.person \"扩展成员\" { floor: int 0..30 = 1 \"楼层\" }\n"
                    "extend t.person { lift: bool = false \"电梯\" }\n"
                    "entity building \"楼\" { n: int \"n\" }\n", 0);
    if (!e.ext) print_error("%s", e.diags);
    assert_non_null(e.ext);
    assert_string_equal(e.diags, "");
    assert_ptr_equal(model_root(e.ext), e.base);
    assert_int_equal(e.ext->nentities, 3);
    const entity_def *person = e.ext->entities[0], *household = e.ext->entities[1];
    assert_string_equal(person->name, "person");
    assert_string_equal(person->label, "扩展成员");
    assert_int_equal(person->nfields, e.base->entities[0]->nfields + 2);
    assert_string_equal(person->fields[person->nfields - 1].name, "lift");
    assert_ptr_not_equal(household, e.base->entities[1]);
    assert_ptr_equal(household->fields[0].type->elem->ent, person);
    assert_ptr_equal(e.base->entities[1]->fields[0].type->elem->ent, e.base->entities[0]);
    assert_string_equal(e.ext->entities[2]->name, "building");
    extended_free(&e);
}

/* A policy using the extension reads its new field, and the default
 * fills it; a policy naming a model that is not loaded is refused. */
static void policy_on_extension(void **state)
{
    (void)state;
    extended e;
    extend_text(&e, "model x \"x\"\nextend t.person { floor: int 0..30 = 2 \"楼层\" }\n", 0);
    assert_non_null(e.ext);
    cmodel *items[2] = {e.base, e.ext};
    model_set set = {items, 2, 0, 0};
    diag_list dl;
    diag_list_init(&dl);
    const char *text = "policy t.q \"q\"\ncovers 2017-01-01 to 2030-12-31\nuse x.household\n"
                       "output top: int = max(m.floor for m in household.members)\n";
    policy *p = compile_policy(source_new("q.policy", text, strlen(text)), &set, &dl);
    if (!p) print_error("%s", diag_text(&dl));
    assert_non_null(p);
    char *got = decide(p, "2020-01-01", ONE);
    assert_string_equal(got, "{\"top\":2}");
    free(got);
    policy_free(p);
    const char *other = "policy t.r \"r\"\ncovers 2017-01-01 to 2030-12-31\nuse nosuch.household\noutput o: int = 1\n";
    p = compile_policy(source_new("r.policy", other, strlen(other)), &set, &dl);
    assert_null(p);
    char *diags = diag_text(&dl);
    expect_in(diags, "r.policy:3:");
    free(diags);
    diag_list_free(&dl);
    extended_free(&e);
}

/* A policy whose model is not loaded because a model of the load
 * failed: refused without a word (the model's errors say it all). */
static void policy_after_failed_model(void **state)
{
    (void)state;
    model_set set = {NULL, 0, 1, 0};
    diag_list dl;
    diag_list_init(&dl);
    const char *text = "policy t.q \"q\"\ncovers 2017-01-01 to 2030-12-31\nuse broken.household\noutput o: int = 1\n";
    assert_null(compile_policy(source_new("q.policy", text, strlen(text)), &set, &dl));
    assert_int_equal(dl.n, 0);
    diag_list_free(&dl);
}

/* compile_model_peek: the name and the base; -1 for a file that is not
 * a model; compile_tests_target: the policy a .test file names. */
static void peeks(void **state)
{
    (void)state;
    char *name, *base;
    const char *m = "model x \"x\"\nextend t.person { a: int \"a\" }\n";
    source *s = source_new("x.model", m, strlen(m));
    assert_int_equal(compile_model_peek(s, &name, &base), 0);
    assert_string_equal(name, "x");
    assert_string_equal(base, "t");
    free(name);
    free(base);
    source_free(s);
    const char *plain = "model y \"y\"\nentity a \"a\" { b: int \"b\" }\n";
    s = source_new("y.model", plain, strlen(plain));
    assert_int_equal(compile_model_peek(s, &name, &base), 0);
    assert_string_equal(name, "y");
    assert_null(base);
    free(name);
    source_free(s);
    const char *pol = "policy t.p \"p\"\n";
    s = source_new("p.model", pol, strlen(pol));
    assert_int_equal(compile_model_peek(s, &name, &base), -1);
    assert_null(name);
    assert_null(base);
    char *target = compile_tests_target(s);
    assert_null(target);
    source_free(s);
    const char *t = "tests t.p\ntest \"a\" as of 2020-01-01\n  given household = {members: []}\n  expect o = 1\n";
    s = source_new("p.test", t, strlen(t));
    target = compile_tests_target(s);
    assert_string_equal(target, "t.p");
    free(target);
    source_free(s);
}

/* ---- a test file's expectations --------------------------------------- */

/* HEAD + body compiled, then `test` attached (its expectations checked);
 * the return of compile_attach_tests and the printed diagnostics. */
static int attach(const char *body, const char *test, char **diags)
{
    char text[4096];
    snprintf(text, sizeof text, HEAD "%s", body);
    compiled c;
    compile_text(&c, text);
    if (!c.policy) print_error("%s", c.diags);
    assert_non_null(c.policy);
    int rc = compile_attach_tests(c.policy, source_new("p.test", test, strlen(test)), &c.dl);
    *diags = diag_text(&c.dl);
    compiled_free(&c);
    return rc;
}

#define TEST_HEAD "tests t.p\ntest \"a\" as of 2020-01-01\n  given household = {members: []}\n"

static void expect_attach_refused(const char *body, const char *expects, const char *want)
{
    char test[2048], *diags;
    snprintf(test, sizeof test, TEST_HEAD "%s", expects);
    assert_int_equal(attach(body, test, &diags), -1);
    expect_in(diags, want);
    free(diags);
}

static const char OUTS[] =
    "output b: bool \"b\" = true\noutput i: int \"i\" = 1\noutput m: money per month \"m\" = 1.00\n"
    "output d: date \"d\" = 2020-01-01\noutput s: text \"s\" = \"x\"\noutput c: care \"c\" = full\n"
    "output r: money per month range \"r\" = 1.00 to 2.00\n";

static void test_expectations(void **state)
{
    (void)state;
    expect_attach_refused(OUTS, "  expect b = 1\n", "p.test:4:14: error: `b` is bool, and this is not a value of it\n");
    expect_attach_refused(OUTS, "  expect i = 1.5\n", "p.test:4:14: error: `i` is int, and this is not a value of it\n");
    expect_attach_refused(OUTS, "  expect i = \"12\"\n", "hint: write 12 without quotes\n");
    expect_attach_refused(OUTS, "  expect m = \"1.50\"\n", "hint: write 1.50 without quotes\n");
    expect_attach_refused(OUTS, "  expect m = true\n",
                          "p.test:4:14: error: `m` is money per month, and this is not a value of it\n");
    expect_attach_refused(OUTS, "  expect d = \"2020-01-02\"\n", "hint: write 2020-01-02 without quotes\n");
    expect_attach_refused(OUTS, "  expect d = 2021-02-30\n", "p.test:4:14: error: invalid date 2021-02-30\n");
    expect_attach_refused(OUTS, "  expect s = 1\n", "p.test:4:14: error: `s` is text, and this is not a value of it\n");
    expect_attach_refused(OUTS, "  expect c = \"fulll\"\n",
                          "p.test:4:14: error: `c` is care, and this is not a value of it\n");
    expect_attach_refused(OUTS, "  expect r = 1.00\n", "hint: `r` is a range: write `expect r = LOW to HIGH`\n");
    expect_attach_refused(OUTS, "  expect i = 1 to 2\n", "hint: `i` is not a range: write `expect i = VALUE`\n");
    expect_attach_refused(OUTS, "  expect refused \"不行\"\n",
                          "p.test:4:18: error: the test expects a refusal, and `t.p` has no `refuse when`\n");
    expect_attach_refused(OUTS, "  expect warning \"多\"\n",
                          "p.test:4:18: error: the test expects a warning, and `t.p` has no `warn when`\n");
    expect_attach_refused("refuse when count(household.members) > 9: \"太多\"\n"
                          "refuse when count(household.members) > 8: \"多\"\noutput o: int = 1\n",
                          "  expect refused \"不行\"\n",
                          "hint: the first refusal of `t.p` says \"太多\"; write the reason exactly as the policy does\n");
    expect_attach_refused("refuse when count(household.members) > 9: \"太多\"\noutput o: int = 1\n",
                          "  expect refused \"不行\"\n", "hint: the first refusal of `t.p` says \"太多\"\n");
    char *diags;
    assert_int_equal(attach(OUTS, "tests t.p\noutput z: int = 1\n", &diags), -1);
    expect_in(diags, "p.test:2:1: error: a .test file holds only `tests NAME` and test blocks\n");
    free(diags);
}

/* A warning's text with placeholders: the parts around them must come
 * in order, and the expected text must end with the last part. */
static void warning_texts(void **state)
{
    (void)state;
    const char *body = "let n: int \"n\" = count(household.members)\n"
                       "warn when n > 1: \"有 {n} 人,{n} 人多\"\noutput o: int = n\n";
    const char *fits[] = {"有 3 人,3 人多", "有 10 人,2 人多"};
    const char *misfits[] = {"有", "无 3 人,3 人多", "有 3 人,3 人", "有 3 人 3 人多", "有 3 人,3 人多了"};
    char test[512], *diags;
    for (size_t i = 0; i < sizeof fits / sizeof *fits; i++) {
        snprintf(test, sizeof test, TEST_HEAD "  expect warning \"%s\"\n", fits[i]);
        assert_int_equal(attach(body, test, &diags), 0);
        assert_string_equal(diags, "");
        free(diags);
    }
    for (size_t i = 0; i < sizeof misfits / sizeof *misfits; i++) {
        snprintf(test, sizeof test, TEST_HEAD "  expect warning \"%s\"\n", misfits[i]);
        assert_int_equal(attach(body, test, &diags), -1);
        expect_in(diags, "hint: the first warning of `t.p` says \"有 {n} 人,{n} 人多\"");
        free(diags);
    }
}


/* ---- policies that compile, run on one household ----------------------- */

typedef struct run_case {
    const char *body;   /* after HEAD */
    const char *input;  /* the household */
    const char *want;   /* the decision on 2020-01-01 */
} run_case;

#define TWO "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":40,\"income\":\"100.00\"}," \
            "{\"id\":\"b\",\"age\":7,\"care\":\"none\"}]}}"

/* Each case by hand: TWO is a of 40 earning 100.00 a month and b of 7
 * with care none. */
static const run_case RUNS[] = {
    /* a list of texts, a text compared with == and !=, a list let read by name */
    {"let ids: list of text \"ids\" = [\"a\", \"b\"]\n"
     "output x: int = count(i in ids where i != \"a\")\noutput y: bool = \"a\" == \"b\"\n",
     TWO, "{\"x\":1,\"y\":false}"},
    /* `if` on a constant condition is folded, for lists and scalars */
    {"output x: list of text = if 1 > 2 then [\"p\"] else [\"q\", \"r\"]\n"
     "output y: list of text = if 2 > 1 then [\"p\"] else [\"q\"]\noutput z: int = if true then 4 else 5\n",
     TWO, "{\"x\":[\"q\",\"r\"],\"y\":[\"p\"],\"z\":4}"},
    /* rounding a quotient of decimals at once, and of ints by int division */
    {"output x: decimal = round(7.0 / 3, 0.01)\noutput y: int = round(7 / 2, 1)\n"
     "output z: decimal = round(2.5, 1, half_even)\n",
     TWO, "{\"x\":\"2.33\",\"y\":4,\"z\":\"2\"}"},
    /* money scaled by an int, divided by an int, and per_year of a sum */
    {"let inc: money per month \"inc\" = sum(m.income for m in household.members)\n"
     "output x: money per month = inc * count(household.members)\n"
     "output y: money per month = inc / count(household.members)\noutput z: money per year = per_year(inc)\n",
     TWO, "{\"x\":\"200.00\",\"y\":\"50.00\",\"z\":\"1200.00\"}"},
    /* min and max of a member's ages and of two dates; count with a where */
    {"output x: int = min(m.age for m in household.members)\noutput y: date = max(2019-01-01, as_of)\n"
     "output z: int = count(m in household.members where m.care == none)\n",
     TWO, "{\"x\":7,\"y\":\"2020-01-01\",\"z\":1}"},
    /* a map from ids to ages, any/all over the members */
    {"output x: map of int = map(m.id => m.age for m in household.members)\n"
     "output y: bool = any(m.age < 10 for m in household.members)\n"
     "output z: bool = all(m.able for m in household.members)\n",
     TWO, "{\"x\":{\"a\":40,\"b\":7},\"y\":true,\"z\":true}"},
    /* rounding an int, a table whose outputs compute from its column,
     * lets and a list let without labels */
    {"let k: int = count(household.members)\nlet ids: list of text = [\"p\"]\n"
     "table t(a: int 0..99) -> int hit first\n  | < 5  | a * 10 |\n  | else | a |\n"
     "output x: int = round(k, 1) + t(k) + t(40)\noutput y: int = count(i in ids)\n",
     TWO, "{\"x\":62,\"y\":1}"},
    /* a constant division by zero is left to run time, and fails there */
    {"output x: decimal = 1.0 / 0\n", TWO, "ERROR: division by zero"},
    /* a decimal parameter of six places; refusals and warnings reading
     * parameters, loop variables, calls, one field twice and a let with
     * an exception; a warning text with an unclosed placeholder */
    {"parameter share: decimal \"份额\"\n  from 2017-01-01: 0.123456\n"
     "let n: int \"n\" = count(household.members)\n  unless household.size_hint > 5 then 5\n"
     "refuse when any(m.age > share * 1000 for m in household.members): \"太老\"\n"
     "refuse when max(household.size_hint, household.size_hint) > 90: \"太多\"\n"
     "warn when n > 1 and max(household.size_hint, 0) >= 0 and share > 0.1: \"有 {n 人\"\n"
     "output x: decimal = share * n\n",
     TWO, "{\"x\":\"0.246912\"}"},
    /* an assertion on an enum parameter; a refusal and a warning over a
     * list literal, an enum constant and a loop variable's field; a
     * table of two results with a label on one */
    {"parameter level: care \"级别\"\n  from 2017-01-01: partial\nassert level != none \"级别\"\n"
     "refuse when count(i in [1, 2] where i > 5) > 0 or any(m.care == none and m.age > 120 for m in household.members): \"拒\"\n"
     "warn when count(i in [1, 2]) > 1 and any(m.care == none for m in household.members): \"有完全丧失\"\n"
     "table band(a: int 0..150) -> (lo: int \"下限\", hi: int) hit first\n  | < 18 | 0 | 17 |\n  | else | 18 | 150 |\n"
     "output x: int = band(7).hi + band(40).lo\n",
     TWO, "{\"x\":35}"},
};

static void runs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RUNS / sizeof *RUNS; i++) {
        char text[4096];
        snprintf(text, sizeof text, HEAD "%s", RUNS[i].body);
        compiled c;
        compile_text(&c, text);
        if (!c.policy) print_error("case %zu:\n%s", i, c.diags);
        assert_non_null(c.policy);
        char *got = decide(c.policy, "2020-01-01", RUNS[i].input);
        if (strcmp(got, RUNS[i].want) != 0) print_error("case %zu: %s\n", i, got);
        assert_string_equal(got, RUNS[i].want);
        free(got);
        compiled_free(&c);
    }
}


/* ---- diagnostics, sources and the tree's dump ---------------------------- */

static char *print_list(diag_list *dl)
{
    char *out = diag_text(dl);
    assert_non_null(out);
    return out;
}

/* A note without a source; a location past the end of the text (the
 * caret goes after the last character); a DEL shown as a space; a
 * hint after the error limit belongs to the warning recorded after it,
 * and the limit is told at the end. */
static void diag_edges(void **state)
{
    (void)state;
    diag_list dl;
    diag_list_init(&dl);
    dl.max_errors = 1;
    diag_keep_source(&dl, NULL);
    source *src = source_new("f.policy", "ab\x7f" "c", 4);
    diag_add(&dl, DIAG_NOTE, NULL, (src_loc){0, 0}, NULL, "a note");
    diag_add(&dl, DIAG_ERROR, src, (src_loc){100, 101}, NULL, "past the end");
    diag_add(&dl, DIAG_ERROR, src, (src_loc){0, 1}, NULL, "dropped");
    diag_hint(&dl, "not shown");
    diag_add(&dl, DIAG_WARNING, src, (src_loc){3, 4}, NULL, "after the DEL");
    diag_hint(&dl, "shown");
    char *out = print_list(&dl);
    assert_string_equal(out, "note: a note\n"
                             "f.policy:1:5: error: past the end\n    1 | ab c\n      |     ^\n"
                             "f.policy:1:4: warning: after the DEL\n    1 | ab c\n      |    ^\nhint: shown\n"
                             "note: too many errors; only the first 1 are shown\n");
    free(out);
    diag_list_free(&dl);
    source_free(src);
}

/* A line of 200 CJK characters (600 bytes), caret on character 100
 * (byte 300): the window starts 160 bytes before the caret, which is
 * inside a character, so it moves on to the next one (byte 141,
 * character 47); it ends 320 bytes on, again inside a character, and
 * moves back to byte 459 (character 153): 106 characters shown, and
 * the caret after "..." (3 columns) and the 53 characters before it (2
 * columns each). */
static void diag_long_cjk_line(void **state)
{
    (void)state;
    char text[601];
    for (int i = 0; i < 200; i++) memcpy(text + 3 * i, "\xe9\x95\xbf", 3);   /* 长 */
    text[600] = 0;
    diag_list dl;
    diag_list_init(&dl);
    source *src = source_new("f.policy", text, 600);
    diag_add(&dl, DIAG_ERROR, src, (src_loc){300, 303}, NULL, "here");
    char *out = print_list(&dl);
    char want[2048], shown[400];
    memcpy(shown, text + 141, 459 - 141);
    shown[459 - 141] = 0;
    snprintf(want, sizeof want, "f.policy:1:101: error: here\n    1 | ...%s...\n      | %*s^~\n", shown, 3 + 53 * 2, "");
    if (strcmp(out, want) != 0) print_error("got:\n%s\nwant:\n%s\n", out, want);
    assert_string_equal(out, want);
    free(out);
    diag_list_free(&dl);
    source_free(src);
}

/* A source without a name; lines out of range are empty; reading a
 * file larger than the first buffer, a folder, and a missing file. */
static void sources(void **state)
{
    (void)state;
    source *s = source_new(NULL, "a\nb", 3);
    assert_string_equal(s->name, "<input>");
    size_t len = 7;
    assert_string_equal(source_line(s, 0, &len), "");
    assert_int_equal(len, 0);
    assert_string_equal(source_line(s, 3, &len), "");
    assert_int_equal(len, 0);
    assert_memory_equal(source_line(s, 2, &len), "b", 1);
    assert_int_equal(len, 1);
    source_free(s);
    char path[] = "/tmp/test_cov_lang2_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char block[1000];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < 100; i++) assert_int_equal(write(fd, block, sizeof block), (ssize_t)sizeof block);
    close(fd);
    s = source_read(path);
    unlink(path);
    assert_non_null(s);
    assert_int_equal(s->len, 100000);
    source_free(s);
    errno = 0;
    assert_null(source_read("/"));
    assert_int_equal(errno, EISDIR);
    assert_null(source_read("/nonexistent/x.policy"));
}

/* ast_dump prints a bool's label for false, the kinds of expectation,
 * `warn when`, control characters in strings, and an empty tree. */
static void dumps(void **state)
{
    (void)state;
    const char *text = "policy t.p \"p\"\nwarn when true: \"a\\tb\x01\"\n"
                       "output b: bool \"是\" else \"否\" = true\n"
                       "test \"t\" as of 2020-01-01\n  given household = {members: []}\n"
                       "  expect warning \"w\"\n  expect refused \"r\"\n  expect error \"e\"\n";
    source *src = source_new("d.policy", text, strlen(text));
    arena pool;
    arena_init(&pool, 8192);
    diag_list dl;
    diag_list_init(&dl);
    ast_node *root = parse_source(src, &pool, &dl);
    assert_non_null(root);
    assert_int_equal(dl.nerrors, 0);
    buf b;
    buf_init(&b);
    ast_dump(root, &b);
    const char *got = buf_cstr(&b);
    if (!strstr(got, "\"是\" else \"否\"")) print_error("%s", got);
    assert_non_null(strstr(got, "\"是\" else \"否\""));
    assert_non_null(strstr(got, "(REFUSE warn \"a\\tb\\u{1}\""));
    assert_non_null(strstr(got, "(EXPECT warning"));
    assert_non_null(strstr(got, "(EXPECT refused"));
    assert_non_null(strstr(got, "(EXPECT error"));
    buf_reset(&b);
    ast_dump(NULL, &b);
    assert_string_equal(buf_cstr(&b), "_\n");
    buf_free(&b);
    diag_list_free(&dl);
    arena_free(&pool);
    source_free(src);
}


/* ---- the table analysis at its edges (lang/tables.c) ------------------- */

/* A table of no columns: with no rows, the one (empty) input is a gap;
 * with three rows every pair overlaps (two reported, the limit) and the
 * rows after the first are shadowed by it.  Its index is one cell
 * holding every row. */
static void tables_without_columns(void **state)
{
    (void)state;
    arena pool;
    arena_init(&pool, 4096);
    tab_findings f;
    tab_rows none = {0, 0, NULL, NULL};
    assert_int_equal(tab_analyze(&none, TAB_FIND_GAPS | TAB_FIND_OVERLAPS | TAB_FIND_SHADOWED, 5, &pool, &f), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.items[0].kind, TAB_GAP);
    tab_rows three = {0, 3, NULL, NULL};
    assert_int_equal(tab_analyze(&three, TAB_FIND_GAPS | TAB_FIND_OVERLAPS | TAB_FIND_SHADOWED, 2, &pool, &f), 0);
    assert_int_equal(f.n, 4);
    assert_int_equal(f.items[0].kind, TAB_OVERLAP);
    assert_int_equal(f.items[0].row1, 0);
    assert_int_equal(f.items[0].row2, 1);
    assert_int_equal(f.items[1].kind, TAB_OVERLAP);
    assert_int_equal(f.items[1].row2, 2);
    assert_int_equal(f.items[2].kind, TAB_SHADOWED);
    assert_int_equal(f.items[2].row1, 1);
    assert_int_equal(f.items[2].row2, 0);
    assert_int_equal(f.items[3].row1, 2);
    tab_index ix;
    assert_int_equal(tab_index_build(&three, &pool, &ix), 0);
    assert_int_equal(ix.ncells, 1);
    assert_int_equal(ix.row_start[1], 3);
    assert_int_equal(ix.rows[2], 2);
    arena_free(&pool);
}

/* A column whose domain is empty: no input exists, so nothing overlaps
 * or is missing, and every row is shadowed without a witness; its index
 * has no cells.  Gaps beyond the limit are not reported: four missing
 * values, at most two told. */
static void tables_empty_domain_and_limits(void **state)
{
    (void)state;
    arena pool;
    arena_init(&pool, 4096);
    tab_findings f;
    tab_interval dom = {5, 4}, one = {0, 0};
    tab_cond cond[2] = {{1, &one}, {1, &one}};
    tab_rows empty = {1, 2, &dom, cond};
    assert_int_equal(tab_analyze(&empty, TAB_FIND_GAPS | TAB_FIND_OVERLAPS | TAB_FIND_SHADOWED, 5, &pool, &f), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.items[0].kind, TAB_SHADOWED);
    assert_null(f.items[0].witness);
    assert_int_equal(f.items[1].row1, 1);
    tab_index ix;
    assert_int_equal(tab_index_build(&empty, &pool, &ix), 0);
    assert_int_equal(ix.ncells, 0);
    /* of 0..9, row 1 holds 0, 2 and 4, row 2 holds 6..8: the gaps are 1,
     * 3, 5 and 9 */
    tab_interval wide = {0, 9}, iv[4] = {{0, 0}, {2, 2}, {4, 4}, {6, 8}};
    tab_interval *at6 = &iv[3];
    tab_cond c2[2] = {{3, iv}, {1, at6}};
    tab_rows gappy = {1, 2, &wide, c2};
    assert_int_equal(tab_analyze(&gappy, TAB_FIND_GAPS, 2, &pool, &f), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.items[0].kind, TAB_GAP);
    assert_int_equal(f.items[0].witness[0], 1);
    assert_int_equal(f.items[1].witness[0], 3);
    arena_free(&pool);
}


/* ---- eligo fmt (lang/fmt.c) --------------------------------------------- */

/* Words shorter than a keyword, or a keyword followed by `_` or a
 * capital, are continuations; cells padded with tabs are trimmed, and
 * the comment after the last `|` loses its tab; inside an open bracket
 * an escaped quote does not end the string and a `(` in a comment does
 * not open anything; `extend` opens a block like `entity`. */
static void fmt_more(void **state)
{
    (void)state;
    expect_fmt("le\nenum_x\npolicyZ\n", "  le\n  enum_x\n  policyZ\n");
    expect_fmt("table t(a: int) -> int hit first\n|\t1\t|\t2\t|\t# c\n|  10 | 20 |\n",
               "table t(a: int) -> int hit first\n  | 1  | 2  | # c\n  | 10 | 20 |\n");
    expect_fmt("output o: int = f(\"a\\\")\", # (\n  1)\t \noutput p: int = 1\n",
               "output o: int = f(\"a\\\")\", # (\n  1)\noutput p: int = 1\n");
    expect_fmt("extend t.person {\nx: int\n# c\n}\n", "extend t.person {\n  x: int\n  # c\n}\n");
    /* a blank line before a table stays; a bracket closed on the last
     * line, which has no newline; `entity` without `{` opens no block;
     * comments after a block keep their own level */
    expect_fmt("let a = 1\n\n|1|2|\n", "let a = 1\n\n  | 1 | 2 |\n");
    expect_fmt("output o = f(\n  1)", "output o = f(\n  1)\n");
    expect_fmt("entity e \"e\"\noutput o = 1\n", "entity e \"e\"\noutput o = 1\n");
    expect_fmt("entity e {\n}\n  # indented\n# top\n", "entity e {\n}\n  # indented\n# top\n");
}


/* ---- where a policy's documents are (lang/cite.c) ------------------------ */

/* The sources/ folder beside the policy (no model here): a bare file
 * name gives "sources", a doubled slash is one, a file at the root
 * gives "/sources". */
static void docs_dirs(void **state)
{
    (void)state;
    const char *names[] = {"x.policy", "a//x.policy", "/x.policy", "a/b/x.policy"};
    const char *want[] = {"sources", "a/sources", "/sources", "a/b/sources"};
    for (size_t i = 0; i < 4; i++) {
        policy p;
        memset(&p, 0, sizeof p);
        p.src = source_new(names[i], "", 0);
        char *dir = cite_docs_dir(&p);
        assert_string_equal(dir, want[i]);
        free(dir);
        source_free(p.src);
    }
}


/* ---- a cycle of long names (lang/check.c) -------------------------------- */

/* Two lets of 300-character names defined by each other: the path is
 * cut where the next name would not fit, says so, and ends with as much
 * of the first name as there is room for (the message stays within its
 * 512 bytes).  The path used to be written on past its buffer once a
 * name had filled it. */
static void long_cycle(void **state)
{
    (void)state;
    char a[301], b[301], text[2048], want[1024];
    memset(a, 'a', 300);
    memset(b, 'b', 300);
    a[300] = b[300] = 0;
    snprintf(text, sizeof text, HEAD "let %s: int \"甲\" = %s + 1\nlet %s: int \"乙\" = %s + 1\noutput o: int = %s\n",
             a, b, b, a, a);
    compiled c;
    compile_text(&c, text);
    assert_null(c.policy);
    snprintf(want, sizeof want, "t.policy:4:1: error: definitions form a cycle: %s -> ... -> %.88s\n", a, a);
    if (!strstr(c.diags, want)) print_error("%s", c.diags);
    assert_non_null(strstr(c.diags, want));
    compiled_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(extend_errors),
        cmocka_unit_test(extend_rewires_lists),
        cmocka_unit_test(policy_on_extension),
        cmocka_unit_test(policy_after_failed_model),
        cmocka_unit_test(peeks),
        cmocka_unit_test(test_expectations),
        cmocka_unit_test(warning_texts),
        cmocka_unit_test(runs),
        cmocka_unit_test(diag_edges),
        cmocka_unit_test(diag_long_cjk_line),
        cmocka_unit_test(sources),
        cmocka_unit_test(dumps),
        cmocka_unit_test(tables_without_columns),
        cmocka_unit_test(tables_empty_domain_and_limits),
        cmocka_unit_test(fmt_more),
        cmocka_unit_test(docs_dirs),
        cmocka_unit_test(long_cycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
