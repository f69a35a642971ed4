/*
 * lower.c - typed AST to evaluation tree (see lower.h).
 *
 * Each lower_* function appends nodes and returns the index of the node
 * that computes its expression.  Numeric kinds are chosen here from the
 * types the checker recorded (check_expr.c): an int operand of a decimal
 * operation is wrapped in INT_TO_DEC, and money literals become
 * millionths.  Last, the finished tree is flattened into its program
 * (ev_prog_build, vm_build.c).
 *
 * What it does not do: report type errors (the checker did), or evaluate
 * anything except constant subtrees.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "lang/lower.h"
#include "base/always.h"
#include "eval/decimal.h"
#include "eval/date.h"
#include "eval/eval.h"
#include "eval/vm.h"

typedef struct lw {
    checked *ck;
    arena *pool;
    ev_node *nodes;
    uint32_t nnodes, capnodes;
    int32_t *args;
    uint32_t nargs, capargs;
    uint32_t nslots;
    sym *table;          /* table whose rows are lowered */
    int32_t table_slot;
    int failed;
    /* compile time only: which nodes and slots hold whole fen (money with
     * at most two decimals), so ev_run checks only outputs that may not */
    uint8_t *fen;
    uint32_t capfen;
    uint8_t *slot_fen;      /* for the first nfixed slots: parameters, lets, outputs */
    uint32_t nfixed;
    ev_note *notes;         /* per node: what an explanation says of it */
    ev_node sink_node;      /* node 0 after a failed first allocation (emit_failed) */
    uint8_t sink_fen;
    ev_note sink_note;
} lw;

static int node_fen(lw *l, int32_t i);

/* The type a node's value is shown in: the expression's, except where
 * lowering changed it (an int made a decimal, an int rounding done on
 * decimals before DEC_TO_INT; a number literal). */
static const ty *note_type(ev_kind k, const ast_node *at)
{
    int int_round = (k == EV_ROUND || k == EV_DIV_ROUND) && at && at->ty && at->ty->kind == TY_INT;
    if (k == EV_INT_TO_DEC || int_round || (at && at->ty && at->ty->kind == TY_NUMBER))
        return ty_scalar(TY_DECIMAL);
    return at ? at->ty : NULL;
}

/* What an explanation calls node i: a label, else a name. */
static int32_t note(lw *l, int32_t i, const char *label, const char *name)
{
    l->notes[i].text = label ? label : name;
    return i;
}

/* When an allocation fails, emit returns node 0, which its callers read
 * and write before they see l->failed; the sinks stand in for node 0
 * while no block exists yet (the compile fails either way). */
static int32_t emit_failed(lw *l)
{
    l->failed = 1;
    if (!l->nodes) l->nodes = &l->sink_node;
    if (!l->fen) l->fen = &l->sink_fen;
    if (!l->notes) l->notes = &l->sink_note;
    return 0;
}

static int32_t emit(lw *l, ev_kind k, int32_t a, int32_t b, int32_t c, int64_t imm, const ast_node *at)
{
    if (l->nnodes == l->capnodes) {
        uint32_t cap = l->capnodes ? l->capnodes * 2 : 256;
        ev_node *n = arena_alloc(l->pool, sizeof(ev_node) * cap);
        if (!n) return emit_failed(l);
        if (l->nnodes) memcpy(n, l->nodes, sizeof(ev_node) * l->nnodes);
        l->nodes = n;
        l->capnodes = cap;
    }
    ev_node *n = &l->nodes[l->nnodes];
    n->kind = (uint16_t)k;
    n->flags = 0;
    n->a = a;
    n->b = b;
    n->c = c;
    n->imm = imm;
    n->loc = at ? at->loc.start : 0;
    int32_t i = (int32_t)l->nnodes++;
    if (l->nnodes > l->capfen) {
        uint32_t cap = l->capnodes;
        uint8_t *f = arena_alloc(l->pool, cap);
        ev_note *nt = arena_alloc(l->pool, sizeof(ev_note) * cap);
        if (!f || !nt) return emit_failed(l);
        if (l->capfen) memcpy(f, l->fen, l->capfen);
        if (l->capfen) memcpy(nt, l->notes, sizeof(ev_note) * l->capfen);
        l->fen = f;
        l->notes = nt;
        l->capfen = cap;
    }
    l->fen[i] = (uint8_t)node_fen(l, i);
    l->notes[i].text = NULL;
    l->notes[i].type = note_type(k, at);
    return i;
}

/* Whether node i (children already emitted) always yields whole fen. */
static int node_fen(lw *l, int32_t i)
{
    const ev_node *n = &l->nodes[i];
    switch (n->kind) {
    case EV_CONST: return n->imm % 10000 == 0;
    case EV_INT_TO_DEC: return 1;
    case EV_ADD_DEC: case EV_SUB_DEC: case EV_MIN2: case EV_MAX2: return l->fen[n->a] && l->fen[n->b];
    case EV_MUL_DEC_INT: case EV_NEG: return l->fen[n->a];
    case EV_SUM_DEC: case EV_MIN: case EV_MAX: return l->fen[n->b];
    case EV_ROUND: case EV_DIV_ROUND: return n->imm % 10000 == 0;
    case EV_IF: case EV_RULE: return l->fen[n->b] && l->fen[n->c];
    case EV_SLOT: return l->slot_fen && (uint32_t)n->a < l->nfixed ? l->slot_fen[n->a] : 0;
    default: return 0;
    }
}

static int32_t emit_args(lw *l, const int32_t *v, uint32_t n)
{
    if (l->nargs + n > l->capargs) {
        uint32_t cap = l->capargs ? l->capargs * 2 : 64;
        while (cap < l->nargs + n) cap *= 2;
        int32_t *a = arena_alloc(l->pool, sizeof(int32_t) * cap);
        if (!a) { l->failed = 1; return 0; }
        if (l->nargs) memcpy(a, l->args, sizeof(int32_t) * l->nargs);
        l->args = a;
        l->capargs = cap;
    }
    int32_t at = (int32_t)l->nargs;
    memcpy(l->args + l->nargs, v, sizeof(int32_t) * n);
    l->nargs += n;
    return at;
}

