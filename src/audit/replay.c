/*
 * replay.c - stored decisions evaluated again under their stored texts
 * (see replay.h for what a replay proves).
 *
 * The comparison is by bytes: eligo writes its documents canonically
 * (outputs in declaration order, money as fixed-point strings), so the
 * same texts, input and date give the same bytes, and any difference is
 * a real one.  Only on a mismatch are the documents taken apart into
 * members, to name each differing output with both values.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit/record.h"
#include "audit/replay.h"
#include "eval/date.h"
#include "io/decision.h"
#include "lang/compile.h"
#include "lang/diag.h"

enum { CACHE_SIZE = 32, MAX_MODELS = 8 };

typedef struct compiled {
    char policy_hash[72], model_hash[72];
    cmodel *models[MAX_MODELS];     /* the stored text's files, the root first */
    uint32_t nmodels;
    cmodel *model;                  /* the last: the one the policy uses */
    policy *policy;
    char *why;                  /* malloc'ed: why it cannot be replayed, or NULL */
} compiled;

struct replayer {
    store *db;
    compiled cache[CACHE_SIZE];
    unsigned next;              /* the slot the next miss replaces */
    decision_frame frame;
    arena pool;                 /* reset after every row */
    buf doc;
};

uint64_t replay_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

replayer *replayer_new(store *s)
{
    replayer *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->db = s;
    arena_init(&r->pool, 65536);
    buf_init(&r->doc);
    return r;
}

static void compiled_clear(compiled *c)
{
    if (c->policy) policy_free(c->policy);
    while (c->nmodels) cmodel_free(c->models[--c->nmodels]);   /* extensions before their bases */
    free(c->why);
    memset(c, 0, sizeof *c);
}

void replayer_free(replayer *r)
{
    if (!r) return;
    for (int i = 0; i < CACHE_SIZE; i++) compiled_clear(&r->cache[i]);
    decision_frame_free(&r->frame);
    arena_free(&r->pool);
    buf_free(&r->doc);
    free(r);
}

/* What, then the diagnostics of a failed compile (malloc'ed). */
static char *diagnostics(const diag_list *dl, const char *what)
{
    char *d = diag_text(dl);
    size_t n = strlen(what) + (d ? strlen(d) : 0) + 3;
    char *text = malloc(n);
    if (text) snprintf(text, n, "%s:\n%s", what, d ? d : "");
    free(d);
    size_t len = text ? strlen(text) : 0;
    while (len && text[len - 1] == '\n') text[--len] = 0;
    return text;
}

static char *why_printf(const char *fmt, const char *a)
{
    size_t n = strlen(fmt) + strlen(a) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, fmt, a);
    return s;
}

/* Compiles the stored model text (one file, or a model text set: the
 * files of a model that extends another, the root first) into c, each
 * file against those before it; 0, or -1 with c->why set. */
static int compile_models(compiled *c, buf *name, buf *text, diag_list *dl)
{
    const char *names[MAX_MODELS], *texts[MAX_MODELS];
    size_t name_len[MAX_MODELS], text_len[MAX_MODELS];
    uint32_t n;
    if (model_set_split(text->data, text->len, names, name_len, texts, text_len, MAX_MODELS, &n)) {
        c->why = strdup("the stored model text set is malformed: it was altered");
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        char file[160];
        if (names[i]) snprintf(file, sizeof file, "%.*s", (int)name_len[i], names[i]);
        else snprintf(file, sizeof file, "%s", buf_cstr(name));
        model_set prior = {c->models, c->nmodels, 0, 0};
        cmodel *m = compile_model_in(source_new(file, texts[i], text_len[i]), &prior, dl);
        if (!m) {
            c->why = diagnostics(dl, "the stored model text no longer compiles");
            return -1;
        }
        c->models[c->nmodels++] = c->model = m;
    }
    return 0;
}

/* Loads the texts of c's hashes and compiles them.  0, or -1 when the
 * database failed (c->why unset); texts missing, altered or failing to
 * compile set c->why and return 0. */
