/*
 * value.h - types and the cells that hold values during evaluation.
 *
 * Every scalar is one int64_t: bool (0/1), int, decimal and money
 * (millionths, see decimal.h), date (days, see date.h), enum (index of the
 * value in its declaration).  Text is a pointer and a length; a list is a
 * pointer to `n` elements of `stride` cells each (an entity record per
 * element, or one cell per scalar); a map is a list of (text key, value)
 * pairs, stride 2.  A record of an entity is `nfields` consecutive cells.
 *
 * Ownership: cells never own what they point to.  Input records and lists
 * live in the request arena; text points into the request buffer or the
 * request arena; compiled constants live in the policy arena.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_VALUE_H
#define ELIGO_VALUE_H

#include <stdint.h>

typedef union ev_cell ev_cell;
union ev_cell {
    int64_t i;
    struct { const char *ptr; uint32_t len; } s;
    struct { ev_cell *base; uint32_t n; uint32_t stride; } l;
    const ev_cell *rec;       /* a record: loop variables, the input root */
};

typedef enum ty_kind {
    TY_ERROR,      /* the checker already reported a problem here */
    TY_BOOL, TY_INT, TY_DECIMAL, TY_MONEY, TY_DATE, TY_TEXT,
    TY_ENUM, TY_ENTITY, TY_LIST, TY_MAP,
    TY_DURATION,   /* only inside date arithmetic; never stored */
    TY_NUMBER      /* an untyped decimal literal: adopts the other side's type */
} ty_kind;

typedef enum ty_period { TP_NONE, TP_MONTH, TP_YEAR, TP_ONCE } ty_period;

struct enum_def;
struct entity_def;

/* Types are made by the checker (lang/check_types.c): scalars without a unit
 * are shared constants, the others live in the policy arena, so compare
 * them with ty_equal, not by pointer. */
typedef struct ty {
    ty_kind kind;
    ty_period period;                /* TY_MONEY only */
    const struct ty *elem;           /* TY_LIST, TY_MAP */
    const struct enum_def *en;       /* TY_ENUM */
    const struct entity_def *ent;    /* TY_ENTITY */
    const char *unit;                /* TY_INT, TY_DECIMAL: declared unit (平方米, 户,
                                      * 平方米/户, % for a percentage), or NULL */
} ty;

/* The unit a quantity is measured in, for the checks of + - * / and
 * comparisons: NULL for none and for a percentage, which is a number
 * (only shown differently). */
static inline const char *ty_dimension(const ty *t)
{
    return t->unit && !(t->unit[0] == '%' && !t->unit[1]) ? t->unit : NULL;
}

static inline int ty_is_percent(const ty *t)
{
    return t->unit && t->unit[0] == '%' && !t->unit[1];
}

static inline int ty_is_scalar(const ty *t)
{
    return t->kind == TY_BOOL || t->kind == TY_INT || t->kind == TY_DECIMAL ||
           t->kind == TY_MONEY || t->kind == TY_DATE || t->kind == TY_ENUM ||
           t->kind == TY_NUMBER;
}

static inline int ty_is_decimal_like(const ty *t)
{
    return t->kind == TY_DECIMAL || t->kind == TY_MONEY || t->kind == TY_NUMBER;
}

#endif
