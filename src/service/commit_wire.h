/*
 * commit_wire.h - the frames between a worker and the committer.
 *
 * The conversation is one frame each way on a unix stream socket, each
 * frame a 4-byte length and its bytes:
 *   worker -> committer: the count of decisions (4 bytes, 1 to
 *     COMMIT_MAX_ROWS: the decisions of one request), then each
 *     decision's WIRE_NFIELDS store_decision fields (in commit_wire.c's
 *     fields_of order), each a 4-byte length (WIRE_NULL_LEN for NULL) and the bytes and a NUL, so the
 *     committer uses them in place; a policy or model text the
 *     connection already carried is WIRE_KNOWN_LEN and no bytes (the
 *     texts, below);
 *   committer -> worker: the count, then for each decision its store_rc
 *     (4 bytes), its id (37 bytes with its NUL) and the stored response
 *     (a 4-byte length and its bytes; empty but for STORE_EXISTS).
 * The texts: a policy and its model are about 11 KB against a row's
 * 1-2 KB, the same on every decision of a policy, and the store needs
 * them only until it has them (store_put_batch skips the texts it saw
 * committed).  So both ends of a connection keep the same small table of
 * the texts it carried (wire_texts), changed by the same steps in the
 * same order (wire_encode_request on the worker, the decoding on the
 * committer): a text whose hash is in the table goes as WIRE_KNOWN_LEN;
 * one that is not goes whole and takes a slot (round robin, skipping the
 * slots this frame refers to, so a decision already read never loses its
 * text).  The table starts empty with each connection, and any frame that
 * goes wrong ends the connection on both sides, so the two tables never
 * drift apart; a WIRE_KNOWN_LEN the committer cannot resolve makes the
 * frame malformed (503), never a row without its text.
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
    WIRE_KNOWN_LEN = 0xfffffffeu,  /* a text the connection carried before */
    WIRE_TEXTS = 4,                /* texts a connection remembers */
    WIRE_TEXT_MAX = 64 << 10,      /* larger texts always go whole: the committer
                                    * keeps at most WIRE_TEXTS x this per connection */
    WIRE_NFIELDS = 14,             /* store_decision's fields in a frame */
    WIRE_ANSWER_ROW = 4 + 37 + 4   /* rc, id and NUL, stored response length */
};

/* The texts a connection carried (the header says why).  The worker
 * keeps only the hashes; the committer the texts too, each slot's own
 * copy (text[i], NUL-terminated), which decisions read from it point into
 * until their answer.  Zeroed (wire_texts_reset) for a new connection. */
typedef struct wire_texts {
    char hash[WIRE_TEXTS][72];     /* "" when empty */
    buf text[WIRE_TEXTS];          /* committer only */
    unsigned next;                 /* the next slot to take, round robin */
    unsigned used;                 /* bits: slots the frame at hand refers to */
} wire_texts;

/* Empties t for a new connection (keeps the texts' buffers). */
void wire_texts_reset(wire_texts *t);
/* Frees the committer's copies. */
void wire_texts_free(wire_texts *t);

/* Appends v, big-endian.  A frame starts with 4 reserved bytes that
 * wire_send_frame fills with its length. */
void wire_put_u32(buf *b, uint32_t v);
/* Sends the frame b holds after its 4 reserved bytes.  0 or -1. */
int wire_send_frame(int fd, buf *b);
/* Reads one frame into b (reset first).  0, or -1 on EOF, error, a
 * length out of bounds or bytes beyond the frame. */
int wire_recv_frame(int fd, buf *b);
/* Worker: appends the frame of the decisions of the n puts of p (after the 4
 * reserved bytes the caller wrote), the texts the connection carried
 * (t, NULL: none) as WIRE_KNOWN_LEN.  t is changed as the committer's
 * table will be when it reads the frame: on a connection that does not
 * carry it, t must be reset. */
void wire_encode_request(buf *b, const store_put *p, size_t n, wire_texts *t);
/* Committer: the decisions of one request from a frame, pointing into
 * it and into t (the connection's texts, changed as the worker's were).
 * Their count, or -1 when the frame is malformed. */
int wire_decode_request(const buf *b, store_decision d[COMMIT_MAX_ROWS], wire_texts *t);
/* Committer: answers the n decisions of one request: p (NULL: every one
 * rc).  b is the caller's scratch buffer. */
int wire_send_answer(int fd, buf *b, const store_put *p, int n, store_rc rc);
/* Worker: reads the committer's answer for the n puts of p.  0, or -1
 * when it is malformed. */
int wire_decode_answer(const buf *b, store_put *p, size_t n);

#endif
