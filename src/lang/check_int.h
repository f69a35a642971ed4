/*
 * check_int.h - what the parts of the checker share (not for other stages).
 *
 * The checker is four files by concern: check.c (symbols, declarations,
 * the order of definitions, dated parameters and the whole policy),
 * check_types.c (types, units and constants), check_expr.c (typing
 * expressions) and check_tables.c (decision tables and their analysis).
 * lower.c and the rest see only check.h.  The helpers below are prefixed
 * ck_ because they are visible across the library.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_CHECK_INT_H
#define ELIGO_CHECK_INT_H

#include "lang/check.h"

#define MAX_SCOPE 64

typedef struct scope_var {
    const char *name;
    const ty *type;
    ast_node *decl;
} scope_var;

typedef struct walk {
    checked *ck;
    int current;                /* sym index whose body is checked, or -1 */
    scope_var vars[MAX_SCOPE];
    int nvars;
    int depth;
    sym *table;                 /* table whose row outputs are checked */
} walk;

/* check.c: diagnostics, symbols and names */
void ck_err(checked *ck, ast_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
sym *ck_sym_find(checked *ck, const char *name);
sym *ck_sym_add(checked *ck, sym_kind kind, ast_node *decl);
void ck_add_dep(checked *ck, int from, uint32_t to);
const enum_def *ck_enum_find(checked *ck, const char *name);
const entity_def *ck_entity_find(const cmodel *m, const char *name);
void ck_suggest(checked *ck, const char *name, const char *const *cands, size_t n);
void ck_suggest_name(walk *w, const char *name, const ty *expect);
void ck_walk_init(walk *w, checked *ck, int current);

/* check_expr.c: types n (expect, when known, types literals and enum
 * values); ck_want also requires the type expect, naming `what` */
const ty *ck_expr(walk *w, ast_node *n, const ty *expect);
const ty *ck_want(walk *w, ast_node *n, const ty *expect, const char *what);
const ty *ck_unify(const ty *a, const ty *b);
int ck_is_err(const ty *t);
int ck_is_num(const ty *t);

/* check_types.c: the one message for a percentage where money is wanted
 * (a parameter value, a table cell, a definition, an argument) */
void ck_percent_not_money(checked *ck, ast_node *n, const ty *money);

/* check_tables.c */
sym *ck_declare_table(checked *ck, ast_node *d);
void ck_declare_columns(checked *ck, ast_node *d);
void ck_check_table(checked *ck, uint32_t si);

/* check_range.c: `award.min` on a range output rewritten in place into
 * the name of its hidden output (1), `award` alone refused with a hint
 * (1), the ends' type and literal order checked */
int ck_range_member(walk *w, ast_node *n);
int ck_range_whole(walk *w, ast_node *n);
void ck_check_ranges(checked *ck);

#endif
