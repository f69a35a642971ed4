/*
 * explain_calc.c - the `calc` member of each explanation step: the
 * computation as a tree of operations, each with its operands' values
 * and its result, recomputed in the decision's frame, which
 * audit/proof.c re-derives from the JSON alone; and the helpers with
 * which both halves of the explainer read the evaluation tree.
 *
 * Part of the explainer (explain_int.h, explain.c).  Like explain.c it
 * never reads the AST or looks a name up by string; a table's argument
 * slots are set as the evaluator sets them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "eval/explain_int.h"
#include "eval/compiled.h"
#include "eval/date.h"
#include "eval/decimal.h"

/* ---- the tree --------------------------------------------------------- */

/* The types of operations whose result type the node kind fixes. */
static const ty T_BOOL = {.kind = TY_BOOL}, T_INT = {.kind = TY_INT},
                T_DECIMAL = {.kind = TY_DECIMAL}, T_DATE = {.kind = TY_DATE};

const ev_def *ex_def_of_slot(const ev_tree *t, int32_t slot)
{
    for (uint32_t i = 0; i < t->ndefs; i++)
        if (t->defs[i].slot == (uint32_t)slot) return &t->defs[i];
    return NULL;
}

const ev_param *ex_param_of_slot(const ev_tree *t, int32_t slot)
{
    for (uint32_t i = 0; i < t->nparams; i++)
        if (t->params[i].slot == (uint32_t)slot) return &t->params[i];
    return NULL;
}

/* The node past int/decimal conversions, which a reader does not see. */
int32_t ex_bare(const ev_tree *t, int32_t i)
{
    while (t->nodes[i].kind == EV_INT_TO_DEC || t->nodes[i].kind == EV_DEC_TO_INT)
        i = t->nodes[i].a;
    return i;
}

/* The type node i's value is shown in. */
const ty *ex_type_of(const ev_tree *t, int32_t i)
{
    switch ((ev_kind)t->nodes[i].kind) {
    case EV_LT: case EV_LE: case EV_GT: case EV_GE: case EV_EQ: case EV_NE: case EV_TEXT_EQ:
    case EV_AND: case EV_OR: case EV_NOT: case EV_ANY: case EV_ALL:
        return &T_BOOL;
    case EV_ADD_INT: case EV_SUB_INT: case EV_MUL_INT: case EV_COUNT: case EV_LIST_LEN:
    case EV_DEC_TO_INT: case EV_SUM_INT:
        return &T_INT;
    case EV_INT_TO_DEC: return &T_DECIMAL;
    case EV_AS_OF: case EV_DATE_ADD_DAYS: case EV_DATE_ADD_MONTHS: case EV_DATE_ADD_YEARS:
        return &T_DATE;
    default:
        break;
    }
    const ty *nt = t->notes ? t->notes[i].type : NULL;
    if (nt && (ty_is_scalar(nt) || nt->kind == TY_LIST || nt->kind == TY_MAP || nt->kind == TY_TEXT))
        return nt;
    return &T_INT;      /* a duration's count of days, months or years */
}

/* The rule of a RULE chain that gave the value: the first whose
 * condition holds, as the evaluator takes it; -1 for the base. */
int32_t ex_rule_node(ev_ctx *c, int32_t root, int32_t *base)
{
    const ev_tree *t = c->tree;
    int32_t i = root;
    while (t->nodes[i].kind == EV_RULE) {
        if (ev_scalar(c, t->nodes[i].a)) { *base = i; return i; }
        i = t->nodes[i].c;
    }
    *base = i;
    return -1;
}

const char *explain_rule(ev_ctx *c, const ev_def *d)
{
    int32_t base;
    int32_t r = ex_rule_node(c, d->root, &base);
    return r < 0 ? NULL : c->tree->rules[c->tree->nodes[r].imm].label;
}

/* ---- the calculation, for checking ------------------------------------ */

/* Node i's value as JSON, recomputed in the frame. */
static void node_value(buf *b, ev_ctx *c, int32_t i)
{
    const ty *vt = ex_type_of(c->tree, i);
    ev_cell v;
    if (ty_is_scalar(vt)) v.i = ev_scalar(c, i);
    else v = ev_value(c, i);
    explain_json_value(b, vt, &v);
}


