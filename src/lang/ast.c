/*
 * ast.c - syntax tree constructors and the test dump.
 *
 * grammar/parser.y calls ast_new/ast_text/ast_append once per action and
 * fills in the few fields ast.h's table names; all meaning is left to
 * resolve/check/lower.  ast_dump prints a tree as an indented
 * S-expression, which is what tests/unit/test_parse.c compares against
 * and what `eligo check --dump-ast` shows:
 *
 *   (FILE
 *     (POLICY tianjin.dibao "天津市城乡最低生活保障")
 *     (LET size "家庭人口"
 *       _
 *       (AGG count _ (MEMBER members (NAME household)))))
 *
 * A node prints as `(KIND op text "label" children...)`, leaving out
 * what it does not have (a bool's two labels print as "yes" else "no").  Children are the a, b, c, d slots in order,
 * each slot followed by its `next` siblings; an empty slot before a
 * filled one prints as `_`.  Declarations that hold other declarations'
 * worth of content (FILE, ENUM, ENTITY, PARAM, LET, OUTPUT, TABLE, TEST)
 * put each child on its own line; everything else stays on one line.
 *
 * Out of memory: when the arena fails, the constructors hand out one
 * shared scratch node instead of NULL, so grammar actions never test for
 * NULL.  ast_append never links the scratch node into a list, so no list
 * can become a cycle; the parser sees arena->failed and drops the tree.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "base/buf.h"
#include "lang/ast.h"

/* Handed out when the arena fails; contents are garbage by design. */
static ast_node scratch_node;

ast_node *ast_new(arena *a, ast_kind kind, src_loc loc)
{
    ast_node *n = arena_alloc(a, sizeof *n);

    if (!n) {
        memset(&scratch_node, 0, sizeof scratch_node);
        n = &scratch_node;
    }
    n->kind = kind;
    n->loc = loc;
    return n;
}

ast_node *ast_text(arena *a, ast_kind kind, src_loc loc, const char *text, size_t len)
{
    ast_node *n = ast_new(a, kind, loc);
    char *t = arena_strndup(a, text ? text : "", text ? len : 0);

    n->text = t ? t : "";
    return n;
}

ast_node *ast_append(ast_node *list, ast_node *item)
{
    ast_node *p;

    if (!item || item == &scratch_node)
        return list;
    if (!list || list == &scratch_node)
        return item;
    for (p = list; p->next; p = p->next)
        if (p == item)
            return list;
    if (p != item)
        p->next = item;
    return list;
}

size_t ast_list_len(const ast_node *list)
{
    size_t n = 0;

    for (; list; list = list->next)
        n++;
    return n;
}

static const char *const kind_names[AST_KIND_COUNT] = {
    "FILE", "POLICY", "MODEL", "TESTS_FOR", "JURISDICTION", "SOURCE",
    "COVERS", "USE", "ENUM", "ENUM_VALUE", "ENTITY", "FIELD",
    "TYPE", "RANGE", "PARAM", "PARAM_VALUE", "LET", "OUTPUT",
    "UNLESS", "TABLE", "TPARAM", "ROW", "CELL_ANY", "CELL_CMP",
    "CELL_RANGE", "CELL_SET", "ASSERT", "TEST", "GIVEN", "EXPECT",
    "INT", "DEC", "STRING", "DATE", "BOOL", "DURATION", "AS_OF",
    "NAME", "MEMBER", "UNARY", "BINARY", "IF", "CALL", "AGG",
    "AT", "LIST", "OBJECT", "PAIR", "REFUSE",
};

const char *ast_kind_name(ast_kind k)
{
    return (unsigned)k < AST_KIND_COUNT ? kind_names[k] : "?";
}

/* ---- dump ---------------------------------------------------------- */

static const char *binop_name(int op)
{
    static const char *const names[] = {
        "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or",
    };
    return op >= 0 && op <= OP_OR ? names[op] : "?";
}

static const char *range_name(int flags)
{
    static const char *const names[] = { "[]", "(]", "[)", "()" };
    return names[flags & 3];
}

