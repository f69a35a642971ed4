/*
 * diff_eval.c - abstract evaluation of one evaluation tree over a cell of
 * the input space, for the semantic diff (diff.h, diff_int.h).
 *
 * The same cases as eval.c's walker, but each node yields an aval:
 * arithmetic on constants runs the evaluator's own decimal and date
 * functions; + - and products by a constant keep linear forms linear; a
 * comparison whose sign is not the same over the whole cell asks the
 * caller to cut the cell where it changes (diff_sign_split), so that in
 * the end every comparison, table lookup and `unless` is decided per
 * cell.  Everything else (rounding or dividing a variable, aggregates
 * with filters, texts, lists) becomes an opaque value hashed from its
 * structure and its operands' values: equal hashes, equal computations.
 *
 * Also here: finding the input variables a tree reads (diff_find_vars).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "analysis/diff_int.h"
#include "eval/date.h"
#include "eval/decimal.h"

/* ---- values ---- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) h = mix(h, (unsigned char)s[i]);
    return mix(h, n);
}

aval av_const(int64_t v)
{
    aval a;
    memset(&a, 0, sizeof a);
    a.kind = AV_CONST;
    a.c = (wide)v * AV_SCALE;
    return a;
}

static aval av_kind(int kind, uint64_t h)
{
    aval a;
    memset(&a, 0, sizeof a);
    a.kind = (uint8_t)kind;
    a.h = h;
    return a;
}

static aval av_opaque(uint64_t h) { return av_kind(AV_OPAQUE, h); }
static aval av_error(void) { return av_kind(AV_ERROR, 0xe77); }

int av_is_num(const aval *a) { return a->kind == AV_CONST || a->kind == AV_LIN; }

/* A linear form with no variable left is a constant. */
static aval av_norm(aval a)
{
    if (a.kind != AV_LIN) return a;
    for (int i = 0; i < DIFF_MAXVARS; i++)
        if (a.k[i]) return a;
    a.kind = AV_CONST;
    return a;
}

static int64_t cval(const aval *a) { return (int64_t)(a->c / AV_SCALE); }

uint64_t av_hash(const aval *a)
{
    uint64_t h = mix(0x5eed, a->kind);
    if (!av_is_num(a)) return mix(h, a->h);
    h = mix(mix(h, (uint64_t)a->c), (uint64_t)(a->c >> 64));
    for (int i = 0; i < DIFF_MAXVARS; i++) h = mix(mix(h, (uint64_t)a->k[i]), (uint64_t)(a->k[i] >> 64));
    return h;
}

int av_equal(const aval *a, const aval *b)
{
    if (av_is_num(a) && av_is_num(b)) {
        if (a->c != b->c) return 0;
        for (int i = 0; i < DIFF_MAXVARS; i++)
            if (a->k[i] != b->k[i]) return 0;
        return 1;
    }
    return a->kind == b->kind && a->h == b->h;
}

static aval av_lin(const aval *a, const aval *b, int sign)
{
    aval r = *a;
    r.kind = AV_LIN;
    r.c = a->c + sign * b->c;
    for (int i = 0; i < DIFF_MAXVARS; i++) r.k[i] = a->k[i] + sign * b->k[i];
    return av_norm(r);
}

aval av_sub(const aval *a, const aval *b) { return av_lin(a, b, -1); }

static aval av_scale(const aval *a, wide m)
{
    aval r = *a;
    r.c *= m;
    for (int i = 0; i < DIFF_MAXVARS; i++) r.k[i] *= m;
    return r;
}

/* a * d / 10^6 (a decimal times a decimal constant) when it stays exact
 * at every lattice point of the variables, else opaque. */
static aval av_scale_dec(const diff_az *z, const aval *a, int64_t d, uint64_t h)
{
    aval r = *a;
    r.c = a->c * d;
    if (r.c % AV_SCALE) return av_opaque(h);
    r.c /= AV_SCALE;
    for (uint32_t i = 0; i < z->nvars; i++) {
        r.k[i] = a->k[i] * d;
        if (r.k[i] % AV_SCALE || (r.k[i] / AV_SCALE * z->vars[i].step) % AV_SCALE) return av_opaque(h);
        r.k[i] /= AV_SCALE;
    }
    return r;
}

