/*
 * explain.c - explanations rendered from the evaluation tree (explain.h).
 *
 * Fits after ev_run(): io/json_out.c calls it to write the explanation
 * of a decision.  A step is one let or output in evaluation order: its
 * label, its value, the formula that gave it with every operand's value,
 * the `unless` rule that applied, the margin of a threshold, and the
 * parameters it read.  Each is read off the nodes the evaluation ran:
 * a rule chain is followed to the rule that applied, a table to the rows
 * that matched (the counters), an `x at DATE` to the date it was read
 * on; a let read by the formula brings in what that let used.
 *
 * Words: formulas keep the policy's operators where Chinese has none of
 * its own (`count(…)`, `round(…)`), and say 且/或/并非 for the logic; a
 * yes/no value is stated by its label and marked （成立）or（不成立）,
 * never as bare true/false.  All of them are in WORDS below.
 *
 * What this file does not do: read the AST, look names up by string, or
 * change the frame (values are recomputed, never stored).
 */
#include <string.h>
#include "eval/explain.h"
#include "eval/date.h"
#include "eval/decimal.h"

/* ---- words ------------------------------------------------------------ */

static const struct {
    const char *holds, *fails, *yes, *no, *not_, *and_, *or_, *as_of, *at;
    const char *if_, *then_, *else_, *years, *months, *days;
    const char *up, *down, *then_fails, *then_holds;
} WORDS = {
    "（成立）", "（不成立）", "是", "否", "并非 ", " 且 ", " 或 ", "决定日期", " 于 ",
    "如果 ", " 则 ", " 否则 ", " 年", " 个月", " 天",
    "增加", "减少", "不再满足此条件", "满足此条件",
};

static const char *op_word(ev_kind k)
{
    switch (k) {
    case EV_ADD_INT: case EV_ADD_DEC: return " + ";
    case EV_SUB_INT: case EV_SUB_DEC: return " - ";
    case EV_MUL_INT: case EV_MUL_DEC: case EV_MUL_DEC_INT: return " × ";
    case EV_DIV_DEC: case EV_DIV_DEC_INT: return " ÷ ";
    case EV_LT: return " < ";
    case EV_LE: return " ≤ ";
    case EV_GT: return " > ";
    case EV_GE: return " ≥ ";
    case EV_EQ: case EV_TEXT_EQ: return " = ";
    case EV_NE: return " ≠ ";
    case EV_AND: return WORDS.and_;
    case EV_OR: return WORDS.or_;
    default: return NULL;
    }
}

/* ---- values ----------------------------------------------------------- */

void explain_json_value(buf *b, const ty *t, const ev_cell *v)
{
    char tmp[64];
    switch (t->kind) {
    case TY_BOOL: buf_adds(b, v->i ? "true" : "false"); break;
    case TY_INT: buf_printf(b, "%lld", (long long)v->i); break;
    case TY_MONEY: case TY_DECIMAL: case TY_NUMBER: case TY_DATE: case TY_ENUM:
        ev_format_scalar(t, v->i, tmp);
        buf_json_string(b, tmp, strlen(tmp));
        break;
    case TY_TEXT: buf_json_string(b, v->s.ptr, v->s.len); break;
    case TY_LIST:
        buf_addc(b, '[');
        for (uint32_t i = 0; i < v->l.n; i++) {
            if (i) buf_addc(b, ',');
            explain_json_value(b, t->elem, v->l.base + (size_t)i * v->l.stride);
        }
        buf_addc(b, ']');
        break;
    case TY_MAP:
        buf_addc(b, '{');
        for (uint32_t i = 0; i < v->l.n; i++) {
            if (i) buf_addc(b, ',');
            const ev_cell *k = v->l.base + 2 * (size_t)i;
            buf_json_string(b, k->s.ptr, k->s.len);
            buf_addc(b, ':');
            explain_json_value(b, t->elem, k + 1);
        }
        buf_addc(b, '}');
        break;
    default: buf_adds(b, "null"); break;
    }
}

