/*
 * commit_wire.c - the frames between a worker and the committer
 * (commit_wire.h describes them): reading and writing whole frames on a
 * unix stream socket, and encoding and decoding the decisions of one
 * request and the committer's answer.
 *
 * Nothing here knows which process it runs in: committer.c uses the
 * committer's half, commit_client.c the worker's.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "service/commit_wire.h"

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes (the socket's receive timeout bounds each wait). */
static int read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = recv(fd, c, n, MSG_WAITALL);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

void wire_put_u32(buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    buf_add(b, x, 4);
}

static uint32_t get_u32(const char *p)
{
    const unsigned char *x = (const unsigned char *)p;
    return (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
}

/* Sends the frame b holds after its 4 reserved bytes. */
int wire_send_frame(int fd, buf *b)
{
    if (b->failed || b->len - 4 > WIRE_MAX_FRAME) return -1;
    uint32_t n = (uint32_t)(b->len - 4);
    unsigned char x[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                          (unsigned char)n};
    memcpy(b->data, x, 4);
    return write_all(fd, b->data, b->len);
}

/* Reads one frame into b (reset first).  0, or -1 on EOF, error, a
 * length out of bounds or bytes beyond the frame (a peer has one frame
 * outstanding: more is not this conversation).  The first read takes
 * whatever has arrived, which for a frame up to the chunk's size is all
 * of it: one recv per frame, not one for the length and one for the
 * rest. */
int wire_recv_frame(int fd, buf *b)
{
    char chunk[16384];
    ssize_t r;
    buf_reset(b);
    do r = recv(fd, chunk, sizeof chunk, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return -1;
    size_t got = (size_t)r;
    if (got < 4 && read_all(fd, chunk + got, 4 - got)) return -1;
    if (got < 4) got = 4;
    uint32_t n = get_u32(chunk);
    if (n > WIRE_MAX_FRAME || got - 4 > n) return -1;
    buf_add(b, chunk + 4, got - 4);
    for (size_t left = n - (got - 4); left;) {
        size_t want = left < sizeof chunk ? left : sizeof chunk;
        if (read_all(fd, chunk, want)) return -1;
        buf_add(b, chunk, want);
        left -= want;
    }
    return b->failed ? -1 : 0;
}

void wire_texts_reset(wire_texts *t)
{
    for (int i = 0; i < WIRE_TEXTS; i++) {
        t->hash[i][0] = 0;
        buf_reset(&t->text[i]);
    }
    t->next = t->used = 0;
}

void wire_texts_free(wire_texts *t)
{
    for (int i = 0; i < WIRE_TEXTS; i++) buf_free(&t->text[i]);
}

static int texts_find(const wire_texts *t, const char *hash)
{
    for (int i = 0; i < WIRE_TEXTS; i++)
        if (t->hash[i][0] && strcmp(t->hash[i], hash) == 0) return i;
    return -1;
}

/* The slot a text sent whole takes (both ends take the same), or -1 when
 * it is not kept: too large, a hash too long, or every slot is one this
 * frame refers to. */
static int texts_take(wire_texts *t, const char *hash, size_t len)
{
    size_t hlen = strlen(hash);
    if (len > WIRE_TEXT_MAX || hlen >= sizeof t->hash[0]) return -1;
    for (unsigned k = 0; k < WIRE_TEXTS; k++) {
        unsigned i = (t->next + k) % WIRE_TEXTS;
        if (t->used & (1u << i)) continue;
        t->next = (i + 1) % WIRE_TEXTS;
        t->used |= 1u << i;
        memcpy(t->hash[i], hash, hlen + 1);
        return (int)i;
    }
    return -1;
}

/* The fields of a decision in frame order, as pointers into d; the two
 * texts each follow their hash. */
enum { F_POLICY_TEXT = 5, F_MODEL_TEXT = 8 };
static void fields_of(store_decision *d, const char **f[WIRE_NFIELDS], size_t *lens[WIRE_NFIELDS])
{
    const char **p[WIRE_NFIELDS] = {&d->request_id, &d->client, &d->fingerprint, &d->policy_name, &d->policy_hash,
                               &d->policy_text, &d->model_name, &d->model_hash, &d->model_text, &d->as_of,
                               &d->input_json, &d->outputs_json, &d->explanation_json, &d->response_json};
    memcpy(f, p, sizeof p);
    for (int i = 0; i < WIRE_NFIELDS; i++) lens[i] = NULL;
    lens[F_POLICY_TEXT] = &d->policy_text_len;
    lens[F_MODEL_TEXT] = &d->model_text_len;
}

/* The hash a field is the text of, or NULL when it is no text (or has
 * no hash: then it always goes whole). */
static const char *text_hash(const char **f[WIRE_NFIELDS], int i)
{
    return i == F_POLICY_TEXT || i == F_MODEL_TEXT ? *f[i - 1] : NULL;
}

/* Appends d's fields to the frame in b. */
static void encode_decision(buf *b, const store_decision *d, wire_texts *t)
{
    store_decision c = *d;
    const char **f[WIRE_NFIELDS];
    size_t *lens[WIRE_NFIELDS];
    fields_of(&c, f, lens);
    for (int i = 0; i < WIRE_NFIELDS; i++) {
        const char *v = *f[i], *hash = t ? text_hash(f, i) : NULL;
        size_t n = !v ? 0 : lens[i] ? *lens[i] : strlen(v);
        if (v && hash) {
            int k = texts_find(t, hash);
            if (k >= 0) {
                t->used |= 1u << k;
                wire_put_u32(b, WIRE_KNOWN_LEN);
                continue;
            }
            texts_take(t, hash, n);
        }
        wire_put_u32(b, v ? (uint32_t)n : WIRE_NULL_LEN);
        if (v) buf_add(b, v, n);
        if (v) buf_addc(b, 0);
    }
}

void wire_encode_request(buf *b, const store_put *p, size_t n, wire_texts *t)
{
    if (t) t->used = 0;
    wire_put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) encode_decision(b, p[i].d, t);
}

/* A text the connection carried: field i of d points at the slot's copy.
 * -1 when there is none (the tables differ: the frame is refused). */
static int known_text(wire_texts *t, const char **f[WIRE_NFIELDS], size_t *lens[WIRE_NFIELDS], int i)
{
    const char *hash = t ? text_hash(f, i) : NULL;
    int k = hash ? texts_find(t, hash) : -1;
    if (k < 0) return -1;
    t->used |= 1u << k;
    *f[i] = buf_cstr(&t->text[k]);
    *lens[i] = t->text[k].len;
    return 0;
}

/* A text sent whole: the committer keeps its copy, in the slot the
 * worker's table gave it.  -1 when the copy could not be made. */
static int keep_text(wire_texts *t, const char **f[WIRE_NFIELDS], int i, size_t n)
{
    const char *hash = t ? text_hash(f, i) : NULL;
    int k = hash ? texts_take(t, hash, n) : -1;
    if (k < 0) return 0;
    buf_reset(&t->text[k]);
    buf_add(&t->text[k], *f[i], n);
    return t->text[k].failed ? -1 : 0;
}

/* Points d's fields into the frame (which must outlive d) and into t,
 * from *at on.  -1 when the frame is malformed. */
static int decode_decision(const buf *b, size_t *atp, store_decision *d, wire_texts *t)
{
    memset(d, 0, sizeof *d);
    const char **f[WIRE_NFIELDS];
    size_t *lens[WIRE_NFIELDS];
    fields_of(d, f, lens);
    size_t at = *atp;
    for (int i = 0; i < WIRE_NFIELDS; i++) {
        if (b->len - at < 4) return -1;
        uint32_t n = get_u32(b->data + at);
        at += 4;
        if (n == WIRE_NULL_LEN) continue;
        if (n == WIRE_KNOWN_LEN) {
            if (known_text(t, f, lens, i)) return -1;
            continue;
        }
        if (b->len - at < (size_t)n + 1 || b->data[at + n] != 0) return -1;
        *f[i] = b->data + at;
        if (lens[i]) *lens[i] = n;
        if (keep_text(t, f, i, n)) return -1;
        at += (size_t)n + 1;
    }
    *atp = at;
    return 0;
}

/* The decisions of one request from a frame: their count, then each.
 * The count, or -1 when the frame is malformed. */
int wire_decode_request(const buf *b, store_decision d[COMMIT_MAX_ROWS], wire_texts *t)
{
    if (b->len < 4) return -1;
    uint32_t n = get_u32(b->data);
    if (n < 1 || n > COMMIT_MAX_ROWS) return -1;
    if (t) t->used = 0;
    size_t at = 4;
    for (uint32_t i = 0; i < n; i++)
        if (decode_decision(b, &at, &d[i], t)) return -1;
    return at == b->len ? (int)n : -1;
}

/* Answers the n decisions of one request: p (NULL: every one rc). */
int wire_send_answer(int fd, buf *b, const store_put *p, int n, store_rc rc)
{
    buf_reset(b);
    wire_put_u32(b, 0);
    wire_put_u32(b, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        char idf[37] = {0};
        store_rc r = p ? p[i].rc : rc;
        if (p) memcpy(idf, p[i].decision_id, strnlen(p[i].decision_id, 36));
        const buf *stored = p && r == STORE_EXISTS ? p[i].stored_response : NULL;
        wire_put_u32(b, (uint32_t)r);
        buf_add(b, idf, 37);
        wire_put_u32(b, stored ? (uint32_t)stored->len : 0);
        if (stored) buf_add(b, stored->data, stored->len);
    }
    return wire_send_frame(fd, b);
}

/* Reads the committer's answer for the n puts of p.  0, or -1 when it
 * is malformed. */
int wire_decode_answer(const buf *b, store_put *p, size_t n)
{
    if (b->len < 4 || get_u32(b->data) != n) return -1;
    size_t at = 4;
    for (size_t i = 0; i < n; i++) {
        if (b->len - at < WIRE_ANSWER_ROW || b->data[at + 4 + 36] != 0) return -1;
        uint32_t len = get_u32(b->data + at + 4 + 37);
        if (b->len - at - WIRE_ANSWER_ROW < len) return -1;
        p[i].rc = (store_rc)get_u32(b->data + at);
        memcpy(p[i].decision_id, b->data + at + 4, 37);
        if (p[i].stored_response) buf_add(p[i].stored_response, b->data + at + WIRE_ANSWER_ROW, len);
        at += WIRE_ANSWER_ROW + len;
    }
    return at == b->len ? 0 : -1;
}
