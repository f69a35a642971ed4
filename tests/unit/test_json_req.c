/*
 * test_json_req.c - the decision request envelope: fields, types, lists
 * of policies, and every problem named by its JSON Pointer.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "io/json_req.h"
#include "eval/date.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_single),
        cmocka_unit_test(list_of_policies),
        cmocka_unit_test(every_problem_listed),
        cmocka_unit_test(syntax_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
