/*
 * replay.h - running stored decisions again under the exact texts that
 * made them, and saying whether the answer is the same.
 *
 * A replay reads the decision row, loads the policy and model texts by
 * the hashes the row names (never from the policy folder: a policy file
 * edited since does not change what a replay proves), checks that each
 * text still hashes to its name, compiles them with today's compiler,
 * evaluates the stored input at the stored date, and compares the new
 * document with the stored one: every output against the stored
 * `outputs` column, the explanation against `explanation`, and the whole
 * answered document against `response`.  Rows whose texts are missing,
 * altered or no longer compile are "unreplayable", with the reason.
 *
 * How it fits: `eligo replay` (cli/cmd_replay.c) and the auditor's routes
 * POST /v1/decisions/{id}/replay and POST /v1/replays (service/h_replay.c)
 * are thin wrappers; store/rows.c reads the rows a page at a time; the
 * officer's impact runs (audit/impact.c) share the walk.
 *
 * Ownership: a replayer owns its compiled texts (a small cache keyed by
 * policy and model hash, so a range compiles each pair once), its
 * evaluation frame and a per-row arena; it borrows the store.  Results
 * are appended to the caller's bufs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_REPLAY_H
#define ELIGO_REPLAY_H

#include <stdint.h>
#include "base/buf.h"
#include "store/store.h"

typedef struct replayer replayer;

typedef enum replay_outcome {
    REPLAY_MATCH = 0,
    REPLAY_MISMATCH,
    REPLAY_UNREPLAYABLE,    /* texts missing, altered or no longer compiling; input unreadable */
    REPLAY_TAMPERED,        /* the row fails its leaf-hash check (audit/record.h), whatever the replay gave */
    REPLAY_STORE_ERROR      /* the database failed while reading the texts */
} replay_outcome;

replayer *replayer_new(store *s);
void replayer_free(replayer *r);

/* Replays one row, first checked against its leaf hash: a row that
 * fails is REPLAY_TAMPERED (its stored outputs are not trusted to say
 * what was answered), and still replayed for the differences.  When out
 * is not NULL, appends the result object:
 * {"decision_id", "match", "tampered", "differs"? (record.h), "policy":
 *  {"name", "hash"}, "model": {"hash"}, "as_of", "original": {outputs as
 *  stored}, "replayed": {outputs now}, "differences": [{"output",
 *  "original", "replayed"} | {"part", ...}]} or, unreplayable,
 * {"decision_id", "match": false, "tampered", "differs"?, "replayable":
 * false, "reason"}. */
replay_outcome replay_row(replayer *r, const store_row *row, buf *out);

/* A range replay's counts (a tampered row is counted as tampered only);
 * mismatching, unreplayable and tampered ids, the first REPLAY_MAX_IDS of
 * each. */
enum { REPLAY_MAX_IDS = 1000 };
typedef struct replay_summary {
    uint64_t checked, matches, mismatches, unreplayable, tampered;
    buf mismatching_ids;        /* JSON strings, comma separated */
    buf unreplayable_ids;
    buf tampered_ids;
    uint64_t elapsed_ms;
} replay_summary;

/* Called every `every` rows and at the end (progress on a terminal). */
typedef void (*replay_progress)(void *arg, const replay_summary *sum);

/* Replays every decision created on from..to (YYYY-MM-DD, inclusive, UTC),
 * of policy (NULL: all), streaming.  sum is initialised here; free it
 * with replay_summary_free.  STORE_OK, or the store error that stopped
 * the walk (sum then holds what was checked). */
store_rc replay_range(replayer *r, const char *from, const char *to, const char *policy,
                      replay_summary *sum, replay_progress progress, void *arg);
void replay_summary_json(const replay_summary *sum, const char *from, const char *to,
                         const char *policy, buf *out);
void replay_summary_free(replay_summary *sum);

/* Compiled texts by hash, shared with impact.c. */
struct policy;
/* The policy compiled from the row's stored texts, or NULL with a reason
 * (why it cannot be replayed) in *why, or *store_failed set. */
const struct policy *replayer_policy(replayer *r, const store_row *row, const char **why, int *store_failed);

/* Milliseconds on a monotonic clock, for rates. */
uint64_t replay_now_ms(void);

#endif
