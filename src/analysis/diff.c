/*
 * diff.c - the semantic diff's driver: periods, cells, regions.
 *
 * For each period over which neither version's parameters change
 * (epochs), both trees are bound on its first day; then every value of
 * the discrete variables is enumerated, and the box of the others is cut
 * until both trees evaluate to decided values over it (diff_eval.c asks
 * for the cuts).  Each final cell either decides the same in both
 * versions (SAME, proved by equal constants, equal linear forms or equal
 * structural hashes), or differs (DIFFERS: the region), or cannot be told
 * (UNKNOWN: a region that is searched for a witness and reported as not
 * exact).  A cell that continues the last region along one variable,
 * differing the same way, extends it, so that a region is usually a
 * whole interval of one variable.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "analysis/diff_int.h"
#include "eval/date.h"

/* A pair of outputs of the same name (either may be missing: -1), or of
 * `warn when`s of the same text (warn: def is then the index of the
 * warning, and its value whether it holds; a missing one never does). */
typedef struct out_pair {
    int32_t def[2];
    const char *name, *label;
    const ty *type;
    int warn;
} out_pair;

static const ty bool_ty = {.kind = TY_BOOL};

typedef struct driver {
    diff_az z;
    const policy *p[2];
    out_pair *pairs;
    uint32_t npairs;
    aval *val[2];             /* per pair, the current cell's values */
    diff_status *st;
    diff_report *rep;
    tab_interval (*boxes)[DIFF_MAXVARS];   /* per region */
    uint32_t *full;           /* per region: the variables it does not restrict (bits) */
    uint64_t *sigs;
    uint32_t max_regions;
    size_t max_cells;
    int64_t epoch_from, epoch_until;
    int64_t last_epoch;       /* the period the last region was last extended in */
    size_t cells;
} driver;


static void note(driver *d, const char *text)
{
    diff_report *r = d->rep;
    for (uint32_t i = 0; i < r->nnotes; i++)
        if (strcmp(r->notes[i], text) == 0) return;
    const char **n = arena_alloc(d->z.pool, sizeof *n * (r->nnotes + 1));
    if (!n) return;
    if (r->nnotes) memcpy(n, r->notes, sizeof *n * r->nnotes);
    n[r->nnotes++] = text;
    r->notes = n;
    r->exact = 0;
}

static int side_init(diff_az *z, diff_side *s, const policy *p)
{
    const ev_tree *t = &p->tree;
    s->p = p;
    s->t = t;
    s->frame = arena_alloc(z->pool, sizeof(ev_cell) * (t->nslots + 1));
    s->slot_def = arena_alloc(z->pool, sizeof(int32_t) * (t->nslots + 1));
    s->slot_param = arena_alloc(z->pool, sizeof(int32_t) * (t->nslots + 1));
    s->memo = arena_alloc(z->pool, sizeof(aval) * (t->ndefs + 1));
    s->state = arena_alloc(z->pool, t->ndefs + 1);
    s->env = arena_alloc(z->pool, sizeof(aval) * (t->nslots + 1));
    s->env_set = arena_alloc(z->pool, t->nslots + 1);
    s->loop_depth = arena_alloc(z->pool, sizeof(int32_t) * (t->nslots + 1));
    if (!s->frame || !s->slot_def || !s->slot_param || !s->memo || !s->state || !s->env || !s->env_set ||
        !s->loop_depth)
        return -1;
    memset(s->frame, 0, sizeof(ev_cell) * (t->nslots + 1));
    for (uint32_t i = 0; i < t->nslots; i++) s->slot_def[i] = s->slot_param[i] = -1;
    for (uint32_t i = 0; i < t->ndefs; i++) s->slot_def[t->defs[i].slot] = (int32_t)i;
    for (uint32_t i = 0; i < t->nparams; i++) s->slot_param[t->params[i].slot] = (int32_t)i;
    ev_ctx_init(&s->ctx, t, s->frame, z->pool);
    return 0;
}