static int is_const(lw *l, int32_t i) { return l->nodes[i].kind == EV_CONST; }

/* Replaces node i by a CONST when its operands are constants: the value
 * is computed by the evaluator itself, so folding cannot disagree with
 * evaluation.  Errors (overflow, division by zero) leave the node as it
 * is, to fail at run time with its location. */
static int32_t fold(lw *l, int32_t i)
{
    ev_node *n = &l->nodes[i];
    switch (n->kind) {
    case EV_ADD_INT: case EV_SUB_INT: case EV_MUL_INT: case EV_ADD_DEC: case EV_SUB_DEC:
    case EV_MUL_DEC: case EV_MUL_DEC_INT: case EV_DIV_DEC: case EV_DIV_DEC_INT:
    case EV_LT: case EV_LE: case EV_GT: case EV_GE: case EV_EQ: case EV_NE:
    case EV_AND: case EV_OR: case EV_MIN2: case EV_MAX2: case EV_DIV_ROUND:
    case EV_DATE_ADD_DAYS: case EV_DATE_ADD_MONTHS: case EV_DATE_ADD_YEARS:
    case EV_MONTHS_BETWEEN: case EV_YEARS_BETWEEN:
        if (!is_const(l, n->a) || !is_const(l, n->b)) return i;
        break;
    case EV_NEG: case EV_NOT: case EV_INT_TO_DEC: case EV_DEC_TO_INT: case EV_ROUND:
        if (!is_const(l, n->a)) return i;
        break;
    default:
        return i;
    }
    ev_tree t;
    memset(&t, 0, sizeof t);
    t.nodes = l->nodes;
    t.nnodes = l->nnodes;
    ev_ctx c;
    ev_ctx_init(&c, &t, NULL, NULL);
    int64_t v = ev_scalar(&c, i);
    if (c.err.code != EVE_NONE)
        return i;
    n->kind = EV_CONST;
    n->imm = v;
    n->a = n->b = n->c = -1;
    return i;
}

static int32_t lower_expr(lw *l, ast_node *n);
static int32_t lower_list(lw *l, ast_node *n);

static int dec_like(const ty *t) { return ty_is_decimal_like(t); }

/* Lowers n and converts an int to a decimal when `as_dec`. */
static int32_t lower_as(lw *l, ast_node *n, int as_dec)
{
    int32_t i = lower_expr(l, n);
    if (as_dec && n->ty->kind == TY_INT)
        return fold(l, emit(l, EV_INT_TO_DEC, i, -1, -1, 0, n));
    return i;
}

static int32_t literal(lw *l, ast_node *n)
{
    int64_t v = 0;
    const ty *t = n->ty;
    if (t->kind == TY_NUMBER) t = ty_scalar(TY_DECIMAL);
    if (check_literal_value(l->ck, n, t, &v)) l->failed = 1;
    return emit(l, EV_CONST, -1, -1, -1, v, n);
}

static int32_t lower_name(lw *l, ast_node *n)
{
    if (n->slot <= -2) {                         /* loop variable */
        ast_node *agg = n->decl;
        return note(l, emit(l, EV_SLOT, agg->slot, -1, -1, 0, n), NULL, n->text);
    }
    if (n->op2 > 0)                              /* table parameter */
        return note(l, emit(l, EV_SLOT, l->table_slot + n->op2 - 1, -1, -1, 0, n), NULL, n->text);
    if (n->op2 == -1)                            /* enum constant */
        return emit(l, EV_CONST, -1, -1, -1, n->slot, n);
    sym *s = n->decl;
    return note(l, emit(l, EV_SLOT, s->slot, -1, -1, 0, n),
                s->decl && s->decl->label ? s->decl->label->text : NULL, s->name);
}

/* The frame slot of the record an expression names (root or loop var). */
static int32_t record_slot(lw *l, ast_node *n)
{
    if (n->kind == AST_NAME && n->slot <= -2)
        return ((ast_node *)n->decl)->slot;
    if (n->kind == AST_NAME && n->decl)
        return ((sym *)n->decl)->slot;
    l->failed = 1;
    diag_error(l->ck->dl, l->ck->src, n->loc, "fields can only be read from the input or a loop variable");
    return 0;
}

static int32_t lower_member(lw *l, ast_node *n)
{
    int32_t rs = record_slot(l, n->a);
    ev_kind k = n->ty->kind == TY_LIST ? EV_LIST_FIELD : n->ty->kind == TY_TEXT ? EV_TEXT_FIELD : EV_FIELD;
    int32_t i = emit(l, k, rs, n->slot, -1, 0, n);
    l->fen[i] = n->ty->kind == TY_MONEY;     /* input money is validated to the fen */
    const ty *rt = n->a->ty;
    if (rt && rt->kind == TY_ENTITY)
        note(l, i, rt->ent->fields[n->slot].label, rt->ent->fields[n->slot].name);
    return i;
}

static int32_t lower_arith(lw *l, ast_node *n)
{
    const ty *t = n->ty;
    if (t->kind == TY_DATE) {
        ast_node *dur = n->b;
        int32_t d = lower_expr(l, n->a);
        int32_t cnt = lower_expr(l, dur->a);
        if (n->op == OP_SUB) cnt = fold(l, emit(l, EV_NEG, cnt, -1, -1, 0, dur));
        ev_kind k = dur->op == UNIT_DAYS ? EV_DATE_ADD_DAYS : dur->op == UNIT_MONTHS ? EV_DATE_ADD_MONTHS
                                                                                   : EV_DATE_ADD_YEARS;
        return fold(l, emit(l, k, d, cnt, -1, 0, n));
    }
    if (t->kind == TY_INT) {
        static const ev_kind k[] = {EV_ADD_INT, EV_SUB_INT, EV_MUL_INT};
        int32_t a = lower_expr(l, n->a), b = lower_expr(l, n->b);
        return fold(l, emit(l, k[n->op], a, b, -1, 0, n));
    }
    if (n->op == OP_MUL && (n->a->ty->kind == TY_INT || n->b->ty->kind == TY_INT)) {
        ast_node *d = n->a->ty->kind == TY_INT ? n->b : n->a;
        ast_node *i = d == n->a ? n->b : n->a;
        int32_t a = lower_as(l, d, 1), b = lower_expr(l, i);
        return fold(l, emit(l, EV_MUL_DEC_INT, a, b, -1, 0, n));
    }
    if (n->op == OP_DIV && n->b->ty->kind == TY_INT) {
        int32_t a = lower_as(l, n->a, 1), b = lower_expr(l, n->b);
        return fold(l, emit(l, EV_DIV_DEC_INT, a, b, -1, 0, n));
    }
    static const ev_kind k[] = {EV_ADD_DEC, EV_SUB_DEC, EV_MUL_DEC, EV_DIV_DEC};
    int32_t a = lower_as(l, n->a, 1), b = lower_as(l, n->b, 1);
    return fold(l, emit(l, k[n->op], a, b, -1, 0, n));
}

