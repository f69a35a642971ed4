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
 *   - with a kept checkpoint (`--since`): its signature verifies, the
 *     root of the first `size` leaves equals its root, and when the log
 *     holds the same k, the same body.
 * Decisions without a seq are counted, not judged: a row stored after the
 * last checkpoint can be changed or removed without trace (the honest
 * limit of any checkpoint interval).
 *
 * Output (verify_print, the CLI): one line
 *     intact: N decisions in K checkpoints (tree size N), U not yet checkpointed; T ms, R decisions/s
 * or
 *     TAMPERED: <what, naming the decision id and seq, or checkpoint k>
 *     checked N decisions in K checkpoints before it
 * verify_json (GET /v1/audit/verify) gives the same fields:
 *     {"intact":true|false,"decisions":N,"checkpoints":K,"tree_size":N,
 *      "unsequenced":U,"elapsed_ms":T,"decisions_per_s":R,
 *      and when not intact "problem":"...","kind":"decision"|"seq"|"checkpoint",
 *      "id":"..."|null,"seq":S|null,"checkpoint":k|null}
 * `eligo audit verify` exits 0 intact, 1 tampered, 2 usage or database
 * error.  No floating point anywhere.
 *
 * Ownership: the verifier borrows db, key and since; memory is bounded
 * (a page of rows and of checkpoints, the O(log n) compact range).
 */
#ifndef ELIGO_VERIFY_H
#define ELIGO_VERIFY_H

#include <stdint.h>
#include <stdio.h>
#include "audit/checkpoint.h"
#include "base/buf.h"
#include "store/store.h"

enum verify_kind { VK_NONE, VK_DECISION, VK_SEQ, VK_CHECKPOINT };

typedef struct verify_report {
    int intact;
    uint64_t decisions;       /* sequenced decisions checked */
    uint64_t checkpoints;     /* checkpoints checked */
    uint64_t tree_size;       /* size of the newest checkpoint */
    uint64_t unsequenced;
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

/* Walks the log.  0 when the walk completed (rep->intact tells the
 * result), -1 on a database error (reason in err). */
int audit_verify(store *db, const cp_key *key, const verify_since *since, verify_report *rep, char *err,
                 size_t errlen);
/* decisions per second, integer. */
uint64_t verify_rate(const verify_report *rep);
void verify_print(const verify_report *rep, FILE *out);
void verify_json(const verify_report *rep, buf *out);

#endif
