/*
 * impact.c - a candidate policy text over stored decisions (impact.h).
 *
 * Each stored row costs one evaluation under the candidate and a few small
 * member scans (the stored outputs and the candidate's, and the warnings
 * of the stored answer and the candidate's); the candidate's
 * document is written without an explanation.  The benefit changes are
 * kept only as counts per bucket, so the report's size does not depend
 * on the range.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "analysis/diff.h"
#include "audit/impact.h"
#include "audit/record.h"
#include "audit/replay.h"
#include "eval/date.h"
#include "eval/decimal.h"
#include "io/decision.h"

/* Bucket edges in yuan: changes below -1000, [-1000, -100), [-100, -10),
 * [-10, 0), exactly 0, (0, 10), [10, 100), [100, 1000), 1000 and over. */
static const char *const bucket_labels[IMPACT_BUCKETS] = {
    "< -1000", "-1000 .. -100", "-100 .. -10", "-10 .. -0.01", "0",
    "0.01 .. 10", "10 .. 100", "100 .. 1000", ">= 1000"};

const char *impact_bucket_label(int bucket)
{
    return bucket >= 0 && bucket < IMPACT_BUCKETS ? bucket_labels[bucket] : "?";
}

static int bucket_of(dec_wide delta)
{
    static const int64_t edge[] = {-1000, -100, -10};
    if (delta == 0) return 4;
    if (delta < 0) {
        for (int i = 0; i < 3; i++)
            if (delta < edge[i] * DEC_SCALE) return i;
        return 3;
    }
    if (delta < 10 * DEC_SCALE) return 5;
    if (delta < 100 * DEC_SCALE) return 6;
    return delta < 1000 * DEC_SCALE ? 7 : 8;
}

static const char *kind_names[IMPACT_KINDS] = {"became_eligible", "lost_eligibility", "benefit_up",
                                                "benefit_down", "failed", "tampered",
                                                "warning_added", "warning_removed"};

/* The output chosen by name, or the first of kind. */
static const ev_def *pick_output(const policy *p, const char *name, ty_kind kind)
{
    if (name) return policy_output(p, name);
    for (uint32_t i = 0; i < p->tree.noutputs; i++) {
        const ev_def *d = &p->tree.defs[p->tree.outputs[i]];
        if (d->type->kind == kind) return d;
    }
    return NULL;
}

/* The value text of member name in an outputs object (NULL if absent). */
static const json_member *find(const json_member *m, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (m[i].key_len == len && memcmp(m[i].key, name, len) == 0) return &m[i];
    return NULL;
}

static int read_bool(const json_member *m, int *out)
{
    if (!m) return -1;
    if (m->value_len == 4 && memcmp(m->value, "true", 4) == 0) { *out = 1; return 0; }
    if (m->value_len == 5 && memcmp(m->value, "false", 5) == 0) { *out = 0; return 0; }
    return -1;
}

static int read_money(const json_member *m, int64_t *out)
{
    if (!m || m->value_len < 2 || m->value[0] != '"') return -1;
    return dec_parse(m->value + 1, m->value_len - 2, out) == DEC_OK ? 0 : -1;
}

typedef struct impact_walk {
    const policy *p;
    const ev_def *elig, *benefit;
    impact_report *rep;
    const impact_options *o;
    uint64_t start;             /* ms, for the progress line's rate */
    decision_frame frame;
    arena pool;
    buf doc;
    buf warned_before, warned_after;    /* warning texts, one a line (diff_warning_texts) */
} impact_walk;

static void example(impact_report *rep, impact_kind k, const buf *id)
{
    /* tampered rows are findings, listed like replay's ids; the rest
     * are examples */
    if (++rep->count[k] > (k == IMPACT_TAMPERED ? IMPACT_MAX_TAMPERED : IMPACT_EXAMPLES)) return;
    if (rep->examples[k].len) buf_addc(&rep->examples[k], ',');
    buf_json_string(&rep->examples[k], id->data, id->len);
}

static void failed(impact_walk *w, const store_row *row, const char *why)
{
    if (!w->rep->first_failure.len)
        buf_printf(&w->rep->first_failure, "%s: %s", row->id.data, why);
    example(w->rep, IMPACT_FAILED, &row->id);
}