/* The warnings of both versions, after the outputs: one pair per text
 * as written (placeholders unfilled), so that a warning whose condition
 * changed is one change, and one added or removed is compared with a
 * warning that never holds. */
static void warn_pairs(driver *d)
{
    uint32_t first = d->npairs;
    for (int side = 0; side < 2; side++) {
        const ev_tree *t = &d->p[side]->tree;
        for (uint32_t i = 0; i < t->nwarnings; i++) {
            const char *text = t->warnings[i].text;
            uint32_t k = first;
            while (k < d->npairs && strcmp(d->pairs[k].label, text) != 0) k++;
            if (k == d->npairs) d->pairs[d->npairs++] = (out_pair){{-1, -1}, "warning", text, &bool_ty, 1};
            d->pairs[k].def[side] = (int32_t)i;
        }
    }
}

static int pairs_init(driver *d)
{
    const ev_tree *t0 = &d->p[0]->tree, *t1 = &d->p[1]->tree;
    uint32_t n = 1 + t0->noutputs + t1->noutputs + t0->nwarnings + t1->nwarnings;
    d->pairs = arena_alloc(d->z.pool, sizeof(out_pair) * n);
    if (!d->pairs) return -1;
    /* pair 0: whether the request is refused, and why */
    d->pairs[0] = (out_pair){{-1, -1}, "refused", "拒绝受理", NULL, 0};
    d->npairs = 1;
    for (int side = 0; side < 2; side++) {
        const ev_tree *t = side ? t1 : t0;
        for (uint32_t i = 0; i < t->noutputs; i++) {
            const ev_def *def = &t->defs[t->outputs[i]];
            uint32_t k = 1;
            while (k < d->npairs && strcmp(d->pairs[k].name, def->name) != 0) k++;
            if (k == d->npairs) d->pairs[d->npairs++] = (out_pair){{-1, -1}, def->name, def->label, def->type, 0};
            d->pairs[k].def[side] = (int32_t)t->outputs[i];
            if (side) d->pairs[k].label = def->label;
        }
    }
    warn_pairs(d);
    for (int side = 0; side < 2; side++) d->val[side] = arena_alloc(d->z.pool, sizeof(aval) * d->npairs);
    d->st = arena_alloc(d->z.pool, sizeof(diff_status) * d->npairs);
    return d->val[0] && d->val[1] && d->st ? 0 : -1;
}

/* The first refusal whose condition holds, as the text of its reason;
 * 0 when none does. */
static aval refusal(diff_az *z, diff_side *s)
{
    for (uint32_t i = 0; i < s->t->nrefusals; i++) {
        aval c = diff_eval(z, s, s->t->refusals[i].cond);
        if (c.kind == AV_CONST && c.c == 0) continue;
        aval r = av_const(0);
        const char *why = s->t->refusals[i].text;
        r.kind = c.kind == AV_CONST ? AV_TEXT : AV_OPAQUE;
        r.h = 0x4ef;
        for (const char *p = why; *p; p++) r.h = r.h * 1099511628211ULL ^ (unsigned char)*p;
        if (r.kind == AV_OPAQUE) r.h ^= av_hash(&c);
        return r;
    }
    return av_const(0);
}

static diff_status compare_pair(diff_az *z, const aval *o, const aval *n, int *partial)
{
    if (av_is_num(o) && av_is_num(n)) {
        aval dd = av_sub(n, o);
        if (diff_sign_split(z, &dd)) { *partial = 1; return DIFF_DIFFERS; }
        wide mn, mx;
        diff_range(z, &dd, &mn, &mx);
        return mn == 0 && mx == 0 ? DIFF_SAME : DIFF_DIFFERS;
    }
    if (av_equal(o, n)) return DIFF_SAME;
    if (o->kind == AV_OPAQUE || n->kind == AV_OPAQUE) return DIFF_UNKNOWN;
    return DIFF_DIFFERS;
}

/* Evaluates both versions over z->box.  1 when a split was asked for;
 * else 0 with d->val and d->st filled. */
