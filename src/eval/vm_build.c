/*
 * vm_build.c - the flat program's builder: the evaluation tree of one
 * policy made into an array of instructions, once, when it is compiled.
 *
 * Fits between lower.c (which calls ev_prog_build after the tree is
 * complete) and vm.c (the run loop, which executes the program for
 * every decision that counts no coverage).  The builder walks each def's
 * expression once, in the order the tree walker evaluates it, and emits
 * one instruction per operation: operands are frame slots (a let or
 * parameter slot is read where it lies, a constant gets a slot of its
 * own filled by ev_bind, every other result a temporary slot), so the
 * run loop only loads, computes and stores.  `and`, `or`, `if`, `unless`
 * and the loops of aggregations become jumps, which keeps their
 * short-circuits: an operand the tree walker would not evaluate is not
 * evaluated here either, and cannot raise an error.  PICK (`x - y
 * unless c then 0.00`) is such an if in one instruction: it tests c
 * and computes the sum or difference of two slots only when it is the
 * value taken.
 *
 * How each node kind is built comes from nodes.h's vm column; what is
 * not flattened (multi-column or computed tables, parameters at another
 * date, list literals) is one TREE instruction that asks the walker for
 * that node, counted in ev_prog.ntree.  Two shapes of two defs are
 * fused: a sum and a map over the same elements with the same filter and
 * value into one loop whose body adds and puts in one instruction
 * (fuse_sum_map, SUM_PUT), and a count just before a sum of a field over
 * the same list field into one instruction (fuse_len_sum, LEN_SUM_OF):
 * fewer instructions dispatched per decision.  Also here: the names of
 * instructions and the disassembler (ev_prog_disasm), which read the
 * same lists.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "base/always.h"
#include "eval/vm.h"
#include "eval/vm_int.h"

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
    uint32_t target;        /* the last instruction made a jump target (land, loop_head) */
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
    b->target = b->ncode;
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

static int is_direct(builder *b, int32_t node)
{
    return b->t->nodes[node].kind == EV_SLOT || b->t->nodes[node].kind == EV_CONST;
}

/* A sum or difference of two slots or constants, which PICK computes
 * itself when it is the arm taken. */
static int is_pickable(builder *b, int32_t node)
{
    const ev_node *n = &b->t->nodes[node];
    return (n->kind == EV_ADD_INT || n->kind == EV_SUB_INT || n->kind == EV_ADD_DEC || n->kind == EV_SUB_DEC) &&
           is_direct(b, n->a) && is_direct(b, n->b);
}

/* `x - y unless c then 0.00` and other ifs whose one arm is a slot or
 * constant and whose other arm is a pickable sum or difference: one
 * instruction instead of the jumps, the arithmetic and the move such an
 * if becomes otherwise.  -1 when the if is not of that shape. */
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
    b->target = b->ncode;
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

/* MAP: pairs of (key text, value), as eval_map makes them, but in
 * VM_MAP_ROOM pairs of frame slots reserved here, once, rather than in
 * the request arena on every decision; MAP_INIT takes the arena only
 * for a longer list. */