/* {"op": op, "value": …, "args": [each operand's calculation]} */
static void calc_op(buf *b, ev_ctx *c, int32_t i, const char *op, const int32_t *args, int nargs)
{
    buf_printf(b, "{\"op\":\"%s\",\"value\":", op);
    node_value(b, c, i);
    buf_adds(b, ",\"args\":[");
    for (int k = 0; k < nargs; k++) {
        if (k) buf_addc(b, ',');
        ex_calc(b, c, args[k]);
    }
    buf_adds(b, "]}");
}

static void calc_leaf(buf *b, ev_ctx *c, int32_t i, const char *op, const char *key, const char *name)
{
    buf_printf(b, "{\"op\":\"%s\"", op);
    if (key) {
        buf_printf(b, ",\"%s\":", key);
        buf_json_string(b, name ? name : "", name ? strlen(name) : 0);
    }
    buf_adds(b, ",\"value\":");
    node_value(b, c, i);
    buf_addc(b, '}');
}

/* An aggregation: per element of its list, the filter's calculation
 * (`where`) and, for the elements it keeps, the calculation of the value
 * combined (`value`; a count needs none).  The loop variable's slot is
 * set as the evaluator sets it.  A plain sum of an input field lists the
 * field's values. */
static void calc_agg(buf *b, ev_ctx *c, int32_t i, const char *op)
{
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    buf_printf(b, "{\"op\":\"%s\",\"value\":", op);
    node_value(b, c, i);
    buf_adds(b, ",\"elements\":[");
    ev_cell list = ev_value(c, n->a);
    ev_cell *var = &c->frame[n->imm];
    for (uint32_t k = 0; k < list.l.n; k++) {
        const ev_cell *elem = list.l.base + (size_t)k * list.l.stride;
        if (k) buf_addc(b, ',');
        if (n->kind == EV_SUM_FIELD) {
            explain_json_value(b, ex_type_of(t, i), &elem[n->b]);
            continue;
        }
        if (n->flags & EV_LOOP_BY_VALUE) *var = *elem;
        else var->rec = elem;
        buf_addc(b, '{');
        int kept = n->c < 0 || ev_scalar(c, n->c);
        if (n->c >= 0) {
            buf_adds(b, "\"where\":");
            ex_calc(b, c, n->c);
        }
        if (kept && n->kind != EV_COUNT) {
            buf_adds(b, n->c >= 0 ? ",\"value\":" : "\"value\":");
            ex_calc(b, c, n->b);
        }
        buf_addc(b, '}');
    }
    buf_adds(b, "]}");
}

/* One column's condition in a table row: the intervals it accepts, or
 * for an enum or yes/no column the values. */
static void calc_cond(buf *b, const ty *ct, const ev_cond *cc)
{
    int listed = ct->kind == TY_ENUM || ct->kind == TY_BOOL;
    buf_adds(b, listed ? "{\"one_of\":[" : "{\"in\":[");
    int first = 1;
    for (uint32_t k = 0; k < cc->n; k++) {
        ev_interval iv = cc->iv[k];
        if (listed) {
            int64_t lo = iv.lo < 0 ? 0 : iv.lo;
            int64_t hi = ct->kind == TY_BOOL ? (iv.hi > 1 ? 1 : iv.hi)
                                             : (iv.hi >= (int64_t)ct->en->nvalues ? (int64_t)ct->en->nvalues - 1 : iv.hi);
            for (int64_t v = lo; v <= hi; v++) {
                ev_cell cell;
                cell.i = v;
                if (!first) buf_addc(b, ',');
                first = 0;
                explain_json_value(b, ct, &cell);
            }
            continue;
        }
        if (!first) buf_addc(b, ',');
        first = 0;
        ev_cell lo, hi;
        lo.i = iv.lo;
        hi.i = iv.hi;
        buf_addc(b, '[');
        if (iv.lo == INT64_MIN) buf_adds(b, "null"); else explain_json_value(b, ct, &lo);
        buf_addc(b, ',');
        if (iv.hi == INT64_MAX) buf_adds(b, "null"); else explain_json_value(b, ct, &hi);
        buf_addc(b, ']');
    }
    buf_adds(b, "]}");
}