static int eval_cell(driver *d, int *partial)
{
    diff_az *z = &d->z;
    z->split_var = -1;
    *partial = 0;
    for (int side = 0; side < 2; side++) {
        diff_side *s = &z->s[side];
        diff_side_reset(z, s);
        d->val[side][0] = refusal(z, s);
        for (uint32_t k = 1; k < d->npairs; k++) {
            int32_t def = d->pairs[k].def[side];
            if (d->pairs[k].warn)
                d->val[side][k] = def < 0 ? av_const(0) : diff_eval(z, s, s->t->warnings[def].cond);
            else
                d->val[side][k] = def < 0 ? (aval){.kind = AV_OPAQUE, .h = 0xab5e47}
                                          : diff_eval(z, s, s->t->defs[def].root);
        }
    }
    if (z->split_var >= 0) return 1;
    /* a variable fixed over the cell is a constant there: shown and
     * compared as one (860 × 3 is 2580.00) */
    for (int side = 0; side < 2; side++)
        for (uint32_t k = 0; k < d->npairs; k++) {
            aval *a = &d->val[side][k];
            if (!av_is_num(a)) continue;
            for (uint32_t i = 0; i < z->nvars; i++)
                if (a->k[i] && z->box[i].lo == z->box[i].hi) { a->c += a->k[i] * z->box[i].lo; a->k[i] = 0; }
        }
    int refused = d->val[0][0].kind == AV_TEXT && d->val[1][0].kind == AV_TEXT;
    for (uint32_t k = 0; k < d->npairs; k++) {
        if (k && !d->pairs[k].warn && (d->pairs[k].def[0] < 0 || d->pairs[k].def[1] < 0)) {
            d->st[k] = DIFF_DIFFERS;
            continue;
        }
        d->st[k] = k && refused ? DIFF_SAME : compare_pair(z, &d->val[0][k], &d->val[1][k], partial);
        if (z->split_var >= 0) return 1;
    }
    return 0;
}

/* The bounds of variable v over the current discrete values: a sum over
 * a list whose length is fixed ranges over length * one element's. */
static void var_bounds(const diff_az *z, uint32_t v, int64_t *lo, int64_t *hi)
{
    const diff_var *x = &z->vars[v];
    *lo = x->lo;
    *hi = x->hi;
    if (x->kind == DV_ASOF) { *lo = z->as_of; *hi = z->as_of_until; }
    if (x->kind != DV_SUM) return;
    for (uint32_t i = 0; i < z->nvars; i++) {
        const diff_var *l = &z->vars[i];
        if (l->kind == DV_LEN && l->list == x->list && l->discrete) {
            int64_t n = z->box[i].lo;
            *lo = x->each_lo * n;
            *hi = x->each_hi * n;
        }
    }
}

/* The region's box in words: each variable that it restricts, with
 * " and " between them; "所有输入" (every input) when none. */
static const char *describe(diff_az *z, uint32_t full)
{
    buf b;
    buf_init(&b);
    char x[64], y[64];
    for (int pass = 0; pass < 2; pass++)        /* enumerated values first */
        for (uint32_t i = 0; i < z->nvars; i++) {
            const diff_var *v = &z->vars[i];
            if (v->discrete != !pass || v->kind == DV_ASOF) continue;   /* days: the region's from, to */
            int64_t lo, hi, a = z->box[i].lo, e = z->box[i].hi;
            var_bounds(z, i, &lo, &hi);
            if ((full >> i & 1) || (a == lo && e == hi)) continue;
            if (b.len) buf_adds(&b, " and ");
            if (a == e) buf_printf(&b, "%s = %s", v->label, diff_var_value(v, a, x));
            else if (a == lo) buf_printf(&b, "%s < %s", v->label, diff_var_value(v, e + v->step, x));
            else if (e == hi) buf_printf(&b, "%s >= %s", v->label, diff_var_value(v, a, x));
            else buf_printf(&b, "%s in [%s, %s)", v->label, diff_var_value(v, a, x), diff_var_value(v, e + v->step, y));
        }
    const char *s = arena_strndup(z->pool, b.len ? b.data : "所有输入", b.len ? b.len : strlen("所有输入"));
    buf_free(&b);
    return s;
}

