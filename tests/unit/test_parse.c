/*
 * test_parse.c - unit tests for the scanner, the grammar, ast.c, parse.c,
 * source.c and diag.c.
 *
 * Valid inputs are checked through ast_dump, so a test shows the whole
 * tree the later stages will see, node kinds, ops and slots included;
 * docs/language.md is covered construct by construct.  Invalid
 * inputs are checked through diag_print, byte for byte, caret line
 * included: positions are 1-based and count code points, carets are
 * aligned by display width.
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

#include "base/buf.h"
#include "lang/parse.h"

/* ---- helpers ------------------------------------------------------- */

typedef struct parsed {
    source *src;
    arena pool;
    diag_list dl;
    ast_node *root;
} parsed;

static void parse_text(parsed *p, const char *text, size_t len)
{
    p->src = source_new("t.policy", text, len);
    assert_non_null(p->src);
    arena_init(&p->pool, 0);
    diag_list_init(&p->dl);
    p->root = parse_source(p->src, &p->pool, &p->dl);
}

static void parsed_free(parsed *p)
{
    diag_list_free(&p->dl);
    arena_free(&p->pool);
    source_free(p->src);
}

static char *printed(const diag_list *dl)
{
    char *text = diag_text(dl);
    assert_non_null(text);
    return text;
}

/* Parses text that must be valid and compares its dump. */
static void check_dump(const char *text, const char *want)
{
    parsed p;
    buf b;

    parse_text(&p, text, strlen(text));
    if (p.dl.n) {
        char *d = printed(&p.dl);
        print_error("unexpected diagnostics:\n%s", d);
        free(d);
        fail();
    }
    assert_non_null(p.root);
    buf_init(&b);
    ast_dump(p.root, &b);
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
    parsed_free(&p);
}

/* Parses text with errors and compares everything diag_print prints. */
static void check_diags_n(const char *text, size_t len, const char *want)
{
    parsed p;
    char *d;

    parse_text(&p, text, len);
    assert_non_null(p.root);
    d = printed(&p.dl);
    assert_string_equal(d, want);
    free(d);
    parsed_free(&p);
}

static void check_diags(const char *text, const char *want)
{
    check_diags_n(text, strlen(text), want);
}

/* Only the first line of each diagnostic: "t.policy:L:C: error: msg". */
static void check_messages(const char *text, const char *want)
{
    parsed p;
    buf b;
    size_t i;

    parse_text(&p, text, strlen(text));
    buf_init(&b);
    for (i = 0; i < p.dl.n; i++) {
        uint32_t line, col;
        source_linecol(p.src, p.dl.items[i].loc.start, &line, &col);
        buf_printf(&b, "%u:%u: %s\n", line, col, p.dl.items[i].message);
    }
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
    parsed_free(&p);
}

/* ---- declarations -------------------------------------------------- */

static void test_empty(void **state)
{
    (void)state;
    check_dump("", "(FILE)\n");
    check_dump("  # only a comment\n\n", "(FILE)\n");
}

static void test_header(void **state)
{
    (void)state;
    check_dump("policy tianjin.dibao \"天津市城乡最低生活保障\"\n"
               "model civil \"民政通用数据模型\"\n"
               "tests tianjin.dibao  # beside a policy\n"
               "jurisdiction \"天津市\"\n"
               "source \"001_9ead28f4facb4925.txt\" \"城乡低保标准统一提高到每人每月860元\"\n"
               "covers 2017-04-01 to 2030-12-31\n"
               "use civil.household\n",
               "(FILE\n"
               "  (POLICY tianjin.dibao \"天津市城乡最低生活保障\")\n"
               "  (MODEL civil \"民政通用数据模型\")\n"
               "  (TESTS_FOR tianjin.dibao)\n"
               "  (JURISDICTION \"天津市\")\n"
               "  (SOURCE (STRING \"001_9ead28f4facb4925.txt\") (STRING \"城乡低保标准统一提高到每人每月860元\"))\n"
               "  (COVERS (DATE 2017-04-01) (DATE 2030-12-31))\n"
               "  (USE civil.household))\n");
}

static void test_enum_entity(void **state)
{
    (void)state;
    check_dump("enum self_care \"生活自理能力\" {\n"
               "  full \"完全自理\", partial, none \"完全丧失\",\n"
               "}\n"
               "enum empty {}\n"
               "entity person \"家庭成员\" {\n"
               "  id: text 1..64 \"成员标识\"\n"
               "  n: int -5..5\n"
               "  x: decimal > 0\n"
               "  y: money per year <= 100.50 = 1.00\n"
               "  z: int < 10\n"
               "  monthly_income: money per month >= 0 = 0.00 \"月收入\"\n"
               "  since: date >= 2000-01-01 = 2000-01-01\n"
               "  able_to_work: bool = true \"有劳动能力\"\n"
               "  self_care: self_care = full \"生活自理能力\"\n"
               "  one_off: money once\n"
               "  scores: map of int \"分数\"\n"
               "  members: list of person 1..50 \"家庭成员\"\n"
               "}\n",
               "(FILE\n"
               "  (ENUM self_care \"生活自理能力\"\n"
               "    (ENUM_VALUE full \"完全自理\")\n"
               "    (ENUM_VALUE partial)\n"
               "    (ENUM_VALUE none \"完全丧失\"))\n"
               "  (ENUM empty)\n"
               "  (ENTITY person \"家庭成员\"\n"
               "    (FIELD id \"成员标识\" (TYPE text) (RANGE [] (INT 1) (INT 64)))\n"
               "    (FIELD n (TYPE int) (RANGE [] (UNARY - (INT 5)) (INT 5)))\n"
               "    (FIELD x (TYPE decimal) (RANGE (] (INT 0)))\n"
               "    (FIELD y (TYPE money per year) (RANGE [] _ (DEC 100.50)) (DEC 1.00))\n"
               "    (FIELD z (TYPE int) (RANGE [) _ (INT 10)))\n"
               "    (FIELD monthly_income \"月收入\" (TYPE money per month) (RANGE [] (INT 0)) (DEC 0.00))\n"
               "    (FIELD since (TYPE date) (RANGE [] (DATE 2000-01-01)) (DATE 2000-01-01))\n"
               "    (FIELD able_to_work \"有劳动能力\" (TYPE bool) _ (BOOL true))\n"
               "    (FIELD self_care \"生活自理能力\" (TYPE self_care) _ (NAME full))\n"
               "    (FIELD one_off (TYPE money once))\n"
               "    (FIELD scores \"分数\" (TYPE map (TYPE int)))\n"
               "    (FIELD members \"家庭成员\" (TYPE list (TYPE person)) (RANGE [] (INT 1) (INT 50)))))\n");
}

