/*
 * test_json_out.c - the decision JSON with the policy's fixed parts
 * escaped at load (io/json_fixed.c) and copied per decision
 * (io/json_out.c): quotes, backslashes, tabs and newlines in the title,
 * jurisdiction, source quote, output labels, a bool's false label and
 * rule texts come out escaped exactly as buf_json_string escapes them;
 * a range output keeps its {"min","max"} shape; a label with a
 * placeholder is still filled per decision: cut at load into the pieces
 * around its placeholders when it needs no escape (placeholders first,
 * last and side by side below), through a scratch copy when it does.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "compile_helper.h"

/* Every fixed string carries a character JSON escapes: \" \\ \t \n. */
static const char POLICY[] =
    "policy t.q \"测试 \\\"引号\\\"\"\n"
    "jurisdiction \"某地\\\\区\"\n"
    "source \"a.txt\" \"第一条\\t「原文」\"\n"
    "covers 2017-01-01 to 2030-12-31\n"
    "use t.household\n"
    "let size: int \"人数\" = count(household.members)\n"
    "output big: bool \"多于\\\"两\\\"人\" else \"不多于\\n两人\"\n"
    "  = size > 2\n"
    "output aid: int \"救助 {size} 人\" = 100 * size\n"
    "  unless size > 3 then 400 \"按\\\"4人\\\"封顶\"\n"
    "  unless size > 1 then 100 * size \"\"\n"
    "output band: money once range \"幅度\\\\\" = 1.00 to 2.00\n";

static const char HEAD_JSON[] = "{\"policy\":{\"name\":\"t.q\",\"title\":\"测试 \\\"引号\\\"\",\"hash\":\"";

/* The answer without its hash, which is the SHA-256 of POLICY. */
static char *answer(const policy *p, int members, int explain)
{
    char in[512] = "{\"household\":{\"members\":[";
    for (int i = 0; i < members; i++)
        snprintf(in + strlen(in), sizeof in - strlen(in), "%s{\"id\":\"m%d\",\"age\":30}", i ? "," : "", i);
    strcat(in, "]}}");
    int64_t day;
    date_parse("2017-01-01", 10, &day);
    decision_rc r;
    char *full = decision_text(p, day, in, explain, &r);
    assert_int_equal(r, DECISION_OK);
    assert_memory_equal(full, HEAD_JSON, strlen(HEAD_JSON));
    const char *after = strstr(full, "\"},\"as_of\"");
    assert_non_null(after);
    char *out = strdup(after);
    free(full);
    return out;
}

static void compile_ok(compiled *c)
{
    compile_text(c, POLICY);
    if (!c->policy) fail_msg("%s", c->diags);
}

static void escaped_parts(void **state)
{
    (void)state;
    compiled c;
    compile_ok(&c);
    char *got = answer(c.policy, 4, 0);
    assert_string_equal(got,
        "\"},\"as_of\":\"2017-01-01\","
        "\"outputs\":{\"big\":true,\"aid\":400,\"band\":{\"min\":\"1.00\",\"max\":\"2.00\"}},"
        "\"reasons\":["
        "{\"output\":\"big\",\"label\":\"多于\\\"两\\\"人\",\"value\":true},"
        "{\"output\":\"aid\",\"label\":\"救助 4 人\",\"value\":400,\"rule\":\"按\\\"4人\\\"封顶\"},"
        "{\"output\":\"band.min\",\"label\":\"幅度\\\\(下限)\",\"value\":\"1.00\"},"
        "{\"output\":\"band.max\",\"label\":\"幅度\\\\(上限)\",\"value\":\"2.00\"}]}");
    free(got);
    /* one member: the false label; the base rule: no "rule" member */
    got = answer(c.policy, 1, 0);
    assert_string_equal(got,
        "\"},\"as_of\":\"2017-01-01\","
        "\"outputs\":{\"big\":false,\"aid\":100,\"band\":{\"min\":\"1.00\",\"max\":\"2.00\"}},"
        "\"reasons\":["
        "{\"output\":\"big\",\"label\":\"不多于\\n两人\",\"value\":false},"
        "{\"output\":\"aid\",\"label\":\"救助 1 人\",\"value\":100},"
        "{\"output\":\"band.min\",\"label\":\"幅度\\\\(下限)\",\"value\":\"1.00\"},"
        "{\"output\":\"band.max\",\"label\":\"幅度\\\\(上限)\",\"value\":\"2.00\"}]}");
    free(got);
    compiled_free(&c);
}

