/*
 * vm.c - the flat program's run loop: executes the program vm_build.c
 * made, for every decision that counts no coverage.
 *
 * Fits under eval.c, whose ev_run hands a bound context here.  Equal
 * results by construction: every instruction gives the same value and
 * the same error message as its node's case in eval.c (the decimal
 * routines are shared), loop variables are bound the same way, and the
 * nodes the builder did not flatten are computed by the walker itself
 * (TREE).  tests/unit/test_eval.c runs every shipped policy's tests and
 * generated households through both.
 *
 * What it does not do: count coverage (ev_run walks the tree when
 * counters are given), allocate (a map's pairs go to frame slots the
 * builder reserved, and only a list longer than those takes the request
 * arena, as the walker always does), or use floating point.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "eval/vm.h"
#include "eval/vm_int.h"
#include "eval/date.h"

void ev_prog_bind(ev_ctx *c)
{
    const ev_prog *p = c->tree->prog;
    for (uint32_t i = 0; i < p->nconst; i++)
        c->frame[p->const_slot[i]] = p->const_value[i];
}

static uint32_t loc_of(const ev_ctx *c, const ev_insn *in)
{
    return in->node >= 0 ? c->tree->nodes[in->node].loc : 0;
}

static void overflow(ev_ctx *c, const ev_insn *in, const char *what)
{
    ev_fail(c, EVE_OVERFLOW, loc_of(c, in), "%s", what);
}

/* The value of a decimal operation, or 0 after recording its error (as
 * checked() in eval.c). */
static inline int64_t dec_result(ev_ctx *c, const ev_insn *in, dec_status st, const int64_t *r)
{
    if (st == DEC_OK)
        return *r;
    ev_fail_dec(c, st, loc_of(c, in));
    return 0;
}

/* MAP_INIT: room for every element of the list, in the frame slots from
 * b on when it fits, so that a decision allocates nothing; else from the
 * request arena (as the walker does). */
static int map_init(ev_ctx *c, const ev_insn *in, ev_cell *f)
{
    uint32_t n = f[in->a].l.n;
    ev_cell out = {0};
    out.l.stride = 2;
    if (n <= VM_MAP_ROOM) {
        out.l.base = &f[in->b];
    } else {
        out.l.base = arena_alloc(c->pool, sizeof(ev_cell) * 2 * n);
        if (!out.l.base) {
            ev_fail(c, EVE_NOMEM, loc_of(c, in), "out of memory");
            f[in->dst] = (ev_cell){0};
            return -1;
        }
    }
    f[in->dst] = out;
    return 0;
}

static void check_fen(ev_ctx *c, const ev_insn *in, const ev_cell *f)
{
    if (dec_fits_places(f[in->a].i, 2))
        return;
    char v[64];
    dec_format(f[in->a].i, 2, v);
    ev_fail(c, EVE_PRECISION, 0, "output `%s` = %s has digits below the fen; round it explicitly",
            c->tree->defs[in->imm].name, v);
}

/* sum(x.f for x in list) over the list cell l: the walker's SUM_FIELD. */
static int64_t sum_field(ev_ctx *c, const ev_insn *in, const ev_cell *l, int32_t field)
{
    const ev_cell *e = l->l.base;
    int64_t acc = 0;
    for (uint32_t i = 0; i < l->l.n; i++, e += l->l.stride)
        if (__builtin_add_overflow(acc, e[field].i, &acc)) {
            overflow(c, in, "arithmetic overflow in sum");
            return 0;
        }
    return acc;
}

/* The index of the first record of list l from index `from` on whose
 * field `field` compares with v by cmp (0 <, 1 <=, 2 >, 3 >=, 4 ==, 5 !=);
 * the length of the list if none does.  One loop per comparison, so that
 * the choice is made once per call, not per record.  A function of its
 * own, at a 64-byte boundary, so that its loops sit where they sit
 * whatever the run loop around it becomes: inlined, the == loop's place
 * moved with every edit of the run loop, and tianjin.tekun_care took
 * 33-36 ns per decision with the loop 16 bytes past a 32-byte boundary
 * and 44-49 ns with it on one (measured here on eleven builds, seven
 * one way and four the other; the call costs less than that spread). */