static void test_parameter(void **state)
{
    (void)state;
    check_dump("parameter standard: money per month \"低保标准(每人每月)\"\n"
               "  from 2015-01-01 until 2017-03-31: 780.00 assumption \"…\"\n"
               "  from 2017-04-01: 860.00 source \"001.txt\" \"城乡低保标准…\"\n"
               "  from 2031-01-01: standard at 2030-12-31 * 1.1\n"
               "parameter none_yet: int\n",
               "(FILE\n"
               "  (PARAM standard \"低保标准(每人每月)\"\n"
               "    (TYPE money per month)\n"
               "    (PARAM_VALUE (DATE 2015-01-01) (DATE 2017-03-31) (DEC 780.00) (SOURCE assumption \"…\"))\n"
               "    (PARAM_VALUE (DATE 2017-04-01) _ (DEC 860.00) (SOURCE (STRING \"001.txt\") (STRING \"城乡低保标准…\")))\n"
               "    (PARAM_VALUE (DATE 2031-01-01) _ (BINARY * (AT (NAME standard) (DATE 2030-12-31)) (DEC 1.1))))\n"
               "  (PARAM none_yet\n"
               "    (TYPE int)))\n");
}

static void test_let_output(void **state)
{
    (void)state;
    check_dump("let size \"家庭人口\" = count(household.members)\n"
               "let income: money per month \"家庭月收入合计\" = sum(m.monthly_income for m in household.members)\n"
               "output eligible: bool \"家庭人均收入低于低保标准\" else \"不低于低保标准\" = income < standard * size\n"
               "output monthly_benefit: money per month \"低保金\"\n"
               "  = standard * size - income\n"
               "  unless not eligible then 0.00 \"不符合低保条件\"\n"
               "  unless size > 10 then 1.00\n",
               "(FILE\n"
               "  (LET size \"家庭人口\"\n"
               "    _\n"
               "    (AGG count _ (MEMBER members (NAME household))))\n"
               "  (LET income \"家庭月收入合计\"\n"
               "    (TYPE money per month)\n"
               "    (AGG sum m (MEMBER monthly_income (NAME m)) (MEMBER members (NAME household))))\n"
               "  (OUTPUT eligible \"家庭人均收入低于低保标准\" else \"不低于低保标准\"\n"
               "    (TYPE bool)\n"
               "    (BINARY < (NAME income) (BINARY * (NAME standard) (NAME size))))\n"
               "  (OUTPUT monthly_benefit \"低保金\"\n"
               "    (TYPE money per month)\n"
               "    (BINARY - (BINARY * (NAME standard) (NAME size)) (NAME income))\n"
               "    (UNLESS \"不符合低保条件\" (UNARY not (NAME eligible)) (DEC 0.00))\n"
               "    (UNLESS (BINARY > (NAME size) (INT 10)) (DEC 1.00))))\n");
}

static void test_tables(void **state)
{
    (void)state;
    check_dump("table care_amount(level: self_care) -> money per month hit unique \"照料护理补贴标准\"\n"
               "  | none            | 800.00 | \"完全丧失生活自理能力\"\n"
               "  | partial         | 400.00 | \"部分丧失生活自理能力\"\n"
               "  | full            | 0.00   |\n"
               "table grade_pay(post: post_kind, grade: int 1..30) -> money per month hit first\n"
               "  | manager, expert | 1..3     | 5000.00\n"
               "  | -               | >= 4     | 3000.00\n"
               "  | -               | [10, 18) | 2000.00\n"
               "  | else            | 0.00\n",
               "(FILE\n"
               "  (TABLE unique care_amount \"照料护理补贴标准\"\n"
               "    (TPARAM level (TYPE self_care))\n"
               "    (TYPE money per month)\n"
               "    (ROW \"完全丧失生活自理能力\" (CELL_CMP == (NAME none)) (DEC 800.00))\n"
               "    (ROW \"部分丧失生活自理能力\" (CELL_CMP == (NAME partial)) (DEC 400.00))\n"
               "    (ROW (CELL_CMP == (NAME full)) (DEC 0.00)))\n"
               "  (TABLE first grade_pay\n"
               "    (TPARAM post (TYPE post_kind))\n"
               "    (TPARAM grade (TYPE int) (RANGE [] (INT 1) (INT 30)))\n"
               "    (TYPE money per month)\n"
               "    (ROW (CELL_SET (NAME manager) (NAME expert)) (CELL_RANGE [] (INT 1) (INT 3)) (DEC 5000.00))\n"
               "    (ROW (CELL_ANY) (CELL_CMP >= (INT 4)) (DEC 3000.00))\n"
               "    (ROW (CELL_ANY) (CELL_RANGE [) (INT 10) (INT 18)) (DEC 2000.00))\n"
               "    (ROW else _ (DEC 0.00))))\n");
}

