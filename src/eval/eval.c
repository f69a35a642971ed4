/*
 * eval.c - the evaluator: walks the evaluation tree for one decision.
 *
 * Fits after lower.c (which built the tree) and before io/json_out.c
 * (which writes the outputs).  One recursive switch over node kinds, each
 * case documented in the "Node:" style.  Decisions without coverage run
 * the tree's flat program instead (vm.c), which computes the same values
 * with the same errors; the walker serves coverage, explanations (which
 * evaluate subexpressions again), constant folding, and the nodes the
 * program leaves to it.  Errors do not unwind: the first
 * one is recorded in ctx->err and later arithmetic keeps going on zeros,
 * which is harmless because ev_run reports failure at the end and no
 * output of a failed decision is ever used.
 *
 * What this file does not do: allocate (except list results from the
 * request arena), look up names, parse, or use floating point.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "base/always.h"
#include "eval/eval.h"
#include "eval/decimal.h"
#include "eval/date.h"
#include "eval/vm.h"

void ev_ctx_init(ev_ctx *c, const ev_tree *t, ev_cell *frame, arena *pool)
{
    memset(c, 0, sizeof *c);
    c->tree = t;
    c->frame = frame;
    c->pool = pool;
}

void ev_fail(ev_ctx *c, ev_errcode code, uint32_t loc, const char *fmt, ...)
{
    if (c->err.code != EVE_NONE)
        return;
    c->err.code = code;
    c->err.loc = loc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err.msg, sizeof c->err.msg, fmt, ap);
    va_end(ap);
}

const char *ev_format_scalar(const ty *t, int64_t v, char *out)
{
    switch (t->kind) {
    case TY_BOOL: strcpy(out, v ? "true" : "false"); break;
    case TY_INT: int_format(v, out); break;
    case TY_MONEY: dec_format(v, 2, out); break;
    case TY_DECIMAL: case TY_NUMBER: dec_format(v, 0, out); break;
    case TY_DATE: date_format(v, out); break;
    case TY_ENUM:
        if (v >= 0 && (uint64_t)v < t->en->nvalues)
            snprintf(out, 64, "%s", t->en->values[v]);
        else
            strcpy(out, "?");
        break;
    default: strcpy(out, "?"); break;
    }
    return out;
}

/* Binary search for the value in force on `day`; -1 when none. */
static int32_t param_index(const ev_param *p, int64_t day)
{
    uint32_t lo = 0, hi = p->nvalues;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (p->from[mid] <= day) lo = mid + 1; else hi = mid;
    }
    if (lo == 0 || p->until[lo - 1] < day)
        return -1;
    return (int32_t)lo - 1;
}

/* Says which case it is: before the first value, after the last, or in
 * a gap between two (a date read with `at` outside the covered period). */
static void fail_no_param(ev_ctx *c, const ev_param *p, int64_t day, uint32_t loc)
{
    char d[16], f[16], u[16];
    const char *label = p->label ? p->label : p->name;
    date_format(day, d);
    if (p->nvalues == 0) {
        ev_fail(c, EVE_NO_PARAM, loc, "no value of parameter `%s` in force on %s", p->name, d);
        return;
    }
    uint32_t next = 0;
    while (next < p->nvalues && p->from[next] <= day) next++;
    if (next == 0) {
        date_format(p->from[0], f);
        ev_fail(c, EVE_NO_PARAM, loc,
                "no value of parameter `%s` (%s) in force on %s: it is before the first value, from %s",
                p->name, label, d, f);
        return;
    }
    date_format(p->until[next - 1], u);
    if (next == p->nvalues) {
        ev_fail(c, EVE_NO_PARAM, loc,
                "no value of parameter `%s` (%s) in force on %s: it is after the last value, which ended on %s",
                p->name, label, d, u);
        return;
    }
    date_format(p->from[next], f);
    ev_fail(c, EVE_NO_PARAM, loc,
            "no value of parameter `%s` (%s) in force on %s: it is in the gap between the value that "
            "ended on %s and the next, from %s", p->name, label, d, u, f);
}

