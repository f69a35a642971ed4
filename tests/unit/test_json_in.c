/*
 * test_json_in.c - unit tests for io/json_in.c.
 *
 * The model is built by hand here (the civil household and person, plus a
 * small "misc" entity for dates, decimals, maps and scalar lists), so the
 * tests depend on no model compiler.  Each test parses one text and checks
 * the status, the cells, or the exact problems (pointer, path, detail).
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

#include "io/json_in.h"
#include "io/json_fast.h"
#include "eval/date.h"
#include "eval/decimal.h"
#include "mutate_helper.h"

/* ---- the model ---- */

static const char *self_care_names[] = { "full", "partial", "none" };
static enum_def self_care_enum = { "self_care", NULL, 3, self_care_names, NULL, NULL };
static const char *hukou_names[] = { "urban", "rural" };
static enum_def hukou_enum = { "hukou", NULL, 2, hukou_names, NULL, NULL };

static entity_def person, household, misc;

static const ty t_text = { .kind = TY_TEXT };
static const ty t_int = { .kind = TY_INT };
static const ty t_bool = { .kind = TY_BOOL };
static const ty t_money = { .kind = TY_MONEY, .period = TP_MONTH };
static const ty t_decimal = { .kind = TY_DECIMAL };
static const ty t_date = { .kind = TY_DATE };
static const ty t_self_care = { .kind = TY_ENUM, .en = &self_care_enum };
static const ty t_hukou = { .kind = TY_ENUM, .en = &hukou_enum };
static const ty t_person = { .kind = TY_ENTITY, .ent = &person };
static const ty t_members = { .kind = TY_LIST, .elem = &t_person };
static const ty t_text_list = { .kind = TY_LIST, .elem = &t_text };
static const ty t_int_map = { .kind = TY_MAP, .elem = &t_int };

enum { P_ID, P_AGE, P_INCOME, P_ABLE, P_SELF_CARE, P_NFIELDS };
enum { H_HUKOU, H_MEMBERS, H_NFIELDS };
enum { M_HIRED, M_RATE, M_TAGS, M_SCORES, M_COUNT, M_NFIELDS };

static field_def person_fields[] = {
    { .name = "id", .type = &t_text, .index = P_ID, .required = 1,
      .has_min = 1, .has_max = 1, .min = 1, .max = 64 },
    { .name = "age", .type = &t_int, .index = P_AGE, .required = 1,
      .has_min = 1, .has_max = 1, .min = 0, .max = 150 },
    { .name = "monthly_income", .type = &t_money, .index = P_INCOME,
      .has_min = 1, .min = 0, .def = { .i = 0 } },
    { .name = "able_to_work", .type = &t_bool, .index = P_ABLE, .def = { .i = 1 } },
    { .name = "self_care", .type = &t_self_care, .index = P_SELF_CARE, .def = { .i = 0 } },
};

static field_def household_fields[] = {
    { .name = "hukou", .type = &t_hukou, .index = H_HUKOU, .def = { .i = 0 } },
    { .name = "members", .type = &t_members, .index = H_MEMBERS, .required = 1,
      .has_min = 1, .has_max = 1, .min = 1, .max = 50 },
};

/* Field order differs from cell order on purpose: cells go by index. */
static field_def misc_fields[] = {
    { .name = "count", .type = &t_int, .index = M_COUNT, .def = { .i = 7 } },
    { .name = "hired_on", .type = &t_date, .index = M_HIRED, .required = 1 },
    { .name = "rate", .type = &t_decimal, .index = M_RATE,
      .has_min = 1, .has_max = 1, .min = 0, .max = 1000000 },
    { .name = "tags", .type = &t_text_list, .index = M_TAGS, .has_max = 1, .max = 3 },
    { .name = "scores", .type = &t_int_map, .index = M_SCORES },
};

static entity_def person = { "person", NULL, P_NFIELDS, person_fields, NULL, NULL, 0 };
static entity_def household = { "household", NULL, H_NFIELDS, household_fields, NULL, NULL, 0 };
static entity_def misc = { "misc", NULL, M_NFIELDS, misc_fields, NULL, NULL, 0 };

/* ---- helpers ---- */

static arena pool;
static json_errors errs;
static ev_cell *rec;

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

static json_status parse_with(const entity_def *root, const char *prefix, const char *text)
{
    return json_input_parse(text, strlen(text), root, prefix, &pool, &rec, &errs);
}

static json_status parse(const char *text)
{
    return parse_with(&household, "", text);
}

static const ev_cell *member(size_t k)
{
    const ev_cell *list = &rec[H_MEMBERS];
    assert_true(k < list->l.n);
    return list->l.base + k * list->l.stride;
}

static int64_t dec(const char *s)
{
    int64_t v = 0;
    assert_int_equal(dec_parse(s, strlen(s), &v), DEC_OK);
    return v;
}

/* Asserts that problem k is at `pointer` with `detail`. */
static void expect_problem(size_t k, const char *pointer, const char *detail)
{
    assert_true(k < errs.n);
    assert_string_equal(errs.items[k].pointer, pointer);
    assert_string_equal(errs.items[k].detail, detail);
}

/* Asserts exactly one problem. */
static void expect_only(json_status got, json_status want, const char *pointer, const char *detail)
{
    assert_int_equal(got, want);
    assert_int_equal(errs.n, 1);
    expect_problem(0, pointer, detail);
}

/* One member whose `age` field's value is `age` (JSON text). */
static json_status parse_age(const char *age)
{
    char text[256];
    snprintf(text, sizeof text,
             "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":%s}]}}", age);
    return parse(text);
}

static json_status parse_income(const char *income)
{
    char text[256];
    snprintf(text, sizeof text,
             "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"monthly_income\":%s}]}}",
             income);
    return parse(text);
}

static json_status parse_id(const char *id)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"household\":{\"members\":[{\"id\":%s,\"age\":1}]}}", id);
    return parse(text);
}

static void expect_syntax(const char *text, size_t offset, const char *detail)
{
    assert_int_equal(parse(text), JSON_E_SYNTAX);
    assert_int_equal(errs.offset, offset);
    assert_int_equal(errs.n, 1);
    expect_problem(0, "", detail);
    assert_null(rec);
}