/* Every cell form, every hit policy, and text outputs, which only the
 * parameter count tells apart from labels. */
static void test_table_cells(void **state)
{
    (void)state;
    check_dump("table t(a: int, b: text) -> text hit collect \"标签\"\n"
               "  | 1 | != \"x\" | \"out\"\n"
               "  | < 0 | \"y\" | \"out2\" | \"label\"\n"
               "  | <= 0 | - | \"o\"\n"
               "  | > 5 | [1, 2] | \"o\"\n"
               "  | >= 5 | (1, 2) | \"o\"\n"
               "  | - | (1, 2] | \"o\"\n"
               "  | 1 + 1 | 2..3 | \"o\"\n"
               "  | else | \"none\" | \"兜底\"\n"
               "table v(a: int) -> int hit collect sum\n"
               "table w(a: int) -> int hit collect min\n"
               "table x(a: int) -> int hit collect max\n"
               "table y(a: int) -> int hit collect count\n"
               "table z(a: int) -> int hit any\n"
               "table q(a: int) -> int hit priority\n"
               "table r(a: int) -> int hit rule_order\n"
               "table s(a: int) -> int hit output_order\n",
               "(FILE\n"
               "  (TABLE collect t \"标签\"\n"
               "    (TPARAM a (TYPE int))\n"
               "    (TPARAM b (TYPE text))\n"
               "    (TYPE text)\n"
               "    (ROW (CELL_CMP == (INT 1)) (CELL_CMP != (STRING \"x\")) (STRING \"out\"))\n"
               "    (ROW \"label\" (CELL_CMP < (INT 0)) (CELL_CMP == (STRING \"y\")) (STRING \"out2\"))\n"
               "    (ROW (CELL_CMP <= (INT 0)) (CELL_ANY) (STRING \"o\"))\n"
               "    (ROW (CELL_CMP > (INT 5)) (CELL_RANGE [] (INT 1) (INT 2)) (STRING \"o\"))\n"
               "    (ROW (CELL_CMP >= (INT 5)) (CELL_RANGE () (INT 1) (INT 2)) (STRING \"o\"))\n"
               "    (ROW (CELL_ANY) (CELL_RANGE (] (INT 1) (INT 2)) (STRING \"o\"))\n"
               "    (ROW (CELL_CMP == (BINARY + (INT 1) (INT 1))) (CELL_RANGE [] (INT 2) (INT 3)) (STRING \"o\"))\n"
               "    (ROW else \"兜底\" _ (STRING \"none\")))\n"
               "  (TABLE collect v sum\n    (TPARAM a (TYPE int))\n    (TYPE int))\n"
               "  (TABLE collect w min\n    (TPARAM a (TYPE int))\n    (TYPE int))\n"
               "  (TABLE collect x max\n    (TPARAM a (TYPE int))\n    (TYPE int))\n"
               "  (TABLE collect y count\n    (TPARAM a (TYPE int))\n    (TYPE int))\n"
               "  (TABLE any z\n    (TPARAM a (TYPE int))\n    (TYPE int))\n"
               "  (TABLE priority q\n    (TPARAM a (TYPE int))\n    (TYPE int))\n"
               "  (TABLE rule_order r\n    (TPARAM a (TYPE int))\n    (TYPE int))\n"
               "  (TABLE output_order s\n    (TPARAM a (TYPE int))\n    (TYPE int)))\n");
}

static void test_assert_and_tests(void **state)
{
    (void)state;
    check_dump("assert rural_standard >= urban_standard * 0.85 \"农村低保标准不低于城市标准的85%\"\n"
               "test \"三口之家,收入1500\" as of 2019-01-01\n"
               "  given household = {members: [{id: \"a\", age: 40, monthly_income: 1000.00},\n"
               "                               {id: \"b\", age: 38}]}\n"
               "  expect eligible = true\n"
               "  given community = {}\n"
               "  expect monthly_benefit = 1080.00\n"
               "test \"标准生效前\" as of 2017-03-31\n"
               "  expect error \"no value\"\n",
               "(FILE\n"
               "  (ASSERT \"农村低保标准不低于城市标准的85%\" (BINARY >= (NAME rural_standard) (BINARY * (NAME urban_standard) (DEC 0.85))))\n"
               "  (TEST \"三口之家,收入1500\"\n"
               "    (DATE 2019-01-01)\n"
               "    (GIVEN household (OBJECT (PAIR members (LIST (OBJECT (PAIR id (STRING \"a\")) (PAIR age (INT 40)) (PAIR monthly_income (DEC 1000.00))) (OBJECT (PAIR id (STRING \"b\")) (PAIR age (INT 38)))))))\n"
               "    (GIVEN community (OBJECT))\n"
               "    (EXPECT eligible (BOOL true))\n"
               "    (EXPECT monthly_benefit (DEC 1080.00)))\n"
               "  (TEST \"标准生效前\"\n"
               "    (DATE 2017-03-31)\n"
               "    _\n"
               "    (EXPECT error (STRING \"no value\"))))\n");
}

/* ---- expressions --------------------------------------------------- */

