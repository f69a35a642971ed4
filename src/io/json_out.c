/*
 * json_out.c - decisions, reasons and explanations written as JSON.
 *
 * Used by `eligo eval` and by the daemon's handlers after ev_run().  The
 * explanation re-reads the policy's syntax (kept with the compiled
 * policy) and the evaluated frame; it may evaluate top-level
 * subexpressions again to show their values, which is only done when an
 * explanation is asked for, never on the plain decision path.
 */
#include <string.h>
#include "io/json_out.h"
#include "lang/check.h"
#include "eval/date.h"
#include "eval/decimal.h"

void json_write_value(buf *b, const ty *t, const ev_cell *v)
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
            json_write_value(b, t->elem, v->l.base + (size_t)i * v->l.stride);
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
            json_write_value(b, t->elem, k + 1);
        }
        buf_addc(b, '}');
        break;
    default: buf_adds(b, "null"); break;
    }
}

void json_write_record(buf *b, const entity_def *e, const ev_cell *rec)
{
    buf_addc(b, '{');
    for (uint32_t i = 0; i < e->nfields; i++) {
        const field_def *f = &e->fields[i];
        const ev_cell *v = &rec[f->index];
        if (i) buf_addc(b, ',');
        buf_json_string(b, f->name, strlen(f->name));
        buf_addc(b, ':');
        if (f->type->kind == TY_LIST && f->type->elem->kind == TY_ENTITY) {
            buf_addc(b, '[');
            for (uint32_t k = 0; k < v->l.n; k++) {
                if (k) buf_addc(b, ',');
                json_write_record(b, f->type->elem->ent, v->l.base + (size_t)k * v->l.stride);
            }
            buf_addc(b, ']');
        } else {
            json_write_value(b, f->type, v);
        }
    }
    buf_addc(b, '}');
}

