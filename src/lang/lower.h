/*
 * lower.h - typed AST to evaluation tree.
 *
 * Runs after check.c succeeded.  Assigns frame slots (input root,
 * parameters, lets and outputs, loop variables, table arguments), emits
 * nodes into one contiguous array, folds constant subtrees by running the
 * evaluator on them once, fuses round(a / b) into an exact DIV_ROUND,
 * builds each decision table's column-0 index, compiles label
 * placeholders to slots, lowers each refusal's condition (which may not
 * read a let or output) with the JSON Pointers of the fields it names,
 * and each warning's (`warn when`, which may) with the pointers of the
 * fields it reads through lets, and last flattens the tree into the program
 * ev_run executes (eval/vm.h).  After this no name is left.
 *
 * Ownership: the tree's arrays are allocated in ck->pool (the policy's).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_LOWER_H
#define ELIGO_LOWER_H

#include "lang/check.h"
#include "eval/tree.h"

typedef struct lowered {
    ev_tree tree;
    int32_t *assert_root;     /* one node per assertion, in order */
    uint32_t nasserts;
} lowered;

/* 0, or -1 with diagnostics (assertions reading non-parameters,
 * refusals reading lets or outputs). */
int lower_policy(checked *ck, lowered *out);

#endif
