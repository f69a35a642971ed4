/*
 * ast.h - the syntax tree of a policy, model or test file.
 *
 * grammar/parser.y builds it with one ast_* call per action; every later
 * stage (resolve, check, tables, lower) reads it and fills in the
 * semantic fields at the bottom of ast_node.  One node shape serves every
 * kind: the table below says what a, b, c, d, text, op and label mean for
 * each kind, so a reader never has to guess.
 *
 * Ownership: every node, and every string it points to, lives in the
 * arena passed to the parser (the policy arena).  Nothing is freed on its
 * own.  Strings are NUL-terminated UTF-8, string literals already
 * unescaped.
 *
 *  kind             text            op              a        b        c         d       label
 *  FILE             -               -               decls    -        -         -       -
 *  POLICY           dotted name     -               -        -        -         -       title
 *  MODEL            name            -               -        -        -         -       title
 *  TESTS_FOR        policy name     -               -        -        -         -       -
 *  JURISDICTION     -               -               -        -        -         -       the text
 *  SOURCE           -               1 = assumption  file STR quote STR? -       -       the assumption
 *                   (a policy's `source`, or the citation of a value or row; see lang/cite.h)
 *  COVERS           -               -               from DATE until DATE -      -       -
 *  USE              "civil.household" -             -        -        -         -       -
 *  ENUM             name            -               values   -        -         -       label
 *  ENUM_VALUE       name            -               -        -        -         -       label
 *  ENTITY           name            ENTITY_EXTENDS  fields   -        -         -       label
 *                   (`extend MODEL.ENTITY { fields }`: name is "MODEL.ENTITY", op ENTITY_EXTENDS)
 *  FIELD            name            -               TYPE     RANGE?   default?  -       label
 *  TYPE             name if NAMED,  ast_base        elem TYPE (LIST/MAP) order? -   -       -
 *                   (b: a table result's `order (v1, v2, ...)`, a LIST whose text is "order")
 *                   unit of INT/DECIMAL (`int unit 床`: "床"), else NULL
 *                                   (op2: ast_period)
 *  RANGE            -               RANGE_* flags   low?     high?    -         -       -
 *  PARAM            name            -               TYPE     values   -         -       label
 *  PARAM_VALUE      -               -               from DATE until DATE? value  SOURCE?  -
 *  LET / OUTPUT     name            -               TYPE?    expr     unless list -     label
 *                   (a bool's label may carry a second STRING in label->a: the
 *                    label when the value is false)
 *                   (op: OUTPUT_RANGE_MIN/MAX for the two ends of `output x: money range
 *                    = LO to HI`, outputs named "x.min" and "x.max", the max right after)
 *  UNLESS           -               -               cond     value    -         -       label
 *  TABLE            name            ast_hit         params   result TYPE rows   partial? label
 *                   (d: the word `partial`, a NAME, when no row matching gives no value)
 *                   (b: a list of TPARAMs, name and TYPE, for several results `-> (min: int, max: int)`)
 *                                   (op2: ast_collect)
 *  TPARAM           name            -               TYPE     RANGE?   -         -       label?
 *                   (a result column has a label and no RANGE; a table parameter no label)
 *  ROW              -               1 if `else`     cells    output   SOURCE?   outputs? label
 *                   (d: with several results, every output as CELL_CMPs linked by next;
 *                    b is then the first output)
 *  CELL_ANY         -               -               -        -        -         -       -
 *  CELL_CMP         -               ast_binop (LT..NE) expr  -        -         -       -
 *  CELL_RANGE       -               RANGE_* flags   low      high     -         -       -
 *  CELL_SET         -               -               values (exprs, linked) -    -       -
 *  ASSERT           -               -               expr     -        -         -       label
 *  REFUSE           -               1 = warn        cond     -        -         cite    reason|text STR
 *  TEST             -               -               as_of DATE givens expects   -       name STR
 *  GIVEN            entity name     -               OBJECT   -        -         -       -
 *  EXPECT           output name     1 = error       value (or message STR) -   -       -
 *                   (`expect x = LO to HI`: two EXPECTs, "x.min" then "x.max", op2 1 on the max)
 *                                   2 = label text  STRING   NAME reason|label  NAME contains? -
 *                                   3 = refused     reason STRING -   -         -       -
 *                                   4 = warning     text STRING   -   -         -       -
 *  INT DEC          number meant    lit_suffix      -        -        -         -       -
 *                   (`80%` is DEC "0.80" with LIT_PERCENT, `4万` INT "40000" with LIT_WAN)
 *  STRING           unescaped text  -               -        -        -         -       -
 *  DATE             "YYYY-MM-DD"    -               -        -        -         -       -
 *  BOOL             -               0 / 1           -        -        -         -       -
 *  DURATION         -               ast_unit        count INT or NAME - -       -       -
 *  AS_OF            -               -               -        -        -         -       -
 *  NAME             identifier      -               -        -        -         -       -
 *  MEMBER           field name      -               object   -        -         -       -
 *  UNARY            -               ast_unop        operand  -        -         -       -
 *  BINARY           -               ast_binop       left     right    -         -       -
 *  IF               -               -               cond     then     else      -       -
 *  CALL             function name   op2 1: a partial table under value_or args - -  -       -
 *  AGG              loop var name   ast_agg         value?   list     where?    key?    -
 *                   (count(LIST) has no var and no value; map has a key)
 *  AT               -               -               NAME     date     -         -       -
 *  LIST             -               -               items    -        -         -       -
 *  OBJECT           -               -               PAIRs    -        -         -       -
 *  PAIR             key             -               value    -        -         -       -
 *
 * Lists (decls, values, fields, rows, cells, args, items, pairs, ...) are
 * linked through `next`, in source order.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_AST_H
#define ELIGO_AST_H

#include <stdint.h>
#include "base/arena.h"
#include "lang/source.h"

typedef enum ast_kind {
    AST_FILE, AST_POLICY, AST_MODEL, AST_TESTS_FOR, AST_JURISDICTION, AST_SOURCE,
    AST_COVERS, AST_USE, AST_ENUM, AST_ENUM_VALUE, AST_ENTITY, AST_FIELD,
    AST_TYPE, AST_RANGE, AST_PARAM, AST_PARAM_VALUE, AST_LET, AST_OUTPUT,
    AST_UNLESS, AST_TABLE, AST_TPARAM, AST_ROW, AST_CELL_ANY, AST_CELL_CMP,
    AST_CELL_RANGE, AST_CELL_SET, AST_ASSERT, AST_TEST, AST_GIVEN, AST_EXPECT,
    AST_INT, AST_DEC, AST_STRING, AST_DATE, AST_BOOL, AST_DURATION, AST_AS_OF,
    AST_NAME, AST_MEMBER, AST_UNARY, AST_BINARY, AST_IF, AST_CALL, AST_AGG,
    AST_AT, AST_LIST, AST_OBJECT, AST_PAIR, AST_REFUSE,
    AST_KIND_COUNT
} ast_kind;

/* How a number literal was written: plain, as a percentage, in 万. */
typedef enum lit_suffix { LIT_PLAIN, LIT_PERCENT, LIT_WAN } lit_suffix;

