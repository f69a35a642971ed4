/*
 * parse.h - runs the reentrant flex scanner and the pure bison parser
 * over one source and returns its syntax tree.
 *
 * Syntax errors are appended to `dl` (every one, up to dl->max_errors,
 * thanks to the grammar's error productions); the returned tree holds
 * every declaration that parsed, so later stages can still report their
 * own errors on the rest.
 *
 * Ownership: the tree lives in `pool`; the source must outlive it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_PARSE_H
#define ELIGO_PARSE_H

#include "base/arena.h"
#include "lang/ast.h"
#include "lang/diag.h"

/* Returns the FILE node (never NULL unless out of memory). */
ast_node *parse_source(const source *src, arena *pool, diag_list *dl);

/* Limits the parser enforces (each a compile error at its location). */
#define PARSE_MAX_NESTING 256      /* nested expressions / parentheses */
#define PARSE_MAX_SOURCE (4u << 20) /* bytes in one file */

#endif
