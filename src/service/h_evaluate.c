/*
 * h_evaluate.c - POST /v1/evaluate, the officer's playground: one or
 * several policies evaluated on one input, nothing stored.
 *
 * The evaluation is decide.c's, shared with POST /v1/decisions (which
 * then stores the decision); this file only assembles the answer.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include "service/service.h"
#include "service/decide.h"

void h_evaluate_post(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)m;
    decision_request req;
    json_errors errs;
    json_status st = json_request_parse(rq->body, rq->body_len, &sv->pool, &req, &errs);
    if (st != JSON_OK) { decide_problem(rs, st, &errs); return; }
    buf all;
    buf_init(&all);
    if (req.policy_is_list) buf_adds(&all, "{\"decisions\":[");
    for (uint32_t i = 0; i < req.npolicies; i++) {
        const policy *p = decide_policy(sv, req.policy[i]);
        if (!p) {
            char d[128];
            snprintf(d, sizeof d, "no policy named \"%.*s\"", (int)req.policy[i].n, req.policy[i].p);
            http_problem_as(rs, PROBLEM_UNKNOWN_POLICY, d, NULL);
            buf_free(&all);
            return;
        }
        if (i) buf_addc(&all, ',');
        if (decide(sv, p, &req, &all, NULL, NULL, rs)) { buf_free(&all); return; }
    }
    if (req.policy_is_list) buf_adds(&all, "]}");
    http_json(rs, 200);
    buf_add(&rs->body, all.data, all.len);
    buf_free(&all);
}