static void test_precedence(void **state)
{
    (void)state;
    check_dump("let a = if x then 1 else if y then 2 else 3\n"
               "let b = -x * (y + 2) / 3 - -4\n"
               "let c = not a and b or c == d\n"
               "let d = a != b and a <= b or a >= b and a > b and not a < b\n"
               "let e = true or false\n",
               "(FILE\n"
               "  (LET a\n    _\n"
               "    (IF (NAME x) (INT 1) (IF (NAME y) (INT 2) (INT 3))))\n"
               "  (LET b\n    _\n"
               "    (BINARY - (BINARY / (BINARY * (UNARY - (NAME x)) (BINARY + (NAME y) (INT 2))) (INT 3)) (UNARY - (INT 4))))\n"
               "  (LET c\n    _\n"
               "    (BINARY or (BINARY and (UNARY not (NAME a)) (NAME b)) (BINARY == (NAME c) (NAME d))))\n"
               "  (LET d\n    _\n"
               "    (BINARY or (BINARY and (BINARY != (NAME a) (NAME b)) (BINARY <= (NAME a) (NAME b))) "
               "(BINARY and (BINARY and (BINARY >= (NAME a) (NAME b)) (BINARY > (NAME a) (NAME b))) (UNARY not (BINARY < (NAME a) (NAME b))))))\n"
               "  (LET e\n    _\n"
               "    (BINARY or (BOOL true) (BOOL false))))\n");
}

static void test_primaries(void **state)
{
    (void)state;
    check_dump("let e = 3 days + 1 day + 2 months + 1 month + 5 years + 1 year\n"
               "let f = standard at 2019-01-01 + standard at as_of + standard at h.since\n"
               "let g = household.members.count\n"
               "let n: list of int = [1, 2, 3,]\n"
               "let o = {a: 1, b: \"x\",}\n"
               "let p = []\n"
               "let q = {}\n"
               "let r = \"a\\\"b\\\\c\\n\\t\\u{4E2D}\\u{1F600}\"\n",
               "(FILE\n"
               "  (LET e\n    _\n"
               "    (BINARY + (BINARY + (BINARY + (BINARY + (BINARY + (DURATION days (INT 3)) (DURATION days (INT 1))) "
               "(DURATION months (INT 2))) (DURATION months (INT 1))) (DURATION years (INT 5))) (DURATION years (INT 1))))\n"
               "  (LET f\n    _\n"
               "    (BINARY + (BINARY + (AT (NAME standard) (DATE 2019-01-01)) (AT (NAME standard) (AS_OF))) "
               "(AT (NAME standard) (MEMBER since (NAME h)))))\n"
               "  (LET g\n    _\n"
               "    (MEMBER count (MEMBER members (NAME household))))\n"
               "  (LET n\n    (TYPE list (TYPE int))\n"
               "    (LIST (INT 1) (INT 2) (INT 3)))\n"
               "  (LET o\n    _\n"
               "    (OBJECT (PAIR a (INT 1)) (PAIR b (STRING \"x\"))))\n"
               "  (LET p\n    _\n    (LIST))\n"
               "  (LET q\n    _\n    (OBJECT))\n"
               "  (LET r\n    _\n"
               "    (STRING \"a\\\"b\\\\c\\n\\t中😀\")))\n");
}

static void test_aggregations_and_calls(void **state)
{
    (void)state;
    check_dump("let h = count(household.members) + count(m in household.members where m.age >= 60)\n"
               "let i = map(m.id => m.age for m in household.members where m.age > 1)\n"
               "let j = min(a, b) + max(1, 2, 3) + round(x, 2) + now()\n"
               "let k = min(m.age for m in xs) + max(m.age for m in xs where m.ok)\n"
               "let l = any(m.ok for m in xs) and all(m.ok for m in xs where m.x)\n"
               "let m = sum(m.income for m in xs where m.age > 18)\n",
               "(FILE\n"
               "  (LET h\n    _\n"
               "    (BINARY + (AGG count _ (MEMBER members (NAME household))) "
               "(AGG count m _ (MEMBER members (NAME household)) (BINARY >= (MEMBER age (NAME m)) (INT 60)))))\n"
               "  (LET i\n    _\n"
               "    (AGG map m (MEMBER age (NAME m)) (MEMBER members (NAME household)) "
               "(BINARY > (MEMBER age (NAME m)) (INT 1)) (MEMBER id (NAME m))))\n"
               "  (LET j\n    _\n"
               "    (BINARY + (BINARY + (BINARY + (CALL min (NAME a) (NAME b)) (CALL max (INT 1) (INT 2) (INT 3))) "
               "(CALL round (NAME x) (INT 2))) (CALL now)))\n"
               "  (LET k\n    _\n"
               "    (BINARY + (AGG min m (MEMBER age (NAME m)) (NAME xs)) (AGG max m (MEMBER age (NAME m)) (NAME xs) (MEMBER ok (NAME m)))))\n"
               "  (LET l\n    _\n"
               "    (BINARY and (AGG any m (MEMBER ok (NAME m)) (NAME xs)) (AGG all m (MEMBER ok (NAME m)) (NAME xs) (MEMBER x (NAME m)))))\n"
               "  (LET m\n    _\n"
               "    (AGG sum m (MEMBER income (NAME m)) (NAME xs) (BINARY > (MEMBER age (NAME m)) (INT 18)))))\n");
}

/* sum/min/max/count/any/all are keywords only where the grammar needs
 * them. */
