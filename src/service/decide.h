/*
 * decide.h - the evaluation path shared by the decision and evaluate
 * handlers, and the reading of small bodies and candidate texts shared
 * by the replay, impact and diff handlers (all in decide.c).
 *
 * Ownership: everything per request lives in sv->pool; the caller owns
 * the bufs.
 *
 * SPDX-License-Identifier: Apache-2.0
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

/* The members a small request body may have, read into strings (the
 * replay, impact and diff handlers). */
typedef struct body_field {
    const char *name;
    int required, is_date;
    const char *value;          /* in sv->pool; NULL when absent */
} body_field;

/* Reads the body into fields: strict JSON, unknown members refused, each
 * problem named by its JSON Pointer.  0, or -1 with the problem in rs. */
int read_body(service *sv, const http_request *rq, body_field *f, int nf, http_response *rs);
/* A candidate policy text compiled against this worker's models, or NULL
 * with a 422 at pointer carrying the compiler's diagnostics.  The caller
 * frees it (policy_free) with the request: it is never served. */
policy *compile_candidate(service *sv, const char *text, const char *pointer, http_response *rs);

#endif
