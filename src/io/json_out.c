/*
 * json_out.c - decisions, reasons and explanations written as JSON.
 *
 * Used by `eligo eval` and by the daemon's handlers after ev_run().  This
 * file only writes JSON: what an explanation says of each step comes from
 * eval/explain.c, which reads the evaluation tree and the frame; the
 * plain decision path uses only its labels, applied rules and value
 * writer (explain.h).  The parts no input changes come pre-escaped from
 * the policy (json_fixed.h): a decision copies them and writes values.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "io/json_out.h"
#include "io/json_fixed.h"
#include "eval/date.h"
#include "eval/decimal.h"
#include "eval/explain.h"

/* A number or a bool is written here as explain_json_value() writes it,
 * a number with the formatter's length and without the escape scan of
 * its digits (which need none), a bool as its word without strlen and
 * a copy by call: every output of every decision is written twice, in
 * "outputs" and in its reason. */
void json_write_value(buf *b, const ty *t, const ev_cell *v)
{
    /* a quote, dec_format()'s 32 bytes, a quote; written straight into
     * b when it has room (and the NUL after), a copy less */
    char tmp[40];
    int direct = !b->failed && b->cap - b->len > sizeof tmp;
    char *o = direct ? b->data + b->len : tmp;
    size_t n;
    switch (t->kind) {
    case TY_BOOL:
        memcpy(o, v->i ? "true" : "false", 5);   /* "true" with its NUL */
        n = v->i ? 4 : 5;
        break;
    case TY_INT:
        n = int_format(v->i, o);
        break;
    case TY_MONEY: case TY_DECIMAL: case TY_NUMBER:
        o[0] = '"';
        n = 1 + dec_format(v->i, t->kind == TY_MONEY ? 2 : 0, o + 1);
        o[n++] = '"';
        break;
    default:
        explain_json_value(b, t, v);
        return;
    }
    if (!direct) {
        buf_addn(b, tmp, n);
        return;
    }
    b->len += n;
    b->data[b->len] = '\0';
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

static void add_bytes(buf *b, json_bytes x)
{
    buf_addn(b, x.s, x.n);
}

/* A range output (`output award: money range = …`, two outputs
 * "award.min" and "award.max" inside, the max right after the min) as
 * one member: "award":{"min":"1000.00","max":"2000.00"}; its key, the
 * "award":{"min": part, is fixed. */
static void write_range(buf *b, json_bytes key, const ev_def *mn, const ev_def *mx, const ev_ctx *c)
{
    add_bytes(b, key);
    json_write_value(b, mn->type, &c->frame[mn->slot]);
    buf_adds(b, ",\"max\":");
    json_write_value(b, mx->type, &c->frame[mx->slot]);
    buf_addc(b, '}');
}

void json_write_outputs(buf *b, const policy *p, const ev_ctx *c)
{
    buf_addc(b, '{');
    for (uint32_t i = 0; i < p->tree.noutputs; i++) {
        const ev_def *d = &p->tree.defs[p->tree.outputs[i]];
        json_bytes key = p->json->outs[i].key;   /* with its comma */
        if (d->range_end == 1 && i + 1 < p->tree.noutputs) {
            write_range(b, key, d, &p->tree.defs[p->tree.outputs[++i]], c);
            continue;
        }
        add_bytes(b, key);
        json_write_value(b, d->type, &c->frame[d->slot]);
    }
    buf_addc(b, '}');
}

/* A text rendered into a scratch buffer, as a JSON string; a scratch
 * buffer that ran out of memory fails b too (never an empty label). */
static void json_add_text(buf *b, const buf *tx)
{
    if (tx->failed) b->failed = 1;
    buf_json_string(b, tx->data ? tx->data : "", tx->len);
}

/* A cut label's values, each with the piece after it (none when it was
 * not cut). */
static void write_holes(buf *b, const json_fixed_label *cut, const ev_cell *frame)
{
    for (uint32_t k = 0; k < cut->nholes; k++) {
        explain_hole(b, &cut->holes[k], frame);
        add_bytes(b, cut->after[k]);
    }
}

/* Which of a reason's two labels its value calls for, as json_fixed.h
 * indexes them: 0 the false label (a false value with one), else 1. */
static inline int label_side(const ev_def *d, const ev_cell *frame)
{
    return !(d->label_false && !frame[d->slot].i);
}

/* Appends a label as a JSON string.  Without placeholders it was
 * escaped at load; with them, when it needs no escape (every label of
 * the shipped policies), it was cut at load around its placeholders and
 * only the values are written here.  Otherwise it is written straight
 * into b between quotes, and when it holds something JSON escapes the
 * bytes are taken back and quoted through a scratch buffer.  No
 * allocation per reason on the common paths. */
static void write_label(buf *b, const json_fixed_out *o, const ev_def *d, const ev_cell *frame)
{
    int v = label_side(d, frame);
    if (o->label[v].n) {        /* no placeholder: escaped at load */
        add_bytes(b, o->label[v]);
        return;
    }
    const json_fixed_label *cut = &o->cut[v];
    if (cut->nholes) {          /* plain, cut at load: only the values */
        add_bytes(b, cut->lead);
        write_holes(b, cut, frame);
        return;
    }
    buf_addc(b, '"');
    size_t at = b->len;
    explain_label(b, d, frame);
    if (b->failed) return;
    if (!o->plain[v] && buf_json_plain(b->data + at, b->len - at) < b->len - at) {
        buf raw;
        buf_init(&raw);
        buf_add(&raw, b->data + at, b->len - at);
        b->len = at - 1;
        json_add_text(b, &raw);
        buf_free(&raw);
        return;
    }
    buf_addc(b, '"');
}

/* The rule that gave the value, as `,"rule":"…"}` (its closing brace
 * too), or the bare brace when no labelled rule did. */
static void write_rule(buf *b, const json_fixed_out *o, ev_ctx *c, const ev_def *d)
{
    const char *rule = explain_rule(c, d);
    for (uint32_t k = 0; rule && k < o->nrules; k++)
        if (o->rules[k].label == rule) {
            add_bytes(b, o->rules[k].member);
            return;
        }
    if (rule) {         /* not found by address: escaped here, as before */
        buf_adds(b, ",\"rule\":");
        buf_json_string(b, rule, strlen(rule));
    }
    buf_addc(b, '}');
}

/* The decision date as text.  A worker decides day after day on the
 * same as_of, and date_format costs some 300 instructions (the
 * calendar, then the digits), so the last one is kept per thread. */
static void add_as_of(buf *b, int64_t day)
{
    static _Thread_local int64_t last = INT64_MIN;
    static _Thread_local char text[16];
    static _Thread_local size_t n;
    if (day != last) {
        date_format(day, text);
        n = strlen(text);
        last = day;
    }
    buf_addn(b, text, n);
}

/* Reason i, its comma included: its opening joined at load with a
 * fixed label or a cut label's lead when it has one (json_fixed.h). */
static void write_reason(buf *b, ev_ctx *c, const json_fixed_out *o, const ev_def *d)
{
    int v = label_side(d, c->frame);
    if (o->open[v].n) {
        add_bytes(b, o->open[v]);
        write_holes(b, &o->cut[v], c->frame);
    } else {
        add_bytes(b, o->reason);
        write_label(b, o, d, c->frame);
    }
    buf_adds(b, ",\"value\":");
    json_write_value(b, d->type, &c->frame[d->slot]);
    write_rule(b, o, c, d);
}

static void write_explanation(buf *b, const policy *p, ev_ctx *c, const uint32_t *cov)
{
    add_bytes(b, p->json->explain);     /* up to the sources' closing ']' */
    explain_steps(b, c, cov);
    buf tx;
    buf_init(&tx);
    explain_text(&tx, p, c, cov);
    buf_adds(b, ",\"text\":");
    json_add_text(b, &tx);
    buf_free(&tx);
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
    const json_fixed_out *outs = p->json->outs;
    /* The counters say which rows matched; the reasons and the explanation
     * evaluate subexpressions again, which must not count as matches. */
    uint32_t *cov = c->cov;
    c->cov = NULL;
    add_bytes(b, p->json->head);
    add_as_of(b, c->as_of);
    buf_adds(b, "\",\"outputs\":");
    parts->outputs_off = b->len;
    json_write_outputs(b, p, c);
    parts->outputs_len = b->len - parts->outputs_off;
    buf_adds(b, ",\"reasons\":[");
    for (uint32_t i = 0; i < p->tree.noutputs; i++)
        write_reason(b, c, &outs[i], &p->tree.defs[p->tree.outputs[i]]);
    buf_addc(b, ']');
    explain_warnings(b, c);
    parts->explanation_off = parts->explanation_len = 0;
    if (explain) {
        size_t at = b->len;
        write_explanation(b, p, c, cov);
        parts->explanation_off = at + strlen(",\"explanation\":");
        parts->explanation_len = b->len - parts->explanation_off;
    }
    buf_addc(b, '}');
    c->cov = cov;
}