static uint64_t signature(const driver *d)
{
    uint64_t h = 0x516;
    for (uint32_t k = 0; k < d->npairs; k++) {
        h = h * 31 + d->st[k];
        if (d->st[k] == DIFF_SAME) continue;
        h = h * 1000003 ^ av_hash(&d->val[0][k]);
        h = h * 1000003 ^ av_hash(&d->val[1][k]);
    }
    return h;
}

/* Whether box covers everything variable v can be in the current cell. */
static int full_domain(const diff_az *z, uint32_t v, tab_interval box)
{
    int64_t lo, hi;
    var_bounds(z, v, &lo, &hi);
    return box.lo <= lo && box.hi >= hi;
}

/* The variables whose interval is the whole of what they can be in the
 * current cell (bits). */
static uint32_t full_vars(const diff_az *z)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < z->nvars; i++) {
        if (full_domain(z, i, z->box[i])) m |= 1u << i;
    }
    return m;
}

/* The variable along which box b continues box a (full masks fa, fb),
 * or -1: equal elsewhere, or not restricted by either (the income of
 * every household of the next size).  Another period continues a
 * region only along the decision date.  The caller compares the changes. */
static int continues(const driver *d, const tab_interval *a, uint32_t fa, const tab_interval *b, uint32_t fb,
                     int same_period)
{
    uint32_t full = fa & fb;
    int along = -1;
    for (uint32_t v = 0; v < d->z.nvars; v++) {
        if ((a[v].lo == b[v].lo && a[v].hi == b[v].hi) || (full >> v & 1)) continue;
        if (along >= 0 || a[v].hi + d->z.vars[v].step != b[v].lo) return -1;
        along = (int)v;
    }
    if (along < 0 || (!same_period && d->z.vars[along].kind != DV_ASOF)) return -1;
    return along;
}

/* Region i's box grown to cover b (the hull) along variable along. */
static void absorb(driver *d, uint32_t i, const tab_interval *b, uint32_t fb, int along)
{
    tab_interval *a = d->boxes[i];
    for (uint32_t v = 0; v < d->z.nvars; v++) {
        if (b[v].lo < a[v].lo) a[v].lo = b[v].lo;
        if (b[v].hi > a[v].hi) a[v].hi = b[v].hi;
    }
    d->full[i] &= fb;
    if (full_domain(&d->z, (uint32_t)along, a[along])) d->full[i] |= 1u << along;
    d->rep->regions[i].until = d->epoch_until;
}

/* Extends the last region when this cell continues it.  1 when merged. */
static int merge_last(driver *d, uint64_t sig)
{
    diff_report *r = d->rep;
    if (!r->nregions || d->sigs[r->nregions - 1] != sig) return 0;
    uint32_t i = r->nregions - 1, fb = full_vars(&d->z);
    int along = continues(d, d->boxes[i], d->full[i], d->z.box, fb, d->last_epoch == d->epoch_from);
    if (along < 0) return 0;
    absorb(d, i, d->z.box, fb, along);
    d->last_epoch = d->epoch_from;
    return 1;
}

/* After a combination of enumerated values: its one region may continue
 * the one before (the same change for every household size). */
static void merge_previous(driver *d)
{
    diff_report *r = d->rep;
    if (r->nregions < 2 || d->sigs[r->nregions - 2] != d->sigs[r->nregions - 1]) return;
    uint32_t i = r->nregions - 2;
    if (r->regions[i].from != r->regions[i + 1].from) return;
    int along = continues(d, d->boxes[i], d->full[i], d->boxes[i + 1], d->full[i + 1], 1);
    if (along < 0) return;
    absorb(d, i, d->boxes[i + 1], d->full[i + 1], along);
    r->nregions--;
}

