/*
 * record.h - a stored decision as an auditor is shown it, checked before
 * it is shown.
 *
 * What is checked: the row's leaf hash is recomputed from its content
 * (store_row_leaf, the same fields and encoding the checkpoints sign) and
 * compared with the stored content_hash and, once the row is under a
 * checkpoint, with that checkpoint's leaf for it; and where the row holds
 * the outputs and explanation in columns of their own (rows stored before
 * db/005; later rows hold them only in the response), they are compared
 * with the answered document they were cut from.  A row that fails any of these
 * is tampered, and the parts that differ are named.  A row altered with
 * its content_hash recomputed and not yet checkpointed passes the hash
 * check; replay (audit/replay.c) is what shows whether its documents are
 * what its texts give, and `verify` whether the checkpoints still hold.
 *
 * How it fits: GET /v1/decisions/{id} (service/h_decisions.c) shows the
 * record through record_json; replay and impact (audit/) check every row
 * they read with record_check before they trust its outputs.
 *
 * Ownership: nothing is kept; the JSON is appended to the caller's buf.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_RECORD_H
#define ELIGO_RECORD_H

#include "base/buf.h"
#include "store/store.h"

/* The parts of a row that can be found to differ (bits of differs). */
enum {
    RECORD_CONTENT_HASH = 1,    /* the content no longer hashes to the stored content_hash */
    RECORD_CHECKPOINT = 2,      /* nor to the leaf its signed checkpoint holds */
    RECORD_OUTPUTS = 4,         /* the outputs column is not the answered document's */
    RECORD_EXPLANATION = 8      /* nor is the explanation column */
};
enum { RECORD_PARTS = 4 };

/* Checks the row.  Returns its differs bits: 0 when the row is what was
 * stored, RECORD_CONTENT_HASH too when the hash could not be computed. */
unsigned record_check(const store_row *r);
/* Appends "tampered": true|false and, when tampered, "differs": [names]
 * (object members, no braces). */
void record_check_json(unsigned differs, buf *out);
/* Appends the whole record: {"decision_id", "request_id", "client",
 * "created_at" (UTC, RFC 3339), "policy": {"name", "hash"}, "model":
 * {"hash"}, "as_of", "seq", "checkpoint" (null until it has one),
 * "tampered", "differs"?, "input", "answered"} where answered is the
 * document exactly as it was answered. */
void record_json(const store_row *r, unsigned differs, buf *out);

#endif
