/*
 * vm.c - the flat program: built from the evaluation tree once per policy,
 * executed for every decision that counts no coverage.
 *
 * Fits between lower.c (which calls ev_prog_build after the tree is
 * complete) and eval.c (whose ev_run hands a bound context here).  The
 * builder walks each def's expression once, in the order the tree walker
 * evaluates it, and emits one instruction per operation: operands are
 * frame slots (a let or parameter slot is read where it lies, a constant
 * gets a slot of its own filled by ev_bind, every other result a
 * temporary slot), so the run loop only loads, computes and stores.
 * `and`, `or`, `if`, `unless` and the loops of aggregations become jumps,
 * which keeps their short-circuits: an operand the tree walker would not
 * evaluate is not evaluated here either, and cannot raise an error.  The
 * one exception is PICK (`x - y unless c then 0.00`), which computes the
 * sum or difference of two slots either way, to choose without a branch,
 * and reports its overflow only when it is the value taken.
 *
 * Equal results by construction: every operation gives the same value
 * and the same error message as its case in eval.c (the decimal routines
 * are shared), loop variables are bound the same way, and what is not
 * flattened (multi-column or computed tables, parameters at another
 * date, list literals) is one TREE instruction that asks the walker for
 * that node.  tests/unit/test_eval.c runs every shipped policy's tests
 * through both.
 *
 * What it does not do: count coverage (ev_run walks the tree when
 * counters are given), allocate (except maps, from the request arena,
 * as the walker does), or use floating point.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "eval/vm.h"
#include "eval/date.h"

/* ---- building --------------------------------------------------------- */

/* How the builder computes each node kind: nodes.h's vm column. */
enum vm_form { VM_BIN, VM_UN, VM_LEAF, VM_SELF, VM_OWN, VM_TREE };
static const uint8_t vm_form[EV_KIND_COUNT] = {
#define X(name, arity, result, vm, doc) [EV_##name] = VM_##vm,
    EV_NODE_LIST(X)
#undef X
};

/* The instructions ev_prog_run has a label for: the same columns as its
 * table of labels, so that the two cannot disagree. */
static const uint8_t vm_runs[EV_OP_COUNT] = {
#define X(name, arity, result, vm, doc) EV_VM_RUNS_##vm([EV_##name] = 1,)
    EV_NODE_LIST(X)
#undef X
#define X(name, doc) [EV_OP_##name] = 1,
    EV_OP_LIST(X)
#undef X
};

typedef struct builder {
    ev_tree *t;
    arena *pool;
    ev_insn *code;
    uint32_t ncode, capcode;
    uint32_t *kslot;
    ev_cell *kval;
    uint32_t nconst, capslot, capval;
    int32_t *lut;
    uint32_t nlut, caplut;
    uint32_t nslots;
    uint32_t ntree;         /* TREE and TREE_CELL instructions emitted */
    int failed;
} builder;

/* Makes room for one more element of size `size` in *items (arena
 * memory, so growth copies and leaves the old array to the arena). */
static int grow(builder *b, void **items, uint32_t n, uint32_t *cap, size_t size, uint32_t more)
{
    if (n + more <= *cap)
        return 0;
    uint32_t c = *cap ? *cap : 64;
    while (c < n + more) c *= 2;
    void *p = arena_alloc(b->pool, size * c);
    if (!p) { b->failed = 1; return -1; }
    if (n) memcpy(p, *items, size * n);
    *items = p;
    *cap = c;
    return 0;
}

static int32_t emit(builder *b, int op, int32_t dst, int32_t x, int32_t y, int32_t node)
{
    if (grow(b, (void **)&b->code, b->ncode, &b->capcode, sizeof(ev_insn), 1))
        return 0;
    ev_insn *in = &b->code[b->ncode];
    memset(in, 0, sizeof *in);
    in->op = (uint16_t)op;
    in->dst = dst;
    in->a = x;
    in->b = y;
    in->c = -1;
    in->node = node;
    if (node >= 0) {
        in->flags = b->t->nodes[node].flags;
        in->imm = b->t->nodes[node].imm;
    }
    return (int32_t)b->ncode++;
}