static int grow(driver *d)
{
    diff_report *r = d->rep;
    if (r->nregions < r->cap) return 0;
    uint32_t cap = r->cap ? r->cap * 2 : 16;
    diff_region *nr = arena_alloc(d->z.pool, sizeof *nr * cap);
    tab_interval (*nb)[DIFF_MAXVARS] = arena_alloc(d->z.pool, sizeof *nb * cap);
    uint64_t *ns = arena_alloc(d->z.pool, sizeof *ns * cap);
    uint32_t *nf = arena_alloc(d->z.pool, sizeof *nf * cap);
    if (!nr || !nb || !ns || !nf) return -1;
    if (r->nregions) {
        memcpy(nr, r->regions, sizeof *nr * r->nregions);
        memcpy(nb, d->boxes, sizeof *nb * r->nregions);
        memcpy(ns, d->sigs, sizeof *ns * r->nregions);
        memcpy(nf, d->full, sizeof *nf * r->nregions);
    }
    r->regions = nr;
    d->boxes = nb;
    d->sigs = ns;
    d->full = nf;
    r->cap = cap;
    return 0;
}

static const ty *pair_type(const driver *d, uint32_t k)
{
    static const ty text_ty = {.kind = TY_TEXT};
    return k ? d->pairs[k].type : &text_ty;
}

static void changes(driver *d, diff_region *g, int *unknown)
{
    g->changes = arena_alloc(d->z.pool, sizeof(diff_change) * d->npairs);
    g->nchanges = 0;
    *unknown = 1;
    for (uint32_t k = 0; k < d->npairs && g->changes; k++) {
        if (d->st[k] == DIFF_SAME) continue;
        if (d->st[k] == DIFF_DIFFERS) *unknown = 0;
        const aval *o = &d->val[0][k], *n = &d->val[1][k];
        diff_change *c = &g->changes[g->nchanges++];
        c->output = d->pairs[k].name;
        c->label = d->pairs[k].label;
        int warn = d->pairs[k].warn;    /* a missing warning is one that never holds: false */
        c->old_json = d->pairs[k].def[0] < 0 && k && !warn ? "null" : diff_av_json(&d->z, pair_type(d, k), o);
        c->new_json = d->pairs[k].def[1] < 0 && k && !warn ? "null" : diff_av_json(&d->z, pair_type(d, k), n);
        c->delta = NULL;
        c->varies = (k && d->pairs[k].def[0] >= 0 && o->kind != AV_CONST) ||
                    (k && d->pairs[k].def[1] >= 0 && n->kind != AV_CONST);
        if (k && av_is_num(o) && av_is_num(n) && d->pairs[k].type->kind != TY_BOOL &&
            d->pairs[k].type->kind != TY_ENUM) {
            aval dd = av_sub(n, o);
            if (dd.kind == AV_CONST) c->delta = diff_delta_json(&d->z, d->pairs[k].type, (int64_t)(dd.c / AV_SCALE));
        }
    }
}

/* How many points an undecided cell is searched at: its corners and
 * middle, then pseudo-random points (dates mostly within ten years before
 * the period, where the dates of a decision's input usually lie). */
#define SEARCH_TRIES 256

static int64_t search_point(driver *d, uint32_t i, int tries, uint64_t *seed)
{
    int64_t lo = d->z.box[i].lo, hi = d->z.box[i].hi, st = d->z.vars[i].step;
    if (tries == 0) return lo;
    if (tries == 1) return hi;
    if (tries == 2) return lo + (hi - lo) / st / 2 * st;
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t r = *seed >> 11;
    if (d->z.vars[i].type->kind == TY_DATE && (r & 1)) {
        int64_t a = d->z.as_of - 3660, b = d->z.as_of_until;
        if (a < lo) a = lo;
        if (b > hi) b = hi;
        if (a <= b) { lo = a; hi = b; }
    }
    uint64_t span = (uint64_t)((hi - lo) / st) + 1;
    return lo + (int64_t)((r >> 1) % span) * st;
}

