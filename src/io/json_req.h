/*
 * json_req.h - the envelope of a decision request:
 *   {"policy": "tianjin.dibao" | ["tianjin.dibao", ...], "as_of": "2019-01-01",
 *    "request_id": "...", "input": {...}, "explain": true}
 *
 * Checks the envelope (unknown or duplicate keys, types, formats) and
 * hands back the raw text of `input`, which io/json_in.c then validates
 * against the policy's model.  Problems carry JSON Pointers like
 * json_in's ("/policy/1", "/as_of").
 *
 * Ownership: spans point into the caller's body; tokens (only when the
 * single pass gives up) come from pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_JSON_REQ_H
#define ELIGO_JSON_REQ_H

#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "io/json_in.h"

#define REQ_MAX_POLICIES 16
#define REQ_MAX_ID 128

typedef struct json_span { const char *p; size_t n; } json_span;

typedef struct decision_request {
    json_span policy[REQ_MAX_POLICIES];
    uint32_t npolicies;
    int policy_is_list;
    int has_as_of;
    int64_t as_of;
    char request_id[REQ_MAX_ID + 1];   /* "" when absent */
    json_span input;
    int explain;
} decision_request;

/* 1 when s[0..n) is a valid request_id: 1 to REQ_MAX_ID printable ASCII
 * characters, no space, backslash or double quote.  The Idempotency-Key
 * header is held to the same rule (service/h_decisions.c). */
int json_request_id_ok(const char *s, size_t n);
/* Reads the envelope in body[0..len): JSON_OK with out filled, or the
 * problems in errs.  The single pass first (json_request_fast()), then,
 * when it gives up, json_request_parse_tokens(), which words every
 * problem.  Only out->input is left to json_input_parse(). */
json_status json_request_parse(const char *body, size_t len, arena *pool, decision_request *out,
                               json_errors *errs);
/* 1 with out filled when body is an envelope with nothing wrong, read in
 * one pass without tokens; 0 when anything is off (out is then
 * meaningless).  Takes nothing the token reader refuses. */
int json_request_fast(const char *body, size_t len, decision_request *out);
/* json_request_parse() without its single pass: tokens, then the
 * members.  For the tests that hold the single pass to it. */
json_status json_request_parse_tokens(const char *body, size_t len, arena *pool,
                                      decision_request *out, json_errors *errs);
/* For the same tests: 1 when two readings are the same (spans at the
 * same places), 1 when two lists of problems are (offset included). */
int json_request_same(const decision_request *a, const decision_request *b);
int json_problems_same(const json_errors *a, const json_errors *b);

#endif
