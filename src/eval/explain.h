/*
 * explain.h - the account of one evaluated decision: what each let and
 * output computed, from which values, parameters and table rows.
 *
 * It lives with the evaluator, not with the language, because it reads
 * only what evaluation has: the evaluation tree with its notes (the
 * labels and types lower.c wrote beside each node), the frame of the
 * decision just made, and the table-row counters it kept.  It never sees
 * the syntax tree or the checker's symbols, so what it says is what was
 * computed.  Every Chinese word an explanation uses is in explain.c.
 *
 * The steps and the citizen's text run only when an explanation is asked
 * for: they evaluate subexpressions again (ev_scalar) to show their
 * values and allocate scratch text with malloc.  Two small parts serve
 * every decision too: explain_label and explain_rule give the reasons
 * their labels, and explain_json_value writes every output.
 *
 * Ownership: writes into the caller's buf; borrows the context (whose
 * coverage counters it reads and then switches off, see explain_steps).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_EXPLAIN_H
#define ELIGO_EXPLAIN_H

#include "base/buf.h"
#include "eval/compiled.h"
#include "eval/eval.h"

/* One value of type t as JSON: money, decimals, dates and enums as
 * strings ("860.00"), bools and ints bare, lists and maps nested. */
void explain_json_value(buf *b, const ty *t, const ev_cell *v);
/* Def d's label for its value (a bool's `else` label when false), its
 * `{name}` placeholders replaced by values from the frame. */
void explain_label(buf *b, const ev_def *d, const ev_cell *frame);
/* Placeholder h of a label filled from the frame: its value as
 * explain_label writes it (an amount "860.00", an enum's label, 是/否),
 * for labels whose fixed text the caller holds (io/json_fixed.h). */
void explain_hole(buf *b, const ev_hole *h, const ev_cell *frame);
/* The label of the `unless` rule that gave def d its value; NULL when
 * the base definition did, or when the rule has no label. */
const char *explain_rule(ev_ctx *c, const ev_def *d);
/* The explanation's "steps", "table_rows" and (for a policy with `warn
 * when`) "warnings" members (each preceded by a
 * comma), for the decision evaluated in c.  cov is the table-row and
 * rule counters of that evaluation (c->cov before it is switched off:
 * showing values evaluates again and must not count). */
void explain_steps(buf *b, ev_ctx *c, const uint32_t *cov);
/* The decision's "warnings" member (preceded by a comma), only when a
 * `warn when` of the policy held (c->warned): per warning its text with
 * placeholders filled, "fields" (the JSON Pointers, relative to the
 * input, of the fields its condition reads) and, when it cites one,
 * "source" ({"line", "document", "quotation"} or {"line", "assumption"}). */
void explain_warnings(buf *b, ev_ctx *c);
/* Warning i's text, its placeholders filled from c's frame. */
void explain_warning_text(buf *b, ev_ctx *c, uint32_t i);
/* The same account as plain Chinese paragraphs a caseworker can print:
 * the programme and the date; 一、决定 (each output); 二、理由 (each
 * step's formula with its figures, the exception that applied, the
 * margin of a threshold), after the decision each warning that held
 * (提示, with its condition and figures); 三、依据 (the parameters used with their
 * validity and sources, the table rows that matched, the policy's
 * sources).  cov as for explain_steps. */
void explain_text(buf *b, const policy *p, ev_ctx *c, const uint32_t *cov);

#endif