static int32_t lower_compare(lw *l, ast_node *n)
{
    if (n->a->ty->kind == TY_TEXT || n->b->ty->kind == TY_TEXT) {
        int32_t a = lower_list(l, n->a), b = lower_list(l, n->b);
        int32_t eq = emit(l, EV_TEXT_EQ, a, b, -1, 0, n);
        return n->op == OP_NE ? emit(l, EV_NOT, eq, -1, -1, 0, n) : eq;
    }
    int as_dec = dec_like(n->a->ty) || dec_like(n->b->ty);
    int32_t a = lower_as(l, n->a, as_dec), b = lower_as(l, n->b, as_dec);
    static const ev_kind k[] = {[OP_LT] = EV_LT, [OP_LE] = EV_LE, [OP_GT] = EV_GT,
                                [OP_GE] = EV_GE, [OP_EQ] = EV_EQ, [OP_NE] = EV_NE};
    return fold(l, emit(l, k[n->op], a, b, -1, 0, n));
}

static int32_t lower_round(lw *l, ast_node *n)
{
    ast_node *x = n->a, *q = x->next, *m = q ? q->next : NULL;
    int64_t quantum = 10000;                     /* 0.01 */
    if (q && check_literal_value(l->ck, q, ty_scalar(TY_DECIMAL), &quantum)) l->failed = 1;
    int mode = m ? dec_round_mode_from_name(m->text) : ROUND_HALF_UP;
    int32_t r;
    if (x->kind == AST_BINARY && x->op == OP_DIV && x->ty->kind != TY_INT) {
        int32_t a = lower_as(l, x->a, 1), b = lower_as(l, x->b, 1);
        r = emit(l, EV_DIV_ROUND, a, b, -1, quantum, n);
    } else {
        r = emit(l, EV_ROUND, lower_as(l, x, 1), -1, -1, quantum, n);
    }
    l->nodes[r].flags = (uint16_t)mode;
    r = fold(l, r);
    if (n->ty->kind == TY_INT)
        r = fold(l, emit(l, EV_DEC_TO_INT, r, -1, -1, 0, n));
    return r;
}

static int32_t lower_call(lw *l, ast_node *n)
{
    const char *f = n->text;
    if (strcmp(f, "round") == 0)
        return lower_round(l, n);
    if (strcmp(f, "per_month") == 0 || strcmp(f, "per_year") == 0) {
        int32_t x = lower_expr(l, n->a);
        int32_t twelve = emit(l, EV_CONST, -1, -1, -1, 12, n);
        l->notes[twelve].type = ty_scalar(TY_INT);
        return fold(l, emit(l, f[4] == 'm' ? EV_DIV_DEC_INT : EV_MUL_DEC_INT, x, twelve, -1, 0, n));
    }
    if (strcmp(f, "once") == 0)                  /* a change of type only */
        return lower_expr(l, n->a);
    if (strcmp(f, "value_or") == 0) {            /* the table node, its default in c */
        int32_t i = lower_call(l, n->a);
        int32_t d = lower_as(l, n->a->next, dec_like(n->ty));
        if (i >= 0 && l->nodes[i].kind == EV_TABLE) l->nodes[i].c = d;
        return i;
    }
    if (strcmp(f, "min") == 0 || strcmp(f, "max") == 0) {
        int as_dec = dec_like(n->ty);
        int32_t a = lower_as(l, n->a, as_dec), b = lower_as(l, n->a->next, as_dec);
        return fold(l, emit(l, f[1] == 'i' ? EV_MIN2 : EV_MAX2, a, b, -1, 0, n));
    }
    if (strcmp(f, "age_on") == 0 || strcmp(f, "years_between") == 0 || strcmp(f, "months_between") == 0) {
        int32_t a = lower_expr(l, n->a), b = lower_expr(l, n->a->next);
        int32_t i = emit(l, f[0] == 'm' ? EV_MONTHS_BETWEEN : EV_YEARS_BETWEEN, a, b, -1, 0, n);
        if (f[0] == 'a') l->nodes[i].flags = 1;    /* age_on: no age before birth */
        return fold(l, i);
    }
    sym *s = n->decl;                            /* a decision table */
    int32_t v[32];
    uint32_t k = 0;
    for (ast_node *a = n->a; a && k < 32; a = a->next, k++)
        v[k] = lower_as(l, a, dec_like(s->col_types[k]));
    int32_t at = emit_args(l, v, k);
    return emit(l, EV_TABLE, at, (int32_t)k, -1, s->index, n);
}

static int32_t new_slot(lw *l) { return (int32_t)l->nslots++; }

/* lower_agg's node, with the loop variable bound by value unless the
 * list holds records. */
static int32_t emit_loop(lw *l, ast_node *n, ev_kind k, int32_t list, int32_t b, int32_t filter)
{
    int32_t i = note(l, emit(l, k, list, b, filter, n->slot, n), NULL, n->text);
    const ty *elem = n->b->ty->elem;
    if (elem && elem->kind != TY_ENTITY)
        l->nodes[i].flags = EV_LOOP_BY_VALUE;
    return i;
}