/* Appends to text (of size cap) at *n, asserting that it fits. */
static void appendf(char *text, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void appendf(char *text, size_t cap, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(text + *n, cap - *n, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < cap - *n);
    *n += (size_t)k;
}

/* ---- valid input ---- */

static void valid_household(void **state)
{
    (void)state;
    const char *text =
        "{ \"household\": {\n"
        "    \"hukou\": \"rural\",\n"
        "    \"members\": [\n"
        "      {\"id\": \"a1\", \"age\": 45, \"monthly_income\": 1000.50,\n"
        "       \"able_to_work\": false, \"self_care\": \"partial\"},\n"
        "      {\"id\": \"a2\", \"age\": 8}\n"
        "    ]\n"
        "} }\n";
    assert_int_equal(parse(text), JSON_OK);
    assert_int_equal(errs.n, 0);
    assert_non_null(rec);
    assert_int_equal(rec[H_HUKOU].i, 1);
    assert_int_equal(rec[H_MEMBERS].l.n, 2);
    assert_int_equal(rec[H_MEMBERS].l.stride, P_NFIELDS);
    const ev_cell *a = member(0), *b = member(1);
    assert_int_equal(a[P_ID].s.len, 2);
    assert_memory_equal(a[P_ID].s.ptr, "a1", 2);
    assert_true(a[P_ID].s.ptr > text && a[P_ID].s.ptr < text + strlen(text));
    assert_int_equal(a[P_AGE].i, 45);
    assert_int_equal(a[P_INCOME].i, 1000500000);
    assert_int_equal(a[P_ABLE].i, 0);
    assert_int_equal(a[P_SELF_CARE].i, 1);
    /* defaults */
    assert_memory_equal(b[P_ID].s.ptr, "a2", 2);
    assert_int_equal(b[P_AGE].i, 8);
    assert_int_equal(b[P_INCOME].i, 0);
    assert_int_equal(b[P_ABLE].i, 1);
    assert_int_equal(b[P_SELF_CARE].i, 0);
}

static void household_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse("{\"household\":{\"members\":[{\"id\":\"x\",\"age\":0}]}}"), JSON_OK);
    assert_int_equal(rec[H_HUKOU].i, 0);
    assert_int_equal(rec[H_MEMBERS].l.n, 1);
    assert_int_equal(member(0)[P_AGE].i, 0);
}

static void money_string_and_number(void **state)
{
    (void)state;
    const char *same[] = { "1000.50", "\"1000.50\"", "1000.5", "\"1000.5\"", "\"1000.500000\"" };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        assert_int_equal(parse_income(same[i]), JSON_OK);
        assert_int_equal(member(0)[P_INCOME].i, 1000500000);
    }
    assert_int_equal(parse_income("1000"), JSON_OK);
    assert_int_equal(member(0)[P_INCOME].i, 1000 * DEC_SCALE);
    assert_int_equal(parse_income("0"), JSON_OK);
    assert_int_equal(member(0)[P_INCOME].i, 0);
    assert_int_equal(parse_income("\"0.01\""), JSON_OK);
    assert_int_equal(member(0)[P_INCOME].i, 10000);
    /* escapes inside a money string are decoded first */
    assert_int_equal(parse_income("\"\\u0031.25\""), JSON_OK);
    assert_int_equal(member(0)[P_INCOME].i, dec("1.25"));
}

static void money_rejected(void **state)
{
    (void)state;
    const char *p = "/household/members/0/monthly_income";
    /* what is wrong, said: the exponent, the separators, the size */
    expect_only(parse_income("1e3"), JSON_E_INVALID, p,
                "expected money >= 0 written without an exponent (such as 1000.00), got 1e3");
    expect_only(parse_income("\"1e3\""), JSON_E_INVALID, p,
                "expected money >= 0 written without an exponent (such as 1000.00), got \"1e3\"");
    expect_only(parse_income("\"1,000.00\""), JSON_E_INVALID, p,
                "expected money >= 0 written without thousands separators (such as 1000.00), got \"1,000.00\"");
    expect_only(parse_income("1000.005"), JSON_E_INVALID, p,
                "expected money with at most 2 decimals, got 1000.005");
    expect_only(parse_income("\"1000.005\""), JSON_E_INVALID, p,
                "expected money with at most 2 decimals, got \"1000.005\"");
    expect_only(parse_income("1.0000001"), JSON_E_INVALID, p,
                "expected money with at most 2 decimals, got 1.0000001");
    expect_only(parse_income("-5"), JSON_E_INVALID, p, "expected money >= 0, got -5");
    expect_only(parse_income("\" 5\""), JSON_E_INVALID, p, "expected money >= 0, got \" 5\"");
    expect_only(parse_income("\"+5\""), JSON_E_INVALID, p, "expected money >= 0, got \"+5\"");
    expect_only(parse_income("\"05\""), JSON_E_INVALID, p, "expected money >= 0, got \"05\"");
    expect_only(parse_income("\"\""), JSON_E_INVALID, p, "expected money >= 0, got \"\"");
    expect_only(parse_income("true"), JSON_E_INVALID, p, "expected money >= 0, got true");
    expect_only(parse_income("null"), JSON_E_INVALID, p, "expected money >= 0, got null");
    expect_only(parse_income("123456789012345678901234567890"), JSON_E_INVALID, p,
                "expected money >= 0 up to 9223372036854.77, got 123456789012345678901234567890");
}

/* ---- model problems ---- */

static void duplicate_key(void **state)
{
    (void)state;
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"age\":2}]}}"),
                JSON_E_INVALID, "/household/members/0/age", "duplicate key");
    assert_string_equal(errs.items[0].path, "household.members[0].age");
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1}]},"
                      "\"household\":{}}"),
                JSON_E_INVALID, "/household", "duplicate key");
    /* the same key written with an escape is the same key */
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"\\u0061ge\":2}]}}"),
                JSON_E_INVALID, "/household/members/0/age", "duplicate key");
}

static void unknown_field(void **state)
{
    (void)state;
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,"
                      "\"monthly_incom\":5}]}}"),
                JSON_E_INVALID, "/household/members/0/monthly_incom",
                "unknown field \"monthly_incom\" (did you mean \"monthly_income\"?)");
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"zzz\":{\"a\":[1]}}]}}"),
                JSON_E_INVALID, "/household/members/0/zzz", "unknown field \"zzz\"");
    /* a whole part of a longer name */
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"income\":1}]}}"),
                JSON_E_INVALID, "/household/members/0/income",
                "unknown field \"income\" (did you mean \"monthly_income\"?)");
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"self\":1}]}}"),
                JSON_E_INVALID, "/household/members/0/self",
                "unknown field \"self\" (did you mean \"self_care\"?)");
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"come\":1}]}}"),
                JSON_E_INVALID, "/household/members/0/come", "unknown field \"come\"");
    /* short names suggest within fewer edits; a swap is one edit */
    expect_only(parse("{\"household\":{\"hukuo\":\"urban\",\"members\":[{\"id\":\"a\",\"age\":1}]}}"),
                JSON_E_INVALID, "/household/hukuo", "unknown field \"hukuo\" (did you mean \"hukou\"?)");
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"di\":1}]}}"),
                JSON_E_INVALID, "/household/members/0/di", "unknown field \"di\"");
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"x\":1}]}}"),
                JSON_E_INVALID, "/household/members/0/x", "unknown field \"x\"");
    assert_int_equal(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"ag\":1}]}}"),
                     JSON_E_INVALID);
    assert_int_equal(errs.n, 2);
    expect_problem(0, "/household/members/0/ag", "unknown field \"ag\" (did you mean \"age\"?)");
    expect_problem(1, "/household/members/0/age", "missing required field");
    assert_int_equal(parse("{\"houshold\":{}}"), JSON_E_INVALID);
    assert_int_equal(errs.n, 2);
    expect_problem(0, "/houshold", "unknown field \"houshold\" (did you mean \"household\"?)");
    expect_problem(1, "/household", "missing required field");
    /* pointer escaping of odd keys */
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"a/b~c\":1}]}}"),
                JSON_E_INVALID, "/household/members/0/a~1b~0c", "unknown field \"a/b~c\"");
    assert_string_equal(errs.items[0].path, "household.members[0].a/b~c");
}