#define SCAN_LOOP(test) \
    for (; k < l->l.n; k++) { \
        int64_t x = l->l.base[(size_t)k * l->l.stride + (size_t)field].i; \
        if (test) break; \
    } \
    return k;

__attribute__((noinline, aligned(64))) static int64_t scan(const ev_cell *l, int64_t k, int32_t field, int64_t v, int cmp)
{
    switch (cmp) {
    case 0: SCAN_LOOP(x < v)
    case 1: SCAN_LOOP(x <= v)
    case 2: SCAN_LOOP(x > v)
    case 3: SCAN_LOOP(x >= v)
    case 4: SCAN_LOOP(x == v)
    default: SCAN_LOOP(x != v)
    }
}
#undef SCAN_LOOP

static int64_t date_op(ev_ctx *c, const ev_insn *in, int64_t d, int64_t n)
{
    int64_t r = 0;
    int e = in->op == EV_DATE_ADD_DAYS ? date_add_days(d, n, &r)
          : in->op == EV_DATE_ADD_MONTHS ? date_add_months(d, n, &r)
          : date_add_years(d, n, &r);
    if (e) overflow(c, in, "date out of range");
    return r;
}

/*
 * One label per instruction.  The node kinds compute what their case in
 * eval.c computes, from slots a and b into dst; see nodes.h for the
 * instructions of programs only.  Each instruction ends in its own
 * indirect jump to the next one (computed goto), which the processor
 * predicts per instruction rather than at one shared switch.
 *
 * Aligned to 64 bytes, as scan() is, so that where its code falls
 * relative to cache lines depends on this file alone, not on what the
 * linker put before it (see scan()).
 */