typedef enum ast_base {
    BASE_BOOL, BASE_INT, BASE_DECIMAL, BASE_MONEY, BASE_DATE, BASE_TEXT,
    BASE_NAMED,   /* an enum or entity, by text */
    BASE_LIST,    /* list of a */
    BASE_MAP      /* map of a, keyed by text */
} ast_base;

typedef enum ast_period { PERIOD_NONE, PERIOD_MONTH, PERIOD_YEAR, PERIOD_ONCE } ast_period;

/* RANGE / CELL_RANGE flags.  `a..b` is closed at both ends; `[a, b)` etc.
 * set the open flags; `>= a` is a RANGE with no high. */
enum { RANGE_LOW_OPEN = 1, RANGE_HIGH_OPEN = 2 };

/* AST_ENTITY's op: a plain `entity` (0) or `extend MODEL.ENTITY` (adds
 * fields to another model's entity, compile.c). */
enum { ENTITY_EXTENDS = 1 };

/* AST_OUTPUT's op: an ordinary output (0) or one end of a range output
 * (`output award: money range = 1000.00 to 2000.00`, parse.c). */
enum { OUTPUT_RANGE_MIN = 1, OUTPUT_RANGE_MAX = 2 };

typedef enum ast_binop {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV,
    OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
    OP_AND, OP_OR
} ast_binop;

typedef enum ast_unop { OP_NEG, OP_NOT } ast_unop;

typedef enum ast_unit { UNIT_DAYS, UNIT_MONTHS, UNIT_YEARS } ast_unit;

typedef enum ast_agg { AGG_COUNT, AGG_SUM, AGG_MIN, AGG_MAX, AGG_ANY, AGG_ALL, AGG_MAP } ast_agg;

typedef enum ast_hit {
    HIT_UNIQUE, HIT_ANY, HIT_PRIORITY, HIT_FIRST, HIT_RULE_ORDER,
    HIT_OUTPUT_ORDER, HIT_COLLECT
} ast_hit;

typedef enum ast_collect { COLLECT_LIST, COLLECT_SUM, COLLECT_MIN, COLLECT_MAX, COLLECT_COUNT } ast_collect;

struct ty;

typedef struct ast_node ast_node;
struct ast_node {
    ast_kind kind;
    src_loc loc;
    const char *text;
    int op;
    int op2;
    ast_node *a, *b, *c, *d;
    ast_node *label;          /* STRING node or NULL */
    ast_node *next;

    /* Filled in by later stages; NULL/0 after parsing. */
    const struct ty *ty;      /* check_expr.c: the expression's type; check_types.c: TY_ERROR on a type name already reported unknown */
    void *decl;               /* check_expr.c: what a NAME refers to (a sym, a field, a TPARAM) */
    int32_t slot;             /* check.c/lower.c: field index, enum value or loop slot */
};

/* Constructors used by parser.y.  `a` is the parse arena. */
ast_node *ast_new(arena *a, ast_kind kind, src_loc loc);
ast_node *ast_text(arena *a, ast_kind kind, src_loc loc, const char *text, size_t len);
/* Appends `item` to the list starting at `list`; returns the head. */
ast_node *ast_append(ast_node *list, ast_node *item);
size_t ast_list_len(const ast_node *list);
const char *ast_kind_name(ast_kind k);
/* An indented S-expression dump, for tests and `eligo check --dump-ast`. */
struct buf;
void ast_dump(const ast_node *n, struct buf *out);

#endif