static int compile_stored(replayer *r, compiled *c, const char *policy_name)
{
    buf name, text;
    buf_init(&name);
    buf_init(&text);
    diag_list dl;
    diag_list_init(&dl);
    int rc = 0;
    store_rc got = store_get_model_text(r->db, c->model_hash, &name, &text);
    if (got == STORE_NOT_FOUND) {
        c->why = why_printf("the model text %s is not stored", c->model_hash);
        goto done;
    }
    if (got != STORE_OK) { rc = -1; goto done; }
    if (compile_models(c, &name, &text, &dl)) goto done;
    if (strcmp(c->model->hash, c->model_hash) != 0) {
        c->why = why_printf("the stored model text does not hash to %s: it was altered", c->model_hash);
        goto done;
    }
    buf_reset(&name);
    buf_reset(&text);
    got = store_get_policy_text(r->db, c->policy_hash, &name, &text);
    if (got == STORE_NOT_FOUND) {
        c->why = why_printf("the policy text %s is not stored", c->policy_hash);
        goto done;
    }
    if (got != STORE_OK) { rc = -1; goto done; }
    model_set ms = {&c->model, 1, 0, 0};   /* a stored text is replayed: no load checks */
    char file[160];
    snprintf(file, sizeof file, "%s.policy", buf_cstr(&name));
    c->policy = compile_policy(source_new(file, buf_cstr(&text), text.len), &ms, &dl);
    if (!c->policy) { c->why = diagnostics(&dl, "the stored policy text no longer compiles"); goto done; }
    if (strcmp(c->policy->hash, c->policy_hash) != 0)
        c->why = why_printf("the stored policy text does not hash to %s: it was altered", c->policy_hash);
    else if (strcmp(c->policy->name, policy_name) != 0)
        c->why = why_printf("the stored policy text is not the policy the decision names (%s)", policy_name);
done:
    diag_list_free(&dl);
    buf_free(&name);
    buf_free(&text);
    return rc;
}

const policy *replayer_policy(replayer *r, const store_row *row, const char **why, int *store_failed)
{
    *why = NULL;
    *store_failed = 0;
    if (row->model_hash_null || !row->model_hash.len) {
        *why = "the decision names no model text (stored before model texts were kept)";
        return NULL;
    }
    const char *ph = row->policy_hash.data, *mh = row->model_hash.data;
    for (int i = 0; i < CACHE_SIZE; i++) {
        compiled *c = &r->cache[i];
        if (strcmp(c->policy_hash, ph) == 0 && strcmp(c->model_hash, mh) == 0) {
            *why = c->why;
            return c->why ? NULL : c->policy;
        }
    }
    compiled *c = &r->cache[r->next];
    compiled_clear(c);
    snprintf(c->policy_hash, sizeof c->policy_hash, "%s", ph);
    snprintf(c->model_hash, sizeof c->model_hash, "%s", mh);
    if (compile_stored(r, c, row->policy_name.data)) {
        compiled_clear(c);          /* not cached: the next row tries again */
        *store_failed = 1;
        return NULL;
    }
    if (!c->why && !c->policy) c->why = strdup("out of memory");
    r->next = (r->next + 1) % CACHE_SIZE;
    *why = c->why;
    return c->why ? NULL : c->policy;
}

static int span_eq(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && memcmp(a, b, an) == 0;
}

static void add_value(buf *out, const char *v, size_t n)
{
    if (v) buf_add(out, v, n);
    else buf_adds(out, "null");
}

static const json_member *member(const json_member *m, size_t n, const char *key, size_t klen)
{
    for (size_t i = 0; i < n; i++)
        if (span_eq(m[i].key, m[i].key_len, key, klen)) return &m[i];
    return NULL;
}

/* {"<kind>": key, "original": a, "replayed": b} for every member of the
 * two objects whose values differ (present in only one: null). */
static void member_differences(arena *pool, const char *kind, const char *a, size_t an, const char *b,
                               size_t bn, buf *out, int *first)
{
    json_member *ma = NULL, *mb = NULL;
    size_t na = 0, nb = 0;
    if (json_members(a, an, pool, &ma, &na) || json_members(b, bn, pool, &mb, &nb)) {
        if (!*first) buf_addc(out, ',');
        *first = 0;
        buf_printf(out, "{\"part\":\"%s\",\"detail\":\"not a JSON object\"}", kind);
        return;
    }
    for (int side = 0; side < 2; side++) {
        const json_member *ms = side ? mb : ma;
        size_t n = side ? nb : na;
        for (size_t i = 0; i < n; i++) {
            const json_member *x = member(ma, na, ms[i].key, ms[i].key_len);
            const json_member *y = member(mb, nb, ms[i].key, ms[i].key_len);
            if (side && x) continue;                /* seen from side a */
            if (x && y && span_eq(x->value, x->value_len, y->value, y->value_len)) continue;
            if (!*first) buf_addc(out, ',');
            *first = 0;
            buf_printf(out, "{\"%s\":\"%.*s\",\"original\":", kind, (int)ms[i].key_len, ms[i].key);
            add_value(out, x ? x->value : NULL, x ? x->value_len : 0);
            buf_adds(out, ",\"replayed\":");
            add_value(out, y ? y->value : NULL, y ? y->value_len : 0);
            buf_addc(out, '}');
        }
    }
}

