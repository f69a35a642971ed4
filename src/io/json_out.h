/*
 * json_out.h - decisions and explanations as JSON, for the CLI and the
 * daemon alike.
 *
 * A decision (the Decision schema of docs/openapi.yaml):
 *   {"policy": {"name", "title", "hash"}, "as_of": "2019-01-01",
 *    "outputs": {"eligible": true, "monthly_benefit": "1080.00", ...},
 *    "reasons": [{"output", "label", "value"[, "rule"]}],
 *    "warnings": [{"text", "fields"[, "source"]}]   only when a warning held
 *    "explanation": [...]}            only when asked for
 * Money and decimals are written as strings ("1080.00"), dates as
 * "YYYY-MM-DD", enums by name, maps as objects, lists as arrays.
 *
 * The explanation (written by eval/explain.c) gives, per let and output:
 * its label with `{name}` placeholders filled in, the formula with every
 * name replaced by its label and value, the `unless` rule that applied,
 * for a threshold the margin to it, and each parameter read with the
 * date it was read on, the validity of the version that answered and
 * its source; then the decision-table rows that matched.
 *
 * Ownership: writes into the caller's buf; reads the policy and the
 * evaluated context without keeping them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_JSON_OUT_H
#define ELIGO_JSON_OUT_H

#include "base/buf.h"
#include "eval/eval.h"
#include "eval/compiled.h"

/* One value of type t. */
void json_write_value(buf *b, const ty *t, const ev_cell *v);
/* The decision object (without decision_id / request_id). */
void json_write_decision(buf *b, const policy *p, ev_ctx *c, int explain);
/* Where the outputs object and the explanation object (len 0 without
 * explain) went in b: byte offsets, so they can be stored apart. */
typedef struct decision_parts {
    size_t outputs_off, outputs_len;
    size_t explanation_off, explanation_len;
} decision_parts;
void json_write_decision_parts(buf *b, const policy *p, ev_ctx *c, int explain, decision_parts *parts);
/* The outputs object only (replay comparison, tests). */
void json_write_outputs(buf *b, const policy *p, const ev_ctx *c);
/* An input record in canonical form: every field, in model order,
 * defaults filled in (what is stored and replayed). */
void json_write_record(buf *b, const entity_def *e, const ev_cell *rec);

#endif
