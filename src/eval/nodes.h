/*
 * nodes.h - the kinds of evaluation-tree node and the instructions of the
 * flat program, each listed once.
 *
 * EV_NODE_LIST has one row per node kind, X(name, arity, result, vm, doc):
 *   arity   how many of the operands a, b, c are nodes (read in that
 *           order); ARGS when the operands are a run of tree->args;
 *   result  SCALAR (one int64), CELL (a list, text or map) or EITHER;
 *   vm      how the flat program computes it (vm_build.c):
 *           BIN   one instruction of this kind on the slots of a and b,
 *           UN    one instruction of this kind on the slot of a,
 *           LEAF  one instruction of this kind with the node's a and b,
 *           SELF  a builder of its own that may emit this kind,
 *           OWN   a builder of its own that emits only program
 *                 instructions (EV_OP_LIST) and never this kind,
 *           TREE  no flat form: one TREE instruction asks the walker,
 *                 counted in ev_prog.ntree (see `vm_build.c`);
 *   doc     what a, b, c and imm hold.
 * From the list come: the enum below; the walker's cases for the kinds
 * of the other result (eval.c, so that its switches name every kind and
 * -Wswitch reports a kind no case handles); the builder's dispatch and
 * the run loop's labels for BIN, UN, LEAF and SELF (vm_build.c, vm.c: a
 * kind without a label is a compile error, not a silent fallback); and
 * the names the disassembler prints (ev_prog_disasm).
 *
 * To add a node kind: add its row here (before the row you want it
 * after; nothing depends on the numbering), its case in eval.c's
 * ev_scalar or eval_list (the compiler says which is missing), and,
 * unless its vm column is TREE, its label in vm.c (BIN, UN, LEAF, SELF)
 * or its builder in vm_build.c (SELF, OWN); lower.c makes it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_NODES_H
#define ELIGO_NODES_H

#define EV_ARGS (-1)   /* arity: the operands are args[a .. a+b) */