/* A value for people (no quotes): "860.00", an enum's label, 是/否. */
static void text_value(buf *b, const ty *t, const ev_cell *v)
{
    char tmp[64];
    if (t->kind == TY_BOOL) {
        buf_adds(b, v->i ? WORDS.yes : WORDS.no);
    } else if (t->kind == TY_ENUM && v->i >= 0 && (uint64_t)v->i < t->en->nvalues && t->en->labels[v->i]) {
        buf_adds(b, t->en->labels[v->i]);
    } else if (ty_is_scalar(t)) {
        buf_adds(b, ev_format_scalar(t, v->i, tmp));
    } else if (t->kind == TY_TEXT) {
        buf_add(b, v->s.ptr, v->s.len);
    } else if (t->kind == TY_LIST || t->kind == TY_MAP) {
        buf_addc(b, '[');
        for (uint32_t i = 0; i < v->l.n; i++) {
            if (i) buf_adds(b, ", ");
            if (t->kind == TY_MAP) {
                const ev_cell *k = v->l.base + 2 * (size_t)i;
                buf_add(b, k->s.ptr, k->s.len);
                buf_adds(b, ": ");
                text_value(b, t->elem, k + 1);
            } else {
                text_value(b, t->elem, v->l.base + (size_t)i * v->l.stride);
            }
        }
        buf_addc(b, ']');
    }
}

/* A label template with its holes filled from the frame. */
static void fill(buf *b, const char *l, const ev_hole *holes, uint32_t nholes, const ev_cell *frame)
{
    uint32_t at = 0;
    for (uint32_t i = 0; i < nholes; i++) {
        buf_add(b, l + at, holes[i].start - at);
        text_value(b, holes[i].type, &frame[holes[i].slot]);
        at = holes[i].end;
    }
    buf_adds(b, l + at);
}

void explain_label(buf *b, const ev_def *d, const ev_cell *frame)
{
    if (d->label_false && !frame[d->slot].i)
        fill(b, d->label_false, d->holes_false, d->nholes_false, frame);
    else
        fill(b, d->label ? d->label : d->name, d->holes, d->nholes, frame);
}

/* ---- the tree --------------------------------------------------------- */

/* The types of operations whose result type the node kind fixes. */
static const ty T_BOOL = {.kind = TY_BOOL}, T_INT = {.kind = TY_INT},
                T_DECIMAL = {.kind = TY_DECIMAL}, T_DATE = {.kind = TY_DATE};

static const ev_def *def_of_slot(const ev_tree *t, int32_t slot)
{
    for (uint32_t i = 0; i < t->ndefs; i++)
        if (t->defs[i].slot == (uint32_t)slot) return &t->defs[i];
    return NULL;
}

static const ev_param *param_of_slot(const ev_tree *t, int32_t slot)
{
    for (uint32_t i = 0; i < t->nparams; i++)
        if (t->params[i].slot == (uint32_t)slot) return &t->params[i];
    return NULL;
}

/* The node past int/decimal conversions, which a reader does not see. */
static int32_t bare(const ev_tree *t, int32_t i)
{
    while (t->nodes[i].kind == EV_INT_TO_DEC || t->nodes[i].kind == EV_DEC_TO_INT)
        i = t->nodes[i].a;
    return i;
}

/* The type node i's value is shown in. */
static const ty *type_of(const ev_tree *t, int32_t i)
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
    return nt ? nt : &T_INT;
}

/* The rule of a RULE chain that gave the value: the first whose
 * condition holds, as the evaluator takes it; -1 for the base. */
static int32_t rule_node(ev_ctx *c, int32_t root, int32_t *base)
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
    int32_t r = rule_node(c, d->root, &base);
    return r < 0 ? NULL : c->tree->rules[c->tree->nodes[r].imm].label;
}

/* ---- formulas --------------------------------------------------------- */

static int prec(const ev_tree *t, int32_t i)
{
    switch ((ev_kind)t->nodes[bare(t, i)].kind) {
    case EV_OR: return 1;
    case EV_AND: return 2;
    case EV_LT: case EV_LE: case EV_GT: case EV_GE: case EV_EQ: case EV_NE: case EV_TEXT_EQ: return 3;
    case EV_ADD_INT: case EV_SUB_INT: case EV_ADD_DEC: case EV_SUB_DEC: return 4;
    case EV_MUL_INT: case EV_MUL_DEC: case EV_MUL_DEC_INT: case EV_DIV_DEC: case EV_DIV_DEC_INT: return 5;
    default: return 9;
    }
}

