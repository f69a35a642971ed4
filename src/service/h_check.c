/*
 * h_check.c - POST /v1/check (officer): a candidate policy text checked
 * as `eligo check` and `eligo test` would, nothing stored.
 *
 *   {"text": "<policy text>", "name"?: "<file name>", "evaluate"?: {...}}
 *   -> {"ok", "policy", "diagnostics": [...], "tests": {...} | null,
 *       "evaluation"?: decision | "evaluation_error"?: problem}
 *
 * The officer's workbench (web/workbench/) calls it as one types: every
 * diagnostic comes with its line and column (and where it ends) so the
 * page can mark it, and with the text `eligo check` prints (file:line:col:
 * error:, the line and a caret).  When the text compiles its own `test`
 * blocks are run (policy/ptest.c, the runner of `eligo test`) and, when
 * `evaluate` is given (a POST /v1/evaluate body whose `policy` names the
 * candidate), the candidate decides that input: the decision document,
 * or the problem /v1/evaluate would answer for it.  A text that does not
 * compile is a finding, not an error: 200 with "ok": false.
 *
 * The candidate is compiled against the models this worker serves and
 * freed with the request, never served (as POST /v1/impact's is).  This
 * is the officer's route, not the decision path: compiling and the
 * allocations that come with it are its work.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE   /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/service.h"
#include "service/decide.h"
#include "lang/diag.h"
#include "policy/ptest.h"

/* The body's members: the text, its file name, the evaluate request. */
typedef struct check_body {
    const char *text, *name;
    const json_member *evaluate;   /* NULL when absent */
} check_body;

/* Reads the body.  0, or -1 with the problem in rs. */
static int read_check_body(service *sv, const http_request *rq, check_body *b, http_response *rs)
{
    json_member *m = NULL;
    size_t n = 0;
    memset(b, 0, sizeof *b);
    if (decide_body_members(sv, rq, &m, &n, rs)) return -1;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *k = m[i].key;
        size_t kn = m[i].key_len;
        if (kn == 8 && memcmp(k, "evaluate", 8) == 0) {
            if (m[i].value[0] != '{') {
                http_problem_at(rs, PROBLEM_INVALID_INPUT, "/evaluate", "must be an object, a POST /v1/evaluate body");
                return -1;
            }
            b->evaluate = &m[i];
        } else if (kn == 4 && (memcmp(k, "text", 4) == 0 || memcmp(k, "name", 4) == 0)) {
            const char **to = k[0] == 't' ? &b->text : &b->name;
            if (json_member_string(&m[i], &sv->pool, to, &len)) {
                http_problem_at(rs, PROBLEM_INVALID_INPUT, k[0] == 't' ? "/text" : "/name", "must be a string");
                return -1;
            }
        } else {
            char ptr[80];
            snprintf(ptr, sizeof ptr, "/%.*s", (int)(kn < 64 ? kn : 64), k);
            http_problem_at(rs, PROBLEM_INVALID_INPUT, ptr, "unknown member");
            return -1;
        }
    }
    if (!b->text) { http_problem_at(rs, PROBLEM_INVALID_INPUT, "/text", "missing required field"); return -1; }
    if (b->name && (!b->name[0] || strlen(b->name) > 200 || strchr(b->name, '/'))) {
        http_problem_at(rs, PROBLEM_INVALID_INPUT, "/name", "must be a file name of 1 to 200 bytes without `/`");
        return -1;
    }
    return 0;
}

static const char *severity(diag_level l)
{
    return l == DIAG_ERROR ? "error" : l == DIAG_WARNING ? "warning" : "note";
}

/* One diagnostic: where it starts and ends (null for one without a
 * file), what it says, and the form `eligo check` prints. */
static void diag_json(buf *b, const diag *d)
{
    uint32_t line = 0, col = 0, eline = 0, ecol = 0;
    if (d->src) {
        source_linecol(d->src, d->loc.start, &line, &col);
        source_linecol(d->src, d->loc.end > d->loc.start ? d->loc.end : d->loc.start, &eline, &ecol);
    }
    if (d->src) buf_printf(b, "{\"line\":%u,\"col\":%u,\"end_line\":%u,\"end_col\":%u", line, col, eline, ecol);
    else buf_adds(b, "{\"line\":null,\"col\":null,\"end_line\":null,\"end_col\":null");
    buf_printf(b, ",\"severity\":\"%s\",\"message\":", severity(d->level));
    buf_json_string(b, d->message, strlen(d->message));
    buf_adds(b, ",\"hint\":");
    if (d->hint) buf_json_string(b, d->hint, strlen(d->hint));
    else buf_adds(b, "null");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        diag_print_one(d, f);
        fclose(f);
    }
    buf_adds(b, ",\"text\":");
    buf_json_string(b, text ? text : "", text ? len : 0);
    free(text);
    buf_addc(b, '}');
}

