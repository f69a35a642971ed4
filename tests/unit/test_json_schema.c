/*
 * test_json_schema.c - the JSON Schema of a request, written from a small
 * model built by hand: each type's members, the money and decimal
 * patterns to the digit, enums with their labels, required fields and
 * defaults.  tests/api/schema.sh checks the shipped policies' schemas
 * against eligo's own validation.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "io/json_schema.h"
#include "io/json_in.h"
#include "eval/date.h"

static const char *hukou_values[] = {"urban", "rural"};
static const char *hukou_labels[] = {"城镇户籍", NULL};
static const enum_def hukou = {"hukou", "户籍类型", 2, hukou_values, hukou_labels, NULL};

static const ty t_text = {.kind = TY_TEXT}, t_int = {.kind = TY_INT}, t_bool = {.kind = TY_BOOL};
static const ty t_area = {.kind = TY_DECIMAL, .unit = "平方米"};
static const ty t_money = {.kind = TY_MONEY, .period = TP_MONTH}, t_dec = {.kind = TY_DECIMAL};
static const ty t_date = {.kind = TY_DATE}, t_hukou = {.kind = TY_ENUM, .en = &hukou};

static field_def person_fields[] = {
    {.name = "id", .label = "成员标识", .type = &t_text, .required = 1, .has_min = 1, .has_max = 1, .min = 1, .max = 64},
    {.name = "age", .label = "年龄", .type = &t_int, .index = 1, .required = 1, .has_min = 1, .has_max = 1, .max = 150},
    {.name = "income", .label = "月收入", .type = &t_money, .index = 2, .has_min = 1, .min = 0},
    {.name = "share", .type = &t_dec, .index = 3, .def = {.i = 500000}},
    {.name = "born", .type = &t_date, .index = 4, .required = 1},
    {.name = "works", .type = &t_bool, .index = 5, .def = {.i = 1}},
    {.name = "area", .type = &t_area, .index = 6, .required = 1, .has_min = 1, .min = 0},
    {.name = "bonus", .type = &t_money, .index = 7, .has_min = 1, .has_max = 1, .min = 1005000, .max = 2009000,
     .def = {.i = 1010000}},
};
static const entity_def person = {"person", "家庭成员", 8, person_fields, NULL, NULL, 0 };
static const ty t_person = {.kind = TY_ENTITY, .ent = &person};
static const ty t_members = {.kind = TY_LIST, .elem = &t_person};
static field_def household_fields[] = {
    {.name = "hukou", .label = "户籍类型", .type = &t_hukou, .def = {.i = 0}},
    {.name = "members", .label = "家庭成员", .type = &t_members, .index = 1, .required = 1,
     .has_min = 1, .has_max = 1, .min = 1, .max = 50},
};
static const entity_def household = {"household", "家庭", 2, household_fields, NULL, NULL, 0 };

static char *schema(buf *b)
{
    static policy p;
    p.name = "test.dibao";
    p.title = "测试低保";
    p.root = &household;
    buf_init(b);
    json_schema_write(b, &p);
    assert_false(b->failed);
    return b->data;
}

static void has(const char *doc, const char *part)
{
    if (!strstr(doc, part))
        fail_msg("no %s in %s", part, doc);
}

static void valid_json(void **state)
{
    (void)state;
    buf b;
    char *s = schema(&b);
    arena a;
    arena_init(&a, 4096);
    json_errors e;
    assert_int_equal(json_syntax_check(s, b.len, &a, &e), JSON_OK);
    has(s, "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"title\":\"测试低保\"");
    arena_free(&a);
    buf_free(&b);
}

static void envelope(void **state)
{
    (void)state;
    buf b;
    char *s = schema(&b);
    has(s, "\"anyOf\":[{\"const\":\"test.dibao\"},{\"type\":\"array\"");
    has(s, "\"contains\":{\"const\":\"test.dibao\"}");
    has(s, "\"pattern\":\"^[!#-\\\\[\\\\]-~]{1,128}$\"");
    has(s, "\"enum\":[false,true,\"text\"],\"default\":false");
    has(s, "\"required\":[\"policy\",\"input\"],\"additionalProperties\":false}");
    has(s, "\"input\":{\"title\":\"input\",\"type\":\"object\",\"properties\":{\"household\":{");
    has(s, "\"required\":[\"household\"],\"additionalProperties\":false}");
    buf_free(&b);
}

static void fields(void **state)
{
    (void)state;
    buf b;
    char *s = schema(&b);
    has(s, "\"age\":{\"title\":\"年龄\",\"type\":\"integer\",\"minimum\":0,\"maximum\":150,"
           "\"description\":\"int 0..150\"}");
    has(s, "\"id\":{\"title\":\"成员标识\",\"type\":\"string\",\"minLength\":1,\"maxLength\":64,"
           "\"description\":\"text 1..64\"}");
    has(s, "\"works\":{\"type\":\"boolean\",\"description\":\"bool\",\"default\":true}");
    has(s, "\"hukou\":{\"title\":\"户籍类型\",\"oneOf\":[{\"const\":\"urban\",\"title\":\"城镇户籍\"},"
           "{\"const\":\"rural\"}],\"description\":\"hukou\",\"default\":\"urban\"}");
    has(s, "\"type\":\"array\",\"items\":{\"type\":\"object\",\"title\":\"家庭成员\"");
    has(s, "\"minItems\":1,\"maxItems\":50");
    has(s, "\"required\":[\"id\",\"age\",\"born\",\"area\"],\"additionalProperties\":false");
    has(s, "\"description\":\"decimal 平方米 >= 0\"}");
    has(s, "\"born\":{\"type\":\"string\",\"format\":\"date\",\"pattern\":\"^(?:(?:19|2[01])[0-9]{2}-");
    has(s, "|(?:(?:19|2[01])(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)$\"");
    buf_free(&b);
}

/* Money >= 0: two decimals, more only as zeros up to six; no sign but
 * "-0"; at most 9223372036854.77 (the int64 limit in millionths, cut to
 * the fen). */
