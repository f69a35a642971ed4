/*
 * tree.h - the evaluation tree of one compiled policy.
 *
 * lower.c builds it once; after that it is immutable: the daemon's master
 * builds every tree before fork and the workers share them copy-on-write.
 * Nodes sit in one contiguous array and refer to each other by index;
 * names are gone, replaced by frame slots and field indices.
 *
 * A decision runs in a frame of `nslots` cells: slot 0 holds the input
 * root record, then one slot per parameter (bound once per as_of), per
 * let and output, per loop variable and per table argument, and last the
 * constants and temporaries of the flat program (vm_build.c).
 *
 * Ownership: everything here lives in the compiled policy's arena.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_TREE_H
#define ELIGO_TREE_H

#include <stdint.h>
#include "eval/nodes.h"
#include "eval/value.h"
#include "eval/model.h"

typedef struct ev_node {
    uint16_t kind;      /* ev_kind */
    uint16_t flags;     /* rounding mode; EV_LOOP_BY_VALUE; ... */
    int32_t a, b, c;    /* operand nodes, slots or counts; -1 = none */
    int64_t imm;        /* constant value, parameter or table index */
    uint32_t loc;       /* byte offset in the policy source (explain) */
} ev_node;

/* A value's or a row's citation (lang/cite.h): a document and a
 * quotation in it, or an assumption; absent parts are NULL. */
typedef struct ev_cite {
    const char *doc, *quote, *assumption;
} ev_cite;

typedef struct ev_param {
    const char *name, *label;
    const ty *type;
    uint32_t slot;
    uint32_t nvalues;       /* sorted by from, non-overlapping */
    const int64_t *from;    /* first day in force */
    const int64_t *until;   /* last day in force, INT64_MAX when open */
    const ev_cell *value;
    /* Per value: the citation as one text ("DOCUMENT: quotation", NULL
     * for an assumption), and its parts. */
    const char *const *source;
    const ev_cite *cite;
    /* A statistical series: read only with `at`, so not bound at as_of
     * (ev_bind) and not required to have a value on each covered day;
     * the checker verified the dates its `at` reads reach instead. */
    uint8_t series;
} ev_param;

/* A `{name}` placeholder inside a label: replaced by a slot's value. */
typedef struct ev_hole {
    uint32_t start, end;    /* byte range of `{name}` in the label */
    uint32_t slot;
    const ty *type;
} ev_hole;

typedef struct ev_rule {
    const char *label;      /* may be NULL */
    uint32_t line;          /* in the policy source */
    int32_t def;            /* the let/output it belongs to */
} ev_rule;

typedef struct ev_def {
    const char *name, *label;
    const ty *type;
    int32_t root;           /* node */
    uint32_t slot;
    uint8_t is_output;
    uint8_t range_end;      /* 1: the min, 2: the max of a range output (`output award: money
                               range = LO to HI`, named "award.min" / "award.max"); else 0 */
    uint8_t is_scalar;      /* the value is one int64 (else a list, map or text) */
    uint8_t check_fen;      /* a money output that could carry sub-fen digits */
    uint32_t nholes;
    const ev_hole *holes;
    const char *label_false;   /* a bool's label when false, or NULL */
    uint32_t nholes_false;
    const ev_hole *holes_false;
    uint32_t line;
} ev_def;

/* A guard: `refuse when COND: "reason"` or `warn when COND: "text"`,
 * one shape for both (lower.c lower_guards).
 *
 * A refusal: a decision whose input makes cond true is refused (eval.h,
 * EVE_REFUSED) before anything is computed; cond reads only the input,
 * parameters and the decision date; text is the reason; no holes.
 *
 * A warning: an advisory norm (「一般设…」).  cond is walked after every
 * definition (it may read lets and outputs); when it holds the decision
 * is still made and carries the warning (eval.h ev_ctx.warned, the
 * decision's "warnings").  The text may hold `{name}` placeholders.
 *
 * field lists the JSON Pointers, relative to the input ("/care_home/
 * total_beds"), of the input fields cond reads (a warning's through the
 * lets it names), in order of appearance: the fields an officer would
 * change. */
typedef struct ev_guard {
    int32_t cond;           /* node */
    const char *text;       /* a refusal's reason, a warning's text */
    uint32_t line;
    uint32_t nfields;
    const char *const *field;
    uint32_t nholes;        /* a warning's placeholders; 0 for a refusal */
    const ev_hole *holes;
    ev_cite cite;           /* a warning's `source` or `assumption`, if any;
                               a refusal takes none (parse.c), so it is empty */
} ev_guard;

typedef ev_guard ev_refusal;
typedef ev_guard ev_warning;

/* At most this many warnings per policy: ev_ctx.warned is one bit each. */
#define EV_MAX_WARNINGS 64

/* What an explanation says of one node (lower.c; explain.c reads it):
 * the type its value is shown in, and the words for what it reads: a
 * parameter's or field's label, a loop variable's or table column's
 * name.  text is NULL for operations, which explain.c words itself. */
