/*
 * check_range.c - the checker's part of range outputs, results the law
 * leaves open (「给予社工考试通过人员1000元-2000元不等的奖补」):
 * `output award: money range = 1000.00 to 2000.00`.
 *
 * parse.c has already split a range into two ordinary outputs,
 * `award.min` and `award.max` (ast.h, OUTPUT_RANGE_MIN/MAX), so lower.c,
 * both evaluators and the flat program see nothing new.  What is left
 * for the checker: `award.min` in an expression parses as a member of a
 * name `award` and is rewritten here into the name of the hidden output;
 * `award` alone has no single value and is refused with a hint; a range
 * holds numbers only; and ends that are both literals must be in order
 * (at run time eval.c refuses a decision whose min is above its max).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "lang/check_int.h"
#include "eval/decimal.h"

/* The output `base.end` when it is one end of a range, else NULL. */
static sym *range_end(checked *ck, const char *base, const char *end)
{
    char name[256];
    if ((size_t)snprintf(name, sizeof name, "%s.%s", base, end) >= sizeof name) return NULL;
    sym *s = ck_sym_find(ck, name);
    return s && s->kind == SYM_OUTPUT && s->decl->kind == AST_OUTPUT && s->decl->op ? s : NULL;
}

/* A name the walk's loop variables or symbols give a meaning of its own
 * (`p.min` on a loop variable p is a field, not a range's end). */
static int taken(walk *w, const char *name)
{
    for (int i = 0; i < w->nvars; i++)
        if (strcmp(w->vars[i].name, name) == 0) return 1;
    return ck_sym_find(w->ck, name) != NULL;
}

int ck_range_member(walk *w, ast_node *n)
{
    if (n->a->kind != AST_NAME || taken(w, n->a->text)) return 0;
    sym *s = range_end(w->ck, n->a->text, n->text);
    if (!s) return 0;
    n->kind = AST_NAME;
    n->text = s->name;
    n->a = NULL;
    return 1;
}

int ck_range_whole(walk *w, ast_node *n)
{
    if (taken(w, n->text) || !range_end(w->ck, n->text, "min")) return 0;
    ck_err(w->ck, n, "`%s` is a range, not a value", n->text);
    diag_hint(w->ck->dl, "a range has no single value: use %s.min or %s.max", n->text, n->text);
    return 1;
}

/* The value of a number literal, possibly negated; 0 when e is not one. */
static int literal(const ast_node *e, int64_t *v)
{
    int neg = 0;
    if (e && e->kind == AST_UNARY && e->op == OP_NEG) { neg = 1; e = e->a; }
    if (!e || (e->kind != AST_INT && e->kind != AST_DEC) || !e->text) return 0;
    if (dec_parse(e->text, strlen(e->text), v) != DEC_OK) return 0;
    if (neg) *v = -*v;
    return 1;
}

/* s is the min end of a range; the max is the declaration after it. */
static void check_one(checked *ck, sym *s)
{
    ast_node *mn = s->decl, *mx = mn->next;
    const char *dot = strrchr(s->name, '.');
    int len = dot ? (int)(dot - s->name) : (int)strlen(s->name);
    char base[256];
    snprintf(base, sizeof base, "%.*s", len, s->name);
    sym *other = ck_sym_find(ck, base);
    if (other) {            /* `let award` beside `output award: … range`: award.min would be a field */
        uint32_t line, col;
        source_linecol(ck->src, mn->loc.start, &line, &col);
        ck_err(ck, other->decl, "`%s` is already defined on line %u, as a range", base, line);
    }
    int k = s->type->kind;
    if (k != TY_INT && k != TY_DECIMAL && k != TY_MONEY && k != TY_ERROR) {
        char x[64];
        ck_err(ck, mn->a, "a range is of int, decimal or money, not %s", ty_str(s->type, x, sizeof x));
        return;
    }
    int64_t lo, hi;
    if (mx && literal(mn->b, &lo) && literal(mx->b, &hi) && lo > hi) {
        ck_err(ck, mx->b, "the range `%.*s` ends below where it starts", len, s->name);
        diag_hint(ck->dl, "write the smaller end first: `LOW to HIGH`");
    }
}

void ck_check_ranges(checked *ck)
{
    for (uint32_t i = 0; i < ck->nsyms; i++) {
        sym *s = &ck->syms[i];
        if (s->kind == SYM_OUTPUT && s->decl->kind == AST_OUTPUT && s->decl->op == OUTPUT_RANGE_MIN)
            check_one(ck, s);
    }
}
