/*
 * tables.c - exact overlap, gap and shadowing analysis of decision tables,
 * and the column-0 index the evaluator uses to find candidate rows.
 *
 * check_tables.c turns every cell of a table into a union of closed int64
 * intervals (tab_normalize) and calls tab_analyze to report overlaps, gaps
 * and rows that can never fire; lower.c calls tab_index_build and copies
 * the result into the evaluation tree.
 *
 * Both rest on one primitive, the sweep (tab_sweep below): take the
 * intervals that a set of rows has in one column, turn them into sorted
 * +1/-1 events, and walk the column from the domain's low end, stopping
 * only where the set of covering rows changes.  Each stop starts a cell, a
 * maximal run of values over which the same rows are active, so a cell
 * is never split by a boundary that changes nothing.
 *
 * tab_analyze sweeps column 0 over every row, and for each cell sweeps
 * column 1 over the rows active there, and so on down to the last column,
 * where each cell is a box of inputs matched by exactly the active rows:
 *   - no active rows: a gap (reported as soon as it appears, at any depth);
 *   - a row entering while others are active: an overlapping pair;
 *   - the lowest active row is the first match; a row that is never the
 *     lowest anywhere is shadowed.
 * Cells are visited in increasing order in every column, so witnesses are
 * the lexicographically smallest point of what they witness: the smallest
 * input that both rows match, the low corner of a gap box.  Each column
 * has one sweep state, reused by every cell of the column above it, so
 * memory is O(rows * columns + intervals) however deep the recursion goes.
 *
 * Not done here: turning table cells into intervals (check_tables.c),
 * messages and source locations (check_tables.c), hit-policy rules
 * (check_tables.c decides which findings are errors), and evaluation (src/eval).  The analysis trusts
 * the domains; a condition reaching outside its column's domain is clipped
 * to it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "lang/tables.h"

#include <stdlib.h>
#include <string.h>

#define TAB_NONE UINT32_MAX

/* ------------------------------------------------------------------ */
/* Intervals and conditions                                            */
/* ------------------------------------------------------------------ */

static int tab_cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int tab_cmp_interval(const void *pa, const void *pb)
{
    const tab_interval *a = pa, *b = pb;
    int c = tab_cmp_i64(a->lo, b->lo);
    return c ? c : tab_cmp_i64(a->hi, b->hi);
}

/* True when b starts inside a or right after it.  hi + 1 is computed only
 * when hi < INT64_MAX, so an interval ending at the top never overflows. */
static int tab_touches(const tab_interval *a, const tab_interval *b)
{
    return b->lo <= a->hi || (a->hi < INT64_MAX && b->lo == a->hi + 1);
}

uint32_t tab_normalize(tab_interval *iv, uint32_t n)
{
    uint32_t i, out = 0;

    /* Drop inverted intervals first: they are empty, and would otherwise
     * swallow their neighbours when merged. */
    for (i = 0; i < n; i++)
        if (iv[i].lo <= iv[i].hi)
            iv[out++] = iv[i];
    n = out;
    if (n < 2)
        return n;
    qsort(iv, n, sizeof *iv, tab_cmp_interval);
    out = 0;
    for (i = 1; i < n; i++) {
        if (tab_touches(&iv[out], &iv[i])) {
            if (iv[i].hi > iv[out].hi)
                iv[out].hi = iv[i].hi;
        } else {
            iv[++out] = iv[i];
        }
    }
    return out + 1;
}

int tab_cond_match(const tab_cond *c, int64_t v)
{
    uint32_t lo = 0, hi = c->n;

    /* Find the first interval starting above v; the one before it is the
     * only one that can hold v. */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->iv[mid].lo <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && v <= c->iv[lo - 1].hi;
}

static const tab_cond *tab_cell(const tab_rows *t, uint32_t row, uint32_t col)
{
    return &t->cond[(size_t)row * t->ncols + col];
}