static int32_t lower_agg(lw *l, ast_node *n)
{
    n->slot = new_slot(l);
    int32_t list = lower_list(l, n->b);
    int32_t filter = n->c ? lower_expr(l, n->c) : -1;
    ev_kind k;
    int32_t val = -1;
    switch ((ast_agg)n->op) {
    case AGG_COUNT:
        if (!n->c) return emit(l, EV_LIST_LEN, list, -1, -1, 0, n);
        k = EV_COUNT;
        break;
    case AGG_SUM:
        k = n->ty->kind == TY_INT ? EV_SUM_INT : EV_SUM_DEC;
        if (!n->c && n->a->kind == AST_MEMBER && n->a->a->kind == AST_NAME && n->a->a->decl == n &&
            n->a->ty->kind != TY_LIST) {
            /* sum(m.f for m in list): one loop over the records */
            const field_def *f = &n->a->a->ty->ent->fields[n->a->slot];
            int32_t i = note(l, emit(l, EV_SUM_FIELD, list, n->a->slot, -1, 0, n), f->label, f->name);
            l->fen[i] = n->a->ty->kind == TY_MONEY || n->a->ty->kind == TY_INT;
            return i;
        }
        val = lower_as(l, n->a, k == EV_SUM_DEC);
        break;
    case AGG_MIN: case AGG_MAX:
        k = n->op == AGG_MIN ? EV_MIN : EV_MAX;
        val = lower_as(l, n->a, dec_like(n->ty));
        break;
    case AGG_ANY: k = EV_ANY; val = lower_expr(l, n->a); break;
    case AGG_ALL: k = EV_ALL; val = lower_expr(l, n->a); break;
    default: {
        int32_t kv[2];
        kv[0] = lower_list(l, n->d);
        kv[1] = lower_as(l, n->a, dec_like(n->ty->elem));
        int32_t at = emit_args(l, kv, 2);
        return emit_loop(l, n, EV_MAP, list, at, filter);
    }
    }
    return emit_loop(l, n, k, list, val, filter);
}

static int32_t lower_expr(lw *l, ast_node *n)
{
    switch (n->kind) {
    case AST_INT: case AST_DEC: case AST_DATE: case AST_BOOL: return literal(l, n);
    case AST_AS_OF: return emit(l, EV_AS_OF, -1, -1, -1, 0, n);
    case AST_NAME: return lower_name(l, n);
    case AST_MEMBER: return lower_member(l, n);
    case AST_UNARY:
        if (n->op == OP_NOT) return fold(l, emit(l, EV_NOT, lower_expr(l, n->a), -1, -1, 0, n));
        if (n->a->kind == AST_INT || n->a->kind == AST_DEC) return literal(l, n);
        return fold(l, emit(l, EV_NEG, lower_as(l, n->a, dec_like(n->ty)), -1, -1, 0, n));
    case AST_BINARY:
        switch ((ast_binop)n->op) {
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: return lower_arith(l, n);
        case OP_AND: case OP_OR: {
            int32_t a = lower_expr(l, n->a), b = lower_expr(l, n->b);
            return fold(l, emit(l, n->op == OP_AND ? EV_AND : EV_OR, a, b, -1, 0, n));
        }
        default: return lower_compare(l, n);
        }
    case AST_IF: {
        int as_dec = dec_like(n->ty);
        int32_t c = lower_expr(l, n->a), a = lower_as(l, n->b, as_dec), b = lower_as(l, n->c, as_dec);
        if (is_const(l, c)) return l->nodes[c].imm ? a : b;
        return emit(l, EV_IF, c, a, b, 0, n);
    }
    case AST_CALL: return lower_call(l, n);
    case AST_AGG: return lower_agg(l, n);
    case AST_AT: {
        sym *s = n->a->decl;
        return emit(l, EV_PARAM_AT, lower_expr(l, n->b), -1, -1, s->index, n);
    }
    default:
        /* Only texts and lists reach here; anything else lower_list would
         * hand back to this function, forever. */
        if (NEVER(n->kind != AST_STRING && n->kind != AST_LIST)) {
            l->failed = 1;
            return 0;
        }
        return lower_list(l, n);
    }
}


/* Non-scalar values: lists, texts, maps. */
static int32_t lower_list(lw *l, ast_node *n)
{
    switch (n->kind) {
    case AST_STRING: {
        int32_t i = emit(l, EV_CONST, -1, (int32_t)strlen(n->text), -1, (int64_t)(intptr_t)n->text, n);
        return i;
    }
    case AST_MEMBER: return lower_member(l, n);
    case AST_NAME: {
        if (n->slot <= -2) return note(l, emit(l, EV_LIST_SLOT, ((ast_node *)n->decl)->slot, -1, -1, 0, n), NULL, n->text);
        sym *s = n->decl;
        return note(l, emit(l, EV_LIST_SLOT, s->slot, -1, -1, 0, n),
                    s->decl && s->decl->label ? s->decl->label->text : NULL, s->name);
    }
    case AST_LIST: {
        int32_t v[256] = {0};   /* GCC with sanitizers cannot see k bounds the reads */
        uint32_t k = 0;
        int as_dec = dec_like(n->ty->elem);
        int texts = n->ty->elem && n->ty->elem->kind == TY_TEXT;
        for (ast_node *i = n->a; i && k < 256; i = i->next)
            v[k++] = texts ? lower_list(l, i) : lower_as(l, i, as_dec);
        int32_t at = emit_args(l, v, k);
        int32_t i = emit(l, EV_LIST_LIT, at, (int32_t)k, -1, 0, n);
        if (texts) l->nodes[i].flags = EV_LIST_OF_TEXTS;
        return i;
    }
    case AST_AGG: return lower_agg(l, n);
    case AST_CALL: return lower_call(l, n);
    case AST_IF: {
        int32_t c = lower_expr(l, n->a), a = lower_list(l, n->b), b = lower_list(l, n->c);
        if (is_const(l, c)) return l->nodes[c].imm ? a : b;
        return emit(l, EV_IF, c, a, b, 0, n);
    }
    default:
        return lower_expr(l, n);
    }
}

static int32_t lower_value(lw *l, ast_node *e, const ty *t)
{
    return ty_is_scalar(t) ? lower_as(l, e, dec_like(t)) : lower_list(l, e);
}

/* ---- declarations ----------------------------------------------------- */