int ev_bind(ev_ctx *c, int64_t as_of)
{
    const ev_tree *t = c->tree;
    if (c->bound && c->as_of == as_of)
        return 0;
    c->bound = 0;
    c->as_of = as_of;
    /* The period first: a date outside it is that, not a parameter
     * missing on it (most parameters start with the covered period). */
    if (as_of < t->covers_from || as_of > t->covers_until) {
        char d[16], f[16], u[16];
        date_format(as_of, d);
        date_format(t->covers_from, f);
        date_format(t->covers_until, u);
        ev_fail(c, EVE_OUT_OF_PERIOD, 0,
                "as_of %s is outside the period this policy covers (%s to %s)", d, f, u);
        return -1;
    }
    for (uint32_t i = 0; i < t->nparams; i++) {
        const ev_param *p = &t->params[i];
        if (p->series) continue;
        int32_t k = param_index(p, as_of);
        if (k < 0) {
            fail_no_param(c, p, as_of, 0);
            return -1;
        }
        c->frame[p->slot] = p->value[k];
    }
    if (t->prog)
        ev_prog_bind(c);
    c->bound = 1;
    return 0;
}

void ev_fail_dec(ev_ctx *c, dec_status st, uint32_t loc)
{
    if (st == DEC_E_DIVZERO)
        ev_fail(c, EVE_DIVZERO, loc, "division by zero");
    else
        ev_fail(c, EVE_OVERFLOW, loc, "arithmetic overflow");
}

/* Takes the result by pointer: it must be read after the operation that
 * writes it, which an argument passed by value would not guarantee. */
static inline int64_t checked(ev_ctx *c, const ev_node *n, dec_status st, const int64_t *r)
{
    if (st == DEC_OK)
        return *r;
    ev_fail_dec(c, st, n->loc);
    return 0;
}

static ev_cell eval_list(ev_ctx *c, int32_t idx);

/* Leaves (a slot, a constant, an input field) are most operands: read them here instead
 * of through a call of ev_scalar, which is most of an operation's cost. */
static inline int64_t operand(ev_ctx *c, int32_t idx)
{
    const ev_node *n = &c->tree->nodes[idx];
    if (n->kind == EV_SLOT)
        return c->frame[n->a].i;
    if (n->kind == EV_CONST)
        return n->imm;
    if (n->kind == EV_FIELD)
        return c->frame[n->a].rec[n->b].i;
    return ev_scalar(c, idx);
}

static int64_t eval_table(ev_ctx *c, const ev_node *n, ev_cell *list_out);

/* The loop variable of an aggregation or map: a record of an entity list
 * is read through a pointer to it; any other element (a number, a text)
 * is copied, flags saying which (EV_LOOP_BY_VALUE, set by lower.c from
 * the element type: the stride cannot tell a one-field record). */
static inline void bind_loop_var(const ev_node *n, ev_cell *var, const ev_cell *elem)
{
    if (n->flags & EV_LOOP_BY_VALUE)
        *var = *elem;
    else
        var->rec = elem;
}

/* Runs the loop of an aggregation node: binds slot imm to each element of
 * list a whose filter c holds, and folds b. */
static int64_t eval_agg(ev_ctx *c, const ev_node *n)
{
    ev_cell list = eval_list(c, n->a);
    ev_cell *var = &c->frame[n->imm];
    int64_t acc = 0;
    int have = 0;
    switch (n->kind) {
    case EV_ALL: acc = 1; break;
    default: break;
    }
    for (uint32_t i = 0; i < list.l.n; i++) {
        const ev_cell *elem = list.l.base + (size_t)i * list.l.stride;
        bind_loop_var(n, var, elem);
        if (n->c >= 0 && !operand(c, n->c))
            continue;
        switch (n->kind) {
        case EV_COUNT: acc++; break;
        case EV_SUM_INT:
            if (__builtin_add_overflow(acc, operand(c, n->b), &acc))
                ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow in sum");
            break;
        case EV_SUM_DEC: { int64_t v = operand(c, n->b); acc = checked(c, n, dec_add(acc, v, &acc), &acc); } break;
        case EV_MIN: { int64_t v = operand(c, n->b); if (!have || v < acc) acc = v; have = 1; break; }
        case EV_MAX: { int64_t v = operand(c, n->b); if (!have || v > acc) acc = v; have = 1; break; }
        case EV_ANY: if (operand(c, n->b)) return 1; break;
        case EV_ALL: if (!operand(c, n->b)) return 0; break;
        default: break;
        }
    }
    if ((n->kind == EV_MIN || n->kind == EV_MAX) && !have)
        ev_fail(c, EVE_EMPTY, n->loc, "%s of an empty list", n->kind == EV_MIN ? "min" : "max");
    return acc;
}

