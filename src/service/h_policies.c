/*
 * h_policies.c - GET /v1/policies, GET /v1/policies/{name} and its
 * schema.
 *
 * The list gives each loaded policy's name, title, hash and
 * jurisdiction.  One policy gives, for the date `as_of` (default today):
 * every parameter's value in force with the day it took effect and its
 * source, the input model (the root entity's fields, and every entity
 * they reach: name, type, required, range, default, label), and the
 * outputs (name, type, label), and its source text as loaded.  Its schema is the JSON Schema of a
 * decision request (io/json_schema.c).  Everything is read from the compiled
 * registry the worker inherited; nothing touches the store.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "eval/date.h"
#include "io/json_out.h"
#include "io/json_schema.h"
#include "service/service.h"
#include "service/decide.h"

static void type_name(buf *b, const ty *t)
{
    switch (t->kind) {
    case TY_BOOL: buf_adds(b, "bool"); break;
    case TY_INT: buf_adds(b, "int"); break;
    case TY_DECIMAL: case TY_NUMBER: buf_adds(b, "decimal"); break;
    case TY_MONEY:
        buf_adds(b, "money");
        if (t->period == TP_MONTH) buf_adds(b, " per month");
        else if (t->period == TP_YEAR) buf_adds(b, " per year");
        else if (t->period == TP_ONCE) buf_adds(b, " once");
        break;
    case TY_DATE: buf_adds(b, "date"); break;
    case TY_TEXT: buf_adds(b, "text"); break;
    case TY_ENUM: buf_adds(b, t->en ? t->en->name : "enum"); break;
    case TY_ENTITY: buf_adds(b, t->ent ? t->ent->name : "entity"); break;
    case TY_LIST: buf_adds(b, "list of "); type_name(b, t->elem); break;
    case TY_MAP: buf_adds(b, "map of "); type_name(b, t->elem); break;
    default: buf_adds(b, "?"); break;
    }
}

static void type_json(buf *b, const ty *t)
{
    buf tmp;
    buf_init(&tmp);
    type_name(&tmp, t);
    buf_json_string(b, tmp.data ? tmp.data : "", tmp.len);
    buf_free(&tmp);
}

static void date_json(buf *b, int64_t d)
{
    char s[16];
    date_format(d, s);
    buf_json_string(b, s, strlen(s));
}

static const ty *base_type(const ty *t)
{
    while (t->kind == TY_LIST || t->kind == TY_MAP) t = t->elem;
    return t;
}

static void field_json(buf *b, const field_def *f)
{
    buf_adds(b, "{\"name\":");
    buf_json_cstr(b, f->name);
    buf_adds(b, ",\"type\":");
    type_json(b, f->type);
    buf_printf(b, ",\"required\":%s", f->required ? "true" : "false");
    if (f->has_min || f->has_max) {
        int length = f->type->kind == TY_TEXT || f->type->kind == TY_LIST;
        buf_adds(b, ",\"range\":{");
        if (f->has_min) {
            buf_adds(b, length ? "\"min_length\":" : "\"min\":");
            if (length) buf_printf(b, "%lld", (long long)f->min);
            else json_write_value(b, f->type, &(ev_cell){.i = f->min});
        }
        if (f->has_max) {
            buf_adds(b, f->has_min ? "," : "");
            buf_adds(b, length ? "\"max_length\":" : "\"max\":");
            if (length) buf_printf(b, "%lld", (long long)f->max);
            else json_write_value(b, f->type, &(ev_cell){.i = f->max});
        }
        buf_addc(b, '}');
    }
    if (!f->required && (ty_is_scalar(f->type) || f->type->kind == TY_TEXT ||
                         (f->type->kind == TY_LIST && f->def.l.n == 0))) {
        buf_adds(b, ",\"default\":");
        json_write_value(b, f->type, &f->def);
    }
    const ty *bt = base_type(f->type);
    if (bt->kind == TY_ENUM && bt->en) {
        buf_adds(b, ",\"values\":[");
        for (uint32_t i = 0; i < bt->en->nvalues; i++) {
            if (i) buf_addc(b, ',');
            buf_json_cstr(b, bt->en->values[i]);
        }
        buf_addc(b, ']');
    }
    buf_adds(b, ",\"label\":");
    buf_json_cstr(b, f->label);
    buf_addc(b, '}');
}

/* The root entity and every entity its fields reach, once each. */
static void model_json(buf *b, const entity_def *root)
{
    const entity_def *seen[32];
    uint32_t n = 0, done = 0;
    seen[n++] = root;
    buf_adds(b, "{\"root\":");
    buf_json_cstr(b, root->name);
    buf_adds(b, ",\"entities\":[");
    while (done < n) {
        const entity_def *e = seen[done++];
        if (done > 1) buf_addc(b, ',');
        buf_adds(b, "{\"name\":");
        buf_json_cstr(b, e->name);
        buf_adds(b, ",\"label\":");
        buf_json_cstr(b, e->label);
        buf_adds(b, ",\"fields\":[");
        for (uint32_t i = 0; i < e->nfields; i++) {
            if (i) buf_addc(b, ',');
            field_json(b, &e->fields[i]);
            const ty *bt = base_type(e->fields[i].type);
            if (bt->kind == TY_ENTITY && bt->ent) {
                uint32_t k = 0;
                while (k < n && seen[k] != bt->ent) k++;
                if (k == n && n < 32) seen[n++] = bt->ent;
            }
        }
        buf_adds(b, "]}");
    }
    buf_adds(b, "]}");
}