static const ev_hole *lower_holes(lw *l, const char *label, uint32_t *count)
{
    uint32_t n = 0;
    ev_hole tmp[16];
    for (const char *p = label ? strchr(label, '{') : NULL; p && n < 16; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e) break;
        for (uint32_t i = 0; i < l->ck->nsyms; i++) {
            sym *s = &l->ck->syms[i];
            if ((s->kind == SYM_PARAM || s->kind == SYM_LET || s->kind == SYM_OUTPUT) &&
                strlen(s->name) == (size_t)(e - p - 1) && strncmp(s->name, p + 1, (size_t)(e - p - 1)) == 0) {
                tmp[n].start = (uint32_t)(p - label);
                tmp[n].end = (uint32_t)(e - label + 1);
                tmp[n].slot = (uint32_t)s->slot;
                tmp[n].type = s->type;
                n++;
                break;
            }
        }
    }
    ev_hole *h = n ? arena_alloc(l->pool, sizeof(ev_hole) * n) : NULL;
    if (n && !h) { l->failed = 1; return NULL; }
    if (n) memcpy(h, tmp, sizeof(ev_hole) * n);
    *count = n;
    return h;
}

static uint32_t line_of(lw *l, const ast_node *n)
{
    uint32_t line, col;
    source_linecol(l->ck->src, n->loc.start, &line, &col);
    return line;
}

/* A value's or a row's citation (AST_SOURCE or NULL) for the
 * explanation.  A one-string citation is cite.c's to reject. */
static ev_cite lower_cite(const ast_node *c)
{
    ev_cite e = {NULL, NULL, NULL};
    if (!c) return e;
    if (c->op == 1) { e.assumption = c->label->text; return e; }
    e.doc = c->a->text;
    e.quote = c->b ? c->b->text : NULL;
    return e;
}

static void lower_params(lw *l, ev_tree *t)
{
    checked *ck = l->ck;
    uint32_t np = 0;
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_PARAM) np++;
    ev_param *ps = arena_alloc(l->pool, sizeof(ev_param) * (np + 1));
    if (!ps) { l->failed = 1; return; }
    for (uint32_t i = 0; i < ck->nsyms; i++) {
        sym *s = &ck->syms[i];
        if (s->kind != SYM_PARAM) continue;
        ev_param *p = &ps[s->index];
        uint32_t nv = (uint32_t)ast_list_len(s->decl->b);
        int64_t *from = arena_alloc(l->pool, sizeof(int64_t) * (nv + 1));
        int64_t *until = arena_alloc(l->pool, sizeof(int64_t) * (nv + 1));
        ev_cell *val = arena_alloc(l->pool, sizeof(ev_cell) * (nv + 1));
        const char **src = arena_alloc(l->pool, sizeof(char *) * (nv + 1));
        ev_cite *cite = arena_alloc(l->pool, sizeof(ev_cite) * (nv + 1));
        if (!from || !until || !val || !src || !cite) { l->failed = 1; return; }
        uint32_t k = 0;
        for (ast_node *v = s->decl->b; v; v = v->next, k++) {
            check_literal_value(ck, v->a, ty_scalar(TY_DATE), &from[k]);
            until[k] = INT64_MAX;
            if (v->b) check_literal_value(ck, v->b, ty_scalar(TY_DATE), &until[k]);
            check_literal_value(ck, v->c, s->type, &val[k].i);
            cite[k] = lower_cite(v->d);
            /* the one-text form its readers print */
            src[k] = cite[k].quote ? arena_printf(l->pool, "%s: %s", cite[k].doc, cite[k].quote) : cite[k].doc;
            if (cite[k].quote && !src[k]) l->failed = 1;
        }
        int fen = 1;
        for (uint32_t j = 0; j < nv; j++)
            if (s->type->kind == TY_INT ? 0 : val[j].i % 10000 != 0) fen = 0;
        l->slot_fen[s->slot] = (uint8_t)fen;
        p->name = s->name;
        p->label = s->decl->label ? s->decl->label->text : NULL;
        p->type = s->type;
        p->slot = (uint32_t)s->slot;
        p->nvalues = nv;
        p->from = from;
        p->until = until;
        p->value = val;
        p->source = src;
        p->cite = cite;
        p->series = !s->read_now;
    }
    t->params = ps;
    t->nparams = np;
}

/* A text output of a table (a string literal, check.c makes sure) as a
 * constant index into the table's distinct texts, adding it there when
 * it is new: so rows with equal texts give equal indices. */
static int32_t text_index(lw *l, const ast_node *n, ev_cell *text, uint32_t *ntext)
{
    size_t len = strlen(n->text);
    uint32_t k = 0;
    while (k < *ntext && !(text[k].s.len == len && memcmp(text[k].s.ptr, n->text, len) == 0))
        k++;
    if (k == *ntext) {
        text[k].s.ptr = n->text;
        text[k].s.len = (uint32_t)len;
        (*ntext)++;
    }
    return emit(l, EV_CONST, -1, -1, -1, k, n);
}

/* A result column of a table of several results (check_tables.c ck_declare_columns). */
static void lower_result_column(ev_table *et, const sym *s)
{
    if (!s->base) return;
    et->base = s->base;
    et->result_col = s->result_col;
    et->nresults = s->nresults;
    et->result_label = s->result_label ? s->result_label : s->name + strlen(s->base) + 1;
}

/* A table's conditions and column-0 index from the checker's rows. */
static int lower_conds(lw *l, ev_table *et, const tab_rows *rows)
{
    ev_cond *cond = arena_alloc(l->pool, sizeof(ev_cond) * ((size_t)et->nrows * et->ncols + 1));
    tab_index ix;
    if (!cond || tab_index_build(rows, l->pool, &ix)) { l->failed = 1; return -1; }
    for (size_t k = 0; k < (size_t)et->nrows * et->ncols; k++) {
        cond[k].n = rows->cond[k].n;
        cond[k].iv = (const ev_interval *)rows->cond[k].iv;
    }
    et->cond = cond;
    et->ncells = ix.ncells;
    et->cell_lo = ix.cell_lo;
    et->row_start = ix.row_start;
    et->rows = ix.rows;
    return 0;
}