int64_t ev_between(ev_ctx *c, int kind, int flags, int64_t a, int64_t b, uint32_t loc)
{
    if (flags && b < a) {
        char x[16], y[16];
        date_format(a, x);
        date_format(b, y);
        ev_fail(c, EVE_BEFORE_BIRTH, loc, "age_on: the date %s is before the birth date %s", y, x);
        return 0;
    }
    int64_t m = date_months_between(a, b);
    return kind == EV_YEARS_BETWEEN ? m / 12 : m;
}

/* Whether the exception of RULE node n applies, counting coverage. */
static int rule_taken(ev_ctx *c, const ev_node *n)
{
    if (operand(c, n->a)) {
        if (c->cov) c->cov[n->imm]++;
        return 1;
    }
    if (c->cov && n->flags) c->cov[n->imm + 1]++;
    return 0;
}

int64_t ev_scalar(ev_ctx *c, int32_t idx)
{
    const ev_node *n = &c->tree->nodes[idx];
    int64_t a, b, r = 0;
    switch ((ev_kind)n->kind) {
    /* Node: CONST - a folded constant. */
    case EV_CONST: return n->imm;
    /* Node: SLOT - a parameter, let or output already computed, or a loop
     * variable over a list of scalars. */
    case EV_SLOT: return c->frame[n->a].i;
    /* Node: FIELD - a scalar field of the record in slot a. */
    case EV_FIELD: return c->frame[n->a].rec[n->b].i;
    case EV_AS_OF: return c->as_of;
    case EV_ADD_INT:
        if (__builtin_add_overflow(operand(c, n->a), operand(c, n->b), &r))
            ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow");
        return r;
    case EV_SUB_INT:
        if (__builtin_sub_overflow(operand(c, n->a), operand(c, n->b), &r))
            ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow");
        return r;
    case EV_MUL_INT:
        if (__builtin_mul_overflow(operand(c, n->a), operand(c, n->b), &r))
            ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow");
        return r;
    case EV_ADD_DEC: return checked(c, n, dec_add(operand(c, n->a), operand(c, n->b), &r), &r);
    case EV_SUB_DEC: return checked(c, n, dec_sub(operand(c, n->a), operand(c, n->b), &r), &r);
    case EV_MUL_DEC: return checked(c, n, dec_mul(operand(c, n->a), operand(c, n->b), &r), &r);
    /* Node: MUL_DEC_INT - decimal times int, exact (no scaling needed). */
    case EV_MUL_DEC_INT:
        if (__builtin_mul_overflow(operand(c, n->a), operand(c, n->b), &r))
            ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow");
        return r;
    case EV_DIV_DEC: return checked(c, n, dec_div(operand(c, n->a), operand(c, n->b), &r), &r);
    case EV_DIV_DEC_INT:
        a = operand(c, n->a);
        b = operand(c, n->b);
        if (b == 0) { ev_fail(c, EVE_DIVZERO, n->loc, "division by zero"); return 0; }
        if (a == INT64_MIN && b == -1) { ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow"); return 0; }
        return a / b;
    case EV_NEG:
        a = operand(c, n->a);
        if (a == INT64_MIN) { ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow"); return 0; }
        return -a;
    case EV_INT_TO_DEC: return checked(c, n, dec_from_int(operand(c, n->a), &r), &r);
    case EV_DEC_TO_INT: return operand(c, n->a) / DEC_SCALE;
    case EV_LT: return operand(c, n->a) < operand(c, n->b);
    case EV_LE: return operand(c, n->a) <= operand(c, n->b);
    case EV_GT: return operand(c, n->a) > operand(c, n->b);
    case EV_GE: return operand(c, n->a) >= operand(c, n->b);
    case EV_EQ: return operand(c, n->a) == operand(c, n->b);
    case EV_NE: return operand(c, n->a) != operand(c, n->b);
    /* Node: TEXT_EQ - texts a and b (TEXT_FIELD nodes or text constants)
     * compared byte for byte. */
    case EV_TEXT_EQ: {
        ev_cell x = eval_list(c, n->a), y = eval_list(c, n->b);
        return x.s.len == y.s.len && memcmp(x.s.ptr, y.s.ptr, x.s.len) == 0;
    }
    case EV_AND: return operand(c, n->a) && operand(c, n->b);
    case EV_OR: return operand(c, n->a) || operand(c, n->b);
    case EV_NOT: return !operand(c, n->a);
    case EV_IF: return operand(c, n->a) ? operand(c, n->b) : operand(c, n->c);
    /* Node: RULE - an `unless` exception: when a holds, b replaces the
     * rest of the chain c.  imm is the rule's coverage id; when flags is
     * 1, c is the base definition, whose id is imm + 1. */
    case EV_RULE: return rule_taken(c, n) ? operand(c, n->b) : operand(c, n->c);
    case EV_ROUND:
        return checked(c, n, dec_round(operand(c, n->a), n->imm, (dec_round_mode)n->flags, &r), &r);
    case EV_DIV_ROUND:
        a = operand(c, n->a);
        b = operand(c, n->b);
        return checked(c, n, dec_div_round(a, b, n->imm, (dec_round_mode)n->flags, &r), &r);
    case EV_MIN2: a = operand(c, n->a); b = operand(c, n->b); return a < b ? a : b;
    case EV_MAX2: a = operand(c, n->a); b = operand(c, n->b); return a > b ? a : b;
    case EV_DATE_ADD_DAYS:
        if (date_add_days(operand(c, n->a), operand(c, n->b), &r))
            ev_fail(c, EVE_OVERFLOW, n->loc, "date out of range");
        return r;
    case EV_DATE_ADD_MONTHS:
        if (date_add_months(operand(c, n->a), operand(c, n->b), &r))
            ev_fail(c, EVE_OVERFLOW, n->loc, "date out of range");
        return r;
    case EV_DATE_ADD_YEARS:
        if (date_add_years(operand(c, n->a), operand(c, n->b), &r))
            ev_fail(c, EVE_OVERFLOW, n->loc, "date out of range");
        return r;
    /* Node: MONTHS_BETWEEN, YEARS_BETWEEN - months_between, years_between
     * and age_on (full years, 周岁), see date.h and ev_between. */
    case EV_MONTHS_BETWEEN: case EV_YEARS_BETWEEN:
        return ev_between(c, n->kind, n->flags, operand(c, n->a), operand(c, n->b), n->loc);
    /* Node: PARAM_AT - a parameter read at another date than as_of. */
    case EV_PARAM_AT: {
        const ev_param *p = &c->tree->params[n->imm];
        int64_t day = operand(c, n->a);
        int32_t k = param_index(p, day);
        if (k < 0) { fail_no_param(c, p, day, n->loc); return 0; }
        return p->value[k].i;
    }
    case EV_COUNT: case EV_SUM_INT: case EV_SUM_DEC: case EV_MIN: case EV_MAX:
    case EV_ANY: case EV_ALL:
        return eval_agg(c, n);
    /* Node: LIST_LEN - count(list) with no filter: the length. */
    case EV_LIST_LEN: return eval_list(c, n->a).l.n;
    /* Node: SUM_FIELD - sum(x.f for x in list) with no filter, the common
     * case (total income), as one tight loop. */
    case EV_SUM_FIELD: {
        ev_cell list = eval_list(c, n->a);
        int64_t acc = 0;
        const ev_cell *e = list.l.base;
        for (uint32_t i = 0; i < list.l.n; i++, e += list.l.stride)
            if (__builtin_add_overflow(acc, e[n->b].i, &acc)) {
                ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow in sum");
                return 0;
            }
        return acc;
    }
    case EV_TABLE:
        return eval_table(c, n, NULL);
    /* The kinds that are only lists, texts or maps (nodes.h's result
     * column): the checker gives them no scalar context. */
    EV_NODE_LIST(EV_CASES_ONLY_CELL)
    case EV_KIND_COUNT:
        break;
    }
    (void)ALWAYS(!"a list, text or map node evaluated as a scalar");
    ev_fail(c, EVE_INTERNAL, n->loc, "internal error: a %s node is not a scalar", ev_op_name(n->kind));
    return 0;
}

/* Builds a map (pairs of text key, value; stride 2) from node MAP. */
static ev_cell eval_map(ev_ctx *c, const ev_node *n)
{
    ev_cell out = {0};
    ev_cell list = eval_list(c, n->a);
    ev_cell *pairs = list.l.n ? arena_alloc(c->pool, sizeof(ev_cell) * 2 * list.l.n) : NULL;
    if (list.l.n && !pairs) {
        ev_fail(c, EVE_NOMEM, n->loc, "out of memory");
        return out;
    }
    uint32_t k = 0;
    ev_cell *var = &c->frame[n->imm];
    for (uint32_t i = 0; i < list.l.n; i++) {
        bind_loop_var(n, var, list.l.base + (size_t)i * list.l.stride);
        if (n->c >= 0 && !operand(c, n->c))
            continue;
        pairs[2 * k] = eval_list(c, c->tree->args[n->b]);      /* key text */
        pairs[2 * k + 1].i = operand(c, c->tree->args[n->b + 1]);
        k++;
    }
    out.l.base = pairs;
    out.l.n = k;
    out.l.stride = 2;
    return out;
}

/* Lists, texts and maps: everything that is not one int64. */
static ev_cell eval_list(ev_ctx *c, int32_t idx)
{
    const ev_node *n = &c->tree->nodes[idx];
    ev_cell out = {0};
    switch ((ev_kind)n->kind) {
    case EV_LIST_FIELD: return c->frame[n->a].rec[n->b];
    case EV_TEXT_FIELD: return c->frame[n->a].rec[n->b];
    case EV_LIST_SLOT: return c->frame[n->a];
    /* Node: CONST as text - the bytes live in the policy arena. */
    case EV_CONST:
        out.s.ptr = (const char *)(intptr_t)n->imm;
        out.s.len = (uint32_t)n->b;
        return out;
    case EV_LIST_LIT: {
        ev_cell *items = n->b ? arena_alloc(c->pool, sizeof(ev_cell) * (size_t)n->b) : NULL;
        if (n->b && !items) { ev_fail(c, EVE_NOMEM, n->loc, "out of memory"); return out; }
        for (int32_t i = 0; i < n->b; i++) {
            if (n->flags & EV_LIST_OF_TEXTS)
                items[i] = eval_list(c, c->tree->args[n->a + i]);
            else
                items[i].i = ev_scalar(c, c->tree->args[n->a + i]);
        }
        out.l.base = items; out.l.n = (uint32_t)n->b; out.l.stride = 1;
        return out;
    }
    case EV_MAP: return eval_map(c, n);
    /* Node: IF and RULE between texts or lists: the chosen arm's cell. */
    case EV_IF: return operand(c, n->a) ? eval_list(c, n->b) : eval_list(c, n->c);
    case EV_RULE: return rule_taken(c, n) ? eval_list(c, n->b) : eval_list(c, n->c);
    case EV_TABLE: {
        int64_t v = eval_table(c, n, &out);
        const ev_table *t = &c->tree->tables[n->imm];
        if (t->text && t->hit <= 3 /* unique, any, priority, first */ && c->err.code == EVE_NONE)
            out = t->text[v];        /* one text: v is its index */
        return out;
    }
    /* The kinds that are only scalars (nodes.h's result column). */
    EV_NODE_LIST(EV_CASES_ONLY_SCALAR)
    case EV_KIND_COUNT:
        break;
    }
    (void)ALWAYS(!"a scalar node evaluated as a list, text or map");
    ev_fail(c, EVE_INTERNAL, n->loc, "internal error: a %s node is not a list", ev_op_name(n->kind));
    return out;
}

int ev_table_row_matches(const ev_table *t, uint32_t row, const int64_t *args)
{
    const ev_cond *cond = t->cond + (size_t)row * t->ncols;
    for (uint32_t col = 0; col < t->ncols; col++) {   /* col 0 too: values past the domain land in the last cell */
        const ev_cond *cc = &cond[col];
        uint32_t lo = 0, hi = cc->n;
        int64_t v = args[col];
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (cc->iv[mid].hi < v) lo = mid + 1; else hi = mid;
        }
        if (lo == cc->n || cc->iv[lo].lo > v)
            return 0;
    }
    return 1;
}

/* Priority of an output value under `priority` and `output_order`: enum
 * values rank in declaration order, texts in order of first appearance
 * in the table (their index, see ev_table), numbers from the largest
 * down.  A table with an `order` list ranks its rows by row_rank
 * instead (priority and sort_by_rank). */
static int outranks(const ev_table *t, int64_t x, int64_t y)
{
    if (t->result->kind == TY_ENUM || t->result->kind == TY_BOOL || t->text)
        return x < y;
    return x > y;
}

/* Output order: insertion sort (the matching rows are few), by the rows'
 * ranks in the `order` list when there is one, else by outranks. */
static void sort_by_rank(const ev_table *t, ev_cell *items, uint32_t *ranks, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        ev_cell x = items[i];
        uint32_t rx = ranks ? ranks[i] : 0, j = i;
        while (j > 0 && (ranks ? rx < ranks[j - 1] : outranks(t, x.i, items[j - 1].i))) {
            items[j] = items[j - 1];
            if (ranks) ranks[j] = ranks[j - 1];
            j--;
        }
        items[j] = x;
        if (ranks) ranks[j] = rx;
    }
}

