/*
 * diff_report.c - the semantic diff's report, for people and for tools.
 *
 * The JSON is the body of POST /v1/diff and the output of `eligo diff
 * --json` (docs/diff.md describes each member); the text is what `eligo
 * diff` prints.  Values are written in the policy's terms: a constant as
 * the decision JSON writes it (money "860.00", booleans, enum names), a
 * value that varies over a region as an expression in the labels of the
 * input values it depends on ("900.00 − 家庭月收入合计").
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "analysis/diff_int.h"
#include "eval/date.h"
#include "eval/decimal.h"
#include "io/json_out.h"

const char *diff_var_value(const diff_var *v, int64_t x, char *out)
{
    if (v->type->kind == TY_ENUM && x >= 0 && (uint64_t)x < v->type->en->nvalues) {
        const char *l = v->type->en->labels ? v->type->en->labels[x] : NULL;
        snprintf(out, 64, "%s", l ? l : v->type->en->values[x]);
        return out;
    }
    if (v->type->kind == TY_MONEY) { dec_format(x, 2, out); return out; }
    return ev_format_scalar(v->type, x, out);
}

static int64_t unit_of(const ty *t) { return ty_is_decimal_like(t) ? DEC_SCALE : 1; }

/* A linear value as words: "900.00 − 家庭月收入合计", "3 × 家庭人口". */
static void expression(buf *b, const diff_az *z, const ty *t, const aval *a)
{
    char s[64];
    int terms = 0;
    wide c = a->c / AV_SCALE;
    if (c || a->kind == AV_CONST) {
        ev_format_scalar(t, (int64_t)c, s);
        if (t->kind == TY_MONEY) dec_format((int64_t)c, 2, s);
        buf_adds(b, s);
        terms = 1;
    }
    for (uint32_t i = 0; i < z->nvars; i++) {
        if (!a->k[i]) continue;
        /* the coefficient in millionths of the output's unit per unit of the variable */
        wide k = a->k[i] * unit_of(z->vars[i].type) / unit_of(t);
        wide mag = k < 0 ? -k : k;
        if (terms) buf_adds(b, k < 0 ? " − " : " + ");
        else if (k < 0) buf_adds(b, "−");
        if (mag != DEC_SCALE) {
            dec_format((int64_t)mag, 0, s);
            buf_printf(b, "%s × ", s);
        }
        buf_adds(b, z->vars[i].label);
        terms = 1;
    }
}

const char *diff_av_json(const diff_az *z, const ty *t, const aval *a)
{
    buf b;
    buf_init(&b);
    if (a->kind == AV_CONST && t->kind != TY_TEXT) {
        ev_cell v = {.i = (int64_t)(a->c / AV_SCALE)};
        if (t->kind == TY_MONEY || t->kind == TY_DECIMAL) {
            char s[64];
            dec_format(v.i, t->kind == TY_MONEY ? 2 : 0, s);
            buf_json_string(&b, s, strlen(s));
        } else {
            json_write_value(&b, t, &v);
        }
    } else if (a->kind == AV_CONST || a->kind == AV_LIN) {
        buf e;
        buf_init(&e);
        expression(&e, z, t, a);
        buf_json_string(&b, e.data, e.len);
        buf_free(&e);
    } else {
        const char *w = a->kind == AV_ERROR ? "(an evaluation error)" : a->kind == AV_TEXT ? "(a text)"
                      : "(varies with the input: see the witness)";
        buf_json_string(&b, w, strlen(w));
    }
    const char *s = arena_strndup(z->pool, b.data, b.len);
    buf_free(&b);
    return s;
}

const char *diff_delta_json(const diff_az *z, const ty *t, int64_t v)
{
    char s[64];
    if (t->kind == TY_MONEY) dec_format(v, 2, s);
    else ev_format_scalar(t, v, s);
    return arena_printf(z->pool, "\"%s%s\"", v > 0 ? "+" : "", s);
}

static void day(buf *b, int64_t d)
{
    char s[16];
    date_format(d, s);
    buf_printf(b, "\"%s\"", s);
}

/* A report and each of its regions open alike: what they are about and
 * the days they cover. */
static void open_span(buf *b, const char *key, const char *name, int64_t from, int64_t until)
{
    buf_printf(b, "{\"%s\":", key);
    buf_json_cstr(b, name);
    buf_adds(b, ",\"from\":");
    day(b, from);
    buf_adds(b, ",\"to\":");
    day(b, until);
}