static void render(buf *b, ev_ctx *c, int32_t i, int in_loop);

/* Node i's value after it, in full-width parentheses; a yes/no value
 * says whether the statement before it holds. */
static void value_after(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ty *vt = type_of(c->tree, i);
    if (in_loop || !ty_is_scalar(vt)) return;
    ev_cell v;
    v.i = ev_scalar(c, i);
    if (vt->kind == TY_BOOL) {
        buf_adds(b, v.i ? WORDS.holds : WORDS.fails);
        return;
    }
    buf_adds(b, "（");
    text_value(b, vt, &v);
    buf_adds(b, "）");
}

/* Operand i of an operation of precedence p: parenthesised when it binds
 * more loosely, and 且 inside 或 (or the reverse) always. */
static void render_child(buf *b, ev_ctx *c, int32_t i, int p, int in_loop)
{
    int q = prec(c->tree, i);
    int paren = q < p || ((q == 1 || q == 2) && (p == 1 || p == 2) && q != p);
    if (paren) buf_addc(b, '(');
    render(b, c, i, in_loop);
    if (paren) buf_addc(b, ')');
}

/* A let, output or parameter read by its slot. */
static void render_slot(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    const ev_def *d = def_of_slot(t, n->a);
    const char *text = t->notes[i].text;
    if (d && d->type->kind == TY_BOOL) {
        /* the statement the label makes, and whether it holds */
        fill(b, d->label ? d->label : d->name, d->holes, d->nholes, c->frame);
        if (!in_loop) buf_adds(b, c->frame[d->slot].i ? WORDS.holds : WORDS.fails);
        return;
    }
    if (d && !in_loop) explain_label(b, d, c->frame);
    else buf_adds(b, text ? text : "?");
    if (!in_loop && (d || param_of_slot(t, n->a)) && ty_is_scalar(type_of(t, i))) {
        buf_addc(b, ' ');
        text_value(b, type_of(t, i), &c->frame[n->a]);
    }
}

/* `not x` of a yes/no let with an `else` label: that label is the
 * statement, so there is no 并非 to read through. */
static int render_not(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    const ev_node *x = &t->nodes[t->nodes[i].a];
    const ev_def *d = x->kind == EV_SLOT ? def_of_slot(t, x->a) : NULL;
    if (!d || !d->label_false) return 0;
    fill(b, d->label_false, d->holes_false, d->nholes_false, c->frame);
    if (!in_loop) buf_adds(b, c->frame[d->slot].i ? WORDS.fails : WORDS.holds);
    return 1;
}

static void render_agg(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    static const char *names[] = {
        [EV_COUNT] = "count", [EV_SUM_INT] = "sum", [EV_SUM_DEC] = "sum", [EV_MIN] = "min",
        [EV_MAX] = "max", [EV_ANY] = "any", [EV_ALL] = "all", [EV_MAP] = "map",
    };
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    buf_printf(b, "%s(", names[n->kind]);
    if (n->kind == EV_MAP) {
        render(b, c, t->args[n->b], 1);
        buf_adds(b, " => ");
        render(b, c, t->args[n->b + 1], 1);
        buf_adds(b, " for ");
    } else if (n->kind != EV_COUNT) {
        render(b, c, n->b, 1);
        buf_adds(b, " for ");
    }
    buf_printf(b, "%s in ", t->notes[i].text ? t->notes[i].text : "x");
    render(b, c, n->a, 1);
    if (n->c >= 0) {
        buf_adds(b, " where ");
        render(b, c, n->c, 1);
    }
    buf_addc(b, ')');
    value_after(b, c, i, in_loop);
}

static void render_call(buf *b, ev_ctx *c, const char *name, int32_t x, int32_t y, int32_t i, int in_loop)
{
    buf_printf(b, "%s(", name);
    render(b, c, x, in_loop);
    if (y >= 0) {
        buf_adds(b, c->tree->nodes[i].kind == EV_DIV_ROUND ? op_word(EV_DIV_DEC) : ", ");
        render(b, c, y, in_loop);
    }
    buf_addc(b, ')');
    value_after(b, c, i, in_loop);
}

