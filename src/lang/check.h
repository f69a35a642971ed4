/*
 * check.h - what the checker knows about a policy, shared with lower.c.
 *
 * The checker (check.c, check_types.c, check_expr.c, check_tables.c)
 * resolves every name (with "did you mean" suggestions), types every
 * expression (units and periods: money per month never meets money per
 * year without per_month()/per_year()), orders the definitions (and
 * reports cycles), warns about unused ones, normalises decision-table
 * cells to intervals and runs the table analysis, checks that every
 * parameter has exactly one value in force on each day of the covered
 * period, and types the conditions of assertions, refusals (`refuse
 * when`) and advisory norms (`warn when`), whose reads lower.c restricts.  lower.c then reads the symbols and the typed AST.
 *
 * Ownership: everything lives in the policy arena (`pool`).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_CHECK_H
#define ELIGO_CHECK_H

#include "base/arena.h"
#include "lang/ast.h"
#include "lang/compile.h"
#include "lang/diag.h"
#include "lang/tables.h"

typedef enum sym_kind {
    SYM_PARAM, SYM_LET, SYM_OUTPUT, SYM_TABLE, SYM_ROOT, SYM_VAR, SYM_TPARAM
} sym_kind;

typedef struct sym {
    sym_kind kind;
    const char *name;
    ast_node *decl;
    const ty *type;        /* for tables: the result type */
    int32_t slot;          /* frame slot (lower.c) */
    uint32_t index;        /* position among params / tables */
    int used;
    int read_now;          /* params: read at as_of somewhere (not only with `at`) */
    int mark;              /* cycle search: 0 new, 1 on stack, 2 done */
    uint32_t *deps;        /* syms this one reads */
    uint32_t ndeps, capdeps;
    /* tables only */
    tab_rows rows;
    const ty **col_types;
    uint32_t ncols;
    ast_node *else_row;
    /* a result column of a table of several results (`t.min`): the table's
     * own name, the column's position and the number of columns */
    const char *base, *result_label;
    uint32_t result_col, nresults;
    /* a table whose cells read parameters: its conditions on each stretch
     * of the covered period where those are constant (rows is the first) */
    uint32_t nversions;
    const int64_t *version_from;    /* first day of each stretch */
    const tab_rows *version_rows;
    const uint32_t *cell_params;    /* the parameters the cells read (sym indices) */
    uint32_t ncell_params;
} sym;

typedef struct checked {
    arena *pool;
    const source *src;
    diag_list *dl;
    const cmodel *model;
    const entity_def *root;
    const char *root_name;
    sym *syms;
    uint32_t nsyms, capsyms;
    uint32_t *hash;         /* open addressing over syms by name: index + 1, 0 = empty */
    uint32_t hashcap;       /* a power of two, at least twice nsyms */
    enum_def **enums;       /* visible enums: the model's and the policy's */
    uint32_t nenums;
    uint32_t *order;        /* lets and outputs, dependencies first */
    uint32_t norder;
    ast_node **asserts;
    uint32_t nasserts;
    ast_node **refusals;    /* `refuse when` declarations, in order */
    uint32_t nrefusals;
    ast_node **warnings;    /* `warn when` declarations, in order */
    uint32_t nwarnings;
    int64_t covers_from, covers_until;
    int have_covers;
} checked;

int check_policy(checked *ck, ast_node *file);

/* Types (check_types.c): scalars are shared constants; the others are
 * made per arena and not interned, so compare them with ty_equal. */
const ty *ty_scalar(ty_kind k);
const ty *ty_money(ty_period p);
const ty *ty_list_of(arena *pool, const ty *elem);
/* t (an int or decimal) measured in unit (value.h); t when unit is NULL. */
const ty *ty_with_unit(arena *pool, const ty *t, const char *unit);
const ty *ty_map_of(arena *pool, const ty *elem);
const ty *ty_enum(arena *pool, const enum_def *e);
const ty *ty_entity(arena *pool, const entity_def *e);
int ty_equal(const ty *a, const ty *b);
/* "money per month", "list of person", ... into out (64 bytes). */
const char *ty_str(const ty *t, char *out, size_t n);
/* Resolves a TYPE node against the visible enums and the model's
 * entities; reports unknown names. */
const ty *check_type(checked *ck, ast_node *t);
/* Parses a literal (INT, DEC, DATE, BOOL) node of type t into a value;
 * 0, or -1 after reporting. */
int check_literal_value(checked *ck, ast_node *n, const ty *t, int64_t *out);

#endif