void diff_range(const diff_az *z, const aval *a, wide *mn, wide *mx)
{
    *mn = *mx = a->c;
    for (uint32_t i = 0; i < z->nvars; i++) {
        if (!a->k[i]) continue;
        wide x = a->k[i] * z->box[i].lo, y = a->k[i] * z->box[i].hi;
        *mn += x < y ? x : y;
        *mx += x < y ? y : x;
    }
}

static int sign_class(wide v) { return v < 0 ? -1 : v > 0; }

/* The sign class of d with variable v at x and the others at their low end
 * (they do not move d: their coefficient is 0 or their interval a point). */
static int class_at(const diff_az *z, const aval *d, int v, int64_t x)
{
    wide s = d->c;
    for (uint32_t i = 0; i < z->nvars; i++)
        s += d->k[i] * ((int)i == v ? x : z->box[i].lo);
    return sign_class(s);
}

int diff_sign_split(diff_az *z, const aval *d)
{
    wide mn, mx;
    diff_range(z, d, &mn, &mx);
    if (sign_class(mn) == sign_class(mx)) return 0;
    int v = -1, n = 0;
    for (uint32_t i = 0; i < z->nvars; i++)
        if (d->k[i] && z->box[i].lo < z->box[i].hi) { v = (int)i; n++; }
    if (n != 1) { z->multi = 1; return 1; }
    /* the class is monotone along v: find the first lattice point past lo
     * where it is no longer the class at lo */
    int64_t lo = z->box[v].lo, step = z->vars[v].step;
    int c0 = class_at(z, d, v, lo);
    int64_t a = 1, b = (z->box[v].hi - lo) / step;
    while (a < b) {
        int64_t m = a + (b - a) / 2;
        if (class_at(z, d, v, lo + m * step) != c0) b = m; else a = m + 1;
    }
    if (z->split_var < 0) { z->split_var = v; z->split_at = lo + a * step; }
    return 1;
}

/* ---- the variables ---- */

static const field_def *root_field(const ev_tree *t, int32_t idx)
{
    return idx >= 0 && (uint32_t)idx < t->root->nfields ? &t->root->fields[idx] : NULL;
}

/* Whether node idx is the list field of the input record; its field. */
static int root_list(const ev_tree *t, int32_t idx, uint32_t *field)
{
    const ev_node *n = &t->nodes[idx];
    if (n->kind != EV_LIST_FIELD || n->a != 0) return 0;
    *field = (uint32_t)n->b;
    return 1;
}

/* What kind of variable node idx reads, if any: fills kind/list/field. */
static int var_pattern(const ev_tree *t, int32_t idx, diff_var *v)
{
    const ev_node *n = &t->nodes[idx];
    uint32_t list;
    memset(v, 0, sizeof *v);
    if ((n->kind == EV_LIST_LEN || (n->kind == EV_COUNT && n->c < 0)) && root_list(t, n->a, &list)) {
        v->kind = DV_LEN; v->list = list;
        return 1;
    }
    if (n->kind == EV_SUM_FIELD && root_list(t, n->a, &list)) {
        v->kind = DV_SUM; v->list = list; v->field = (uint32_t)n->b;
        return 1;
    }
    if ((n->kind == EV_SUM_DEC || n->kind == EV_SUM_INT) && n->c < 0 && root_list(t, n->a, &list)) {
        const ev_node *b = &t->nodes[n->b];
        if (b->kind == EV_FIELD && b->a == n->imm) {
            v->kind = DV_SUM; v->list = list; v->field = (uint32_t)b->b;
            return 1;
        }
    }
    if (n->kind == EV_AS_OF) {
        v->kind = DV_ASOF;
        return 1;
    }
    if (n->kind == EV_FIELD && n->a == 0 && root_field(t, n->b) && ty_is_scalar(root_field(t, n->b)->type)) {
        v->kind = DV_FIELD; v->field = (uint32_t)n->b;
        return 1;
    }
    return 0;
}

static int same_var(const diff_var *a, const diff_var *b)
{
    return a->kind == b->kind && a->list == b->list && (a->kind == DV_LEN || a->field == b->field);
}

int diff_var_of(const diff_az *z, const ev_tree *t, int32_t idx)
{
    diff_var v;
    if (!var_pattern(t, idx, &v)) return -1;
    for (uint32_t i = 0; i < z->nvars; i++)
        if (same_var(&z->vars[i], &v)) return (int)i;
    return -1;
}

