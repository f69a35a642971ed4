/*
 * tables.h - exact analysis of decision tables over interval cells.
 *
 * Every column of a decision table ranges over int64 values: ints and
 * dates as they are, decimals and money in millionths (a discrete grid),
 * enums as value indices, bools as 0/1.  So every cell condition, after
 * normalisation by check_tables.c, is a union of closed intervals [lo, hi] within
 * the column's domain, and the analysis is exact: each overlap or gap it
 * reports comes with a witness point that really lies in it.
 *
 * tab_analyze finds:
 *   TAB_OVERLAP  rows r1 < r2 both match the witness input
 *   TAB_GAP      no row matches the witness input
 *   TAB_SHADOWED row r1 can never be the first match: every input it
 *                matches is matched by an earlier row (r2 is one of them)
 * It works by recursive cell decomposition: split the first column at
 * every row boundary, recurse into the rows active in each cell, and sweep
 * the last column, so a one-column table of n rows costs O(n log n).
 *
 * tab_index_build builds the runtime lookup for the evaluator: the
 * elementary cells of column 0 (sorted starts) and, for each cell, the rows
 * that can match there, in row order.  A lookup is a binary search plus a
 * scan of the candidates (usually one).
 *
 * Ownership: inputs are the caller's; findings, witnesses and indexes
 * live in `pool`.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_TABLES_H
#define ELIGO_TABLES_H

#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"

typedef struct tab_interval { int64_t lo, hi; } tab_interval;   /* closed */

typedef struct tab_cond {
    uint32_t n;                 /* intervals, sorted and disjoint; 0 = never */
    const tab_interval *iv;
} tab_cond;

typedef struct tab_rows {
    uint32_t ncols, nrows;
    const tab_interval *domain; /* per column: the whole domain */
    const tab_cond *cond;       /* nrows * ncols, row-major */
} tab_rows;

typedef enum tab_kind { TAB_OVERLAP, TAB_GAP, TAB_SHADOWED } tab_kind;

typedef struct tab_finding {
    tab_kind kind;
    uint32_t row1, row2;        /* 0-based; unused ones are UINT32_MAX */
    int64_t *witness;           /* ncols values */
} tab_finding;

typedef struct tab_findings {
    tab_finding *items;
    size_t n;
} tab_findings;

/* Which findings to look for (flags) and how many of each to keep. */
enum { TAB_FIND_OVERLAPS = 1, TAB_FIND_GAPS = 2, TAB_FIND_SHADOWED = 4 };

/* Returns 0, or -1 when out of memory. */
int tab_analyze(const tab_rows *t, int what, size_t max_each, arena *pool,
                tab_findings *out);

typedef struct tab_index {
    uint32_t ncells;
    const int64_t *cell_lo;     /* ncells sorted starts; cell k = [cell_lo[k], cell_lo[k+1]) */
    const uint32_t *row_start;  /* ncells + 1 offsets into rows */
    const uint32_t *rows;       /* candidate rows per cell, in row order */
} tab_index;

/* Normalises (sorts, merges) a list of intervals in place; returns the new
 * count.  Used by check_tables.c when building conditions. */
uint32_t tab_normalize(tab_interval *iv, uint32_t n);
int tab_index_build(const tab_rows *t, arena *pool, tab_index *out);
/* Index of the cell containing v, or -1 when v is below every cell. */
static inline int32_t tab_index_cell(const tab_index *ix, int64_t v)
{
    uint32_t lo = 0, hi = ix->ncells;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (ix->cell_lo[mid] <= v) lo = mid + 1; else hi = mid;
    }
    return (int32_t)lo - 1;
}
/* True when value v satisfies cond (binary search). */
int tab_cond_match(const tab_cond *c, int64_t v);

#endif
