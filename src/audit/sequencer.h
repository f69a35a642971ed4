/*
 * sequencer.h - the single writer of the checkpoint chain: numbers new
 * decisions and signs checkpoint after checkpoint.
 *
 * One round (sequencer_round): catch up with checkpoints written since
 * the last round (by this or another sequencer; each must carry a valid
 * signature by our key, link to the one before, and its leaves must give
 * its signed root), read up to `batch` decisions not yet numbered and
 * that are older than `lag_ms`, in id order (UUIDv7: time order),
 * take their leaves from the content_hash the committer stored (so a row
 * changed after its commit no longer matches the leaf signed for it, and
 * verify, which rehashes content, names it), extend the compact range, sign
 * checkpoint k+1 and store it together with the seq numbers in one
 * transaction.  A second sequencer racing for k+1 loses on the primary
 * key (or, on Galera, in certification) and simply catches up next round;
 * the chain stays linear.  Where several hosts run a sequencer, a lease
 * (sequencer_use_lease) keeps all but one of them standing by.  The
 * state kept between rounds is O(log n): the compact range, k and the
 * hash of checkpoint k's body; the first round rebuilds it from the
 * stored checkpoints (32 bytes per decision read, checked against the
 * newest signed root).
 *
 * Ownership: the sequencer borrows db and key (both must outlive it);
 * notes are written into the caller's buf.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_SEQUENCER_H
#define ELIGO_SEQUENCER_H

#include <stddef.h>
#include <stdint.h>
#include "audit/checkpoint.h"
#include "audit/merkle.h"
#include "store/store.h"

typedef struct sequencer {
    store *db;
    const cp_key *key;
    int lag_ms;               /* leave younger rows to a later round */
    int batch;                /* at most this many rows per checkpoint */
    merkle_range range;       /* leaves 1..range.size, as of checkpoint k */
    uint64_t k;
    uint8_t prev[32];         /* SHA-256 of checkpoint k's body (zeros for k = 0) */
    store_lease lease;        /* holder NULL: no lease (a one-off round) */
} sequencer;

/* SEQ_STANDBY: another host holds the lease; nothing was read or signed. */
enum seq_status { SEQ_IDLE = 0, SEQ_SIGNED = 1, SEQ_LOST_RACE = 2, SEQ_STANDBY = 3, SEQ_ERROR = -1 };

typedef struct seq_round {
    uint64_t k;               /* the checkpoint written (SEQ_SIGNED) or the newest known */
    uint64_t size;            /* its tree size */
    uint64_t added;           /* decisions numbered this round */
    uint64_t stale_hashes;    /* of those, rows whose content_hash column was not a hash (zero leaf) */
} seq_round;

void sequencer_init(sequencer *q, store *db, const cp_key *key, int lag_ms, int batch);
/* Rounds take the cluster's lease first (holder borrowed, unique among
 * the hosts; see db/004_sequencer_lease.sql) and renew it with each
 * checkpoint: with several hosts on one database only the holder works. */
void sequencer_use_lease(sequencer *q, const char *holder, int seconds);
/* One round; on SEQ_SIGNED the note is in note (appended).  SEQ_ERROR
 * with a reason in err: a database error, or a stored chain that this
 * key cannot extend (a checkpoint that does not verify); nothing is
 * signed until that is resolved. */
int sequencer_round(sequencer *q, buf *note, seq_round *out, char *err, size_t errlen);

#endif
