/*
 * verify.h - the auditor's check of the whole decision log: every leaf
 * recomputed from content, every checkpoint's signature, link and root,
 * and (optionally) that the log extends a checkpoint the auditor kept.
 *
 * What is checked, in chain order (checkpoint k, then the decisions it
 * added, then k+1 ...), stopping at the first problem:
 *   - checkpoints are numbered 1, 2, ... without a gap (a gap: deleted);
 *   - each note verifies with the public key (the database does not hold
 *     the private key, so an edited or re-signed note fails here), its
 *     k, size and root equal the row's columns, its prev is the SHA-256 of
 *     checkpoint k-1's body, and its size grows;
 *   - the leaves stored with checkpoint k extend the tree of k-1 to the
 *     signed root of k (so those leaves are vouched for by the signature);
 *   - the decisions with seq in (size of k-1, size of k] come in seq
 *     order without gap or repeat, and each one's leaf recomputed from
 *     its content equals the signed leaf at its seq (else the row was
 *     altered, swapped or forged: its id is named), and its content_hash
 *     column equals it too;
 *   - no decision has a seq beyond the newest checkpoint (numbers are
 *     only ever given together with a checkpoint);
 *   - every stored policy and model text hashes to its key, and every
 *     decision's texts are stored: a decision's leaf holds the hashes of
 *     the policy and model texts it was made under, so the texts are
 *     leaves of the log by their hash (an altered text is named with a
 *     decision made under it; a deleted one with the decision naming it);
 *   - with a kept checkpoint (`--since`): its signature verifies, the
 *     root of the first `size` leaves equals its root, and when the log
 *     holds the same k, the same body.
 * Decisions without a seq are not protected: a row stored after the last
 * checkpoint can be changed or removed without trace (the honest limit
 * of any checkpoint interval).  They are counted with the age of the
 * oldest, and when that age exceeds max_unprotected_s (the sequencer
 * stopped, or it cannot reach the database or sign) the log is not
 * intact either: kind "unprotected".
 *
 * Output (verify_print, the CLI): one line
 *     intact: N decisions in K checkpoints (tree size N), U not yet checkpointed[, the oldest A.AAA s old]; T ms, R decisions/s
 * or
 *     TAMPERED: <what, naming the decision id and seq, or checkpoint k, or the text>
 *     checked N decisions in K checkpoints before it
 * or
 *     UNPROTECTED: U decisions are under no signed checkpoint, the oldest A.AAA s old (at most B s allowed)
 * verify_json (GET /v1/audit/verify) gives the same fields:
 *     {"intact":true|false,"decisions":N,"checkpoints":K,"tree_size":N,
 *      "unsequenced":U,"unsequenced_oldest_ms":A,"max_unprotected_s":B,
 *      "elapsed_ms":T,"decisions_per_s":R,
 *      and when tampered "problem":"...","kind":"decision"|"seq"|"checkpoint"|"text",
 *      "id":"..."|null,"seq":S|null,"checkpoint":k|null;
 *      when unprotected "problem":"unprotected","kind":"unprotected","detail":"..."}
 * `eligo audit verify` exits 0 intact, 1 tampered or unprotected, 2
 * usage or database error.  No floating point anywhere.
 *
 * Ownership: the verifier borrows db, key and since; memory is bounded
 * (a page of rows and of checkpoints, the O(log n) compact range).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_VERIFY_H
#define ELIGO_VERIFY_H

#include <stdint.h>
#include <stdio.h>
#include "audit/checkpoint.h"
#include "base/buf.h"
#include "store/store.h"

enum verify_kind { VK_NONE, VK_DECISION, VK_SEQ, VK_CHECKPOINT, VK_TEXT, VK_UNPROTECTED };
/* The bound on unprotected rows when none is given (seconds). */
enum { VERIFY_MAX_UNPROTECTED_S = 60 };

typedef struct verify_report {
    int intact;
    uint64_t decisions;       /* sequenced decisions checked */
    uint64_t checkpoints;     /* checkpoints checked */
    uint64_t tree_size;       /* size of the newest checkpoint */
    uint64_t unsequenced;
    uint64_t unsequenced_oldest_ms;  /* age of the oldest row without a seq */
    int64_t max_unprotected_s;       /* the bound applied; -1: none */
    uint64_t elapsed_us;
    /* the first problem, when not intact */
    int kind;                 /* verify_kind */
    char id[40];              /* the decision, or "" */
    uint64_t seq, k;          /* 0 when not applicable */
    char problem[320];
} verify_report;

/* A checkpoint an auditor kept: its note, already opened. */
typedef struct verify_since {
    checkpoint c;
    const char *body;
    size_t body_len;
} verify_since;

/* Walks the log; rows without a seq older than max_unprotected_s seconds
 * make it not intact (-1: no bound).  0 when the walk completed
 * (rep->intact tells the result), -1 on a database error (reason in
 * err). */
int audit_verify(store *db, const cp_key *key, const verify_since *since, int64_t max_unprotected_s,
                 verify_report *rep, char *err, size_t errlen);
/* decisions per second, integer. */
uint64_t verify_rate(const verify_report *rep);
void verify_print(const verify_report *rep, FILE *out);
void verify_json(const verify_report *rep, buf *out);

#endif