#define TABLE_MAX_COLS 32

const ev_table *ev_table_on(const ev_table *t, int64_t day)
{
    if (t->nversions < 2)
        return t;
    uint32_t k = 0;
    while (k + 1 < t->nversions && t->version_from[k + 1] <= day)   /* a few stretches */
        k++;
    return &t->versions[k];
}

void ev_table_cell(const ev_table *t, int64_t v, uint32_t *first, uint32_t *last)
{
    int32_t cell = -1;
    if (t->ncells) {
        uint32_t lo = 0, hi = t->ncells;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (t->cell_lo[mid] <= v) lo = mid + 1; else hi = mid;
        }
        cell = (int32_t)lo - 1;
    }
    *first = *last = 0;
    if (cell >= 0) {
        *first = t->row_start[cell];
        *last = t->row_start[cell + 1];
    }
}

/* Node: TABLE - a decision table on args[a .. a+b).  Column 0's value
 * picks a cell of the precomputed index (binary search); the candidate
 * rows of that cell are checked on the other columns in row order, and
 * the hit policy decides what the matches give.  For list results (rule
 * order, output order, plain collect) list_out receives the list. */
static int64_t eval_table(ev_ctx *c, const ev_node *n, ev_cell *list_out)
{
    const ev_table *t = ev_table_on(&c->tree->tables[n->imm], c->as_of);
    int64_t args[TABLE_MAX_COLS];
    for (uint32_t i = 0; i < t->ncols; i++)
        args[i] = ev_scalar(c, c->tree->args[n->a + (int32_t)i]);
    for (uint32_t i = 0; i < t->ncols; i++)
        c->frame[t->arg_slot + i].i = args[i];

    uint32_t first, last;
    ev_table_cell(t, args[0], &first, &last);
    int collecting = t->hit == 4 /* rule order */ || t->hit == 5 /* output order */ || t->hit == 6;
    int64_t acc = 0, best = 0;
    uint32_t nmatch = 0, best_row = 0;
    ev_cell *items = NULL;
    uint32_t *ranks = NULL;     /* output_order with an `order` list: the rows' ranks */
    if (collecting && list_out) {
        items = arena_alloc(c->pool, sizeof(ev_cell) * (last - first + 1));
        if (t->hit == 5 && t->row_rank) ranks = arena_alloc(c->pool, sizeof(uint32_t) * (last - first + 1));
        if (!items || (t->hit == 5 && t->row_rank && !ranks)) { ev_fail(c, EVE_NOMEM, n->loc, "out of memory"); return 0; }
    }
    for (uint32_t k = first; k < last; k++) {
        uint32_t row = t->rows[k];
        if (!ev_table_row_matches(t, row, args))
            continue;
        if (c->cov) c->cov[t->first_cov + row]++;
        if (!collecting) {
            if (t->hit == 2 /* priority */) {
                int64_t v = ev_scalar(c, t->out[row]);
                if (nmatch == 0 || (t->row_rank ? t->row_rank[row] < t->row_rank[best_row] : outranks(t, v, best))) {
                    best = v;
                    best_row = row;
                }
                nmatch++;
                continue;
            }
            if (t->hit == 1 /* any */ && nmatch > 0) {
                int64_t v = ev_scalar(c, t->out[row]);
                if (v != best)
                    ev_fail(c, EVE_CONFLICT, n->loc,
                            "table `%s`: rows %u and %u match with different outputs under hit policy any",
                            t->name, best_row + 1, row + 1);
                continue;
            }
            best = ev_scalar(c, t->out[row]);
            best_row = row;
            nmatch++;
            if (t->hit != 1)
                break;   /* unique (checked at compile time) and first */
            continue;
        }
        int64_t v = ev_scalar(c, t->out[row]);
        switch (t->collect) {
        case 1: if (__builtin_add_overflow(acc, v, &acc)) ev_fail(c, EVE_OVERFLOW, n->loc, "arithmetic overflow"); break;
        case 2: if (nmatch == 0 || v < acc) acc = v; break;
        case 3: if (nmatch == 0 || v > acc) acc = v; break;
        case 4: acc++; break;
        default:
            if (items) items[nmatch].i = v;
            if (ranks) ranks[nmatch] = t->row_rank[row];
            break;
        }
        nmatch++;
    }
    if (collecting) {
        if (t->collect == 0 && list_out) {
            if (t->hit == 5)     /* output order */
                sort_by_rank(t, items, ranks, nmatch);
            for (uint32_t i = 0; t->text && i < nmatch; i++)
                items[i] = t->text[items[i].i];
            list_out->l.base = items;
            list_out->l.n = nmatch;
            list_out->l.stride = 1;
        }
        if ((t->collect == 2 || t->collect == 3) && nmatch == 0 && t->else_out < 0)
            ev_fail(c, EVE_EMPTY, n->loc, "table `%s`: no row matched for collect %s",
                    t->name, t->collect == 2 ? "min" : "max");
        if (nmatch == 0 && t->else_out >= 0 && t->collect != 0) {
            if (c->cov) c->cov[t->first_cov + t->nrows]++;
            return ev_scalar(c, t->else_out);
        }
        return acc;
    }
    if (nmatch == 0) {
        if (t->else_out >= 0) {
            if (c->cov) c->cov[t->first_cov + t->nrows]++;
            return ev_scalar(c, t->else_out);
        }
        if (n->c >= 0)          /* a partial table: value_or's default */
            return ev_scalar(c, n->c);
        char v[64];
        ev_fail(c, EVE_NO_ROW, n->loc, "table `%s`: no row matches (first column = %s)",
                t->name, ev_format_scalar(t->col_type[0], args[0], v));
        return 0;
    }
    return best;
}

