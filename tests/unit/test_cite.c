/*
 * test_cite.c - citations against documents (src/lang/cite.c): the
 * folding of whitespace and full-width forms, a quotation found across
 * a line break, the note with the nearest passage, the warning for a
 * figure the quotation does not state, assumptions recorded
 * on the policy and the parts of a citation kept in the compiled
 * parameter.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "lang/cite.h"
#include "lang/source.h"
#include "compile_helper.h"

/* The document: a sentence broken over two lines, full-width % and ,. */
static const char DOC[] = "第一行无关。\n困难群众医保报销后自付部分救助比例\n最高达85%,且不设封顶线。每例奖励1.5万元。\n";

typedef struct cited {
    char dir[512];
    compiled c;
} cited;

/* Compiles `text` with TEST_MODEL read from DIR/t.model, so that the
 * documents are DIR/sources/, citations checked. */
static void compile_cited(cited *t, const char *text)
{
    char path[600];
    const char *tmp = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/test_cite.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(t->dir));
    snprintf(path, sizeof path, "%s/sources", t->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/sources/doc.txt", t->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(DOC, f);
    fclose(f);
    compiled *c = &t->c;
    memset(c, 0, sizeof *c);
    diag_list_init(&c->dl);
    snprintf(path, sizeof path, "%s/t.model", t->dir);
    c->model = compile_model(source_new(path, TEST_MODEL, strlen(TEST_MODEL)), &c->dl);
    assert_non_null(c->model);
    c->set.items = &c->model;
    c->set.n = 1;
    c->set.load_checks = 1;
    c->policy = compile_policy(source_new("t.policy", text, strlen(text)), &c->set, &c->dl);
    c->diags = diag_text(&c->dl);
}

