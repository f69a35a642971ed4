/*
 * json_fixed.c - a policy's fixed answer parts, escaped once at load
 * (json_fixed.h says which and why).
 *
 * Each piece is written into a scratch buffer by the same calls the
 * answer used to make per decision (buf_json_string, explain_label), or
 * for the pieces of a label cut at its placeholders copied as they
 * stand (such a label needs no escape), then copied into the policy's
 * arena.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "io/json_fixed.h"
#include "eval/explain.h"

static void add_str(buf *b, const char *s)
{
    buf_json_string(b, s ? s : "", strlen(s ? s : ""));
}

/* The scratch buffer's bytes moved into the policy's arena; the buffer
 * is emptied for the next piece.  -1 out of memory. */
static int keep(policy *p, buf *b, json_bytes *out)
{
    out->s = b->failed ? NULL : arena_strndup(&p->pool, b->data ? b->data : "", b->len);
    out->n = (uint32_t)b->len;
    buf_reset(b);
    return out->s ? 0 : -1;
}

static void write_head(buf *b, const policy *p)
{
    buf_adds(b, "{\"policy\":{\"name\":");
    add_str(b, p->name);
    buf_adds(b, ",\"title\":");
    add_str(b, p->title);
    buf_adds(b, ",\"hash\":\"");
    buf_adds(b, p->hash);
    buf_adds(b, "\"},\"as_of\":\"");
}

static void write_explain_head(buf *b, const policy *p)
{
    buf_adds(b, ",\"explanation\":{\"policy\":");
    add_str(b, p->title ? p->title : p->name);
    if (p->jurisdiction) { buf_adds(b, ",\"jurisdiction\":"); add_str(b, p->jurisdiction); }
    buf_adds(b, ",\"sources\":[");
    for (uint32_t i = 0; i < p->nsources; i++) {
        if (i) buf_addc(b, ',');
        buf_adds(b, "{\"file\":");
        add_str(b, p->sources[i].file);
        buf_adds(b, ",\"text\":");
        add_str(b, p->sources[i].quote);
        buf_addc(b, '}');
    }
    buf_addc(b, ']');
}

/* Output i's member name: a range's min opens the range's object, named
 * without ".min" (json_out.c writes its max after it). */
static void write_key(buf *b, const ev_def *d, uint32_t i)
{
    if (i) buf_addc(b, ',');
    if (d->range_end == 1) {
        buf_json_string(b, d->name, strlen(d->name) - 4);
        buf_adds(b, ":{\"min\":");
        return;
    }
    add_str(b, d->name);
    buf_addc(b, ':');
}

/* The label as a JSON string when the frame does not change it: with
 * the def's value set to `value` in a zeroed frame, no placeholder. */
static int fixed_label(policy *p, buf *b, const ev_def *d, ev_cell *frame, int value, json_bytes *out)
{
    uint32_t holes = value || !d->label_false ? d->nholes : d->nholes_false;
    out->s = NULL;
    out->n = 0;
    if (holes) return 0;
    frame[d->slot].i = value;
    buf tx;
    buf_init(&tx);
    explain_label(&tx, d, frame);
    if (tx.failed) b->failed = 1;
    buf_json_string(b, tx.data ? tx.data : "", tx.len);
    buf_free(&tx);
    frame[d->slot].i = 0;
    return keep(p, b, out);
}

static int is_plain(const char *s, size_t n)
{
    return buf_json_plain(s, n) == n;
}

/* A value of type t as a label writes it (explain.c text_value) holds
 * nothing JSON escapes: digits and signs, or an enum's name or label. */
static int plain_type(const ty *t)
{
    switch (t->kind) {
    case TY_INT: case TY_DECIMAL: case TY_MONEY: case TY_DATE: case TY_NUMBER:
        return 1;
    case TY_ENUM:
        for (uint32_t k = 0; k < t->en->nvalues; k++)
            if (!is_plain(t->en->values[k], strlen(t->en->values[k])) ||
                (t->en->labels[k] && !is_plain(t->en->labels[k], strlen(t->en->labels[k]))))
                return 0;
        return 1;
    default:
        return 0;
    }
}

/* Whether the label with placeholders (the def's value set to `value`)
 * never needs escaping: its holes all of plain types, and its text,
 * rendered here with the holes filled from a zeroed frame, plain. */
static int plain_label(const ev_def *d, ev_cell *frame, int value)
{
    int false_label = !value && d->label_false;
    const ev_hole *h = false_label ? d->holes_false : d->holes;
    uint32_t n = false_label ? d->nholes_false : d->nholes;
    for (uint32_t k = 0; k < n; k++)
        if (!plain_type(h[k].type)) return 0;
    frame[d->slot].i = value;
    buf tx;
    buf_init(&tx);
    explain_label(&tx, d, frame);
    int plain = !tx.failed && is_plain(tx.data ? tx.data : "", tx.len);
    buf_free(&tx);
    frame[d->slot].i = 0;
    return plain;
}