/* Compares one stored decision with the candidate's. */
static void compare(impact_walk *w, const store_row *row, const json_member *old, size_t nold,
                    const json_member *now, size_t nnow)
{
    impact_report *rep = w->rep;
    if (w->elig) {
        int before, after;
        if (read_bool(find(old, nold, w->elig->name), &before) ||
            read_bool(find(now, nnow, w->elig->name), &after)) {
            failed(w, row, "the stored outputs lack the eligibility output");
            return;
        }
        if (before && !after) example(rep, IMPACT_LOST_ELIGIBILITY, &row->id);
        else if (!before && after) example(rep, IMPACT_BECAME_ELIGIBLE, &row->id);
        else if (before) rep->stayed_eligible++;
        else rep->stayed_ineligible++;
    }
    if (w->benefit) {
        int64_t before, after;
        if (read_money(find(old, nold, w->benefit->name), &before) ||
            read_money(find(now, nnow, w->benefit->name), &after)) {
            failed(w, row, "the stored outputs lack the benefit output");
            return;
        }
        /* in 128 bits: neither a change nor a sum of 64-bit amounts can
         * overflow it */
        dec_wide delta = (dec_wide)after - before;
        rep->total_before += before;
        rep->total_after += after;
        rep->histogram[bucket_of(delta)]++;
        if (delta > 0) example(rep, IMPACT_BENEFIT_UP, &row->id);
        else if (delta < 0) example(rep, IMPACT_BENEFIT_DOWN, &row->id);
        else rep->benefit_same++;
    }
}

/* Whether every line of a is a line of b. */
static int lines_within(const buf *a, const buf *b)
{
    for (size_t at = 0; at < a->len;) {
        const char *nl = memchr(a->data + at, '\n', a->len - at);
        size_t n = (size_t)(nl - (a->data + at)) + 1, found = 0;
        for (size_t k = 0; k + n <= b->len && !found;) {
            const char *bn = memchr(b->data + k, '\n', b->len - k);
            size_t m = (size_t)(bn - (b->data + k)) + 1;
            found = m == n && memcmp(b->data + k, a->data + at, n) == 0;
            k += m;
        }
        if (!found) return 0;
        at += n;
    }
    return 1;
}

/* The warnings of the stored answer and the candidate's, by text. */
static void compare_warnings(impact_walk *w, const store_row *row)
{
    buf_reset(&w->warned_before);
    buf_reset(&w->warned_after);
    diff_warning_texts(&w->pool, row->response.data, row->response.len, &w->warned_before);
    diff_warning_texts(&w->pool, w->doc.data, w->doc.len, &w->warned_after);
    if (!lines_within(&w->warned_after, &w->warned_before)) example(w->rep, IMPACT_WARNING_ADDED, &row->id);
    if (!lines_within(&w->warned_before, &w->warned_after)) example(w->rep, IMPACT_WARNING_REMOVED, &row->id);
}

static void progress(impact_walk *w)
{
    if (!w->o || !w->o->progress) return;
    w->rep->elapsed_ms = replay_now_ms() - w->start;
    w->o->progress(w->o->progress_arg, w->rep);
}

static int impact_row(void *arg, const store_row *row)
{
    impact_walk *w = arg;
    if (w->rep->checked && w->rep->checked % IMPACT_PROGRESS_ROWS == 0) progress(w);
    arena_reset(&w->pool);
    buf_reset(&w->doc);
    w->rep->checked++;
    if (record_check(row)) {
        /* its outputs are not what was stored: never a "before" */
        example(w->rep, IMPACT_TAMPERED, &row->id);
        return 0;
    }
    int64_t as_of;
    decision_result res;
    if (date_parse(row->as_of.data, row->as_of.len, &as_of)) { failed(w, row, "as_of is not a date"); return 0; }
    decision_rc rc = decision_make(w->p, row->input.data, row->input.len, "/input", as_of, 0, &w->frame,
                                   &w->pool, &w->doc, NULL, &res);
    if (rc != DECISION_OK) {
        failed(w, row, rc == DECISION_BAD_INPUT ? "the stored input does not fit the candidate's model"
                       : rc == DECISION_NOMEM ? "out of memory" : res.err.msg);
        return 0;
    }
    json_member *old = NULL, *now = NULL;
    size_t nold = 0, nnow = 0;
    if (json_members(row->outputs.data, row->outputs.len, &w->pool, &old, &nold) ||
        json_members(w->doc.data + res.parts.outputs_off, res.parts.outputs_len, &w->pool, &now, &nnow)) {
        failed(w, row, "the stored outputs are not a JSON object");
        return 0;
    }
    compare(w, row, old, nold, now, nnow);
    compare_warnings(w, row);
    return 0;
}

