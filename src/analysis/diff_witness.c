/*
 * diff_witness.c - witness inputs for the regions of a semantic diff.
 *
 * A point of the abstracted input (one value per variable of diff_az)
 * becomes a real request body: a list as long as its length variable
 * (or as short as its sums allow), each sum spread over the elements from
 * the first on within one element's bounds, the input's own fields set,
 * every other required field at the value nearest 0 its bounds allow
 * (or, when searching a cell that could not be decided, every other
 * field at a random value).
 * The body is then decided by both versions through decision_make, the
 * one evaluation path of the API and `eligo eval`, so that what the
 * report shows is what eligo would decide, not what the analysis thinks:
 * its outputs, and the texts of the warnings that held.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "analysis/diff_int.h"
#include "eval/date.h"
#include "eval/decimal.h"
#include "io/decision.h"
#include "io/json_in.h"

static int64_t clamp(int64_t v, const field_def *f)
{
    if (f->has_min && v < f->min) v = f->min;
    if (f->has_max && v > f->max) v = f->max;
    return v;
}

static void scalar(buf *b, const ty *t, int64_t v)
{
    char s[64];
    if (t->kind == TY_MONEY || t->kind == TY_DECIMAL) {
        dec_format(v, t->kind == TY_MONEY ? 2 : 0, s);
        buf_json_string(b, s, strlen(s));
    } else if (t->kind == TY_DATE || t->kind == TY_ENUM) {
        ev_format_scalar(t, v, s);
        buf_json_string(b, s, strlen(s));
    } else {
        buf_adds(b, ev_format_scalar(t, v, s));
    }
}

static uint64_t next(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return *seed >> 17;
}

/* A random value of a field no variable sets, for the search of cells
 * that could not be decided: bools, enums, and numbers and dates in a
 * range households have (0 to 3000.00, 0 to 100, 1930 to 2030). */
static int64_t random_value(const field_def *f, uint64_t *seed)
{
    uint64_t r = next(seed);
    switch (f->type->kind) {
    case TY_BOOL: return (int64_t)(r & 1);
    case TY_ENUM: return (int64_t)(r % f->type->en->nvalues);
    case TY_MONEY: return clamp((int64_t)(r % 300001) * 10000, f);
    case TY_DECIMAL: return clamp((int64_t)(r % 1000001), f);
    case TY_DATE: return clamp(date_from_ymd(1930, 1, 1) + (int64_t)(r % 36525), f);
    default: return clamp((int64_t)(r % 101), f);
    }
}

/* A field not set by any variable: with a seed, a random value (when it
 * is a scalar); otherwise, when required, the value nearest 0 (or
 * 1980-01-01 for a date) within its bounds; texts "m1", "m2", ...
 * Returns 0 when the field is left out. */
static int filler(buf *b, const field_def *f, uint32_t nth, uint64_t *seed, int first)
{
    int random = seed && *seed && ty_is_scalar(f->type);
    if (!random && !f->required) return 0;
    if (!first) buf_addc(b, ',');
    buf_json_string(b, f->name, strlen(f->name));
    buf_addc(b, ':');
    if (random) {
        scalar(b, f->type, random_value(f, seed));
    } else if (f->type->kind == TY_TEXT) {
        buf_printf(b, "\"m%u\"", nth + 1);
    } else if (f->type->kind == TY_LIST) {
        buf_adds(b, "[]");
    } else {
        scalar(b, f->type, clamp(f->type->kind == TY_DATE ? date_from_ymd(1980, 1, 1) : 0, f));
    }
    return 1;
}

/* The value variable kind/list/field has at x, or 0 when no variable. */
static int var_value(const diff_az *z, const int64_t *x, diff_var_kind kind, uint32_t list, uint32_t field,
                     int64_t *out)
{
    for (uint32_t i = 0; i < z->nvars; i++) {
        const diff_var *v = &z->vars[i];
        if (v->kind == kind && (kind == DV_FIELD || v->list == list) && (kind == DV_LEN || v->field == field)) {
            *out = x[i];
            return 1;
        }
    }
    return 0;
}

