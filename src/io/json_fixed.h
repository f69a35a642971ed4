/*
 * json_fixed.h - the parts of a policy's JSON answer that no input
 * changes, escaped once when the policy loads.
 *
 * json_out.c writes every decision as these byte strings copied in turn
 * with the values between them: the policy header, each output's member
 * name, each reason's opening (also joined with its fixed label or its
 * cut label's lead, a copy less), the labels without placeholders, the
 * pieces between the placeholders of a label that needs no escape
 * (json_fixed_label), the rule texts and the explanation's header with
 * the sources.  Escaping
 * them per decision scanned some 900 bytes an answer for nothing.  What
 * a piece holds is exactly what buf_json_string and explain_label gave
 * before, so every answer is byte-identical.
 *
 * Ownership: lang/compile.c builds them (json_fixed_build) into the
 * policy's arena after lowering; they live and die with the policy
 * (policy.json), and nothing frees them apart.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_JSON_FIXED_H
#define ELIGO_JSON_FIXED_H

#include <stdint.h>
#include "eval/compiled.h"

/* Bytes ready to copy; n == 0 where a piece is not fixed. */
typedef struct json_bytes { const char *s; uint32_t n; } json_bytes;

/* A rule of one output: the label explain_rule returns (compared by
 * address) and `,"rule":"…"` escaped. */
typedef struct json_fixed_rule {
    const char *label;
    json_bytes member;
} json_fixed_rule;

/* A label with placeholders that needs no escape (plain below), cut at
 * them: lead is the opening quote and the text before the first,
 * after[k] the text after placeholder k up to the next one (after the
 * last: the rest and the closing quote).  The answer copies the pieces
 * and writes only the values (explain_hole) between them.  nholes == 0
 * where a label is not cut (a range output's, whose word for its end
 * explain_label adds, or one that is not plain). */
typedef struct json_fixed_label {
    json_bytes lead;
    json_bytes *after;
    const ev_hole *holes;
    uint32_t nholes;
} json_fixed_label;

/* Output i of the tree's outputs, in their order. */
typedef struct json_fixed_out {
    json_bytes key;         /* [,]"name": ; a range's min: [,]"award":{"min": */
    json_bytes reason;      /* [,]{"output":"name","label": */
    json_bytes label[2];    /* the label as a JSON string: [0] when a bool is
                               false and has a label for it, [1] otherwise;
                               n == 0 when it has placeholders */
    uint8_t plain[2];       /* a label with placeholders that JSON takes as
                               filled: its text needs no escape and each
                               value is a number, date or enum label that
                               needs none either (never text from a request) */
    json_fixed_label cut[2];   /* a plain label cut at its placeholders */
    json_bytes open[2];     /* reason and then label[v], or reason and then
                               cut[v]'s lead, as one piece (one copy less a
                               reason); n == 0 when the label is neither */
    const json_fixed_rule *rules;
    uint32_t nrules;
} json_fixed_out;

struct json_fixed {
    json_bytes head;        /* {"policy":{…},"as_of":" */
    json_bytes explain;     /* ,"explanation":{"policy":…,"sources":[…] */
    json_fixed_out *outs;   /* tree.noutputs */
};

/* Builds p->json from p's name, title, sources and tree; -1 out of
 * memory (the policy then fails to load). */
int json_fixed_build(policy *p);

#endif