static void render_table(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    const ev_table *et = &t->tables[n->imm];
    buf_printf(b, "%s(", et->label ? et->label : et->name);
    for (int32_t k = 0; k < n->b; k++) {
        if (k) buf_adds(b, ", ");
        render(b, c, t->args[n->a + k], in_loop);
    }
    buf_addc(b, ')');
    value_after(b, c, i, in_loop);
}

static void render_const(buf *b, const ev_tree *t, int32_t i)
{
    const ev_node *n = &t->nodes[i];
    const ty *vt = type_of(t, i);
    if (vt->kind == TY_TEXT) {
        buf_printf(b, "\"%.*s\"", n->b, (const char *)(intptr_t)n->imm);
        return;
    }
    ev_cell v;
    v.i = n->imm;
    text_value(b, vt, &v);
}

static void render_date_add(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    render(b, c, n->a, in_loop);
    int32_t k = n->b;
    if (t->nodes[k].kind == EV_NEG) { buf_adds(b, " - "); k = t->nodes[k].a; }
    else if (t->nodes[k].kind == EV_CONST && t->nodes[k].imm < 0) {
        buf_printf(b, " - %lld", -(long long)t->nodes[k].imm);
        k = -1;
    } else buf_adds(b, " + ");
    if (k >= 0) render(b, c, k, 1);
    buf_adds(b, n->kind == EV_DATE_ADD_YEARS ? WORDS.years : n->kind == EV_DATE_ADD_MONTHS ? WORDS.months
                                                                                         : WORDS.days);
}

static void render(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    i = bare(t, i);
    const ev_node *n = &t->nodes[i];
    const char *op = op_word((ev_kind)n->kind);
    if (op) {
        render_child(b, c, n->a, prec(t, i), in_loop);
        buf_adds(b, op);
        render_child(b, c, n->b, prec(t, i) + 1, in_loop);
        return;
    }
    switch ((ev_kind)n->kind) {
    case EV_CONST: render_const(b, t, i); break;
    case EV_SLOT: case EV_LIST_SLOT: render_slot(b, c, i, in_loop); break;
    case EV_FIELD: case EV_TEXT_FIELD: case EV_LIST_FIELD:
        buf_adds(b, t->notes[i].text ? t->notes[i].text : "?");
        if (n->a == 0) value_after(b, c, i, in_loop);   /* a field of the input itself */
        break;
    case EV_AS_OF: buf_adds(b, WORDS.as_of); value_after(b, c, i, in_loop); break;
    case EV_NEG: buf_addc(b, '-'); render_child(b, c, n->a, 9, in_loop); break;
    case EV_NOT:
        if (render_not(b, c, i, in_loop)) break;
        buf_adds(b, WORDS.not_);
        render_child(b, c, n->a, 9, in_loop);
        break;
    case EV_IF:
        buf_adds(b, WORDS.if_); render(b, c, n->a, in_loop);
        buf_adds(b, WORDS.then_); render(b, c, n->b, in_loop);
        buf_adds(b, WORDS.else_); render(b, c, n->c, in_loop);
        break;
    case EV_ROUND: render_call(b, c, "round", n->a, -1, i, in_loop); break;
    case EV_DIV_ROUND: render_call(b, c, "round", n->a, n->b, i, in_loop); break;
    case EV_MIN2: render_call(b, c, "min", n->a, n->b, i, in_loop); break;
    case EV_MAX2: render_call(b, c, "max", n->a, n->b, i, in_loop); break;
    case EV_DATE_ADD_DAYS: case EV_DATE_ADD_MONTHS: case EV_DATE_ADD_YEARS:
        render_date_add(b, c, i, in_loop);
        break;
    case EV_PARAM_AT: {
        const ev_param *p = &t->params[n->imm];
        buf_adds(b, p->label ? p->label : p->name);
        buf_adds(b, WORDS.at);
        render(b, c, n->a, in_loop);
        value_after(b, c, i, in_loop);
        break;
    }
    case EV_LIST_LEN: render_call(b, c, "count", n->a, -1, i, in_loop); break;
    case EV_SUM_FIELD:
        buf_printf(b, "sum(%s for ", t->notes[i].text ? t->notes[i].text : "?");
        render(b, c, n->a, 1);
        buf_addc(b, ')');
        value_after(b, c, i, in_loop);
        break;
    case EV_COUNT: case EV_SUM_INT: case EV_SUM_DEC: case EV_MIN: case EV_MAX:
    case EV_ANY: case EV_ALL: case EV_MAP:
        render_agg(b, c, i, in_loop);
        break;
    case EV_LIST_LIT:
        buf_addc(b, '[');
        for (int32_t k = 0; k < n->b; k++) {
            if (k) buf_adds(b, ", ");
            render(b, c, t->args[n->a + k], in_loop);
        }
        buf_addc(b, ']');
        break;
    case EV_TABLE: render_table(b, c, i, in_loop); break;
    default: buf_adds(b, "…"); break;
    }
}