#define EV_NODE_LIST(X) \
    X(CONST,         0, EITHER, OWN,  "imm = value (a text: imm = its bytes, b = its length)") \
    X(SLOT,          0, SCALAR, OWN,  "a = frame slot (a let, output or parameter)") \
    X(FIELD,         0, SCALAR, LEAF, "a = frame slot holding a record, b = field index") \
    X(AS_OF,         0, SCALAR, LEAF, "the decision date") \
    X(ADD_INT,       2, SCALAR, BIN,  "a + b, ints") \
    X(SUB_INT,       2, SCALAR, BIN,  "a - b, ints") \
    X(MUL_INT,       2, SCALAR, BIN,  "a * b, ints") \
    X(ADD_DEC,       2, SCALAR, BIN,  "a + b, decimals") \
    X(SUB_DEC,       2, SCALAR, BIN,  "a - b, decimals") \
    X(MUL_DEC,       2, SCALAR, BIN,  "a * b, decimals") \
    X(MUL_DEC_INT,   2, SCALAR, BIN,  "a * b, a decimal and b int") \
    X(DIV_DEC,       2, SCALAR, BIN,  "a / b, decimals, cut at six places") \
    X(DIV_DEC_INT,   2, SCALAR, BIN,  "a / b, a decimal and b int") \
    X(NEG,           1, SCALAR, UN,   "-a") \
    X(INT_TO_DEC,    1, SCALAR, UN,   "a as a decimal") \
    X(DEC_TO_INT,    1, SCALAR, UN,   "a (integral decimal) as an int") \
    X(LT,            2, SCALAR, BIN,  "a < b") \
    X(LE,            2, SCALAR, BIN,  "a <= b") \
    X(GT,            2, SCALAR, BIN,  "a > b") \
    X(GE,            2, SCALAR, BIN,  "a >= b") \
    X(EQ,            2, SCALAR, BIN,  "a == b") \
    X(NE,            2, SCALAR, BIN,  "a != b") \
    X(TEXT_EQ,       2, SCALAR, SELF, "a == b, texts") \
    X(AND,           2, SCALAR, OWN,  "a and b, short-circuit") \
    X(OR,            2, SCALAR, OWN,  "a or b, short-circuit") \
    X(NOT,           1, SCALAR, UN,   "not a") \
    X(IF,            3, EITHER, OWN,  "if a then b else c") \
    X(RULE,          3, EITHER, OWN,  "unless a then b else c; imm = rule id (coverage, explain)") \
    X(ROUND,         1, SCALAR, UN,   "round(a, imm = quantum), flags = mode") \
    X(DIV_ROUND,     2, SCALAR, SELF, "round(a / b, imm = quantum) exactly, flags = mode") \
    X(MIN2,          2, SCALAR, BIN,  "min(a, b)") \
    X(MAX2,          2, SCALAR, BIN,  "max(a, b)") \
    X(DATE_ADD_DAYS,   2, SCALAR, BIN, "a + b days") \
    X(DATE_ADD_MONTHS, 2, SCALAR, BIN, "a + b months") \
    X(DATE_ADD_YEARS,  2, SCALAR, BIN, "a + b years") \
    X(MONTHS_BETWEEN,  2, SCALAR, BIN, "whole months from date a to date b (date.h)") \
    X(YEARS_BETWEEN,   2, SCALAR, BIN, "whole years from date a to date b; flags 1: age_on, an error when b < a") \
    X(PARAM_AT,      1, SCALAR, TREE, "parameter imm in force on date a") \
    X(COUNT,         3, SCALAR, OWN,  "count of list a where c; b unused; imm = loop slot") \
    X(LIST_LEN,      1, SCALAR, SELF, "number of elements of list a (count without a filter)") \
    X(SUM_FIELD,     1, SCALAR, SELF, "sum of field b of the records of list a (no filter)") \
    X(SUM_INT,       3, SCALAR, OWN,  "sum of b over list a where c") \
    X(SUM_DEC,       3, SCALAR, OWN,  "sum of b over list a where c") \
    X(MIN,           3, SCALAR, OWN,  "min of b over list a where c") \
    X(MAX,           3, SCALAR, OWN,  "max of b over list a where c") \
    X(ANY,           3, SCALAR, OWN,  "b holds for some element of a where c") \
    X(ALL,           3, SCALAR, OWN,  "b holds for every element of a where c") \
    X(MAP,           3, CELL,   OWN,  "list a -> map of key (args[b]) to value (args[b+1]) where c") \
    X(LIST_FIELD,    0, CELL,   OWN,  "list field b of the record in slot a") \
    X(LIST_SLOT,     0, CELL,   OWN,  "the list held in slot a") \
    X(LIST_LIT,   EV_ARGS, CELL, TREE, "list of args[a .. a+b)") \
    X(TABLE,      EV_ARGS, EITHER, OWN, "decision table imm on args[a .. a+b); c = value_or's default, or -1") \
    X(TEXT_FIELD,    0, CELL,   OWN,  "text field b of the record in slot a")

/* Column helpers: EV_VM_RUNS_<vm>(...) keeps its arguments for the kinds
 * that have a label in the run loop; EV_IS_CELL_<result> and
 * EV_IS_SCALAR_<result> keep them for the kinds that are only a cell, or
 * only a scalar (eval.c's internal-error cases). */
#define EV_VM_RUNS_BIN(...) __VA_ARGS__
#define EV_VM_RUNS_UN(...) __VA_ARGS__
#define EV_VM_RUNS_LEAF(...) __VA_ARGS__
#define EV_VM_RUNS_SELF(...) __VA_ARGS__
#define EV_VM_RUNS_OWN(...)
#define EV_VM_RUNS_TREE(...)
#define EV_ONLY_CELL_CELL(...) __VA_ARGS__
#define EV_ONLY_CELL_SCALAR(...)
#define EV_ONLY_CELL_EITHER(...)
#define EV_ONLY_SCALAR_SCALAR(...) __VA_ARGS__
#define EV_ONLY_SCALAR_CELL(...)
#define EV_ONLY_SCALAR_EITHER(...)
/* EV_NODE_LIST(EV_CASES_ONLY_CELL): `case EV_x:` for each cell-only kind. */
#define EV_CASES_ONLY_CELL(name, arity, result, vm, doc) EV_ONLY_CELL_##result(case EV_##name:)
#define EV_CASES_ONLY_SCALAR(name, arity, result, vm, doc) EV_ONLY_SCALAR_##result(case EV_##name:)