/* Labels with placeholders: the same name and title as POLICY (so the
 * same head), "ok" cut at both ends and between two placeholders, its
 * false label all placeholder, "total" an amount, "quoted" not plain. */
static const char POLICY_CUT[] =
    "policy t.q \"测试 \\\"引号\\\"\"\n"
    "source \"a.txt\" \"第一条\"\n"
    "covers 2017-01-01 to 2030-12-31\n"
    "use t.household\n"
    "let size: int \"人数\" = count(household.members)\n"
    "let pay: money per month \"金额\" = if size > 1 then 25.00 else 12.50\n"
    "output ok: bool \"{size}人{size}\" else \"{pay}\"\n"
    "  = size > 1\n"
    "output total: money per month \"共 {pay} 元,{size} 人\" = pay\n"
    "output quoted: int \"\\\"{size}\\\"\" = size\n";

static void cut_labels(void **state)
{
    (void)state;
    compiled c;
    compile_text(&c, POLICY_CUT);
    if (!c.policy) fail_msg("%s", c.diags);
    /* 2 members: pay 25.00 */
    char *got = answer(c.policy, 2, 0);
    assert_string_equal(got,
        "\"},\"as_of\":\"2017-01-01\","
        "\"outputs\":{\"ok\":true,\"total\":\"25.00\",\"quoted\":2},"
        "\"reasons\":["
        "{\"output\":\"ok\",\"label\":\"2人2\",\"value\":true},"
        "{\"output\":\"total\",\"label\":\"共 25.00 元,2 人\",\"value\":\"25.00\"},"
        "{\"output\":\"quoted\",\"label\":\"\\\"2\\\"\",\"value\":2}]}");
    free(got);
    /* 1 member: the false label, all placeholder */
    got = answer(c.policy, 1, 0);
    assert_string_equal(got,
        "\"},\"as_of\":\"2017-01-01\","
        "\"outputs\":{\"ok\":false,\"total\":\"12.50\",\"quoted\":1},"
        "\"reasons\":["
        "{\"output\":\"ok\",\"label\":\"12.50\",\"value\":false},"
        "{\"output\":\"total\",\"label\":\"共 12.50 元,1 人\",\"value\":\"12.50\"},"
        "{\"output\":\"quoted\",\"label\":\"\\\"1\\\"\",\"value\":1}]}");
    free(got);
    compiled_free(&c);
}

/* The explanation opens with the policy's title, jurisdiction and
 * sources, escaped. */
static void explanation_head(void **state)
{
    (void)state;
    compiled c;
    compile_ok(&c);
    char *got = answer(c.policy, 2, 1);
    const char *want = ",\"explanation\":{\"policy\":\"测试 \\\"引号\\\"\",\"jurisdiction\":\"某地\\\\区\","
                       "\"sources\":[{\"file\":\"a.txt\",\"text\":\"第一条\\t「原文」\"}]";
    if (!strstr(got, want)) fail_msg("no %s in %s", want, got);
    /* size 2: the second unless, whose text is empty, is a rule "" */
    if (!strstr(got, "\"value\":200,\"rule\":\"\"}")) fail_msg("no empty rule in %s", got);
    free(got);
    compiled_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escaped_parts),
        cmocka_unit_test(explanation_head),
        cmocka_unit_test(cut_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
