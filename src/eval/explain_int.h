/*
 * explain_int.h - what the two halves of the explainer share.
 *
 * explain.c writes the formulas, the steps and the citizen's text;
 * explain_calc.c the `calc` tree of each step (which audit/proof.c
 * re-derives) and the helpers both read the evaluation tree with.
 * Other code sees explain.h only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_EXPLAIN_INT_H
#define ELIGO_EXPLAIN_INT_H

#include "eval/explain.h"

/* The def or parameter whose value is in frame slot `slot`; NULL if none. */
const ev_def *ex_def_of_slot(const ev_tree *t, int32_t slot);
const ev_param *ex_param_of_slot(const ev_tree *t, int32_t slot);
/* Node i past int/decimal conversions, which a reader does not see. */
int32_t ex_bare(const ev_tree *t, int32_t i);
/* The type node i's value is shown in. */
const ty *ex_type_of(const ev_tree *t, int32_t i);
/* The rule of a RULE chain that gave the value (-1: the base, in *base). */
int32_t ex_rule_node(ev_ctx *c, int32_t root, int32_t *base);
/* Node i's computation as a `calc` JSON tree, recomputed in the frame. */
void ex_calc(buf *b, ev_ctx *c, int32_t i);

#endif
