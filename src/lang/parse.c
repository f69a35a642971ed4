/*
 * parse.c - runs the reentrant flex scanner and the pure bison parser
 * over one source and returns its syntax tree.
 *
 * parse_source sets up a parse_ctx (parser.y defines it: the source,
 * the arena, the diag_list and the scanner's state), scans the whole
 * text from one buffer and runs langparse.  Afterwards it walks the tree
 * once, without recursion, to enforce PARSE_MAX_NESTING on expression
 * depth: the scanner already refuses brackets nested too deeply, but
 * `- - - x` or a 10 000-term sum nest without brackets, and every later
 * stage recurses over expressions.
 *
 * The constructors that need the parse context live here rather than in
 * ast.c: parse_list_add (lists with a tail, O(1) per item), parse_row
 * (splits a table row's items by the table's parameter count),
 * parse_expect_text (`expect reason|label OUT contains|= "…"`) and the
 * three that read a plain word as a keyword, parse_refuse (`refuse
 * when`), parse_warn (`warn when`) and parse_expect_refused (`expect
 * refused|warning "…"`): `when`, `refused` and `warning` stay usable as
 * names.  parse_range_output and parse_expect_range spell a range
 * (`output x: money range = LO to HI`, `expect x = LO to HI`) as two
 * nodes for its two ends, linked by `next` (parse_list_add_chain).
 *
 * Not done here: anything about meaning.  The tree that comes back holds
 * every declaration that parsed, even when there were syntax errors, so
 * the caller decides whether to go on.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"
#include "parser.h"

/* The scanner's entry points (flex writes no header for them), named
 * lang* by its prefix option; parser.h declares langparse. */
struct yy_buffer_state;
int langlex_init_extra(parse_ctx *extra, yyscan_t *scanner);
struct yy_buffer_state *lang_scan_buffer(char *base, size_t size, yyscan_t scanner);
void lang_delete_buffer(struct yy_buffer_state *b, yyscan_t scanner);
int langlex_destroy(yyscan_t scanner);

parse_list parse_list_add(parse_list l, ast_node *n)
{
    if (!n)
        return l;
    if (l.head)
        l.tail->next = n;
    else
        l.head = n;
    l.tail = n;
    return l;
}

/* A cell that is just a value (`| 800.00 |`), as opposed to a condition
 * such as `>= 4`, `-` or `1..3`. */
static int plain_value(const ast_node *cell)
{
    return cell->kind == AST_CELL_CMP && cell->op == OP_EQ;
}

/* The end of a table's head: at most 8 results, and the `order (...)`
 * list of a priority or output_order table kept on its result TYPE (b),
 * whose b is otherwise unused.  The rows that follow belong to it. */
void parse_table_head(parse_ctx *ctx, ast_node *table, src_loc result_loc, ast_node *order)
{
    ast_node *res = table->b;
    if (res && res->kind == AST_TPARAM && ast_list_len(res) > 8)
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, result_loc, NULL, "a table gives at most 8 results");
    if (order && strcmp(order->text, "order") != 0)
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, order->loc,
                 "write `order (v1, v2, ...)` after the hit policy to rank the outputs",
                 "unexpected name `%s` after the hit policy", order->text);
    else if (order && res && res->kind == AST_TPARAM)
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, order->loc, NULL,
                 "an `order` list ranks one result: table `%s` gives several", table->text);
    else if (order && res)
        res->b = order;
    ctx->table = table;
}

/* How many outputs a row of the table has: one, or one per result
 * column of `-> (min: int, max: int)`. */
static size_t result_count(const ast_node *table)
{
    return table && table->b && table->b->kind == AST_TPARAM ? ast_list_len(table->b) : 1;
}

