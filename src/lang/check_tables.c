/*
 * check_tables.c - decision tables: declaring them (one column table per
 * result of a table of several results), their cells as intervals (a
 * cell naming a parameter takes its value on each stretch of dates where
 * the table's parameters are constant: one set of conditions per
 * stretch), hit policies and `order` lists, and the exact analysis of
 * tables.c turned into diagnostics with witnesses (overlaps, gaps,
 * shadowed rows, rows with a cell no value meets, else rows that never
 * fire), per stretch.
 *
 * Part of the checker (check_int.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/check_int.h"
#include "base/suggest.h"
#include "eval/decimal.h"
#include "eval/date.h"

/* ---- declaring tables ------------------------------------------------ */

sym *ck_declare_table(checked *ck, ast_node *d)
{
    sym *s = ck_sym_add(ck, SYM_TABLE, d);
    if (!s) return NULL;
    s->type = check_type(ck, d->b);
    s->ncols = (uint32_t)ast_list_len(d->a);
    s->col_types = arena_alloc(ck->pool, sizeof(ty *) * (s->ncols + 1));
    uint32_t k = 0;
    for (ast_node *p = d->a; p && s->col_types; p = p->next, k++) {
        s->col_types[k] = check_type(ck, p->a);
        p->ty = s->col_types[k];
    }
    if (d->op == HIT_COLLECT && d->op2 == COLLECT_COUNT)
        s->type = ty_scalar(TY_INT);
    else if (d->op == HIT_RULE_ORDER || d->op == HIT_OUTPUT_ORDER ||
             (d->op == HIT_COLLECT && d->op2 == COLLECT_LIST))
        s->type = ty_list_of(ck->pool, s->type);
    return s;
}

/* Output j of a row of several outputs; the first output when the row
 * has fewer (ck_check_table reports its width). */
static ast_node *row_output(ast_node *r, uint32_t j)
{
    ast_node *o = r->d;
    for (uint32_t i = 0; o && i < j; i++) o = o->next;
    return o && o->a ? o->a : r->b;
}

/* The rows of result column j: the same cells, source and label, with
 * output j. */
static ast_node *column_rows(checked *ck, ast_node *rows, uint32_t j)
{
    ast_node *head = NULL, **tail = &head;
    for (ast_node *r = rows; r; r = r->next) {
        ast_node *c = arena_alloc(ck->pool, sizeof *c);
        if (!c) return head;
        *c = *r;
        c->next = NULL;
        c->b = row_output(r, j);
        *tail = c;
        tail = &c->next;
    }
    return head;
}

/* A table of several results `-> (min: int, max: int)` becomes one table
 * per result column, named `t.min`, `t.max` and sharing the cells, so that
 * `t(...).min` is an ordinary table call and the analysis, the lowering,
 * the flat program and the explanations need nothing new.  Only the first
 * column's table reports what the cells and the analysis find
 * (ck_check_table). */
void ck_declare_columns(checked *ck, ast_node *d)
{
    uint32_t j = 0, n = (uint32_t)ast_list_len(d->b);
    for (ast_node *rc = d->b; rc; rc = rc->next, j++) {
        ast_node *t = arena_alloc(ck->pool, sizeof *t);
        size_t len = strlen(d->text) + strlen(rc->text) + 2;
        char *name = arena_alloc(ck->pool, len);
        if (!t || !name) return;
        *t = *d;
        t->next = NULL;
        snprintf(name, len, "%s.%s", d->text, rc->text);
        t->text = name;
        t->b = rc->a;
        t->c = column_rows(ck, d->c, j);
        sym *s = ck_declare_table(ck, t);
        if (s) {
            s->base = d->text;
            s->result_label = rc->label ? rc->label->text : NULL;
            s->result_col = j;
            s->nresults = n;
        }
    }
}
/* ---- tables ----------------------------------------------------------- */

static tab_interval domain_of(const ty *t)
{
    tab_interval d = {INT64_MIN, INT64_MAX};
    if (t->kind == TY_BOOL) { d.lo = 0; d.hi = 1; }
    else if (t->kind == TY_ENUM) { d.lo = 0; d.hi = (int64_t)t->en->nvalues - 1; }
    else if (t->kind == TY_DATE) { d.lo = date_min(); d.hi = date_max(); }
    return d;
}

/* Where a table's cells read parameters: the day whose values the cells
 * take, and the days on which one of those parameters changes. */
typedef struct cell_day {
    int64_t day;
    int64_t change[64];
    uint32_t nchange;
    int reads_params, too_many;
    uint32_t param[32];     /* which parameters (sym indices), for the explanation */
    uint32_t nparam;
} cell_day;