static void emit_set(builder *b, int32_t dst, int64_t imm)
{
    int32_t i = emit(b, EV_OP_SET, dst, -1, -1, -1);
    if (!b->failed) b->code[i].imm = imm;
}

/* Points the jump of instruction i at the next instruction emitted. */
static void land(builder *b, int32_t i)
{
    if (!b->failed)
        b->code[i].c = (int32_t)b->ncode;
}

static int32_t temp(builder *b) { return (int32_t)b->nslots++; }

static int32_t konst(builder *b, ev_cell v)
{
    if (grow(b, (void **)&b->kslot, b->nconst, &b->capslot, sizeof(uint32_t), 1) ||
        grow(b, (void **)&b->kval, b->nconst, &b->capval, sizeof(ev_cell), 1))
        return 0;
    b->kslot[b->nconst] = (uint32_t)temp(b);
    b->kval[b->nconst] = v;
    return (int32_t)b->kslot[b->nconst++];
}

static int32_t want_slot(builder *b, int32_t want) { return want >= 0 ? want : temp(b); }

/* Leaves the value held in slot `from` in slot `want`, when one is asked. */
static int32_t into(builder *b, int32_t from, int32_t want)
{
    if (want < 0 || want == from)
        return from;
    emit(b, EV_OP_MOVE, want, from, -1, -1);
    return want;
}

static int32_t gen(builder *b, int32_t node, int32_t want);
static int32_t gen_cell(builder *b, int32_t node, int32_t want);

/* The jump taken when comparison k holds (when = 1) or fails (when = 0);
 * the FLT.. family reads its left operand from a record's field. */
static int compare_jump(int k, int when, int field)
{
    static const int yes[] = {EV_OP_JUMP_LT, EV_OP_JUMP_LE, EV_OP_JUMP_GT, EV_OP_JUMP_GE, EV_OP_JUMP_EQ, EV_OP_JUMP_NE};
    static const int no[] = {EV_OP_JUMP_GE, EV_OP_JUMP_GT, EV_OP_JUMP_LE, EV_OP_JUMP_LT, EV_OP_JUMP_NE, EV_OP_JUMP_EQ};
    int op = when ? yes[k - EV_LT] : no[k - EV_LT];
    return field ? op - EV_OP_JUMP_LT + EV_OP_JUMP_FLT : op;
}

/* Emits a jump taken when node's value is `when` (0 or 1); returns it for
 * land().  `not x` jumps on the opposite value of x instead, and a
 * comparison is tested by the jump itself. */
static int32_t jump_on(builder *b, int32_t node, int when)
{
    const ev_node *n = &b->t->nodes[node];
    if (n->kind == EV_NOT)
        return jump_on(b, n->a, !when);
    if (n->kind >= EV_LT && n->kind <= EV_NE) {
        const ev_node *l = &b->t->nodes[n->a];
        if (l->kind == EV_FIELD) {   /* m.category == tekun: no copy of the field */
            int32_t i = emit(b, compare_jump(n->kind, when, 1), -1, l->a, gen(b, n->b, -1), node);
            if (!b->failed) b->code[i].imm = l->b;
            return i;
        }
        int32_t x = gen(b, n->a, -1), y = gen(b, n->b, -1);
        return emit(b, compare_jump(n->kind, when, 0), -1, x, y, node);
    }
    int32_t v = gen(b, node, -1);
    return emit(b, when ? EV_OP_JUMP_IF : EV_OP_JUMP_UNLESS, -1, v, -1, node);
}

static int32_t gen_pick(builder *b, int32_t node, int32_t want);

/* `if a then b else c`, and `unless` (RULE), as jumps, each arm emitted
 * by `arm` (gen for scalars, gen_cell for texts and lists) into the same
 * slot.  Coverage is counted only in the walker. */
static int32_t gen_choice(builder *b, int32_t node, int32_t want,
                          int32_t (*arm)(builder *, int32_t, int32_t))
{
    const ev_node *n = &b->t->nodes[node];
    int32_t dst = want_slot(b, want);
    int32_t no = jump_on(b, n->a, 0);
    into(b, arm(b, n->b, dst), dst);
    int32_t done = emit(b, EV_OP_JUMP, -1, -1, -1, node);
    land(b, no);
    into(b, arm(b, n->c, dst), dst);
    land(b, done);
    return dst;
}