static void test_soft_keywords(void **state)
{
    (void)state;
    check_dump("let count = sum + any + all + min + max\n"
               "entity e { sum: int  max: int }\n",
               "(FILE\n"
               "  (LET count\n    _\n"
               "    (BINARY + (BINARY + (BINARY + (BINARY + (NAME sum) (NAME any)) (NAME all)) (NAME min)) (NAME max)))\n"
               "  (ENTITY e\n"
               "    (FIELD sum (TYPE int))\n"
               "    (FIELD max (TYPE int))))\n");
}

/* Locations are byte offsets covering the whole construct. */
static void test_locations(void **state)
{
    parsed p;
    const char *text = "let a \"收入\" = 1\nlet x \"标签\" = a + b.c\n";
    ast_node *let, *e;

    (void)state;
    parse_text(&p, text, strlen(text));
    let = p.root->a->next;
    assert_int_equal(let->kind, AST_LET);
    assert_int_equal(let->loc.start, strlen("let a \"收入\" = 1\n"));
    assert_int_equal(let->loc.end, strlen(text) - 1);
    e = let->b;
    assert_int_equal(e->kind, AST_BINARY);
    assert_memory_equal(text + e->loc.start, "a + b.c", e->loc.end - e->loc.start);
    assert_memory_equal(text + e->b->loc.start, "b.c", e->b->loc.end - e->b->loc.start);
    assert_memory_equal(text + let->label->loc.start, "\"标签\"", let->label->loc.end - let->label->loc.start);
    assert_string_equal(let->label->text, "标签");
    parsed_free(&p);
}

/* ---- syntax errors ------------------------------------------------- */

static void test_several_errors(void **state)
{
    (void)state;
    check_messages("policy a.b \"甲\"\n"
                   "let size = count(household.members)\n"
                   "let a = size +\n"
                   "let b = (size * 2\n"
                   "let c = size 3\n"
                   "let = 1\n"
                   "let = 2\n"
                   "output d int = size\n"
                   "output e: bool = size = 1\n"
                   "output f = if size > 2 size else 0\n"
                   "table t(a: int) -> int \"x\"\n"
                   "  | 1 | 2\n"
                   "test \"x\" 2019-01-01\n"
                   "let ok = 1\n",
                   "3:15: missing a value at the end of the line\n"
                   "4:18: missing `)` at the end of the line\n"
                   "5:14: unexpected number `3`\n"
                   "6:5: unexpected `=`, expected name\n"
                   "7:5: unexpected `=`, expected name\n"
                   "8:10: unexpected `int`, expected string, `:` or `=`\n"
                   "9:23: unexpected `=`\n"
                   "10:24: unexpected name `size`, expected `then`\n"
                   "11:24: unexpected string, expected `unit NAME`, `hit`, `per` or `once`\n"
                   "13:10: unexpected date `2019-01-01`, expected `as`\n");
}

/* Errors inside rows, test items, parameter values and unless clauses
 * are reported one per item, and the rest of the declaration parses. */
static void test_item_recovery(void **state)
{
    parsed p;
    const char *text =
        "table t(a: int) -> int hit first\n"
        "  | 1 2 | 3\n"
        "  | >= | 3\n"
        "  | 1 | 3\n"
        "test \"x\" as of 2019-01-01\n"
        "  given h = {a: 1,, b: 2}\n"
        "  expect x == 1\n"
        "  expect y = 2\n"
        "parameter p: int\n"
        "  from 2019-01-01 1\n"
        "  from 2020-01-01: 2 source\n"
        "  from 2021-01-01: 3\n"
        "output o = 1\n"
        "  unless a 2\n"
        "  unless c then 3\n";
    buf b;

    (void)state;
    check_messages(text,
                   "2:7: unexpected number `2`\n"
                   "3:8: unexpected `|`, expected a value\n"
                   "6:19: unexpected `,`, expected name or `}`\n"
                   "7:12: unexpected `==`, expected name, string or `=`\n"
                   "10:19: unexpected number `1`, expected `until` or `:`\n"
                   "11:28: missing string at the end of the line\n"
                   "14:12: unexpected number `2`, expected `then`\n");
    parse_text(&p, text, strlen(text));
    buf_init(&b);
    ast_dump(p.root, &b);
    assert_string_equal(buf_cstr(&b),
                        "(FILE\n"
                        "  (TABLE first t\n"
                        "    (TPARAM a (TYPE int))\n"
                        "    (TYPE int)\n"
                        "    (ROW (CELL_CMP == (INT 1)) (INT 3)))\n"
                        "  (TEST \"x\"\n"
                        "    (DATE 2019-01-01)\n"
                        "    _\n"
                        "    (EXPECT y (INT 2)))\n"
                        "  (PARAM p\n"
                        "    (TYPE int)\n"
                        "    (PARAM_VALUE (DATE 2021-01-01) _ (INT 3)))\n"
                        "  (OUTPUT o\n"
                        "    _\n"
                        "    (INT 1)\n"
                        "    (UNLESS (NAME c) (INT 3))))\n");
    buf_free(&b);
    parsed_free(&p);
}

/* `80%` and `4.0321万` are the numbers meant, marked with their suffix
 * (the checker refuses a rate where money belongs). */
static void test_scaled_literals(void **state)
{
    (void)state;
    check_dump("let r = 80% + 12.5 % + 100% + 0.5%\n",
               "(FILE\n  (LET r\n    _\n"
               "    (BINARY + (BINARY + (BINARY + (DEC % 0.80) (DEC % 0.125)) (DEC % 1.00)) (DEC % 0.005))))\n");
    check_dump("let w = 4.0321\xE4\xB8\x87 + 2\xE4\xB8\x87 + 1.5\xE4\xB8\x87\n",
               "(FILE\n  (LET w\n    _\n    (BINARY + (BINARY + (INT 万 40321) (INT 万 20000)) (INT 万 15000))))\n");
}

