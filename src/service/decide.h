/*
 * decide.h - the evaluation path shared by the decision and evaluate
 * handlers (h_evaluate.c holds it).
 *
 * Ownership: everything per request lives in sv->pool; the caller owns
 * the bufs.
 */
#ifndef ELIGO_DECIDE_H
#define ELIGO_DECIDE_H

#include "service/service.h"
#include "io/json_req.h"

/* Validates the input for p, evaluates, writes the decision document
 * (without ids) to decision and, when input is not NULL, the canonical
 * input; parts (may be NULL) says where outputs and explanation are in
 * it.  0, or -1 with a problem already in rs. */
int decide(service *sv, const policy *p, const decision_request *req, buf *decision, buf *input,
           decision_parts *parts, http_response *rs);
const policy *decide_policy(service *sv, json_span name);
void decide_problem(http_response *rs, json_status st, const json_errors *e);
/* The members of a small request body that must be a JSON object (the
 * officer's and auditor's routes): 0, or -1 with 400 malformed-json or
 * 422 (not an object) in rs.  The array lives in sv->pool. */
int decide_body_members(service *sv, const http_request *rq, json_member **m, size_t *n, http_response *rs);
int64_t decide_today(void);

#endif
