/*
 * sequencer.c - one round of the checkpointer (see sequencer.h).
 *
 * How it fits: eligod's sequencer child calls sequencer_round() on a
 * timer through its own store connection
 * (src/service/sequencer_child.c), and `eligo audit checkpoint` calls it
 * once.  The store does the transaction
 * (store_cp_append: checkpoint k+1 first, then the seq numbers, then
 * COMMIT); this file decides what goes into it.
 *
 * Why catch up through the stored leaves rather than trust our memory:
 * another master may have written checkpoints since our last round, and
 * a COMMIT whose answer was lost may or may not have stored ours.  Every
 * checkpoint is checked as the verifier would (signature, link, root), so
 * the sequencer never signs on top of a chain it cannot vouch for.
 *
 * With a lease (several hosts on one Galera cluster), a round first takes
 * or renews it in a transaction of its own and stands by when another
 * host holds it; the checkpoint's transaction renews it again, so a host
 * whose lease ran out meanwhile cannot commit (docs/scale-out.md).
 *
 * The leaves it signs are the content_hash the committer stored, not
 * rehashed from the rows (store_leaf_pending says why that is safe).
 *
 * What it does not do: verify decision rows already sequenced (verify.c
 * does), retry within a round, or sleep.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit/sequencer.h"

void sequencer_init(sequencer *q, store *db, const cp_key *key, int lag_ms, int batch)
{
    memset(q, 0, sizeof *q);
    q->db = db;
    q->key = key;
    q->lag_ms = lag_ms;
    q->batch = batch > 0 ? batch : 1000;
    merkle_range_init(&q->range);
}

void sequencer_use_lease(sequencer *q, const char *holder, int seconds)
{
    q->lease.holder = holder;
    q->lease.seconds = seconds;
}

typedef struct catch_up {
    sequencer *q;
    char *err;
    size_t errlen;
    int bad;
} catch_up;

/* Checks checkpoint cp against our state and adopts it. */
static int adopt(void *arg, const store_cp *cp)
{
    catch_up *c = arg;
    sequencer *q = c->q;
    checkpoint ck;
    size_t body_len;
    char why[128], root_hex[65];
    if (cp_open(q->key, cp->note, cp->note_len, &ck, &body_len, why, sizeof why)) goto bad;
    snprintf(why, sizeof why, "it does not follow checkpoint %llu", (unsigned long long)q->k);
    if (cp->k != q->k + 1 || ck.k != cp->k || ck.size != cp->tree_size || ck.size <= q->range.size ||
        memcmp(ck.prev, q->prev, 32) != 0 || cp->leaves_len != (ck.size - q->range.size) * 32)
        goto bad;
    merkle_range r = q->range;
    for (size_t i = 0; i < cp->leaves_len; i += 32) merkle_range_append(&r, cp->leaves + i);
    uint8_t root[32];
    merkle_range_root(&r, root);
    store_hex(root, 32, root_hex);
    snprintf(why, sizeof why, "its leaves do not give its signed root");
    if (memcmp(root, ck.root, 32) != 0 || strcmp(root_hex, cp->root_hex) != 0) goto bad;
    q->range = r;
    q->k = cp->k;
    cp_body_hash(cp->note, body_len, q->prev);
    return 0;
bad:
    snprintf(c->err, c->errlen, "checkpoint %llu cannot be extended (%s); run `eligo audit verify`",
             (unsigned long long)cp->k, why);
    c->bad = 1;
    return 1;
}

typedef struct batch {
    char **ids;
    uint8_t *leaves;
    size_t n, cap;
    uint64_t stale;
    int oom;
} batch;

static int collect(void *arg, const store_leaf_row *r)
{
    batch *b = arg;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char **ids = realloc(b->ids, cap * sizeof *ids);
        if (ids) b->ids = ids;
        uint8_t *lv = ids ? realloc(b->leaves, cap * 32) : NULL;
        if (!lv) return b->oom = 1;
        b->leaves = lv;
        b->cap = cap;
    }
    if (!(b->ids[b->n] = strdup(r->id))) return b->oom = 1;
    memcpy(b->leaves + b->n * 32, r->leaf, 32);
    if (!r->stored_ok) b->stale++;
    b->n++;
    return 0;
}

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n; i++) free(b->ids[i]);
    free(b->ids);
    free(b->leaves);
}