/* How many elements the list needs: its length variable, or enough for
 * its sums within one element's bounds (at least its minimum). */
static int64_t list_length(const diff_az *z, const int64_t *x, uint32_t list, const field_def *lf)
{
    int64_t n;
    if (var_value(z, x, DV_LEN, list, 0, &n)) return n;
    n = lf->has_min ? lf->min : 0;
    for (uint32_t i = 0; i < z->nvars; i++) {
        const diff_var *v = &z->vars[i];
        if (v->kind != DV_SUM || v->list != list) continue;
        while (n < (lf->has_max ? lf->max : 64) &&
               (x[i] > v->each_hi * n || x[i] < v->each_lo * n)) n++;
    }
    return n;
}

static void element(buf *b, const diff_az *z, const int64_t *x, uint32_t list, const entity_def *e,
                    uint32_t nth, int64_t n, int64_t *left, uint64_t *seed)
{
    buf_addc(b, '{');
    int first = 1;
    for (uint32_t f = 0; f < e->nfields; f++) {
        const field_def *fd = &e->fields[f];
        int64_t total;
        if (!var_value(z, x, DV_SUM, list, f, &total)) {
            if (filler(b, fd, nth, seed, first)) first = 0;
            continue;
        }
        if (!first) buf_addc(b, ',');
        first = 0;
        buf_json_string(b, fd->name, strlen(fd->name));
        buf_addc(b, ':');
        /* spread: this element takes what is left down to what the rest
         * can still hold at their least */
        int64_t lo = fd->has_min ? fd->min : INT64_MIN / 4, rest = (n - 1 - (int64_t)nth);
        int64_t v = left[f] - rest * (fd->has_min ? fd->min : 0);
        if (fd->has_max && v > fd->max) v = fd->max;
        if (v < lo) v = lo;
        left[f] -= v;
        scalar(b, fd->type, v);
    }
    buf_addc(b, '}');
}

static void input_json(buf *b, const diff_az *z, const int64_t *x, const entity_def *root, uint64_t *seed)
{
    buf_printf(b, "{\"%s\":{", root->name);
    int first = 1;
    for (uint32_t f = 0; f < root->nfields; f++) {
        const field_def *fd = &root->fields[f];
        int64_t v;
        int is_list = fd->type->kind == TY_LIST && fd->type->elem->kind == TY_ENTITY;
        int set = !is_list && var_value(z, x, DV_FIELD, 0, f, &v);
        if (!set && !is_list) {
            if (filler(b, fd, 0, seed, first)) first = 0;
            continue;
        }
        if (!first) buf_addc(b, ',');
        first = 0;
        buf_json_string(b, fd->name, strlen(fd->name));
        buf_addc(b, ':');
        if (set) { scalar(b, fd->type, v); continue; }
        const entity_def *e = fd->type->elem->ent;
        int64_t n = list_length(z, x, f, fd), left[64] = {0};
        for (uint32_t k = 0; k < e->nfields && k < 64; k++) var_value(z, x, DV_SUM, f, k, &left[k]);
        buf_addc(b, '[');
        for (int64_t i = 0; i < n; i++) {
            if (i) buf_addc(b, ',');
            element(b, z, x, f, e, (uint32_t)i, n, left, seed);
        }
        buf_addc(b, ']');
    }
    buf_adds(b, "}}");
}

/* The length of the JSON object or array at s (eligo's own output:
 * valid, so only strings need care), or 0 when it does not close. */
static size_t value_len(const char *s, size_t n)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = 0;
        } else if (c == '"') in_str = 1;
        else if (c == '{' || c == '[') depth++;
        else if ((c == '}' || c == ']') && --depth == 0) return i + 1;
    }
    return 0;
}