static void missing_required(void **state)
{
    (void)state;
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\"}]}}"),
                JSON_E_INVALID, "/household/members/0/age", "missing required field");
    assert_string_equal(errs.items[0].path, "household.members[0].age");
    expect_only(parse("{\"household\":{\"hukou\":\"urban\"}}"),
                JSON_E_INVALID, "/household/members", "missing required field");
    expect_only(parse("{}"), JSON_E_INVALID, "/household", "missing required field");
    assert_null(rec);
}

static void wrong_type(void **state)
{
    (void)state;
    const char *p = "/household/members/0/age";
    expect_only(parse_age("\"fifty\""), JSON_E_INVALID, p, "expected int 0..150, got \"fifty\"");
    expect_only(parse_age("\"50\""), JSON_E_INVALID, p, "expected int 0..150, got \"50\"");
    expect_only(parse_age("50.0"), JSON_E_INVALID, p, "expected int 0..150, got 50.0");
    expect_only(parse_age("5e1"), JSON_E_INVALID, p, "expected int 0..150, got 5e1");
    expect_only(parse_age("null"), JSON_E_INVALID, p, "expected int 0..150, got null");
    expect_only(parse_age("[1, 2]"), JSON_E_INVALID, p, "expected int 0..150, got [1, 2]");
    expect_only(parse_age("{\"n\":\n1}"), JSON_E_INVALID, p, "expected int 0..150, got {\"n\": 1}");
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"able_to_work\":1}]}}"),
                JSON_E_INVALID, "/household/members/0/able_to_work", "expected bool, got 1");
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"self_care\":\"nonee\"}]}}"),
                JSON_E_INVALID, "/household/members/0/self_care",
                "expected one of full, partial, none, got \"nonee\"");
    expect_only(parse("{\"household\":{\"members\":{}}}"), JSON_E_INVALID, "/household/members",
                "expected list of person with 1..50 elements, got {}");
    expect_only(parse("{\"household\":{\"members\":[5]}}"), JSON_E_INVALID, "/household/members/0",
                "expected person object, got 5");
    expect_only(parse("{\"household\":[]}"), JSON_E_INVALID, "/household",
                "expected household object, got []");
    expect_only(parse("[]"), JSON_E_INVALID, "", "expected object {\"household\": {...}}, got []");
    expect_only(parse_id("7"), JSON_E_INVALID, "/household/members/0/id",
                "expected text of 1..64 characters, got 7");
    /* a long value is quoted only in part */
    expect_only(parse_age("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""), JSON_E_INVALID, p,
                "expected int 0..150, got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...");
}

static void out_of_range(void **state)
{
    (void)state;
    const char *p = "/household/members/0/age";
    expect_only(parse_age("151"), JSON_E_INVALID, p, "expected int 0..150, got 151");
    expect_only(parse_age("-1"), JSON_E_INVALID, p, "expected int 0..150, got -1");
    assert_int_equal(parse_age("150"), JSON_OK);
    assert_int_equal(parse_age("-0"), JSON_OK);
    expect_only(parse_age("123456789012345678901234567890"), JSON_E_INVALID, p,
                "expected int 0..150, got 123456789012345678901234567890");
    expect_only(parse_age("9223372036854775808"), JSON_E_INVALID, p,
                "expected int 0..150, got 9223372036854775808");
    expect_only(parse_id("\"\""), JSON_E_INVALID, "/household/members/0/id",
                "expected text of 1..64 characters, got \"\"");
}

static void int64_limits(void **state)
{
    (void)state;
    assert_int_equal(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                                           "\"count\":-9223372036854775808}}"), JSON_OK);
    assert_true(rec[M_COUNT].i == INT64_MIN);
    assert_int_equal(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                                           "\"count\":9223372036854775807}}"), JSON_OK);
    assert_true(rec[M_COUNT].i == INT64_MAX);
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                                      "\"count\":-9223372036854775809}}"),
                JSON_E_INVALID, "/misc/count", "expected int, got -9223372036854775809");
}

static void text_length_in_code_points(void **state)
{
    (void)state;
    char id[64 * 3 + 8];
    size_t n = 0;
    id[n++] = '"';
    for (int i = 0; i < 64; i++) {
        memcpy(id + n, "\xe5\xbc\xa0", 3);   /* 张 */
        n += 3;
    }
    strcpy(id + n, "\"");
    assert_int_equal(parse_id(id), JSON_OK);
    assert_int_equal(member(0)[P_ID].s.len, 64 * 3);
    memcpy(id + n, "\xe5\xbc\xa0\"", 5);
    assert_int_equal(parse_id(id), JSON_E_INVALID);
    assert_string_equal(errs.items[0].detail,
                        "expected text of 1..64 characters, got \"\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0"
                        "\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0"
                        "\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0\xe5\xbc\xa0...");
}

static void empty_members(void **state)
{
    (void)state;
    expect_only(parse("{\"household\":{\"members\":[]}}"), JSON_E_INVALID, "/household/members",
                "expected list of person with 1..50 elements, got 0 elements");
    assert_string_equal(errs.items[0].path, "household.members");
}

static void too_many_members(void **state)
{
    (void)state;
    char text[51 * 24 + 64];
    size_t n = 0;
    appendf(text, sizeof text, &n, "{\"household\":{\"members\":[");
    for (int i = 0; i < 51; i++)
        appendf(text, sizeof text, &n, "%s{\"id\":\"a\",\"age\":1}", i ? "," : "");
    appendf(text, sizeof text, &n, "]}}");
    expect_only(parse(text), JSON_E_INVALID, "/household/members",
                "expected list of person with 1..50 elements, got 51 elements");
}

static void dates(void **state)
{
    (void)state;
    assert_int_equal(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2019-02-28\"}}"), JSON_OK);
    assert_int_equal(rec[M_HIRED].i, date_from_ymd(2019, 2, 28));
    assert_int_equal(rec[M_COUNT].i, 7);
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2019-02-30\"}}"),
                JSON_E_INVALID, "/misc/hired_on", "expected date YYYY-MM-DD, got \"2019-02-30\"");
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2019-2-3\"}}"),
                JSON_E_INVALID, "/misc/hired_on", "expected date YYYY-MM-DD, got \"2019-2-3\"");
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":20190203}}"),
                JSON_E_INVALID, "/misc/hired_on", "expected date YYYY-MM-DD, got 20190203");
}