ast_node *parse_row(parse_ctx *ctx, src_loc loc, ast_node *items, int is_else)
{
    ast_node *row = ast_new(ctx->pool, AST_ROW, loc), *p, *out, *label = NULL;
    size_t n, ncols, ncells, nres, i;

    row->op = is_else;
    if (ctx->pool->failed || !items)
        return row;
    n = ast_list_len(items);
    ncols = is_else || !ctx->table ? 0 : ast_list_len(ctx->table->a);
    nres = result_count(ctx->table);

    /* Cells first, then the outputs, then a label if a string is left. */
    for (p = items; p->next; p = p->next)
        ;
    if (n >= ncols + nres + 1 && plain_value(p) && p->a && p->a->kind == AST_STRING)
        label = p;
    if (n < nres + (label != NULL))
        nres = n - (label != NULL);     /* too few items: the checker reports the width */
    ncells = n - nres - (label != NULL);
    for (out = items, i = 0; i < ncells; i++)
        out = out->next;

    for (p = out, i = 0; i < nres; i++, p = p->next)
        if (!plain_value(p)) {
            /* Reported here, and the row left out: there is no output to
             * give the checker. */
            diag_add(ctx->dl, DIAG_ERROR, ctx->src, p->loc,
                     nres > 1 ? "a row gives its cells, then one value per result of the table, then a label"
                              : "conditions such as `-`, `>= 4` or `1..3` go in the cells before the output",
                     "a row's output must be a value");
            return NULL;
        }
    /* A row of the wrong width is the checker's to report (it knows the
     * columns' types too); here only the shape of an `else` row. */
    if (is_else && ncells > 0)
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, loc, "write `| else | output | \"label\"`",
                 "an `else` row has an output and an optional label, nothing more");

    if (ncells > 0) {
        for (p = items, i = 1; i < ncells; i++)
            p = p->next;
        p->next = NULL;
        row->a = items;
    }
    for (p = out, i = 1; i < nres; i++)
        p = p->next;
    p->next = NULL;
    row->b = out->a;
    if (nres > 1 || result_count(ctx->table) > 1)
        row->d = out;           /* every output, as cells linked through next */
    if (label)
        row->label = label->a;
    return row;
}

/* ---- the expression depth limit ----------------------------------- */

typedef struct depth_item { const ast_node *n; int depth; } depth_item;

static int is_expr(const ast_node *n)
{
    return n->kind >= AST_INT && n->kind <= AST_PAIR;
}

/* Reports the first expression in `decl` nested deeper than the limit.
 * Iterative, with a heap stack: the tree being checked may be deep
 * enough to overflow the C stack, which is the point of checking. */
static void check_depth(parse_ctx *ctx, const ast_node *decl)
{
    depth_item *stack = NULL, it;
    size_t n = 0, cap = 0;
    const ast_node *kids[4];
    int i;

    stack = malloc(64 * sizeof *stack);
    if (!stack)
        return;
    cap = 64;
    stack[n++] = (depth_item){decl, 0};
    while (n > 0) {
        it = stack[--n];
        if (it.n->next && it.n != decl)
            stack[n++] = (depth_item){it.n->next, it.depth};
        if (is_expr(it.n) && ++it.depth > ctx->max_nesting) {
            diag_add(ctx->dl, DIAG_ERROR, ctx->src, it.n->loc,
                     "split the expression up with `let` declarations",
                     "expression nested more than %d levels deep", ctx->max_nesting);
            break;
        }
        kids[0] = it.n->a, kids[1] = it.n->b, kids[2] = it.n->c, kids[3] = it.n->d;
        if (n + 5 > cap) {
            depth_item *grown = realloc(stack, cap * 2 * sizeof *stack);
            if (!grown)
                break;
            stack = grown;
            cap *= 2;
        }
        for (i = 3; i >= 0; i--)
            if (kids[i])
                stack[n++] = (depth_item){kids[i], it.depth};
    }
    free(stack);
}

/* ---- driver -------------------------------------------------------- */

/* Runs the parser; 0 when the scanner could not allocate its buffer
 * (flex reports that through YY_FATAL_ERROR, which lexer.l turns into a
 * longjmp here).  The text is copied here rather than by lang_scan_bytes,
 * which leaks its copy when it fails half-way; a buffer state flex made
 * but could not push is not freed by langlex_destroy, so it is freed here. */
static int run(parse_ctx *ctx, yyscan_t scanner)
{
    jmp_buf fatal;
    struct yy_buffer_state *volatile b = NULL;
    size_t len = ctx->src->len;
    char *text = malloc(len + 2);     /* flex wants two NULs at the end */

    if (!text)
        return 0;
    memcpy(text, ctx->src->text, len);
    text[len] = text[len + 1] = '\0';
    ctx->fatal = &fatal;
    ctx->scan_state = NULL;
    if (setjmp(fatal)) {
        if (!b && ctx->scan_state)
            lang_delete_buffer(ctx->scan_state, scanner);
        free(text);
        return 0;
    }
    b = lang_scan_buffer(text, len + 2, scanner);
    langparse(scanner, ctx);
    lang_delete_buffer(b, scanner);
    free(text);
    return 1;
}