static void test_hints(void **state)
{
    (void)state;
    check_diags("output e: bool = size = 1\n",
                "t.policy:1:23: error: unexpected `=`\n"
                "    1 | output e: bool = size = 1\n"
                "      |                       ^\n"
                "hint: `=` needs `==` for comparison; a single `=` only gives a declaration its value\n");
    check_diags("output f = if a b else 0\n",
                "t.policy:1:17: error: unexpected name `b`, expected `then`\n"
                "    1 | output f = if a b else 0\n"
                "      |                 ^\n"
                "hint: missing `then` after the condition\n");
    check_diags("output f = 1 unless a then b else c\n",
                "t.policy:1:30: error: unexpected `else`\n"
                "    1 | output f = 1 unless a then b else c\n"
                "      |                              ^~~~\n"
                "hint: `unless` has no `else`: the value after `=` applies when no `unless` does\n");
    check_diags("let month = 1\n",
                "t.policy:1:5: error: unexpected `month`, expected name\n"
                "    1 | let month = 1\n"
                "      |     ^~~~~\n"
                "hint: this word is a keyword and cannot be used as a name\n");
    check_diags("let a = b && c || !d;\n",
                "t.policy:1:11: error: `&&` is not an operator\n"
                "    1 | let a = b && c || !d;\n"
                "      |           ^~\n"
                "hint: write `and` to join conditions\n"
                "t.policy:1:16: error: `||` is not an operator\n"
                "    1 | let a = b && c || !d;\n"
                "      |                ^~\n"
                "hint: write `or` to join conditions\n"
                "t.policy:1:19: error: `!` is not an operator\n"
                "    1 | let a = b && c || !d;\n"
                "      |                   ^\n"
                "hint: write `not` to negate a condition\n"
                "t.policy:1:21: error: unexpected `;`\n"
                "    1 | let a = b && c || !d;\n"
                "      |                     ^\n"
                "hint: declarations need no `;` between them\n");
    check_diags("let a = 6 <= x <= 12\n",
                "t.policy:1:9: error: comparisons do not chain\n"
                "    1 | let a = 6 <= x <= 12\n"
                "      |         ^~~~~~~~~~~~\n"
                "hint: write `6 <= x and x <= 12`\n");
    check_messages("let a = x < y < z\n", "1:9: comparisons do not chain\n");
    check_messages("let d = as_of + (n + 1) years\n", "1:17: a duration is a number or a name, followed by its unit\n");
}

/* Columns count code points: the Chinese label is 4 characters, 12
 * bytes; the caret is padded by display width, 2 per character. */
static void test_cjk_caret(void **state)
{
    (void)state;
    check_diags("policy t.x \"测试\"\n"
                "output 低保金: money = 1\n"
                "output n: int \"人数\" = if size > 2 size - 2 else 0\n",
                "t.policy:2:8: error: unexpected character `低` (U+4F4E)\n"
                "    2 | output 低保金: money = 1\n"
                "      |        ^~~~~~\n"
                "hint: names use ASCII letters, digits and `_`; Chinese text goes in a \"label\"\n"
                "t.policy:3:34: error: unexpected name `size`, expected `then`\n"
                "    3 | output n: int \"人数\" = if size > 2 size - 2 else 0\n"
                "      |                                    ^~~~\n"
                "hint: missing `then` after the condition\n");
    /* Full-width punctuation is read as the ASCII it stands for. */
    check_diags("let n = max（1，2）\n",
                "t.policy:1:12: error: full-width `（` is not `(`\n"
                "    1 | let n = max（1，2）\n"
                "      |            ^~\n"
                "hint: use the ASCII `(` instead\n"
                "t.policy:1:14: error: full-width `，` is not `,`\n"
                "    1 | let n = max（1，2）\n"
                "      |               ^~\n"
                "hint: use the ASCII `,` instead\n"
                "t.policy:1:16: error: full-width `）` is not `)`\n"
                "    1 | let n = max（1，2）\n"
                "      |                  ^~\n"
                "hint: use the ASCII `)` instead\n");
}

static void test_tabs_and_crlf(void **state)
{
    (void)state;
    check_diags("let\tx\t=\t\"人\"\t)\n",
                "t.policy:1:13: error: unexpected `)`\n"
                "    1 | let     x       =       \"人\"    )\n"
                "      |                                 ^\n");
    check_diags("let x = 1\r\nlet y = )\r\n",
                "t.policy:2:9: error: unexpected `)`, expected a value\n"
                "    2 | let y = )\n"
                "      |         ^\n");
}

static void test_invalid_utf8(void **state)
{
    static const char text[] = "# \xb5\xcd\xb1\xa3\nlet n \"\xe4\xba\xba\xff\xfe\" = \xc0\x80 1\n";

    (void)state;
    check_diags_n(text, sizeof text - 1,
                  "t.policy:1:3: error: invalid UTF-8 byte 0xB5\n"
                  "    1 | # \xef\xbf\xbd\xcd\xb1\xef\xbf\xbd\n"
                  "      |   ^\n"
                  "hint: eligo reads policies as UTF-8; save the file as UTF-8\n"
                  "t.policy:1:5: error: invalid UTF-8 byte 0xA3\n"
                  "    1 | # \xef\xbf\xbd\xcd\xb1\xef\xbf\xbd\n"
                  "      |     ^\n"
                  "hint: eligo reads policies as UTF-8; save the file as UTF-8\n"
                  "t.policy:2:9: error: invalid UTF-8 byte 0xFF\n"
                  "    2 | let n \"\xe4\xba\xba\xef\xbf\xbd\xef\xbf\xbd\" = \xef\xbf\xbd\xef\xbf\xbd 1\n"
                  "      |          ^~\n"
                  "hint: eligo reads policies as UTF-8; save the file as UTF-8\n"
                  "t.policy:2:15: error: invalid UTF-8 byte 0xC0\n"
                  "    2 | let n \"\xe4\xba\xba\xef\xbf\xbd\xef\xbf\xbd\" = \xef\xbf\xbd\xef\xbf\xbd 1\n"
                  "      |                ^~\n"
                  "hint: eligo reads policies as UTF-8; save the file as UTF-8\n");
}