static void add_change(cell_day *cd, int64_t day)
{
    for (uint32_t i = 0; i < cd->nchange; i++)
        if (cd->change[i] == day) return;
    if (cd->nchange < 64) cd->change[cd->nchange++] = day;
    else cd->too_many = 1;
}

/* The value of parameter s in force on day, and the days its values
 * start and end (into cd); 0 when none is in force (check_param says). */
static int param_on(checked *ck, sym *s, cell_day *cd, int64_t *out)
{
    int found = 0;
    diag_list *loud = ck->dl, mute;      /* check_param reported bad values */
    diag_list_init(&mute);
    ck->dl = &mute;
    for (ast_node *v = s->decl->b; v; v = v->next) {
        int64_t from, until = INT64_MAX;
        if (check_literal_value(ck, v->a, ty_scalar(TY_DATE), &from) ||
            (v->b && check_literal_value(ck, v->b, ty_scalar(TY_DATE), &until)))
            continue;
        add_change(cd, from);
        if (until != INT64_MAX) add_change(cd, until + 1);
        if (from <= cd->day && cd->day <= until && !check_literal_value(ck, v->c, s->type, out))
            found = 1;
    }
    ck->dl = loud;
    diag_list_free(&mute);
    return found;
}

static int cell_intervals(checked *ck, ast_node *cell, const ty *t, tab_interval dom,
                          tab_interval *out, uint32_t cap, cell_day *cd);

/* The conditions of the rows on cd->day (the first day's pass gave the
 * diagnostics that do not depend on the values); NULL when out of memory
 * or when a cell fails on that day (`this range is empty`, reported with
 * the day). */
static tab_cond *conds_on(checked *ck, sym *s, const tab_interval *dom, cell_day *cd)
{
    tab_cond *cond = arena_alloc(ck->pool, sizeof(tab_cond) * ((size_t)s->rows.nrows * s->ncols + 1));
    uint32_t row = 0;
    int bad = !cond;
    char day[16];
    for (ast_node *r = s->decl->c; r && !bad; r = r->next) {
        if (r->op) continue;
        uint32_t c = 0;
        for (ast_node *cell = r->a; cell && !bad; cell = cell->next, c++) {
            tab_interval tmp[64];
            size_t before = ck->dl->n;
            int n = cell_intervals(ck, cell, s->col_types[c], dom[c], tmp, 64, cd);
            if (n < 0 && ck->dl->n > before) {
                date_format(cd->day, day);
                diag_hint(ck->dl, "with the values in force on %s", day);
            }
            tab_interval *iv = n >= 0 ? arena_alloc(ck->pool, sizeof(tab_interval) * ((size_t)n + 1)) : NULL;
            if (!iv) { bad = 1; break; }
            memcpy(iv, tmp, sizeof(tab_interval) * (size_t)n);
            cond[(size_t)row * s->ncols + c] = (tab_cond){(uint32_t)n, iv};
        }
        row++;
    }
    return bad ? NULL : cond;
}

static int by_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* A table whose cells read parameters gets one set of conditions per
 * stretch of the covered period on which those parameters are constant
 * (s->version_*), each analysed like a table of constants.  0, or 1
 * when a stretch cannot be built (reported). */
static int table_versions(checked *ck, sym *s, const tab_interval *dom, cell_day *cd)
{
    int64_t lo = ck->have_covers ? ck->covers_from : date_min(), hi = ck->have_covers ? ck->covers_until : date_max();
    if (cd->too_many) {
        ck_err(ck, s->decl, "the parameters in the cells of table `%s` change more than 64 times", s->name);
        return 1;
    }
    qsort(cd->change, cd->nchange, sizeof(int64_t), by_day);
    int64_t *from = arena_alloc(ck->pool, sizeof(int64_t) * (cd->nchange + 1));
    tab_rows *rows = arena_alloc(ck->pool, sizeof(tab_rows) * (cd->nchange + 1));
    if (!from || !rows) { ck_err(ck, s->decl, "out of memory analysing table `%s`", s->name); return 1; }
    uint32_t n = 0;
    from[n] = lo;
    rows[n++] = s->rows;
    for (uint32_t i = 0; i < cd->nchange; i++) {
        if (cd->change[i] <= lo || cd->change[i] > hi) continue;
        cell_day at = {.day = cd->change[i]};
        const tab_cond *cond = conds_on(ck, s, dom, &at);
        if (!cond) return 1;           /* reported, or out of memory */
        from[n] = cd->change[i];
        rows[n] = s->rows;
        rows[n++].cond = cond;
    }
    s->nversions = n;
    s->version_from = from;
    s->version_rows = rows;
    return 0;
}