/* True when some interval of c meets [d->lo, d->hi]. */
static int tab_meets_domain(const tab_cond *c, const tab_interval *d)
{
    uint32_t i;

    for (i = 0; i < c->n; i++)
        if (c->iv[i].lo <= d->hi && c->iv[i].hi >= d->lo &&
            c->iv[i].lo <= c->iv[i].hi)
            return 1;
    return 0;
}

/* A row that matches no input at all: some column is empty once clipped
 * to its domain. */
static int tab_row_empty(const tab_rows *t, uint32_t row)
{
    uint32_t c;

    for (c = 0; c < t->ncols; c++)
        if (!tab_meets_domain(tab_cell(t, row, c), &t->domain[c]))
            return 1;
    return 0;
}

/* Zero-byte requests are rounded up so that NULL always means failure. */
static void *tab_alloc(arena *pool, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    n *= size;
    return arena_alloc(pool, n > 0 ? n : 1);
}

/* ------------------------------------------------------------------ */
/* The sweep                                                           */
/* ------------------------------------------------------------------ */

typedef struct tab_event {
    int64_t at;
    uint32_t row;
    int32_t delta;              /* +1 an interval starts, -1 one has ended */
} tab_event;

typedef struct tab_sweep {
    tab_event *ev;
    size_t cap;                 /* room in ev */
    uint32_t nev, next;         /* events loaded, first one not applied */
    int32_t *count;             /* per row: intervals covering the cell */
    uint32_t *slot;             /* per row: index in active, or TAB_NONE */
    uint32_t *active;           /* rows covering the current cell */
    uint32_t nactive;
    uint32_t nenter;            /* rows that entered at the last stop: the
                                 * tail of active, in row order */
    int started;
    int64_t dlo;
} tab_sweep;

static int tab_cmp_event(const void *pa, const void *pb)
{
    const tab_event *a = pa, *b = pb;
    int c = tab_cmp_i64(a->at, b->at);
    if (c)
        return c;
    c = (a->row > b->row) - (a->row < b->row);
    return c ? c : (a->delta > b->delta) - (a->delta < b->delta);
}

/* Sizes one sweep for column col: room for every row and for two events
 * per interval any row has there. */
static int tab_sweep_init(tab_sweep *s, const tab_rows *t, uint32_t col,
                          arena *pool)
{
    size_t nev = 0;
    uint32_t r, i;

    for (r = 0; r < t->nrows; r++)
        nev += 2 * (size_t)tab_cell(t, r, col)->n;
    if (nev > UINT32_MAX)
        return -1;
    s->cap = nev;
    s->ev = tab_alloc(pool, nev, sizeof *s->ev);
    s->count = tab_alloc(pool, t->nrows, sizeof *s->count);
    s->slot = tab_alloc(pool, t->nrows, sizeof *s->slot);
    s->active = tab_alloc(pool, t->nrows, sizeof *s->active);
    if (!s->ev || !s->count || !s->slot || !s->active)
        return -1;
    for (i = 0; i < t->nrows; i++)
        s->slot[i] = TAB_NONE;
    return 0;
}

/* Loads the events of rows[0..nrows) in column col, clipped to the domain.
 * An interval ending at the domain's top gets no end event, which is also
 * what keeps hi + 1 from overflowing at INT64_MAX. */
static void tab_sweep_load(tab_sweep *s, const tab_rows *t, uint32_t col,
                           const uint32_t *rows, uint32_t nrows)
{
    const tab_interval *d = &t->domain[col];
    uint32_t i, j;

    s->nev = s->next = s->nactive = s->nenter = 0;
    s->started = 0;
    s->dlo = d->lo;
    for (i = 0; i < nrows; i++) {
        const tab_cond *c = tab_cell(t, rows[i], col);
        for (j = 0; j < c->n; j++) {
            int64_t lo = c->iv[j].lo > d->lo ? c->iv[j].lo : d->lo;
            int64_t hi = c->iv[j].hi < d->hi ? c->iv[j].hi : d->hi;
            if (lo > hi)
                continue;
            s->ev[s->nev++] = (tab_event){ lo, rows[i], 1 };
            if (hi < d->hi)
                s->ev[s->nev++] = (tab_event){ hi + 1, rows[i], -1 };
        }
    }
    qsort(s->ev, s->nev, sizeof *s->ev, tab_cmp_event);
}

