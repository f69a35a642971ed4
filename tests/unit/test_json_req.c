/*
 * test_json_req.c - the decision request envelope: fields, types, lists
 * of policies, and every problem named by its JSON Pointer; and the
 * single pass held to the token reader over every prefix and byte
 * mutation of a few bodies (`single_pass_agrees`).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "io/json_req.h"
#include "eval/date.h"
#include "mutate_helper.h"

static json_status parse(const char *body, decision_request *r, json_errors *e, arena *a)
{
    return json_request_parse(body, strlen(body), a, r, e);
}

static void valid_single(void **state)
{
    arena a; arena_init(&a, 4096);
    decision_request r; json_errors e;
    const char *b = "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"r-1\","
                    "\"input\":{\"household\":{\"members\":[]}},\"explain\":true}";
    assert_int_equal(parse(b, &r, &e, &a), JSON_OK);
    assert_int_equal(r.npolicies, 1);
    assert_int_equal(r.policy_is_list, 0);
    assert_int_equal(r.policy[0].n, 13);
    assert_memory_equal(r.policy[0].p, "tianjin.dibao", 13);
    assert_int_equal(r.as_of, date_from_ymd(2019, 1, 1));
    assert_string_equal(r.request_id, "r-1");
    assert_int_equal(r.explain, 1);
    assert_int_equal(r.input.n, strlen("{\"household\":{\"members\":[]}}"));
    /* "text" asks for the explanation too (its `text` member is the citizen's account) */
    assert_int_equal(parse("{\"policy\":\"a.b\",\"input\":{},\"explain\":\"text\"}", &r, &e, &a), JSON_OK);
    assert_int_equal(r.explain, 1);
    arena_free(&a);
}

static void list_of_policies(void **state)
{
    arena a; arena_init(&a, 4096);
    decision_request r; json_errors e;
    assert_int_equal(parse("{\"policy\":[\"a.b\",\"c.d\"],\"input\":{}}", &r, &e, &a), JSON_OK);
    assert_int_equal(r.npolicies, 2);
    assert_int_equal(r.policy_is_list, 1);
    assert_int_equal(r.has_as_of, 0);
    assert_int_equal(parse("{\"policy\":[\"a.b\",\"a.b\"],\"input\":{}}", &r, &e, &a), JSON_E_INVALID);
    assert_string_equal(e.items[0].pointer, "/policy/1");
    assert_string_equal(e.items[0].detail, "policy listed twice");
    arena_free(&a);
}

static void every_problem_listed(void **state)
{
    arena a; arena_init(&a, 4096);
    decision_request r; json_errors e;
    assert_int_equal(parse("{\"policy\":7,\"as_of\":\"2019-02-30\",\"explain\":\"yes\",\"extra\":1,\"as_of\":\"x\"}",
                           &r, &e, &a), JSON_E_INVALID);
    assert_int_equal(e.n, 6);
    assert_string_equal(e.items[0].pointer, "/policy");
    assert_string_equal(e.items[1].pointer, "/as_of");
    assert_string_equal(e.items[1].detail, "expected a date YYYY-MM-DD");
    assert_string_equal(e.items[2].pointer, "/explain");
    assert_string_equal(e.items[2].detail, "expected true, false or \"text\"");
    assert_string_equal(e.items[3].pointer, "/extra");
    assert_string_equal(e.items[4].detail, "duplicate key");
    assert_string_equal(e.items[5].pointer, "/input");
    assert_string_equal(e.items[5].detail, "missing required field");
    arena_free(&a);
}

static void syntax_and_limits(void **state)
{
    arena a; arena_init(&a, 4096);
    decision_request r; json_errors e;
    assert_int_equal(parse("{\"policy\":\"a.b\",", &r, &e, &a), JSON_E_SYNTAX);
    assert_int_equal(parse("{\"policy\":\"a.b\",\"input\":{}} x", &r, &e, &a), JSON_E_SYNTAX);
    assert_int_equal(e.offset, 28);
    char deep[200];
    memset(deep, '[', 100);
    deep[100] = 0;
    assert_int_equal(parse(deep, &r, &e, &a), JSON_E_LIMIT);
    assert_int_equal(parse("[]", &r, &e, &a), JSON_E_INVALID);
    /* valid JSON that is not an object is a request that does not fit (422),
     * not malformed JSON (400) */
    static const char *const not_objects[] = {"null", "1", "true", " \"x\" ", "-0.5e3"};
    for (size_t k = 0; k < sizeof not_objects / sizeof not_objects[0]; k++) {
        assert_int_equal(parse(not_objects[k], &r, &e, &a), JSON_E_INVALID);
        assert_int_equal(e.n, 1);
        assert_string_equal(e.items[0].pointer, "");
        assert_string_equal(e.items[0].detail, "expected a JSON object");
    }
    assert_int_equal(parse("{\"policy\":\"A;DROP\",\"input\":{}}", &r, &e, &a), JSON_E_INVALID);
    assert_int_equal(parse("{\"policy\":\"a.b\",\"request_id\":\"has space\",\"input\":{}}", &r, &e, &a), JSON_E_INVALID);
    assert_string_equal(e.items[0].pointer, "/request_id");
    arena_free(&a);
}