ev_cell ev_value(ev_ctx *c, int32_t node)
{
    return eval_list(c, node);
}

/* The first refusal whose condition holds fails the decision. */
static int refused(ev_ctx *c)
{
    const ev_tree *t = c->tree;
    for (uint32_t i = 0; i < t->nrefusals && c->err.code == EVE_NONE; i++) {
        const ev_refusal *r = &t->refusals[i];
        if (ev_scalar(c, r->cond) && c->err.code == EVE_NONE) {
            ev_fail(c, EVE_REFUSED, t->nodes[r->cond].loc, "%s", r->text);
            c->err.refusal = r;
        }
    }
    return c->err.code != EVE_NONE;
}

/* Which advisory norms hold, after the definitions: a few comparisons
 * of slots already computed, walked the same in both evaluators. */
static int warned(ev_ctx *c)
{
    const ev_tree *t = c->tree;
    c->warned = 0;
    for (uint32_t i = 0; i < t->nwarnings && c->err.code == EVE_NONE; i++)
        if (ev_scalar(c, t->warnings[i].cond) && c->err.code == EVE_NONE)
            c->warned |= UINT64_C(1) << i;
    return c->err.code == EVE_NONE ? 0 : -1;
}

static int walk_defs(ev_ctx *c);

/* The failure of a range whose ends came out reversed: cold and out of
 * line, so its two formatting buffers are not reserved on every run. */