static void unreplayable_json(const store_row *row, unsigned differs, const char *why, buf *out)
{
    buf_adds(out, "{\"decision_id\":");
    buf_json_string(out, row->id.data, row->id.len);
    buf_adds(out, ",\"match\":false,");
    record_check_json(differs, out);
    buf_adds(out, ",\"replayable\":false,\"reason\":");
    buf_json_string(out, why, strlen(why));
    buf_addc(out, '}');
}

/* Evaluates the row under p into r->doc.  NULL, or why it failed. */
static const char *evaluate(replayer *r, const policy *p, const store_row *row, decision_parts *parts)
{
    int64_t as_of;
    if (date_parse(row->as_of.data, row->as_of.len, &as_of)) return "the stored as_of is not a date";
    decision_result res;
    buf_reset(&r->doc);
    decision_rc rc = decision_make(p, row->input.data, row->input.len, "/input", as_of,
                                   !row->explanation_null, &r->frame, &r->pool, &r->doc, NULL, &res);
    *parts = res.parts;
    switch (rc) {
    case DECISION_OK: return NULL;
    case DECISION_BAD_INPUT:
        return res.errs.n ? arena_printf(&r->pool, "the stored input does not fit the model: %s: %s",
                                         res.errs.items[0].pointer, res.errs.items[0].detail)
                          : "the stored input does not fit the model";
    case DECISION_NOMEM: return "out of memory";
    default: return arena_printf(&r->pool, "evaluation failed: %s", res.err.msg);
    }
}

static void result_json(const store_row *row, unsigned differs, const policy *p, const buf *doc,
                        const decision_parts *pt, int match, arena *pool, buf *out)
{
    const char *outs = doc->data + pt->outputs_off;
    buf_adds(out, "{\"decision_id\":");
    buf_json_string(out, row->id.data, row->id.len);
    buf_printf(out, ",\"match\":%s,", match ? "true" : "false");
    record_check_json(differs, out);
    buf_adds(out, ",\"policy\":{\"name\":");
    buf_json_string(out, p->name, strlen(p->name));
    buf_printf(out, ",\"hash\":\"%s\"},\"model\":{\"name\":", p->hash);
    buf_json_string(out, p->model->name, strlen(p->model->name));
    buf_printf(out, ",\"hash\":\"%s\"},\"as_of\":\"%s\",\"original\":", p->model->hash, row->as_of.data);
    add_value(out, row->outputs.len ? row->outputs.data : NULL, row->outputs.len);
    buf_adds(out, ",\"replayed\":");
    buf_add(out, outs, pt->outputs_len);
    buf_adds(out, ",\"differences\":[");
    int first = 1;
    if (!match) {
        member_differences(pool, "output", row->outputs.data, row->outputs.len, outs, pt->outputs_len,
                           out, &first);
        /* the answered document: every member that differs (the outputs
         * in it too: a row stored before db/005 holds an outputs column
         * apart from the answer; later rows read both from the answer) */
        member_differences(pool, "part", row->response.data, row->response.len, doc->data, doc->len,
                           out, &first);
        if (!row->explanation_null &&
            !span_eq(row->explanation.data, row->explanation.len, doc->data + pt->explanation_off,
                     pt->explanation_len)) {
            if (!first) buf_addc(out, ',');
            buf_adds(out, "{\"part\":\"explanation column\",\"original\":");
            buf_add(out, row->explanation.data, row->explanation.len);
            buf_adds(out, ",\"replayed\":");
            buf_add(out, doc->data + pt->explanation_off, pt->explanation_len);
            buf_addc(out, '}');
            first = 0;
        }
        if (first)      /* every value equal, yet the bytes are not what eligo wrote */
            buf_adds(out, "{\"part\":\"stored text\",\"detail\":\"the stored outputs or response hold the "
                          "same values in other bytes than eligo wrote: the row was rewritten\"}");
    }
    buf_adds(out, "]}");
}

