/*
 * test_json_lex.c - unit tests for io/json_lex.c, the tokenizer itself.
 *
 * test_json_in.c pins what a request sees (statuses, offsets, wording)
 * through json_input_parse(); these check the token array the readers
 * walk (types, exact text, counts, subtree ends, flags), the caller's
 * limits, and that the first problem is the first in the text.  Each
 * case is kept once: the number grammar and the unescaping are checked
 * here, their wording and offsets as a request sees them there.
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
#include <cmocka.h>

#include "io/json_lex.h"

static arena pool;
static json_lexed lx;

static int setup(void **state)
{
    (void)state;
    arena_init(&pool, 4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(&pool);
    return 0;
}

static json_status lex(const char *text, const json_limits *lim)
{
    return json_lex(text, strlen(text), lim ? lim : &json_request_limits, &pool, &lx);
}

/* Token i has this type, exact text, size and next index. */
static void expect_tok(const char *text, uint32_t i, json_type type, const char *t,
                       uint32_t size, uint32_t next)
{
    const json_tok *k = &lx.tok[i];
    assert_int_equal(k->type, type);
    assert_int_equal(k->end - k->start, strlen(t));
    assert_memory_equal(text + k->start, t, strlen(t));
    assert_int_equal(k->size, size);
    assert_int_equal(k->next, next);
}

static void tokens_in_order(void **state)
{
    (void)state;
    const char *d = "{\"a\":[1,-2.5e3,\"x\\n\"],\"b\":{},\"c\":true,\"d\":null, \"e\":false}";
    assert_int_equal(lex(d, NULL), JSON_OK);
    assert_int_equal(lx.ntok, 14);
    expect_tok(d, 0, JT_OBJECT, d, 5, 14);                     /* 5 members */
    expect_tok(d, 1, JT_STRING, "a", 0, 2);
    expect_tok(d, 2, JT_ARRAY, "[1,-2.5e3,\"x\\n\"]", 3, 6);
    expect_tok(d, 3, JT_NUMBER, "1", 0, 4);
    expect_tok(d, 4, JT_NUMBER, "-2.5e3", JSON_NUM_FRAC | JSON_NUM_EXP, 5);
    expect_tok(d, 5, JT_STRING, "x\\n", 1, 6);                 /* has an escape */
    expect_tok(d, 7, JT_OBJECT, "{}", 0, 8);
    expect_tok(d, 9, JT_TRUE, "true", 0, 10);
    expect_tok(d, 11, JT_NULL, "null", 0, 12);
    expect_tok(d, 13, JT_FALSE, "false", 0, 14);
}

static void lone_values(void **state)
{
    (void)state;
    assert_int_equal(lex(" 12.50 ", NULL), JSON_OK);
    assert_int_equal(lx.ntok, 1);
    expect_tok(" 12.50 ", 0, JT_NUMBER, "12.50", JSON_NUM_FRAC, 1);
    assert_int_equal(lex("\"\"", NULL), JSON_OK);
    expect_tok("\"\"", 0, JT_STRING, "", 0, 1);
}

static void unescape(void **state)
{
    (void)state;
    const char s[] = "a\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\\u5F20";
    char out[sizeof s];
    size_t n = json_unescape(s, sizeof s - 1, out);
    const char want[] = "a\xc3\xa9\xf0\x9f\x98\x80\"\\/\b\f\n\r\t\xe5\xbc\xa0";
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, n);
}

static void numbers(void **state)
{
    (void)state;
    int f;
    assert_true(json_number_scan("0", 1, &f) && f == 0);
    assert_true(json_number_scan("-0.001", 6, &f) && f == JSON_NUM_FRAC);
    assert_true(json_number_scan("1E+2", 4, &f) && f == JSON_NUM_EXP);
    assert_false(json_number_scan("00", 2, &f));
    assert_false(json_number_scan("-01", 3, &f));
    assert_false(json_number_scan("1.", 2, &f));
    assert_false(json_number_scan("1e", 2, &f));
    assert_false(json_number_scan("1e+", 3, &f));
    assert_false(json_number_scan("-", 1, &f));
    assert_false(json_number_scan("", 0, &f));
}

/* A caller's own limits; the offsets are of the opening bracket and of
 * the token past the last allowed. */