static void summary(buf *b, const policy *p)
{
    buf_adds(b, "{\"name\":");
    buf_json_cstr(b, p->name);
    buf_adds(b, ",\"title\":");
    buf_json_cstr(b, p->title);
    buf_adds(b, ",\"hash\":");
    buf_json_cstr(b, p->hash);
    buf_adds(b, ",\"jurisdiction\":");
    buf_json_cstr(b, p->jurisdiction);
}

void h_policies_list(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq, (void)m;
    http_json(rs, 200);
    buf *b = &rs->body;
    buf_adds(b, "{\"policies\":[");
    for (uint32_t i = 0; i < sv->reg->npolicies; i++) {
        if (i) buf_addc(b, ',');
        summary(b, sv->reg->policies[i]);
        buf_addc(b, '}');
    }
    buf_adds(b, "]}");
}


/* The policy the path names; NULL after a 404 unknown-policy. */
static const policy *policy_or_404(service *sv, http_response *rs, const route_match *m)
{
    const policy *p = registry_find(sv->reg, m->id);
    if (!p) {
        char detail[160];
        snprintf(detail, sizeof detail, "no policy named `%.100s` is loaded", m->id);
        http_problem_as(rs, PROBLEM_UNKNOWN_POLICY, detail, NULL);
    }
    return p;
}

void h_policy_get(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    const policy *p = policy_or_404(sv, rs, m);
    if (!p)
        return;
    char as_of_s[32];
    int64_t as_of = decide_today();   /* the same "today" (UTC) as a decision's default as_of */
    if (http_query_param(rq->query, "as_of", as_of_s, sizeof as_of_s) &&
        date_parse(as_of_s, strlen(as_of_s), &as_of) != 0) {
        http_problem_at(rs, PROBLEM_INVALID_PARAMETER, "/as_of", "as_of must be a date YYYY-MM-DD");
        return;
    }
    http_json(rs, 200);
    buf *b = &rs->body;
    summary(b, p);
    buf_adds(b, ",\"as_of\":");
    date_json(b, as_of);
    buf_adds(b, ",\"covers\":{\"from\":");
    date_json(b, p->tree.covers_from);
    buf_adds(b, ",\"until\":");
    date_json(b, p->tree.covers_until);
    /* outside the covered period nothing is in force: a decision for that
     * date is 422 outside-covered-period (eval.c) */
    int covered = p->tree.covers_from <= as_of && as_of <= p->tree.covers_until;
    buf_printf(b, "},\"covered\":%s,\"sources\":[", covered ? "true" : "false");
    for (uint32_t i = 0; i < p->nsources; i++) {
        if (i) buf_addc(b, ',');
        buf_adds(b, "{\"file\":");
        buf_json_cstr(b, p->sources[i].file);
        buf_adds(b, ",\"quote\":");
        buf_json_cstr(b, p->sources[i].quote);
        buf_addc(b, '}');
    }
    buf_adds(b, "],\"parameters\":[");
    for (uint32_t i = 0; i < p->tree.nparams; i++) {
        const ev_param *pa = &p->tree.params[i];
        if (i) buf_addc(b, ',');
        buf_adds(b, "{\"name\":");
        buf_json_cstr(b, pa->name);
        buf_adds(b, ",\"label\":");
        buf_json_cstr(b, pa->label);
        buf_adds(b, ",\"type\":");
        type_json(b, pa->type);
        uint32_t k = 0;
        while (k < pa->nvalues && !(pa->from[k] <= as_of && as_of <= pa->until[k])) k++;
        if (k == pa->nvalues || !covered) {
            buf_adds(b, ",\"value\":null,\"in_force\":false}");
            continue;
        }
        buf_adds(b, ",\"in_force\":true,\"value\":");
        json_write_value(b, pa->type, &pa->value[k]);
        buf_adds(b, ",\"from\":");
        date_json(b, pa->from[k]);
        buf_adds(b, ",\"until\":");
        if (pa->until[k] == INT64_MAX) buf_adds(b, "null");
        else date_json(b, pa->until[k]);
        buf_adds(b, ",\"source\":");
        buf_json_cstr(b, pa->source ? pa->source[k] : NULL);
        buf_adds(b, ",\"file\":");
        buf_json_cstr(b, pa->cite ? pa->cite[k].doc : NULL);
        buf_adds(b, ",\"quote\":");
        buf_json_cstr(b, pa->cite ? pa->cite[k].quote : NULL);
        buf_adds(b, ",\"assumption\":");
        buf_json_cstr(b, pa->cite ? pa->cite[k].assumption : NULL);
        buf_addc(b, '}');
    }
    buf_adds(b, "],\"input\":");
    if (p->root) model_json(b, p->root);
    else buf_adds(b, "null");
    buf_adds(b, ",\"outputs\":[");
    for (uint32_t i = 0; i < p->tree.noutputs; i++) {
        const ev_def *d = &p->tree.defs[p->tree.outputs[i]];
        if (i) buf_addc(b, ',');
        buf_adds(b, "{\"name\":");
        buf_json_cstr(b, d->name);
        buf_adds(b, ",\"type\":");
        type_json(b, d->type);
        buf_adds(b, ",\"label\":");
        buf_json_cstr(b, d->label);
        buf_addc(b, '}');
    }
    /* the text as loaded, for the officer's workbench to open and edit */
    buf_adds(b, "],\"text\":");
    buf_json_string(b, p->src->text, p->src->len);
    buf_addc(b, '}');
}

void h_policy_schema(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq;
    const policy *p = policy_or_404(sv, rs, m);
    if (!p)
        return;
    http_json(rs, 200);
    rs->content_type = "application/schema+json";   /* RFC draft-bhutton-json-schema */
    json_schema_write(&rs->body, p);
}