static void region_json(buf *b, const diff_region *g)
{
    open_span(b, "description", g->description, g->from, g->until);
    buf_printf(b, ",\"exact\":%s,\"changes\":[", g->exact ? "true" : "false");
    for (uint32_t k = 0; k < g->nchanges; k++) {
        const diff_change *c = &g->changes[k];
        if (k) buf_addc(b, ',');
        buf_adds(b, "{\"output\":");
        buf_json_cstr(b, c->output);
        buf_adds(b, ",\"label\":");
        buf_json_cstr(b, c->label);
        buf_printf(b, ",\"old\":%s,\"new\":%s", c->old_json, c->new_json);
        if (c->delta) buf_printf(b, ",\"delta\":%s", c->delta);
        buf_printf(b, ",\"varies\":%s", c->varies ? "true" : "false");
        buf_addc(b, '}');
    }
    buf_printf(b, "],\"witness\":%s", g->witness ? g->witness : "null");
    if (g->witness)
        buf_printf(b, ",\"witness_outputs\":{\"old\":%s,\"new\":%s}", g->witness_old, g->witness_new);
    if (g->witness && g->warned_old && g->warned_new)
        buf_printf(b, ",\"witness_warnings\":{\"old\":%s,\"new\":%s}", g->warned_old, g->warned_new);
    buf_printf(b, ",\"confirmed\":%s}", g->confirmed ? "true" : "false");
}

void diff_report_json(const diff_report *r, buf *b)
{
    open_span(b, "policy", r->policy, r->from, r->until);
    buf_printf(b, ",\"equivalent\":%s,\"exact\":%s,\"regions\":[", r->equivalent ? "true" : "false",
               r->exact ? "true" : "false");
    for (uint32_t i = 0; i < r->nregions; i++) {
        if (i) buf_addc(b, ',');
        region_json(b, &r->regions[i]);
    }
    buf_printf(b, "],\"truncated\":%u,\"notes\":[", r->truncated);
    for (uint32_t i = 0; i < r->nnotes; i++) {
        if (i) buf_addc(b, ',');
        buf_json_cstr(b, r->notes[i]);
    }
    buf_adds(b, "]}");
}

/* A JSON string value without its quotes (for the text report). */
static void unquoted(buf *b, const char *json)
{
    size_t n = strlen(json);
    if (n >= 2 && json[0] == '"') buf_add(b, json + 1, n - 2);
    else buf_adds(b, json);
}

void diff_report_text(const diff_report *r, buf *b)
{
    char f[16], u[16];
    date_format(r->from, f);
    date_format(r->until, u);
    if (r->equivalent) {
        buf_printf(b, "%s: equivalent on %s%s%s: no input is decided differently\n", r->policy, f,
                   r->from == r->until ? "" : " to ", r->from == r->until ? "" : u);
        return;
    }
    buf_printf(b, "%s: %u region%s where the versions decide differently (%s)\n", r->policy,
               r->nregions + r->truncated, r->nregions + r->truncated == 1 ? "" : "s",
               r->exact ? "exact" : "not exact");
    for (uint32_t i = 0; i < r->nregions; i++) {
        const diff_region *g = &r->regions[i];
        date_format(g->from, f);
        date_format(g->until, u);
        buf_printf(b, "\n%u. %s", i + 1, g->description);
        if (r->from != r->until) buf_printf(b, "  (%s to %s)", f, u);
        buf_adds(b, g->exact ? "\n" : "  [not exact]\n");
        for (uint32_t k = 0; k < g->nchanges; k++) {
            const diff_change *c = &g->changes[k];
            buf_printf(b, "   %s: ", c->output);
            if (strcmp(c->output, "warning") == 0) buf_printf(b, "\"%s\": ", c->label);   /* which one */
            unquoted(b, c->old_json);
            buf_adds(b, " -> ");
            unquoted(b, c->new_json);
            if (c->delta) {
                buf_adds(b, " (");
                unquoted(b, c->delta);
                buf_addc(b, ')');
            }
            buf_addc(b, '\n');
        }
        if (g->witness)
            buf_printf(b, "   witness%s: %s\n", g->confirmed ? "" : " (outputs equal: not confirmed)", g->witness);
    }
    if (r->truncated) buf_printf(b, "\n... and %u more regions\n", r->truncated);
    for (uint32_t i = 0; i < r->nnotes; i++) buf_printf(b, "note: %s\n", r->notes[i]);
}