ast_node *parse_source(const source *src, arena *pool, diag_list *dl)
{
    src_loc whole = {0, (uint32_t)(src->len < PARSE_MAX_SOURCE ? src->len : 0)};
    parse_ctx ctx = {0};
    yyscan_t scanner;
    const ast_node *d;
    int ok;

    ctx.src = src;
    ctx.pool = pool;
    ctx.dl = dl;
    ctx.max_nesting = PARSE_MAX_NESTING;
    ctx.bad_diag = SIZE_MAX;

    if (src->len > PARSE_MAX_SOURCE) {
        diag_add(dl, DIAG_ERROR, src, (src_loc){0, 0}, "split the policy into several files",
                 "file is too large: %zu bytes, the limit is %u", src->len, PARSE_MAX_SOURCE);
        return ast_new(pool, AST_FILE, whole);
    }
    if (langlex_init_extra(&ctx, &scanner) != 0) {
        diag_add(dl, DIAG_ERROR, src, (src_loc){0, 0}, NULL, "out of memory while parsing");
        return NULL;
    }
    ok = run(&ctx, scanner);
    langlex_destroy(scanner);
    if (!ok || pool->failed) {
        diag_add(dl, DIAG_ERROR, src, (src_loc){0, 0}, NULL, "out of memory while parsing");
        return NULL;
    }
    if (!ctx.root)  /* the parser gave up: its stack overflowed */
        return ast_new(pool, AST_FILE, whole);
    for (d = ctx.root->a; d; d = d->next)
        check_depth(&ctx, d);
    return ctx.root;
}

/* `expect reason OUT contains "text"` / `expect label OUT = "text"`: an
 * EXPECT with op 2 (ast.h).  `reason` and `label` both name the output's
 * label as rendered for the test's household; `contains` asks for a part
 * of it, `=` (rel.s NULL) for all of it. */
ast_node *parse_expect_text(parse_ctx *ctx, src_loc loc, parse_str what, src_loc what_loc, parse_str out,
                            parse_str rel, src_loc rel_loc, ast_node *text)
{
    ast_node *e = ast_text(ctx->pool, AST_EXPECT, loc, out.s, out.n);
    e->op = 2;
    e->a = text;
    e->b = ast_text(ctx->pool, AST_NAME, what_loc, what.s, what.n);
    if (rel.s)
        e->c = ast_text(ctx->pool, AST_NAME, rel_loc, rel.s, rel.n);
    if (!(what.n == 6 && memcmp(what.s, "reason", 6) == 0) && !(what.n == 5 && memcmp(what.s, "label", 5) == 0))
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, what_loc,
                 "write `expect reason OUTPUT contains \"…\"` or `expect label OUTPUT = \"…\"`",
                 "`expect %.*s`: a test expects an output's value, `error`, `reason` or `label`",
                 (int)what.n, what.s);
    else if (rel.s && !(rel.n == 8 && memcmp(rel.s, "contains", 8) == 0))
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, rel_loc, "compare with `contains` or `=`",
                 "`%.*s` is not a comparison of labels", (int)rel.n, rel.s);
    return e;
}

/* Whether the word w is the plain keyword kw; reports it when not. */
static int word_is(parse_ctx *ctx, parse_str w, src_loc at, const char *kw, const char *hint)
{
    size_t n = strlen(kw);
    if (w.n == n && memcmp(w.s, kw, n) == 0) return 1;
    diag_add(ctx->dl, DIAG_ERROR, ctx->src, at, hint, "expected `%s` here, not `%.*s`", kw, (int)w.n, w.s);
    return 0;
}

/* `refuse when COND: "reason"`: an AST_REFUSE (ast.h). */
ast_node *parse_refuse(parse_ctx *ctx, src_loc loc, parse_str when, src_loc when_loc, ast_node *cond,
                       ast_node *reason)
{
    ast_node *r = ast_new(ctx->pool, AST_REFUSE, loc);
    r->a = cond;
    r->label = reason;
    word_is(ctx, when, when_loc, "when", "write `refuse when CONDITION: \"reason\"`");
    return r;
}