static void caller_limits(void **state)
{
    (void)state;
    const json_limits two = { 2, 4 };
    assert_int_equal(lex("[[]]", &two), JSON_OK);
    assert_int_equal(lex("[[[]]]", &two), JSON_E_LIMIT);
    assert_int_equal(lx.at, 2);
    assert_int_equal(lex("[1,2,3]", &two), JSON_OK);
    assert_int_equal(lex("[1,2,3,4]", &two), JSON_E_LIMIT);
    assert_int_equal(lx.at, 7);
    /* a limit anywhere wins over an earlier syntax error */
    assert_int_equal(lex("[1 2,[[]]]", &two), JSON_E_LIMIT);
    assert_int_equal(lx.at, 6);
}

/* The first problem in the text is the one reported.  (jsmn, used before,
 * ran to the end first: "{}{" was an unexpected end there, and a string
 * with a control character before a bad escape was malformed.) */
static void expect_error(const char *text, size_t at, const char *what)
{
    assert_int_equal(lex(text, NULL), JSON_E_SYNTAX);
    assert_int_equal(lx.at, at);
    assert_string_equal(lx.what, what);
}

static void first_problem_first(void **state)
{
    (void)state;
    expect_error("{}{", 2, "trailing characters after JSON");
    expect_error("[\"\x01\\x\"]", 2, "control character in string");
    expect_error("[\"ab\\", 5, "unexpected end of JSON");
    expect_error("[\"\\u12", 6, "unexpected end of JSON");
    expect_error("[\"\\u12x4\"]", 1, "malformed JSON");
    expect_error("[1\x7f]", 1, "malformed JSON");
}

/* Every token but the first follows its own '{', '[', ',' or ':', so the
 * array sized from those bytes is full when no container is empty and
 * no string holds one: the last token lands in the last slot. */
static void bound_is_tight(void **state)
{
    (void)state;
    const char *d = "[1,[2],{\"a\":3}]";
    assert_int_equal(lex(d, NULL), JSON_OK);
    assert_int_equal(lx.ntok, 7);
    expect_tok(d, 6, JT_NUMBER, "3", 0, 7);
}

/* Strings are crossed 8 bytes at a time up to the first byte that needs
 * a look (quote, backslash, control, non-ASCII): that byte at every
 * offset of a 20-byte string, and in every lane of a word, must still be
 * found, with the exact text before it. */
static void special_byte_at_every_offset(void **state)
{
    (void)state;
    for (size_t at = 0; at < 20; at++) {
        char d[64], want[32];
        memset(want, 'a', at);
        want[at] = '\0';
        snprintf(d, sizeof d, "[\"%s\"]", want);           /* the closing quote at `at` */
        assert_int_equal(lex(d, NULL), JSON_OK);
        expect_tok(d, 1, JT_STRING, want, 0, 2);
        snprintf(d, sizeof d, "[\"%s\\n%s\"]", want, "bb");   /* an escape at `at` */
        assert_int_equal(lex(d, NULL), JSON_OK);
        assert_int_equal(lx.tok[1].size, 1);
        assert_int_equal(lx.tok[1].end - lx.tok[1].start, at + 4);
        snprintf(d, sizeof d, "[\"%s\xc3\xa9z\"]", want);        /* UTF-8 at `at` */
        assert_int_equal(lex(d, NULL), JSON_OK);
        assert_int_equal(lx.tok[1].end - lx.tok[1].start, at + 3);
        snprintf(d, sizeof d, "[\"%s\x01\"]", want);               /* a control byte at `at` */
        expect_error(d, 2 + at, "control character in string");
        snprintf(d, sizeof d, "[\"%s\xff\"]", want);               /* not UTF-8 at `at` */
        expect_error(d, 2 + at, "invalid UTF-8 in string");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tokens_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(lone_values, setup, teardown),
        cmocka_unit_test_setup_teardown(unescape, setup, teardown),
        cmocka_unit_test_setup_teardown(numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(caller_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(first_problem_first, setup, teardown),
        cmocka_unit_test_setup_teardown(bound_is_tight, setup, teardown),
        cmocka_unit_test_setup_teardown(special_byte_at_every_offset, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
