/*
 * impact.h - the officer's "what if": the stored decisions of a policy
 * evaluated again under a candidate text, and what would change.
 *
 * For every decision of the candidate's policy created in a date range
 * (walked a page at a time, store/rows.c), the stored input is evaluated
 * under the candidate at the decision's own as_of, and the candidate's
 * outputs are compared with the outputs stored then: how many decisions
 * change eligibility each way, how the benefit moves (total before and
 * after, a distribution of the changes), and example decision ids for
 * each kind of change.  Nothing is stored.
 *
 * Warnings (`warn when`) are compared by their texts as decided: a
 * decision whose candidate warns with a text the stored one lacks counts
 * as a warning added, one that lost a stored text as removed (a warning
 * whose numbers changed is both).
 *
 * Which outputs: the eligibility output is the policy's first `bool`
 * output and the benefit its first `money` output, unless named in
 * impact_options (a policy without one simply has no such figures;
 * impact_check says when a named one is missing or of the wrong kind).
 *
 * What it trusts: a stored row's outputs are used as "before" only after
 * the row was checked against its leaf hash (audit/record.h); a row that
 * fails is counted apart as tampered, its id listed (the first
 * IMPACT_MAX_TAMPERED, under examples), and is in no figure.  Totals are summed in 128 bits (dec_wide), so no range
 * can overflow them.
 *
 * How it fits: `eligo impact` (cli/cmd_impact.c) and POST /v1/impact
 * (service/h_replay.c) compile the candidate and print or answer the
 * report.  Money is summed exactly (millionths, decimal.h).
 *
 * Ownership: the report owns its example buffers (impact_report_free);
 * the candidate policy and the store are borrowed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_IMPACT_H
#define ELIGO_IMPACT_H

#include <stdint.h>
#include <stdio.h>
#include "base/buf.h"
#include "eval/decimal.h"
#include "lang/compile.h"
#include "store/store.h"

/* Example ids per kind of change, and tampered ids listed (the first). */
enum { IMPACT_BUCKETS = 9, IMPACT_EXAMPLES = 5, IMPACT_MAX_TAMPERED = 1000, IMPACT_PROGRESS_ROWS = 5000 };

typedef enum impact_kind {
    IMPACT_BECAME_ELIGIBLE, IMPACT_LOST_ELIGIBILITY, IMPACT_BENEFIT_UP, IMPACT_BENEFIT_DOWN,
    IMPACT_FAILED, IMPACT_TAMPERED,
    IMPACT_WARNING_ADDED,       /* the candidate warns with a text the stored decision did not */
    IMPACT_WARNING_REMOVED,     /* a warning text of the stored decision the candidate does not give */
    IMPACT_KINDS
} impact_kind;

struct impact_report;
typedef struct impact_options {
    const char *eligibility;    /* output names; NULL: the first bool / money output */
    const char *benefit;
    /* called every IMPACT_PROGRESS_ROWS rows and once at the end (the
     * CLI's progress line on a terminal, as replay's); NULL: none */
    void (*progress)(void *arg, const struct impact_report *rep);
    void *progress_arg;
} impact_options;

typedef struct impact_report {
    const char *policy, *eligibility, *benefit;     /* borrowed from the candidate */
    const char *benefit_period;                     /* "month", "year", "once" or "" */
    uint64_t checked;
    uint64_t count[IMPACT_KINDS];
    uint64_t stayed_eligible, stayed_ineligible, benefit_same;
    dec_wide total_before, total_after;             /* millionths of a yuan, in 128 bits */
    uint64_t histogram[IMPACT_BUCKETS];             /* benefit changes, see impact_bucket_label */
    buf examples[IMPACT_KINDS];                     /* JSON strings, comma separated */
    buf first_failure;                              /* why the first failed decision failed */
    uint64_t elapsed_ms;
} impact_report;

/* Is the request sound before any row is read?  NULL, or the problem
 * with the JSON Pointer of the member it is about in *pointer
 * ("/eligibility", "/benefit", "/from", "/policy_text"): a named output
 * the candidate lacks or of the wrong kind (eligibility yes/no, benefit
 * money), from after to, or a policy the store holds no text of; or,
 * with *pointer NULL, that the store failed asking. */
const char *impact_check(store *s, const policy *candidate, const impact_options *o, const char *from,
                         const char *to, const char **pointer);
/* Runs the candidate over the range.  STORE_OK or the store error that
 * stopped the walk; rep is initialised here (impact_report_free). */
store_rc impact_run(store *s, const policy *candidate, const impact_options *o, const char *from,
                    const char *to, impact_report *rep);
void impact_report_json(const impact_report *rep, const char *from, const char *to, buf *out);
/* A table and, when histogram is set, a text histogram, for people. */
void impact_report_text(const impact_report *rep, const char *from, const char *to, int histogram, FILE *out);
void impact_report_free(impact_report *rep);
const char *impact_bucket_label(int bucket);

#endif
