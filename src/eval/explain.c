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
 * Each step also carries `calc`, the same computation as a tree of
 * operations with their operands' values and results, which
 * audit/proof.c re-derives from the JSON alone (explain_calc.c writes
 * it); and explain_text() writes the whole account as plain Chinese for
 * the citizen.
 *
 * Words: formulas keep + - × ÷ and the comparisons, say 且/或/并非 for
 * the logic and aggregations, rounding and min/max in words (家庭成员的
 * 月收入合计); a yes/no value is stated by its label and marked （成立）
 * or（不成立）, never as bare true/false.  The words are in WORDS below,
 * except a few joining particles written where they join (的, 即, 因为).
 *
 * What this file does not do: read the AST, look names up by string, or
 * store a value in the frame (values are recomputed), except where it
 * re-enacts evaluation: a loop variable's slot per element and a table's
 * argument slots, set as the evaluator sets them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "eval/explain_int.h"
#include "eval/compiled.h"
#include "eval/date.h"
#include "eval/decimal.h"

/* ---- words ------------------------------------------------------------ */

static const struct {
    /* formulas */
    const char *holds, *fails, *yes, *no, *not_, *and_, *or_, *as_of, *at, *in_force_then;
    const char *if_, *then_, *else_, *years, *months, *days;
    const char *up, *down, *then_fails, *then_holds;
    /* aggregations and functions, as templates of their parts */
    const char *count, *count_where, *where_of, *sum, *min_of, *max_of, *any, *all, *map;
    const char *smaller, *larger, *round_to;
    const char *modes[7];   /* dec_round_mode, in its order */
    /* the citizen's text (explain_text) */
    const char *decided_on, *decision, *reasons, *grounds, *yuan, *gives, *exception, *margin;
    const char *no_row_default, *result_of;
    const char *in_force, *until, *read_on, *source, *no_source, *assumed, *row, *cites;
    const char *warning, *because;
    const char *range_min, *range_max, *range_to;     /* a range output's ends */
} WORDS = {
    .holds = "（成立）", .fails = "（不成立）", .yes = "是", .no = "否",
    .not_ = "并非 ", .and_ = " 且 ", .or_ = " 或 ",
    .as_of = "决定日期", .at = " 于 ", .in_force_then = " 在效的值",
    .if_ = "如果 ", .then_ = " 则 ", .else_ = " 否则 ",
    .years = " 年", .months = " 个月", .days = " 天",
    .up = "增加", .down = "减少", .then_fails = "不再满足此条件", .then_holds = "满足此条件",
    .count = "的数量", .count_where = "中满足“%s”的数量", .where_of = "中满足“%s”者",
    .sum = "合计", .min_of = "最小值", .max_of = "最大值",
    .any = "中有满足“%s”者", .all = "均满足“%s”", .map = "各自的",
    .smaller = "%s 与 %s 中较小者", .larger = "%s 与 %s 中较大者", .round_to = ",%s到 %s",
    .modes = {"四舍五入", "五舍六入", "四舍六入五成双", "进位", "舍去", "向上取整", "向下取整"},
    .decided_on = "决定日期:", .decision = "一、决定", .reasons = "二、理由", .grounds = "三、依据",
    .yuan = " 元", .gives = ",得 ", .exception = "适用例外规定:", .margin = "距离临界:",
    .no_row_default = "(表中无对应行,取默认值)", .result_of = "中的“%s”",
    .in_force = ",自 %s 起施行", .until = ",至 %s 止", .read_on = ",按 %s 在效的数值适用",
    .source = "。出处:", .no_source = "。出处未载", .assumed = "。未见文件依据,系假定:", .row = "第 %u 行", .cites = "政策依据:",
    .warning = "提示(不影响决定):", .because = ",因为",
    .range_min = "(下限)", .range_max = "(上限)", .range_to = " 至 ",
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
    case TY_INT: buf_add(b, tmp, int_format(v->i, tmp)); break;
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

/* A scalar as ev_format_scalar() writes it.  A number is written with
 * the length its formatter returns (no ev_format_scalar() call and no
 * strlen() of the copy): labels fill two or three of them into every
 * reason of every decision. */
static void scalar_text(buf *b, const ty *t, int64_t v, char *tmp)
{
    switch (t->kind) {
    case TY_INT: buf_addn(b, tmp, int_format(v, tmp)); break;
    case TY_MONEY: buf_addn(b, tmp, dec_format(v, 2, tmp)); break;
    case TY_DECIMAL: case TY_NUMBER: buf_addn(b, tmp, dec_format(v, 0, tmp)); break;
    default: buf_adds(b, ev_format_scalar(t, v, tmp)); break;
    }
}

/* A value for people (no quotes): "860.00", an enum's label, 是/否, a
 * percentage's 80%. */
static void text_value(buf *b, const ty *t, const ev_cell *v)
{
    char tmp[64];
    if (t->kind == TY_BOOL) {
        buf_adds(b, v->i ? WORDS.yes : WORDS.no);
    } else if (t->kind == TY_ENUM && v->i >= 0 && (uint64_t)v->i < t->en->nvalues && t->en->labels[v->i]) {
        buf_adds(b, t->en->labels[v->i]);
    } else if (ty_is_percent(t) && (t->kind == TY_INT || (v->i > INT64_MIN / 100 && v->i < INT64_MAX / 100))) {
        if (t->kind == TY_INT)
            buf_printf(b, "%lld", (long long)v->i);     /* int unit %: 80 is 80% */
        else
            buf_add(b, tmp, dec_format(v->i * 100, 0, tmp));   /* decimal 0.80 is 80% */
        buf_addc(b, '%');
    } else if (ty_is_scalar(t)) {
        scalar_text(b, t, v->i, tmp);
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

/* A label's value.  Money and ints, most holes of a civil label (eight
 * an answer of tianjin.dibao), are formatted straight into the buffer
 * when it has room, as scalar_text() would write them: no copy through
 * a temporary and none of text_value()'s tests before it. */
#define HOLE_ROOM 32    /* what dec_format() and int_format() may write */
void explain_hole(buf *b, const ev_hole *h, const ev_cell *frame)
{
    const ty *t = h->type;
    int64_t v = frame[h->slot].i;
    if ((t->kind == TY_MONEY || t->kind == TY_INT) && !ty_is_percent(t) && !b->failed &&
        b->cap - b->len > HOLE_ROOM) {
        b->len += t->kind == TY_MONEY ? dec_format(v, 2, b->data + b->len)
                                      : int_format(v, b->data + b->len);
        return;
    }
    text_value(b, t, &frame[h->slot]);
}

/* A label template with its holes filled from the frame. */
static void fill(buf *b, const char *l, const ev_hole *holes, uint32_t nholes, const ev_cell *frame)
{
    uint32_t at = 0;
    for (uint32_t i = 0; i < nholes; i++) {
        buf_addn(b, l + at, holes[i].start - at);
        explain_hole(b, &holes[i], frame);
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
    if (d->range_end && d->label)       /* one end of a range output: which one */
        buf_adds(b, d->range_end == 1 ? WORDS.range_min : WORDS.range_max);
}

/* ---- formulas --------------------------------------------------------- */

static int prec(const ev_tree *t, int32_t i)
{
    switch ((ev_kind)t->nodes[ex_bare(t, i)].kind) {
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
    const ty *vt = ex_type_of(c->tree, i);
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
    const ev_def *d = ex_def_of_slot(t, n->a);
    const char *text = t->notes[i].text;
    if (d && d->type->kind == TY_BOOL) {
        /* the statement the label makes, and whether it holds */
        fill(b, d->label ? d->label : d->name, d->holes, d->nholes, c->frame);
        if (!in_loop) buf_adds(b, c->frame[d->slot].i ? WORDS.holds : WORDS.fails);
        return;
    }
    if (d) explain_label(b, d, c->frame);     /* a let's value is the same in a loop */
    else buf_adds(b, text ? text : "?");
    if (!in_loop && (d || ex_param_of_slot(t, n->a)) && ty_is_scalar(ex_type_of(t, i))) {
        buf_addc(b, ' ');
        text_value(b, ex_type_of(t, i), &c->frame[n->a]);
    }
}

/* `not x` of a yes/no let with an `else` label: that label is the
 * statement, so there is no 并非 to read through. */
static int render_not(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    const ev_node *x = &t->nodes[t->nodes[i].a];
    const ev_def *d = x->kind == EV_SLOT ? ex_def_of_slot(t, x->a) : NULL;
    if (!d || !d->label_false) return 0;
    fill(b, d->label_false, d->holes_false, d->nholes_false, c->frame);
    if (!in_loop) buf_adds(b, c->frame[d->slot].i ? WORDS.fails : WORDS.holds);
    return 1;
}

/* Node i rendered into a scratch buffer (for a template's %s). */
static const char *rendered(ev_ctx *c, int32_t i, int in_loop, buf *scratch)
{
    buf_reset(scratch);
    if (i >= 0) render(scratch, c, i, in_loop);
    return buf_cstr(scratch);
}

/* An aggregation in words: 家庭成员的“…”合计, 家庭成员中满足“年龄 ≥ 60”的数量,
 * 家庭成员中有满足“…”者, 家庭成员中满足“…”者的“…”最大值: the filter, when
 * there is one, first. */
static void render_agg(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    buf body, filter;
    buf_init(&body);
    buf_init(&filter);
    render(b, c, n->a, 1);
    if (n->kind == EV_COUNT) {
        buf_printf(b, WORDS.count_where, rendered(c, n->c, 1, &filter));
    } else {
        if (n->c >= 0) buf_printf(b, WORDS.where_of, rendered(c, n->c, 1, &filter));
        const char *x = n->kind == EV_MAP ? "" : rendered(c, n->b, 1, &body);
        switch ((ev_kind)n->kind) {
        case EV_ANY: buf_printf(b, WORDS.any, x); break;
        case EV_ALL: buf_printf(b, WORDS.all, x); break;
        case EV_MAP:
            buf_printf(b, "%s“%s”", WORDS.map, rendered(c, t->args[n->b + 1], 1, &body));
            break;
        default:
            buf_printf(b, "的“%s”%s", x, n->kind == EV_MIN ? WORDS.min_of : n->kind == EV_MAX ? WORDS.max_of : WORDS.sum);
            break;
        }
    }
    if (body.failed || filter.failed) b->failed = 1;
    buf_free(&body);
    buf_free(&filter);
    value_after(b, c, i, in_loop);
}

/* round(x) and round(a ÷ b): the expression, then how and to what. */
static void render_round(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_node *n = &c->tree->nodes[i];
    char q[64];
    render(b, c, n->a, in_loop);
    if (n->kind == EV_DIV_ROUND) {
        buf_adds(b, op_word(EV_DIV_DEC));
        render_child(b, c, n->b, 6, in_loop);
    }
    dec_format(n->imm, 0, q);
    buf_printf(b, WORDS.round_to, n->flags < 7 ? WORDS.modes[n->flags] : "?", q);
    value_after(b, c, i, in_loop);
}

/* min(a, b), max(a, b): a 与 b 中较小者. */
static void render_min_max(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_node *n = &c->tree->nodes[i];
    buf x, y;
    buf_init(&x);
    buf_init(&y);
    render(&x, c, n->a, in_loop);
    render(&y, c, n->b, in_loop);
    buf_printf(b, n->kind == EV_MIN2 ? WORDS.smaller : WORDS.larger, buf_cstr(&x), buf_cstr(&y));
    if (x.failed || y.failed) b->failed = 1;
    buf_free(&x);
    buf_free(&y);
    value_after(b, c, i, in_loop);
}

static void render_table(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    const ev_node *n = &t->nodes[i];
    const ev_table *et = ev_table_on(&t->tables[n->imm], c->as_of);   /* cells may read parameters */
    buf_printf(b, "%s(", et->label ? et->label : et->base ? et->base : et->name);
    for (int32_t k = 0; k < n->b; k++) {
        if (k) buf_adds(b, ", ");
        render(b, c, t->args[n->a + k], in_loop);
    }
    buf_addc(b, ')');
    if (et->base) buf_printf(b, WORDS.result_of, et->result_label);
    value_after(b, c, i, in_loop);
    if (n->c < 0 || et->else_out >= 0 || et->ncols > 32) return;
    int64_t args[32];                  /* a partial table: say when value_or's default applied */
    for (uint32_t k = 0; k < et->ncols; k++) args[k] = ev_scalar(c, t->args[n->a + (int32_t)k]);
    for (uint32_t r = 0; r < et->nrows; r++)
        if (ev_table_row_matches(et, r, args)) return;
    buf_adds(b, WORDS.no_row_default);
}

static void render_const(buf *b, const ev_tree *t, int32_t i)
{
    const ev_node *n = &t->nodes[i];
    const ty *vt = ex_type_of(t, i);
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
    value_after(b, c, i, in_loop);
}

static void render(buf *b, ev_ctx *c, int32_t i, int in_loop)
{
    const ev_tree *t = c->tree;
    i = ex_bare(t, i);
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
    case EV_ROUND: case EV_DIV_ROUND: render_round(b, c, i, in_loop); break;
    case EV_MIN2: case EV_MAX2: render_min_max(b, c, i, in_loop); break;
    case EV_DATE_ADD_DAYS: case EV_DATE_ADD_MONTHS: case EV_DATE_ADD_YEARS:
        render_date_add(b, c, i, in_loop);
        break;
    case EV_PARAM_AT: {
        const ev_param *p = &t->params[n->imm];
        buf_adds(b, p->label ? p->label : p->name);
        buf_adds(b, WORDS.at);
        render(b, c, n->a, in_loop);
        buf_adds(b, WORDS.in_force_then);
        value_after(b, c, i, in_loop);
        break;
    }
    case EV_LIST_LEN:
        render(b, c, n->a, 1);
        buf_adds(b, WORDS.count);
        value_after(b, c, i, in_loop);
        break;
    case EV_SUM_FIELD:
        render(b, c, n->a, 1);
        buf_printf(b, "的%s%s", t->notes[i].text ? t->notes[i].text : "?", WORDS.sum);
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
 * from flipping the result, in the smallest unit of its type.  Writes
 * the amount to amount (64 bytes) and the sentence to tx; 0 when the
 * step is no threshold. */
static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* A whole-number left side (beds, persons) compared with a decimal (80%
 * of the beds): the margin in whole units, the first count that flips
 * the result (left = l units, right = bv millionths). */
static int64_t int_margin(ev_kind k, int holds, int64_t l, int64_t bv)
{
    int64_t fl = floor_div(bv, DEC_SCALE), cl = -floor_div(-bv, DEC_SCALE);
    switch (k) {
    case EV_LT: return holds ? cl - l : l - (cl - 1);
    case EV_LE: return holds ? fl + 1 - l : l - fl;
    case EV_GT: return holds ? l - fl : fl + 1 - l;
    default: return holds ? l - (cl - 1) : cl - l;
    }
}

static int margin(buf *tx, ev_ctx *c, int32_t root, char *amount)
{
    const ev_tree *t = c->tree;
    const ev_node *e = &t->nodes[root];
    if (e->kind < EV_LT || e->kind > EV_GE) return 0;
    const ty *vt = ex_type_of(t, e->a);
    if (!(ty_is_decimal_like(vt) || vt->kind == TY_INT)) return 0;
    if (vt->kind == TY_DECIMAL && ty_is_decimal_like(ex_type_of(t, ex_bare(t, e->b))))
        vt = ex_type_of(t, ex_bare(t, e->b));
    if (vt->kind == TY_DECIMAL && ex_type_of(t, ex_bare(t, e->a))->kind == TY_MONEY)
        vt = ex_type_of(t, ex_bare(t, e->a));
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
    const ty *lt = ex_type_of(t, ex_bare(t, e->a));
    if (vt->kind == TY_DECIMAL && lt->kind == TY_INT) {
        m = int_margin((ev_kind)e->kind, holds, ev_scalar(c, ex_bare(t, e->a)), bv);
        vt = lt;
    }
    ev_format_scalar(vt, m, amount);
    render(tx, c, e->a, 1);
    buf_printf(tx, " %s %s 即%s", dir, amount, holds ? WORDS.then_fails : WORDS.then_holds);
    return 1;
}

static void write_margin(buf *b, ev_ctx *c, int32_t root)
{
    char v[64];
    buf tx;
    buf_init(&tx);
    if (margin(&tx, c, root, v)) {
        buf_adds(b, ",\"margin\":{\"amount\":");
        buf_json_string(b, v, strlen(v));
        buf_adds(b, ",\"text\":");
        if (tx.failed) b->failed = 1;
        buf_json_string(b, tx.data ? tx.data : "", tx.len);
        buf_addc(b, '}');
    }
    buf_free(&tx);
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
    const ev_table *et = ev_table_on(&t->tables[n->imm], c->as_of);   /* cells may read parameters */
    for (int32_t k = 0; k < n->b; k++)
        collect(u, c, t->args[n->a + k], in_loop);
    for (uint32_t k = 0; k < et->ncell_params; k++)      /* read by the rows' conditions */
        use_param(u, &t->params[et->cell_params[k]], c->as_of);
    for (uint32_t r = 0; u->cov && r < et->nrows; r++)
        if (u->cov[et->first_cov + r]) collect(u, c, et->out[r], 1);
    if (et->else_out >= 0 && (!u->cov || u->cov[et->first_cov + et->nrows]))
        collect(u, c, et->else_out, 1);
    int matched = 0;                   /* value_or's default counts when no row matched */
    for (uint32_t r = 0; u->cov && r < et->nrows; r++) matched |= u->cov[et->first_cov + r] != 0;
    if (!u->cov || !matched) collect(u, c, n->c, in_loop);
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
        const ev_param *p = ex_param_of_slot(t, n->a);
        const ev_def *d = p ? NULL : ex_def_of_slot(t, n->a);
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
            int32_t base, r = ex_rule_node(c, i, &base);
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

/* A value's or a row's citation as JSON members: "document" and
 * "quotation" (checked against the shipped document when the policy was
 * loaded), or "assumption"; nothing when the policy states none. */
static void json_cite(buf *b, const ev_cite *ct)
{
    if (!ct) return;
    if (ct->doc) { buf_adds(b, ",\"document\":"); buf_json_string(b, ct->doc, strlen(ct->doc)); }
    if (ct->quote) { buf_adds(b, ",\"quotation\":"); buf_json_string(b, ct->quote, strlen(ct->quote)); }
    if (ct->assumption) { buf_adds(b, ",\"assumption\":"); buf_json_string(b, ct->assumption, strlen(ct->assumption)); }
}

/* The same for the citizen, ending the sentence: 出处:DOC:“…”。 */
static void text_cite(buf *b, const ev_cite *ct)
{
    if (ct && ct->doc)
        buf_printf(b, "%s%s:“%s”。\n", WORDS.source, ct->doc, ct->quote ? ct->quote : "");
    else if (ct && ct->assumption)
        buf_printf(b, "%s%s。\n", WORDS.assumed, ct->assumption);
    else
        buf_printf(b, "%s。\n", WORDS.no_source);
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
        json_cite(b, p->cite ? &p->cite[k] : NULL);
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
    int32_t base, r = ex_rule_node(c, d->root, &base);
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
    buf_adds(b, "],\"calc\":");
    ex_calc(b, c, d->root);
    buf_addc(b, '}');
}

/* How often row r of table k matched; for a table of several results,
 * over all its result columns (which follow the first), and 0 for the
 * other columns, so that a row is cited once. */
static uint32_t row_hits(const ev_tree *t, uint32_t k, uint32_t r, const uint32_t *cov)
{
    const ev_table *et = &t->tables[k];
    if (!et->base) return cov[et->first_cov + r];
    if (et->result_col) return 0;
    uint32_t hits = 0;
    for (uint32_t j = k; j < k + et->nresults && j < t->ntables; j++)
        hits += cov[t->tables[j].first_cov + r];
    return hits;
}

static void write_table_rows(buf *b, const ev_tree *t, const uint32_t *cov)
{
    int first = 1;
    buf_adds(b, ",\"table_rows\":[");
    for (uint32_t k = 0; cov && k < t->ntables; k++) {
        const ev_table *et = &t->tables[k];
        for (uint32_t r = 0; r <= et->nrows; r++) {
            uint32_t hits = row_hits(t, k, r, cov);
            if (!hits) continue;
            const char *label = r < et->nrows ? et->row_label[r] : et->else_label;
            const char *name = et->base ? et->base : et->name;
            if (!first) buf_addc(b, ',');
            first = 0;
            buf_adds(b, "{\"table\":");
            buf_json_string(b, name, strlen(name));
            if (r < et->nrows) buf_printf(b, ",\"row\":%u,\"line\":%u", r + 1, et->row_line[r]);
            else buf_adds(b, ",\"row\":\"else\"");
            if (label) { buf_adds(b, ",\"label\":"); buf_json_string(b, label, strlen(label)); }
            json_cite(b, r < et->nrows ? (et->row_cite ? &et->row_cite[r] : NULL) : &et->else_cite);
            buf_printf(b, ",\"matches\":%u}", hits);
        }
    }
    buf_addc(b, ']');
}

/* ---- advisory norms (`warn when`) -------------------------------------- */

void explain_warning_text(buf *b, ev_ctx *c, uint32_t i)
{
    const ev_warning *w = &c->tree->warnings[i];
    fill(b, w->text, w->holes, w->nholes, c->frame);
}

/* Opens warning w's object in b: `{"text":` and its text with the holes
 * filled, written through the scratch tx (left empty). */
static void open_warning(buf *b, ev_ctx *c, const ev_warning *w, int first, buf *tx)
{
    fill(tx, w->text, w->holes, w->nholes, c->frame);
    buf_adds(b, first ? "{\"text\":" : ",{\"text\":");
    add_text(b, tx);
}

void explain_warnings(buf *b, ev_ctx *c)
{
    const ev_tree *t = c->tree;
    if (!c->warned) return;
    buf_adds(b, ",\"warnings\":[");
    int first = 1;
    for (uint32_t i = 0; i < t->nwarnings; i++) {
        if (!(c->warned >> i & 1)) continue;
        const ev_warning *w = &t->warnings[i];
        buf tx;
        buf_init(&tx);
        open_warning(b, c, w, first, &tx);
        buf_free(&tx);
        buf_adds(b, ",\"fields\":[");
        for (uint32_t k = 0; k < w->nfields; k++) {
            if (k) buf_addc(b, ',');
            buf_json_string(b, w->field[k], strlen(w->field[k]));
        }
        buf_addc(b, ']');
        if (w->cite.doc || w->cite.assumption) {
            buf_adds(b, ",\"source\":{\"line\":");
            buf_printf(b, "%u", w->line);
            json_cite(b, &w->cite);
            buf_addc(b, '}');
        }
        buf_addc(b, '}');
        first = 0;
    }
    buf_addc(b, ']');
}

/* The explanation's account of each warning: its text, the condition
 * with its figures, and whether it held. */
static void write_warning_steps(buf *b, ev_ctx *c)
{
    const ev_tree *t = c->tree;
    if (!t->nwarnings) return;
    buf_adds(b, ",\"warnings\":[");
    for (uint32_t i = 0; i < t->nwarnings; i++) {
        const ev_warning *w = &t->warnings[i];
        buf tx;
        buf_init(&tx);
        open_warning(b, c, w, i == 0, &tx);
        render(&tx, c, w->cond, 0);
        buf_adds(b, ",\"condition\":");
        add_text(b, &tx);
        buf_free(&tx);
        buf_printf(b, ",\"holds\":%s,\"line\":%u", c->warned >> i & 1 ? "true" : "false", w->line);
        json_cite(b, &w->cite);
        buf_addc(b, '}');
    }
    buf_addc(b, ']');
}

/* 提示: each warning that holds, with its condition and figures. */
static void text_warnings(buf *b, ev_ctx *c)
{
    const ev_tree *t = c->tree;
    for (uint32_t i = 0; i < t->nwarnings; i++) {
        if (!(c->warned >> i & 1)) continue;
        const ev_warning *w = &t->warnings[i];
        buf_adds(b, WORDS.warning);
        fill(b, w->text, w->holes, w->nholes, c->frame);
        buf_adds(b, WORDS.because);
        render(b, c, w->cond, 0);
        buf_adds(b, "。\n");
    }
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
    write_warning_steps(b, c);
    c->cov = counting;
}

/* ---- the citizen's text ----------------------------------------------- */

/* A value for the text: with 元 after money. */
static void text_amount(buf *b, const ty *t, const ev_cell *v)
{
    text_value(b, t, v);
    if (t->kind == TY_MONEY) buf_adds(b, WORDS.yuan);
}

/* A range output (`output award: money range = …`) on one line:
 * "社工考试通过奖补:1000.00 元 至 2000.00 元。" */
static void text_range(buf *b, const ev_def *mn, const ev_def *mx, const ev_cell *frame)
{
    if (mn->label) fill(b, mn->label, mn->holes, mn->nholes, frame);
    else buf_add(b, mn->name, strlen(mn->name) - 4);       /* less ".min" */
    buf_adds(b, ":");
    text_amount(b, mn->type, &frame[mn->slot]);
    buf_adds(b, WORDS.range_to);
    text_amount(b, mx->type, &frame[mx->slot]);
    buf_adds(b, "。\n");
}

/* 一、决定: each output, as its label states it, with its value; a
 * range's two ends on one line. */
static void text_decision(buf *b, ev_ctx *c)
{
    const ev_tree *t = c->tree;
    buf_printf(b, "%s\n", WORDS.decision);
    for (uint32_t k = 0, n = 1; k < t->noutputs; k++, n++) {
        const ev_def *d = &t->defs[t->outputs[k]];
        buf_printf(b, "%u. ", n);
        if (d->range_end == 1 && k + 1 < t->noutputs) {
            text_range(b, d, &t->defs[t->outputs[++k]], c->frame);
            continue;
        }
        explain_label(b, d, c->frame);
        if (d->type->kind != TY_BOOL || !d->label_false) {
            buf_adds(b, ":");
            text_amount(b, d->type, &c->frame[d->slot]);
        }
        const char *rule = explain_rule(c, d);
        if (rule) buf_printf(b, "(%s)", rule);
        buf_adds(b, "。\n");
    }
}

/* 二、理由: each step's formula with its figures, the exception that
 * applied, and the margin of a threshold. */
static void text_reasons(buf *b, ev_ctx *c)
{
    const ev_tree *t = c->tree;
    buf_printf(b, "\n%s\n", WORDS.reasons);
    for (uint32_t k = 0; k < t->ndefs; k++) {
        const ev_def *d = &t->defs[k];
        int32_t base, r = ex_rule_node(c, d->root, &base);
        explain_label(b, d, c->frame);
        buf_adds(b, ":");
        if (r >= 0) {           /* an exception gave the value: its reason, not the formula */
            const char *label = t->rules[t->nodes[r].imm].label;
            buf_adds(b, WORDS.exception);
            if (label) buf_printf(b, "%s,因为", label);
            render(b, c, t->nodes[r].a, 0);
        } else {
            render(b, c, base, 0);
        }
        if (d->type->kind != TY_BOOL && ty_is_scalar(d->type)) {
            buf_adds(b, WORDS.gives);
            text_amount(b, d->type, &c->frame[d->slot]);
        }
        buf_adds(b, "。");
        char amount[64];
        buf tx;
        buf_init(&tx);
        if (r < 0 && margin(&tx, c, base, amount)) {
            buf_adds(b, WORDS.margin);
            buf_add(b, tx.data, tx.len);
            buf_adds(b, "。");
        }
        if (tx.failed) b->failed = 1;
        buf_free(&tx);
        buf_addc(b, '\n');
    }
}

/* 三、依据: the parameters the outputs used, the table rows that
 * matched, and the policy's sources. */
static void text_grounds(buf *b, const policy *p, ev_ctx *c, const uint32_t *cov)
{
    const ev_tree *t = c->tree;
    buf_printf(b, "\n%s\n", WORDS.grounds);
    used u;
    u.nparams = u.ndefs = 0;
    u.cov = cov;
    for (uint32_t k = 0; k < t->noutputs; k++)
        collect_def(&u, c, &t->defs[t->outputs[k]]);
    char d[16];
    for (uint32_t k = 0; k < u.nparams; k++) {
        const ev_param *ep = u.param[k];
        int32_t v = version_on(ep, u.day[k]);
        buf_adds(b, ep->label ? ep->label : ep->name);
        buf_adds(b, ":");
        if (v < 0) { buf_adds(b, "?\n"); continue; }
        text_amount(b, ep->type, &ep->value[v]);
        date_format(ep->from[v], d);
        buf_printf(b, WORDS.in_force, d);
        if (ep->until[v] != INT64_MAX) { date_format(ep->until[v], d); buf_printf(b, WORDS.until, d); }
        date_format(u.day[k], d);
        buf_printf(b, WORDS.read_on, d);
        text_cite(b, ep->cite ? &ep->cite[v] : NULL);
    }
    for (uint32_t k = 0; cov && k < t->ntables; k++) {
        const ev_table *et = &t->tables[k];
        for (uint32_t r = 0; r <= et->nrows; r++) {
            if (!row_hits(t, k, r, cov)) continue;
            const char *label = r < et->nrows ? et->row_label[r] : et->else_label;
            buf_adds(b, et->label ? et->label : et->base ? et->base : et->name);
            if (r < et->nrows) buf_printf(b, WORDS.row, r + 1);
            else buf_adds(b, " else");
            if (label) buf_printf(b, ":%s", label);
            text_cite(b, r < et->nrows ? (et->row_cite ? &et->row_cite[r] : NULL) : &et->else_cite);
        }
    }
    for (uint32_t k = 0; k < p->nsources; k++)
        buf_printf(b, "%s%s:“%s”\n", WORDS.cites, p->sources[k].file ? p->sources[k].file : "",
                   p->sources[k].quote ? p->sources[k].quote : "");
}

void explain_text(buf *b, const policy *p, ev_ctx *c, const uint32_t *cov)
{
    uint32_t *counting = c->cov;
    c->cov = NULL;
    char d[16];
    date_format(c->as_of, d);
    buf_adds(b, p->title ? p->title : p->name);
    if (p->jurisdiction) buf_printf(b, "(%s)", p->jurisdiction);
    buf_printf(b, "\n%s%s\n\n", WORDS.decided_on, d);
    text_decision(b, c);
    text_warnings(b, c);
    text_reasons(b, c);
    text_grounds(b, p, c, cov);
    c->cov = counting;
}
