/*
 * commit_wire.h - the frames between a worker and the committer.
 *
 * The conversation is one frame each way on a unix stream socket, each
 * frame a 4-byte length and its bytes:
 *   worker -> committer: the count of decisions (4 bytes, 1 to
 *     COMMIT_MAX_ROWS: the decisions of one request), then each
 *     decision's WIRE_NFIELDS store_decision fields (in commit_wire.c's
 *     fields_of order), each a 4-byte length (WIRE_NULL_LEN for NULL) and the bytes and a NUL, so the
 *     committer uses them in place;
 *   committer -> worker: the count, then for each decision its store_rc
 *     (4 bytes), its id (37 bytes with its NUL) and the stored response
 *     (a 4-byte length and its bytes; empty but for STORE_EXISTS).
 * A worker thread has at most one frame outstanding (it waits for the
 * answer), so the committer's batch is at most one request per connected
 * thread (--workers x --threads).
 * The decisions of a request are one group of the batch (store_put.group):
 * stored all or none, in the same commit, and answered together.
 *
 * Ownership: frames are bufs the caller owns; decoded decisions point
 * into the frame, which must outlive them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_COMMIT_WIRE_H
#define ELIGO_COMMIT_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "store/store.h"

/* The most decisions one request stores (json_req.h's REQ_MAX_POLICIES). */
enum { COMMIT_MAX_ROWS = 16 };

enum {
    WIRE_MAX_FRAME = 256 << 20,    /* COMMIT_MAX_ROWS decisions of texts of 4 MiB each and
                                    * a body of --max-body fit (a bound, not an allocation) */
    WIRE_NULL_LEN = 0xffffffffu,   /* a NULL field */
    WIRE_NFIELDS = 14,             /* store_decision's fields in a frame */
    WIRE_ANSWER_ROW = 4 + 37 + 4   /* rc, id and NUL, stored response length */
};

/* Appends v, big-endian.  A frame starts with 4 reserved bytes that
 * wire_send_frame fills with its length. */
void wire_put_u32(buf *b, uint32_t v);
/* Sends the frame b holds after its 4 reserved bytes.  0 or -1. */
int wire_send_frame(int fd, buf *b);
/* Reads one frame into b (reset first).  0, or -1 on EOF, error or a
 * length out of bounds. */
int wire_recv_frame(int fd, buf *b);
/* Worker: appends d's fields to the frame in b. */
void wire_encode_decision(buf *b, const store_decision *d);
/* Committer: the decisions of one request from a frame, pointing into
 * it.  Their count, or -1 when the frame is malformed. */
int wire_decode_request(const buf *b, store_decision d[COMMIT_MAX_ROWS]);
/* Committer: answers the n decisions of one request: p (NULL: every one
 * rc).  b is the caller's scratch buffer. */
int wire_send_answer(int fd, buf *b, const store_put *p, int n, store_rc rc);
/* Worker: reads the committer's answer for the n puts of p.  0, or -1
 * when it is malformed. */
int wire_decode_answer(const buf *b, store_put *p, size_t n);

#endif