/* Cells that read parameters: a copy of the table per stretch of dates
 * (check_tables.c table_versions), chosen by ev_table_on. */
static void lower_versions(lw *l, ev_table *et, const sym *s)
{
    ev_table *v = arena_alloc(l->pool, sizeof(ev_table) * s->nversions);
    if (!v) { l->failed = 1; return; }
    for (uint32_t k = 0; k < s->nversions; k++) {
        v[k] = *et;
        if (lower_conds(l, &v[k], &s->version_rows[k])) return;
    }
    et->nversions = s->nversions;
    et->version_from = s->version_from;
    et->versions = v;
}

/* The range outputs (`output award: money range = …`): each min, which
 * parse.c put right before its max, by its position among the outputs,
 * for ev_run's check that no decision gives a min above its max. */
static void lower_ranges(lw *l, ev_tree *t, const ev_def *defs)
{
    uint32_t *r = arena_alloc(l->pool, sizeof(uint32_t) * (t->noutputs + 1));
    if (!r) { l->failed = 1; return; }
    t->nranges = 0;
    for (uint32_t i = 0; i + 1 < t->noutputs; i++)
        if (defs[t->outputs[i]].range_end == OUTPUT_RANGE_MIN && defs[t->outputs[i + 1]].range_end == OUTPUT_RANGE_MAX)
            r[t->nranges++] = i;
    t->ranges = r;
}

/* The parameters a table's cells read, as indices into the tree's
 * parameters: the explanation lists them among what a step used. */
static void lower_cell_params(lw *l, ev_table *et, const sym *s)
{
    uint32_t *p = s->ncell_params ? arena_alloc(l->pool, sizeof(uint32_t) * s->ncell_params) : NULL;
    if (s->ncell_params && !p) { l->failed = 1; return; }
    for (uint32_t k = 0; k < s->ncell_params; k++)
        p[k] = l->ck->syms[s->cell_params[k]].index;
    et->cell_params = p;
    et->ncell_params = s->ncell_params;
}

static void lower_tables(lw *l, ev_tree *t, uint32_t *ncov)
{
    checked *ck = l->ck;
    uint32_t nt = 0;
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_TABLE) nt++;
    ev_table *ts = arena_alloc(l->pool, sizeof(ev_table) * (nt + 1));
    if (!ts) { l->failed = 1; return; }
    for (uint32_t i = 0; i < ck->nsyms; i++) {
        sym *s = &ck->syms[i];
        if (s->kind != SYM_TABLE) continue;
        ev_table *et = &ts[s->index];
        ast_node *d = s->decl;
        et->name = s->name;
        et->label = d->label ? d->label->text : NULL;
        lower_result_column(et, s);
        et->hit = (uint8_t)d->op;
        et->collect = d->op == HIT_COLLECT ? (uint8_t)d->op2 : 0;
        if (d->op == HIT_RULE_ORDER || d->op == HIT_OUTPUT_ORDER) et->collect = COLLECT_LIST;
        et->ncols = s->ncols;
        et->nrows = s->rows.nrows;
        et->arg_slot = l->nslots;
        l->nslots += s->ncols;
        l->table = s;
        l->table_slot = (int32_t)et->arg_slot;
        et->result = s->type->kind == TY_LIST ? s->type->elem : s->type;
        et->col_type = (const ty *const *)s->col_types;
        int32_t *out = arena_alloc(l->pool, sizeof(int32_t) * (et->nrows + 1));
        const char **lab = arena_alloc(l->pool, sizeof(char *) * (et->nrows + 1));
        uint32_t *lines = arena_alloc(l->pool, sizeof(uint32_t) * (et->nrows + 1));
        ev_cite *cites = arena_alloc(l->pool, sizeof(ev_cite) * (et->nrows + 1));
        if (!out || !lab || !lines || !cites) { l->failed = 1; return; }
        const ty *elem = d->op == HIT_COLLECT && d->op2 == COLLECT_COUNT ? ty_scalar(TY_INT) : et->result;
        uint32_t r = 0;
        et->else_out = -1;
        uint32_t *rank = d->b && d->b->kind == AST_TYPE && d->b->b ? arena_alloc(l->pool, sizeof(uint32_t) * (et->nrows + 1)) : NULL;
        et->row_rank = rank;
        ev_cell *text = elem->kind == TY_TEXT ? arena_alloc(l->pool, sizeof(ev_cell) * (et->nrows + 2)) : NULL;
        uint32_t ntext = 0;
        if (elem->kind == TY_TEXT && !text) { l->failed = 1; return; }
        for (ast_node *row = d->c; row; row = row->next) {
            int32_t o = text ? text_index(l, row->b, text, &ntext) : lower_value(l, row->b, elem);
            if (row->op) {
                et->else_out = o;
                et->else_label = row->label ? row->label->text : NULL;
                et->else_cite = lower_cite(row->c);
                continue;
            }
            out[r] = o;
            if (rank) rank[r] = (uint32_t)row->slot;   /* check_tables.c check_order */
            lab[r] = row->label ? row->label->text : NULL;
            cites[r] = lower_cite(row->c);
            lines[r] = line_of(l, row);
            r++;
        }
        l->table = NULL;
        et->text = text;
        et->out = out;
        et->row_label = lab;
        et->row_line = lines;
        et->row_cite = cites;
        if (lower_conds(l, et, &s->rows)) return;
        et->first_cov = *ncov;
        *ncov += et->nrows + 1;
        lower_cell_params(l, et, s);
        if (s->nversions > 1) lower_versions(l, et, s);    /* copies carry the above */
    }
    t->tables = ts;
    t->ntables = nt;
}

