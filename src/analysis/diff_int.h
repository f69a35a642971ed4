/*
 * diff_int.h - what the files of the diff share (diff.c, diff_eval.c,
 * diff_table.c, diff_witness.c, diff_report.c); not for other callers.
 *
 * An abstract value (aval) is what one node of a tree computes over a
 * cell of the input space (a box: one closed lattice interval per
 * variable): a constant, a linear function of the variables, a text, an
 * error, or an opaque value known only by a structural hash (the same
 * hash, the same computation, the same value).  Linear forms are scaled:
 * the value in the node's own units is (c + sum k[i] * x[i]) / AV_SCALE,
 * x[i] in the variable's units, so that multiplying by a decimal
 * constant stays exact.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_DIFF_INT_H
#define ELIGO_DIFF_INT_H

#include "analysis/diff.h"
#include "eval/eval.h"
#include "lang/tables.h"

#define AV_SCALE ((__int128)1000000)

typedef __int128 wide;

enum { AV_CONST, AV_LIN, AV_TEXT, AV_OPAQUE, AV_ERROR };

typedef struct aval {
    uint8_t kind;
    wide c, k[DIFF_MAXVARS];  /* AV_CONST, AV_LIN */
    uint64_t h;               /* AV_TEXT (its bytes), AV_OPAQUE */
} aval;

/* One version while a cell is evaluated. */
typedef struct diff_side {
    const policy *p;
    const ev_tree *t;
    ev_ctx ctx;               /* parameters bound for the epoch */
    ev_cell *frame;
    int32_t *slot_def;        /* slot -> def index, or -1 */
    int32_t *slot_param;      /* slot -> parameter index, or -1 */
    aval *memo;               /* per def, for the current cell */
    uint8_t *state;           /* per def: 0 not yet, 1 computing, 2 done */
    aval *env;                /* per slot: table arguments */
    uint8_t *env_set;
    int32_t *loop_depth;      /* per slot: nesting depth of a loop variable, or -1 */
    int depth;
} diff_side;

typedef struct diff_az {
    diff_var vars[DIFF_MAXVARS];
    uint32_t nvars;
    tab_interval box[DIFF_MAXVARS];
    int64_t as_of, as_of_until;   /* the period analysed */
    int split_var;            /* a comparison asks to cut var split_var ... */
    int64_t split_at;         /* ... into [lo, split_at - step] and [split_at, hi] */
    int multi;                /* a comparison of several variables was left opaque */
    int many_vars;            /* the input had more variables than DIFF_MAXVARS */
    diff_side s[2];
    arena *pool;
} diff_az;

/* diff_eval.c */
aval av_const(int64_t v);
int av_is_num(const aval *a);
uint64_t av_hash(const aval *a);
int av_equal(const aval *a, const aval *b);
aval av_sub(const aval *a, const aval *b);
/* The abstract value of node idx of side s over z->box. */
aval diff_eval(diff_az *z, diff_side *s, int32_t idx);
/* 0 when the scaled linear form d has one sign class (<0, 0, >0) over
 * the box; otherwise asks for a split (one variable) or sets z->multi
 * and returns 1. */
int diff_sign_split(diff_az *z, const aval *d);
/* Range of a scaled linear form over the box. */
void diff_range(const diff_az *z, const aval *a, wide *mn, wide *mx);
void diff_side_reset(diff_az *z, diff_side *s);
/* The variables that trees read (registered in z->vars). */
void diff_find_vars(diff_az *z, const ev_tree *t);
int diff_var_of(const diff_az *z, const ev_tree *t, int32_t idx);

/* diff_witness.c: a request body for the point x (one value per
 * variable), the other fields drawn from seed when it is not 0;
 * evaluates it under both versions into *r, whose texts it leaves in
 * scratch. */
void diff_witness(diff_az *z, const int64_t *x, uint64_t seed, arena *scratch, diff_region *r);
/* Words for a value of variable v and for a constant or linear value of
 * type t (what the report shows). */
const char *diff_var_value(const diff_var *v, int64_t x, char *out);
const char *diff_av_json(const diff_az *z, const ty *t, const aval *a);
/* A constant difference with its sign: "+40.00". */
const char *diff_delta_json(const diff_az *z, const ty *t, int64_t v);

#endif