typedef struct ev_note {
    const char *text;
    const ty *type;
} ev_note;

typedef struct ev_interval { int64_t lo, hi; } ev_interval;
typedef struct ev_cond { uint32_t n; const ev_interval *iv; } ev_cond;

typedef struct ev_table {
    const char *name, *label;
    uint8_t hit;            /* ast_hit values, copied */
    uint8_t collect;        /* ast_collect values */
    uint32_t ncols, nrows;
    uint32_t arg_slot;      /* first of ncols consecutive slots */
    const ty *result;       /* element type for list results */
    const ty *const *col_type; /* ncols column types (messages) */
    const ev_cond *cond;    /* nrows * ncols, row-major */
    const int32_t *out;     /* per row: output node */
    const char *const *row_label;
    const uint32_t *row_line;
    const ev_cite *row_cite;
    int32_t else_out;       /* node, or -1 */
    /* text results: the table's distinct texts in order of first
     * appearance; out and else_out then give an index into it, which is
     * what `any` compares and what `priority` and `output_order` rank
     * (earlier first, as enum values rank in declaration order) */
    const ev_cell *text;
    const char *else_label;
    ev_cite else_cite;
    /* `order (v1, v2, ...)`: per row, its output's position in the list
     * (0 ranks highest), which priority and output_order use instead of
     * the outputs themselves; NULL without a list */
    const uint32_t *row_rank;
    /* column-0 index: see lang/tables.h */
    uint32_t ncells;
    const int64_t *cell_lo;
    const uint32_t *row_start;
    const uint32_t *rows;
    uint32_t first_cov;     /* coverage ids: rows, then else */
    /* one result column of a table of several results (`t(...).min`):
     * the columns are consecutive tables with the same rows, so the
     * explanation cites a row once for all of them */
    const char *base;           /* the table's own name, or NULL */
    const char *result_label;   /* this column's label, or its name */
    uint32_t result_col, nresults;
    /* cells that read parameters: one copy of this table per stretch of
     * dates on which they are constant (only cond and the column-0 index
     * differ), the stretch starting on version_from[k]; see ev_table_on */
    uint32_t nversions;
    const int64_t *version_from;
    const struct ev_table *versions;
    const uint32_t *cell_params;    /* the parameters the cells read (indices into params) */
    uint32_t ncell_params;
} ev_table;

/* flags of aggregation and MAP nodes: the list's elements are not records,
 * so the loop variable holds a copy of each element, not a pointer. */
#define EV_LOOP_BY_VALUE 1

/* flags of LIST_LIT: the elements are texts (whole cells), not scalars */
#define EV_LIST_OF_TEXTS 1

/* One instruction of the flat program: see nodes.h, vm_build.c, vm.c. */
typedef struct ev_insn {
    uint16_t op;        /* ev_kind or ev_op */
    uint16_t flags;     /* the node's flags */
    int32_t dst, a, b, c;
    int32_t node;       /* the node it computes (error locations, fallbacks) */
    int64_t imm;
} ev_insn;

/* The tree flattened into one program (vm_build.c): every def's value computed
 * into its slot in order, temporaries in slots past the tree's own, and
 * constants in slots written by ev_bind. */
typedef struct ev_prog {
    const ev_insn *code;
    uint32_t ncode;
    const uint32_t *const_slot;
    const ev_cell *const_value;
    uint32_t nconst;
    const int32_t *lut;     /* TABLE1 lookups: slot of the value per column value */
    uint32_t ntree;         /* TREE and TREE_CELL instructions: nodes left to the walker */
    int plain;              /* the tree has no refusal, warning or range: a decision
                             * without coverage is this program alone (ev_run) */
} ev_prog;

typedef struct ev_tree {
    const ev_node *nodes;
    uint32_t nnodes;
    const ev_note *notes;   /* nnodes entries: for explanations only */
    const int32_t *args;    /* operand lists of LIST_LIT, TABLE, MAP */
    uint32_t nslots;
    const entity_def *root;
    const ev_param *params;
    uint32_t nparams;
    const ev_def *defs;     /* lets and outputs in evaluation order */
    uint32_t ndefs;
    const uint32_t *outputs;/* indices into defs of the outputs, in declaration order */
    uint32_t noutputs;
    const uint32_t *ranges; /* positions in outputs of each range's min; its max is next */
    uint32_t nranges;
    const ev_table *tables;
    uint32_t ntables;
    const ev_rule *rules;
    uint32_t nrules;
    const ev_refusal *refusals;  /* checked in order before the defs */
    uint32_t nrefusals;
    const ev_warning *warnings; /* checked in order after the defs */
    uint32_t nwarnings;
    uint32_t ncov;          /* coverage points: rules (base + each unless), table rows */
    int64_t covers_from, covers_until;
    const ev_prog *prog;    /* NULL: evaluate by walking the nodes */
} ev_tree;

#endif
