/*
 * decision.h - one decision from an input text: validate it against the
 * policy's model, bind the parameters in force on a date, evaluate, and
 * write the decision document.
 *
 * How it fits: the one evaluation path of everything that decides from
 * JSON text: the daemon's POST /v1/decisions and /v1/evaluate
 * (service/h_evaluate.c maps a failure to an HTTP problem), `eligo eval`,
 * and replay and impact (audit/), which run stored inputs again.  The
 * caller keeps a decision_frame across decisions so that the slots are
 * allocated once per largest tree, never per decision.
 *
 * Ownership: the frame is the caller's (decision_frame_free); values and
 * error messages live in the caller's arena until it is reset; the
 * document and the canonical input are appended to the caller's bufs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_DECISION_H
#define ELIGO_DECISION_H

#include "base/arena.h"
#include "base/buf.h"
#include "eval/eval.h"
#include "io/json_in.h"
#include "io/json_out.h"
#include "eval/compiled.h"

typedef struct decision_frame {
    ev_cell *cells;
    uint32_t nslots;
    uint32_t *cov;          /* coverage counters, for explanations */
    uint32_t ncov;
} decision_frame;

typedef enum decision_rc {
    DECISION_OK = 0,
    DECISION_BAD_INPUT,     /* the input does not parse or fit the model: st, errs */
    DECISION_NO_PARAM,      /* no parameter in force on as_of (a client error): err */
    DECISION_REFUSED,       /* a `refuse when` of the policy holds (a client error): err,
                             * whose refusal names the reason and the input fields */
    DECISION_EVAL_ERROR,    /* evaluation failed otherwise: err */
    DECISION_NOMEM
} decision_rc;

typedef struct decision_result {
    json_status st;
    json_errors errs;
    ev_error err;
    decision_parts parts;   /* where outputs and explanation are in the document */
} decision_result;

/* explain: 0 none; 1 the explanation in the decision JSON (with the
 * citizen's text in its `text` member); DECISION_EXPLAIN_TEXT: doc gets
 * that text alone instead of JSON (`eligo eval --explain=text`). */
#define DECISION_EXPLAIN_TEXT 2

/* Decides p on the input object text at as_of.  pointer_prefix is the
 * JSON Pointer of the input in its request ("/input", or "" for a bare
 * input).  Appends the document to doc and, when canonical is not NULL,
 * the input in canonical form ({"<root>": {...}}, what is stored). */
decision_rc decision_make(const policy *p, const char *input, size_t len, const char *pointer_prefix,
                          int64_t as_of, int explain, decision_frame *f, arena *pool, buf *doc,
                          buf *canonical, decision_result *r);
void decision_frame_free(decision_frame *f);

#endif