/* ---- margins ---------------------------------------------------------- */

/* Threshold steps (a comparison at the top): how far the left side is
 * from flipping the result, in the smallest unit of its type. */
static void write_margin(buf *b, ev_ctx *c, int32_t root)
{
    const ev_tree *t = c->tree;
    const ev_node *e = &t->nodes[root];
    if (e->kind < EV_LT || e->kind > EV_GE) return;
    const ty *vt = type_of(t, e->a);
    if (!(ty_is_decimal_like(vt) || vt->kind == TY_INT)) return;
    if (vt->kind == TY_DECIMAL && ty_is_decimal_like(type_of(t, bare(t, e->b))))
        vt = type_of(t, bare(t, e->b));
    if (vt->kind == TY_DECIMAL && type_of(t, bare(t, e->a))->kind == TY_MONEY)
        vt = type_of(t, bare(t, e->a));
    int64_t a = ev_scalar(c, e->a), bv = ev_scalar(c, e->b);
    int64_t unit = vt->kind == TY_INT ? 1 : vt->kind == TY_MONEY ? 10000 : 1;
    int holds = ev_scalar(c, root) != 0;
    int64_t m;     /* how much the left side may change before the result flips */
    const char *dir;
    switch ((ev_kind)e->kind) {
    case EV_LT: m = holds ? bv - a : a - bv + unit; dir = holds ? WORDS.up : WORDS.down; break;
    case EV_LE: m = holds ? bv - a + unit : a - bv; dir = holds ? WORDS.up : WORDS.down; break;
    case EV_GT: m = holds ? a - bv : bv - a + unit; dir = holds ? WORDS.down : WORDS.up; break;
    default: m = holds ? a - bv + unit : bv - a; dir = holds ? WORDS.down : WORDS.up; break;
    }
    char v[64];
    ev_format_scalar(vt, m, v);
    buf_adds(b, ",\"margin\":{\"amount\":");
    buf_json_string(b, v, strlen(v));
    buf_adds(b, ",\"text\":");
    buf tx;
    buf_init(&tx);
    render(&tx, c, e->a, 1);
    buf_printf(&tx, " %s %s 即%s", dir, v, holds ? WORDS.then_fails : WORDS.then_holds);
    if (tx.failed) b->failed = 1;
    buf_json_string(b, tx.data ? tx.data : "", tx.len);
    buf_free(&tx);
    buf_addc(b, '}');
}

/* ---- what a step used ------------------------------------------------- */

#define MAX_USED 128

typedef struct used {
    const ev_param *param[MAX_USED];
    int64_t day[MAX_USED];      /* the date each was read on */
    uint32_t nparams;
    const ev_def *def[MAX_USED];/* lets already followed */
    uint32_t ndefs;
    const uint32_t *cov;
} used;

static void use_param(used *u, const ev_param *p, int64_t day)
{
    for (uint32_t k = 0; k < u->nparams; k++)
        if (u->param[k] == p && u->day[k] == day) return;
    if (u->nparams == MAX_USED) return;
    u->param[u->nparams] = p;
    u->day[u->nparams++] = day;
}

static void collect(used *u, ev_ctx *c, int32_t i, int in_loop);

static void collect_def(used *u, ev_ctx *c, const ev_def *d)
{
    for (uint32_t k = 0; k < u->ndefs; k++)
        if (u->def[k] == d) return;
    if (u->ndefs == MAX_USED) return;
    u->def[u->ndefs++] = d;
    collect(u, c, d->root, 0);
}