static void cited_free(cited *t)
{
    char path[600];
    snprintf(path, sizeof path, "%s/sources/doc.txt", t->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/sources", t->dir);
    rmdir(path);
    rmdir(t->dir);
    compiled_free(&t->c);
}

#define HEAD "policy t.p \"测试\"\nsource \"doc.txt\" \"困难群众\"\ncovers 2017-01-01 to 2030-12-31\nuse t.household\n"

static void folding(void **state)
{
    (void)state;
    assert_int_equal(cite_fold(' '), 0);
    assert_int_equal(cite_fold('\n'), 0);
    assert_int_equal(cite_fold(0x3000), 0);          /* ideographic space */
    assert_int_equal(cite_fold(0xFF05), '%');        /* % */
    assert_int_equal(cite_fold(0xFF0C), ',');        /* , */
    assert_int_equal(cite_fold(0x201C), '"');        /* “ */
    assert_int_equal(cite_fold(0x3002), '.');        /* 。 */
    assert_int_equal(cite_fold(0x4E2D), 0x4E2D);     /* 中 stays */
}

static void quotation_across_a_line_break(void **state)
{
    (void)state;
    cited t;
    compile_cited(&t, HEAD
                  "parameter rate: decimal\n"
                  "  from 2017-01-01 until 2018-12-31: 0.80 assumption \"2019年以前的比例未载\"\n"
                  "  from 2019-01-01: 0.85 source \"doc.txt\" \"救助比例最高达85%, 且不设封顶线\"\n"
                  "output x: decimal = rate\n");
    assert_string_equal(t.c.diags, "");
    assert_non_null(t.c.policy);
    const ev_param *p = &t.c.policy->tree.params[0];
    assert_null(p->cite[0].doc);
    assert_null(p->source[0]);
    assert_string_equal(p->cite[0].assumption, "2019年以前的比例未载");
    assert_string_equal(p->cite[1].doc, "doc.txt");
    assert_string_equal(p->cite[1].quote, "救助比例最高达85%, 且不设封顶线");
    assert_string_equal(p->source[1], "doc.txt: 救助比例最高达85%, 且不设封顶线");
    assert_null(p->cite[1].assumption);
    assert_int_equal(t.c.policy->nassumptions, 1);
    const policy_assumption *a = &t.c.policy->assumptions[0];
    uint32_t line, col;
    source_linecol(t.c.policy->src, a->offset, &line, &col);
    assert_int_equal(line, 6);
    assert_string_equal(a->what, "parameter");
    assert_string_equal(a->name, "rate");
    assert_string_equal(a->from, "2017-01-01");
    assert_int_equal(a->row, 0);
    cited_free(&t);
}

/* A table row's citation and the else row's assumption are kept in the
 * compiled table. */
static void row_citations(void **state)
{
    (void)state;
    cited t;
    compile_cited(&t, HEAD
                  "table award(age: int) -> money once hit first\n"
                  "  | >= 60 | 15000.00 | \"奖励\" source \"doc.txt\" \"每例奖励1.5万元\"\n"
                  "  | else  | 0.00     | \"不奖励\" assumption \"其他情形不奖励\"\n"
                  "output x: money once = sum(award(m.age) for m in household.members)\n");
    assert_string_equal(t.c.diags, "");
    assert_non_null(t.c.policy);
    const ev_table *et = &t.c.policy->tree.tables[0];
    assert_string_equal(et->row_cite[0].doc, "doc.txt");
    assert_string_equal(et->row_cite[0].quote, "每例奖励1.5万元");
    assert_null(et->else_cite.doc);
    assert_string_equal(et->else_cite.assumption, "其他情形不奖励");
    assert_string_equal(t.c.policy->assumptions[0].what, "table");
    assert_string_equal(t.c.policy->assumptions[0].name, "award");
    assert_null(t.c.policy->assumptions[0].from);
    assert_int_equal(t.c.policy->assumptions[0].row, 2);
    cited_free(&t);
}

/* Compiles a policy whose one parameter has the value line `value`
 * and requires the diagnostics `want` (and a policy when `compiles`). */
static void value_diags(const char *value, int compiles, const char *want)
{
    char text[1024];
    cited t;
    snprintf(text, sizeof text, HEAD "parameter rate: decimal\n%s\noutput x: decimal = rate\n", value);
    compile_cited(&t, text);
    assert_string_equal(t.c.diags, want);
    if (compiles) assert_non_null(t.c.policy);
    else assert_null(t.c.policy);
    cited_free(&t);
}

static void nearest_passage(void **state)
{
    (void)state;
    value_diags("  from 2017-01-01: 0.90 source \"doc.txt\" \"救助比例最高达90%\"", 0,
        "t.policy:6:42: error: the quotation is not in `doc.txt`\n"
        "    6 |   from 2017-01-01: 0.90 source \"doc.txt\" \"救助比例最高达90%\"\n"
        "      |                                          ^~~~~~~~~~~~~~~~~~~\n"
        "note: doc.txt:2: the document says: …救助比例最高达85%…\n");
}

/* A figure the quotation does not state is a warning: 0.90 against a
 * sentence saying 85%; 0.85 (as 85%) and 15000.00 (as 1.5万) are stated. */
static void figure_not_stated(void **state)
{
    (void)state;
    value_diags("  from 2017-01-01: 0.90 source \"doc.txt\" \"救助比例最高达85%\"", 1,
        "t.policy:6:20: warning: the quotation does not state 0.90\n"
        "    6 |   from 2017-01-01: 0.90 source \"doc.txt\" \"救助比例最高达85%\"\n"
        "      |                    ^~~~\n"
        "hint: quote the sentence that states it, or cite `assumption \"why\"`\n");
    value_diags("  from 2017-01-01: 0.85 source \"doc.txt\" \"救助比例最高达85%\"", 1, "");
    value_diags("  from 2017-01-01: 15000.00 source \"doc.txt\" \"每例奖励1.5万元\"", 1, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folding),
        cmocka_unit_test(quotation_across_a_line_break),
        cmocka_unit_test(nearest_passage),
        cmocka_unit_test(figure_not_stated),
        cmocka_unit_test(row_citations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