static void lower_defs(lw *l, ev_tree *t, uint32_t *ncov)
{
    checked *ck = l->ck;
    ev_def *defs = arena_alloc(l->pool, sizeof(ev_def) * (ck->norder + 1));
    uint32_t nrules = 0;
    for (uint32_t k = 0; k < ck->norder; k++) {
        uint32_t nu = (uint32_t)ast_list_len(ck->syms[ck->order[k]].decl->c);
        if (nu) nrules += nu + 1;
    }
    ev_rule *rules = arena_alloc(l->pool, sizeof(ev_rule) * (nrules + 1));
    if (!defs || !rules) { l->failed = 1; return; }
    uint32_t rid = 0;
    for (uint32_t k = 0; k < ck->norder; k++) {
        sym *s = &ck->syms[ck->order[k]];
        ast_node *d = s->decl;
        ev_def *e = &defs[k];
        e->name = s->name;
        e->label = d->label ? d->label->text : NULL;
        e->type = s->type;
        e->slot = (uint32_t)s->slot;
        e->is_output = s->kind == SYM_OUTPUT;
        e->range_end = (uint8_t)(e->is_output ? d->op : 0);     /* ast.h OUTPUT_RANGE_* */
        e->line = line_of(l, d);
        e->holes = lower_holes(l, e->label, &e->nholes);
        if (d->label && d->label->a) {
            e->label_false = d->label->a->text;
            e->holes_false = lower_holes(l, e->label_false, &e->nholes_false);
        }
        e->is_scalar = (uint8_t)ty_is_scalar(s->type);
        int32_t base = lower_value(l, d->b, s->type);
        uint32_t nu = (uint32_t)ast_list_len(d->c);
        if (nu) {
            /* unless u1 .. uk: RULE(c1, v1, RULE(c2, v2, ... base)) */
            uint32_t first = rid;
            int32_t conds[256], vals[256];
            uint32_t i = 0;
            for (ast_node *u = d->c; u && i < 256; u = u->next, i++) {
                conds[i] = lower_expr(l, u->a);
                vals[i] = lower_value(l, u->b, s->type);
                rules[rid].label = u->label ? u->label->text : NULL;
                rules[rid].line = line_of(l, u);
                rules[rid].def = (int32_t)k;
                rid++;
            }
            rules[rid].label = e->label;
            rules[rid].line = e->line;
            rules[rid].def = (int32_t)k;
            rid++;
            int32_t chain = base;
            for (uint32_t j = i; j-- > 0;) {
                chain = emit(l, EV_RULE, conds[j], vals[j], chain, first + j, d);
                l->notes[chain].type = s->type;
                if (j == i - 1) l->nodes[chain].flags = 1;
            }
            base = chain;
        }
        e->root = base;
        int fen = e->is_scalar && l->fen[base];
        if (e->is_scalar && s->type->kind == TY_INT) fen = 1;
        l->slot_fen[e->slot] = (uint8_t)fen;
        e->check_fen = e->is_output && s->type->kind == TY_MONEY && !fen;
    }
    t->defs = defs;
    t->ndefs = ck->norder;
    uint32_t *outs = arena_alloc(l->pool, sizeof(uint32_t) * (ck->norder + 1));
    if (!outs) { l->failed = 1; return; }
    t->noutputs = 0;
    uint32_t *def_of = arena_alloc(l->pool, sizeof(uint32_t) * (ck->nsyms + 1));
    if (!def_of) { l->failed = 1; return; }
    for (uint32_t k = 0; k < ck->norder; k++)
        def_of[ck->order[k]] = k;
    for (uint32_t i = 0; i < ck->nsyms; i++)          /* syms are in declaration order */
        if (ck->syms[i].kind == SYM_OUTPUT && ck->syms[i].slot >= 0)
            outs[t->noutputs++] = def_of[i];
    t->outputs = outs;
    lower_ranges(l, t, defs);
    t->rules = rules;
    t->nrules = nrules;
    *ncov += nrules;
}

/* Assertions read parameters only: they are checked at compile time for
 * every interval of the covered period, with no input. */
static int params_only(lw *l, ast_node *n)
{
    if (!n) return 1;
    if (n->kind == AST_NAME && n->decl && n->slot > -2 && n->op2 == 0) {
        sym *s = n->decl;
        if (s->kind != SYM_PARAM) {
            diag_error(l->ck->dl, l->ck->src, n->loc,
                       "an assertion may read only parameters, and `%s` is not one", n->text);
            return 0;
        }
    }
    if (n->kind == AST_MEMBER || n->kind == AST_AGG || n->kind == AST_AS_OF) {
        diag_error(l->ck->dl, l->ck->src, n->loc, "an assertion may read only parameters");
        return 0;
    }
    int ok = 1;
    if (n->kind == AST_CALL || n->kind == AST_LIST)
        for (ast_node *a = n->a; a; a = a->next) ok &= params_only(l, a);
    else
        ok &= params_only(l, n->a);
    return ok & params_only(l, n->b) & params_only(l, n->c);
}

/* The JSON Pointer, relative to the input, of the input field a member
 * chain reads (`care_home.total_beds` gives "/care_home/total_beds"),
 * or NULL when it reads a loop variable or a let. */
static const char *input_pointer(lw *l, const ast_node *n)
{
    if (n->kind == AST_NAME && n->decl && n->slot > -2 && n->op2 == 0 &&
        ((const sym *)n->decl)->kind == SYM_ROOT)
        return arena_printf(l->pool, "/%s", n->text);
    if (n->kind != AST_MEMBER) return NULL;
    const char *base = input_pointer(l, n->a);
    return base ? arena_printf(l->pool, "%s/%s", base, n->text) : NULL;
}

/* What a refusal's condition may read: the input, parameters, tables,
 * loop variables and the decision date, never a let or output (they are
 * computed after the refusals).  Adds the pointer of each input field it
 * names to field[] (at most cap, each once); 0 after reporting. */
static void add_field(const char **field, uint32_t *nfield, uint32_t cap, const char *p);