/* A cell's value: a constant, or a parameter (its value in force on
 * cd->day: the table is analysed once per stretch of constant values). */
static int cell_value(checked *ck, ast_node *n, const ty *t, cell_day *cd, int64_t *v)
{
    sym *s = n->kind == AST_NAME ? ck_sym_find(ck, n->text) : NULL;
    if (!s || s->kind != SYM_PARAM)
        return check_literal_value(ck, n, t, v);
    char x[64], y[64];
    if (ck_is_err(s->type)) return -1;
    if (!ck_unify(s->type, t)) {
        ck_err(ck, n, "parameter `%s` is %s, but this column is %s", s->name,
               ty_str(s->type, x, sizeof x), ty_str(t, y, sizeof y));
        return -1;
    }
    s->used = 1;
    n->decl = s;
    cd->reads_params = 1;
    uint32_t si = (uint32_t)(s - ck->syms), k = 0;
    while (k < cd->nparam && cd->param[k] != si) k++;
    if (k == cd->nparam && k < 32) cd->param[cd->nparam++] = si;
    if (!param_on(ck, s, cd, v)) *v = 0;    /* no value that day: check_param reports it */
    return 0;
}

/* One cell -> sorted disjoint intervals within the column domain. */
static int cell_intervals(checked *ck, ast_node *cell, const ty *t, tab_interval dom,
                          tab_interval *out, uint32_t cap, cell_day *cd)
{
    int64_t v, w2;
    switch (cell->kind) {
    case AST_CELL_ANY:
        out[0] = dom;
        return 1;
    case AST_CELL_CMP:
        if ((t->kind == TY_BOOL || t->kind == TY_ENUM) && cell->op != OP_EQ && cell->op != OP_NE) {
            ck_err(ck, cell, "comparisons < <= > >= need an ordered column");
            return -1;
        }
        if (cell_value(ck, cell->a, t, cd, &v)) return -1;
        cell->a->ty = t;
        switch (cell->op) {
        case OP_LT: if (v == INT64_MIN) return 0; out[0] = (tab_interval){dom.lo, v - 1}; break;
        case OP_LE: out[0] = (tab_interval){dom.lo, v}; break;
        case OP_GT: if (v == INT64_MAX) return 0; out[0] = (tab_interval){v + 1, dom.hi}; break;
        case OP_GE: out[0] = (tab_interval){v, dom.hi}; break;
        case OP_EQ: out[0] = (tab_interval){v, v}; break;
        case OP_NE: {
            uint32_t n = 0;
            if (v > dom.lo) out[n++] = (tab_interval){dom.lo, v - 1};
            if (v < dom.hi) out[n++] = (tab_interval){v + 1, dom.hi};
            return (int)n;
        }
        default: return -1;
        }
        if (out[0].lo < dom.lo) out[0].lo = dom.lo;
        if (out[0].hi > dom.hi) out[0].hi = dom.hi;
        return out[0].lo <= out[0].hi ? 1 : 0;
    case AST_CELL_RANGE:
        if (t->kind == TY_BOOL || t->kind == TY_ENUM) { ck_err(ck, cell, "ranges need an ordered column"); return -1; }
        if (cell_value(ck, cell->a, t, cd, &v) || cell_value(ck, cell->b, t, cd, &w2)) return -1;
        cell->a->ty = t;
        cell->b->ty = t;
        if (cell->op & RANGE_LOW_OPEN) { if (v == INT64_MAX) return 0; v++; }
        if (cell->op & RANGE_HIGH_OPEN) { if (w2 == INT64_MIN) return 0; w2--; }
        if (v > w2) { ck_err(ck, cell, "this range is empty"); return -1; }
        out[0] = (tab_interval){v, w2};
        return 1;
    case AST_CELL_SET: {
        uint32_t n = 0;
        for (ast_node *e = cell->a; e; e = e->next) {
            if (n == cap) { ck_err(ck, e, "too many values in one cell"); return -1; }
            if (cell_value(ck, e, t, cd, &v)) return -1;
            e->ty = t;
            out[n++] = (tab_interval){v, v};
        }
        return (int)tab_normalize(out, n);
    }
    default:
        ck_err(ck, cell, "not a table cell");
        return -1;
    }
}