static void tab_sweep_remove(tab_sweep *s, uint32_t row)
{
    uint32_t at = s->slot[row], last = s->active[--s->nactive];

    s->active[at] = last;
    s->slot[last] = at;
    s->slot[row] = TAB_NONE;
}

/* Applies every event at position `at`; returns whether the set of active
 * rows changed.  Counting, instead of toggling, makes a row whose interval
 * ends exactly where its next one starts stay active without a stop. */
static int tab_sweep_apply(tab_sweep *s, int64_t at)
{
    uint32_t from = s->next, end = s->next, i;
    int changed = 0;

    for (; end < s->nev && s->ev[end].at == at; end++)
        s->count[s->ev[end].row] += s->ev[end].delta;
    s->next = end;
    for (i = from; i < end; i++) {
        uint32_t r = s->ev[i].row;
        if (s->slot[r] != TAB_NONE && s->count[r] == 0) {
            tab_sweep_remove(s, r);
            changed = 1;
        }
    }
    /* Entries go last and in event order, which is row order, so they are
     * the tail of active and each one comes after every row it overlaps. */
    s->nenter = 0;
    for (i = from; i < end; i++) {
        uint32_t r = s->ev[i].row;
        if (s->slot[r] == TAB_NONE && s->count[r] > 0) {
            s->slot[r] = s->nactive;
            s->active[s->nactive++] = r;
            s->nenter++;
            changed = 1;
        }
    }
    return changed;
}

/* Moves to the next cell and stores its low end in *lo; returns 0 when
 * the column is exhausted.  The first cell always starts at the domain's
 * low end, even when no row covers it. */
static int tab_sweep_step(tab_sweep *s, int64_t *lo)
{
    if (!s->started) {
        s->started = 1;
        *lo = s->dlo;
        tab_sweep_apply(s, s->dlo);
        return 1;
    }
    while (s->next < s->nev) {
        int64_t at = s->ev[s->next].at;
        if (tab_sweep_apply(s, at)) {
            *lo = at;
            return 1;
        }
    }
    return 0;
}

/* Leaves counts and slots clean for the next load; only active rows can
 * still have a count, since every other row's intervals have ended. */
static void tab_sweep_finish(tab_sweep *s)
{
    uint32_t i;

    for (i = 0; i < s->nactive; i++) {
        s->count[s->active[i]] = 0;
        s->slot[s->active[i]] = TAB_NONE;
    }
    s->nactive = 0;
}

/* ------------------------------------------------------------------ */
/* Analysis                                                            */
/* ------------------------------------------------------------------ */

typedef struct tab_list {
    tab_finding *items;
    size_t n, cap;
} tab_list;

typedef struct tab_an {
    const tab_rows *t;
    arena *pool;
    size_t max_each;
    int want_overlaps, want_gaps, want_shadowed;
    int done;                   /* nothing left worth looking for */
    tab_sweep *sw;              /* one per column */
    int64_t *point;             /* low ends of the current cells */
    uint32_t *heap;             /* last column: lazy min-heap of rows */
    uint32_t nheap;
    uint8_t *first;             /* per row: is the first match somewhere */
    uint32_t *row2;             /* per row: an earlier row it meets */
    int64_t **row2_at;          /* per row: where they meet */
    uint64_t *seen;             /* reported pairs: open addressing, 0 = free */
    size_t nseen, seen_cap;
    tab_list overlaps, gaps;
} tab_an;

static int tab_list_push(arena *pool, tab_list *l, tab_finding f)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        tab_finding *items = tab_alloc(pool, cap, sizeof *items);
        if (!items)
            return -1;
        if (l->n)
            memcpy(items, l->items, l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = f;
    return 0;
}