static const char *period_name(const ty *t)
{
    if (!t || t->kind != TY_MONEY) return "";
    switch (t->period) {
    case TP_MONTH: return "month";
    case TP_YEAR: return "year";
    case TP_ONCE: return "once";
    default: return "";
    }
}

const char *impact_check(store *s, const policy *candidate, const impact_options *o, const char *from,
                         const char *to, const char **pointer)
{
    static const struct { const char *pointer; ty_kind kind; const char *wrong; } out[2] = {
        {"/eligibility", TY_BOOL, "the eligibility output must be yes/no (bool)"},
        {"/benefit", TY_MONEY, "the benefit output must be money"}};
    const char *names[2] = {o ? o->eligibility : NULL, o ? o->benefit : NULL};
    for (int i = 0; i < 2; i++) {
        if (!names[i]) continue;
        *pointer = out[i].pointer;
        const ev_def *d = policy_output(candidate, names[i]);
        if (!d) return "the candidate has no output of this name";
        if (d->type->kind != out[i].kind) return out[i].wrong;
    }
    *pointer = "/from";
    if (strcmp(from, to) > 0) return "from is after to";
    *pointer = "/policy_text";
    store_rc rc = store_policy_known(s, candidate->name);
    if (rc == STORE_NOT_FOUND) return "no decision was ever made under a policy of the candidate's name";
    *pointer = NULL;
    return rc == STORE_OK ? NULL : "the database is unavailable";
}

store_rc impact_run(store *s, const policy *candidate, const impact_options *o, const char *from,
                    const char *to, impact_report *rep)
{
    memset(rep, 0, sizeof *rep);
    for (int k = 0; k < IMPACT_KINDS; k++) buf_init(&rep->examples[k]);
    buf_init(&rep->first_failure);
    impact_walk w = {.p = candidate, .rep = rep, .o = o, .start = replay_now_ms()};
    w.elig = pick_output(candidate, o ? o->eligibility : NULL, TY_BOOL);
    w.benefit = pick_output(candidate, o ? o->benefit : NULL, TY_MONEY);
    rep->policy = candidate->name;
    rep->eligibility = w.elig ? w.elig->name : NULL;
    rep->benefit = w.benefit ? w.benefit->name : NULL;
    rep->benefit_period = w.benefit ? period_name(w.benefit->type) : "";
    arena_init(&w.pool, 65536);
    buf_init(&w.doc);
    buf_init(&w.warned_before);
    buf_init(&w.warned_after);
    store_rc rc = store_each_row(s, from, to, candidate->name, impact_row, &w);
    progress(&w);
    rep->elapsed_ms = replay_now_ms() - w.start;
    decision_frame_free(&w.frame);
    arena_free(&w.pool);
    buf_free(&w.doc);
    buf_free(&w.warned_before);
    buf_free(&w.warned_after);
    return rc;
}

static void money(buf *b, dec_wide v)
{
    char s[48];
    dec_format_wide(v, 2, s);
    buf_printf(b, "\"%s\"", s);
}