/* Writes a value for people (no quotes): "860.00", "true", "a, b". */
static void text_value(buf *b, const ty *t, const ev_cell *v)
{
    char tmp[64];
    if (ty_is_scalar(t)) {
        if (t->kind == TY_ENUM && t->en->labels[v->i])
            buf_adds(b, t->en->labels[v->i]);
        else
            buf_adds(b, ev_format_scalar(t, v->i, tmp));
        return;
    }
    if (t->kind == TY_LIST || t->kind == TY_MAP) {
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

void json_render_label(buf *b, const ev_def *d, const ev_cell *frame)
{
    const char *l = d->label ? d->label : d->name;
    const ev_hole *holes = d->holes;
    uint32_t nholes = d->nholes;
    if (d->label_false && !frame[d->slot].i) {
        l = d->label_false;
        holes = d->holes_false;
        nholes = d->nholes_false;
    }
    uint32_t at = 0;
    for (uint32_t i = 0; i < nholes; i++) {
        buf_add(b, l + at, holes[i].start - at);
        text_value(b, holes[i].type, &frame[holes[i].slot]);
        at = holes[i].end;
    }
    buf_adds(b, l + at);
}

void json_write_outputs(buf *b, const policy *p, const ev_ctx *c)
{
    buf_addc(b, '{');
    for (uint32_t i = 0; i < p->tree.noutputs; i++) {
        const ev_def *d = &p->tree.defs[p->tree.outputs[i]];
        if (i) buf_addc(b, ',');
        buf_json_string(b, d->name, strlen(d->name));
        buf_addc(b, ':');
        json_write_value(b, d->type, &c->frame[d->slot]);
    }
    buf_addc(b, '}');
}

/* The `unless` rule that gave the value, or NULL for the base rule. */
static ast_node *rule_applied(ev_ctx *c, const ast_node *decl)
{
    for (ast_node *u = decl->c; u; u = u->next)
        if (ev_scalar(c, u->a->ev))
            return u;
    return NULL;
}

/* A text rendered into a scratch buffer, as a JSON string; a scratch
 * buffer that ran out of memory fails b too (never an empty label). */
static void json_add_text(buf *b, const buf *tx)
{
    if (tx->failed) b->failed = 1;
    buf_json_string(b, tx->data ? tx->data : "", tx->len);
}

static void write_reason(buf *b, ev_ctx *c, const ev_def *d)
{
    buf buf_label;
    buf_init(&buf_label);
    json_render_label(&buf_label, d, c->frame);
    buf_adds(b, "{\"output\":");
    buf_json_string(b, d->name, strlen(d->name));
    buf_adds(b, ",\"label\":");
    json_add_text(b, &buf_label);
    buf_adds(b, ",\"value\":");
    json_write_value(b, d->type, &c->frame[d->slot]);
    const ast_node *decl = d->syntax;
    if (decl && decl->c) {
        ast_node *u = rule_applied(c, decl);
        if (u && u->label) {
            buf_adds(b, ",\"rule\":");
            buf_json_string(b, u->label->text, strlen(u->label->text));
        }
    }
    buf_addc(b, '}');
    buf_free(&buf_label);
}

/* ---- explanation ------------------------------------------------------ */

static const char *op_text(int op)
{
    static const char *t[] = {" + ", " - ", " × ", " ÷ ", " < ", " ≤ ", " > ", " ≥ ", " = ", " ≠ ", " 且 ", " 或 "};
    return t[op];
}

static int prec(const ast_node *n)
{
    if (n->kind != AST_BINARY) return 9;
    switch (n->op) {
    case OP_OR: return 1;
    case OP_AND: return 2;
    case OP_ADD: case OP_SUB: return 4;
    case OP_MUL: case OP_DIV: return 5;
    default: return 3;
    }
}

static void render(buf *b, ev_ctx *c, const ast_node *n, int in_loop);

/* The value of a subexpression, in fullwidth parentheses after it:
 * `count(m in household.members)（3）`. */
static void render_value_of(buf *b, ev_ctx *c, const ast_node *n)
{
    if (!ty_is_scalar(n->ty) || n->ev < 0)
        return;
    ev_cell v;
    v.i = ev_scalar(c, n->ev);
    buf_adds(b, "（");
    text_value(b, n->ty, &v);
    buf_adds(b, "）");
}

static void render_child(buf *b, ev_ctx *c, const ast_node *n, int p, int in_loop)
{
    int paren = prec(n) < p;
    if (paren) buf_addc(b, '(');
    render(b, c, n, in_loop);
    if (paren) buf_addc(b, ')');
}

static void render(buf *b, ev_ctx *c, const ast_node *n, int in_loop)
{
    switch (n->kind) {
    case AST_INT: case AST_DEC: case AST_DATE: buf_adds(b, n->text); break;
    case AST_BOOL: buf_adds(b, n->op ? "true" : "false"); break;
    case AST_STRING: buf_printf(b, "\"%s\"", n->text); break;
    case AST_AS_OF: buf_adds(b, "决定日期"); render_value_of(b, c, n); break;
    case AST_DURATION: render(b, c, n->a, in_loop); buf_printf(b, " %s", n->op == UNIT_DAYS ? "天" : n->op == UNIT_MONTHS ? "个月" : "年"); break;
    case AST_NAME:
        if (n->slot <= -2 || n->op2 != 0 || !n->decl) { buf_adds(b, n->text); break; }
        {
            const sym *s = n->decl;
            const ev_def *d = NULL;
            for (uint32_t i = 0; (s->kind == SYM_LET || s->kind == SYM_OUTPUT) && i < c->tree->ndefs; i++)
                if (c->tree->defs[i].slot == (uint32_t)s->slot) d = &c->tree->defs[i];
            if (d && !in_loop) json_render_label(b, d, c->frame);
            else buf_adds(b, s->decl->label ? s->decl->label->text : s->name);
            if (!in_loop && ty_is_scalar(s->type)) {
                buf_addc(b, ' ');
                text_value(b, s->type, &c->frame[s->slot]);
            }
        }
        break;
    case AST_MEMBER:
        if (n->a->ty && n->a->ty->kind == TY_ENTITY && n->a->ty->ent->fields[n->slot].label) {
            buf_adds(b, n->a->ty->ent->fields[n->slot].label);
        } else {
            render(b, c, n->a, 1);
            buf_printf(b, ".%s", n->text);
        }
        if (!in_loop && n->a->kind == AST_NAME && n->a->decl && n->a->slot > -2) render_value_of(b, c, n);
        break;
    case AST_UNARY:
        buf_adds(b, n->op == OP_NOT ? "非 " : "-");
        render_child(b, c, n->a, 9, in_loop);
        break;
    case AST_BINARY:
        render_child(b, c, n->a, prec(n), in_loop);
        buf_adds(b, op_text(n->op));
        render_child(b, c, n->b, prec(n) + 1, in_loop);
        break;
    case AST_IF:
        buf_adds(b, "如果 ");
        render(b, c, n->a, in_loop);
        buf_adds(b, " 则 ");
        render(b, c, n->b, in_loop);
        buf_adds(b, " 否则 ");
        render(b, c, n->c, in_loop);
        break;
    case AST_CALL:
        buf_printf(b, "%s(", n->text);
        for (ast_node *a = n->a; a; a = a->next) {
            if (a != n->a) buf_adds(b, ", ");
            render(b, c, a, in_loop);
        }
        buf_addc(b, ')');
        if (!in_loop) render_value_of(b, c, n);
        break;
    case AST_AGG: {
        static const char *names[] = {"count", "sum", "min", "max", "any", "all", "map"};
        buf_printf(b, "%s(", names[n->op]);
        if (n->d) { render(b, c, n->d, 1); buf_adds(b, " => "); }
        if (n->a) { render(b, c, n->a, 1); buf_adds(b, " for "); }
        if (n->text) buf_printf(b, "%s in ", n->text);
        render(b, c, n->b, 1);
        if (n->c) { buf_adds(b, " where "); render(b, c, n->c, 1); }
        buf_addc(b, ')');
        if (!in_loop) render_value_of(b, c, n);
        break;
    }
    case AST_AT:
        render(b, c, n->a, 1);
        buf_adds(b, " 于 ");
        render(b, c, n->b, in_loop);
        if (!in_loop) render_value_of(b, c, n);
        break;
    case AST_LIST:
        buf_addc(b, '[');
        for (ast_node *a = n->a; a; a = a->next) {
            if (a != n->a) buf_adds(b, ", ");
            render(b, c, a, in_loop);
        }
        buf_addc(b, ']');
        break;
    default: buf_adds(b, "…"); break;
    }
}

/* Threshold outputs (a comparison at the top): how far the left side is
 * from flipping the result, in the smallest unit of its type. */
static void write_margin(buf *b, ev_ctx *c, const ast_node *e)
{
    if (e->kind != AST_BINARY || e->op < OP_LT || e->op > OP_GE) return;
    const ty *t = e->a->ty->kind == TY_INT && e->b->ty->kind != TY_INT ? e->b->ty : e->a->ty;
    if (!(ty_is_decimal_like(t) || t->kind == TY_INT)) return;
    int64_t a = ev_scalar(c, e->a->ev), bv = ev_scalar(c, e->b->ev);
    if (e->a->ty->kind == TY_INT && t->kind != TY_INT) a *= DEC_SCALE;
    if (e->b->ty->kind == TY_INT && t->kind != TY_INT) bv *= DEC_SCALE;
    int64_t unit = t->kind == TY_INT ? 1 : t->kind == TY_MONEY ? 10000 : 1;
    int64_t holds = ev_scalar(c, e->ev);
    int64_t m;     /* how much the left side may change before the result flips */
    const char *dir;
    switch (e->op) {
    case OP_LT: m = holds ? bv - a : a - bv + unit; dir = holds ? "增加" : "减少"; break;
    case OP_LE: m = holds ? bv - a + unit : a - bv; dir = holds ? "增加" : "减少"; break;
    case OP_GT: m = holds ? a - bv : bv - a + unit; dir = holds ? "减少" : "增加"; break;
    default: m = holds ? a - bv + unit : bv - a; dir = holds ? "减少" : "增加"; break;
    }
    char v[64];
    ev_format_scalar(t, m, v);
    buf_adds(b, ",\"margin\":{\"amount\":");
    buf_json_string(b, v, strlen(v));
    buf_adds(b, ",\"text\":");
    buf tx;
    buf_init(&tx);
    render(&tx, c, e->a, 1);
    buf_printf(&tx, " %s %s 即%s", dir, v, holds ? "不再满足此条件" : "满足此条件");
    json_add_text(b, &tx);
    buf_free(&tx);
    buf_addc(b, '}');
}

#define MAX_SEEN 128

/* Parameters read by an expression, through the lets it reads. */
static void collect_params(const ast_node *n, const sym **seen, uint32_t *nseen, const sym **params, uint32_t *np)
{
    if (!n) return;
    if ((n->kind == AST_NAME && n->decl && n->slot > -2 && n->op2 == 0)) {
        const sym *s = n->decl;
        for (uint32_t i = 0; i < *nseen; i++)
            if (seen[i] == s) goto children;
        if (*nseen < MAX_SEEN) seen[(*nseen)++] = s;
        if (s->kind == SYM_PARAM && *np < MAX_SEEN) params[(*np)++] = s;
        if (s->kind == SYM_LET || s->kind == SYM_OUTPUT) {
            collect_params(s->decl->b, seen, nseen, params, np);
            for (ast_node *u = s->decl->c; u; u = u->next) {
                collect_params(u->a, seen, nseen, params, np);
                collect_params(u->b, seen, nseen, params, np);
            }
        }
    }
children:
    if (n->kind == AST_CALL && n->decl) {
        /* a decision table: the parameters its rows read */
        const sym *t = n->decl;
        int fresh = 1;
        for (uint32_t i = 0; i < *nseen; i++)
            if (seen[i] == t) fresh = 0;
        if (fresh && *nseen < MAX_SEEN) {
            seen[(*nseen)++] = t;
            for (ast_node *r = t->decl->c; r; r = r->next)
                collect_params(r->b, seen, nseen, params, np);
        }
    }
    if (n->kind == AST_CALL || n->kind == AST_LIST) {
        for (ast_node *a = n->a; a; a = a->next) collect_params(a, seen, nseen, params, np);
        return;
    }
    collect_params(n->a, seen, nseen, params, np);
    collect_params(n->b, seen, nseen, params, np);
    collect_params(n->c, seen, nseen, params, np);
    collect_params(n->d, seen, nseen, params, np);
}

static void write_params(buf *b, ev_ctx *c, const policy *p, const ast_node *decl)
{
    const sym *seen[MAX_SEEN], *params[MAX_SEEN];
    uint32_t nseen = 0, np = 0;
    collect_params(decl->b, seen, &nseen, params, &np);
    for (ast_node *u = decl->c; u; u = u->next) {
        collect_params(u->a, seen, &nseen, params, &np);
        collect_params(u->b, seen, &nseen, params, &np);
    }
    buf_adds(b, ",\"parameters\":[");
    for (uint32_t i = 0; i < np; i++) {
        const ev_param *ep = &p->tree.params[params[i]->index];
        int32_t k = -1;
        for (uint32_t j = 0; j < ep->nvalues; j++)
            if (ep->from[j] <= c->as_of && c->as_of <= ep->until[j]) k = (int32_t)j;
        if (i) buf_addc(b, ',');
        buf_adds(b, "{\"name\":");
        buf_json_string(b, ep->name, strlen(ep->name));
        if (ep->label) { buf_adds(b, ",\"label\":"); buf_json_string(b, ep->label, strlen(ep->label)); }
        buf_adds(b, ",\"value\":");
        json_write_value(b, ep->type, &c->frame[ep->slot]);
        if (k >= 0) {
            char d[16];
            date_format(ep->from[k], d);
            buf_printf(b, ",\"in_force_from\":\"%s\"", d);
            if (ep->until[k] != INT64_MAX) {
                date_format(ep->until[k], d);
                buf_printf(b, ",\"in_force_until\":\"%s\"", d);
            }
            if (ep->source[k]) { buf_adds(b, ",\"source\":"); buf_json_string(b, ep->source[k], strlen(ep->source[k])); }
        }
        buf_addc(b, '}');
    }
    buf_addc(b, ']');
}

static void write_tables(buf *b, ev_ctx *c, const policy *p)
{
    int first = 1;
    buf_adds(b, ",\"table_rows\":[");
    for (uint32_t t = 0; c->cov && t < p->tree.ntables; t++) {
        const ev_table *et = &p->tree.tables[t];
        for (uint32_t r = 0; r <= et->nrows; r++) {
            uint32_t hits = c->cov[et->first_cov + r];
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

static void write_explanation(buf *b, const policy *p, ev_ctx *c, const buf *rows)
{
    buf_adds(b, ",\"explanation\":{\"policy\":");
    buf_json_string(b, p->title ? p->title : p->name, strlen(p->title ? p->title : p->name));
    if (p->jurisdiction) { buf_adds(b, ",\"jurisdiction\":"); buf_json_string(b, p->jurisdiction, strlen(p->jurisdiction)); }
    buf_adds(b, ",\"sources\":[");
    for (uint32_t i = 0; i < p->nsources; i++) {
        if (i) buf_addc(b, ',');
        buf_adds(b, "{\"file\":");
        buf_json_string(b, p->sources[i].file ? p->sources[i].file : "", strlen(p->sources[i].file ? p->sources[i].file : ""));
        buf_adds(b, ",\"text\":");
        buf_json_string(b, p->sources[i].quote ? p->sources[i].quote : "", strlen(p->sources[i].quote ? p->sources[i].quote : ""));
        buf_addc(b, '}');
    }
    buf_adds(b, "],\"steps\":[");
    int first = 1;
    for (uint32_t i = 0; i < p->tree.ndefs; i++) {
        const ev_def *d = &p->tree.defs[i];
        const ast_node *decl = d->syntax;
        if (!first) buf_addc(b, ',');
        first = 0;
        buf_adds(b, "{\"name\":");
        buf_json_string(b, d->name, strlen(d->name));
        buf_adds(b, d->is_output ? ",\"kind\":\"output\"" : ",\"kind\":\"let\"");
        buf tx;
        buf_init(&tx);
        json_render_label(&tx, d, c->frame);
        buf_adds(b, ",\"label\":");
        json_add_text(b, &tx);
        buf_adds(b, ",\"value\":");
        json_write_value(b, d->type, &c->frame[d->slot]);
        ast_node *u = decl->c ? rule_applied(c, decl) : NULL;
        buf_reset(&tx);
        render(&tx, c, u ? u->b : decl->b, 0);
        buf_adds(b, ",\"formula\":");
        json_add_text(b, &tx);
        if (u) {
            buf_reset(&tx);
            if (u->label) buf_printf(&tx, "%s:", u->label->text);
            render(&tx, c, u->a, 0);
            buf_adds(b, ",\"rule\":");
            json_add_text(b, &tx);
        }
        buf_free(&tx);
        buf_printf(b, ",\"line\":%u", d->line);
        if (!u) write_margin(b, c, decl->b);
        write_params(b, c, p, decl);
        buf_addc(b, '}');
    }
    buf_addc(b, ']');
    buf_add(b, rows->data ? rows->data : "", rows->len);
    if (rows->failed) b->failed = 1;
    buf_addc(b, '}');
}

void json_write_decision(buf *b, const policy *p, ev_ctx *c, int explain)
{
    json_write_decision_parts(b, p, c, explain, NULL);
}

void json_write_decision_parts(buf *b, const policy *p, ev_ctx *c, int explain, decision_parts *parts)
{
    decision_parts none;
    if (!parts) parts = &none;
    char d[16];
    /* The rows that matched are read from the coverage counters now: the
     * reasons and the explanation evaluate subexpressions again, which
     * must not count as matches. */
    buf rows;
    buf_init(&rows);
    uint32_t *cov = c->cov;
    if (explain)
        write_tables(&rows, c, p);
    c->cov = NULL;
    buf_adds(b, "{\"policy\":{\"name\":");
    buf_json_string(b, p->name, strlen(p->name));
    buf_adds(b, ",\"title\":");
    buf_json_string(b, p->title ? p->title : "", strlen(p->title ? p->title : ""));
    buf_printf(b, ",\"hash\":\"%s\"},\"as_of\":\"", p->hash);
    date_format(c->as_of, d);
    buf_adds(b, d);
    buf_adds(b, "\",\"outputs\":");
    parts->outputs_off = b->len;
    json_write_outputs(b, p, c);
    parts->outputs_len = b->len - parts->outputs_off;
    buf_adds(b, ",\"reasons\":[");
    for (uint32_t i = 0; i < p->tree.noutputs; i++) {
        if (i) buf_addc(b, ',');
        write_reason(b, c, &p->tree.defs[p->tree.outputs[i]]);
    }
    buf_addc(b, ']');
    parts->explanation_off = parts->explanation_len = 0;
    if (explain) {
        size_t at = b->len;
        write_explanation(b, p, c, &rows);
        parts->explanation_off = at + strlen(",\"explanation\":");
        parts->explanation_len = b->len - parts->explanation_off;
    }
    buf_addc(b, '}');
    c->cov = cov;
    buf_free(&rows);
}