/* Recomputes whether the walk can stop early.  Shadowing needs the whole
 * walk, since a row is shadowed only if it is never first anywhere. */
static void tab_an_update_done(tab_an *a)
{
    a->done = !a->want_shadowed &&
              (!a->want_overlaps || a->overlaps.n >= a->max_each) &&
              (!a->want_gaps || a->gaps.n >= a->max_each);
}

/* Copies the current point: columns 0..k are the current cells' low ends,
 * the rest the domains' low ends. */
static int64_t *tab_an_witness(tab_an *a, uint32_t k)
{
    const tab_rows *t = a->t;
    int64_t *w = tab_alloc(a->pool, t->ncols, sizeof *w);
    uint32_t c;

    if (!w)
        return NULL;
    for (c = 0; c < t->ncols; c++)
        w[c] = c <= k ? a->point[c] : t->domain[c].lo;
    return w;
}

static uint64_t tab_hash_pair(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return key;
}

static int tab_seen_grow(tab_an *a)
{
    size_t cap = a->seen_cap ? 2 * a->seen_cap : 64, i;
    uint64_t *old = a->seen, *tab = tab_alloc(a->pool, cap, sizeof *tab);

    if (!tab)
        return -1;
    for (i = 0; i < a->seen_cap; i++) {
        size_t h;
        if (!old[i])
            continue;
        for (h = tab_hash_pair(old[i]) & (cap - 1); tab[h]; h = (h + 1) & (cap - 1))
            ;
        tab[h] = old[i];
    }
    a->seen = tab;
    a->seen_cap = cap;
    return 0;
}

/* Records pair key; returns 1 when new, 0 when already reported, -1 on
 * failure.  Keys are never 0: r1 < r2 makes the low half nonzero. */
static int tab_seen_add(tab_an *a, uint64_t key)
{
    size_t h;

    if (2 * (a->nseen + 1) > a->seen_cap && tab_seen_grow(a))
        return -1;
    for (h = tab_hash_pair(key) & (a->seen_cap - 1); a->seen[h];
         h = (h + 1) & (a->seen_cap - 1))
        if (a->seen[h] == key)
            return 0;
    a->seen[h] = key;
    a->nseen++;
    return 1;
}

static int tab_an_gap(tab_an *a, uint32_t k)
{
    tab_finding f = { TAB_GAP, TAB_NONE, TAB_NONE, NULL };

    if (!a->want_gaps || a->gaps.n >= a->max_each)
        return 0;
    if (!(f.witness = tab_an_witness(a, k)) ||
        tab_list_push(a->pool, &a->gaps, f))
        return -1;
    tab_an_update_done(a);
    return 0;
}

static int tab_an_pair(tab_an *a, uint32_t x, uint32_t y)
{
    tab_finding f = { TAB_OVERLAP, x < y ? x : y, x < y ? y : x, NULL };
    int fresh = tab_seen_add(a, (uint64_t)f.row1 << 32 | f.row2);

    if (fresh <= 0)
        return fresh;
    if (!(f.witness = tab_an_witness(a, a->t->ncols - 1)) ||
        tab_list_push(a->pool, &a->overlaps, f))
        return -1;
    tab_an_update_done(a);
    return 0;
}

/* Each entering row overlaps every row before it in active: the rows that
 * were there already and the earlier entries of this stop. */
static int tab_an_pairs(tab_an *a, const tab_sweep *s)
{
    uint32_t j, i;

    for (j = s->nactive - s->nenter; j < s->nactive; j++)
        for (i = 0; i < j; i++) {
            if (a->overlaps.n >= a->max_each)
                return 0;
            if (tab_an_pair(a, s->active[i], s->active[j]))
                return -1;
        }
    return 0;
}