static int32_t gen_if(builder *b, int32_t node, int32_t want)
{
    int32_t dst = gen_pick(b, node, want);
    if (dst >= 0)
        return dst;
    return gen_choice(b, node, want, gen);
}

/* PICK's flags: subtract (else add), decimals (else ints), and the value
 * of the condition that takes the sum or difference. */
#define PICK_SUB 1
#define PICK_DEC 2
#define PICK_WHEN 4

static int is_direct(builder *b, int32_t node)
{
    return b->t->nodes[node].kind == EV_SLOT || b->t->nodes[node].kind == EV_CONST;
}

/* A sum or difference of two slots or constants, which PICK can compute
 * before knowing whether it is wanted (it only reports its overflow if
 * it is). */
static int is_pickable(builder *b, int32_t node)
{
    const ev_node *n = &b->t->nodes[node];
    return (n->kind == EV_ADD_INT || n->kind == EV_SUB_INT || n->kind == EV_ADD_DEC || n->kind == EV_SUB_DEC) &&
           is_direct(b, n->a) && is_direct(b, n->b);
}

/* `x - y unless c then 0.00` and other ifs whose one arm is a slot or
 * constant and whose other arm is a pickable sum or difference: one
 * instruction with no branch on the condition.  -1 when the if is not
 * of that shape. */
static int32_t gen_pick(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t arith, other, when = 1, cond = n->a;
    if (is_pickable(b, n->b) && is_direct(b, n->c)) {
        arith = n->b;
        other = n->c;
    } else if (is_pickable(b, n->c) && is_direct(b, n->b)) {
        arith = n->c;
        other = n->b;
        when = 0;
    } else {
        return -1;
    }
    for (; b->t->nodes[cond].kind == EV_NOT; cond = b->t->nodes[cond].a)
        when = !when;
    int32_t cs = gen(b, cond, -1);
    const ev_node *ar = &b->t->nodes[arith];
    int32_t x = gen(b, ar->a, -1), y = gen(b, ar->b, -1), o = gen(b, other, -1);
    int32_t dst = want_slot(b, want);
    int32_t i = emit(b, EV_OP_PICK, dst, x, y, arith);
    if (!b->failed) {
        b->code[i].c = cs;
        b->code[i].imm = o;
        b->code[i].flags = (uint16_t)((ar->kind == EV_SUB_INT || ar->kind == EV_SUB_DEC ? PICK_SUB : 0) |
                                      (ar->kind == EV_ADD_DEC || ar->kind == EV_SUB_DEC ? PICK_DEC : 0) |
                                      (when ? PICK_WHEN : 0));
    }
    return dst;
}

/* a and b, a or b: the result is the truth of the last operand read. */
static int32_t gen_logic(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t dst = want_slot(b, want);
    int32_t x = gen(b, n->a, -1);
    emit(b, EV_OP_TRUTH, dst, x, -1, node);
    int32_t skip = emit(b, n->kind == EV_AND ? EV_OP_JUMP_UNLESS : EV_OP_JUMP_IF, -1, x, -1, node);
    emit(b, EV_OP_TRUTH, dst, gen(b, n->b, -1), -1, node);
    land(b, skip);
    return dst;
}

/* A loop over the list in slot `list`, binding slot `var`, tested at the
 * bottom (one NEXT per element, no jump back): the head (LOOP) zeroes the
 * counter and jumps to NEXT, which binds the next element and goes back
 * to the body, or falls through when the list is done.  A failing filter
 * also goes to NEXT. */
typedef struct loop {
    int32_t counter, list, var, node, enter, body, skip;
    int32_t scan;      /* the filter SCAN tests, or -1 */
} loop;

static loop loop_head(builder *b, int32_t list, int32_t var, int32_t node)
{
    loop lp = {temp(b), list, var, node, 0, 0, -1, -1};
    lp.enter = emit(b, EV_OP_LOOP, lp.counter, -1, -1, -1);
    lp.body = (int32_t)b->ncode;
    return lp;
}

/* Whether SCAN can test `filter` for the loop: a comparison of a field
 * of the record just bound with a slot or constant that the loop does not
 * change.  Such a filter reads memory and compares, nothing that can
 * fail, so skipping elements inside one instruction is the same as
 * testing each with a jump. */