/* The rows of a table that matched (by the counters), and the else row. */
static void collect_table(used *u, ev_ctx *c, const ev_node *n, int in_loop)
{
    const ev_tree *t = c->tree;
    const ev_table *et = &t->tables[n->imm];
    for (int32_t k = 0; k < n->b; k++)
        collect(u, c, t->args[n->a + k], in_loop);
    for (uint32_t r = 0; u->cov && r < et->nrows; r++)
        if (u->cov[et->first_cov + r]) collect(u, c, et->out[r], 1);
    if (et->else_out >= 0 && (!u->cov || u->cov[et->first_cov + et->nrows]))
        collect(u, c, et->else_out, 1);
}

/* The parameters node i read, following only the branches evaluation
 * took (inside a loop, where values change per element, every branch). */
static void collect(used *u, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    if (i < 0) return;
    const ev_node *n = &t->nodes[i];
    switch ((ev_kind)n->kind) {
    case EV_CONST: case EV_AS_OF: case EV_FIELD: case EV_TEXT_FIELD: case EV_LIST_FIELD:
        return;
    case EV_SLOT: case EV_LIST_SLOT: {
        const ev_param *p = param_of_slot(t, n->a);
        const ev_def *d = p ? NULL : def_of_slot(t, n->a);
        if (p) use_param(u, p, c->as_of);
        if (d) collect_def(u, c, d);
        return;
    }
    case EV_PARAM_AT:
        collect(u, c, n->a, in_loop);
        if (!in_loop) use_param(u, &t->params[n->imm], ev_scalar(c, n->a));
        return;
    case EV_RULE:
        if (!in_loop) {
            int32_t base, r = rule_node(c, i, &base);
            for (int32_t k = i; k != base; k = t->nodes[k].c)
                collect(u, c, t->nodes[k].a, 0);
            collect(u, c, r >= 0 ? t->nodes[r].a : -1, 0);
            collect(u, c, r >= 0 ? t->nodes[r].b : base, 0);
            return;
        }
        break;
    case EV_IF:
        if (!in_loop) {
            collect(u, c, n->a, 0);
            collect(u, c, ev_scalar(c, n->a) ? n->b : n->c, 0);
            return;
        }
        break;
    case EV_TABLE: collect_table(u, c, n, in_loop); return;
    case EV_LIST_LIT:
        for (int32_t k = 0; k < n->b; k++) collect(u, c, t->args[n->a + k], in_loop);
        return;
    case EV_MAP:
        collect(u, c, n->a, in_loop);
        collect(u, c, t->args[n->b], 1);
        collect(u, c, t->args[n->b + 1], 1);
        collect(u, c, n->c, 1);
        return;
    case EV_SUM_FIELD: case EV_LIST_LEN:
        collect(u, c, n->a, in_loop);
        return;
    case EV_COUNT: case EV_SUM_INT: case EV_SUM_DEC: case EV_MIN: case EV_MAX: case EV_ANY: case EV_ALL:
        collect(u, c, n->a, in_loop);
        collect(u, c, n->b, 1);
        collect(u, c, n->c, 1);
        return;
    default:
        break;
    }
    collect(u, c, n->a, in_loop);
    collect(u, c, n->b, in_loop);
    collect(u, c, n->c, in_loop);
}

/* The version of p in force on day (as ev_bind finds it), or -1. */
static int32_t version_on(const ev_param *p, int64_t day)
{
    for (uint32_t k = 0; k < p->nvalues; k++)
        if (p->from[k] <= day && day <= p->until[k]) return (int32_t)k;
    return -1;
}