/* `warn when COND: "text" [source …]`: an AST_REFUSE with op 1 (ast.h). */
ast_node *parse_warn(parse_ctx *ctx, src_loc loc, parse_str when, src_loc when_loc, ast_node *cond,
                     ast_node *text, ast_node *cite)
{
    ast_node *r = ast_new(ctx->pool, AST_REFUSE, loc);
    r->op = 1;
    r->a = cond;
    r->label = text;
    r->d = cite;
    word_is(ctx, when, when_loc, "when", "write `warn when CONDITION: \"text\"`");
    return r;
}

/* `expect refused "reason"` and `expect warning "text"`: an EXPECT with
 * op 3 or 4 (ast.h). */
ast_node *parse_expect_refused(parse_ctx *ctx, src_loc loc, parse_str what, src_loc what_loc,
                               ast_node *reason)
{
    ast_node *e = ast_new(ctx->pool, AST_EXPECT, loc);
    e->op = 3;
    e->a = reason;
    if (what.n == 7 && memcmp(what.s, "warning", 7) == 0) {
        e->op = 4;
        return e;
    }
    word_is(ctx, what, what_loc, "refused",
            "write `expect refused \"reason\"` for a refusal, `expect warning \"text\"` for a warning");
    return e;
}

/* Appends n and the node linked after it: a range output or a range
 * expectation is two nodes (parse_range_output, parse_expect_range). */
parse_list parse_list_add_chain(parse_list l, ast_node *n)
{
    if (n && n == l.tail) return l;     /* ast.c's one scratch node, out of memory: no loop */
    l = parse_list_add(l, n);
    if (n && n->next && n->next != n) l.tail = n->next;     /* at most two nodes */
    return l;
}

/* NAME.min / NAME.max as one arena string. */
static const char *range_end_name(parse_ctx *ctx, parse_str name, const char *end)
{
    size_t len = name.n + strlen(end) + 2;
    char *s = arena_alloc(ctx->pool, len);
    if (s) snprintf(s, len, "%.*s.%s", (int)name.n, name.s, end);
    return s;
}

/* `output award: money range = LO to HI`: two outputs, `award.min` (op
 * OUTPUT_RANGE_MIN) and `award.max` (OUTPUT_RANGE_MAX) right after it,
 * sharing the type and label, so that everything after the checker sees
 * two ordinary outputs.  json_out.c and explain.c show them as one. */
ast_node *parse_range_output(parse_ctx *ctx, src_loc loc, parse_str name, ast_node *type, parse_str word,
                             src_loc word_loc, ast_node *label, ast_node *lo, ast_node *hi)
{
    word_is(ctx, word, word_loc, "range", "write `output NAME: money range = LOW to HIGH`");
    ast_node *mn = ast_new(ctx->pool, AST_OUTPUT, loc), *mx = ast_new(ctx->pool, AST_OUTPUT, loc);
    mn->text = range_end_name(ctx, name, "min");
    mx->text = range_end_name(ctx, name, "max");
    mn->op = OUTPUT_RANGE_MIN;
    mx->op = OUTPUT_RANGE_MAX;
    mn->a = mx->a = type;
    mn->label = mx->label = label;
    mn->b = lo;
    mx->b = hi;
    mx->loc = hi ? hi->loc : loc;
    if (mn != mx) mn->next = mx;        /* the same scratch node when out of memory (ast.c) */
    return mn;
}

/* `expect award = LO to HI`: the expectations of `award.min` and
 * `award.max`. */
ast_node *parse_expect_range(parse_ctx *ctx, src_loc loc, parse_str name, ast_node *lo, ast_node *hi)
{
    ast_node *mn = ast_new(ctx->pool, AST_EXPECT, loc), *mx = ast_new(ctx->pool, AST_EXPECT, loc);
    mn->text = range_end_name(ctx, name, "min");
    mx->text = range_end_name(ctx, name, "max");
    mn->a = lo;
    mx->a = hi;
    mx->op2 = 1;                        /* the second end (compile.c reports a wrong name once) */
    if (mn != mx) mn->next = mx;
    return mn;
}