static int scannable(builder *b, const loop *lp, int32_t filter)
{
    const ev_node *n = &b->t->nodes[filter];
    if (n->kind < EV_LT || n->kind > EV_NE || (b->t->nodes[lp->node].flags & EV_LOOP_BY_VALUE))
        return 0;
    const ev_node *l = &b->t->nodes[n->a], *r = &b->t->nodes[n->b];
    return l->kind == EV_FIELD && l->a == lp->var && l->b >= 0 &&
           (r->kind == EV_CONST || (r->kind == EV_SLOT && r->a != lp->var));
}

static void loop_filter(builder *b, loop *lp, int32_t filter)
{
    if (filter < 0)
        return;
    if (scannable(b, lp, filter))
        lp->scan = filter;
    else
        lp->skip = jump_on(b, filter, 0);
}

/* NEXT, or SCAN with imm = the field | the compared slot << 32 and flags
 * = the comparison (0 for <, .. 5 for !=). */
static void loop_end(builder *b, const loop *lp)
{
    land(b, lp->enter);
    if (lp->skip >= 0)
        land(b, lp->skip);
    if (lp->scan < 0) {
        int32_t next = emit(b, EV_OP_NEXT, lp->counter, lp->list, lp->var, lp->node);
        if (!b->failed) b->code[next].c = lp->body;
        return;
    }
    const ev_node *n = &b->t->nodes[lp->scan];
    int32_t right = gen(b, n->b, -1);   /* a slot or a constant: no code */
    int32_t i = emit(b, EV_OP_SCAN, lp->counter, lp->list, lp->var, lp->scan);
    if (!b->failed) {
        b->code[i].c = lp->body;
        b->code[i].imm = (int64_t)b->t->nodes[n->a].b | (int64_t)right << 32;
        b->code[i].flags = (uint16_t)(n->kind - EV_LT);
    }
}

/* COUNT, SUM_INT, SUM_DEC, MIN, MAX, ANY, ALL: a loop around an
 * accumulating instruction (eval_agg in the walker). */
static int32_t gen_agg(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t list = gen_cell(b, n->a, -1);
    int32_t dst = want_slot(b, want);
    emit_set(b, dst, n->kind == EV_ALL);
    int32_t have = -1;
    if (n->kind == EV_MIN || n->kind == EV_MAX) {
        have = temp(b);
        emit_set(b, have, 0);
    }
    loop lp = loop_head(b, list, (int32_t)n->imm, node);
    loop_filter(b, &lp, n->c);
    int32_t out = -1;
    switch (n->kind) {
    case EV_COUNT: emit(b, EV_OP_INC, dst, -1, -1, node); break;
    case EV_SUM_INT: emit(b, EV_OP_ACC_SUM_INT, dst, gen(b, n->b, -1), -1, node); break;
    case EV_SUM_DEC: emit(b, EV_OP_ACC_SUM_DEC, dst, gen(b, n->b, -1), -1, node); break;
    case EV_MIN: emit(b, EV_OP_ACC_MIN, dst, gen(b, n->b, -1), have, node); break;
    case EV_MAX: emit(b, EV_OP_ACC_MAX, dst, gen(b, n->b, -1), have, node); break;
    case EV_ANY: out = emit(b, EV_OP_ANY_HIT, dst, gen(b, n->b, -1), -1, node); break;
    default: out = emit(b, EV_OP_ALL_MISS, dst, gen(b, n->b, -1), -1, node); break;
    }
    loop_end(b, &lp);
    if (have >= 0)
        emit(b, EV_OP_NOT_EMPTY, -1, have, -1, node);
    if (out >= 0)
        land(b, out);
    return dst;
}

/* MAP: pairs of (key text, value) in the request arena (eval_map). */
static int32_t gen_map(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t list = gen_cell(b, n->a, -1);
    int32_t dst = want_slot(b, want);
    int32_t init = emit(b, EV_OP_MAP_INIT, dst, list, -1, node);
    loop lp = loop_head(b, list, (int32_t)n->imm, node);
    loop_filter(b, &lp, n->c);
    int32_t key = gen_cell(b, b->t->args[n->b], -1);
    int32_t val = gen(b, b->t->args[n->b + 1], -1);
    emit(b, EV_OP_MAP_PUT, dst, key, val, node);
    loop_end(b, &lp);
    land(b, init);
    return dst;
}

