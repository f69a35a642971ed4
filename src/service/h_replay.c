/*
 * h_replay.c - the auditor's replays and the officer's impact runs over
 * stored decisions:
 *
 *   POST /v1/decisions/{id}/replay   (auditor) one decision
 *   POST /v1/replays                 (auditor) {from, to, policy?}
 *   POST /v1/impact                  (officer) {policy_text, from, to, eligibility?, benefit?}
 *
 * The work is audit/replay.c's and audit/impact.c's; this file reads the
 * small request bodies (decide.c's read_body: strict JSON, unknown
 * members refused, each problem named by its JSON Pointer) and answers.  Routes.c has already
 * checked the role; a range is logged here with its arguments
 * (routes_log_access), once read and before any stored row is.  A candidate policy text is
 * compiled against the models this worker serves (decide.c's
 * compile_candidate); it is freed with the request, never served.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/service.h"
#include "service/decide.h"
#include "service/worker.h"
#include "audit/impact.h"
#include "audit/replay.h"

static store *store_or_503(service *sv, http_response *rs)
{
    store *db = worker_store(sv);
    if (!db) http_problem(rs, 503, "the database is unavailable", NULL);
    return db;
}

void h_replay_one(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq;
    store *db = store_or_503(sv, rs);
    if (!db) return;
    store_row row;
    store_row_init(&row);
    store_rc got = store_get_row(db, m->id, &row);
    if (got == STORE_NOT_FOUND) {
        http_problem(rs, 404, "no decision with this id", NULL);
    } else if (got != STORE_OK) {
        http_problem(rs, 503, "the database is unavailable", NULL);
    } else {
        replayer *r = replayer_new(db);
        buf out;
        buf_init(&out);
        replay_outcome o = r ? replay_row(r, &row, &out) : REPLAY_STORE_ERROR;
        if (o == REPLAY_STORE_ERROR) {
            http_problem(rs, 503, "the database is unavailable", NULL);
        } else {
            http_json(rs, 200);
            buf_add(&rs->body, out.data, out.len);
        }
        buf_free(&out);
        replayer_free(r);
    }
    store_row_free(&row);
}

void h_replay_range(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)m;
    body_field f[] = {{"from", 1, 1, NULL}, {"to", 1, 1, NULL}, {"policy", 0, 0, NULL}};
    if (read_body(sv, rq, f, 3, rs)) return;
    char range[256];
    store_access_range(range, f[2].value, f[0].value, f[1].value);
    if (routes_log_access(sv, rs, "replays", range)) return;
    if (strcmp(f[0].value, f[1].value) > 0) { http_problem_at(rs, PROBLEM_INVALID_INPUT, "/from", "from is after to"); return; }
    store *db = store_or_503(sv, rs);
    if (!db) return;
    store_rc known = f[2].value ? store_policy_known(db, f[2].value) : STORE_OK;
    if (known == STORE_NOT_FOUND) { http_problem_at(rs, PROBLEM_INVALID_INPUT, "/policy", "no decision was ever made under this policy"); return; }
    if (known != STORE_OK) { http_problem(rs, 503, "the database is unavailable", NULL); return; }
    replayer *r = replayer_new(db);
    if (!r) { http_problem_as(rs, PROBLEM_SERVICE_UNAVAILABLE, "out of memory", NULL); return; }
    replay_summary sum;
    store_rc rc = replay_range(r, f[0].value, f[1].value, f[2].value, &sum, NULL, NULL);
    if (rc != STORE_OK) {
        http_problem(rs, 503, "the database failed during the replay; nothing was changed, run it again", NULL);
    } else {
        http_json(rs, 200);
        replay_summary_json(&sum, f[0].value, f[1].value, f[2].value, &rs->body);
    }
    replay_summary_free(&sum);
    replayer_free(r);
}

void h_impact(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)m;
    body_field f[] = {{"policy_text", 1, 0, NULL}, {"from", 1, 1, NULL}, {"to", 1, 1, NULL},
                      {"eligibility", 0, 0, NULL}, {"benefit", 0, 0, NULL}};
    if (read_body(sv, rq, f, 5, rs)) return;
    /* logged whether the candidate compiles or not (then without its name) */
    policy *p = compile_candidate(sv, f[0].value, "/policy_text", rs);
    char range[256];
    store_access_range(range, p ? p->name : NULL, f[1].value, f[2].value);
    if (routes_log_access(sv, rs, "impact", range) || !p) {
        policy_free(p);
        return;
    }
    impact_options o = {.eligibility = f[3].value, .benefit = f[4].value};
    store *db = store_or_503(sv, rs);
    const char *pointer = NULL, *why = db ? impact_check(db, p, &o, f[1].value, f[2].value, &pointer) : NULL;
    if (why && pointer) http_problem_at(rs, PROBLEM_INVALID_INPUT, pointer, why);
    else if (why) http_problem(rs, 503, why, NULL);
    else if (db) {
        impact_report rep;
        if (impact_run(db, p, &o, f[1].value, f[2].value, &rep) != STORE_OK) {
            http_problem(rs, 503, "the database failed during the impact run; run it again", NULL);
        } else {
            http_json(rs, 200);
            impact_report_json(&rep, f[1].value, f[2].value, &rs->body);
        }
        impact_report_free(&rep);
    }
    policy_free(p);
}