typedef enum ev_kind {
#define X(name, arity, result, vm, doc) EV_##name,
    EV_NODE_LIST(X)
#undef X
    EV_KIND_COUNT
} ev_kind;

/*
 * The instructions of the flat program (vm_build.c makes it, vm.c runs
 * it) that ev_run executes when
 * no coverage is counted.  An instruction reads frame slots a and b and
 * writes slot dst; c is a jump target.  The arithmetic, comparison and
 * rounding instructions reuse the node kinds above (same meaning, slots
 * for operands); the ones below exist only in programs, and are
 * documented at their case in vm.c.
 */
#define EV_OP_LIST(X) \
    X(HALT,       "end of the program") \
    X(MOVE,       "dst = a (the whole cell)") \
    X(SET,        "dst = imm") \
    X(TRUTH,      "dst = a != 0") \
    X(CELL_FIELD, "dst = field b of the record in slot a (list or text)") \
    X(JUMP,       "go to c") \
    X(JUMP_IF,    "go to c when a holds") \
    X(JUMP_UNLESS, "go to c unless a holds") \
    X(JUMP_LT, "go to c when a < b") X(JUMP_LE, "go to c when a <= b") \
    X(JUMP_GT, "go to c when a > b") X(JUMP_GE, "go to c when a >= b") \
    X(JUMP_EQ, "go to c when a == b") X(JUMP_NE, "go to c when a != b") \
    X(PICK,       "dst = a + b or a - b when slot c holds, else slot imm: see vm.c") \
    X(JUMP_FLT, "go to c when field imm of the record in slot a < b") \
    X(JUMP_FLE, "as JUMP_FLT with <=") X(JUMP_FGT, "... >") X(JUMP_FGE, "... >=") \
    X(JUMP_FEQ, "... ==") X(JUMP_FNE, "... !=") \
    X(LOOP,       "dst = 0 (a loop's counter), go to c (its NEXT or SCAN)") \
    X(NEXT,       "loop: next element of list a into slot b and go to c; counter dst") \
    X(SCAN,       "NEXT that skips the records failing a field comparison: see vm.c") \
    X(LEN_OF,     "dst = length of list field b of the record in slot a") \
    X(SUM_FIELD_OF, "dst = sum of field c over list field b of the record in slot a") \
    X(LEN_SUM_OF, "slot imm = LEN_OF, then dst = SUM_FIELD_OF, of the same list (one fetch)") \
    X(INC,        "dst = dst + 1") \
    X(ACC_SUM_INT, "dst = dst + a, ints") \
    X(ACC_SUM_DEC, "dst = dst + a, decimals") \
    X(ACC_MIN,    "dst = min(dst, a); b = slot saying dst has a value") \
    X(ACC_MAX,    "dst = max(dst, a); b as for ACC_MIN") \
    X(ANY_HIT,    "when a holds: dst = 1, go to c") \
    X(ALL_MISS,   "unless a holds: dst = 0, go to c") \
    X(NOT_EMPTY,  "error unless slot a holds (min/max of an empty list)") \
    X(MAP_INIT,   "dst = empty map with room for list a, at slot b when it fits; c on no memory") \
    X(MAP_PUT,    "append key a, value b to the map in dst") \
    X(SUM_PUT,    "ACC_SUM of a into dst, then MAP_PUT of field imm of the record in slot c, a into map b") \
    X(TABLE1,     "one-column table by lookup: see vm.c") \
    X(TABLE1_FIELD, "TABLE1 on field flags of the record in slot a") \
    X(DIV_ROUND_INT, "DIV_ROUND of a decimal by an int b (c = the INT_TO_DEC node)") \
    X(TREE,       "dst = the scalar of node imm, by the tree walker") \
    X(TREE_CELL,  "dst = the list, text or map of node imm, by the tree walker") \
    X(CHECK_FEN,  "error when money output a (def imm) has digits below the fen")

typedef enum ev_op {
    EV_OP_FIRST = EV_KIND_COUNT - 1,
#define X(name, doc) EV_OP_##name,
    EV_OP_LIST(X)
#undef X
    EV_OP_COUNT
} ev_op;

#endif