static void decimals_lists_maps(void **state)
{
    (void)state;
    assert_int_equal(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                                "\"rate\":0.123456,\"tags\":[\"a\",\"b\\n\"],"
                                "\"scores\":{\"x\":1,\"y\":2}}}"), JSON_OK);
    assert_int_equal(rec[M_RATE].i, 123456);
    assert_int_equal(rec[M_TAGS].l.n, 2);
    assert_int_equal(rec[M_TAGS].l.stride, 1);
    assert_int_equal(rec[M_TAGS].l.base[1].s.len, 2);
    assert_memory_equal(rec[M_TAGS].l.base[1].s.ptr, "b\n", 2);
    assert_int_equal(rec[M_SCORES].l.n, 2);
    assert_int_equal(rec[M_SCORES].l.stride, 2);
    assert_memory_equal(rec[M_SCORES].l.base[2].s.ptr, "y", 1);
    assert_int_equal(rec[M_SCORES].l.base[3].i, 2);
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\",\"rate\":0.1234567}}"),
                JSON_E_INVALID, "/misc/rate", "expected decimal with at most 6 decimals, got 0.1234567");
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\",\"rate\":1.5}}"),
                JSON_E_INVALID, "/misc/rate", "expected decimal 0..1, got 1.5");
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\",\"tags\":[\"a\",1]}}"),
                JSON_E_INVALID, "/misc/tags/1", "expected text, got 1");
    assert_string_equal(errs.items[0].path, "misc.tags[1]");
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                           "\"tags\":[\"a\",\"b\",\"c\",\"d\"]}}"),
                JSON_E_INVALID, "/misc/tags", "expected list of text with at most 3 elements, got 4 elements");
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                           "\"scores\":{\"x\":1,\"y\":\"2\"}}}"),
                JSON_E_INVALID, "/misc/scores/y", "expected int, got \"2\"");
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                           "\"scores\":{\"x\":1,\"y\":2,\"x\":3}}}"),
                JSON_E_INVALID, "/misc/scores/x", "duplicate key");
}

static void large_map_duplicates(void **state)
{
    (void)state;
    char text[220 * 16 + 128];
    size_t n = 0;
    appendf(text, sizeof text, &n, "{\"misc\":{\"hired_on\":\"2020-01-01\",\"scores\":{");
    for (int i = 0; i < 220; i++)
        appendf(text, sizeof text, &n, "%s\"k%d\":%d", i ? "," : "", i % 150, i);
    appendf(text, sizeof text, &n, "}}}");
    assert_int_equal(parse_with(&misc, "", text), JSON_E_INVALID);
    assert_int_equal(errs.n, JSON_MAX_ERRORS);
    assert_true(errs.truncated);
    assert_string_equal(errs.items[0].detail, "duplicate key");
}

static void all_problems_at_once(void **state)
{
    (void)state;
    const char *text =
        "{\"household\":{\"hukou\":\"city\",\"members\":["
        "{\"id\":\"a\",\"age\":\"fifty\",\"monthly_incom\":1},"
        "{\"age\":200,\"monthly_income\":\"12.345\",\"self_care\":\"nonee\"}],"
        "\"extra\":true}}";
    assert_int_equal(parse(text), JSON_E_INVALID);
    static const char *want[][3] = {
        { "/household/hukou", "household.hukou", "expected one of urban, rural, got \"city\"" },
        { "/household/members/0/age", "household.members[0].age", "expected int 0..150, got \"fifty\"" },
        { "/household/members/0/monthly_incom", "household.members[0].monthly_incom",
          "unknown field \"monthly_incom\" (did you mean \"monthly_income\"?)" },
        { "/household/members/1/age", "household.members[1].age", "expected int 0..150, got 200" },
        { "/household/members/1/monthly_income", "household.members[1].monthly_income",
          "expected money with at most 2 decimals, got \"12.345\"" },
        { "/household/members/1/self_care", "household.members[1].self_care",
          "expected one of full, partial, none, got \"nonee\"" },
        { "/household/members/1/id", "household.members[1].id", "missing required field" },
        { "/household/extra", "household.extra", "unknown field \"extra\"" },
    };
    size_t n = sizeof want / sizeof *want;
    assert_int_equal(errs.n, n);
    assert_false(errs.truncated);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(errs.items[i].pointer, want[i][0]);
        assert_string_equal(errs.items[i].path, want[i][1]);
        assert_string_equal(errs.items[i].detail, want[i][2]);
    }
    assert_null(rec);

    char *printed = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&printed, &len);
    json_errors_print(&errs, f);
    fclose(f);
    assert_true(strstr(printed, "household.members[0].age: expected int 0..150, got \"fifty\"\n") != NULL);
    assert_true(strncmp(printed, "household.hukou: expected one of urban, rural, got \"city\"\n", 58) == 0);
    free(printed);
}

static void prefix(void **state)
{
    (void)state;
    const char *text = "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":\"fifty\"}]}}";
    const char *prefixes[] = { "/input", "input.", "input" };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(parse_with(&household, prefixes[i], text), JSON_E_INVALID);
        assert_int_equal(errs.n, 1);
        assert_string_equal(errs.items[0].pointer, "/input/household/members/0/age");
        assert_string_equal(errs.items[0].path, "input.household.members[0].age");
    }
    assert_int_equal(parse_with(&household, "/batch/3/in~1put", text), JSON_E_INVALID);
    assert_string_equal(errs.items[0].pointer, "/batch/3/in~1put/household/members/0/age");
    assert_string_equal(errs.items[0].path, "batch[3].in/put.household.members[0].age");
    assert_int_equal(parse_with(&household, "/input", "{"), JSON_E_SYNTAX);
    assert_string_equal(errs.items[0].pointer, "/input");
    assert_string_equal(errs.items[0].path, "input");
}

static void max_errors(void **state)
{
    (void)state;
    char text[50 * 40 + 64];
    size_t n = 0;
    appendf(text, sizeof text, &n, "{\"household\":{\"members\":[");
    for (int i = 0; i < 50; i++)
        appendf(text, sizeof text, &n, "%s{\"age\":-1,\"able_to_work\":0}", i ? "," : "");
    appendf(text, sizeof text, &n, "]}}");
    assert_int_equal(parse(text), JSON_E_INVALID);
    assert_int_equal(errs.n, JSON_MAX_ERRORS);
    assert_true(errs.truncated);
    expect_problem(0, "/household/members/0/age", "expected int 0..150, got -1");
    expect_problem(1, "/household/members/0/able_to_work", "expected bool, got 0");
    expect_problem(2, "/household/members/0/id", "missing required field");

    char *printed = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&printed, &len);
    json_errors_print(&errs, f);
    fclose(f);
    assert_true(strstr(printed, "(more problems not listed)\n") != NULL);
    free(printed);
}

/* ---- syntax ---- */

static void syntax_error_offset(void **state)
{
    (void)state;
    expect_syntax("{\"household\": {\"members\": [1,,2]}}", 29, "malformed JSON at byte 29");
    expect_syntax("{\"household\" 5}", 13, "malformed JSON at byte 13");
    expect_syntax("{\"household\": x}", 14, "malformed JSON at byte 14");
    expect_syntax("", 0, "unexpected end of JSON at byte 0");
    expect_syntax("  \n", 3, "unexpected end of JSON at byte 3");

    char *printed = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&printed, &len);
    json_errors_print(&errs, f);
    fclose(f);
    assert_string_equal(printed, "(input): unexpected end of JSON at byte 3\n");
    free(printed);
    expect_syntax(" ,{}", 1, "malformed JSON at byte 1");
    expect_syntax(":", 0, "malformed JSON at byte 0");
    expect_syntax("}", 0, "malformed JSON at byte 0");
}