static int32_t gen_map(builder *b, int32_t node, int32_t want)
{
    const ev_node *n = &b->t->nodes[node];
    int32_t list = gen_cell(b, n->a, -1);
    int32_t dst = want_slot(b, want);
    int32_t room = (int32_t)b->nslots;
    b->nslots += 2 * VM_MAP_ROOM;
    int32_t init = emit(b, EV_OP_MAP_INIT, dst, list, room, node);
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

/* `count(L)` just before `sum(x.f for x in L)`, L a list field (tianjin.dibao's
 * size and income): the LEN_OF already emitted becomes one LEN_SUM_OF
 * that fetches the list once and writes both slots, unless something
 * jumps between them or the count overwrites the record the list is
 * read from.  Returns the sum's slot, or -1 when the shape is not that. */
static int32_t fuse_len_sum(builder *b, const ev_node *l, int32_t field, int32_t node, int32_t want)
{
    ev_insn *prev = b->ncode ? &b->code[b->ncode - 1] : NULL;
    if (!prev || b->failed || prev->op != EV_OP_LEN_OF || prev->a != l->a || prev->b != l->b ||
        prev->dst == l->a || b->target == b->ncode)
        return -1;
    int32_t len = prev->dst, dst = want_slot(b, want);
    b->ncode--;
    int32_t i = emit(b, EV_OP_LEN_SUM_OF, dst, l->a, l->b, node);
    if (!b->failed) {
        b->code[i].c = field;
        b->code[i].imm = len;
    }
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
            if (n->kind == EV_SUM_FIELD && (dst = fuse_len_sum(b, l, n->b, node, want)) >= 0)
                return dst;
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
    default:       /* BIN, UN, LEAF, TREE: gen() built them */
        (void)ALWAYS(!"gen_own called for a kind gen() builds");
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

/* ---- fusing a sum and a map over the same elements --------------------- */

/* Operand nodes per kind: nodes.h's arity column. */
static const int8_t kind_arity[EV_KIND_COUNT] = {
#define X(name, arity, result, vm, doc) [EV_##name] = arity,
    EV_NODE_LIST(X)
#undef X
};

/* Whether the subtrees x and y compute the same value, slot vx in x
 * standing for slot vy in y (two loops' variables).  Conservative: loops
 * and maps inside are never the same. */
static int same_tree(builder *b, int32_t x, int32_t y, int32_t vx, int32_t vy)
{
    if (x < 0 || y < 0)
        return x == y;
    const ev_node *p = &b->t->nodes[x], *q = &b->t->nodes[y];
    if (p->kind != q->kind || p->flags != q->flags || p->imm != q->imm || p->kind == EV_MAP)
        return 0;
    int ar = kind_arity[p->kind];
    if (ar == 0)           /* a, when a slot, is the variable or the same slot */
        return (p->a == vx ? vy : p->a) == q->a && p->b == q->b;
    if (p->kind >= EV_COUNT && p->kind <= EV_ALL)
        return 0;
    if (ar == EV_ARGS) {
        if (p->b != q->b || !same_tree(b, p->c, q->c, vx, vy))
            return 0;
        for (int32_t k = 0; k < p->b; k++)
            if (!same_tree(b, b->t->args[p->a + k], b->t->args[q->a + k], vx, vy))
                return 0;
        return 1;
    }
    const int32_t px[3] = {p->a, p->b, p->c}, qx[3] = {q->a, q->b, q->c};
    for (int o = 0; o < 3; o++)
        if (o < ar ? !same_tree(b, px[o], qx[o], vx, vy) : px[o] != qx[o])
            return 0;
    return 1;
}

/* Whether subtree x reads frame slot s (arity 0 kinds other than
 * CONST and AS_OF hold a slot in a). */
static int reads_slot(builder *b, int32_t x, int32_t s)
{
    if (x < 0)
        return 0;
    const ev_node *n = &b->t->nodes[x];
    int ar = kind_arity[n->kind];
    if (ar == 0)
        return n->kind != EV_CONST && n->kind != EV_AS_OF && n->a == s;
    if (ar == EV_ARGS || n->kind == EV_MAP) {
        int32_t from = n->kind == EV_MAP ? n->b : n->a, len = n->kind == EV_MAP ? 2 : n->b;
        for (int32_t k = 0; k < len; k++)
            if (reads_slot(b, b->t->args[from + k], s))
                return 1;
        return reads_slot(b, n->c, s) || (n->kind == EV_MAP && reads_slot(b, n->a, s));
    }
    const int32_t ops[3] = {n->a, n->b, n->c};
    for (int o = 0; o < ar; o++)
        if (reads_slot(b, ops[o], s))
            return 1;
    return 0;
}

/* `output total = sum(v(m) for m in L where f(m))` followed by
 * `output each = map(k(m) => v(m) for m in L where f(m))` (tekun_care's
 * monthly_care_subsidy and by_member): one loop over L that tests f and
 * computes v once per element, adding it to the sum and putting it in
 * the map, where the walker loops twice.  The values and the first
 * error are the same: both loops meet an element's errors in the same
 * order, the map's key cannot fail, and k may not read the sum.  0 when
 * the two defs are not of that shape. */
static int fuse_sum_map(builder *b, const ev_def *d0, const ev_def *d1)
{
    const ev_node *s = &b->t->nodes[d0->root], *m = &b->t->nodes[d1->root];
    if (!d0->is_scalar || d1->is_scalar || (s->kind != EV_SUM_INT && s->kind != EV_SUM_DEC) ||
        m->kind != EV_MAP || s->flags != m->flags)
        return 0;
    int32_t key = b->t->args[m->b], val = b->t->args[m->b + 1];
    if (!same_tree(b, s->a, m->a, -1, -1) || !same_tree(b, s->c, m->c, (int32_t)s->imm, (int32_t)m->imm) ||
        !same_tree(b, s->b, val, (int32_t)s->imm, (int32_t)m->imm) || reads_slot(b, key, (int32_t)d0->slot))
        return 0;
    int32_t list = gen_cell(b, s->a, -1);
    int32_t sum = (int32_t)d0->slot, map = (int32_t)d1->slot;
    emit_set(b, sum, 0);
    int32_t room = (int32_t)b->nslots;
    b->nslots += 2 * VM_MAP_ROOM;
    int32_t init = emit(b, EV_OP_MAP_INIT, map, list, room, d1->root);
    loop lp = loop_head(b, list, (int32_t)s->imm, d0->root);
    loop_filter(b, &lp, s->c);
    int32_t v = gen(b, s->b, -1);
    const ev_node *k = &b->t->nodes[key];
    if (k->kind == EV_TEXT_FIELD && k->a == m->imm) {   /* m.id: read from the sum's variable */
        int32_t i = emit(b, EV_OP_SUM_PUT, sum, v, map, d0->root);   /* the sum's node: its errors */
        if (!b->failed) {
            b->code[i].c = (int32_t)s->imm;
            b->code[i].imm = k->b;
            b->code[i].flags = s->kind == EV_SUM_DEC ? SUM_PUT_DEC : 0;
        }
    } else {
        emit(b, s->kind == EV_SUM_INT ? EV_OP_ACC_SUM_INT : EV_OP_ACC_SUM_DEC, sum, v, -1, d0->root);
        emit(b, EV_OP_MOVE, (int32_t)m->imm, (int32_t)s->imm, -1, -1);   /* the key reads the map's variable */
        emit(b, EV_OP_MAP_PUT, map, gen_cell(b, key, -1), v, d1->root);
    }
    loop_end(b, &lp);
    land(b, init);
    return 1;
}

static void check_fen_of(builder *b, uint32_t i)
{
    if (!b->t->defs[i].check_fen)
        return;
    int32_t k = emit(b, EV_OP_CHECK_FEN, -1, (int32_t)b->t->defs[i].slot, -1, -1);
    if (!b->failed) b->code[k].imm = i;
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
        if (i + 1 < t->ndefs && fuse_sum_map(&b, d, &t->defs[i + 1])) {
            check_fen_of(&b, i);
            check_fen_of(&b, ++i);
            continue;
        }
        if (d->is_scalar)
            gen(&b, d->root, (int32_t)d->slot);
        else
            gen_cell(&b, d->root, (int32_t)d->slot);
        check_fen_of(&b, i);
    }
    emit(&b, EV_OP_HALT, -1, -1, -1, -1);
    ev_prog *p = arena_alloc(pool, sizeof *p);
    if (b.failed || !p)
        return -1;
    for (uint32_t i = 0; i < b.ncode; i++)
        if (NEVER(!vm_runs[b.code[i].op]))
            return 0;      /* release: no program, the walker evaluates (ev_run) */
    p->code = b.code;
    p->ncode = b.ncode;
    p->const_slot = b.kslot;
    p->const_value = b.kval;
    p->nconst = b.nconst;
    p->lut = b.lut;
    p->ntree = b.ntree;
    /* known now, so ev_run need not test each count per decision */
    p->plain = t->nrefusals == 0 && t->nwarnings == 0 && t->nranges == 0;
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