/* Whether a table row's output (node, or -1 for none) can be read from
 * a slot without computing anything: a slot or a constant. */
static int row_direct(builder *b, int32_t node)
{
    return node < 0 || b->t->nodes[node].kind == EV_SLOT || b->t->nodes[node].kind == EV_CONST;
}

/* The slot of a row output that row_direct() accepted; -1 for none. */
static int32_t row_slot(builder *b, int32_t node)
{
    if (node < 0)
        return -1;
    const ev_node *n = &b->t->nodes[node];
    if (n->kind == EV_SLOT)
        return n->a;
    if (n->kind == EV_CONST) {
        ev_cell v = {0};
        v.i = n->imm;
        return konst(b, v);
    }
    return -1;
}

/* The column domain a lookup can cover: enums and bools. */
static int64_t lut_size(const ev_table *t)
{
    const ty *c = t->col_type[0];
    if (c->kind == TY_BOOL) return 2;
    if (c->kind == TY_ENUM && c->en->nvalues <= 256) return c->en->nvalues;
    return 0;
}

/* A one-column table over an enum or bool whose hit policy takes the
 * first matching row (unique, first) and whose outputs are slots or
 * constants: the row is chosen at build time for each column value, with
 * the walker's own matching code, and the run reads one slot.  Values
 * with no row (the error) and values outside the domain go to the walker.
 * Returns -1 when the table does not qualify. */
static int32_t gen_table1(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    const ev_table *t = &b->t->tables[n->imm];
    int64_t size = t->ncols == 1 && (t->hit == 0 || t->hit == 3) && ty_is_scalar(t->result) && n->c < 0 &&
                   t->nversions < 2 ? lut_size(t) : 0;   /* a default (value_or), dated cells: the tree walker's */
    if (size == 0)
        return -1;
    int32_t out[256];      /* per column value: the output node, -1 for none */
    for (int64_t v = 0; v < size; v++) {
        uint32_t first, last;
        ev_table_cell(t, v, &first, &last);
        out[v] = t->else_out;
        for (uint32_t k = first; k < last; k++)
            if (ev_table_row_matches(t, t->rows[k], &v)) {
                out[v] = t->out[t->rows[k]];
                break;
            }
        if (!row_direct(b, out[v]))
            return -1;
    }
    if (grow(b, (void **)&b->lut, b->nlut, &b->caplut, sizeof(int32_t), (uint32_t)size))
        return -1;
    int32_t at = (int32_t)b->nlut;
    for (int64_t v = 0; v < size; v++) {
        int32_t s = row_slot(b, out[v]);
        b->lut[at + v] = s;
    }
    b->nlut += (uint32_t)size;
    const ev_node *arg = &b->t->nodes[b->t->args[n->a]];
    int field = arg->kind == EV_FIELD && arg->b >= 0 && arg->b <= UINT16_MAX;   /* care_amount(m.self_care) */
    int32_t x = field ? arg->a : gen(b, b->t->args[n->a], -1);
    int32_t dst = want_slot(b, want);
    int32_t i = emit(b, field ? EV_OP_TABLE1_FIELD : EV_OP_TABLE1, dst, x, (int32_t)size, node);
    if (!b->failed) {
        b->code[i].c = (int32_t)t->arg_slot;
        b->code[i].imm = at;
        b->code[i].flags = field ? (uint16_t)arg->b : 0;
    }
    return dst;
}

/* One TREE or TREE_CELL instruction: the walker computes the node.
 * Counted (ev_prog.ntree), so that a policy whose program leaves work to
 * the walker shows it (ev_prog_disasm, test_eval's per-policy counts). */
static int32_t fallback(builder *b, int op, int32_t node, int32_t want)
{
    int32_t dst = want_slot(b, want);
    b->ntree++;
    int32_t i = emit(b, op, dst, -1, -1, node);
    if (!b->failed) b->code[i].imm = node;
    return dst;
}