static void truncated(void **state)
{
    (void)state;
    expect_syntax("{\"household\": {\"members\": [", 27, "unexpected end of JSON at byte 27");
    expect_syntax("{\"household\": {\"members\": [{\"id\": \"ab", 37, "unexpected end of JSON at byte 37");
    expect_syntax("{\"household\": 1", 15, "unexpected end of JSON at byte 15");
}

/* What lax tokenizers (jsmn 1.1, which eligo once used) let through. */
static void lax_tokenizer_cases(void **state)
{
    (void)state;
    expect_syntax("[1 2]", 3, "malformed JSON at byte 3");
    expect_syntax("[1,]", 3, "malformed JSON at byte 3");
    expect_syntax("[,1]", 1, "malformed JSON at byte 1");
    expect_syntax("{\"a\":1,}", 7, "malformed JSON at byte 7");
    expect_syntax("{\"a\" \"b\"}", 5, "malformed JSON at byte 5");
    expect_syntax("{\"a\":1 \"b\":2}", 7, "malformed JSON at byte 7");
    expect_syntax("{\"a\"}", 4, "malformed JSON at byte 4");
    expect_syntax("{\"a\":}", 5, "malformed JSON at byte 5");
    expect_syntax("{,}", 1, "malformed JSON at byte 1");
    expect_syntax("[1:2]", 1, "invalid number at byte 1");
    expect_syntax("[\"a\":1]", 4, "malformed JSON at byte 4");
    expect_syntax("{\"a\":1]", 6, "malformed JSON at byte 6");
    expect_syntax("[\"a\tb\"]", 3, "control character in string at byte 3");
    expect_syntax("[\"\\x\"]", 1, "malformed JSON at byte 1");
}

static void trailing_garbage(void **state)
{
    (void)state;
    expect_syntax("{\"household\":{}} x", 17, "malformed JSON at byte 17");
    expect_syntax("{\"household\":{}}{}", 16, "trailing characters after JSON at byte 16");
    expect_syntax("{\"household\":{}} \"x\"", 17, "trailing characters after JSON at byte 17");
    expect_syntax("{\"household\":{}}]", 16, "malformed JSON at byte 16");
    expect_syntax("{\"household\":{}},", 16, "trailing characters after JSON at byte 16");
    expect_syntax("{}\n5 ", 3, "trailing characters after JSON at byte 3");
    assert_int_equal(json_input_parse("{}\0{}", 5, &household, "", &pool, &rec, &errs), JSON_E_SYNTAX);
    expect_problem(0, "", "NUL byte at byte 2");
}

static void bad_primitives(void **state)
{
    (void)state;
    expect_syntax("[NaN]", 1, "malformed JSON at byte 1");
    expect_syntax("[Infinity]", 1, "malformed JSON at byte 1");
    expect_syntax("[-Infinity]", 1, "invalid number at byte 1");
    expect_syntax("[01]", 1, "invalid number at byte 1");
    expect_syntax("[.5]", 1, "malformed JSON at byte 1");
    expect_syntax("[+1]", 1, "malformed JSON at byte 1");
    expect_syntax("[0x10]", 1, "invalid number at byte 1");
    expect_syntax("[tru]", 1, "invalid literal at byte 1");
    expect_syntax("[truex]", 1, "invalid literal at byte 1");
    expect_syntax("[nul]", 1, "invalid literal at byte 1");
    expect_syntax("[True]", 1, "malformed JSON at byte 1");
    expect_syntax("{\"household\":{\"members\":[{\"age\":01}]}}", 32, "invalid number at byte 32");
    assert_int_equal(parse("[0, -0, 1.5e-3, 2E+10, true, false, null, \"\"]"), JSON_E_INVALID);
}

static void strings_utf8(void **state)
{
    (void)state;
    expect_syntax("[\"\xff\"]", 2, "invalid UTF-8 in string at byte 2");
    expect_syntax("[\"a\x80\"]", 3, "invalid UTF-8 in string at byte 3");
    expect_syntax("[\"\xc0\xaf\"]", 2, "invalid UTF-8 in string at byte 2");          /* overlong / */
    expect_syntax("[\"\xe0\x80\xaf\"]", 2, "invalid UTF-8 in string at byte 2");      /* overlong */
    expect_syntax("[\"\xed\xa0\x80\"]", 2, "invalid UTF-8 in string at byte 2");      /* U+D800 */
    expect_syntax("[\"\xf4\x90\x80\x80\"]", 2, "invalid UTF-8 in string at byte 2");  /* U+110000 */
    expect_syntax("[\"\xe5\xbc\"]", 2, "invalid UTF-8 in string at byte 2");          /* cut short */
    expect_syntax("{\"\xff\":1}", 2, "invalid UTF-8 in string at byte 2");            /* in a key */
    assert_int_equal(parse_id("\"\xf0\x9f\x98\x80\xef\xbf\xbf\xc2\x80\""), JSON_OK);
}

static void escapes(void **state)
{
    (void)state;
    /* the cell holds the unescaped text (every escape: test_json_lex.c) */
    assert_int_equal(parse_id("\"\\u5F20\\t\""), JSON_OK);
    const ev_cell *id = &member(0)[P_ID];
    const char want[] = "\xe5\xbc\xa0\t";
    assert_int_equal(id->s.len, sizeof want - 1);
    assert_memory_equal(id->s.ptr, want, sizeof want - 1);
    /* escaped keys match fields */
    assert_int_equal(parse("{\"house\\u0068old\":{\"members\":[{\"\\u0069d\":\"a\",\"age\":3}]}}"),
                     JSON_OK);
    assert_int_equal(member(0)[P_AGE].i, 3);
}

static void lone_surrogates(void **state)
{
    (void)state;
    const char *bad = "invalid escape or lone surrogate in string at byte 2";
    expect_syntax("[\"\\ud800\"]", 2, bad);
    expect_syntax("[\"\\udc00\"]", 2, bad);
    expect_syntax("[\"\\ud800\\u0041\"]", 2, bad);
    expect_syntax("[\"\\ud800\\ud800\"]", 2, bad);
    expect_syntax("[\"\\ud800x\"]", 2, bad);
    expect_syntax("[\"\\uDBFF\\uDFFF\"]x", 16, "malformed JSON at byte 16");  /* U+10FFFF is fine */
}

/* Depth counts open containers, the outermost being 1. */
static void nest(char *out, int depth, const char *open, const char *mid, const char *close)
{
    out[0] = '\0';
    for (int i = 0; i < depth; i++)
        strcat(out, open);
    strcat(out, mid);
    for (int i = 0; i < depth; i++)
        strcat(out, close);
}

