/*
 * eval.h - the evaluator: one decision over a compiled tree.
 *
 * The hot path of eligo.  ev_bind() resolves every parameter to the value
 * in force on as_of (once per date: a frame reused for the same date is
 * not bound again); ev_run() puts the input record in slot 0 and computes
 * every let and output in order into its slot.  No parsing, name lookup,
 * hashing or malloc happens here: lists built during evaluation (table
 * collections, maps) come from the request arena, or for the maps of the
 * flat program from frame slots reserved when it was built; all arithmetic is
 * exact (decimal.h) with overflow reported as an error, never wrapped.
 *
 * Ownership: the caller owns the frame (tree->nslots cells) and the
 * arena; the context borrows both.  Values in the frame point into the
 * input, the tree, the arena or the frame itself (valid until the
 * frame's next decision).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_EVAL_H
#define ELIGO_EVAL_H

#include <stdint.h>
#include "base/arena.h"
#include "eval/decimal.h"
#include "eval/tree.h"

typedef enum ev_errcode {
    EVE_NONE = 0,
    EVE_NO_PARAM,      /* no parameter value in force on the date (422) */
    EVE_OUT_OF_PERIOD, /* as_of outside the period the policy covers (422) */
    EVE_OVERFLOW,
    EVE_DIVZERO,
    EVE_EMPTY,         /* min/max of an empty list */
    EVE_NO_ROW,        /* no table row matched and no else row */
    EVE_PRECISION,     /* a money output with digits below the fen */
    EVE_CONFLICT,      /* `any` table rows disagreeing */
    EVE_NOMEM,
    EVE_BEFORE_BIRTH,  /* age_on of a date before the birth date (422, the input) */
    EVE_REFUSED,       /* a `refuse when` condition holds (422): err.refusal says which */
    EVE_RANGE,         /* a range output whose min came out above its max */
    EVE_INTERNAL       /* a bug: what an ALWAYS/NEVER (base/always.h) rules out happened (500) */
} ev_errcode;

typedef struct ev_error {
    ev_errcode code;
    uint32_t loc;          /* byte offset in the policy source */
    const ev_refusal *refusal;  /* EVE_REFUSED: the tree's refusal; msg is its reason */
    char msg[320];
} ev_error;

typedef struct ev_ctx {
    const ev_tree *tree;
    ev_cell *frame;
    arena *pool;
    int64_t as_of;
    int bound;             /* parameters bound for as_of */
    uint32_t *cov;         /* optional: coverage counters, tree->ncov */
    int walk;              /* walk the tree even without coverage (tests) */
    uint64_t warned;       /* after ev_run: bit i set when tree->warnings[i] holds */
    ev_error err;
} ev_ctx;

void ev_ctx_init(ev_ctx *c, const ev_tree *t, ev_cell *frame, arena *pool);
/* Binds parameters for as_of; 0, or -1 with c->err set. */
int ev_bind(ev_ctx *c, int64_t as_of);
/* Evaluates every definition on the input record; 0, or -1 with c->err.
 * The tree's refusals come first, each condition walked once (a few
 * comparisons of input fields, the same code for both evaluators); the
 * first that holds fails the decision with EVE_REFUSED.  Without
 * coverage counters (and without c->walk) it runs the tree's flat
 * program (vm_build.c, vm.c); otherwise it walks the nodes.  Both give
 * the same outputs and the same errors.  Last the tree's warnings are
 * walked the same way in both, and c->warned says which hold.  A
 * policy with none of refusals, warnings and ranges (prog->plain) run
 * without coverage is one call into the program, nothing else. */
int ev_run(ev_ctx *c, const ev_cell *root);
/* One node's scalar value in the current frame (explanations). */
int64_t ev_scalar(ev_ctx *c, int32_t node);
/* MONTHS_BETWEEN or YEARS_BETWEEN (kind) of dates a and b; flags 1 is
 * age_on, which fails when b < a.  Shared by both evaluators. */
int64_t ev_between(ev_ctx *c, int kind, int flags, int64_t a, int64_t b, uint32_t loc);
/* One node's list, text or map in the current frame. */
ev_cell ev_value(ev_ctx *c, int32_t node);
/* Records the error of a decimal operation that did not return DEC_OK. */
void ev_fail_dec(ev_ctx *c, dec_status st, uint32_t loc);
/* Rows [*first, *last) of table t's column-0 index that may match v. */
void ev_table_cell(const ev_table *t, int64_t v, uint32_t *first, uint32_t *last);
/* Table t as it stands on day (its cells may read parameters): the
 * version of the stretch holding day, or t itself. */
const ev_table *ev_table_on(const ev_table *t, int64_t day);
/* Whether row `row` of table t matches the column values args. */
int ev_table_row_matches(const ev_table *t, uint32_t row, const int64_t *args);
/* Records the error (first one wins). */
void ev_fail(ev_ctx *c, ev_errcode code, uint32_t loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Formats a scalar for people and JSON: money "860.00", dates, enums by
 * name, bools, ints.  out needs 64 bytes; returns it. */
const char *ev_format_scalar(const ty *t, int64_t v, char *out);

#endif