static void write_param(buf *b, const ev_param *p, int64_t day)
{
    char d[16];
    int32_t k = version_on(p, day);
    buf_adds(b, "{\"name\":");
    buf_json_string(b, p->name, strlen(p->name));
    if (p->label) { buf_adds(b, ",\"label\":"); buf_json_string(b, p->label, strlen(p->label)); }
    buf_adds(b, ",\"value\":");
    if (k >= 0) explain_json_value(b, p->type, &p->value[k]);
    else buf_adds(b, "null");
    date_format(day, d);
    buf_printf(b, ",\"read_on\":\"%s\"", d);
    if (k >= 0) {
        date_format(p->from[k], d);
        buf_printf(b, ",\"in_force_from\":\"%s\"", d);
        if (p->until[k] != INT64_MAX) {
            date_format(p->until[k], d);
            buf_printf(b, ",\"in_force_until\":\"%s\"", d);
        }
        if (p->source[k]) { buf_adds(b, ",\"source\":"); buf_json_string(b, p->source[k], strlen(p->source[k])); }
    }
    buf_addc(b, '}');
}

/* ---- steps ------------------------------------------------------------ */

static void add_text(buf *b, buf *tx)
{
    if (tx->failed) b->failed = 1;
    buf_json_string(b, tx->data ? tx->data : "", tx->len);
    buf_reset(tx);
}

static void write_step(buf *b, ev_ctx *c, const ev_def *d, const uint32_t *cov)
{
    const ev_tree *t = c->tree;
    buf tx;
    buf_init(&tx);
    buf_adds(b, "{\"name\":");
    buf_json_string(b, d->name, strlen(d->name));
    buf_adds(b, d->is_output ? ",\"kind\":\"output\"" : ",\"kind\":\"let\"");
    explain_label(&tx, d, c->frame);
    buf_adds(b, ",\"label\":");
    add_text(b, &tx);
    buf_adds(b, ",\"value\":");
    explain_json_value(b, d->type, &c->frame[d->slot]);
    int32_t base, r = rule_node(c, d->root, &base);
    render(&tx, c, r >= 0 ? t->nodes[r].b : base, 0);
    buf_adds(b, ",\"formula\":");
    add_text(b, &tx);
    if (r >= 0) {
        const char *label = t->rules[t->nodes[r].imm].label;
        if (label) buf_printf(&tx, "%s:", label);
        render(&tx, c, t->nodes[r].a, 0);
        buf_adds(b, ",\"rule\":");
        add_text(b, &tx);
    }
    buf_free(&tx);
    buf_printf(b, ",\"line\":%u", d->line);
    if (r < 0) write_margin(b, c, base);
    used u;
    u.nparams = u.ndefs = 0;
    u.cov = cov;
    u.def[u.ndefs++] = d;
    collect(&u, c, d->root, 0);
    buf_adds(b, ",\"parameters\":[");
    for (uint32_t k = 0; k < u.nparams; k++) {
        if (k) buf_addc(b, ',');
        write_param(b, u.param[k], u.day[k]);
    }
    buf_adds(b, "]}");
}

static void write_table_rows(buf *b, const ev_tree *t, const uint32_t *cov)
{
    int first = 1;
    buf_adds(b, ",\"table_rows\":[");
    for (uint32_t k = 0; cov && k < t->ntables; k++) {
        const ev_table *et = &t->tables[k];
        for (uint32_t r = 0; r <= et->nrows; r++) {
            uint32_t hits = cov[et->first_cov + r];
            if (!hits) continue;
            const char *label = r < et->nrows ? et->row_label[r] : et->else_label;
            if (!first) buf_addc(b, ',');
            first = 0;
            buf_adds(b, "{\"table\":");
            buf_json_string(b, et->name, strlen(et->name));
            if (r < et->nrows) buf_printf(b, ",\"row\":%u,\"line\":%u", r + 1, et->row_line[r]);
            else buf_adds(b, ",\"row\":\"else\"");
            if (label) { buf_adds(b, ",\"label\":"); buf_json_string(b, label, strlen(label)); }
            buf_printf(b, ",\"matches\":%u}", hits);
        }
    }
    buf_addc(b, ']');
}

void explain_steps(buf *b, ev_ctx *c, const uint32_t *cov)
{
    const ev_tree *t = c->tree;
    uint32_t *counting = c->cov;
    c->cov = NULL;
    buf_adds(b, ",\"steps\":[");
    for (uint32_t i = 0; i < t->ndefs; i++) {
        if (i) buf_addc(b, ',');
        write_step(b, c, &t->defs[i], cov);
    }
    buf_addc(b, ']');
    write_table_rows(b, t, cov);
    c->cov = counting;
}