static void tab_heap_push(tab_an *a, uint32_t row)
{
    uint32_t i = a->nheap++;

    while (i > 0 && a->heap[(i - 1) / 2] > row) {
        a->heap[i] = a->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    a->heap[i] = row;
}

static void tab_heap_pop(tab_an *a)
{
    uint32_t row = a->heap[--a->nheap], i = 0;

    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= a->nheap)
            break;
        if (c + 1 < a->nheap && a->heap[c + 1] < a->heap[c])
            c++;
        if (a->heap[c] >= row)
            break;
        a->heap[i] = a->heap[c];
        i = c;
    }
    a->heap[i] = row;
}

/* The lowest active row.  Rows that left stay in the heap until they
 * reach the top; a row that left and came back is simply there twice. */
static uint32_t tab_heap_min(tab_an *a, const tab_sweep *s)
{
    while (s->slot[a->heap[0]] == TAB_NONE)
        tab_heap_pop(a);
    return a->heap[0];
}

/* One cell of the last column: a box matched by exactly the active rows. */
static int tab_an_leaf(tab_an *a, tab_sweep *s)
{
    uint32_t j, min;

    if (s->nactive == 0)
        return tab_an_gap(a, a->t->ncols - 1);
    for (j = s->nactive - s->nenter; j < s->nactive; j++)
        tab_heap_push(a, s->active[j]);
    min = tab_heap_min(a, s);
    a->first[min] = 1;
    /* A row that is never first has some earlier row active wherever it
     * is, in particular where it enters; remember the first such meeting. */
    for (j = s->nactive - s->nenter; a->want_shadowed && j < s->nactive; j++) {
        uint32_t r = s->active[j];
        if (r > min && a->row2[r] == TAB_NONE) {
            a->row2[r] = min;
            if (!(a->row2_at[r] = tab_an_witness(a, a->t->ncols - 1)))
                return -1;
        }
    }
    if (a->want_overlaps && a->overlaps.n < a->max_each)
        return tab_an_pairs(a, s);
    return 0;
}

/* Sweeps column k over rows[0..nrows), recursing into each cell. */
static int tab_an_column(tab_an *a, uint32_t k, const uint32_t *rows,
                         uint32_t nrows)
{
    tab_sweep *s = &a->sw[k];
    int last = k + 1 == a->t->ncols, rc = 0;

    tab_sweep_load(s, a->t, k, rows, nrows);
    if (last)
        a->nheap = 0;
    while (!rc && !a->done && tab_sweep_step(s, &a->point[k])) {
        if (last)
            rc = tab_an_leaf(a, s);
        else if (s->nactive == 0)
            rc = tab_an_gap(a, k);
        else
            rc = tab_an_column(a, k + 1, s->active, s->nactive);
    }
    tab_sweep_finish(s);
    return rc;
}

/* With no columns there is one input, and every row matches it. */
static int tab_an_no_columns(tab_an *a)
{
    uint32_t r1, r2;

    if (a->t->nrows == 0)
        return tab_an_gap(a, 0);
    a->first[0] = 1;
    for (r2 = 1; r2 < a->t->nrows; r2++)
        a->row2[r2] = 0;
    for (r1 = 0; a->want_overlaps && r1 < a->t->nrows; r1++)
        for (r2 = r1 + 1; r2 < a->t->nrows; r2++) {
            if (a->overlaps.n >= a->max_each)
                return 0;
            if (tab_an_pair(a, r1, r2))
                return -1;
        }
    return 0;
}