/* A witness inside the box: its low corner; for a cell that could not
 * be decided, more points until one shows a difference. */
static void find_witness(driver *d, diff_region *g, int unknown)
{
    int64_t x[DIFF_MAXVARS];
    uint64_t seed = 0x18d1ff;
    arena scratch;              /* one try's requests and decisions */
    arena_init(&scratch, 1 << 14);
    for (int tries = 0; tries < (unknown ? SEARCH_TRIES : 1); tries++) {
        for (uint32_t i = 0; i < d->z.nvars; i++) x[i] = search_point(d, i, tries, &seed);
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        arena_reset(&scratch);
        diff_witness(&d->z, x, tries < 3 ? 0 : seed, &scratch, g);
        if (g->confirmed) break;
    }
    /* only the last try is kept */
    g->witness = g->witness ? arena_strndup(d->z.pool, g->witness, strlen(g->witness)) : NULL;
    g->witness_old = g->witness_old ? arena_strndup(d->z.pool, g->witness_old, strlen(g->witness_old)) : NULL;
    g->witness_new = g->witness_new ? arena_strndup(d->z.pool, g->witness_new, strlen(g->witness_new)) : NULL;
    g->warned_old = g->warned_old ? arena_strndup(d->z.pool, g->warned_old, strlen(g->warned_old)) : NULL;
    g->warned_new = g->warned_new ? arena_strndup(d->z.pool, g->warned_new, strlen(g->warned_new)) : NULL;
    arena_free(&scratch);
}

static int emit(driver *d, int partial)
{
    /* a cell decided only in part is not merged with one decided wholly */
    uint64_t sig = signature(d) ^ (partial || d->z.multi ? 0x9e3779b97f4a7c15ULL : 0);
    if (merge_last(d, sig)) return 0;
    diff_report *r = d->rep;
    if (r->nregions >= d->max_regions) { r->truncated++; return 0; }
    if (grow(d)) return -1;
    diff_region *g = &r->regions[r->nregions];
    memset(g, 0, sizeof *g);
    g->from = d->epoch_from;
    g->until = d->epoch_until;
    int unknown;
    changes(d, g, &unknown);
    g->exact = !unknown && !partial && !d->z.multi;
    find_witness(d, g, unknown);
    if (!g->exact) note(d, "some regions could not be decided exactly (rounding, division or products of input "
                           "values, filtered aggregates, or comparisons of two inputs); they were searched for "
                           "witnesses instead");
    memcpy(d->boxes[r->nregions], d->z.box, sizeof d->boxes[0]);
    d->full[r->nregions] = full_vars(&d->z);
    d->sigs[r->nregions] = sig;
    d->last_epoch = d->epoch_from;
    r->nregions++;
    return 0;
}

/* Cuts the continuous variables' box until every cell is decided. */
static int run_cells(driver *d)
{
    diff_az *z = &d->z;
    enum { STACK = 4096 };
    tab_interval *stack = malloc(sizeof(tab_interval) * DIFF_MAXVARS * STACK);
    if (!stack) return -1;
    int top = 0, rc = 0;
    memcpy(stack, z->box, sizeof z->box);
    top = 1;
    while (top > 0 && rc == 0) {
        memcpy(z->box, stack + (size_t)(--top) * DIFF_MAXVARS, sizeof z->box);
        if (++d->cells > d->max_cells) { note(d, "the analysis stopped after examining its limit of cells"); break; }
        z->multi = 0;
        int partial;
        if (eval_cell(d, &partial)) {
            if (top + 2 > STACK) { note(d, "the analysis stopped: too many nested cuts"); break; }
            int v = z->split_var;
            tab_interval *right = stack + (size_t)(top++) * DIFF_MAXVARS;
            memcpy(right, z->box, sizeof z->box);
            right[v].lo = z->split_at;
            tab_interval *left = stack + (size_t)(top++) * DIFF_MAXVARS;
            memcpy(left, z->box, sizeof z->box);
            left[v].hi = z->split_at - z->vars[v].step;
            continue;
        }
        for (uint32_t k = 0; k < d->npairs; k++)
            if (d->st[k] != DIFF_SAME) { rc = emit(d, partial); break; }
    }
    free(stack);
    return rc;
}

