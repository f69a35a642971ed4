/*
 * diff.h - the exact semantic diff of two versions of a policy.
 *
 * diff_policies() answers "for which inputs do these two versions decide
 * differently, and how": it reads the two evaluation trees (eval/tree.h)
 * with parameters bound for each period over which they do not change,
 * abstracts the input into a few variables (diff_eval.c: the length of a
 * list of the input, the sum of a field over it, a field of the input
 * record, the decision date), enumerates the variables
 * of small domain (list lengths, enums, bools) and cuts the others into
 * intervals at every comparison either version makes, until in every
 * cell each output of each version is a constant or a linear function of
 * the variables (diff.c drives this; diff_table.c cuts at table rows).
 * A `warn when` is compared as a bool output that says whether it holds
 * (paired by its text; a warning only one version has never holds in
 * the other), reported as the output "warning" labelled with its text.
 * The cells where an output differs are the regions reported, described
 * in the policy's own labels, with a witness input that diff_witness.c
 * builds and evaluates under both versions.
 *
 * What cannot be decided this way (a division or rounding of a variable
 * compared with something, aggregates over filtered members, comparisons
 * of two variables) is compared structurally: the same computation in
 * both versions is the same function.  Where even that fails the region
 * is searched for witnesses and the report says it is not exact
 * (exact = 0); equivalence is claimed only when proved.
 *
 * diff_report.c writes the report as text for people and as the JSON of
 * `eligo diff --json` and POST /v1/diff.
 *
 * Ownership: the report lives in the caller's arena.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_DIFF_H
#define ELIGO_DIFF_H

#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "eval/compiled.h"

/* At most this many input variables take part in one analysis; more make
 * the diff inexact (reported), never wrong. */
enum { DIFF_MAXVARS = 8 };

/* DV_ASOF is the decision date, for trees that compare it (an age on
 * the day, a date a rule starts): within a period it varies like any
 * input, so the regions say on which days they hold. */
typedef enum diff_var_kind { DV_LEN, DV_SUM, DV_FIELD, DV_ASOF } diff_var_kind;

/* One variable of the abstracted input: its kind, the fields it reads
 * (indices into the root entity and into the list's element entity),
 * its words and its domain on a lattice of `step` (money is entered in
 * fen, so its step is 10000 millionths). */
typedef struct diff_var {
    diff_var_kind kind;
    uint32_t list;          /* DV_LEN, DV_SUM: root field holding the list */
    uint32_t field;         /* DV_SUM: element field; DV_FIELD: root field */
    const ty *type;
    const char *label;
    int discrete;           /* enumerated value by value */
    int64_t lo, hi, step;
    int64_t each_lo, each_hi;   /* DV_SUM: one element's bounds */
} diff_var;

typedef enum diff_status { DIFF_SAME, DIFF_DIFFERS, DIFF_UNKNOWN } diff_status;

/* How one output changes over a region: old and new as JSON values (a
 * constant) or as an expression over the variables (a JSON string), and
 * the difference when it is the same all over the region. */
typedef struct diff_change {
    const char *output, *label;
    const char *old_json, *new_json;
    const char *delta;      /* "+120.00", or NULL */
    int varies;             /* old or new is not one value over the region:
                             * its JSON is a string of words, not a value */
} diff_change;

typedef struct diff_region {
    int64_t from, until;    /* the dates it holds on */
    const char *description;
    diff_change *changes;
    uint32_t nchanges;
    int exact;              /* the region is exactly where the outputs differ */
    const char *witness;    /* a request body, or NULL when none was found */
    const char *witness_old, *witness_new;  /* the outputs objects at the witness */
    const char *warned_old, *warned_new;    /* the texts of its warnings: JSON arrays */
    int confirmed;          /* the witness's outputs or warnings do differ */
    /* the region as a box: per variable of the report, [lo, hi] on its
     * lattice (tests compare it with brute force) */
    int64_t lo[DIFF_MAXVARS], hi[DIFF_MAXVARS];
} diff_region;

typedef struct diff_report {
    const char *policy;
    int64_t from, until;
    int equivalent;         /* proved: no input decides differently */
    int exact;
    diff_region *regions;
    uint32_t nregions, cap;
    uint32_t truncated;     /* regions left out past max_regions */
    const char **notes;     /* why the analysis is not exact, for people */
    uint32_t nnotes;
    const diff_var *vars;   /* the input variables the regions are boxes over */
    uint32_t nvars;
} diff_report;

/* Cells examined at most per diff by default: far more than the shipped
 * policies need (tianjin.dibao takes about 250); past the limit the diff
 * stops, says so, and is not exact. */
#define DIFF_MAX_CELLS 2000000

typedef struct diff_options {
    int64_t from, until;    /* the dates compared; equal for one as_of */
    uint32_t max_regions;   /* 0: a default of 500 */
    size_t max_cells;       /* 0: DIFF_MAX_CELLS */
} diff_options;

/* Compares old and new (two versions of one policy over the same model).
 * 0, or -1 with a message in *why (the versions read different input
 * entities; out of memory). */
int diff_policies(const policy *old_p, const policy *new_p, const diff_options *o, arena *pool,
                  diff_report *out, const char **why);

/* The texts of the "warnings" of a decision document eligo wrote, each
 * as its JSON string on a line of its own (an escaped string holds no
 * newline), in the document's order; nothing when none held.  Without
 * the warnings' citations, whose line numbers move when a version is
 * edited.  For witnesses and for eligo impact. */
void diff_warning_texts(arena *pool, const char *doc, size_t len, buf *out);

void diff_report_json(const diff_report *r, buf *b);
void diff_report_text(const diff_report *r, buf *b);

#endif