/* A row's result.  A text table's rows give an index into its texts
 * (tree.h), a constant: the text itself is what the row states. */
static void calc_result(buf *b, ev_ctx *c, const ev_table *et, int32_t out)
{
    if (!et->text) {
        ex_calc(b, c, out);
        return;
    }
    const ev_cell *tx = &et->text[c->tree->nodes[out].imm];
    buf_adds(b, "{\"op\":\"const\",\"value\":");
    buf_json_string(b, tx->s.ptr, tx->s.len);
    buf_addc(b, '}');
}

static void calc_row(buf *b, ev_ctx *c, const ev_table *et, uint32_t r)
{
    if (r == et->nrows) {
        buf_adds(b, "{\"row\":\"else\",\"result\":");
        calc_result(b, c, et, et->else_out);
        buf_addc(b, '}');
        return;
    }
    buf_printf(b, "{\"row\":%u,\"line\":%u", r + 1, et->row_line[r]);
    if (et->row_label[r]) {
        buf_adds(b, ",\"label\":");
        buf_json_string(b, et->row_label[r], strlen(et->row_label[r]));
    }
    buf_adds(b, ",\"conditions\":[");
    for (uint32_t col = 0; col < et->ncols; col++) {
        if (col) buf_addc(b, ',');
        calc_cond(b, et->col_type[col], &et->cond[(size_t)r * et->ncols + col]);
    }
    buf_adds(b, "],\"result\":");
    calc_result(b, c, et, et->out[r]);
    buf_addc(b, '}');
}

/* A table lookup: its arguments, how the rows combine, the rows that
 * matched with their conditions and results, and the rows passed over
 * with their conditions.  The frame's table argument slots are set as
 * the evaluator sets them, since row results may read them. */
static void calc_table(buf *b, ev_ctx *c, int32_t i)
{
    static const char *folds[] = {"list", "sum", "min", "max", "count"};
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    const ev_table *et = ev_table_on(&t->tables[n->imm], c->as_of);   /* cells may read parameters */
    int64_t args[32];
    buf_adds(b, "{\"op\":\"table\",\"table\":");
    buf_json_string(b, et->base ? et->base : et->name, strlen(et->base ? et->base : et->name));
    if (et->base) {
        const char *col = et->name + strlen(et->base) + 1;
        buf_adds(b, ",\"result\":");
        buf_json_string(b, col, strlen(col));
    }
    buf_adds(b, ",\"fold\":\"");
    buf_adds(b, et->hit == 1 ? "any" : et->hit == 2 ? "priority"
              : et->hit == 4 || et->hit == 5 || et->hit == 6 ? folds[et->collect] : "one");
    buf_adds(b, "\",\"value\":");
    node_value(b, c, i);
    buf_adds(b, ",\"args\":[");
    for (uint32_t k = 0; k < et->ncols && k < 32; k++) {
        if (k) buf_addc(b, ',');
        ex_calc(b, c, t->args[n->a + (int32_t)k]);
        args[k] = ev_scalar(c, t->args[n->a + (int32_t)k]);
    }
    for (uint32_t k = 0; k < et->ncols && k < 32; k++)
        c->frame[et->arg_slot + k].i = args[k];
    /* every row is accounted for: matched (rows) or not (passed_over);
     * under hit first the rows after the one taken are not looked at */
    int first = et->hit == 3;
    buf_printf(b, "],\"nrows\":%u%s,\"rows\":[", et->nrows, first ? ",\"first\":true" : "");
    uint32_t nmatch = 0, end = et->nrows;
    for (uint32_t r = 0; r < end; r++) {
        if (!ev_table_row_matches(et, r, args)) continue;
        if (nmatch++) buf_addc(b, ',');
        calc_row(b, c, et, r);
        if (first) end = r;
    }
    if (nmatch == 0 && et->else_out >= 0) calc_row(b, c, et, et->nrows);
    if (nmatch == 0 && et->else_out < 0 && n->c >= 0) {   /* a partial table: value_or's default */
        buf_adds(b, "{\"row\":\"default\",\"conditions\":[],\"result\":");
        calc_result(b, c, et, n->c);
        buf_addc(b, '}');
    }
    buf_adds(b, "],\"passed_over\":[");
    for (uint32_t r = 0, k = 0; r < end; r++) {
        if (ev_table_row_matches(et, r, args)) continue;
        if (k++) buf_addc(b, ',');
        buf_printf(b, "{\"row\":%u,\"conditions\":[", r + 1);
        for (uint32_t col = 0; col < et->ncols; col++) {
            if (col) buf_addc(b, ',');
            calc_cond(b, et->col_type[col], &et->cond[(size_t)r * et->ncols + col]);
        }
        buf_adds(b, "]}");
    }
    buf_adds(b, "]}");
}