static void now_utc(char note_time[32], char sql_time[32])
{
    struct timespec ts;
    struct tm tm;
    char day[16], clock[16];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    unsigned us = (unsigned)(ts.tv_nsec / 1000) % 1000000u;
    snprintf(note_time, 32, "%.10sT%.8s.%06uZ", day, clock, us);
    snprintf(sql_time, 32, "%.10s %.8s.%06u", day, clock, us);
}

/* Signs and stores checkpoint k+1 over the batch. */
static int append(sequencer *q, const batch *b, buf *note, seq_round *out, char *err, size_t errlen)
{
    checkpoint ck;
    memset(&ck, 0, sizeof ck);
    snprintf(ck.origin, sizeof ck.origin, "%s", cp_key_name(q->key));
    merkle_range r = q->range;
    for (size_t i = 0; i < b->n; i++) merkle_range_append(&r, b->leaves + i * 32);
    merkle_range_root(&r, ck.root);
    ck.size = r.size;
    ck.k = q->k + 1;
    memcpy(ck.prev, q->prev, 32);
    char sql_time[32], root_hex[65];
    now_utc(ck.time, sql_time);
    store_hex(ck.root, 32, root_hex);
    buf body;
    buf_init(&body);
    cp_body(&ck, &body);
    size_t mark = note->len;
    int rc = SEQ_ERROR;
    if (body.failed || cp_sign(q->key, body.data, body.len, note)) {
        snprintf(err, errlen, "signing checkpoint %llu failed", (unsigned long long)ck.k);
        goto done;
    }
    store_cp cp = {.k = ck.k, .tree_size = ck.size, .root_hex = root_hex, .created_at = sql_time,
                   .leaves = b->leaves, .leaves_len = b->n * 32, .note = note->data + mark,
                   .note_len = note->len - mark};
    store_rc s = store_cp_append(q->db, &cp, (const char *const *)b->ids, b->n, q->range.size + 1,
                                 q->lease.holder ? &q->lease : NULL);
    if (s == STORE_OK) {
        q->range = r;
        q->k = ck.k;
        cp_body_hash(body.data, body.len, q->prev);
        out->k = ck.k;
        out->size = ck.size;
        out->added = b->n;
        out->stale_hashes = b->stale;
        rc = SEQ_SIGNED;
    } else {
        note->len = mark;
        if (s == STORE_CONFLICT) rc = SEQ_LOST_RACE;
        else snprintf(err, errlen, "storing checkpoint %llu: %s", (unsigned long long)ck.k, store_last_error(q->db));
    }
done:
    buf_free(&body);
    return rc;
}

int sequencer_round(sequencer *q, buf *note, seq_round *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    store_rc s;
    if (q->lease.holder) {
        s = store_lease_take(q->db, &q->lease);
        if (s == STORE_CONFLICT) return SEQ_STANDBY;
        if (s != STORE_OK) {
            snprintf(err, errlen, "taking the sequencer's lease: %s", store_last_error(q->db));
            return SEQ_ERROR;
        }
    }
    catch_up c = {q, err, errlen, 0};
    s = store_cp_each(q->db, q->k, adopt, &c);
    if (c.bad) {
        /* start from scratch next time: the stored chain may be repaired */
        store_lease l = q->lease;
        sequencer_init(q, q->db, q->key, q->lag_ms, q->batch);
        q->lease = l;
        return SEQ_ERROR;
    }
    if (s != STORE_OK) {
        snprintf(err, errlen, "reading checkpoints: %s", store_last_error(q->db));
        return SEQ_ERROR;
    }
    out->k = q->k;
    out->size = q->range.size;
    batch b = {0};
    s = store_leaf_pending(q->db, q->lag_ms, q->batch, collect, &b);
    int rc = SEQ_IDLE;
    if (b.oom) {
        snprintf(err, errlen, "out of memory");
        rc = SEQ_ERROR;
    } else if (s != STORE_OK) {
        snprintf(err, errlen, "reading new decisions: %s", store_last_error(q->db));
        rc = SEQ_ERROR;
    } else if (b.n > 0) {
        rc = append(q, &b, note, out, err, errlen);
    }
    batch_free(&b);
    return rc;
}