static void test_strings(void **state)
{
    (void)state;
    check_diags("let a = \"家庭人口\nlet b = 1\n",
                "t.policy:1:9: error: unterminated string\n"
                "    1 | let a = \"家庭人口\n"
                "      |         ^~~~~~~~~\n"
                "hint: close it with `\"` on the same line (write `\\n` for a line break)\n");
    check_messages("let a = \"\\q\\u{D800}\\u{0}\\u{110000}\\u{4E2D\" 'x'\n",
                   "1:10: unknown escape `\\q`\n"
                   "1:12: invalid `\\u` escape\n"
                   "1:20: invalid `\\u` escape\n"
                   "1:25: invalid `\\u` escape\n"
                   "1:35: invalid `\\u` escape\n"
                   "1:44: strings use double quotes, not `'`\n");
    check_messages("let d = 2019-1-1 + 12abc\n",
                   "1:9: malformed date `2019-1-1`\n"
                   "1:20: malformed number `12abc`\n");
}

static void test_end_of_file(void **state)
{
    (void)state;
    check_diags("let n \"人数\" = count(household.members\n\n# trailing comment\n",
                "t.policy:1:37: error: unexpected end of file, expected `)`\n"
                "    1 | let n \"人数\" = count(household.members\n"
                "      |                                       ^\n"
                "t.policy:1:19: note: the `(` opened here is not closed\n"
                "    1 | let n \"人数\" = count(household.members\n"
                "      |                     ^\n");
}

/* ---- limits -------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * (size_t)n + tl + 1), *p = s;
    int i;

    assert_non_null(s);
    memcpy(p, head, hl);
    p += hl;
    for (i = 0; i < n; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, tail, tl + 1);
    return s;
}

static void test_nesting(void **state)
{
    char *text, *open, *close;
    parsed p;

    (void)state;
    /* PARSE_MAX_NESTING brackets are fine, one more is an error. */
    open = repeat("let a = ", "(", PARSE_MAX_NESTING, "1");
    close = repeat(open, ")", PARSE_MAX_NESTING, "\nlet b = 1\n");
    parse_text(&p, close, strlen(close));
    assert_int_equal(p.dl.n, 0);
    parsed_free(&p);
    free(open);
    free(close);

    open = repeat("let a = ", "[", PARSE_MAX_NESTING + 1, "1");
    close = repeat(open, "]", PARSE_MAX_NESTING + 1, "\nlet b = 1\n");
    check_messages(close, "1:265: brackets nested more than 256 deep\n");
    parse_text(&p, close, strlen(close));
    assert_int_equal(ast_list_len(p.root->a), 1);       /* `let b` survives */
    parsed_free(&p);
    free(open);
    free(close);

    /* Nesting without brackets. */
    /* The node 257 levels down is the one reported. */
    text = repeat("let a = ", "- ", PARSE_MAX_NESTING + 1, "1\n");
    check_messages(text, "1:521: expression nested more than 256 levels deep\n");
    free(text);
    text = repeat("let a = ", "1 + ", 10000, "1\n");
    check_messages(text, "1:9: expression nested more than 256 levels deep\n");
    free(text);
    text = repeat("let a = ", "not ", 1000, "x\n");
    check_messages(text, "1:1033: expression nested more than 256 levels deep\n");
    free(text);

    /* Deep enough to overflow bison's own stack: a diagnostic, no crash. */
    text = repeat("let a = ", "- ", 100000, "1\n");
    parse_text(&p, text, strlen(text));
    assert_int_equal(p.dl.nerrors, 1);
    assert_non_null(strstr(p.dl.items[0].message, "nested too deeply"));
    assert_int_equal(p.root->kind, AST_FILE);
    parsed_free(&p);
    free(text);
}

/* Long lists are built in linear time (tails, not walks). */
static void test_long_list(void **state)
{
    char *text = repeat("let a = [", "1, ", 200000, "1]\n");
    parsed p;

    (void)state;
    parse_text(&p, text, strlen(text));
    assert_int_equal(p.dl.n, 0);
    assert_int_equal(ast_list_len(p.root->a->b->a), 200001);
    parsed_free(&p);
    free(text);
}

static void test_too_large(void **state)
{
    size_t len = PARSE_MAX_SOURCE + 1;
    char *text = malloc(len);
    parsed p;

    (void)state;
    assert_non_null(text);
    memset(text, ' ', len);
    parse_text(&p, text, len);
    assert_int_equal(p.dl.nerrors, 1);
    assert_string_equal(p.dl.items[0].message, "file is too large: 4194305 bytes, the limit is 4194304");
    assert_int_equal(p.root->kind, AST_FILE);
    assert_null(p.root->a);
    parsed_free(&p);
    free(text);
}

/* A very long line is shown as a window around the caret: 160 bytes
 * before it, "..." where the line was cut. */