void impact_report_json(const impact_report *r, const char *from, const char *to, buf *out)
{
    dec_wide delta = r->total_after - r->total_before;
    buf_printf(out, "{\"policy\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"checked\":%llu,"
                    "\"failed\":%llu,\"tampered\":%llu,\"eligibility\":{\"output\":",
               r->policy, from, to, (unsigned long long)r->checked,
               (unsigned long long)r->count[IMPACT_FAILED], (unsigned long long)r->count[IMPACT_TAMPERED]);
    if (r->eligibility) buf_json_string(out, r->eligibility, strlen(r->eligibility));
    else buf_adds(out, "null");
    buf_printf(out, ",\"became_eligible\":%llu,\"lost_eligibility\":%llu,\"stayed_eligible\":%llu,"
                    "\"stayed_ineligible\":%llu},\"benefit\":{\"output\":",
               (unsigned long long)r->count[IMPACT_BECAME_ELIGIBLE],
               (unsigned long long)r->count[IMPACT_LOST_ELIGIBILITY],
               (unsigned long long)r->stayed_eligible, (unsigned long long)r->stayed_ineligible);
    if (r->benefit) buf_json_string(out, r->benefit, strlen(r->benefit));
    else buf_adds(out, "null");
    buf_printf(out, ",\"period\":\"%s\",\"total_before\":", r->benefit_period);
    money(out, r->total_before);
    buf_adds(out, ",\"total_after\":");
    money(out, r->total_after);
    buf_adds(out, ",\"change\":");
    money(out, delta);
    buf_printf(out, ",\"up\":%llu,\"down\":%llu,\"same\":%llu,\"distribution\":[",
               (unsigned long long)r->count[IMPACT_BENEFIT_UP],
               (unsigned long long)r->count[IMPACT_BENEFIT_DOWN], (unsigned long long)r->benefit_same);
    for (int i = 0; i < IMPACT_BUCKETS; i++)
        buf_printf(out, "%s{\"change\":\"%s\",\"decisions\":%llu}", i ? "," : "", bucket_labels[i],
                   (unsigned long long)r->histogram[i]);
    buf_printf(out, "]},\"warnings\":{\"added\":%llu,\"removed\":%llu},\"examples\":{",
               (unsigned long long)r->count[IMPACT_WARNING_ADDED],
               (unsigned long long)r->count[IMPACT_WARNING_REMOVED]);
    for (int k = 0; k < IMPACT_KINDS; k++) {
        buf_printf(out, "%s\"%s\":[", k ? "," : "", kind_names[k]);
        buf_add(out, r->examples[k].data, r->examples[k].len);
        buf_addc(out, ']');
    }
    buf_adds(out, "},\"first_failure\":");
    if (r->first_failure.len) buf_json_string(out, r->first_failure.data, r->first_failure.len);
    else buf_adds(out, "null");
    buf_printf(out, ",\"elapsed_ms\":%llu}", (unsigned long long)r->elapsed_ms);
}

void impact_report_text(const impact_report *r, const char *from, const char *to, int histogram, FILE *out)
{
    char before[48], after[48], change[48];
    dec_format_wide(r->total_before, 2, before);
    dec_format_wide(r->total_after, 2, after);
    dec_format_wide(r->total_after - r->total_before, 2, change);
    fprintf(out, "impact of the candidate %s on %llu decisions created %s .. %s (%llu failed, %llu tampered)\n",
            r->policy, (unsigned long long)r->checked, from, to, (unsigned long long)r->count[IMPACT_FAILED],
            (unsigned long long)r->count[IMPACT_TAMPERED]);
    if (r->eligibility)
        fprintf(out, "  %-18s became eligible %llu, lost eligibility %llu, unchanged %llu eligible / %llu not\n",
                r->eligibility, (unsigned long long)r->count[IMPACT_BECAME_ELIGIBLE],
                (unsigned long long)r->count[IMPACT_LOST_ELIGIBILITY],
                (unsigned long long)r->stayed_eligible, (unsigned long long)r->stayed_ineligible);
    if (r->benefit) {
        fprintf(out, "  %-18s total %s -> %s (change %s%s%s); up %llu, down %llu, same %llu\n", r->benefit,
                before, after, change, *r->benefit_period ? " per " : "", r->benefit_period,
                (unsigned long long)r->count[IMPACT_BENEFIT_UP], (unsigned long long)r->count[IMPACT_BENEFIT_DOWN],
                (unsigned long long)r->benefit_same);
        uint64_t most = 1;
        for (int i = 0; i < IMPACT_BUCKETS; i++)
            if (r->histogram[i] > most) most = r->histogram[i];
        fprintf(out, "  change of %s per decision (yuan):\n", r->benefit);
        for (int i = 0; i < IMPACT_BUCKETS; i++) {
            fprintf(out, "    %15s %8llu ", bucket_labels[i], (unsigned long long)r->histogram[i]);
            for (uint64_t j = 0; histogram && j < r->histogram[i] * 40 / most; j++) fputs("#", out);
            fputc('\n', out);
        }
    }
    fprintf(out, "  %-18s added to %llu decisions, removed from %llu\n", "warnings",
            (unsigned long long)r->count[IMPACT_WARNING_ADDED], (unsigned long long)r->count[IMPACT_WARNING_REMOVED]);
    for (int k = 0; k < IMPACT_KINDS; k++)
        if (r->examples[k].len) fprintf(out, "  e.g. %s: %s\n", kind_names[k], r->examples[k].data);
    if (r->first_failure.len) fprintf(out, "  first failure: %s\n", r->first_failure.data);
}

void impact_report_free(impact_report *r)
{
    for (int k = 0; k < IMPACT_KINDS; k++) buf_free(&r->examples[k]);
    buf_free(&r->first_failure);
}