static void format_witness(checked *ck, sym *s, const int64_t *wv, char *out, size_t n)
{
    size_t len = 0;
    uint32_t k = 0;
    out[0] = 0;
    if (!wv) return;            /* a finding without a witness (e.g. a shadowed row) */
    for (ast_node *p = s->decl->a; p && k < s->ncols; p = p->next, k++) {
        char v[64];
        const ty *t = s->col_types[k];
        if ((t->kind == TY_INT || ty_is_decimal_like(t)) && wv[k] == INT64_MIN)
            snprintf(v, sizeof v, "(any below)");   /* the domain's open end, not a number to print */
        else if (t->kind == TY_BOOL || t->kind == TY_INT || t->kind == TY_ENUM || t->kind == TY_DATE ||
                 ty_is_decimal_like(t)) {
            switch (t->kind) {
            case TY_BOOL: snprintf(v, sizeof v, "%s", wv[k] ? "true" : "false"); break;
            case TY_INT: snprintf(v, sizeof v, "%lld", (long long)wv[k]); break;
            case TY_ENUM: snprintf(v, sizeof v, "%s", t->en->values[wv[k]]); break;
            case TY_DATE: date_format(wv[k], v); break;
            default: dec_format(wv[k], t->kind == TY_MONEY ? 2 : 0, v); break;
            }
        } else snprintf(v, sizeof v, "?");
        len += (size_t)snprintf(out + len, n > len ? n - len : 0, "%s%s = %s", k ? ", " : "", p->text, v);
        if (len >= n) break;
    }
}

/* Two row outputs that are the same literal (any-hit rows may overlap
 * only when they agree). */
static int same_literal(const ast_node *a, const ast_node *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == AST_BOOL)
        return a->op == b->op;
    if (a->kind == AST_UNARY)
        return a->op == b->op && same_literal(a->a, b->a);
    if (a->kind == AST_INT || a->kind == AST_DEC) {
        int64_t x, y;
        return dec_parse(a->text, strlen(a->text), &x) == DEC_OK &&
               dec_parse(b->text, strlen(b->text), &y) == DEC_OK && x == y;
    }
    return a->text && b->text && strcmp(a->text, b->text) == 0;
}

/* The value of an `order` item or a row output, as a literal of type t:
 * a text by its string, anything else by check_literal_value.  0 when
 * it is not such a literal. */
static int order_key(checked *ck, ast_node *n, const ty *t, const char **str, int64_t *v)
{
    *str = NULL;
    *v = 0;
    if (t->kind == TY_TEXT) {
        *str = n->kind == AST_STRING ? n->text : NULL;
        return *str != NULL;
    }
    if (n->kind != AST_INT && n->kind != AST_DEC && n->kind != AST_DATE && n->kind != AST_BOOL &&
        n->kind != AST_UNARY)
        return 0;
    return check_literal_value(ck, n, t, v) == 0;
}

/* `hit priority order (v1, v2, ...)`: the outputs rank in the list's
 * order, the first highest.  Every row's output must be one of the
 * values; its rank goes in the row's slot (lower.c). */
static void check_order(checked *ck, sym *s, ast_node *ord, const ty *t)
{
    ast_node *d = s->decl;
    char x[64];
    if (d->op != HIT_PRIORITY && d->op != HIT_OUTPUT_ORDER) {
        ck_err(ck, ord, "an `order` list ranks the outputs of hit priority or output_order only");
        return;
    }
    if (t->kind == TY_ENUM) {
        ck_err(ck, ord, "the values of enum %s rank in the order the enum declares them", t->en->name);
        diag_hint(ck->dl, "reorder the enum, or drop the `order` list");
        return;
    }
    uint32_t n = 0;
    for (ast_node *a = ord->a; a; a = a->next, n++) {
        const char *sa; int64_t va;
        if (!order_key(ck, a, t, &sa, &va)) {
            ck_err(ck, a, "an `order` list holds constants of the result type %s", ty_str(t, x, sizeof x));
            return;
        }
        for (ast_node *b = ord->a; b != a; b = b->next) {
            const char *sb; int64_t vb;
            order_key(ck, b, t, &sb, &vb);
            if (sa ? strcmp(sa, sb) == 0 : va == vb) { ck_err(ck, a, "this value is already in the `order` list"); return; }
        }
    }
    for (ast_node *r = d->c; r; r = r->next) {
        if (r->op) continue;            /* the else row is not ranked: it applies alone */
        const char *sr; int64_t vr;
        r->slot = -1;
        if (order_key(ck, r->b, t, &sr, &vr)) {
            int32_t k = 0;
            for (ast_node *a = ord->a; a; a = a->next, k++) {
                const char *sa; int64_t va;
                order_key(ck, a, t, &sa, &va);
                if (sr ? strcmp(sr, sa) == 0 : vr == va) { r->slot = k; break; }
            }
        }
        if (r->slot < 0)
            ck_err(ck, r->b, "this output of table `%s` is not in its `order` list", s->name);
    }
}