static __attribute__((cold, noinline)) int range_reversed(ev_ctx *c, const ev_def *mn, int64_t lo, int64_t hi)
{
    char a[64], b[64];
    ev_format_scalar(mn->type, lo, a);
    ev_format_scalar(mn->type, hi, b);
    size_t len = strlen(mn->name) - 4;      /* "award.min" less ".min" */
    ev_fail(c, EVE_RANGE, 0, "range output `%.*s` = %s to %s: its min is above its max", (int)len, mn->name, a, b);
    return -1;
}

/* A range output (`output award: money range = LO to HI`) whose ends
 * came out reversed: its ends are expressions (table results, dated
 * parameters), so only the decision can tell.  Ends are scalars of one
 * type, so the comparison of their int64 is the comparison of values. */
static int ranges_ordered(ev_ctx *c)
{
    const ev_tree *t = c->tree;
    for (uint32_t k = 0; k < t->nranges; k++) {
        const ev_def *mn = &t->defs[t->outputs[t->ranges[k]]], *mx = &t->defs[t->outputs[t->ranges[k] + 1]];
        int64_t lo = c->frame[mn->slot].i, hi = c->frame[mx->slot].i;
        if (lo > hi)
            return range_reversed(c, mn, lo, hi);
    }
    return 0;
}