/* An operation on the values of nodes a and b, in that order. */
static int32_t gen_binary(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t x = gen(b, n->a, -1), y = gen(b, n->b, -1);
    int32_t dst = want_slot(b, want);
    emit(b, n->kind, dst, x, y, node);
    return dst;
}

/* The kinds whose vm column is SELF or OWN, each with its own builder. */
static int32_t gen_own(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t dst;
    switch ((ev_kind)n->kind) {
    case EV_CONST: {
        ev_cell v = {0};
        v.i = n->imm;
        return into(b, konst(b, v), want);
    }
    case EV_SLOT: return into(b, n->a, want);
    case EV_DIV_ROUND:
        if (b->t->nodes[n->b].kind == EV_INT_TO_DEC) {   /* round(income / size): no conversion step */
            int32_t x = gen(b, n->a, -1), y = gen(b, b->t->nodes[n->b].a, -1);
            int32_t i = emit(b, EV_OP_DIV_ROUND_INT, dst = want_slot(b, want), x, y, node);
            if (!b->failed) b->code[i].c = n->b;
            return dst;
        }
        return gen_binary(b, node, want);
    case EV_TEXT_EQ: {
        int32_t x = gen_cell(b, n->a, -1), y = gen_cell(b, n->b, -1);
        return emit(b, n->kind, dst = want_slot(b, want), x, y, node), dst;
    }
    case EV_AND: case EV_OR: return gen_logic(b, node, want);
    case EV_IF: case EV_RULE: return gen_if(b, node, want);
    case EV_COUNT: case EV_SUM_INT: case EV_SUM_DEC: case EV_MIN: case EV_MAX:
    case EV_ANY: case EV_ALL:
        return gen_agg(b, node, want);
    case EV_LIST_LEN: case EV_SUM_FIELD: {
        const ev_node *l = &b->t->nodes[n->a];
        if (l->kind == EV_LIST_FIELD) {   /* count(household.members): no copy of the list */
            int32_t i = emit(b, n->kind == EV_LIST_LEN ? EV_OP_LEN_OF : EV_OP_SUM_FIELD_OF,
                             dst = want_slot(b, want), l->a, l->b, node);
            if (!b->failed) b->code[i].c = n->b;
            return dst;
        }
        int32_t list = gen_cell(b, n->a, -1);
        return emit(b, n->kind, dst = want_slot(b, want), list, n->b, node), dst;
    }
    case EV_TABLE:
        if ((dst = gen_table1(b, node, want)) >= 0)
            return dst;
        return fallback(b, EV_OP_TREE, node, want);   /* several columns, dated cells, a default */
    default:
        return fallback(b, EV_OP_TREE, node, want);
    }
}

/* Emits the code of a scalar node; returns the slot holding its value
 * (`want` when it is not -1).  Dispatches on nodes.h's vm column. */
static int32_t gen(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t dst, x;
    switch (vm_form[n->kind]) {
    case VM_BIN: return gen_binary(b, node, want);
    case VM_UN:
        x = gen(b, n->a, -1);
        return emit(b, n->kind, dst = want_slot(b, want), x, -1, node), dst;
    case VM_LEAF: return emit(b, n->kind, dst = want_slot(b, want), n->a, n->b, node), dst;
    case VM_TREE: return fallback(b, EV_OP_TREE, node, want);
    default: return gen_own(b, node, want);
    }
}

/* Emits the code of a list, text or map node (eval_list). */
static int32_t gen_cell(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t dst;
    switch ((ev_kind)n->kind) {
    case EV_LIST_FIELD: case EV_TEXT_FIELD:
        return emit(b, EV_OP_CELL_FIELD, dst = want_slot(b, want), n->a, n->b, node), dst;
    case EV_LIST_SLOT: return into(b, n->a, want);
    case EV_CONST: {
        ev_cell v = {0};
        v.s.ptr = (const char *)(intptr_t)n->imm;
        v.s.len = (uint32_t)n->b;
        return into(b, konst(b, v), want);
    }
    case EV_MAP: return gen_map(b, node, want);
    case EV_IF: case EV_RULE: return gen_choice(b, node, want, gen_cell);
    default: return fallback(b, EV_OP_TREE_CELL, node, want);
    }
}