static int tab_an_init(tab_an *a, const tab_rows *t, int what,
                       size_t max_each, arena *pool)
{
    uint32_t c, r;

    memset(a, 0, sizeof *a);
    a->t = t;
    a->pool = pool;
    a->max_each = max_each;
    a->want_overlaps = (what & TAB_FIND_OVERLAPS) && max_each > 0;
    a->want_gaps = (what & TAB_FIND_GAPS) && max_each > 0;
    a->want_shadowed = (what & TAB_FIND_SHADOWED) && max_each > 0;
    a->first = tab_alloc(pool, t->nrows, sizeof *a->first);
    a->row2 = tab_alloc(pool, t->nrows, sizeof *a->row2);
    a->row2_at = tab_alloc(pool, t->nrows, sizeof *a->row2_at);
    a->sw = tab_alloc(pool, t->ncols, sizeof *a->sw);
    a->point = tab_alloc(pool, t->ncols, sizeof *a->point);
    if (!a->first || !a->row2 || !a->row2_at || !a->sw || !a->point)
        return -1;
    for (r = 0; r < t->nrows; r++)
        a->row2[r] = TAB_NONE;
    for (c = 0; c < t->ncols; c++)
        if (tab_sweep_init(&a->sw[c], t, c, pool))
            return -1;
    if (t->ncols > 0) {
        /* A push needs a start event, at most half the events. */
        a->heap = tab_alloc(pool, a->sw[t->ncols - 1].cap / 2 + 1,
                            sizeof *a->heap);
        if (!a->heap)
            return -1;
    }
    tab_an_update_done(a);
    return 0;
}

/* Rows that can ever match, in row order; *n gets their count. */
static uint32_t *tab_live_rows(const tab_rows *t, arena *pool, uint32_t *n)
{
    uint32_t *rows = tab_alloc(pool, t->nrows, sizeof *rows), r;

    *n = 0;
    if (!rows)
        return NULL;
    for (r = 0; r < t->nrows; r++)
        if (!tab_row_empty(t, r))
            rows[(*n)++] = r;
    return rows;
}

static int tab_domains_empty(const tab_rows *t)
{
    uint32_t c;

    for (c = 0; c < t->ncols; c++)
        if (t->domain[c].lo > t->domain[c].hi)
            return 1;
    return 0;
}

/* Shadowed rows in row order: empty rows (no partner) and live rows that
 * were never first (with the earlier row found where they entered). */
static int tab_an_shadowed(tab_an *a, tab_list *l, int no_inputs)
{
    const tab_rows *t = a->t;
    uint32_t r;

    for (r = 0; a->want_shadowed && r < t->nrows && l->n < a->max_each; r++) {
        tab_finding f = { TAB_SHADOWED, r, TAB_NONE, NULL };
        if (a->first[r])
            continue;
        if (!no_inputs && !tab_row_empty(t, r)) {
            f.row2 = a->row2[r];
            f.witness = a->row2_at[r];
        }
        if (tab_list_push(a->pool, l, f))
            return -1;
    }
    return 0;
}

/* Lays the three lists out as one array: overlaps, gaps, shadowed. */
static int tab_an_collect(tab_an *a, const tab_list *shadowed,
                          tab_findings *out)
{
    size_t n = a->overlaps.n + a->gaps.n + shadowed->n;
    tab_finding *items = tab_alloc(a->pool, n, sizeof *items);

    if (!items)
        return -1;
    if (a->overlaps.n)
        memcpy(items, a->overlaps.items, a->overlaps.n * sizeof *items);
    if (a->gaps.n)
        memcpy(items + a->overlaps.n, a->gaps.items, a->gaps.n * sizeof *items);
    if (shadowed->n)
        memcpy(items + a->overlaps.n + a->gaps.n, shadowed->items,
               shadowed->n * sizeof *items);
    out->items = items;
    out->n = n;
    return 0;
}

int tab_analyze(const tab_rows *t, int what, size_t max_each, arena *pool,
                tab_findings *out)
{
    tab_an a;
    tab_list shadowed = { NULL, 0, 0 };
    uint32_t *live, nlive;
    int no_inputs = tab_domains_empty(t);

    out->items = NULL;
    out->n = 0;
    if (tab_an_init(&a, t, what, max_each, pool))
        return -1;
    if (t->ncols == 0) {
        if (tab_an_no_columns(&a))
            return -1;
    } else if (!no_inputs) {
        if (!(live = tab_live_rows(t, pool, &nlive)) ||
            tab_an_column(&a, 0, live, nlive))
            return -1;
    }
    if (tab_an_shadowed(&a, &shadowed, no_inputs))
        return -1;
    return tab_an_collect(&a, &shadowed, out);
}

