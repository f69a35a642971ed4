/*
 * compile_helper.h - compile a model and a policy from strings, for unit
 * tests of the checker and the evaluator, and decide (or explain) with
 * the result; and check `eligo fmt`'s layout of a policy text.  Include
 * it after <cmocka.h>: expect_fmt asserts.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_TEST_COMPILE_HELPER_H
#define ELIGO_TEST_COMPILE_HELPER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/compile.h"
#include "lang/fmt.h"
#include "eval/eval.h"
#include "eval/date.h"
#include "io/json_in.h"
#include "io/json_out.h"
#include "io/decision.h"

static const char TEST_MODEL[] =
    "model t \"test model\"\n"
    "enum care { full \"完全自理\", partial \"部分\", none \"完全丧失\" }\n"
    "entity person \"成员\" {\n"
    "  id: text 1..64 \"标识\"\n"
    "  age: int 0..150 \"年龄\"\n"
    "  income: money per month >= 0 = 0.00 \"月收入\"\n"
    "  yearly: money per year >= 0 = 0.00 \"年收入\"\n"
    "  care: care = full \"自理\"\n"
    "  able: bool = true \"劳动能力\"\n"
    "}\n"
    "entity household \"家庭\" {\n"
    "  members: list of person 1..50 \"成员\"\n"
    "  since: date = 2000-01-01 \"日期\"\n"
    "  size_hint: int >= 0 = 0 \"户数\"\n"
    "}\n";

typedef struct compiled {
    cmodel *model;
    model_set set;
    policy *policy;
    diag_list dl;
    char *diags;        /* printed diagnostics */
} compiled;

static inline void compiled_free(compiled *c)
{
    policy_free(c->policy);
    cmodel_free(c->model);
    diag_list_free(&c->dl);
    free(c->diags);
}

/* Compiles TEST_MODEL and `text` as policy "t.policy"; diagnostics are
 * printed into c->diags. */
static inline void compile_text(compiled *c, const char *text)
{
    memset(c, 0, sizeof *c);
    diag_list_init(&c->dl);
    c->model = compile_model(source_new("t.model", TEST_MODEL, strlen(TEST_MODEL)), &c->dl);
    c->set.items = &c->model;
    c->set.n = c->model ? 1 : 0;
    c->policy = compile_policy(source_new("t.policy", text, strlen(text)), &c->set, &c->dl);
    c->diags = diag_text(&c->dl);
}

/* Evaluates input JSON at a date; returns the decision JSON (malloc'ed)
 * or "ERROR: message". */
static inline char *decide(const policy *p, const char *date, const char *json)
{
    arena pool;
    arena_init(&pool, 8192);
    json_errors errs;
    ev_cell *root = NULL;
    char *out;
    if (json_input_parse(json, strlen(json), p->root, "", &pool, &root, &errs) != JSON_OK) {
        out = malloc(600);
        snprintf(out, 600, "INPUT: %s: %s", errs.n ? errs.items[0].path : "", errs.n ? errs.items[0].detail : "");
        arena_free(&pool);
        return out;
    }
    int64_t d;
    date_parse(date, strlen(date), &d);
    ev_cell *frame = calloc(p->tree.nslots, sizeof(ev_cell));
    ev_ctx c;
    ev_ctx_init(&c, &p->tree, frame, &pool);
    if (ev_bind(&c, d) || ev_run(&c, root)) {
        out = malloc(400);
        snprintf(out, 400, "ERROR: %s", c.err.msg);
    } else {
        buf b;
        buf_init(&b);
        json_write_outputs(&b, p, &c);
        out = strdup(buf_cstr(&b));
        buf_free(&b);
    }
    free(frame);
    arena_free(&pool);
    return out;
}

/* The decision (decision_make, explained when explain is 1) of json by
 * p on day d, malloc'ed; when the decision fails, its message instead.
 * *rc (rc may be NULL) is decision_make's answer. */
static inline char *decision_text(const policy *p, int64_t d, const char *json, int explain,
                                  decision_rc *rc)
{
    arena pool;
    arena_init(&pool, 8192);
    decision_frame frame = {0};
    decision_result res;
    buf b;
    buf_init(&b);
    decision_rc r = decision_make(p, json, strlen(json), "", d, explain, &frame, &pool, &b, NULL, &res);
    char *out = strdup(r == DECISION_OK ? buf_cstr(&b) : res.err.msg);
    if (rc) *rc = r;
    buf_free(&b);
    decision_frame_free(&frame);
    arena_free(&pool);
    return out;
}

/* The explained decision of json by p on day d: decision_text with
 * explain 1. */
static inline char *explain_text(const policy *p, int64_t d, const char *json, decision_rc *rc)
{
    return decision_text(p, d, json, 1, rc);
}

/* fmt_policy(in) must give want, and formatting want again changes
 * nothing (fmt.h: formatting is idempotent). */
static inline void expect_fmt(const char *in, const char *want)
{
    buf b;
    buf_init(&b);
    fmt_policy(in, strlen(in), &b);
    assert_string_equal(buf_cstr(&b), want);
    buf_reset(&b);
    fmt_policy(want, strlen(want), &b);
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

#endif