/* Overlaps and shadowed rows already reported (for an earlier stretch of
 * dates: within one stretch each pair of rows is reported once). */
typedef struct seen_findings { uint32_t kind[32], row1[32], row2[32], n; } seen_findings;

static int already_seen(seen_findings *sf, const tab_finding *fi)
{
    for (uint32_t i = 0; i < sf->n; i++)
        if (sf->kind[i] == (uint32_t)fi->kind && sf->row1[i] == fi->row1 && sf->row2[i] == fi->row2) return 1;
    if (sf->n < 32) {
        sf->kind[sf->n] = (uint32_t)fi->kind;
        sf->row1[sf->n] = fi->row1;
        sf->row2[sf->n++] = fi->row2;
    }
    return 0;
}

/* ", with the values in force from A to B" for a table analysed per
 * stretch of dates; "" for a table of constants. */
static void stretch_words(const sym *s, uint32_t v, char *out, size_t n)
{
    char a[16], b[16];
    out[0] = 0;
    if (s->nversions < 2) return;
    date_format(s->version_from[v], a);
    if (v + 1 < s->nversions) {
        date_format(s->version_from[v + 1] - 1, b);
        snprintf(out, n, " (values in force %s to %s)", a, b);
    } else {
        snprintf(out, n, " (values in force from %s)", a);
    }
}

/* Any-hit rows may overlap when every output agrees. */
static int same_outputs(const ast_node *r1, const ast_node *r2)
{
    if (!r1->d || !r2->d)
        return same_literal(r1->b, r2->b);
    const ast_node *a = r1->d, *b = r2->d;
    for (; a && b; a = a->next, b = b->next)
        if (!a->a || !b->a || !same_literal(a->a, b->a)) return 0;
    return !a && !b;
}

/* A table of several results: every row has one output per result, and
 * the hit policy picks rows, not values (priority, output order and the
 * collect aggregations rank or add up one result, not a row of them). */
static void check_results(checked *ck, sym *s)
{
    ast_node *d = s->decl;
    uint32_t row = 0;
    if (d->op == HIT_PRIORITY || d->op == HIT_OUTPUT_ORDER || (d->op == HIT_COLLECT && d->op2 != COLLECT_LIST)) {
        ck_err(ck, d, "table `%s` gives %u results: its hit policy must pick rows (unique, any, first, rule_order or collect)",
            s->base, s->nresults);
        diag_hint(ck->dl, "priority, output_order and collect sum/min/max/count rank or add up one result");
    }
    if (d->d)
        ck_err(ck, d->d, "a table of several results cannot be partial");
    for (ast_node *r = d->c; r; r = r->next) {
        uint32_t n = (uint32_t)ast_list_len(r->d ? r->d : r->b);
        if (!r->op) row++;
        if (n != s->nresults) {
            if (r->op) ck_err(ck, r, "the `else` row of table `%s` has %u output%s but the table has %u results",
                           s->base, n, n == 1 ? "" : "s", s->nresults);
            else ck_err(ck, r, "row %u of table `%s` has %u output%s but the table has %u results",
                     row, s->base, n, n == 1 ? "" : "s", s->nresults);
        }
    }
}

/* The result type rows must give (NULL under collect count, whose rows
 * give *counted), after refusing combinations that mean nothing. */
static const ty *result_elem(checked *ck, sym *s, const ty **counted)
{
    ast_node *d = s->decl;
    const ty *elem = s->type->kind == TY_LIST ? s->type->elem : s->type;
    char x[64];
    if (d->op == HIT_COLLECT && d->op2 == COLLECT_COUNT) {
        *counted = check_type(ck, d->b);
        return NULL;
    }
    if (ck_is_err(elem))
        return elem;                    /* the result type's own error is out */
    if (d->op == HIT_COLLECT && d->op2 == COLLECT_SUM && !ck_is_num(elem)) {
        ck_err(ck, d, "collect sum needs numeric outputs, not %s", ty_str(elem, x, sizeof x));
    } else if (d->op == HIT_COLLECT && d->op2 != COLLECT_LIST && !ck_is_num(elem) && elem->kind != TY_DATE) {
        ck_err(ck, d, "collect %s needs numbers, money or dates, not %s",
            d->op2 == COLLECT_MIN ? "min" : "max", ty_str(elem, x, sizeof x));
        diag_hint(ck->dl, "to take the highest-ranked output, use `hit priority` (enum order, or an `order` list)");
    }
    return elem;
}