static void test_long_line(void **state)
{
    char *text = repeat("let a = ", "x+", 300, ")\n");
    char *head = repeat("t.policy:1:609: error: unexpected `)`, expected a value\n    1 | ...",
                        "x+", 80, ")\n");
    char *want = repeat(head, " ", 8 + 3 + 160, "^\n");

    (void)state;
    memcpy(want + strlen(head), "      | ", 8);
    check_diags(text, want);
    free(want);
    free(head);
    free(text);
}

static void test_error_limit(void **state)
{
    char *text = repeat("", "let = 1\n", 150, "");
    parsed p;
    char *d;

    (void)state;
    p.src = source_new("t.policy", text, strlen(text));
    arena_init(&p.pool, 0);
    diag_list_init(&p.dl);
    p.dl.max_errors = 3;
    p.root = parse_source(p.src, &p.pool, &p.dl);
    assert_int_equal(p.dl.n, 3);
    assert_true(p.dl.truncated);
    d = printed(&p.dl);
    assert_non_null(strstr(d, "note: too many errors; only the first 3 are shown\n"));
    free(d);
    parsed_free(&p);
    free(text);
}

/* An arena that runs out mid-parse: a diagnostic and NULL, never a
 * crash, whatever the point where it ran out. */
static void test_out_of_memory(void **state)
{
    const char *text = "policy a.b \"甲\"\n"
                       "let income: money per month = sum(m.monthly_income for m in household.members)\n"
                       "table t(a: int) -> int hit first\n  | 1 | 2 | \"x\"\n  | else | 3\n"
                       "test \"t\" as of 2019-01-01\n  given h = {a: [1, 2]}\n  expect x = 1\n";
    size_t limit;

    (void)state;
    for (limit = 16; limit < 8192; limit += 16) {
        parsed p;
        p.src = source_new("t.policy", text, strlen(text));
        arena_init(&p.pool, 0);
        p.pool.limit = limit;
        diag_list_init(&p.dl);
        p.root = parse_source(p.src, &p.pool, &p.dl);
        if (p.root) {
            assert_false(p.pool.failed);
            assert_int_equal(p.dl.n, 0);
        } else {
            assert_int_equal(p.dl.nerrors, 1);
            assert_string_equal(p.dl.items[0].message, "out of memory while parsing");
        }
        parsed_free(&p);
    }
}

/* ---- source.c and diag.c directly ----------------------------------- */

static void test_source_linecol(void **state)
{
    static const char text[] = "ab\n收入x\n\n\xff" "z";
    source *s = source_new("f", text, sizeof text - 1);
    uint32_t line, col;
    size_t len;
    const char *l;

    (void)state;
    source_linecol(s, 0, &line, &col);
    assert_int_equal(line, 1), assert_int_equal(col, 1);
    source_linecol(s, 2, &line, &col);
    assert_int_equal(line, 1), assert_int_equal(col, 3);
    source_linecol(s, 9, &line, &col);          /* `x` after two CJK characters */
    assert_int_equal(line, 2), assert_int_equal(col, 3);
    source_linecol(s, 11, &line, &col);
    assert_int_equal(line, 3), assert_int_equal(col, 1);
    source_linecol(s, 13, &line, &col);         /* `z` after an invalid byte */
    assert_int_equal(line, 4), assert_int_equal(col, 2);
    source_linecol(s, 999, &line, &col);        /* clamped to the end */
    assert_int_equal(line, 4), assert_int_equal(col, 3);
    l = source_line(s, 2, &len);
    assert_int_equal(len, 7);
    assert_memory_equal(l, "收入x", 7);
    l = source_line(s, 3, &len);
    assert_int_equal(len, 0);
    l = source_line(s, 9, &len);
    assert_int_equal(len, 0);
    source_free(s);
}

static void test_diag_print(void **state)
{
    source *s = source_new("p.policy", "let 标准 = a +\n  b\n", 20);
    diag_list dl;
    char *d;

    (void)state;
    diag_list_init(&dl);
    diag_add(&dl, DIAG_WARNING, s, (src_loc){4, 10}, NULL, "label `%s` unused", "标准");
    diag_add(&dl, DIAG_ERROR, s, (src_loc){13, 19}, "a hint", "spans two lines");
    diag_hint(&dl, "hint %d replaced", 2);
    diag_add(&dl, DIAG_NOTE, NULL, (src_loc){0, 0}, NULL, "no file");
    d = printed(&dl);
    assert_string_equal(d,
                        "p.policy:1:5: warning: label `标准` unused\n"
                        "    1 | let 标准 = a +\n"
                        "      |     ^~~~\n"
                        "p.policy:1:10: error: spans two lines\n"
                        "    1 | let 标准 = a +\n"
                        "      |            ^~~\n"
                        "hint: hint 2 replaced\n"
                        "note: no file\n");
    assert_int_equal(dl.nerrors, 1);
    assert_int_equal(dl.nwarnings, 1);
    free(d);
    diag_list_free(&dl);
    source_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_enum_entity),
        cmocka_unit_test(test_parameter),
        cmocka_unit_test(test_let_output),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_table_cells),
        cmocka_unit_test(test_assert_and_tests),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_primaries),
        cmocka_unit_test(test_aggregations_and_calls),
        cmocka_unit_test(test_soft_keywords),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_several_errors),
        cmocka_unit_test(test_item_recovery),
        cmocka_unit_test(test_scaled_literals),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_cjk_caret),
        cmocka_unit_test(test_tabs_and_crlf),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_end_of_file),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_long_list),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_error_limit),
        cmocka_unit_test(test_source_linecol),
        cmocka_unit_test(test_diag_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