replay_outcome replay_row(replayer *r, const store_row *row, buf *out)
{
    const char *why;
    int store_failed;
    arena_reset(&r->pool);
    unsigned differs = record_check(row);
    const policy *p = replayer_policy(r, row, &why, &store_failed);
    if (store_failed) return REPLAY_STORE_ERROR;
    decision_parts pt;
    if (p) why = evaluate(r, p, row, &pt);
    if (why) {
        if (out) unreplayable_json(row, differs, why, out);
        return differs ? REPLAY_TAMPERED : REPLAY_UNREPLAYABLE;
    }
    const buf *d = &r->doc;
    int match = span_eq(d->data, d->len, row->response.data, row->response.len) &&
                span_eq(d->data + pt.outputs_off, pt.outputs_len, row->outputs.data, row->outputs.len) &&
                (row->explanation_null ||
                 span_eq(d->data + pt.explanation_off, pt.explanation_len, row->explanation.data,
                         row->explanation.len));
    if (out) result_json(row, differs, p, d, &pt, match, &r->pool, out);
    return differs ? REPLAY_TAMPERED : match ? REPLAY_MATCH : REPLAY_MISMATCH;
}

typedef struct range_walk {
    replayer *r;
    replay_summary *sum;
    replay_progress progress;
    void *arg;
    uint64_t start;
    int store_failed;
} range_walk;

static void add_id(buf *ids, uint64_t count, const buf *id)
{
    if (count > REPLAY_MAX_IDS) return;
    if (ids->len) buf_addc(ids, ',');
    buf_json_string(ids, id->data, id->len);
}

static int range_row(void *arg, const store_row *row)
{
    range_walk *w = arg;
    replay_summary *s = w->sum;
    replay_outcome o = replay_row(w->r, row, NULL);
    if (o == REPLAY_STORE_ERROR) { w->store_failed = 1; return 1; }
    s->checked++;
    if (o == REPLAY_MATCH) s->matches++;
    else if (o == REPLAY_MISMATCH) add_id(&s->mismatching_ids, ++s->mismatches, &row->id);
    else if (o == REPLAY_TAMPERED) add_id(&s->tampered_ids, ++s->tampered, &row->id);
    else add_id(&s->unreplayable_ids, ++s->unreplayable, &row->id);
    if (w->progress && s->checked % 5000 == 0) {
        s->elapsed_ms = replay_now_ms() - w->start;
        w->progress(w->arg, s);
    }
    return 0;
}

store_rc replay_range(replayer *r, const char *from, const char *to, const char *policy_name,
                      replay_summary *sum, replay_progress progress, void *arg)
{
    memset(sum, 0, sizeof *sum);
    buf_init(&sum->mismatching_ids);
    buf_init(&sum->unreplayable_ids);
    buf_init(&sum->tampered_ids);
    range_walk w = {r, sum, progress, arg, replay_now_ms(), 0};
    store_rc rc = store_each_row(r->db, from, to, policy_name, range_row, &w);
    if (rc == STORE_OK && w.store_failed) rc = STORE_UNAVAILABLE;
    sum->elapsed_ms = replay_now_ms() - w.start;
    if (progress) progress(arg, sum);
    return rc;
}

void replay_summary_json(const replay_summary *s, const char *from, const char *to,
                         const char *policy_name, buf *out)
{
    buf_printf(out, "{\"from\":\"%s\",\"to\":\"%s\",\"policy\":", from, to);
    if (policy_name) buf_json_string(out, policy_name, strlen(policy_name));
    else buf_adds(out, "null");
    uint64_t rate = s->elapsed_ms ? s->checked * 1000 / s->elapsed_ms : s->checked * 1000;
    buf_printf(out, ",\"checked\":%llu,\"matches\":%llu,\"mismatches\":%llu,\"unreplayable\":%llu,"
                    "\"tampered\":%llu,\"elapsed_ms\":%llu,\"decisions_per_second\":%llu,\"mismatching_ids\":[",
               (unsigned long long)s->checked, (unsigned long long)s->matches,
               (unsigned long long)s->mismatches, (unsigned long long)s->unreplayable,
               (unsigned long long)s->tampered, (unsigned long long)s->elapsed_ms, (unsigned long long)rate);
    buf_add(out, s->mismatching_ids.data, s->mismatching_ids.len);
    buf_adds(out, "],\"unreplayable_ids\":[");
    buf_add(out, s->unreplayable_ids.data, s->unreplayable_ids.len);
    buf_adds(out, "],\"tampered_ids\":[");
    buf_add(out, s->tampered_ids.data, s->tampered_ids.len);
    buf_adds(out, "]}");
}

void replay_summary_free(replay_summary *s)
{
    buf_free(&s->mismatching_ids);
    buf_free(&s->unreplayable_ids);
    buf_free(&s->tampered_ids);
}