static void depth_limit(void **state)
{
    (void)state;
    char doc[4096];
    nest(doc, 32, "[", "", "]");
    assert_int_equal(parse(doc), JSON_E_INVALID);          /* well formed, wrong shape */
    nest(doc, 33, "[", "", "]");
    assert_int_equal(parse(doc), JSON_E_LIMIT);
    assert_int_equal(errs.offset, 32);
    expect_problem(0, "", "nesting deeper than 32 levels at byte 32");
    nest(doc, 31, "{\"a\":", "{}", "}");
    assert_int_equal(parse(doc), JSON_E_INVALID);
    nest(doc, 32, "{\"a\":", "{}", "}");
    assert_int_equal(parse(doc), JSON_E_LIMIT);
    /* the same through the model: household(2) members(3) person(4) ... */
    nest(doc, 28, "[", "1", "]");
    char text[4200];
    snprintf(text, sizeof text,
             "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"x\":%s}]}}", doc);
    assert_int_equal(parse(text), JSON_E_INVALID);
    expect_problem(0, "/household/members/0/x", "unknown field \"x\"");
    nest(doc, 29, "[", "1", "]");
    snprintf(text, sizeof text,
             "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":1,\"x\":%s}]}}", doc);
    assert_int_equal(parse(text), JSON_E_LIMIT);
    /* unclosed, and a quote inside a primitive must not hide brackets */
    memset(doc, '[', 200);
    doc[200] = '\0';
    assert_int_equal(parse(doc), JSON_E_LIMIT);
    strcpy(doc, "[1\" ");
    memset(doc + 4, '[', 200);
    doc[204] = '\0';
    assert_int_equal(parse(doc), JSON_E_LIMIT);
}

/* Too deep wins over a syntax error, wherever each is. */
static void limit_before_syntax(void **state)
{
    (void)state;
    char doc[128];
    memset(doc, '[', 40);
    strcpy(doc + 40, "x");
    assert_int_equal(parse(doc), JSON_E_LIMIT);
    assert_int_equal(errs.n, 1);
    expect_problem(0, "", "nesting deeper than 32 levels at byte 32");
    strcpy(doc, "[1 2,");
    memset(doc + 5, '[', 40);
    doc[45] = '\0';
    assert_int_equal(parse(doc), JSON_E_LIMIT);
    assert_int_equal(errs.offset, 36);
    /* and a syntax error alone keeps its place */
    expect_syntax("[1 2, 3, 4, 5]", 3, "malformed JSON at byte 3");
}

static void huge_inputs_refused(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *big = malloc(2 * n + 1);
    memset(big, '[', n);
    memset(big + n, ']', n);
    big[2 * n] = '\0';
    assert_int_equal(parse(big), JSON_E_LIMIT);
    /* more tokens than allowed */
    size_t k = 0;
    big[k++] = '[';
    for (int i = 0; i <= JSON_MAX_TOKENS; i++) {
        big[k++] = '0';
        big[k++] = ',';
    }
    big[k - 1] = ']';
    big[k] = '\0';
    assert_int_equal(parse(big), JSON_E_LIMIT);
    expect_problem(0, "", "more than 65536 JSON tokens at byte 131071");
    free(big);
}

/* Each limit of json_in.h just inside (accepted) and just past
 * (refused, naming the JSON pointer); the cases the tests above already
 * pair (depth, text length, INT64_MIN, decimals) are not repeated. */
static void limit_edges(void **state)
{
    (void)state;
    /* members: 50 accepted (51 is too_many_members) */
    char text[50 * 24 + 64];
    size_t n = 0;
    appendf(text, sizeof text, &n, "{\"household\":{\"members\":[");
    for (int i = 0; i < 50; i++)
        appendf(text, sizeof text, &n, "%s{\"id\":\"a\",\"age\":1}", i ? "," : "");
    appendf(text, sizeof text, &n, "]}}");
    assert_int_equal(parse(text), JSON_OK);
    assert_int_equal(rec[H_MEMBERS].l.n, 50);
    /* a field's list length: 3 tags accepted, 4 refused above */
    assert_int_equal(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                                "\"tags\":[\"a\",\"b\",\"c\"]}}"), JSON_OK);
    /* integer digits: INT64_MAX accepted in int64_limits, one more refused */
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2020-01-01\","
                                      "\"count\":9223372036854775808}}"),
                JSON_E_INVALID, "/misc/count", "expected int, got 9223372036854775808");
    /* a field's range: age 150 accepted, 151 refused */
    assert_int_equal(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":150}]}}"), JSON_OK);
    expect_only(parse("{\"household\":{\"members\":[{\"id\":\"a\",\"age\":151}]}}"),
                JSON_E_INVALID, "/household/members/0/age", "expected int 0..150, got 151");
    /* money digits: the largest amount accepted, one fen more refused */
    assert_int_equal(parse_income("9223372036854.77"), JSON_OK);
    expect_only(parse_income("9223372036854.78"), JSON_E_INVALID, "/household/members/0/monthly_income", "expected money >= 0 up to 9223372036854.77, got 9223372036854.78");
    /* dates: DATE_MIN_YEAR-01-01 .. DATE_MAX_YEAR-12-31 */
    assert_int_equal(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"1900-01-01\"}}"), JSON_OK);
    assert_int_equal(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2199-12-31\"}}"), JSON_OK);
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"1899-12-31\"}}"),
                JSON_E_INVALID, "/misc/hired_on", "expected date YYYY-MM-DD from 1900-01-01 to 2199-12-31, got \"1899-12-31\"");
    expect_only(parse_with(&misc, "", "{\"misc\":{\"hired_on\":\"2200-01-01\"}}"),
                JSON_E_INVALID, "/misc/hired_on", "expected date YYYY-MM-DD from 1900-01-01 to 2199-12-31, got \"2200-01-01\"");
}

/* JSON_MAX_TOKENS tokens pass the limit (and fail on the model);
 * huge_inputs_refused has one more. */
static void token_limit_inside(void **state)
{
    (void)state;
    char *big = malloc(2 * JSON_MAX_TOKENS + 2);
    assert_non_null(big);
    size_t k = 0;
    big[k++] = '[';
    for (int i = 0; i < JSON_MAX_TOKENS - 1; i++) {
        big[k++] = '0';
        big[k++] = ',';
    }
    big[k - 1] = ']';
    big[k] = '\0';
    assert_int_equal(parse(big), JSON_E_INVALID);
    free(big);
}

/* Enum values are looked up by their exact name: not a prefix, not a
 * longer word, not a name with a NUL byte (from "\u0000") inside. */
static void enum_names_exact(void **state)
{
    (void)state;
    const char *values[] = { "none", "partial", "full" };
    enum_def e = { .name = "care", .nvalues = 3, .values = values };
    assert_int_equal(enum_value(&e, "partial", 7), 1);
    assert_int_equal(enum_value(&e, "full", 4), 2);
    assert_int_equal(enum_value(&e, "non", 3), -1);
    assert_int_equal(enum_value(&e, "nonee", 5), -1);
    assert_int_equal(enum_value(&e, "none\0x", 6), -1);
    assert_int_equal(enum_value(&e, "", 0), -1);
}

/* Two names alike in length and in first, middle and last byte cannot
 * be told apart by the hash: the entity is then left to the search.
 * Names that differ there get a table that finds each and nothing else. */