/* ------------------------------------------------------------------ */
/* Column-0 index                                                      */
/* ------------------------------------------------------------------ */

/* Counts the cells and the candidate entries of column 0's sweep. */
static void tab_index_measure(tab_sweep *s, const tab_rows *t,
                              const uint32_t *all, uint32_t *ncells,
                              size_t *nrows)
{
    int64_t lo;

    *ncells = 0;
    *nrows = 0;
    tab_sweep_load(s, t, 0, all, t->nrows);
    while (tab_sweep_step(s, &lo)) {
        (*ncells)++;
        *nrows += s->nactive;
    }
    tab_sweep_finish(s);
}

/* Writes the rows of the cell the sweep just entered, in row order, to
 * out: the previous cell's rows that are still active, merged with the
 * entries (which arrive in row order).  This costs what the output does,
 * where sorting the active list per cell would cost a log factor more. */
static uint32_t tab_index_merge(const tab_sweep *s, const uint32_t *prev,
                                uint32_t nprev, uint32_t *out)
{
    const uint32_t *in = s->active + s->nactive - s->nenter;
    uint32_t i = 0, j = 0, n = 0;

    while (i < nprev || j < s->nenter) {
        if (i < nprev && s->slot[prev[i]] == TAB_NONE)
            i++;
        else if (j == s->nenter || (i < nprev && prev[i] < in[j]))
            out[n++] = prev[i++];
        else
            out[n++] = in[j++];
    }
    return n;
}

/* Runs the same sweep again, this time writing each cell's rows. */
static void tab_index_fill(tab_sweep *s, const tab_rows *t,
                           const uint32_t *all, int64_t *cell_lo,
                           uint32_t *row_start, uint32_t *rows)
{
    uint32_t k = 0, at = 0, prev = 0;

    tab_sweep_load(s, t, 0, all, t->nrows);
    while (tab_sweep_step(s, &cell_lo[k])) {
        uint32_t nprev = at - prev;
        row_start[k++] = prev = at;
        at += tab_index_merge(s, rows + at - nprev, nprev, rows + at);
    }
    row_start[k] = at;
    tab_sweep_finish(s);
}

int tab_index_build(const tab_rows *t, arena *pool, tab_index *out)
{
    tab_sweep s;
    uint32_t *all, ncells, r, *row_start, *rows;
    size_t nrows;
    int64_t *cell_lo;

    memset(out, 0, sizeof *out);
    if (!(all = tab_alloc(pool, t->nrows, sizeof *all)))
        return -1;
    for (r = 0; r < t->nrows; r++)
        all[r] = r;
    if (t->ncols == 0) {
        /* No column to index on: one cell holding every row. */
        if (!(cell_lo = tab_alloc(pool, 1, sizeof *cell_lo)) ||
            !(row_start = tab_alloc(pool, 2, sizeof *row_start)))
            return -1;
        cell_lo[0] = INT64_MIN;
        row_start[1] = t->nrows;
        *out = (tab_index){ 1, cell_lo, row_start, all };
        return 0;
    }
    if (t->domain[0].lo > t->domain[0].hi)
        return (out->row_start = tab_alloc(pool, 1, sizeof *row_start)) ? 0 : -1;
    if (tab_sweep_init(&s, t, 0, pool))
        return -1;
    tab_index_measure(&s, t, all, &ncells, &nrows);
    if (nrows > UINT32_MAX)
        return -1;
    cell_lo = tab_alloc(pool, ncells, sizeof *cell_lo);
    row_start = tab_alloc(pool, (size_t)ncells + 1, sizeof *row_start);
    rows = tab_alloc(pool, nrows, sizeof *rows);
    if (!cell_lo || !row_start || !rows)
        return -1;
    tab_index_fill(&s, t, all, cell_lo, row_start, rows);
    *out = (tab_index){ ncells, cell_lo, row_start, rows };
    return 0;
}