int ev_prog_build(ev_tree *t, arena *pool)
{
    builder b;
    memset(&b, 0, sizeof b);
    b.t = t;
    b.pool = pool;
    b.nslots = t->nslots;
    for (uint32_t i = 0; i < t->ndefs; i++) {
        const ev_def *d = &t->defs[i];
        if (d->is_scalar)
            gen(&b, d->root, (int32_t)d->slot);
        else
            gen_cell(&b, d->root, (int32_t)d->slot);
        if (d->check_fen) {
            int32_t k = emit(&b, EV_OP_CHECK_FEN, -1, (int32_t)d->slot, -1, -1);
            if (!b.failed) b.code[k].imm = i;
        }
    }
    emit(&b, EV_OP_HALT, -1, -1, -1, -1);
    ev_prog *p = arena_alloc(pool, sizeof *p);
    if (b.failed || !p)
        return -1;
    for (uint32_t i = 0; i < b.ncode; i++)
        if (!vm_runs[b.code[i].op])
            return -1;     /* a builder bug (an op with no label), not a fallback */
    p->code = b.code;
    p->ncode = b.ncode;
    p->const_slot = b.kslot;
    p->const_value = b.kval;
    p->nconst = b.nconst;
    p->lut = b.lut;
    p->ntree = b.ntree;
    t->nslots = b.nslots;
    t->prog = p;
    return 0;
}

/* ---- reading ---------------------------------------------------------- */

const char *ev_op_name(int op)
{
    static const char *const name[EV_OP_COUNT] = {
#define X(name, arity, result, vm, doc) [EV_##name] = #name,
        EV_NODE_LIST(X)
#undef X
#define X(name, doc) [EV_OP_##name] = #name,
        EV_OP_LIST(X)
#undef X
    };
    return op >= 0 && op < EV_OP_COUNT && name[op] ? name[op] : "?";
}

void ev_prog_disasm(const ev_tree *t, FILE *out)
{
    const ev_prog *p = t->prog;
    if (!p) {
        fprintf(out, "no program: the tree walker evaluates\n");
        return;
    }
    fprintf(out, "%u instructions, %u constants, %u left to the walker\n", p->ncode, p->nconst, p->ntree);
    for (uint32_t i = 0; i < p->ncode; i++) {
        const ev_insn *in = &p->code[i];
        fprintf(out, "%4u %-14s dst %d a %d b %d c %d imm %lld node %d\n", i, ev_op_name(in->op),
                in->dst, in->a, in->b, in->c, (long long)in->imm, in->node);
    }
}

/* ---- running ---------------------------------------------------------- */

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

/* MAP_INIT: room for every element of the list; NULL for none. */
static int map_init(ev_ctx *c, const ev_insn *in, ev_cell *f)
{
    uint32_t n = f[in->a].l.n;
    ev_cell out = {0};
    out.l.stride = 2;
    if (n) {
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
 * the choice is made once per call, not per record. */
#define SCAN_LOOP(test) \
    for (; k < l->l.n; k++) { \
        int64_t x = l->l.base[(size_t)k * l->l.stride + (size_t)field].i; \
        if (test) break; \
    } \
    return k;

static int64_t scan(const ev_cell *l, int64_t k, int32_t field, int64_t v, int cmp)
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
 */
int ev_prog_run(ev_ctx *c, const ev_cell *root)
{
    static const void *const go[EV_OP_COUNT] = {   /* as vm_runs: ev_prog_build emits no other */
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
 * else slot imm; the arithmetic is done either way and its overflow
 * reported only when it is the value taken (its decimal form gives 0, as
 * ADD_DEC does; the int form keeps the wrapped sum, as ADD_INT does). */
L_EV_OP_PICK: {
    int64_t val;
    int bad = in->flags & PICK_SUB ? __builtin_sub_overflow(X_I, Y_I, &val) : __builtin_add_overflow(X_I, Y_I, &val);
    if (bad && (in->flags & PICK_DEC)) val = 0;
    int take = (f[in->c].i != 0) == ((in->flags & PICK_WHEN) != 0);
    OUT = take ? val : f[in->imm].i;
    if (take && bad) overflow(c, in, "arithmetic overflow");
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
