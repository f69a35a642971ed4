/*
 * test_model_set.c - the text a decision stores for its model: a model
 * that extends nothing is stored as its own text; one that extends
 * another as the model text set of both files, the base first, hashed
 * as a whole, which model_set_split takes apart again for a replay.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"

static const char EXT[] = "model x \"ext\"\nextend t.household {\n  hardship: bool = false \"h\"\n}\n";

typedef struct pair {
    diag_list dl;
    cmodel *base, *ext;
} pair;

static void pair_compile(pair *p, const char *ext_text)
{
    diag_list_init(&p->dl);
    p->base = compile_model(source_new("t.model", TEST_MODEL, strlen(TEST_MODEL)), &p->dl);
    assert_non_null(p->base);
    model_set ms = {&p->base, 1, 0, 0};
    p->ext = compile_model_in(source_new("x.model", ext_text, strlen(ext_text)), &ms, &p->dl);
    assert_non_null(p->ext);
}

static void pair_free(pair *p)
{
    cmodel_free(p->ext);
    cmodel_free(p->base);
    diag_list_free(&p->dl);
}

/* The plain model: its own bytes, hashed as before extensions existed. */
static void plain_model_is_its_text(void **state)
{
    (void)state;
    pair p;
    pair_compile(&p, EXT);
    assert_ptr_equal(p.base->stored_text, p.base->src->text);
    assert_int_equal(p.base->stored_len, strlen(TEST_MODEL));
    const char *names[4], *texts[4];
    size_t nl[4], tl[4];
    uint32_t n;
    assert_int_equal(model_set_split(TEST_MODEL, strlen(TEST_MODEL), names, nl, texts, tl, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_null(names[0]);
    assert_int_equal(tl[0], strlen(TEST_MODEL));
    pair_free(&p);
}

/* The extension: header, "#@file t 479" and TEST_MODEL's 479 bytes
 * (UTF-8), "#@file x 66" and EXT's 66; the hash is of that whole. */
static void extension_is_a_text_set(void **state)
{
    (void)state;
    pair p;
    pair_compile(&p, EXT);
    assert_int_equal(strlen(TEST_MODEL), 479);
    assert_int_equal(strlen(EXT), 66);
    char want[1024];
    int n = snprintf(want, sizeof want, "#@eligo model text set\n#@file t 479\n%s#@file x 66\n%s", TEST_MODEL, EXT);
    assert_int_equal(p.ext->stored_len, (size_t)n);
    assert_memory_equal(p.ext->stored_text, want, (size_t)n);
    assert_string_not_equal(p.ext->hash, p.base->hash);
    /* the same extension over another base is another version */
    pair q;
    diag_list_init(&q.dl);
    char other[600];
    snprintf(other, sizeof other, "%s# changed\n", TEST_MODEL);
    q.base = compile_model(source_new("t.model", other, strlen(other)), &q.dl);
    model_set ms = {&q.base, 1, 0, 0};
    q.ext = compile_model_in(source_new("x.model", EXT, strlen(EXT)), &ms, &q.dl);
    assert_non_null(q.ext);
    assert_string_not_equal(q.ext->hash, p.ext->hash);
    pair_free(&q);
    pair_free(&p);
}

/* Split and compiled again, file by file: the same hash. */
static void split_recompiles_to_the_same_hash(void **state)
{
    (void)state;
    pair p;
    pair_compile(&p, EXT);
    const char *names[4], *texts[4];
    size_t nl[4], tl[4];
    uint32_t n;
    assert_int_equal(model_set_split(p.ext->stored_text, p.ext->stored_len, names, nl, texts, tl, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(nl[0], 1);
    assert_memory_equal(names[0], "t", 1);
    assert_int_equal(tl[0], 479);
    assert_memory_equal(names[1], "x", 1);
    assert_int_equal(tl[1], 66);
    diag_list dl;
    diag_list_init(&dl);
    cmodel *b = compile_model(source_new("t", texts[0], tl[0]), &dl);
    model_set ms = {&b, 1, 0, 0};
    cmodel *e = compile_model_in(source_new("x", texts[1], tl[1]), &ms, &dl);
    assert_non_null(e);
    assert_string_equal(e->hash, p.ext->hash);
    cmodel_free(e);
    cmodel_free(b);
    diag_list_free(&dl);
    pair_free(&p);
}

/* A set whose lengths or headers were edited is malformed, never read
 * past its end; more files than the caller has room for too. */
static void malformed_sets(void **state)
{
    (void)state;
    const char *names[2], *texts[2];
    size_t nl[2], tl[2];
    uint32_t n;
    static const char *bad[] = {
        "#@eligo model text set\n",                         /* no file */
        "#@eligo model text set\n#@file t 5\nabc",          /* 5 bytes promised, 3 there */
        "#@eligo model text set\n#@file t\nabc",            /* no length */
        "#@eligo model text set\n#@file  3\nabc",           /* no name */
        "#@eligo model text set\n#@file t -1\nabc",         /* not a length */
        "#@eligo model text set\n#@file t 3\nabcjunk",      /* bytes after the last file */
        "#@eligo model text set\n#@file a 1\na#@file b 1\nb#@file c 1\nc",   /* 3 files, room for 2 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(model_set_split(bad[i], strlen(bad[i]), names, nl, texts, tl, 2, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_model_is_its_text),
        cmocka_unit_test(extension_is_a_text_set),
        cmocka_unit_test(split_recompiles_to_the_same_hash),
        cmocka_unit_test(malformed_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
