/*
 * compiled.h - a compiled policy as decisions see it: its name, title,
 * sources and hash, its input entity and its evaluation tree.
 *
 * lang/compile.c makes it (compile_policy) and frees it (policy_free);
 * this header lets the writers of decisions and explanations (src/io/)
 * read it without the compiler's headers.  The compiler's own parts (the
 * source text, the model, the tests kept as syntax) are opaque here.
 *
 * Ownership: the policy owns its arena, which holds everything below
 * except the model it borrows (see lang/compile.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_COMPILED_H
#define ELIGO_COMPILED_H

#include <stdint.h>
#include "base/arena.h"
#include "eval/model.h"
#include "eval/tree.h"

typedef struct source source;
typedef struct ast_node ast_node;
typedef struct cmodel cmodel;
struct json_fixed;

typedef struct policy_source { const char *file, *quote; } policy_source;

/* A value, row or policy that states an assumption instead of quoting a
 * document (lang/cite.c): where, what, and the stated reason.  Kept as
 * parts, put into words only when listed (eligo check --assumptions):
 * a generated policy may state thousands, and compiling formats none. */
typedef struct policy_assumption {
    uint32_t offset;          /* of the citation in the policy's text */
    uint32_t row;             /* a table row's number from 1, else 0 */
    const char *what;         /* "parameter", "table", "warning", "policy" */
    const char *name;         /* the parameter's or table's name, else NULL */
    const char *from;         /* a parameter value's first day, else NULL */
    const char *text;         /* the stated reason */
} policy_assumption;

/* A test block, kept as syntax; `src` is where it was written (the policy
 * itself or a .test file beside it). */
typedef struct policy_test {
    const source *src;
    ast_node *node;
} policy_test;

typedef struct policy {
    arena pool;
    source *src;
    const char *name, *title, *jurisdiction;
    policy_source *sources;
    uint32_t nsources;
    policy_assumption *assumptions;   /* filled by lang/cite.c when checked */
    uint32_t nassumptions;
    const cmodel *model;
    const entity_def *root;
    ev_tree tree;
    policy_test *tests;
    uint32_t ntests, tests_cap;
    source **extra_srcs;      /* .test files attached, owned */
    uint32_t nextra;
    char hash[72];            /* "sha256:" + 64 hex digits of the text */
    const struct json_fixed *json; /* the answer's fixed parts, escaped at load
                                      (io/json_fixed.h), in pool */
} policy;

#endif