static int refusal_reads(lw *l, ast_node *n, const char **field, uint32_t *nfield, uint32_t cap)
{
    if (!n) return 1;
    if (n->kind == AST_NAME && n->decl && n->slot > -2 && n->op2 == 0) {
        const sym *s = n->decl;
        if (s->kind == SYM_LET || s->kind == SYM_OUTPUT) {
            int let = s->kind == SYM_LET;
            diag_add(l->ck->dl, DIAG_ERROR, l->ck->src, n->loc,
                     let ? "refusals are checked before anything is computed: write the condition with the input fields the let is made of"
                         : "refusals are checked before anything is computed: write the condition with the input fields the output is made of",
                     "a refusal may read the input, parameters and as_of, and `%s` is %s", n->text,
                     let ? "a let" : "an output");
            return 0;
        }
    }
    if (n->kind == AST_MEMBER) {
        const char *p = input_pointer(l, n);
        if (p) {
            add_field(field, nfield, cap, p);
            return 1;
        }
    }
    int ok = 1;
    if (n->kind == AST_CALL || n->kind == AST_LIST)
        for (ast_node *a = n->a; a; a = a->next) ok &= refusal_reads(l, a, field, nfield, cap);
    else
        ok &= refusal_reads(l, n->a, field, nfield, cap);
    return ok & refusal_reads(l, n->b, field, nfield, cap) & refusal_reads(l, n->c, field, nfield, cap);
}

#define REFUSAL_MAX_FIELDS 32

/* Adds p to field[] (at most cap, each once). */
static void add_field(const char **field, uint32_t *nfield, uint32_t cap, const char *p)
{
    uint32_t k = 0;
    while (k < *nfield && strcmp(field[k], p) != 0) k++;
    if (k == *nfield && k < cap) field[(*nfield)++] = p;
}

/* The input fields a warning's condition reads, through the lets and
 * outputs it names (`proposed` = committee.members gives
 * "/committee/members"): the fields an officer would change.  depth
 * bounds the walk through lets, which the checker found acyclic. */
static void warning_reads(lw *l, const ast_node *n, const char **field, uint32_t *nfield, int depth)
{
    if (!n || depth > 32) return;
    if (n->kind == AST_NAME && n->decl && n->slot > -2 && n->op2 == 0) {
        const sym *s = n->decl;
        if (s->kind == SYM_LET || s->kind == SYM_OUTPUT) {
            warning_reads(l, s->decl->b, field, nfield, depth + 1);
            for (const ast_node *u = s->decl->c; u; u = u->next) warning_reads(l, u, field, nfield, depth + 1);
            return;
        }
    }
    if (n->kind == AST_MEMBER) {
        const char *p = input_pointer(l, n);
        if (p) { add_field(field, nfield, REFUSAL_MAX_FIELDS, p); return; }
    }
    if (n->kind == AST_CALL || n->kind == AST_LIST)
        for (const ast_node *a = n->a; a; a = a->next) warning_reads(l, a, field, nfield, depth);
    else
        warning_reads(l, n->a, field, nfield, depth);
    warning_reads(l, n->b, field, nfield, depth);
    warning_reads(l, n->c, field, nfield, depth);
}

/* The guards (tree.h ev_guard) of decl[0..n): `warn when` ones if warn,
 * else `refuse when`.  A refusal's condition may read only the input
 * (refusal_reads fails on anything else, which the checker reported); a
 * warning's fields come through the lets it names, and its text may
 * hold `{name}` holes.  NULL (l->failed) when the arena runs out. */
static const ev_guard *lower_guards(lw *l, ast_node *const *decl, uint32_t n, int warn)
{
    ev_guard *g = arena_alloc(l->pool, sizeof(ev_guard) * (n + 1));
    if (!g) { l->failed = 1; return NULL; }
    for (uint32_t i = 0; i < n; i++) {
        ast_node *d = decl[i];
        const char *field[REFUSAL_MAX_FIELDS];
        uint32_t nf = 0;
        if (warn)
            warning_reads(l, d->a, field, &nf, 0);
        else if (!refusal_reads(l, d->a, field, &nf, REFUSAL_MAX_FIELDS)) { l->failed = 1; continue; }
        const char **f = arena_alloc(l->pool, sizeof(char *) * (nf + 1));
        if (!f) { l->failed = 1; return NULL; }
        memcpy(f, field, sizeof(char *) * nf);
        g[i].cond = lower_expr(l, d->a);
        g[i].text = d->label->text;
        g[i].line = line_of(l, d);
        g[i].nfields = nf;
        g[i].field = f;
        g[i].cite = lower_cite(d->d);
        if (warn) g[i].holes = lower_holes(l, g[i].text, &g[i].nholes);
    }
    return g;
}

int lower_policy(checked *ck, lowered *out)
{
    lw l;
    memset(&l, 0, sizeof l);
    memset(out, 0, sizeof *out);
    l.ck = ck;
    l.pool = ck->pool;
    l.nslots = 1;                                /* slot 0: the input root */
    for (uint32_t i = 0; i < ck->nsyms; i++)
        if (ck->syms[i].kind == SYM_PARAM) ck->syms[i].slot = new_slot(&l);
    for (uint32_t k = 0; k < ck->norder; k++)
        ck->syms[ck->order[k]].slot = new_slot(&l);
    ev_tree *t = &out->tree;
    uint32_t ncov = 0;
    l.nfixed = l.nslots;
    l.slot_fen = arena_alloc(l.pool, l.nslots + 1);
    if (!l.slot_fen) return -1;
    lower_params(&l, t);
    lower_defs(&l, t, &ncov);
    lower_tables(&l, t, &ncov);
    t->refusals = lower_guards(&l, ck->refusals, ck->nrefusals, 0);
    t->nrefusals = ck->nrefusals;
    t->warnings = lower_guards(&l, ck->warnings, ck->nwarnings, 1);
    t->nwarnings = ck->nwarnings;
    out->assert_root = arena_alloc(l.pool, sizeof(int32_t) * (ck->nasserts + 1));
    if (!out->assert_root) return -1;
    size_t errs = ck->dl->nerrors;
    for (uint32_t i = 0; i < ck->nasserts; i++)
        if (params_only(&l, ck->asserts[i]->a))
            out->assert_root[out->nasserts++] = lower_expr(&l, ck->asserts[i]->a);
    if (l.failed || ck->dl->nerrors > errs)
        return -1;
    t->nodes = l.nodes;
    t->nnodes = l.nnodes;
    t->notes = l.notes;
    t->args = l.args;
    t->nslots = l.nslots;
    t->root = ck->root;
    t->ncov = ncov;
    t->covers_from = ck->covers_from;
    t->covers_until = ck->covers_until;
    return ev_prog_build(t, l.pool);
}