/* An unbounded amount is analysed up to this many yuan (or units) per
 * field: far beyond any household, and small enough that a sum over the
 * longest list of the model cannot overflow. */
#define FIELD_CAP 1000000000LL

static void field_domain(const field_def *f, diff_var *v)
{
    int dec = ty_is_decimal_like(f->type);
    int64_t cap = dec ? FIELD_CAP * DEC_SCALE : FIELD_CAP;
    v->type = f->type;
    v->step = f->type->kind == TY_MONEY ? 10000 : 1;
    v->lo = f->has_min ? f->min : -cap;
    v->hi = f->has_max ? f->max : cap;
    if (f->type->kind == TY_BOOL) { v->lo = 0; v->hi = 1; }
    if (f->type->kind == TY_ENUM) { v->lo = 0; v->hi = f->type->en->nvalues - 1; }
    if (f->type->kind == TY_DATE) {
        if (!f->has_min) v->lo = date_min();
        if (!f->has_max) v->hi = date_max();
    }
    v->label = f->label ? f->label : f->name;
}

/* The label of the let or output that is exactly this node, if any. */
static const char *def_label(const ev_tree *t, int32_t idx)
{
    for (uint32_t i = 0; i < t->ndefs; i++)
        if (t->defs[i].root == idx && t->defs[i].label && !strchr(t->defs[i].label, '{'))
            return t->defs[i].label;
    return NULL;
}

static void var_domain(diff_az *z, const ev_tree *t, diff_var *v, int32_t idx)
{
    const field_def *lf = v->kind == DV_FIELD || v->kind == DV_ASOF ? NULL : &t->root->fields[v->list];
    int64_t lmin = lf && lf->has_min ? lf->min : 0, lmax = lf && lf->has_max ? lf->max : 64;
    if (v->kind == DV_ASOF) {
        static const ty date_ty = {.kind = TY_DATE};
        v->type = &date_ty;
        v->lo = date_min();     /* the period's days: see var_bounds in diff.c */
        v->hi = date_max();
        v->step = 1;
        v->label = "决定日期";
    } else if (v->kind == DV_FIELD) {
        field_domain(&t->root->fields[v->field], v);
    } else if (v->kind == DV_LEN) {
        static const ty int_ty = {.kind = TY_INT};
        v->type = &int_ty;
        v->lo = lmin; v->hi = lmax; v->step = 1;
        v->label = lf->label ? lf->label : lf->name;
        v->label = arena_printf(z->pool, "%s人数", v->label);
    } else {
        const field_def *f = &lf->type->elem->ent->fields[v->field];
        field_domain(f, v);
        v->each_lo = v->lo;
        v->each_hi = v->hi;
        /* any length: the hull of [n * min, n * max] over the lengths */
        v->lo = v->lo < 0 ? v->lo * lmax : v->lo * lmin;
        v->hi = v->hi < 0 ? v->hi * lmin : v->hi * lmax;
        v->label = arena_printf(z->pool, "%s合计", v->label);
    }
    const char *dl = def_label(t, idx);
    if (dl) v->label = dl;
    v->discrete = v->type->kind == TY_BOOL || v->type->kind == TY_ENUM ||
                  (v->type->kind == TY_INT && v->hi - v->lo < 64);
}

void diff_find_vars(diff_az *z, const ev_tree *t)
{
    for (uint32_t i = 0; i < t->nnodes; i++) {
        diff_var v;
        if (!var_pattern(t, (int32_t)i, &v) || diff_var_of(z, t, (int32_t)i) >= 0) continue;
        if (z->nvars == DIFF_MAXVARS) { z->many_vars = 1; continue; }
        var_domain(z, t, &v, (int32_t)i);
        z->vars[z->nvars++] = v;
    }
}

/* ---- evaluation ---- */

void diff_side_reset(diff_az *z, diff_side *s)
{
    (void)z;
    memset(s->state, 0, s->t->ndefs);
    memset(s->env_set, 0, s->t->nslots);
    for (uint32_t i = 0; i < s->t->nslots; i++) s->loop_depth[i] = -1;
    s->depth = 0;
}

static uint64_t node_hash(const ev_node *n)
{
    return mix(mix(mix(0xa11, n->kind), n->flags), (uint64_t)n->imm);
}

static aval ev(diff_az *z, diff_side *s, int32_t idx);