/* Enumerates the discrete variables from v on, then cuts the rest. */
static int enumerate(driver *d, uint32_t v)
{
    diff_az *z = &d->z;
    if (v == z->nvars) {
        for (uint32_t i = 0; i < z->nvars; i++)
            if (!z->vars[i].discrete) {
                int64_t lo, hi;
                var_bounds(z, i, &lo, &hi);
                z->box[i] = (tab_interval){lo, hi};
            }
        uint32_t before = d->rep->nregions;
        int rc = run_cells(d);
        if (d->rep->nregions == before + 1) merge_previous(d);
        return rc;
    }
    if (!z->vars[v].discrete) return enumerate(d, v + 1);
    for (int64_t x = z->vars[v].lo; x <= z->vars[v].hi; x++) {
        z->box[v] = (tab_interval){x, x};
        if (enumerate(d, v + 1)) return -1;
    }
    return 0;
}

/* At most this many combinations of discrete values: past it, the widest
 * integer variables are cut into intervals instead of enumerated. */
#define MAX_COMBINATIONS 4096

static void limit_discrete(diff_az *z)
{
    for (;;) {
        uint64_t n = 1;
        int widest = -1;
        for (uint32_t i = 0; i < z->nvars; i++) {
            if (!z->vars[i].discrete) continue;
            uint64_t values = (uint64_t)(z->vars[i].hi - z->vars[i].lo + 1);   /* at most 64 each */
            n = n > MAX_COMBINATIONS ? n : n * values;
            if (z->vars[i].type->kind == TY_INT &&
                (widest < 0 || z->vars[i].hi - z->vars[i].lo > z->vars[widest].hi - z->vars[widest].lo))
                widest = (int)i;
        }
        if (n <= MAX_COMBINATIONS || widest < 0) return;
        z->vars[widest].discrete = 0;
    }
}

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The first days of the periods over which no parameter of either
 * version changes, within [from, until]. */
static int64_t *epochs(driver *d, int64_t from, int64_t until, uint32_t *n)
{
    uint32_t cap = 5;           /* from, and each version's covers_from and end */
    for (int s = 0; s < 2; s++)
        for (uint32_t i = 0; i < d->p[s]->tree.nparams; i++) cap += 2 * d->p[s]->tree.params[i].nvalues + 2;
    int64_t *day = arena_alloc(d->z.pool, sizeof(int64_t) * cap);
    if (!day) return NULL;
    uint32_t k = 0;
    day[k++] = from;
#define ADD(x) do { int64_t x_ = (x); if (x_ > from && x_ <= until) day[k++] = x_; } while (0)
    for (int s = 0; s < 2; s++) {
        const ev_tree *t = &d->p[s]->tree;
        ADD(t->covers_from);
        if (t->covers_until < INT64_MAX) ADD(t->covers_until + 1);
        for (uint32_t i = 0; i < t->nparams; i++)
            for (uint32_t j = 0; j < t->params[i].nvalues; j++) {
                ADD(t->params[i].from[j]);
                if (t->params[i].until[j] < INT64_MAX) ADD(t->params[i].until[j] + 1);
            }
    }
#undef ADD
    qsort(day, k, sizeof *day, cmp_day);
    uint32_t u = 0;
    for (uint32_t i = 0; i < k; i++)
        if (!u || day[u - 1] != day[i]) day[u++] = day[i];
    *n = u;
    return day;
}

