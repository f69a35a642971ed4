/*
 * proof.h - checking an explanation as a proof: every step re-derived
 * from the explanation JSON alone.
 *
 * An explanation (eval/explain.c) gives each step a `calc`: a tree whose
 * nodes state an operation, the values of its operands and its result;
 * the leaves are constants, input fields, parameters (the value read, the
 * date it was read on) and earlier steps.  proof_check() recomputes every
 * node from its operands with the exact decimal and date arithmetic of
 * eval/decimal.c and eval/date.c (no policy, no evaluator) and checks
 * that each parameter leaf agrees with the step's `parameters` entry
 * (same value, read on a date inside the version's validity), each step
 * leaf with that step's value, each table's rows with the arguments
 * (every row matched or passed over, by its conditions), and each step's
 * value with its calculation.
 *
 * How it fits: `eligo explain --check` (cli/cmd_explain.c) and the unit
 * tests call it on `eligo eval --explain` output or a stored
 * explanation.
 *
 * What it does not prove: that input fields (leaves, stated) are the
 * stored input's, that table conditions and parameter values are the
 * policy's, the order of enum values in an enum comparison other
 * than = and ≠, or a node stated with op "value" (lists, maps and
 * texts, and age_on / years_between / months_between, which the
 * explainer does not yet take apart).  An aggregation's elements are proved one by one: each
 * filter's and each kept value's calculation.
 *
 * Ownership: reads the caller's text; the message goes to the caller's
 * buffer.  Allocates its token array with malloc and frees it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_PROOF_H
#define ELIGO_PROOF_H

#include <stddef.h>

/* 0 when every step holds; -1 with why = "step NAME: …" naming the step
 * and the operand or operation that does not hold, or why the text is
 * not an explanation.  json is a decision (with an `explanation`) or an
 * explanation object.  *nsteps (may be NULL) counts the steps checked. */
int proof_check(const char *json, size_t len, char *why, size_t whylen, unsigned *nsteps);

#endif