/* Each column's domain: its type's, narrowed by a range (`age: int 0..150`). */
static tab_interval *column_domains(checked *ck, sym *s)
{
    tab_interval *dom = arena_alloc(ck->pool, sizeof(tab_interval) * s->ncols);
    if (!dom) return NULL;
    uint32_t k = 0;
    for (ast_node *p = s->decl->a; p; p = p->next, k++) {
        dom[k] = domain_of(s->col_types[k]);
        if (p->b && p->b->kind == AST_RANGE) {
            int64_t v;
            if (p->b->a && !check_literal_value(ck, p->b->a, s->col_types[k], &v))
                dom[k].lo = (p->b->op & RANGE_LOW_OPEN) ? v + 1 : v;
            if (p->b->b && !check_literal_value(ck, p->b->b, s->col_types[k], &v))
                dom[k].hi = (p->b->op & RANGE_HIGH_OPEN) ? v - 1 : v;
        }
    }
    return dom;
}

/* A row's output: of the result type; under collect count of the
 * declared type, the else value being the count itself (an int). */
static void check_output(walk *w, sym *s, ast_node *r, const ty *elem, const ty *counted)
{
    checked *ck = w->ck;
    char what[160], x[64];
    snprintf(what, sizeof what, "the output of table `%s`", s->name);
    if (elem) {
        ck_want(w, r->b, elem, what);
        if (elem->kind == TY_TEXT && r->b->kind != AST_STRING)   /* lower.c numbers the texts */
            ck_err(ck, r->b, "a text output of table `%s` must be a string in double quotes", s->name);
    } else if (r->op) {          /* collect count: the else value is the count when no row matches */
        const ty *t = ck_expr(w, r->b, NULL);
        if (!ck_is_err(t) && t->kind != TY_INT) {
            ck_err(ck, r->b, "the `else` value of `collect count` table `%s` is a count: it must be int, not %s",
                s->name, ty_str(t, x, sizeof x));
            diag_hint(ck->dl, "write a whole number such as `1`, without decimal places");
        }
    } else {
        ck_want(w, r->b, counted, what);
    }
}

/* The first cell of row `row` that no value of its column meets (`< 0`
 * on a column of 0..10), or -1: such a row matches nothing. */
static int dead_cell(const tab_rows *t, uint32_t row)
{
    for (uint32_t c = 0; c < t->ncols; c++) {
        const tab_cond *k = &t->cond[(size_t)row * t->ncols + c];
        int meets = 0;
        for (uint32_t i = 0; i < k->n && !meets; i++)
            meets = k->iv[i].lo <= t->domain[c].hi && k->iv[i].hi >= t->domain[c].lo;
        if (!meets) return (int)c;
    }
    return -1;
}

/* A warning for each row that can never match, like an `else` row that
 * never fires, at its dead cell, on the first stretch it is dead; the
 * rows are marked in dead[] (the analysis would call them shadowed by the
 * rows above, which is not why). */
static void report_dead_rows(checked *ck, sym *s, const char *tn, uint8_t *dead)
{
    uint32_t row = 0;
    for (ast_node *r = s->decl->c; r; r = r->next) {
        if (r->op) continue;
        for (uint32_t v = 0; v < s->nversions && !dead[row]; v++) {
            int c = dead_cell(&s->version_rows[v], row);
            if (c < 0) continue;
            ast_node *cell = r->a, *p = s->decl->a;
            for (int k = 0; k < c; k++) { cell = cell->next; p = p->next; }
            char when[64];
            stretch_words(s, v, when, sizeof when);
            diag_add(ck->dl, DIAG_WARNING, ck->src, cell->loc, NULL,
                     "row %u of table `%s` is never used: no value of column `%s` meets this cell%s",
                     row + 1, tn, p->text, when);
            diag_hint(ck->dl, "delete the row, or correct the cell: the column's declared range bounds its values");
            dead[row] = 1;
        }
        row++;
    }
}

/* The analysis of every stretch of dates turned into diagnostics; counts
 * the gaps (the else row's inputs) and the overlaps.  -1 out of memory. */
