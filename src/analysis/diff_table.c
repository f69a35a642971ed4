/*
 * diff_table.c - a decision table over a cell, for the semantic diff.
 *
 * A table's columns are unions of intervals (lang/tables.h, copied into
 * ev_table.cond); the diff cuts the cell at every row boundary that an
 * argument crosses inside it, the same cells tab_analyze sweeps, so that
 * over the final cell each argument stays inside one elementary interval
 * and the rows that match are the rows that match at any point of it
 * (ev_table_row_matches at the cell's low corner).  The hit policy then
 * picks the row as eval.c does; what cannot be picked exactly (several
 * rows under `any` or `priority`, collections) is opaque, hashed from the
 * table's contents and its arguments.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "analysis/diff_int.h"

#define TABLE_MAX_COLS 32

static uint64_t mixh(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static uint64_t table_hash(const ev_table *t)
{
    uint64_t h = mixh(mixh(mixh(mixh(0x7ab, t->ncols), t->nrows), t->hit), t->collect);
    for (size_t i = 0; i < (size_t)t->nrows * t->ncols; i++)
        for (uint32_t k = 0; k < t->cond[i].n; k++)
            h = mixh(mixh(h, (uint64_t)t->cond[i].iv[k].lo), (uint64_t)t->cond[i].iv[k].hi);
    return h;
}

/* Whether arg < b changes over the cell: asks for the cut where it does
 * (as 2 (arg - b) + 1 < 0, never zero, so that the only cut is at b). */
static int crosses_bound(diff_az *z, const aval *arg, int64_t b, wide unit)
{
    aval d = *arg;
    d.c = 2 * (arg->c - (wide)b * AV_SCALE) + unit;
    for (int i = 0; i < DIFF_MAXVARS; i++) d.k[i] = 2 * arg->k[i];
    return diff_sign_split(z, &d);
}

/* 0 when arg stays within one elementary interval of its column over the
 * cell; 1 when it does not (a split was asked for, or it cannot be told).
 * Column 0 has the table's runtime index (lang/tables.h, tab_index_build):
 * its elementary cells are the intervals, found by binary search. */
static int crosses(diff_az *z, const ev_table *t, uint32_t col, const aval *arg)
{
    if (col == 0 && t->ncells) {
        wide mn, mx;
        diff_range(z, arg, &mn, &mx);
        int64_t lo = (int64_t)(mn / AV_SCALE), hi = (int64_t)(mx / AV_SCALE);
        uint32_t a = 0, b = t->ncells;
        while (a < b) {   /* the first cell starting above lo */
            uint32_t m = (a + b) / 2;
            if (t->cell_lo[m] <= lo) a = m + 1; else b = m;
        }
        return a < t->ncells && t->cell_lo[a] <= hi && crosses_bound(z, arg, t->cell_lo[a], AV_SCALE);
    }
    for (uint32_t r = 0; r < t->nrows; r++) {
        const ev_cond *c = &t->cond[(size_t)r * t->ncols + col];
        for (uint32_t k = 0; k < c->n; k++) {
            /* arg < lo, and arg <= hi (arg < hi + 1) */
            if (crosses_bound(z, arg, c->iv[k].lo, AV_SCALE) || crosses_bound(z, arg, c->iv[k].hi, -AV_SCALE))
                return 1;
        }
    }
    return 0;
}

static aval text_of(const ev_table *t, aval idx)
{
    if (!t->text || idx.kind != AV_CONST) return idx;
    int64_t i = (int64_t)(idx.c / AV_SCALE);
    aval a;
    memset(&a, 0, sizeof a);
    a.kind = AV_TEXT;
    uint64_t h = 1;
    const ev_cell *s = &t->text[i];
    for (uint32_t k = 0; k < s->s.len; k++) h = mixh(h, (unsigned char)s->s.ptr[k]);
    a.h = mixh(h, s->s.len);
    return a;
}

static aval row_value(diff_az *z, diff_side *s, const ev_table *t, int32_t out)
{
    return out < 0 ? (aval){.kind = AV_ERROR, .h = 0xe77} : text_of(t, diff_eval(z, s, out));
}

aval diff_table(diff_az *z, diff_side *s, const ev_node *n);

aval diff_table(diff_az *z, diff_side *s, const ev_node *n)
{
    const ev_table *t = &s->t->tables[n->imm];
    aval arg;
    int64_t rep[TABLE_MAX_COLS];
    int decided = t->ncols <= TABLE_MAX_COLS;
    uint64_t h = table_hash(t);
    for (uint32_t i = 0; i < t->ncols && i < TABLE_MAX_COLS; i++) {
        arg = diff_eval(z, s, s->t->args[n->a + (int32_t)i]);
        if (arg.kind == AV_ERROR) return arg;
        h = mixh(h, av_hash(&arg));
        s->env[t->arg_slot + i] = arg;
        s->env_set[t->arg_slot + i] = 1;
        if (!av_is_num(&arg) || crosses(z, t, i, &arg)) { decided = 0; continue; }
        wide mn, mx;
        diff_range(z, &arg, &mn, &mx);
        rep[i] = (int64_t)(mn / AV_SCALE);
    }
    aval v = {.kind = AV_ERROR, .h = 0xe77};
    if (z->split_var >= 0) return v;
    int collecting = t->hit == 4 || t->hit == 5 || t->hit == 6;
    if (decided && !collecting) {
        uint32_t nmatch = 0, first = 0;
        for (uint32_t r = 0; r < t->nrows; r++)
            if (ev_table_row_matches(t, r, rep) && nmatch++ == 0) first = r;
        if (nmatch == 0) v = row_value(z, s, t, t->else_out);
        else if (nmatch == 1 || (t->hit != 1 && t->hit != 2)) v = row_value(z, s, t, t->out[first]);
        else decided = 0;
    }
    if (!decided || collecting) {
        for (uint32_t r = 0; r < t->nrows; r++) {
            aval o = row_value(z, s, t, t->out[r]);
            h = mixh(h, av_hash(&o));
        }
        aval e = row_value(z, s, t, t->else_out);
        v = (aval){.kind = AV_OPAQUE, .h = mixh(h, av_hash(&e))};
    }
    for (uint32_t i = 0; i < t->ncols; i++) s->env_set[t->arg_slot + i] = 0;
    return v;
}
