/*
 * decide.c - the evaluation path shared by the decision and evaluate
 * handlers, and the reading of small bodies and candidate policy texts
 * shared by the replay, impact and diff handlers (decide.h).
 *
 * decide() is the one path from a validated envelope to a decision
 * document, shared by POST /v1/decisions (which then stores it) and
 * POST /v1/evaluate (the officer's playground, which does not).  The
 * input is validated against each policy's model by io/json_in.c, every
 * problem answered as 422 with its JSON Pointer under /input.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "service/service.h"
#include "service/decide.h"
#include "eval/date.h"
#include "lang/diag.h"

/* Problems as the `errors` member of a problem+json body. */
static void errors_json(buf *b, const json_errors *e)
{
    buf_addc(b, '[');
    for (size_t i = 0; i < e->n; i++) {
        if (i) buf_addc(b, ',');
        buf_adds(b, "{\"pointer\":");
        buf_json_string(b, e->items[i].pointer, strlen(e->items[i].pointer));
        buf_adds(b, ",\"detail\":");
        buf_json_string(b, e->items[i].detail, strlen(e->items[i].detail));
        buf_addc(b, '}');
    }
    buf_addc(b, ']');
}

void decide_problem(http_response *rs, json_status st, const json_errors *e)
{
    buf b;
    buf_init(&b);
    errors_json(&b, e);
    if (st == JSON_E_SYNTAX) {
        char d[96];
        snprintf(d, sizeof d, "malformed JSON at byte %zu", e->offset);
        http_problem(rs, 400, d, buf_cstr(&b));
    } else if (st == JSON_E_LIMIT) {
        http_problem(rs, 413, e->n ? e->items[0].detail : "request too large", buf_cstr(&b));
    } else if (st == JSON_E_NOMEM) {
        http_problem(rs, 413, "request too large", NULL);
    } else {
        char d[160];
        snprintf(d, sizeof d, "the request does not fit: %zu problem%s", e->n, e->n == 1 ? "" : "s");
        http_problem(rs, 422, d, buf_cstr(&b));
    }
    buf_free(&b);
}

int decide_body_members(service *sv, const http_request *rq, json_member **m, size_t *n, http_response *rs)
{
    const char *body = rq->body ? rq->body : "";
    if (!json_members(body, rq->body_len, &sv->pool, m, n)) return 0;
    /* not JSON is 400 (with the byte), JSON that is no object 422 */
    json_errors e;
    json_status st = json_syntax_check(body, rq->body_len, &sv->pool, &e);
    if (st == JSON_OK) http_problem_at(rs, PROBLEM_INVALID_INPUT, "", "expected a JSON object");
    else decide_problem(rs, st, &e);
    return -1;
}

int64_t decide_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

const policy *decide_policy(service *sv, json_span name)
{
    char n[72];
    if (name.n >= sizeof n) return NULL;
    memcpy(n, name.p, name.n);
    n[name.n] = 0;
    return registry_find(sv->reg, n);
}

/* 422 refused: the policy's reason, with one error per input field its
 * condition names (or the whole input when it names none). */
static void refusal_problem(http_response *rs, const ev_error *err)
{
    const ev_refusal *r = err->refusal;
    buf b, ptr;
    buf_init(&b);
    buf_init(&ptr);
    buf_addc(&b, '[');
    for (uint32_t i = 0; i < r->nfields || (i == 0 && r->nfields == 0); i++) {
        buf_reset(&ptr);
        buf_adds(&ptr, "/input");
        if (r->nfields) buf_adds(&ptr, r->field[i]);
        if (i) buf_addc(&b, ',');
        buf_adds(&b, "{\"pointer\":");
        buf_json_string(&b, ptr.data, ptr.len);
        buf_adds(&b, ",\"detail\":");
        buf_json_string(&b, r->text, strlen(r->text));
        buf_addc(&b, '}');
    }
    buf_addc(&b, ']');
    http_problem_as(rs, PROBLEM_REFUSED, r->text, buf_cstr(&b));
    buf_free(&ptr);
    buf_free(&b);
}

int decide(service *sv, const policy *p, const decision_request *req, buf *decision, buf *input,
           decision_parts *parts, http_response *rs)
{
    decision_result r;
    int64_t as_of = req->has_as_of ? req->as_of : decide_today();
    decision_rc rc = decision_make(p, req->input.p, req->input.n, "/input", as_of, req->explain,
                                   &sv->frame, &sv->pool, decision, input, &r);
    if (rc == DECISION_OK) {
        if (parts) *parts = r.parts;
        return 0;
    }
    if (rc == DECISION_BAD_INPUT) {
        decide_problem(rs, r.st, &r.errs);
    } else if (rc == DECISION_NOMEM) {
        http_problem_as(rs, PROBLEM_SERVICE_UNAVAILABLE, "out of memory", NULL);
    } else if (rc == DECISION_NO_PARAM) {
        http_problem_at(rs, PROBLEM_OUTSIDE_COVERED_PERIOD, "/as_of", r.err.msg);
    } else if (rc == DECISION_REFUSED) {
        refusal_problem(rs, &r.err);
    } else if (r.err.code == EVE_INTERNAL) {   /* a bug of eligo's, not of the input */
        http_problem_as(rs, PROBLEM_INTERNAL_ERROR, r.err.msg, NULL);
    } else {
        http_problem_at(rs, PROBLEM_INVALID_INPUT, "/input", r.err.msg);
    }
    return -1;
}

int read_body(service *sv, const http_request *rq, body_field *f, int nf, http_response *rs)
{
    json_member *m = NULL;
    size_t n = 0;
    if (decide_body_members(sv, rq, &m, &n, rs)) return -1;
    char ptr[96];
    for (size_t i = 0; i < n; i++) {
        int k = 0;
        while (k < nf && !(strlen(f[k].name) == m[i].key_len && memcmp(f[k].name, m[i].key, m[i].key_len) == 0)) k++;
        snprintf(ptr, sizeof ptr, "/%.*s", (int)(m[i].key_len < 64 ? m[i].key_len : 64), m[i].key);
        if (k == nf) { http_problem_at(rs, PROBLEM_INVALID_INPUT, ptr, "unknown member"); return -1; }
        size_t len;
        int64_t d;
        if (json_member_string(&m[i], &sv->pool, &f[k].value, &len)) {
            http_problem_at(rs, PROBLEM_INVALID_INPUT, ptr, "must be a string");
            return -1;
        }
        if (f[k].is_date && date_parse(f[k].value, len, &d)) {
            http_problem_at(rs, PROBLEM_INVALID_INPUT, ptr, "must be a date YYYY-MM-DD");
            return -1;
        }
    }
    for (int k = 0; k < nf; k++) {
        if (f[k].required && !f[k].value) {
            snprintf(ptr, sizeof ptr, "/%s", f[k].name);
            http_problem_at(rs, PROBLEM_INVALID_INPUT, ptr, "required");
            return -1;
        }
    }
    return 0;
}

policy *compile_candidate(service *sv, const char *text, const char *pointer, http_response *rs)
{
    diag_list dl;
    diag_list_init(&dl);
    policy *p = compile_policy(source_new("candidate.policy", text, strlen(text)), &sv->reg->models, &dl);
    if (!p) {
        char *msg = diag_text(&dl);
        http_problem_at(rs, PROBLEM_INVALID_INPUT, pointer, msg && *msg ? msg : "the candidate does not compile");
        free(msg);
    }
    diag_list_free(&dl);
    return p;
}