static int report_findings(checked *ck, sym *s, const char *tn, int what, int *gaps, int *overlaps)
{
    uint8_t *dead = arena_alloc(ck->pool, s->rows.nrows + 1);
    if (!dead) { ck_err(ck, s->decl, "out of memory analysing table `%s`", tn); return -1; }
    memset(dead, 0, s->rows.nrows + 1);
    report_dead_rows(ck, s, tn, dead);
    ast_node *d = s->decl;
    seen_findings seen = {0};
    for (uint32_t v = 0; v < s->nversions; v++) {
        tab_findings f;
        if (tab_analyze(&s->version_rows[v], what, 5, ck->pool, &f)) {
            ck_err(ck, d, "out of memory analysing table `%s`", tn);
            return -1;
        }
        for (size_t i = 0; i < f.n; i++) {
            tab_finding *fi = &f.items[i];
            char wit[256 + 64];
            if (fi->kind == TAB_GAP && s->else_row) { (*gaps)++; continue; }  /* the else row's inputs */
            if (fi->kind != TAB_GAP && already_seen(&seen, fi)) continue;   /* the same rows on an earlier stretch */
            format_witness(ck, s, fi->witness, wit, 256);
            stretch_words(s, v, wit + strlen(wit), 64);
            ast_node *r1 = d->c;
            for (uint32_t j = 0; r1 && j < fi->row1 && fi->row1 != UINT32_MAX; j++) r1 = r1->next;
            if (fi->kind == TAB_OVERLAP) {
                (*overlaps)++;
                if (d->op == HIT_UNIQUE) {
                    ast_node *r2 = d->c;
                    for (uint32_t j = 0; r2 && j < fi->row2; j++) r2 = r2->next;
                    diag_add(ck->dl, DIAG_ERROR, ck->src, r2 ? r2->loc : d->loc, NULL,
                             "rows %u and %u of table `%s` overlap under hit policy unique, e.g. for %s",
                             fi->row1 + 1, fi->row2 + 1, tn, wit);
                    diag_hint(ck->dl, "narrow one of the rows, or declare `hit first` or `hit priority` if the order decides");
                } else if (d->op == HIT_ANY) {
                    ast_node *r2 = d->c;
                    for (uint32_t j = 0; r2 && j < fi->row2; j++) r2 = r2->next;
                    if (r1 && r2 && !same_outputs(r1, r2))
                        diag_add(ck->dl, DIAG_ERROR, ck->src, r2->loc, NULL,
                                 "rows %u and %u of table `%s` overlap with different outputs under hit policy any, e.g. for %s",
                                 fi->row1 + 1, fi->row2 + 1, tn, wit);
                }
            } else if (fi->kind == TAB_GAP) {
                diag_add(ck->dl, DIAG_ERROR, ck->src, d->loc, NULL,
                         "no row of table `%s` matches %s", tn, wit);
                diag_hint(ck->dl, "add a row for it, or an `| else | ... |` row");
            } else if (fi->kind == TAB_SHADOWED && d->op == HIT_FIRST &&
                       !(fi->row1 < s->rows.nrows && dead[fi->row1])) {
                diag_add(ck->dl, DIAG_WARNING, ck->src, r1 ? r1->loc : d->loc, NULL,
                         "row %u of table `%s` is never used: earlier rows match everything it matches",
                         fi->row1 + 1, tn);
            }
        }
    }
    return 0;
}

