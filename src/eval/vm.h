/*
 * vm.h - the evaluation tree flattened into a program of instructions.
 *
 * lower.c builds the program once per policy, after the tree; ev_run()
 * executes it whenever no coverage is counted.  Each instruction reads
 * frame slots and writes one, so a decision is one pass down an array
 * instead of a recursive walk that re-reads every node's kind and
 * operands.  The tree stays: explanations, coverage and constant folding
 * walk it, and a program falls back to it for the rare node kinds it
 * does not flatten.
 *
 * Ownership: the program lives in the policy's arena, immutable after
 * ev_prog_build(), like the tree.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_VM_H
#define ELIGO_VM_H

#include <stdio.h>
#include "base/arena.h"
#include "eval/eval.h"

/* Builds t->prog from t's nodes and defs, adding the program's constant
 * and temporary slots to t->nslots.  0, or -1 when out of memory. */
int ev_prog_build(ev_tree *t, arena *pool);
/* Writes the program's constants into the frame (from ev_bind). */
void ev_prog_bind(ev_ctx *c);
/* ev_run for a bound context without coverage: 0, or -1 with c->err. */
int ev_prog_run(ev_ctx *c, const ev_cell *root);
/* The name of a node kind or program instruction ("ADD_DEC", "SCAN"),
 * from nodes.h's lists; "?" for a number that is neither. */
const char *ev_op_name(int op);
/* Writes t's program to out, one instruction a line with its operands,
 * after a line counting instructions, constants and TREE fallbacks. */
void ev_prog_disasm(const ev_tree *t, FILE *out);

#endif