/* A plain label (the def's value set to `value`) cut at its
 * placeholders into c: the pieces between them copied as they stand,
 * which is their JSON since the label is plain. */
static int cut_label(policy *p, buf *b, const ev_def *d, int value, json_fixed_label *c)
{
    int false_label = !value && d->label_false;
    const char *l = false_label ? d->label_false : d->label ? d->label : d->name;
    const ev_hole *h = false_label ? d->holes_false : d->holes;
    uint32_t n = false_label ? d->nholes_false : d->nholes;
    if (!n) return 0;
    json_bytes *after = arena_alloc(&p->pool, sizeof *after * n);
    if (!after) return -1;
    buf_addc(b, '"');
    buf_addn(b, l, h[0].start);
    if (keep(p, b, &c->lead)) return -1;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t end = k + 1 < n ? h[k + 1].start : (uint32_t)strlen(l);
        buf_addn(b, l + h[k].end, end - h[k].end);
        if (k + 1 == n) buf_addc(b, '"');
        if (keep(p, b, &after[k])) return -1;
    }
    c->after = after;
    c->holes = h;
    c->nholes = n;
    return 0;
}

/* The labelled rules of output def `def`, each as its `"rule"` member. */
static int fixed_rules(policy *p, buf *b, uint32_t def, json_fixed_out *o)
{
    const ev_tree *t = &p->tree;
    json_fixed_rule *r = arena_alloc(&p->pool, sizeof *r * (t->nrules + 1));
    if (!r) return -1;
    o->rules = r;
    o->nrules = 0;
    for (uint32_t k = 0; k < t->nrules; k++) {
        if (t->rules[k].def != (int32_t)def || !t->rules[k].label) continue;
        r[o->nrules].label = t->rules[k].label;
        buf_adds(b, ",\"rule\":");
        add_str(b, t->rules[k].label);
        buf_addc(b, '}');
        if (keep(p, b, &r[o->nrules++].member)) return -1;
    }
    return 0;
}

/* o->open[v]: the reason's opening and the label's fixed start (the
 * whole label, or a cut label's lead) joined, empty when it has none. */
static int join_open(policy *p, buf *b, json_fixed_out *o, int v)
{
    const json_bytes *start = o->label[v].n ? &o->label[v] : o->cut[v].nholes ? &o->cut[v].lead : NULL;
    o->open[v].s = NULL;
    o->open[v].n = 0;
    if (!start) return 0;
    buf_addn(b, o->reason.s, o->reason.n);
    buf_addn(b, start->s, start->n);
    return keep(p, b, &o->open[v]);
}

static int fixed_out(policy *p, buf *b, uint32_t i, ev_cell *frame, json_fixed_out *o)
{
    const ev_def *d = &p->tree.defs[p->tree.outputs[i]];
    write_key(b, d, i);
    if (keep(p, b, &o->key)) return -1;
    if (i) buf_addc(b, ',');
    buf_adds(b, "{\"output\":");
    add_str(b, d->name);
    buf_adds(b, ",\"label\":");
    if (keep(p, b, &o->reason)) return -1;
    for (int v = 0; v < 2; v++) {
        if (fixed_label(p, b, d, frame, v, &o->label[v])) return -1;
        o->plain[v] = !o->label[v].n && (uint8_t)plain_label(d, frame, v);
        if (o->plain[v] && !d->range_end && cut_label(p, b, d, v, &o->cut[v])) return -1;
        if (join_open(p, b, o, v)) return -1;
    }
    return fixed_rules(p, b, p->tree.outputs[i], o);
}

static int build(policy *p, struct json_fixed *f, buf *b, ev_cell *frame)
{
    write_head(b, p);
    if (keep(p, b, &f->head)) return -1;
    write_explain_head(b, p);
    if (keep(p, b, &f->explain)) return -1;
    for (uint32_t i = 0; i < p->tree.noutputs; i++)
        if (fixed_out(p, b, i, frame, &f->outs[i])) return -1;
    return 0;
}

int json_fixed_build(policy *p)
{
    struct json_fixed *f = arena_alloc(&p->pool, sizeof *f);
    json_fixed_out *outs = arena_alloc(&p->pool, sizeof *outs * (p->tree.noutputs + 1));
    ev_cell *frame = calloc(p->tree.nslots + 1, sizeof *frame);
    if (!f || !outs || !frame) { free(frame); return -1; }
    f->outs = outs;
    buf b;
    buf_init(&b);
    int rc = build(p, f, &b, frame);
    buf_free(&b);
    free(frame);
    if (!rc) p->json = f;
    return rc;
}