/* The tests' tally and failures, written as ptest reports them. */
typedef struct tally {
    int passed, failed;
    buf failures;
} tally;

static void test_failed(void *ctx, const policy *p, const policy_test *t, uint32_t line, const char *msg)
{
    (void)p;
    tally *tl = ctx;
    const char *name = t->node->label ? t->node->label->text : "";
    const char *as_of = t->node->a ? t->node->a->text : "";
    if (tl->failures.len) buf_addc(&tl->failures, ',');
    buf_printf(&tl->failures, "{\"line\":%u,\"name\":", line);
    buf_json_string(&tl->failures, name, strlen(name));
    buf_adds(&tl->failures, ",\"as_of\":");
    buf_json_string(&tl->failures, as_of, strlen(as_of));
    buf_adds(&tl->failures, ",\"message\":");
    buf_json_string(&tl->failures, msg, strlen(msg));
    buf_addc(&tl->failures, '}');
}

/* Runs the candidate's own tests into b as the `tests` member. */
static void tests_json(buf *b, const policy *p)
{
    tally tl = {0, 0, {0}};
    buf_init(&tl.failures);
    ptest_run r = {test_failed, &tl, NULL, NULL};
    for (uint32_t k = 0; k < p->ntests; k++) {
        /* a test that failed was already reported by test_failed */
        if (ptest_one(&r, p, &p->tests[k])) tl.passed++;
        else tl.failed++;
    }
    buf_printf(b, "{\"passed\":%d,\"failed\":%d,\"failures\":[", tl.passed, tl.failed);
    buf_add(b, tl.failures.data, tl.failures.len);
    buf_adds(b, "]}");
    buf_free(&tl.failures);
}

/* The candidate decides the `evaluate` request: the decision as
 * "evaluation", or what /v1/evaluate would answer as "evaluation_error".
 * 0, or -1 with a problem in rs when the request is not for p. */
static int evaluation_json(service *sv, const http_request *rq, const policy *p, const json_member *ev, buf *b,
                           http_response *rs)
{
    decision_request req;
    json_errors errs;
    http_response er = {0, NULL, {0}, {0}, 0};
    json_status st = json_request_parse(ev->value, ev->value_len, &sv->pool, &req, &errs);
    if (st == JSON_OK && (req.policy_is_list || req.policy[0].n != strlen(p->name) ||
                          memcmp(req.policy[0].p, p->name, req.policy[0].n) != 0)) {
        http_problem_at(rs, PROBLEM_INVALID_INPUT, "/evaluate/policy", "must name the candidate's policy");
        return -1;
    }
    buf_init(&er.headers);
    buf_init(&er.body);
    buf doc;
    buf_init(&doc);
    if (st != JSON_OK) decide_problem(&er, st, &errs);
    else if (decide(sv, p, &req, &doc, NULL, NULL, &er) == 0) {
        buf_adds(b, ",\"evaluation\":");
        buf_add(b, doc.data, doc.len);
    }
    if (er.problem) {
        http_problem_close(&er, rq->path, rq->request_id);
        buf_adds(b, ",\"evaluation_error\":");
        buf_add(b, er.body.data, er.body.len);
    }
    buf_free(&doc);
    buf_free(&er.body);
    buf_free(&er.headers);
    return 0;
}

void h_check(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)m;
    check_body in;
    if (read_check_body(sv, rq, &in, rs)) return;
    diag_list dl;
    diag_list_init(&dl);
    const char *name = in.name ? in.name : "candidate.policy";
    policy *p = compile_policy(source_new(name, in.text, strlen(in.text)), &sv->reg->models, &dl);
    buf b;
    buf_init(&b);
    buf_printf(&b, "{\"ok\":%s,\"policy\":", p ? "true" : "false");
    if (p) buf_json_string(&b, p->name, strlen(p->name));
    else buf_adds(&b, "null");
    buf_adds(&b, ",\"diagnostics\":[");
    for (size_t i = 0; i < dl.n; i++) {
        if (i) buf_addc(&b, ',');
        diag_json(&b, &dl.items[i]);
    }
    buf_adds(&b, "],\"tests\":");
    if (p) tests_json(&b, p);
    else buf_adds(&b, "null");
    int bad = p && in.evaluate && evaluation_json(sv, rq, p, in.evaluate, &b, rs);
    buf_addc(&b, '}');
    if (!bad) {
        http_json(rs, 200);
        buf_add(&rs->body, b.data, b.len);
    }
    buf_free(&b);
    policy_free(p);
    diag_list_free(&dl);
}
