/*
 * nodes.h - the kinds of evaluation-tree node, listed once.
 *
 * X(name, operands) where operands says what a, b, c and imm hold.  The
 * list is expanded into the enum below, into the names `eligo check
 * --dump` prints, and documented case by case in eval.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_NODES_H
#define ELIGO_NODES_H

#define EV_NODE_LIST(X) \
    X(CONST,        "imm = value") \
    X(SLOT,         "a = frame slot (a let, output or parameter)") \
    X(FIELD,        "a = frame slot holding a record, b = field index") \
    X(AS_OF,        "the decision date") \
    X(ADD_INT,      "a + b, ints") \
    X(SUB_INT,      "a - b, ints") \
    X(MUL_INT,      "a * b, ints") \
    X(ADD_DEC,      "a + b, decimals") \
    X(SUB_DEC,      "a - b, decimals") \
    X(MUL_DEC,      "a * b, decimals") \
    X(MUL_DEC_INT,  "a * b, a decimal and b int") \
    X(DIV_DEC,      "a / b, decimals, cut at six places") \
    X(DIV_DEC_INT,  "a / b, a decimal and b int") \
    X(NEG,          "-a") \
    X(INT_TO_DEC,   "a as a decimal") \
    X(DEC_TO_INT,   "a (integral decimal) as an int") \
    X(LT, "a < b") X(LE, "a <= b") X(GT, "a > b") X(GE, "a >= b") \
    X(EQ, "a == b") X(NE, "a != b") \
    X(TEXT_EQ,      "a == b, texts") \
    X(AND,          "a and b, short-circuit") \
    X(OR,           "a or b, short-circuit") \
    X(NOT,          "not a") \
    X(IF,           "if a then b else c") \
    X(RULE,         "unless a then b else c; imm = rule id (coverage, explain)") \
    X(ROUND,        "round(a, imm = quantum), flags = mode") \
    X(DIV_ROUND,    "round(a / b, imm = quantum) exactly, flags = mode") \
    X(MIN2,         "min(a, b)") \
    X(MAX2,         "max(a, b)") \
    X(DATE_ADD_DAYS,   "a + b days") \
    X(DATE_ADD_MONTHS, "a + b months") \
    X(DATE_ADD_YEARS,  "a + b years") \
    X(MONTHS_BETWEEN,  "whole months from date a to date b (date.h)") \
    X(YEARS_BETWEEN,   "whole years from date a to date b; flags 1: age_on, an error when b < a") \
    X(PARAM_AT,     "parameter imm in force on date a") \
    X(COUNT,        "count of list a where c; b unused; imm = loop slot") \
    X(LIST_LEN,     "number of elements of list a (count without a filter)") \
    X(SUM_FIELD,    "sum of field b of the records of list a (no filter)") \
    X(SUM_INT,      "sum of b over list a where c") \
    X(SUM_DEC,      "sum of b over list a where c") \
    X(MIN,          "min of b over list a where c") \
    X(MAX,          "max of b over list a where c") \
    X(ANY,          "b holds for some element of a where c") \
    X(ALL,          "b holds for every element of a where c") \
    X(MAP,          "list a -> map of key (args[0]) to b where c") \
    X(LIST_FIELD,   "list field b of the record in slot a") \
    X(LIST_SLOT,    "the list held in slot a") \
    X(LIST_LIT,     "list of args[a .. a+b)") \
    X(TABLE,        "decision table imm on args[a .. a+b); c = value_or's default, or -1") \
    X(TEXT_FIELD,   "text field b of the record in slot a")

typedef enum ev_kind {
#define X(name, doc) EV_##name,
    EV_NODE_LIST(X)
#undef X
    EV_KIND_COUNT
} ev_kind;

/*
 * The instructions of the flat program (vm.c) that ev_run executes when
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
    X(INC,        "dst = dst + 1") \
    X(ACC_SUM_INT, "dst = dst + a, ints") \
    X(ACC_SUM_DEC, "dst = dst + a, decimals") \
    X(ACC_MIN,    "dst = min(dst, a); b = slot saying dst has a value") \
    X(ACC_MAX,    "dst = max(dst, a); b as for ACC_MIN") \
    X(ANY_HIT,    "when a holds: dst = 1, go to c") \
    X(ALL_MISS,   "unless a holds: dst = 0, go to c") \
    X(NOT_EMPTY,  "error unless slot a holds (min/max of an empty list)") \
    X(MAP_INIT,   "dst = empty map with room for list a; c on no memory") \
    X(MAP_PUT,    "append key a, value b to the map in dst") \
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