/* Everything but the plain program: refusals first, then the program
 * or the walker, the ranges' order, the warnings.  Out of line so that
 * ev_run's common path saves no registers and reserves no stack (about
 * 60 instructions a decision when this was ev_run itself).  Not cold: a
 * policy with a refusal or a warning comes here on every decision. */
static __attribute__((noinline)) int run_guarded(ev_ctx *c, const ev_cell *root)
{
    const ev_tree *t = c->tree;
    if (!c->bound)
        return -1;
    c->frame[0].rec = root;
    if (refused(c))
        return -1;
    if (t->prog && !c->cov && !c->walk) {
        if (ev_prog_run(c, root)) return -1;
    } else if (walk_defs(c)) {
        return -1;
    }
    if (t->nranges && ranges_ordered(c))
        return -1;
    return warned(c);
}

/* A policy without refusals, warnings or ranges (prog->plain, set when
 * the program was built) and no coverage or walk asked for is the
 * program alone: a tail call into the VM, which puts root in slot 0. */
int ev_run(ev_ctx *c, const ev_cell *root)
{
    const ev_prog *p = c->tree->prog;
    c->warned = 0;
    if (__builtin_expect(p && p->plain && c->bound && !c->cov && !c->walk, 1))
        return ev_prog_run(c, root);
    return run_guarded(c, root);
}

/* The tree walker's run of every definition in order. */
static int walk_defs(ev_ctx *c)
{
    const ev_tree *t = c->tree;
    for (uint32_t i = 0; i < t->ndefs; i++) {
        const ev_def *d = &t->defs[i];
        if (d->is_scalar)
            c->frame[d->slot].i = ev_scalar(c, d->root);
        else
            c->frame[d->slot] = eval_list(c, d->root);
        if (d->check_fen && !dec_fits_places(c->frame[d->slot].i, 2)) {
            char v[64];
            dec_format(c->frame[d->slot].i, 2, v);
            ev_fail(c, EVE_PRECISION, 0,
                    "output `%s` = %s has digits below the fen; round it explicitly", d->name, v);
        }
    }
    return c->err.code == EVE_NONE ? 0 : -1;
}