static void money(void **state)
{
    (void)state;
    buf b;
    char *s = schema(&b);
    /* bounds between two fen: the number's are the fen inside them */
    has(s, "{\"type\":\"number\",\"minimum\":1.01,\"maximum\":2,\"multipleOf\":0.01}");
    has(s, "\"pattern\":\"^(?:(?:0|[1-9][0-9]{0,11})(?:\\\\.[0-9]{1,2}0{0,4})?"
           "|(?:[1-8][0-9]{12}|9[0-1][0-9]{11}|92[0-1][0-9]{10}|922[0-2][0-9]{9}|9223[0-2][0-9]{8}"
           "|92233[0-6][0-9]{7}|922337[0-1][0-9]{6}|92233720[0-2][0-9]{4}|922337203[0-5][0-9]{3}"
           "|9223372036[0-7][0-9]{2}|92233720368[0-4][0-9]|922337203685[0-3])(?:\\\\.[0-9]{1,2}0{0,4})?"
           "|(?:9223372036854)(?:\\\\.(?:[0-6]|7|[0-6][0-9]|7[0-6]|77)0{0,4})?"
           "|-0(?:\\\\.0{1,6})?)$\"}");
    has(s, "{\"type\":\"number\",\"minimum\":0,\"maximum\":9223372036854.77,\"multipleOf\":0.01}],"
           "\"examples\":[\"1000.00\"],\"description\":\"money per month >= 0\",\"default\":\"0.00\"}");
    buf_free(&b);
}

/* A decimal without bounds: six decimals, either sign, up to
 * 9223372036854.775807 and down to -9223372036854.775808. */
static void decimal(void **state)
{
    (void)state;
    buf b;
    char *s = schema(&b);
    /* the fraction after 9223372036854, by its length: at most 7, 77,
     * 775, 7758, 77580, 775807 */
    has(s, "|(?:9223372036854)(?:\\\\.(?:[0-6]|7|[0-6][0-9]|7[0-6]|77|[0-6][0-9]{2}|7[0-6][0-9]|77[0-4]|775"
           "|[0-6][0-9]{3}|7[0-6][0-9]{2}|77[0-4][0-9]|775[0-7]|7758|[0-6][0-9]{4}|7[0-6][0-9]{3}|77[0-4][0-9]{2}"
           "|775[0-7][0-9]|77580|[0-6][0-9]{5}|7[0-6][0-9]{4}|77[0-4][0-9]{3}|775[0-7][0-9]{2}|77580[0-6]|775807))?"
           "|-(?:(?:0|[1-9][0-9]{0,11})(?:\\\\.[0-9]{1,6})?|");
    /* and below zero, down to 775808 */
    has(s, "|775[0-7][0-9]{2}|77580[0-7]|775808))?))$\"}");
    has(s, "{\"type\":\"number\",\"minimum\":-9223372036854.775808,\"maximum\":9223372036854.775807,"
           "\"multipleOf\":0.000001}],\"examples\":[\"0.5\"],\"description\":\"decimal\",\"default\":\"0.5\"}");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_json),
        cmocka_unit_test(envelope),
        cmocka_unit_test(fields),
        cmocka_unit_test(money),
        cmocka_unit_test(decimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