/* ---- the single pass against the token reader ------------------------ */

static unsigned fast_taken;     /* bodies the single pass took itself */

/* Reads body both ways (each in an arena of its own): the same status,
 * the same request on success, the same problems otherwise.  1 when
 * they accept. */
static int agree(const char *body, size_t len)
{
    arena a, b;
    decision_request ra, rb, rc;
    json_errors ea, eb;
    arena_init(&a, 4096);
    arena_init(&b, 4096);
    json_status sa = json_request_parse(body, len, &a, &ra, &ea);
    json_status sb = json_request_parse_tokens(body, len, &b, &rb, &eb);
    if (sa != sb || (sa == JSON_OK ? !json_request_same(&ra, &rb) : !json_problems_same(&ea, &eb)))
        fail_msg("the readers differ on %.*s", (int)len, body);
    fast_taken += sa == JSON_OK && json_request_fast(body, len, &rc);
    arena_free(&a);
    arena_free(&b);
    return sa == JSON_OK;
}

/* agree() as mutate_helper.h calls it. */
static int agree_variant(void *ctx, const char *body, size_t len)
{
    (void)ctx;
    return agree(body, len);
}

/* Every prefix, every byte left out, doubled or replaced by one of a few
 * bytes JSON gives a meaning to (mutate_helper.h).  Returns how many of
 * base and its variants both took. */
static unsigned variants_agree(const char *base)
{
    if (!agree(base, strlen(base)))
        fail_msg("not accepted: %s", base);
    return 1 + variants_accepted(base, " \"\\,:{}[]0-.eEtu9x\x01\x7f\x80", agree_variant, NULL);
}

static void single_pass_agrees(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "{\"policy\":\"tianjin.dibao\",\"as_of\":\"2019-01-01\",\"request_id\":\"r-1\","
        "\"input\":{\"household\":{\"members\":[{\"id\":\"m0\",\"age\":66,\"x\":-1.5e3,"
        "\"y\":[true,false,null,{}]}]}},\"explain\":true}",
        " { \"input\" : { \"h\" : [ \"\\u5f20\\n\\ud83d\\ude00\" , \"\xe5\xbc\xa0\" , 0 ] } ,"
        " \"explain\" : \"text\" , \"policy\" : [ \"a.b\" , \"c_d.e2\" ] }\n",
        "{\"explain\":false,\"policy\":[\"a.b\"],\"input\":{},\"as_of\":\"2024-02-29\"}",
    };
    unsigned accepted = 0;
    fast_taken = 0;
    for (size_t k = 0; k < sizeof bodies / sizeof *bodies; k++)
        accepted += variants_agree(bodies[k]);
    /* both readers took the same variants (agree() checked each), many of
     * them (a blank, a digit, another key order), and the single pass took
     * every one itself: none has an escaped key */
    assert_true(accepted > 100);
    assert_int_equal(fast_taken, accepted);
}

/* The limits at their edges, where the single pass must give up exactly
 * when the token reader says 413: 32 containers deep (the envelope one
 * of them) and 65,536 tokens. */
static void single_pass_limits(void **state)
{
    (void)state;
    static char body[300000];
    for (int d = 30; d <= 33; d++) {
        /* the envelope, the input, then d - 2 lists */
        int n = snprintf(body, sizeof body, "{\"policy\":\"a.b\",\"input\":{\"k\":");
        memset(body + n, '[', (size_t)d - 2);
        memset(body + n + d - 2, ']', (size_t)d - 2);
        n += 2 * (d - 2);
        n += sprintf(body + n, "}}");
        assert_int_equal(agree(body, (size_t)n), d <= 32);
    }
    /* the envelope, its two keys, "a.b", the input, "l" and the list are 7
     * tokens, then one an element: 65,529 elements fit, 65,530 do not */
    for (int m = 65529; m <= 65531; m++) {
        int n = snprintf(body, sizeof body, "{\"policy\":\"a.b\",\"input\":{\"l\":[");
        for (int k = 0; k < m; k++) body[n++] = '0', body[n++] = ',';
        n--;
        n += sprintf(body + n, "]}}");
        assert_int_equal(agree(body, (size_t)n), m <= 65529);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_single),
        cmocka_unit_test(list_of_policies),
        cmocka_unit_test(every_problem_listed),
        cmocka_unit_test(syntax_and_limits),
        cmocka_unit_test(single_pass_agrees),
        cmocka_unit_test(single_pass_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