static void calc_slot(buf *b, ev_ctx *c, int32_t i)
{
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    const ev_param *p = ex_param_of_slot(t, n->a);
    const ev_def *d = p ? NULL : ex_def_of_slot(t, n->a);
    if (p) {
        char day[16];
        date_format(c->as_of, day);
        buf_adds(b, "{\"op\":\"param\",\"name\":");
        buf_json_string(b, p->name, strlen(p->name));
        buf_printf(b, ",\"read_on\":\"%s\",\"value\":", day);
        node_value(b, c, i);
        buf_addc(b, '}');
    } else {
        calc_leaf(b, c, i, d ? "let" : "value", "name", d ? d->name : t->notes[i].text);
    }
}

static void calc_param_at(buf *b, ev_ctx *c, int32_t i)
{
    const ev_node *n = &c->tree->nodes[i];
    const ev_param *p = &c->tree->params[n->imm];
    char day[16];
    date_format(ev_scalar(c, n->a), day);
    buf_adds(b, "{\"op\":\"param\",\"name\":");
    buf_json_string(b, p->name, strlen(p->name));
    buf_printf(b, ",\"read_on\":\"%s\",\"value\":", day);
    node_value(b, c, i);
    buf_adds(b, ",\"args\":[");
    ex_calc(b, c, n->a);
    buf_adds(b, "]}");
}

/* and/or as evaluated: the second operand only when the first did not
 * decide. */
static void calc_logic(buf *b, ev_ctx *c, int32_t i)
{
    const ev_node *n = &c->tree->nodes[i];
    int64_t a = ev_scalar(c, n->a);
    int decided = n->kind == EV_AND ? !a : a != 0;
    int32_t args[2] = {n->a, n->b};
    calc_op(b, c, i, n->kind == EV_AND ? "and" : "or", args, decided ? 1 : 2);
}

static void calc_round(buf *b, ev_ctx *c, int32_t i)
{
    const ev_node *n = &c->tree->nodes[i];
    char q[64];
    dec_format(n->imm, 0, q);
    buf_printf(b, "{\"op\":\"%s\",\"quantum\":\"%s\",\"mode\":\"%s\",\"value\":",
               n->kind == EV_ROUND ? "round" : "div_round", q, dec_round_mode_name((dec_round_mode)n->flags));
    node_value(b, c, i);
    buf_adds(b, ",\"args\":[");
    ex_calc(b, c, n->a);
    if (n->kind == EV_DIV_ROUND) { buf_addc(b, ','); ex_calc(b, c, n->b); }
    buf_adds(b, "]}");
}

static void calc_if(buf *b, ev_ctx *c, int32_t i)
{
    const ev_node *n = &c->tree->nodes[i];
    int taken = ev_scalar(c, n->a) != 0;
    buf_printf(b, "{\"op\":\"if\",\"branch\":\"%s\",\"value\":", taken ? "then" : "else");
    node_value(b, c, i);
    buf_adds(b, ",\"args\":[");
    ex_calc(b, c, n->a);
    buf_addc(b, ',');
    ex_calc(b, c, taken ? n->b : n->c);
    buf_adds(b, "]}");
}

/* An `unless` chain: the conditions tested, in order, up to the one that
 * applied (applied = its index, or -1 when none did), and the value. */