/* The opaque value of node n from its operands' values. */
static aval opaque_of(diff_az *z, diff_side *s, const ev_node *n, int32_t a, int32_t b, int32_t c)
{
    uint64_t h = node_hash(n);
    int32_t ops[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (ops[i] < 0) { h = mix(h, 0xff); continue; }
        aval v = ev(z, s, ops[i]);
        h = mix(h, av_hash(&v));
    }
    return av_opaque(h);
}

static aval compare(diff_az *z, const ev_node *n, const aval *a, const aval *b)
{
    if (a->kind == AV_ERROR || b->kind == AV_ERROR) return av_error();
    if (a->kind == AV_TEXT && b->kind == AV_TEXT && (n->kind == EV_EQ || n->kind == EV_NE))
        return av_const((a->h == b->h) == (n->kind == EV_EQ));
    if (!av_is_num(a) || !av_is_num(b))
        return av_opaque(mix(mix(node_hash(n), av_hash(a)), av_hash(b)));
    aval d = av_sub(a, b);
    int order = n->kind != EV_EQ && n->kind != EV_NE;
    if (order) {
        /* a < b as 2 (a - b) + 1 < 0 (a <= b: - 1), never zero: the cell is
         * cut at the boundary only, not around the point where a = b */
        d = av_scale(&d, 2);
        d.c += n->kind == EV_LT || n->kind == EV_GE ? AV_SCALE : -AV_SCALE;
    }
    if (diff_sign_split(z, &d)) return av_opaque(mix(node_hash(n), av_hash(&d)));
    wide mn, mx;
    diff_range(z, &d, &mn, &mx);
    int sc = sign_class(mn);
    switch (n->kind) {
    case EV_LT: case EV_LE: return av_const(sc < 0);
    case EV_GT: case EV_GE: return av_const(sc > 0);
    case EV_EQ: return av_const(sc == 0);
    default: return av_const(sc != 0);
    }
}

/* A node whose operands are all constants: the evaluator's arithmetic. */
static aval fold(const ev_node *n, int64_t a, int64_t b)
{
    int64_t r = 0;
    dec_status st = DEC_OK;
    int bad = 0;
    switch (n->kind) {
    case EV_DIV_DEC: st = dec_div(a, b, &r); break;
    case EV_DIV_DEC_INT: if (!b) bad = 1; else r = a / b; break;
    case EV_MUL_DEC: st = dec_mul(a, b, &r); break;
    case EV_DEC_TO_INT: r = a / DEC_SCALE; break;
    case EV_ROUND: st = dec_round(a, n->imm, (dec_round_mode)n->flags, &r); break;
    case EV_DIV_ROUND: st = dec_div_round(a, b, n->imm, (dec_round_mode)n->flags, &r); break;
    case EV_DATE_ADD_DAYS: bad = date_add_days(a, b, &r); break;
    case EV_DATE_ADD_MONTHS: bad = date_add_months(a, b, &r); break;
    case EV_DATE_ADD_YEARS: bad = date_add_years(a, b, &r); break;
    case EV_MONTHS_BETWEEN: case EV_YEARS_BETWEEN:
        if (n->flags && b < a) bad = 1;
        else r = n->kind == EV_YEARS_BETWEEN ? date_months_between(a, b) / 12 : date_months_between(a, b);
        break;
    default: bad = 1; break;
    }
    return st != DEC_OK || bad ? av_error() : av_const(r);
}

/* round(x, q) of a form whose every value is already a multiple of q is x. */
static int on_quantum(const diff_az *z, const aval *a, int64_t q)
{
    wide unit = (wide)q * AV_SCALE;
    if (q <= 0 || a->c % unit) return 0;
    for (uint32_t i = 0; i < z->nvars; i++)
        if (a->k[i] && ((a->k[i] * z->vars[i].step) % unit || (a->k[i] * z->box[i].lo) % unit)) return 0;
    return 1;
}