static void keys_unhashable(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 1024);
    field_def same[2] = { { .name = "aXbc" }, { .name = "aYbc" } };
    entity_def e = { "e", NULL, 2, same, NULL, NULL, 0 };
    assert_int_equal(entity_index_keys(&e, &a), 0);
    assert_null(e.keys);
    field_def apart[3] = { { .name = "id" }, { .name = "age" }, { .name = "assistance_category" } };
    entity_def g = { "g", NULL, 3, apart, NULL, NULL, 0 };
    assert_int_equal(entity_index_keys(&g, &a), 0);
    assert_non_null(g.keys);
    assert_int_equal(entity_key_find(&g, "age", 3), 1);
    assert_int_equal(entity_key_find(&g, "assistance_category", 19), 2);
    assert_int_equal(entity_key_find(&g, "id", 2), 0);
    assert_int_equal(entity_key_find(&g, "ago", 3), -1);
    assert_int_equal(entity_key_find(&g, "", 0), -1);
    assert_int_equal(entity_key_find(&g, "ageX", 4), -1);
    arena_free(&a);
}

/* ---- the single pass against the two-pass reader ---- */

static int cells_equal(const ty *t, const ev_cell *a, const ev_cell *b);

static int records_equal(const entity_def *e, const ev_cell *a, const ev_cell *b)
{
    if (!a || !b)
        return a == b;
    for (uint32_t i = 0; i < e->nfields; i++) {
        const field_def *f = &e->fields[i];
        if (!cells_equal(f->type, &a[f->index], &b[f->index]))
            return 0;
    }
    return 1;
}

static int cells_equal(const ty *t, const ev_cell *a, const ev_cell *b)
{
    switch (t->kind) {
    case TY_TEXT:
        return a->s.len == b->s.len && !memcmp(a->s.ptr, b->s.ptr, a->s.len);
    case TY_ENTITY:
        return records_equal(t->ent, a->rec, b->rec);
    case TY_LIST: case TY_MAP: {
        int map = t->kind == TY_MAP, ent = t->elem->kind == TY_ENTITY;
        if (a->l.n != b->l.n || a->l.stride != b->l.stride)
            return 0;
        for (uint32_t k = 0; k < a->l.n; k++) {
            const ev_cell *x = a->l.base + k * a->l.stride, *y = b->l.base + k * b->l.stride;
            if (map && !cells_equal(&t_text, x++, y++))
                return 0;
            if (ent ? !records_equal(t->elem->ent, x, y) : !cells_equal(t->elem, x, y))
                return 0;
        }
        return 1;
    }
    default:
        return a->i == b->i;
    }
}

static unsigned fast_taken;     /* texts the single pass took itself */

/* Reads text both ways: the full reader (single pass first) and the
 * two-pass one alone.  Both must agree on the status, and on the cells
 * when they accept; returns 1 when they accept. */
static int agree(const entity_def *root, const char *text, size_t len)
{
    arena other;
    json_errors errs2;
    ev_cell *rec2;
    arena_init(&other, 4096);
    arena_reset(&pool);
    json_status a = json_input_parse(text, len, root, "", &pool, &rec, &errs);
    json_status b = json_input_parse_tokens(text, len, root, "", &other, &rec2, &errs2);
    if (a != b || (a == JSON_OK && !records_equal(root, rec, rec2)))
        fail_msg("the readers differ on %.*s", (int)len, text);
    ev_cell *rec3;
    fast_taken += a == JSON_OK && json_input_fast(text, len, root, &other, &rec3);
    if (a != JSON_OK && (errs.n != errs2.n || errs.offset != errs2.offset ||
                         (errs.n && strcmp(errs.items[0].detail, errs2.items[0].detail))))
        fail_msg("the problems differ on %.*s", (int)len, text);
    arena_free(&other);
    return a == JSON_OK;
}

/* agree() as mutate_helper.h calls it, the model's root as ctx. */
static int agree_variant(void *root, const char *text, size_t len)
{
    return agree(root, text, len);
}

/* Every prefix, every byte left out, doubled or replaced by one of a few
 * bytes JSON gives a meaning to (mutate_helper.h): the single pass takes
 * a text exactly when the two-pass reader does, with the same cells.
 * Returns how many of base and its variants both accepted. */
static unsigned variants_agree(const entity_def *root, const char *base)
{
    if (!agree(root, base, strlen(base)))
        fail_msg("not accepted: %s (%s)", base, errs.n ? errs.items[0].detail : "");
    return 1 + variants_accepted(base, " \"\\,:{}[]0-.eEu9x\x01\x7f\x80", agree_variant, (void *)root);
}

static void single_pass_agrees(void **state)
{
    (void)state;
    static const char *const households[] = {
        "{\"household\":{\"members\":[{\"id\":\"m0\",\"age\":66,\"monthly_income\":\"891.30\","
        "\"self_care\":\"none\"},{\"id\":\"m1\",\"age\":9,\"monthly_income\":654.33,"
        "\"able_to_work\":false}]}}",
        " {\"household\" : { \"hukou\" : \"rural\" , \"members\" : [ { \"id\" : \"\\u5f20\\n\" ,"
        " \"age\" : 0 , \"monthly_income\" : \"-0\" , \"able_to_work\" : true } ] } }\n",
        "{\"household\":{\"members\":[{\"age\":150,\"id\":\"\xe5\xbc\xa0\",\"monthly_income\":"
        "\"999999999999.99\"},{\"id\":\"b\",\"age\":1,\"monthly_income\":1234567890123.5}]}}",
    };
    static const char *const miscs[] = {
        "{\"misc\":{\"hired_on\":\"2020-02-29\",\"rate\":\"0.000001\",\"tags\":[\"a\",\"\"],"
        "\"scores\":{\"x\":1,\"y\":-2,\"x\\u0031\":3},\"count\":-9223372036854775808}}",
        "{\"misc\":{\"hired_on\":\"2019-01-01\",\"rate\":1,\"tags\":[],\"scores\":{},"
        "\"count\":123456789012}}",
        "{\"misc\":{\"count\":1234567890123,\"rate\":\"1.000000\",\"hired_on\":\"2000-01-01\"}}",
    };
    unsigned accepted = 0;
    fast_taken = 0;
    for (size_t k = 0; k < sizeof households / sizeof *households; k++)
        accepted += variants_agree(&household, households[k]);
    for (size_t k = 0; k < sizeof miscs / sizeof *miscs; k++)
        accepted += variants_agree(&misc, miscs[k]);
    /* both readers took the same variants (agree() checked each), many
     * of them (a blank, a digit, a longer id), and the single pass took
     * every one itself: none has a key with escapes or a map past 32 */
    assert_true(accepted > 100);
    assert_int_equal(fast_taken, accepted);
}

/* One member's income and age as the JSON texts given, with `pad`
 * blanks after the text (so that the numbers' 8-byte looks of the
 * single pass, json_fast.c's lead_digits, find room or do not): both
 * readers agree (agree()); 1 when they accept it. */