/* The op (and op2) of a node in words, or NULL when the kind has none. */
static const char *op_name(const ast_node *n, const char **op2)
{
    static const char *const bases[] = {
        "bool", "int", "decimal", "money", "date", "text", NULL, "list", "map",
    };
    static const char *const periods[] = { NULL, "per month", "per year", "once" };
    static const char *const units[] = { "days", "months", "years" };
    static const char *const aggs[] = { "count", "sum", "min", "max", "any", "all", "map" };
    static const char *const hits[] = {
        "unique", "any", "priority", "first", "rule_order", "output_order", "collect",
    };
    static const char *const collects[] = { NULL, "sum", "min", "max", "count" };

    *op2 = NULL;
    switch (n->kind) {
    case AST_TYPE:
        if ((unsigned)n->op2 <= PERIOD_ONCE)
            *op2 = periods[n->op2];
        return (unsigned)n->op <= BASE_MAP ? bases[n->op] : "?";
    case AST_RANGE:
    case AST_CELL_RANGE:
        return range_name(n->op);
    case AST_CELL_CMP:
    case AST_BINARY:
        return binop_name(n->op);
    case AST_UNARY:
        return n->op == OP_NOT ? "not" : "-";
    case AST_ROW:
        return n->op ? "else" : NULL;
    case AST_SOURCE:
        return n->op ? "assumption" : NULL;
    case AST_EXPECT:
        return n->op == 4 ? "warning" : n->op == 3 ? "refused" : n->op ? "error" : NULL;
    case AST_REFUSE:
        return n->op ? "warn" : NULL;
    case AST_INT: case AST_DEC:
        return n->op == LIT_PERCENT ? "%" : n->op == LIT_WAN ? "万" : NULL;
    case AST_BOOL:
        return n->op ? "true" : "false";
    case AST_DURATION:
        return (unsigned)n->op <= UNIT_YEARS ? units[n->op] : "?";
    case AST_AGG:
        return (unsigned)n->op <= AGG_MAP ? aggs[n->op] : "?";
    case AST_TABLE:
        if (n->op == HIT_COLLECT && (unsigned)n->op2 <= COLLECT_COUNT)
            *op2 = collects[n->op2];
        return (unsigned)n->op <= HIT_COLLECT ? hits[n->op] : "?";
    default:
        return NULL;
    }
}

static void dump_string(buf *out, const char *s)
{
    buf_addc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf_addc(out, '\\');
            buf_addc(out, (char)c);
        } else if (c == '\n') {
            buf_adds(out, "\\n");
        } else if (c == '\t') {
            buf_adds(out, "\\t");
        } else if (c < 0x20 || c == 0x7F) {
            buf_printf(out, "\\u{%X}", c);
        } else {
            buf_addc(out, (char)c);
        }
    }
    buf_addc(out, '"');
}

static int is_block(ast_kind k)
{
    switch (k) {
    case AST_FILE: case AST_ENUM: case AST_ENTITY: case AST_PARAM:
    case AST_LET: case AST_OUTPUT: case AST_TABLE: case AST_TEST:
        return 1;
    default:
        return 0;
    }
}

static void dump_node(const ast_node *n, buf *out, int indent);

static void dump_sep(buf *out, int block, int indent)
{
    if (block)
        buf_printf(out, "\n%*s", indent + 2, "");
    else
        buf_addc(out, ' ');
}

static void dump_node(const ast_node *n, buf *out, int indent)
{
    const ast_node *slot[4], *c;
    const char *op, *op2;
    int i, last, block = is_block(n->kind);

    buf_printf(out, "(%s", ast_kind_name(n->kind));
    op = op_name(n, &op2);
    if (op)
        buf_printf(out, " %s", op);
    if (n->text) {
        buf_addc(out, ' ');
        if (n->kind == AST_STRING)
            dump_string(out, n->text);
        else
            buf_adds(out, n->text);
    }
    if (op2)
        buf_printf(out, " %s", op2);
    if (n->label && n->label->text) {
        buf_addc(out, ' ');
        dump_string(out, n->label->text);
        if (n->label->a && n->label->a->text) {     /* a bool's label for false */
            buf_adds(out, " else ");
            dump_string(out, n->label->a->text);
        }
    }

    slot[0] = n->a, slot[1] = n->b, slot[2] = n->c, slot[3] = n->d;
    for (last = 3; last >= 0 && !slot[last]; last--)
        ;
    for (i = 0; i <= last; i++) {
        if (!slot[i]) {
            dump_sep(out, block, indent);
            buf_addc(out, '_');
            continue;
        }
        for (c = slot[i]; c; c = c->next) {
            dump_sep(out, block, indent);
            dump_node(c, out, indent + 2);
        }
    }
    buf_addc(out, ')');
}

void ast_dump(const ast_node *n, buf *out)
{
    if (!n) {
        buf_adds(out, "_\n");
        return;
    }
    dump_node(n, out, 0);
    buf_addc(out, '\n');
}