static aval arith(diff_az *z, diff_side *s, const ev_node *n)
{
    aval a = ev(z, s, n->a), b = n->b >= 0 ? ev(z, s, n->b) : av_const(0);
    if (a.kind == AV_ERROR || b.kind == AV_ERROR) return av_error();
    int ca = a.kind == AV_CONST, cb = b.kind == AV_CONST;
    switch (n->kind) {
    case EV_ADD_INT: case EV_ADD_DEC: if (av_is_num(&a) && av_is_num(&b)) return av_lin(&a, &b, 1); break;
    case EV_SUB_INT: case EV_SUB_DEC: if (av_is_num(&a) && av_is_num(&b)) return av_lin(&a, &b, -1); break;
    case EV_NEG: if (av_is_num(&a)) return av_scale(&a, -1); break;
    case EV_INT_TO_DEC: if (av_is_num(&a)) return av_scale(&a, DEC_SCALE); break;
    case EV_MUL_INT: case EV_MUL_DEC_INT:
        if (ca && av_is_num(&b)) return av_norm(av_scale(&b, cval(&a)));
        if (cb && av_is_num(&a)) return av_norm(av_scale(&a, cval(&b)));
        break;
    case EV_MUL_DEC:
        if (ca && cb) return fold(n, cval(&a), cval(&b));
        if (ca && av_is_num(&b)) return av_norm(av_scale_dec(z, &b, cval(&a), mix(node_hash(n), av_hash(&b))));
        if (cb && av_is_num(&a)) return av_norm(av_scale_dec(z, &a, cval(&b), mix(node_hash(n), av_hash(&a))));
        break;
    case EV_ROUND:
        if (a.kind == AV_LIN && on_quantum(z, &a, n->imm)) return a;
        /* fall through */
    default:
        if (ca && cb) return fold(n, cval(&a), cval(&b));
        break;
    }
    return av_opaque(mix(mix(node_hash(n), av_hash(&a)), av_hash(&b)));
}

static aval minmax2(diff_az *z, diff_side *s, const ev_node *n)
{
    aval a = ev(z, s, n->a), b = ev(z, s, n->b);
    ev_node lt = *n;
    lt.kind = EV_LT;
    aval c = compare(z, &lt, &a, &b);
    if (c.kind == AV_CONST) return (cval(&c) != 0) == (n->kind == EV_MIN2) ? a : b;
    return av_opaque(mix(mix(node_hash(n), av_hash(&a)), av_hash(&b)));
}

static aval slot(diff_az *z, diff_side *s, int32_t sl)
{
    const ev_tree *t = s->t;
    if (s->env_set[sl]) return s->env[sl];
    if (s->slot_param[sl] >= 0) {
        const ev_param *p = &t->params[s->slot_param[sl]];
        if (!ty_is_scalar(p->type)) return av_kind(AV_TEXT, hash_bytes(1, s->frame[sl].s.ptr, s->frame[sl].s.len));
        return av_const(s->frame[sl].i);
    }
    int32_t d = s->slot_def[sl];
    if (d >= 0) {
        if (s->state[d] == 2) return s->memo[d];
        if (s->state[d] == 1) return av_error();
        s->state[d] = 1;
        s->memo[d] = ev(z, s, t->defs[d].root);
        s->state[d] = 2;
        return s->memo[d];
    }
    return av_opaque(mix(0x100b, (uint64_t)s->loop_depth[sl]));
}

/* An aggregate not read as a variable: opaque, its loop variable named by
 * its nesting depth (not its slot, which differs between versions) so
 * that the same loop hashes the same in both trees.  A MAP's key and
 * value are args[b] and args[b + 1]; COUNT has no b. */
static aval aggregate(diff_az *z, diff_side *s, const ev_node *n)
{
    aval list = ev(z, s, n->a);
    int32_t saved = s->loop_depth[n->imm];
    s->loop_depth[n->imm] = ++s->depth;
    ev_node shape = *n;
    shape.imm = 0;
    uint64_t h = mix(node_hash(&shape), av_hash(&list));
    int32_t ops[3] = {n->kind == EV_COUNT ? -1 : n->b, n->c, -1};
    if (n->kind == EV_MAP) {
        ops[0] = s->t->args[n->b];
        ops[2] = s->t->args[n->b + 1];
    }
    for (int i = 0; i < 3; i++) {
        aval v = ops[i] >= 0 ? ev(z, s, ops[i]) : av_const(0);
        h = mix(h, av_hash(&v));
    }
    s->depth--;
    s->loop_depth[n->imm] = saved;
    return av_opaque(h);
}

static uint64_t param_hash(const ev_param *p)
{
    uint64_t h = mix(0x9a, p->nvalues);
    for (uint32_t i = 0; i < p->nvalues; i++)
        h = mix(mix(mix(h, (uint64_t)p->from[i]), (uint64_t)p->until[i]), (uint64_t)p->value[i].i);
    return h;
}