__attribute__((aligned(64))) int ev_prog_run(ev_ctx *c, const ev_cell *root)
{
    static const void *const go[EV_OP_COUNT] = {   /* as vm_build.c's vm_runs: it emits no other */
#define X(name, arity, result, vm, doc) EV_VM_RUNS_##vm([EV_##name] = &&L_EV_##name,)
        EV_NODE_LIST(X)
#undef X
#define X(name, doc) [EV_OP_##name] = &&L_EV_OP_##name,
        EV_OP_LIST(X)
#undef X
    };
    const ev_insn *code = c->tree->prog->code, *in = code;
    ev_cell *f = c->frame;
    const int32_t *lut = c->tree->prog->lut;
    int64_t r, v;
    int32_t s;
    f[0].rec = root;
#define X_I f[in->a].i
#define Y_I f[in->b].i
#define OUT f[in->dst].i
#define NEXT do { in++; goto *go[in->op]; } while (0)
#define JUMP do { in = code + in->c; goto *go[in->op]; } while (0)
    goto *go[in->op];
L_EV_OP_HALT:
    return c->err.code == EVE_NONE ? 0 : -1;
L_EV_OP_MOVE: f[in->dst] = f[in->a]; NEXT;
L_EV_OP_SET: OUT = in->imm; NEXT;
L_EV_OP_TRUTH: OUT = X_I != 0; NEXT;
L_EV_FIELD: OUT = f[in->a].rec[in->b].i; NEXT;
L_EV_OP_CELL_FIELD: f[in->dst] = f[in->a].rec[in->b]; NEXT;
L_EV_AS_OF: OUT = c->as_of; NEXT;
L_EV_OP_JUMP: JUMP;
L_EV_OP_JUMP_IF: if (X_I) JUMP; NEXT;
L_EV_OP_JUMP_UNLESS: if (!X_I) JUMP; NEXT;
L_EV_OP_JUMP_LT: if (X_I < Y_I) JUMP; NEXT;
L_EV_OP_JUMP_LE: if (X_I <= Y_I) JUMP; NEXT;
L_EV_OP_JUMP_GT: if (X_I > Y_I) JUMP; NEXT;
L_EV_OP_JUMP_GE: if (X_I >= Y_I) JUMP; NEXT;
L_EV_OP_JUMP_EQ: if (X_I == Y_I) JUMP; NEXT;
L_EV_OP_JUMP_NE: if (X_I != Y_I) JUMP; NEXT;
#define FIELD_I f[in->a].rec[in->imm].i
L_EV_OP_JUMP_FLT: if (FIELD_I < Y_I) JUMP; NEXT;
L_EV_OP_JUMP_FLE: if (FIELD_I <= Y_I) JUMP; NEXT;
L_EV_OP_JUMP_FGT: if (FIELD_I > Y_I) JUMP; NEXT;
L_EV_OP_JUMP_FGE: if (FIELD_I >= Y_I) JUMP; NEXT;
L_EV_OP_JUMP_FEQ: if (FIELD_I == Y_I) JUMP; NEXT;
L_EV_OP_JUMP_FNE: if (FIELD_I != Y_I) JUMP; NEXT;
#undef FIELD_I
/* PICK: a + b or a - b (flags) when slot c is true (or false: flags),
 * else slot imm; an overflow of the sum or difference taken is reported,
 * and gives 0 in its decimal form (as ADD_DEC does) and the wrapped sum
 * in its int form (as ADD_INT does).  The arm not taken is not computed:
 * the condition is tested first, one branch either way. */
L_EV_OP_PICK: {
    if ((f[in->c].i != 0) != ((in->flags & PICK_WHEN) != 0)) {
        OUT = f[in->imm].i;
        NEXT;
    }
    int64_t val;
    if (in->flags & PICK_SUB ? __builtin_sub_overflow(X_I, Y_I, &val) : __builtin_add_overflow(X_I, Y_I, &val)) {
        overflow(c, in, "arithmetic overflow");
        if (in->flags & PICK_DEC) val = 0;
    }
    OUT = val;
    NEXT;
}
L_EV_ADD_INT:
    if (__builtin_add_overflow(X_I, Y_I, &r)) overflow(c, in, "arithmetic overflow");
    OUT = r;
    NEXT;
L_EV_SUB_INT:
    if (__builtin_sub_overflow(X_I, Y_I, &r)) overflow(c, in, "arithmetic overflow");
    OUT = r;
    NEXT;
L_EV_MUL_INT:
L_EV_MUL_DEC_INT:
    if (__builtin_mul_overflow(X_I, Y_I, &r)) overflow(c, in, "arithmetic overflow");
    OUT = r;
    NEXT;
L_EV_ADD_DEC: OUT = dec_result(c, in, dec_add(X_I, Y_I, &r), &r); NEXT;
L_EV_SUB_DEC: OUT = dec_result(c, in, dec_sub(X_I, Y_I, &r), &r); NEXT;
L_EV_MUL_DEC: OUT = dec_result(c, in, dec_mul(X_I, Y_I, &r), &r); NEXT;
L_EV_DIV_DEC: OUT = dec_result(c, in, dec_div(X_I, Y_I, &r), &r); NEXT;
L_EV_DIV_DEC_INT:
    if (Y_I == 0) { ev_fail(c, EVE_DIVZERO, loc_of(c, in), "division by zero"); OUT = 0; }
    else if (X_I == INT64_MIN && Y_I == -1) { overflow(c, in, "arithmetic overflow"); OUT = 0; }
    else OUT = X_I / Y_I;
    NEXT;
L_EV_NEG:
    if (X_I == INT64_MIN) { overflow(c, in, "arithmetic overflow"); OUT = 0; }
    else OUT = -X_I;
    NEXT;
L_EV_INT_TO_DEC: OUT = dec_result(c, in, dec_from_int(X_I, &r), &r); NEXT;
L_EV_DEC_TO_INT: OUT = X_I / DEC_SCALE; NEXT;
L_EV_LT: OUT = X_I < Y_I; NEXT;
L_EV_LE: OUT = X_I <= Y_I; NEXT;
L_EV_GT: OUT = X_I > Y_I; NEXT;
L_EV_GE: OUT = X_I >= Y_I; NEXT;
L_EV_EQ: OUT = X_I == Y_I; NEXT;
L_EV_NE: OUT = X_I != Y_I; NEXT;
L_EV_NOT: OUT = !X_I; NEXT;
L_EV_TEXT_EQ:
    OUT = f[in->a].s.len == f[in->b].s.len && memcmp(f[in->a].s.ptr, f[in->b].s.ptr, f[in->a].s.len) == 0;
    NEXT;
L_EV_MIN2: OUT = X_I < Y_I ? X_I : Y_I; NEXT;
L_EV_MAX2: OUT = X_I > Y_I ? X_I : Y_I; NEXT;
L_EV_ROUND: OUT = dec_result(c, in, dec_round(X_I, in->imm, (dec_round_mode)in->flags, &r), &r); NEXT;
L_EV_DIV_ROUND:
    OUT = dec_result(c, in, dec_div_round(X_I, Y_I, in->imm, (dec_round_mode)in->flags, &r), &r);
    NEXT;
/* DIV_ROUND_INT: the int b made a decimal as INT_TO_DEC (node c) would,
 * then DIV_ROUND; a failed conversion divides by 0 as the walker does. */
L_EV_OP_DIV_ROUND_INT: {
    int64_t y;
    if (dec_from_int(Y_I, &y) != DEC_OK) {
        ev_fail_dec(c, DEC_E_RANGE, c->tree->nodes[in->c].loc);
        y = 0;
    }
    OUT = dec_result(c, in, dec_div_round(X_I, y, in->imm, (dec_round_mode)in->flags, &r), &r);
    NEXT;
}
L_EV_DATE_ADD_DAYS:
L_EV_DATE_ADD_MONTHS:
L_EV_DATE_ADD_YEARS:
    OUT = date_op(c, in, X_I, Y_I);
    NEXT;
L_EV_MONTHS_BETWEEN:
L_EV_YEARS_BETWEEN:
    OUT = ev_between(c, in->op, in->flags, X_I, Y_I, loc_of(c, in));
    NEXT;
L_EV_LIST_LEN: OUT = f[in->a].l.n; NEXT;
L_EV_SUM_FIELD: OUT = sum_field(c, in, &f[in->a], in->b); NEXT;
L_EV_OP_LEN_OF: OUT = f[in->a].rec[in->b].l.n; NEXT;
L_EV_OP_SUM_FIELD_OF: OUT = sum_field(c, in, &f[in->a].rec[in->b], in->c); NEXT;
L_EV_OP_LEN_SUM_OF: {     /* the builder made sure slot imm is not slot a */
    const ev_cell *l = &f[in->a].rec[in->b];
    f[in->imm].i = l->l.n;
    OUT = sum_field(c, in, l, in->c);
    NEXT;
}
L_EV_OP_LOOP: OUT = 0; JUMP;
/* NEXT: binds the loop variable as bind_loop_var() in eval.c. */
L_EV_OP_NEXT: {
    const ev_cell *l = &f[in->a];
    int64_t k = OUT;
    if (k >= l->l.n) NEXT;
    const ev_cell *e = l->l.base + (size_t)k * l->l.stride;
    if (in->flags & EV_LOOP_BY_VALUE) f[in->b] = *e;
    else f[in->b].rec = e;
    OUT = k + 1;
    JUMP;
}
/* SCAN: NEXT for a loop whose filter compares a field of each record
 * (imm & 0xffffffff) with slot imm >> 32: binds the next record that
 * passes and goes to c, or falls through when none is left. */
L_EV_OP_SCAN: {
    const ev_cell *l = &f[in->a];
    int64_t k = scan(l, OUT, (int32_t)(in->imm & 0xffffffff), f[in->imm >> 32].i, in->flags);
    OUT = k + 1;
    if (k >= l->l.n) NEXT;
    f[in->b].rec = l->l.base + (size_t)k * l->l.stride;
    JUMP;
}
L_EV_OP_INC: OUT++; NEXT;
L_EV_OP_ACC_SUM_INT:
    if (__builtin_add_overflow(OUT, X_I, &OUT)) overflow(c, in, "arithmetic overflow in sum");
    NEXT;
L_EV_OP_ACC_SUM_DEC: OUT = dec_result(c, in, dec_add(OUT, X_I, &r), &r); NEXT;
L_EV_OP_ACC_MIN: if (!Y_I || X_I < OUT) OUT = X_I; Y_I = 1; NEXT;
L_EV_OP_ACC_MAX: if (!Y_I || X_I > OUT) OUT = X_I; Y_I = 1; NEXT;
L_EV_OP_ANY_HIT: if (X_I) { OUT = 1; JUMP; } NEXT;
L_EV_OP_ALL_MISS: if (!X_I) { OUT = 0; JUMP; } NEXT;
L_EV_OP_NOT_EMPTY:
    if (!X_I)
        ev_fail(c, EVE_EMPTY, loc_of(c, in), "%s of an empty list",
                c->tree->nodes[in->node].kind == EV_MIN ? "min" : "max");
    NEXT;
L_EV_OP_MAP_INIT: if (map_init(c, in, f)) JUMP; NEXT;
L_EV_OP_MAP_PUT: {
    ev_cell *m = &f[in->dst];
    m->l.base[2 * m->l.n] = f[in->a];
    m->l.base[2 * m->l.n + 1].i = Y_I;
    m->l.n++;
    NEXT;
}
/* SUM_PUT: a fused sum and map's loop body (vm_build.c's fuse_sum_map):
 * the value in slot a added to the sum as ACC_SUM_INT or ACC_SUM_DEC
 * (flags) would, then put in map b under the key text, field imm of the
 * record in slot c, as CELL_FIELD and MAP_PUT would. */
L_EV_OP_SUM_PUT: {
    int64_t x = X_I;
    if (in->flags & SUM_PUT_DEC) OUT = dec_result(c, in, dec_add(OUT, x, &r), &r);
    else if (__builtin_add_overflow(OUT, x, &OUT)) overflow(c, in, "arithmetic overflow in sum");
    ev_cell *m = &f[in->b];
    m->l.base[2 * m->l.n] = f[in->c].rec[in->imm];
    m->l.base[2 * m->l.n + 1].i = x;
    m->l.n++;
    NEXT;
}
/* TABLE1: a = column value, b = domain size, c = the table's argument
 * slot (rows may read it), imm = first lookup entry. */
L_EV_OP_TABLE1:
    v = X_I;
    goto table1;
L_EV_OP_TABLE1_FIELD:
    v = f[in->a].rec[in->flags].i;
table1:
    f[in->c].i = v;
    if ((uint64_t)v < (uint64_t)in->b && (s = lut[in->imm + v]) >= 0) OUT = f[s].i;
    else OUT = ev_scalar(c, in->node);
    NEXT;
L_EV_OP_TREE: OUT = ev_scalar(c, (int32_t)in->imm); NEXT;
L_EV_OP_TREE_CELL: f[in->dst] = ev_value(c, (int32_t)in->imm); NEXT;
L_EV_OP_CHECK_FEN: check_fen(c, in, f); NEXT;
#undef X_I
#undef Y_I
#undef OUT
#undef NEXT
#undef JUMP
}