void diff_warning_texts(arena *pool, const char *doc, size_t doc_len, buf *out)
{
    json_member *m = NULL, *e = NULL;
    size_t n = 0, ne = 0;
    if (json_members(doc, doc_len, pool, &m, &n)) n = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].key_len != 8 || memcmp(m[i].key, "warnings", 8) != 0) continue;
        const char *a = m[i].value + 1, *end = m[i].value + m[i].value_len - 1;
        while (a < end && *a == '{') {
            size_t len = value_len(a, (size_t)(end - a));
            if (!len || json_members(a, len, pool, &e, &ne) || !ne) break;
            buf_add(out, e[0].value, e[0].value_len);    /* "text" comes first */
            buf_addc(out, '\n');
            a += len + (a + len < end && a[len] == ',');
        }
    }
}

/* The texts of the decision's warnings as a JSON array of strings ([]
 * when none held): what a witness shows of them. */
static void warning_texts(arena *pool, const buf *doc, buf *out)
{
    buf lines;
    buf_init(&lines);
    diff_warning_texts(pool, doc->data, doc->len, &lines);
    buf_addc(out, '[');
    for (size_t i = 0; i < lines.len; i++) {
        if (lines.data[i] != '\n') buf_addc(out, lines.data[i]);
        else if (i + 1 < lines.len) buf_addc(out, ',');     /* between texts */
    }
    buf_addc(out, ']');
    buf_free(&lines);
}

/* The outputs object of p on input, or {"error": why}; its warnings'
 * texts into *warned. */
static const char *decide(arena *pool, const policy *p, const buf *input, int64_t as_of, const char **warned)
{
    decision_frame f = {0};
    decision_result r;
    buf doc, out, w;
    buf_init(&doc);
    buf_init(&out);
    buf_init(&w);
    decision_rc rc = decision_make(p, input->data, input->len, "", as_of, 0, &f, pool, &doc, NULL, &r);
    if (rc == DECISION_OK) {
        buf_add(&out, doc.data + r.parts.outputs_off, r.parts.outputs_len);
        warning_texts(pool, &doc, &w);
    } else {
        const char *why = rc == DECISION_BAD_INPUT ? (r.errs.n ? r.errs.items[0].detail : "bad input")
                        : rc == DECISION_NOMEM ? "out of memory" : r.err.msg;
        buf_adds(&out, rc == DECISION_REFUSED ? "{\"refused\":" : "{\"error\":");
        buf_json_string(&out, why, strlen(why));
        buf_addc(&out, '}');
    }
    const char *s = arena_strndup(pool, out.data ? out.data : "", out.len);
    *warned = arena_strndup(pool, w.len ? w.data : "[]", w.len ? w.len : 2);
    buf_free(&doc);
    buf_free(&out);
    buf_free(&w);
    decision_frame_free(&f);
    return s;
}

void diff_witness(diff_az *z, const int64_t *x, uint64_t seed, arena *scratch, diff_region *r)
{
    buf in, body;
    buf_init(&in);
    buf_init(&body);
    input_json(&in, z, x, z->s[1].t->root, &seed);
    char day[16];
    int64_t as_of = z->as_of;
    for (uint32_t i = 0; i < z->nvars; i++)
        if (z->vars[i].kind == DV_ASOF) as_of = x[i];
    date_format(as_of, day);
    buf_adds(&body, "{\"policy\":");
    buf_json_string(&body, z->s[1].p->name, strlen(z->s[1].p->name));
    buf_printf(&body, ",\"as_of\":\"%s\",\"input\":", day);
    buf_add(&body, in.data, in.len);
    buf_addc(&body, '}');
    r->witness = arena_strndup(scratch, body.data, body.len);
    r->witness_old = decide(scratch, z->s[0].p, &in, as_of, &r->warned_old);
    r->witness_new = decide(scratch, z->s[1].p, &in, as_of, &r->warned_new);
    r->confirmed = r->witness_old && r->witness_new &&
                   (strcmp(r->witness_old, r->witness_new) != 0 ||
                    (r->warned_old && r->warned_new && strcmp(r->warned_old, r->warned_new) != 0));
    buf_free(&in);
    buf_free(&body);
}