void ck_check_table(checked *ck, uint32_t si)
{
    sym *s = &ck->syms[si];
    ast_node *d = s->decl;
    const char *tn = s->base ? s->base : s->name;
    int quiet = s->base && s->result_col > 0;   /* the first column's table speaks for the cells */
    diag_list *loud = ck->dl, mute;
    char x[64];
    diag_list_init(&mute);
    if (quiet) ck->dl = &mute;
    for (uint32_t k = 0; k < s->ncols; k++) {
        const ty *t = s->col_types[k];
        if (!ck_is_err(t) && !(t->kind == TY_BOOL || t->kind == TY_INT || t->kind == TY_ENUM ||
                            t->kind == TY_DATE || t->kind == TY_MONEY || t->kind == TY_DECIMAL))
            ck_err(ck, d, "table columns must be bool, int, decimal, money, date or an enum, not %s",
                ty_str(t, x, sizeof x));
    }
    if (s->ncols == 0 || s->ncols > 32) {
        ck_err(ck, d, "a table needs 1 to 32 input columns");
        ck->dl = loud;
        diag_list_free(&mute);
        return;
    }
    if (s->base && !quiet) check_results(ck, s);
    ck->dl = loud;
    const ty *counted = NULL;           /* collect count: the outputs' declared type */
    const ty *elem = result_elem(ck, s, &counted);
    uint32_t nrows = 0;
    for (ast_node *r = d->c; r; r = r->next)
        if (!r->op) nrows++;
    tab_cond *cond = arena_alloc(ck->pool, sizeof(tab_cond) * ((size_t)nrows * s->ncols + 1));
    tab_interval *dom = column_domains(ck, s);
    if (!cond || !dom) return;
    int bad = 0;
    uint32_t row = 0;
    cell_day cd = {.day = ck->have_covers ? ck->covers_from : date_min()};
    walk w;
    ck_walk_init(&w, ck, (int)si);
    w.table = s;
    for (ast_node *r = d->c; r; r = r->next) {
        if (r->op) {
            if (s->else_row && !quiet) ck_err(ck, r, "a table has at most one `else` row");
            if (r->next && !quiet) ck_err(ck, r, "the `else` row must be the last row");
            s->else_row = r;
        } else {
            uint32_t ncells = (uint32_t)ast_list_len(r->a);
            if (ncells != s->ncols) {
                if (!quiet) ck_err(ck, r, "row %u has %u cell%s but table `%s` has %u input column%s", row + 1, ncells,
                    ncells == 1 ? "" : "s", tn, s->ncols, s->ncols == 1 ? "" : "s");
                bad = 1;
                row++;
                continue;
            }
            uint32_t c = 0;
            for (ast_node *cell = r->a; cell; cell = cell->next, c++) {
                tab_interval tmp[64];
                if (ck_is_err(s->col_types[c])) { bad = 1; continue; }
                if (quiet) ck->dl = &mute;
                int n = cell_intervals(ck, cell, s->col_types[c], dom[c], tmp, 64, &cd);
                ck->dl = loud;
                if (n < 0) { bad = 1; continue; }
                tab_interval *iv = arena_alloc(ck->pool, sizeof(tab_interval) * ((size_t)n + 1));
                if (!iv) return;
                memcpy(iv, tmp, sizeof(tab_interval) * (size_t)n);
                cond[(size_t)row * s->ncols + c].n = (uint32_t)n;
                cond[(size_t)row * s->ncols + c].iv = iv;
            }
            row++;
        }
        check_output(&w, s, r, elem, counted);
    }
    if (!quiet && d->b && d->b->kind == AST_TYPE && d->b->b && elem && !ck_is_err(elem))
        check_order(ck, s, d->b->b, elem);
    s->rows.ncols = s->ncols;
    s->rows.nrows = nrows;
    s->rows.domain = dom;
    s->rows.cond = cond;
    s->nversions = 1;
    s->version_from = NULL;
    s->version_rows = &s->rows;
    uint32_t *cp = cd.nparam ? arena_alloc(ck->pool, sizeof(uint32_t) * cd.nparam) : NULL;
    if (cp) memcpy(cp, cd.param, sizeof(uint32_t) * cd.nparam);
    s->cell_params = cp;
    s->ncell_params = cp ? cd.nparam : 0;
    if (quiet) ck->dl = &mute;
    if (!bad && cd.reads_params && table_versions(ck, s, dom, &cd))
        bad = 1;
    ck->dl = loud;
    diag_list_free(&mute);
    if (bad || quiet)
        return;
    int single = d->op == HIT_UNIQUE || d->op == HIT_ANY || d->op == HIT_PRIORITY || d->op == HIT_FIRST;
    if (d->d && !single)
        ck_err(ck, d->d, "only a table of one result (hit unique, any, priority or first) can be partial");
    else if (d->d && s->else_row)
        ck_err(ck, s->else_row, "a partial table has no `else` row: where no row matches it has no value");
    else if (d->d && (s->type->kind == TY_TEXT || !ty_is_scalar(s->type)))
        ck_err(ck, d->d, "a partial table gives a number, an amount, a date, a bool or an enum value");
    /* the else row applies where no row matches, except under the list
     * policies (no match is an empty list): with no gap it never fires */
    int else_applies = s->else_row && (single || d->op2 != COLLECT_LIST);
    int what = TAB_FIND_OVERLAPS | TAB_FIND_SHADOWED;
    if ((single && !s->else_row && !d->d) || else_applies) what |= TAB_FIND_GAPS;
    int gaps = 0, overlaps = 0;
    if (report_findings(ck, s, tn, what, &gaps, &overlaps))
        return;
    if (else_applies && gaps == 0)
        diag_add(ck->dl, DIAG_WARNING, ck->src, s->else_row->loc, NULL,
                 "the `else` row of table `%s` is never used: the rows above match every input", tn);
    else if (s->else_row && !else_applies)
        diag_add(ck->dl, DIAG_WARNING, ck->src, s->else_row->loc, NULL,
                 "the `else` row of table `%s` is never used: where no row matches, a list policy gives an empty list", tn);
    if ((d->op == HIT_FIRST || d->op == HIT_PRIORITY || d->op == HIT_ANY) && overlaps == 0 && nrows > 1)
        diag_add(ck->dl, DIAG_WARNING, ck->src, d->loc, NULL,
                 "no rows of table `%s` overlap: hit policy unique would say so and be checked", tn);
}