static void calc_rule(buf *b, ev_ctx *c, int32_t i)
{
    const ev_tree *t = c->tree;
    int32_t base, r = ex_rule_node(c, i, &base);
    buf_adds(b, "{\"op\":\"rule\",\"value\":");
    node_value(b, c, i);
    buf_adds(b, ",\"conditions\":[");
    int k = 0, applied = -1;
    for (int32_t j = i; t->nodes[j].kind == EV_RULE; j = t->nodes[j].c, k++) {
        if (k) buf_addc(b, ',');
        ex_calc(b, c, t->nodes[j].a);
        if (j == r) { applied = k; break; }
    }
    buf_printf(b, "],\"applied\":%d,\"args\":[", applied);
    ex_calc(b, c, r >= 0 ? t->nodes[r].b : base);
    buf_adds(b, "]}");
}

static const char *calc_name(ev_kind k)
{
    switch (k) {
    case EV_ADD_INT: case EV_ADD_DEC: return "add";
    case EV_SUB_INT: case EV_SUB_DEC: return "sub";
    case EV_MUL_INT: case EV_MUL_DEC: case EV_MUL_DEC_INT: return "mul";
    case EV_DIV_DEC: case EV_DIV_DEC_INT: return "div";
    case EV_LT: return "lt";
    case EV_LE: return "le";
    case EV_GT: return "gt";
    case EV_GE: return "ge";
    case EV_EQ: case EV_TEXT_EQ: return "eq";
    case EV_NE: return "ne";
    case EV_MIN2: return "min";
    case EV_MAX2: return "max";
    case EV_NEG: return "neg";
    case EV_NOT: return "not";
    case EV_DATE_ADD_DAYS: return "add_days";
    case EV_DATE_ADD_MONTHS: return "add_months";
    case EV_DATE_ADD_YEARS: return "add_years";
    case EV_COUNT: return "count";
    case EV_SUM_INT: case EV_SUM_DEC: case EV_SUM_FIELD: return "sum";
    case EV_MIN: return "min_of";
    case EV_MAX: return "max_of";
    case EV_ANY: return "any";
    case EV_ALL: return "all";
    default: return NULL;
    }
}

void ex_calc(buf *b, ev_ctx *c, int32_t i)
{
    const ev_tree *t = c->tree;
    i = ex_bare(t, i);
    const ev_node *n = &t->nodes[i];
    const char *op = calc_name((ev_kind)n->kind);
    int32_t args[2] = {n->a, n->b};
    switch ((ev_kind)n->kind) {
    case EV_CONST: calc_leaf(b, c, i, "const", NULL, NULL); return;
    case EV_AS_OF: calc_leaf(b, c, i, "as_of", NULL, NULL); return;
    case EV_FIELD: case EV_TEXT_FIELD: case EV_LIST_FIELD:
        calc_leaf(b, c, i, "input", "field", t->notes[i].text);
        return;
    case EV_LIST_LEN: calc_leaf(b, c, i, "length", "of", t->notes[n->a].text); return;
    case EV_SLOT: case EV_LIST_SLOT: calc_slot(b, c, i); return;
    case EV_PARAM_AT: calc_param_at(b, c, i); return;
    case EV_AND: case EV_OR: calc_logic(b, c, i); return;
    case EV_ROUND: case EV_DIV_ROUND: calc_round(b, c, i); return;
    case EV_IF: calc_if(b, c, i); return;
    case EV_RULE: calc_rule(b, c, i); return;
    case EV_TABLE: calc_table(b, c, i); return;
    case EV_COUNT: case EV_SUM_INT: case EV_SUM_DEC: case EV_SUM_FIELD: case EV_MIN: case EV_MAX:
    case EV_ANY: case EV_ALL:
        calc_agg(b, c, i, op);
        return;
    case EV_NEG: case EV_NOT: calc_op(b, c, i, op, args, 1); return;
    default:
        if (op) calc_op(b, c, i, op, args, 2);
        else calc_leaf(b, c, i, "value", NULL, NULL);   /* lists, maps, texts: stated, not derived */
        return;
    }
}