static aval param_at(diff_az *z, diff_side *s, const ev_node *n)
{
    const ev_param *p = &s->t->params[n->imm];
    aval d = ev(z, s, n->a);
    if (d.kind == AV_CONST) {
        int64_t day = cval(&d);
        for (uint32_t i = 0; i < p->nvalues; i++)
            if (p->from[i] <= day && day <= p->until[i]) return av_const(p->value[i].i);
        return av_error();
    }
    return av_opaque(mix(param_hash(p), av_hash(&d)));
}

aval diff_table(diff_az *z, diff_side *s, const ev_node *n);

static aval ev(diff_az *z, diff_side *s, int32_t idx)
{
    if (z->split_var >= 0) return av_error();
    const ev_tree *t = s->t;
    const ev_node *n = &t->nodes[idx];
    int v = diff_var_of(z, t, idx);
    if (v >= 0 && z->box[v].lo == z->box[v].hi) return av_const(z->box[v].lo);   /* fixed in this cell */
    if (v >= 0) {
        aval a = av_const(0);
        a.kind = AV_LIN;
        a.c = 0;
        a.k[v] = AV_SCALE;
        return av_norm(a);
    }
    switch ((ev_kind)n->kind) {
    case EV_CONST:
        if (n->b >= 0) return av_kind(AV_TEXT, hash_bytes(1, (const char *)(intptr_t)n->imm, (size_t)n->b));
        return av_const(n->imm);
    case EV_SLOT: case EV_LIST_SLOT: return slot(z, s, n->a);
    case EV_FIELD: case EV_TEXT_FIELD: case EV_LIST_FIELD:
        return av_opaque(mix(mix(node_hash(n), (uint64_t)(n->a ? s->loop_depth[n->a] : -2)), (uint64_t)n->b));
    case EV_LT: case EV_LE: case EV_GT: case EV_GE: case EV_EQ: case EV_NE: case EV_TEXT_EQ: {
        aval a = ev(z, s, n->a), b = ev(z, s, n->b);
        ev_node m = *n;
        if (m.kind == EV_TEXT_EQ) m.kind = EV_EQ;
        return compare(z, &m, &a, &b);
    }
    case EV_AND: case EV_OR: {
        aval a = ev(z, s, n->a);
        if (a.kind == AV_CONST) return (cval(&a) != 0) == (n->kind == EV_OR) ? av_const(n->kind == EV_OR) : ev(z, s, n->b);
        return opaque_of(z, s, n, n->a, n->b, -1);
    }
    case EV_NOT: {
        aval a = ev(z, s, n->a);
        return a.kind == AV_CONST ? av_const(!cval(&a)) : opaque_of(z, s, n, n->a, -1, -1);
    }
    case EV_IF: case EV_RULE: {
        aval a = ev(z, s, n->a);
        if (a.kind == AV_CONST) return ev(z, s, cval(&a) ? n->b : n->c);
        if (a.kind == AV_ERROR) return a;
        ev_node m = *n;
        m.kind = EV_IF;
        m.imm = 0;
        return opaque_of(z, s, &m, n->a, n->b, n->c);
    }
    case EV_MIN2: case EV_MAX2: return minmax2(z, s, n);
    case EV_PARAM_AT: return param_at(z, s, n);
    case EV_COUNT: case EV_SUM_INT: case EV_SUM_DEC: case EV_MIN: case EV_MAX:
    case EV_ANY: case EV_ALL: case EV_MAP:
        return aggregate(z, s, n);
    case EV_LIST_LEN: return opaque_of(z, s, n, n->a, -1, -1);
    case EV_SUM_FIELD: {    /* b is the field summed */
        aval sum = opaque_of(z, s, n, n->a, -1, -1);
        return av_opaque(mix(sum.h, (uint64_t)n->b));
    }
    case EV_LIST_LIT: {
        uint64_t h = node_hash(n);
        for (int32_t i = 0; i < n->b; i++) {
            aval e = ev(z, s, t->args[n->a + i]);
            h = mix(h, av_hash(&e));
        }
        return av_opaque(h);
    }
    case EV_TABLE: return diff_table(z, s, n);
    default: return arith(z, s, n);
    }
}

aval diff_eval(diff_az *z, diff_side *s, int32_t idx) { return ev(z, s, idx); }