/* One period: bind both versions on its first day and compare. */
static int run_epoch(driver *d)
{
    diff_az *z = &d->z;
    z->as_of = d->epoch_from;
    z->as_of_until = d->epoch_until;
    int bad[2];
    for (int s = 0; s < 2; s++) {
        z->s[s].ctx.bound = 0;
        z->s[s].ctx.err.code = EVE_NONE;
        bad[s] = ev_bind(&z->s[s].ctx, d->epoch_from) != 0;
    }
    if (bad[0] && bad[1]) return 0;
    if (bad[0] || bad[1]) {
        /* one version decides nothing on these days: every input differs */
        if (grow(d)) return -1;
        diff_region *g = &d->rep->regions[d->rep->nregions];
        memset(g, 0, sizeof *g);
        g->from = d->epoch_from;
        g->until = d->epoch_until;
        g->exact = 1;
        g->changes = arena_alloc(z->pool, sizeof(diff_change));
        if (!g->changes) return -1;
        const char *no = "\"no rules in force\"", *yes = "\"decides\"";
        g->changes[0] = (diff_change){"in_force", "政策在效", bad[0] ? no : yes, bad[1] ? no : yes, NULL, 0};
        g->nchanges = 1;
        for (uint32_t i = 0; i < z->nvars; i++) var_bounds(z, i, &d->boxes[d->rep->nregions][i].lo,
                                                             &d->boxes[d->rep->nregions][i].hi);
        d->sigs[d->rep->nregions] = 0;
        d->full[d->rep->nregions] = ~0u;
        d->rep->nregions++;
        return 0;
    }
    return enumerate(d, 0);
}

int diff_policies(const policy *old_p, const policy *new_p, const diff_options *o, arena *pool,
                  diff_report *out, const char **why)
{
    driver *d = calloc(1, sizeof *d);
    if (!d) { *why = "out of memory"; return -1; }
    memset(out, 0, sizeof *out);
    out->policy = new_p->name;
    out->from = o->from;
    out->until = o->until;
    out->exact = 1;
    d->rep = out;
    d->p[0] = old_p;
    d->p[1] = new_p;
    d->z.pool = pool;
    d->max_regions = o->max_regions ? o->max_regions : 500;
    d->max_cells = o->max_cells ? o->max_cells : DIFF_MAX_CELLS;
    int rc = -1;
    *why = "out of memory";
    if (strcmp(old_p->root->name, new_p->root->name) != 0) {
        *why = "the two versions read different input entities";
        goto done;
    }
    if (side_init(&d->z, &d->z.s[0], old_p) || side_init(&d->z, &d->z.s[1], new_p) || pairs_init(d)) goto done;
    diff_find_vars(&d->z, &old_p->tree);
    diff_find_vars(&d->z, &new_p->tree);
    if (d->z.many_vars) note(d, "the versions read more input values than the analysis follows exactly");
    limit_discrete(&d->z);
    uint32_t ne;
    int64_t *day = epochs(d, o->from, o->until, &ne);
    if (!day) goto done;
    rc = 0;
    for (uint32_t e = 0; e < ne && rc == 0; e++) {
        d->epoch_from = day[e];
        d->epoch_until = e + 1 < ne ? day[e + 1] - 1 : o->until;
        rc = run_epoch(d);
    }
    if (rc) goto done;
    for (uint32_t i = 0; i < out->nregions; i++) {
        memcpy(d->z.box, d->boxes[i], sizeof d->z.box);
        out->regions[i].description = describe(&d->z, d->full[i]);
        for (uint32_t v = 0; v < d->z.nvars; v++) {
            out->regions[i].lo[v] = d->z.box[v].lo;
            out->regions[i].hi[v] = d->z.box[v].hi;
            if (d->z.vars[v].kind == DV_ASOF && d->sigs[i]) {   /* the days it holds on */
                out->regions[i].from = d->z.box[v].lo;
                out->regions[i].until = d->z.box[v].hi;
            }
        }
    }
    diff_var *vars = arena_alloc(pool, sizeof *vars * (d->z.nvars + 1));
    if (!vars) { rc = -1; goto done; }
    memcpy(vars, d->z.vars, sizeof *vars * d->z.nvars);
    out->vars = vars;
    out->nvars = d->z.nvars;
    out->equivalent = out->nregions == 0 && out->truncated == 0 && out->exact;
done:
    free(d);
    return rc;
}