static int agree_numbers(const char *income, const char *age, size_t pad)
{
    char text[256];
    int n = snprintf(text, sizeof text,
                     "{\"household\":{\"members\":[{\"id\":\"a\",\"age\":%s,"
                     "\"monthly_income\":%s}]}}%*s", age, income, (int)pad, "");
    assert_true(n > 0 && (size_t)n < sizeof text);
    return agree(&household, text, (size_t)n);
}

/* The same with the age last: 4 bytes after it without the pad. */
static int agree_age_last(const char *age, size_t pad)
{
    char text[256];
    int n = snprintf(text, sizeof text,
                     "{\"household\":{\"members\":[{\"id\":\"a\",\"monthly_income\":1,"
                     "\"age\":%s}]}}%*s", age, (int)pad, "");
    assert_true(n > 0 && (size_t)n < sizeof text);
    return agree(&household, text, (size_t)n);
}

/* Numbers of one to 13 digits before the point and none to 7 after it,
 * with and without 8 bytes after them (an income is its record's last
 * value; an age is tried before the income and as the last value):
 * taken with the value worked out by hand (millionths, decimal.h), or
 * refused, by both readers, and every one taken by the single pass
 * itself. */
static void single_pass_numbers(void **state)
{
    (void)state;
    static const struct { const char *text; int64_t want; } incomes[] = {
        { "0", 0 }, { "\"7\"", 7000000 }, { "12.5", 12500000 }, { "\"123.45\"", 123450000 },
        { "1234.5", 1234500000 }, { "\"12345.06\"", 12345060000 }, { "123456.7", 123456700000 },
        { "\"1234567.89\"", 1234567890000 }, { "12345678.9", 12345678900000 },
        { "\"123456789.01\"", 123456789010000 }, { "999999999999.99", 999999999999990000 },
        { "\"0.01\"", 10000 }, { "\"1253.76\"", 1253760000 }, { "90.10", 90100000 },
        { "1234567890123", 1234567890123000000 },   /* 13 digits: the general way */
    };
    static const char *const refused[] = {
        "\"0.001\"", "1.2345678", "01", "\"00.5\"", "1.", "\".5\"", "-1",
        "1.123456", "98765.000001",     /* money: a fen is the least */
    };
    static const struct { const char *text; int64_t want; } ages[] = {
        { "0", 0 }, { "7", 7 }, { "42", 42 }, { "150", 150 }, { "-0", 0 },
    };
    fast_taken = 0;
    for (size_t pad = 0; pad <= 16; pad += 16) {
        for (size_t k = 0; k < sizeof incomes / sizeof *incomes; k++) {
            assert_true(agree_numbers(incomes[k].text, "1", pad));
            assert_int_equal(member(0)[P_INCOME].i, incomes[k].want);
        }
        for (size_t k = 0; k < sizeof ages / sizeof *ages; k++) {
            assert_true(agree_numbers("1", ages[k].text, pad));
            assert_int_equal(member(0)[P_AGE].i, ages[k].want);
            assert_true(agree_age_last(ages[k].text, pad));
            assert_int_equal(member(0)[P_AGE].i, ages[k].want);
        }
        for (size_t k = 0; k < sizeof refused / sizeof *refused; k++)
            assert_false(agree_numbers(refused[k], "1", pad));
        assert_false(agree_numbers("1", "151", pad));
        assert_false(agree_numbers("1", "12345678", pad));
        assert_false(agree_numbers("1", "007", pad));
        assert_false(agree_age_last("151", pad));
        assert_false(agree_age_last("12345678", pad));
    }
    assert_int_equal(fast_taken, 2 * (sizeof incomes / sizeof *incomes + 2 * sizeof ages / sizeof *ages));
}

/* The single pass counts tokens a container at a time and holds the
 * count to the limit at the end: a list of ints that brings a text to
 * exactly JSON_MAX_TOKENS tokens (the outer object, the root's name and
 * record, the key "xs", the list and its elements: n + 5) is taken by
 * it, in some 131,000 bytes; one element more is refused, and both
 * readers then give the limit's error. */
static void single_pass_token_limit(void **state)
{
    (void)state;
    static const ty t_int_list = { .kind = TY_LIST, .elem = &t_int };
    field_def xs = { .name = "xs", .type = &t_int_list, .index = 0, .required = 1 };
    entity_def big = { "big", NULL, 1, &xs, NULL, NULL, 0 };
    size_t n = JSON_MAX_TOKENS - 5, len = 0;
    char *text = malloc(2 * (n + 1) + 32);
    assert_non_null(text);
    len += (size_t)sprintf(text, "{\"big\":{\"xs\":[1");
    for (size_t k = 1; k < n; k++)
        len += (size_t)sprintf(text + len, ",1");
    strcpy(text + len, "]}}");
    fast_taken = 0;
    assert_true(agree(&big, text, len + 3));
    assert_int_equal(fast_taken, 1);
    assert_int_equal(rec[0].l.n, n);
    strcpy(text + len, ",1]}}");
    assert_false(agree(&big, text, len + 5));
    assert_int_equal(json_input_parse(text, len + 5, &big, "", &pool, &rec, &errs), JSON_E_LIMIT);
    assert_true(errs.n == 1 && !strncmp(errs.items[0].detail, "more than 65536 JSON tokens", 27));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(valid_household, setup, teardown),
        cmocka_unit_test_setup_teardown(household_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(money_string_and_number, setup, teardown),
        cmocka_unit_test_setup_teardown(money_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicate_key, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_field, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_required, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_type, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(int64_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(text_length_in_code_points, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_members, setup, teardown),
        cmocka_unit_test_setup_teardown(too_many_members, setup, teardown),
        cmocka_unit_test_setup_teardown(dates, setup, teardown),
        cmocka_unit_test_setup_teardown(decimals_lists_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(large_map_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(all_problems_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(max_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(syntax_error_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(lax_tokenizer_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(trailing_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_primitives, setup, teardown),
        cmocka_unit_test_setup_teardown(strings_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(lone_surrogates, setup, teardown),
        cmocka_unit_test_setup_teardown(depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(limit_before_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(huge_inputs_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(limit_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(token_limit_inside, setup, teardown),
        cmocka_unit_test(enum_names_exact),
        cmocka_unit_test(keys_unhashable),
        cmocka_unit_test_setup_teardown(single_pass_agrees, setup, teardown),
        cmocka_unit_test_setup_teardown(single_pass_token_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(single_pass_numbers, setup, teardown),
    };
    /* Once as entities built by hand (fields searched), once with the
     * perfect hash of field names, the record of defaults and the enum
     * names as words that compiled models carry. */
    int failed = cmocka_run_group_tests_name("fields searched", tests, NULL, NULL);
    arena keys;
    arena_init(&keys, 4096);
    if (entity_index_keys(&person, &keys) || entity_index_keys(&household, &keys) ||
        entity_index_keys(&misc, &keys) || !person.keys || !household.keys || !misc.keys ||
        enum_index_words(&self_care_enum, &keys) || enum_index_words(&hukou_enum, &keys) ||
        !person.defaults || !household.defaults || !misc.defaults)
        return 1;
    failed += cmocka_run_group_tests_name("fields hashed", tests, NULL, NULL);
    arena_free(&keys);
    return failed;
}
