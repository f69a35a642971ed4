/*
 * test_parts.c - finding a stored decision's outputs and explanation in
 * its response (src/store/parts.c), which rows stored since db/005 hold
 * only there, and the leaf hash over such spans (store_leaf_hash_n).
 *
 * The documents have the shape eligo answers (json_out.c):
 * {"policy":{...},"as_of":...,"outputs":...,"reasons":[...] and, when
 * explained, ,"explanation":...}.  The traps are members named like the
 * top-level ones inside the values (an output called "outputs", a reason
 * quoting ,"explanation":), escaped quotes, and documents that are not an
 * object of members.  The expected spans are written out by hand.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "store/store_int.h"

static void parts(const char *doc, const char *want_out, const char *want_expl)
{
    store_span out, expl;
    assert_int_equal(store_response_parts(doc, strlen(doc), &out, &expl), 0);
    assert_int_equal(out.n, strlen(want_out));
    assert_memory_equal(out.p, want_out, out.n);
    if (!want_expl) {
        assert_null(expl.p);
        return;
    }
    assert_non_null(expl.p);
    assert_int_equal(expl.n, strlen(want_expl));
    assert_memory_equal(expl.p, want_expl, expl.n);
}

static void not_parts(const char *doc)
{
    store_span out, expl;
    assert_int_equal(store_response_parts(doc, strlen(doc), &out, &expl), -1);
}

static void test_plain(void **state)
{
    (void)state;
    parts("{\"policy\":{\"name\":\"tianjin.dibao\",\"hash\":\"sha256:ab\"},\"as_of\":\"2019-01-01\","
          "\"outputs\":{\"eligible\":true,\"monthly_benefit\":\"1080.00\"},\"reasons\":[\"r1\"]}",
          "{\"eligible\":true,\"monthly_benefit\":\"1080.00\"}", NULL);
}

static void test_explained(void **state)
{
    (void)state;
    parts("{\"policy\":{\"name\":\"p\"},\"as_of\":\"2019-01-01\",\"outputs\":{\"a\":1},\"reasons\":[],"
          "\"explanation\":{\"steps\":[{\"calc\":\"1 + 1\"}],\"text\":\"x\"}}",
          "{\"a\":1}", "{\"steps\":[{\"calc\":\"1 + 1\"}],\"text\":\"x\"}");
}

/* Keys and text inside values that look like the top-level members. */
static void test_lookalikes(void **state)
{
    (void)state;
    parts("{\"policy\":{\"outputs\":0},\"as_of\":\"2019-01-01\","
          "\"outputs\":{\"outputs\":[1,{\"explanation\":\"}]\"}],\"s\":\"a\\\"b\\\\\"},"
          "\"reasons\":[\",\\\"explanation\\\":{}\"]}",
          "{\"outputs\":[1,{\"explanation\":\"}]\"}],\"s\":\"a\\\"b\\\\\"}", NULL);
    /* scalars and blanks between members */
    parts("{ \"outputs\" : 12.50 , \"explanation\" : null }", "12.50", "null");
}

static void test_not_a_document(void **state)
{
    (void)state;
    not_parts("");
    not_parts("[]");
    not_parts("{\"reasons\":[]}");                              /* no outputs */
    not_parts("{\"outputs\":{\"a\":1}");                         /* not closed */
    not_parts("{\"outputs\":{\"a\":\"1}}");                      /* string not closed */
    not_parts("{\"outputs\":{\"a\":1}}x");                       /* text after it */
    not_parts("{\"outputs\" {\"a\":1}}");                        /* no colon */
}

/* A leaf over spans of the response equals the leaf over the same bytes
 * as strings: what a reader of a row stored since db/005 computes is what
 * the writer hashed. */
static void test_leaf_over_spans(void **state)
{
    (void)state;
    const char *doc = "{\"as_of\":\"2019-01-01\",\"outputs\":{\"a\":1},\"reasons\":[],\"explanation\":[2]}";
    const char *f[STORE_LEAF_FIELDS];
    size_t len[STORE_LEAF_FIELDS];
    for (int i = 0; i < STORE_LEAF_FIELDS; i++) {
        f[i] = "x";
        len[i] = 1;
    }
    f[LEAF_MODEL_HASH] = NULL;
    f[LEAF_RESPONSE] = doc;
    len[LEAF_RESPONSE] = strlen(doc);
    f[LEAF_OUTPUTS] = "{\"a\":1}";
    f[LEAF_EXPLANATION] = "[2]";
    char want[65], got[65], other[65];
    assert_int_equal(store_leaf_hash(f, want), 0);
    store_span out, expl;
    assert_int_equal(store_response_parts(doc, strlen(doc), &out, &expl), 0);
    f[LEAF_OUTPUTS] = out.p;
    len[LEAF_OUTPUTS] = out.n;
    f[LEAF_EXPLANATION] = expl.p;
    len[LEAF_EXPLANATION] = expl.n;
    assert_int_equal(store_leaf_hash_n(f, len, got), 0);
    assert_string_equal(got, want);
    /* and the explanation's absence (NULL) is not an empty one */
    f[LEAF_EXPLANATION] = NULL;
    assert_int_equal(store_leaf_hash_n(f, len, other), 0);
    assert_string_not_equal(other, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_explained),
        cmocka_unit_test(test_lookalikes),
        cmocka_unit_test(test_not_a_document),
        cmocka_unit_test(test_leaf_over_spans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
