/*
 * nodes.h - the kinds of evaluation-tree node, listed once.
 *
 * X(name, operands) where operands says what a, b, c and imm hold.  The
 * list is expanded into the enum below, into the names `eligo check
 * --dump` prints, and documented case by case in eval.c.
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
    X(TABLE,        "decision table imm on args[a .. a+b)") \
    X(TEXT_FIELD,   "text field b of the record in slot a")

typedef enum ev_kind {
#define X(name, doc) EV_##name,
    EV_NODE_LIST(X)
#undef X
    EV_KIND_COUNT
} ev_kind;

#endif
