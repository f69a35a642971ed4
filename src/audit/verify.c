/*
 * verify.c - the auditor's walk over checkpoints and decisions (the
 * checks and output formats are listed in verify.h).
 *
 * How it fits: `eligo audit verify` (src/cli/cmd_audit.c) and GET
 * /v1/audit/verify (src/service/h_audit.c) call audit_verify() with a
 * store and the public key.  The walk nests: for each checkpoint page
 * (store_cp_each) and each checkpoint in it, the decisions that
 * checkpoint added are read in seq order (store_leaf_rows), so memory
 * is one page of each plus a compact range, whatever the log's size.
 *
 * Why the leaves stored with each checkpoint: a signed root alone says
 * "something in these 10,000 rows changed" but not which; once the
 * stored leaves are shown to rebuild the signed root, they are as good
 * as signed, and each decision is compared with its own leaf, so the
 * report names the first altered, swapped or forged decision.
 *
 * What it does not do: trust any hash stored in the database (every leaf
 * is recomputed from content by the store; stored leaves are checked
 * against signatures first), repair anything, or use floating point.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "audit/merkle.h"
#include "audit/verify.h"

typedef struct vctx {
    store *db;
    const cp_key *key;
    const verify_since *since;
    verify_report *rep;
    merkle_range tree;        /* leaves vouched for by checkpoints 1..next_k-1 */
    uint64_t next_k;
    uint8_t prev[32];         /* body hash of checkpoint next_k-1 */
    uint64_t expect_seq;
    /* the checkpoint whose decisions are being read */
    const uint8_t *leaves;
    uint64_t lo, hi, cur_k;
    int since_checked;
    int done;                 /* a problem was found: stop */
    int db_failed;
} vctx;

static int found(vctx *v, int kind, const char *id, uint64_t seq, uint64_t k, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int found(vctx *v, int kind, const char *id, uint64_t seq, uint64_t k, const char *fmt, ...)
{
    verify_report *r = v->rep;
    r->intact = 0;
    r->kind = kind;
    snprintf(r->id, sizeof r->id, "%s", id ? id : "");
    r->seq = seq;
    r->k = k;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem, sizeof r->problem, fmt, ap);
    va_end(ap);
    v->done = 1;
    return 1;
}

typedef unsigned long long ull;

static int on_row(void *arg, const store_leaf_row *r)
{
    vctx *v = arg;
    if (r->seq > v->expect_seq)
        return found(v, VK_SEQ, NULL, v->expect_seq, v->cur_k,
                     "seq %llu is missing: a decision covered by checkpoint %llu was deleted or renumbered",
                     (ull)v->expect_seq, (ull)v->cur_k);
    if (r->seq < v->expect_seq)
        return found(v, VK_SEQ, r->id, r->seq, v->cur_k, "seq %llu appears twice (decision %s)", (ull)r->seq, r->id);
    if (memcmp(r->leaf, v->leaves + (r->seq - v->lo - 1) * 32, 32) != 0)
        return found(v, VK_DECISION, r->id, r->seq, v->cur_k,
                     "decision %s (seq %llu) is not what checkpoint %llu signed: altered, swapped or forged",
                     r->id, (ull)r->seq, (ull)v->cur_k);
    if (!r->stored_ok)
        return found(v, VK_DECISION, r->id, r->seq, v->cur_k,
                     "decision %s (seq %llu): its content_hash column does not match its content", r->id,
                     (ull)r->seq);
    v->rep->decisions++;
    v->expect_seq++;
    return 0;
}

/* The leaves of cp extend the tree to its signed root; the kept
 * checkpoint's size is checked on the way. */
static int extend(vctx *v, const store_cp *cp, const checkpoint *ck)
{
    merkle_range r = v->tree;
    int since_at = -1;
    uint8_t since_root[32];
    for (size_t i = 0; i < cp->leaves_len; i += 32) {
        merkle_range_append(&r, cp->leaves + i);
        if (v->since && !v->since_checked && r.size == v->since->c.size) {
            merkle_range_root(&r, since_root);
            since_at = 1;
        }
    }
    uint8_t root[32];
    merkle_range_root(&r, root);
    if (memcmp(root, ck->root, 32) != 0)
        return found(v, VK_CHECKPOINT, NULL, 0, cp->k,
                     "checkpoint %llu: its stored leaves do not give its signed root (leaves altered)", (ull)cp->k);
    if (since_at > 0) {
        v->since_checked = 1;
        if (memcmp(since_root, v->since->c.root, 32) != 0)
            return found(v, VK_CHECKPOINT, NULL, 0, v->since->c.k,
                         "the log does not extend the kept checkpoint %llu: the root of its first %llu decisions differs",
                         (ull)v->since->c.k, (ull)v->since->c.size);
    }
    v->tree = r;
    return 0;
}

static int hex_is(const char *hex, const uint8_t b[32])
{
    char h[65];
    store_hex(b, 32, h);
    return hex && strcmp(hex, h) == 0;
}

static int on_checkpoint(void *arg, const store_cp *cp)
{
    vctx *v = arg;
    checkpoint ck;
    size_t body_len;
    char why[128];
    if (cp->k != v->next_k)
        return found(v, VK_CHECKPOINT, NULL, 0, v->next_k, "checkpoint %llu is missing (deleted); the next stored is %llu",
                     (ull)v->next_k, (ull)cp->k);
    if (cp_open(v->key, cp->note, cp->note_len, &ck, &body_len, why, sizeof why))
        return found(v, VK_CHECKPOINT, NULL, 0, cp->k, "checkpoint %llu: %s", (ull)cp->k, why);
    if (ck.k != cp->k || ck.size != cp->tree_size || !hex_is(cp->root_hex, ck.root))
        return found(v, VK_CHECKPOINT, NULL, 0, cp->k, "checkpoint %llu: its row and its signed note disagree", (ull)cp->k);
    if (memcmp(ck.prev, v->prev, 32) != 0)
        return found(v, VK_CHECKPOINT, NULL, 0, cp->k, "checkpoint %llu does not link to checkpoint %llu",
                     (ull)cp->k, (ull)cp->k - 1);
    if (ck.size <= v->tree.size || cp->leaves_len != (ck.size - v->tree.size) * 32)
        return found(v, VK_CHECKPOINT, NULL, 0, cp->k, "checkpoint %llu: its size or its stored leaves do not follow checkpoint %llu",
                     (ull)cp->k, (ull)cp->k - 1);
    if (v->since && v->since->c.k == cp->k &&
        (v->since->body_len != body_len || memcmp(v->since->body, cp->note, body_len) != 0))
        return found(v, VK_CHECKPOINT, NULL, 0, cp->k, "checkpoint %llu differs from the one the auditor kept", (ull)cp->k);
    uint64_t lo = v->tree.size;
    if (extend(v, cp, &ck)) return 1;
    v->leaves = cp->leaves;
    v->lo = lo;
    v->hi = ck.size;
    v->cur_k = cp->k;
    if (store_leaf_rows(v->db, lo, ck.size, on_row, v) != STORE_OK && !v->done) {
        v->db_failed = 1;
        return 1;
    }
    if (v->done) return 1;
    if (v->expect_seq != ck.size + 1)
        return found(v, VK_SEQ, NULL, v->expect_seq, cp->k,
                     "seq %llu is missing: a decision covered by checkpoint %llu was deleted or renumbered",
                     (ull)v->expect_seq, (ull)cp->k);
    cp_body_hash(cp->note, body_len, v->prev);
    v->next_k++;
    v->rep->checkpoints++;
    v->rep->tree_size = ck.size;
    return 0;
}

typedef struct beyond {
    uint64_t seq;
    char id[40];
} beyond;

static int first_row(void *arg, const store_leaf_row *r)
{
    beyond *b = arg;
    b->seq = r->seq;
    snprintf(b->id, sizeof b->id, "%s", r->id);
    return 1;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Checkpoints, then decisions numbered beyond the newest one.  A row
 * beyond may belong to a checkpoint committed while we walked (seq and
 * checkpoint commit together), so the checkpoints are read again until
 * no new one appears before such a row is called forged. */
static int walk_all(vctx *v)
{
    for (;;) {
        uint64_t had = v->rep->checkpoints;
        if (store_cp_each(v->db, v->next_k - 1, on_checkpoint, v) != STORE_OK && !v->done) v->db_failed = 1;
        if (v->done || v->db_failed) return 0;
        beyond b = {0};
        if (store_leaf_rows(v->db, v->tree.size, UINT64_MAX, first_row, &b) != STORE_OK) {
            v->db_failed = 1;
            return 0;
        }
        if (b.seq == 0) return 0;
        if (v->rep->checkpoints > had && had > 0) continue;
        if (had == 0 && v->rep->checkpoints > 0) continue;   /* the first pass: look once more */
        return found(v, VK_DECISION, b.id, b.seq, 0,
                     "decision %s has seq %llu beyond the newest checkpoint (size %llu): numbered outside the sequencer, or forged",
                     b.id, (ull)b.seq, (ull)v->tree.size);
    }
}

/* The texts the decisions name (store_texts_check). */
static void check_texts(vctx *v)
{
    store_text_fault f;
    int bad = 0;
    if (store_texts_check(v->db, &f, &bad) != STORE_OK) {
        v->db_failed = 1;
        return;
    }
    if (!bad) return;
    if (f.missing)
        found(v, VK_TEXT, f.id, f.seq, 0, "decision %s (seq %llu) was made under the %s text %s, which is not stored (deleted)",
              f.id, (ull)f.seq, f.kind, f.hash);
    else if (f.id[0])
        found(v, VK_TEXT, f.id, f.seq, 0, "the stored %s text %s (%s) does not hash to its key: altered; decision %s (seq %llu) was made under it",
              f.kind, f.hash, f.name, f.id, (ull)f.seq);
    else
        found(v, VK_TEXT, NULL, 0, 0, "the stored %s text %s (%s) does not hash to its key: altered", f.kind, f.hash, f.name);
}

/* Rows left without a seq for longer than the bound. */
static void check_unprotected(vctx *v, int64_t max_s)
{
    verify_report *r = v->rep;
    r->max_unprotected_s = max_s;
    if (max_s < 0 || !r->unsequenced || r->unsequenced_oldest_ms <= (uint64_t)max_s * 1000) return;
    found(v, VK_UNPROTECTED, NULL, 0, 0,
          "%llu decisions are under no signed checkpoint, the oldest %llu.%03llu s old (at most %lld s allowed): is the sequencer running?",
          (ull)r->unsequenced, (ull)(r->unsequenced_oldest_ms / 1000), (ull)(r->unsequenced_oldest_ms % 1000),
          (long long)max_s);
}

int audit_verify(store *db, const cp_key *key, const verify_since *since, int64_t max_unprotected_s,
                 verify_report *rep, char *err, size_t errlen)
{
    uint64_t t0 = now_us();
    memset(rep, 0, sizeof *rep);
    rep->intact = 1;
    vctx v = {.db = db, .key = key, .since = since, .rep = rep, .next_k = 1, .expect_seq = 1};
    merkle_range_init(&v.tree);
    if (since && since->c.size == 0) v.since_checked = 1;
    walk_all(&v);
    if (!v.done && !v.db_failed && since && !v.since_checked)
        found(&v, VK_CHECKPOINT, NULL, 0, since->c.k,
              "the kept checkpoint %llu (size %llu) is beyond the newest stored checkpoint (size %llu): the log was truncated",
              (ull)since->c.k, (ull)since->c.size, (ull)v.tree.size);
    if (!v.done && !v.db_failed) check_texts(&v);
    if (!v.db_failed && store_leaf_unsequenced(db, &rep->unsequenced, &rep->unsequenced_oldest_ms) != STORE_OK)
        v.db_failed = 1;
    if (!v.done && !v.db_failed) check_unprotected(&v, max_unprotected_s);
    else rep->max_unprotected_s = max_unprotected_s;
    rep->elapsed_us = now_us() - t0;
    if (v.db_failed) {
        snprintf(err, errlen, "database: %s", store_last_error(db));
        return -1;
    }
    return 0;
}

uint64_t verify_rate(const verify_report *rep)
{
    return rep->elapsed_us ? rep->decisions * 1000000u / rep->elapsed_us : 0;
}

void verify_print(const verify_report *rep, FILE *out)
{
    if (rep->intact) {
        fprintf(out, "intact: %llu decisions in %llu checkpoints (tree size %llu), %llu not yet checkpointed",
                (ull)rep->decisions, (ull)rep->checkpoints, (ull)rep->tree_size, (ull)rep->unsequenced);
        if (rep->unsequenced)
            fprintf(out, ", the oldest %llu.%03llu s old", (ull)(rep->unsequenced_oldest_ms / 1000),
                    (ull)(rep->unsequenced_oldest_ms % 1000));
        fprintf(out, "; %llu ms, %llu decisions/s\n", (ull)(rep->elapsed_us / 1000), (ull)verify_rate(rep));
        return;
    }
    if (rep->kind == VK_UNPROTECTED) {
        fprintf(out, "UNPROTECTED: %s\n", rep->problem);
        fprintf(out, "checked %llu decisions in %llu checkpoints: intact\n", (ull)rep->decisions, (ull)rep->checkpoints);
        return;
    }
    fprintf(out, "TAMPERED: %s\n", rep->problem);
    fprintf(out, "checked %llu decisions in %llu checkpoints before it\n", (ull)rep->decisions,
            (ull)rep->checkpoints);
}

void verify_json(const verify_report *rep, buf *out)
{
    buf_printf(out, "{\"intact\":%s,\"decisions\":%llu,\"checkpoints\":%llu,\"tree_size\":%llu,"
                    "\"unsequenced\":%llu,\"unsequenced_oldest_ms\":%llu,\"max_unprotected_s\":",
               rep->intact ? "true" : "false", (ull)rep->decisions, (ull)rep->checkpoints, (ull)rep->tree_size,
               (ull)rep->unsequenced, (ull)rep->unsequenced_oldest_ms);
    if (rep->max_unprotected_s >= 0) buf_printf(out, "%lld", (long long)rep->max_unprotected_s);
    else buf_adds(out, "null");
    buf_printf(out, ",\"elapsed_ms\":%llu,\"decisions_per_s\":%llu", (ull)(rep->elapsed_us / 1000),
               (ull)verify_rate(rep));
    if (rep->kind == VK_UNPROTECTED) {
        buf_adds(out, ",\"problem\":\"unprotected\",\"kind\":\"unprotected\",\"detail\":");
        buf_json_string(out, rep->problem, strlen(rep->problem));
    } else if (!rep->intact) {
        static const char *const kinds[] = {"none", "decision", "seq", "checkpoint", "text"};
        buf_adds(out, ",\"problem\":");
        buf_json_string(out, rep->problem, strlen(rep->problem));
        buf_printf(out, ",\"kind\":\"%s\",\"id\":", kinds[rep->kind]);
        if (rep->id[0]) buf_json_string(out, rep->id, strlen(rep->id));
        else buf_adds(out, "null");
        if (rep->seq) buf_printf(out, ",\"seq\":%llu", (ull)rep->seq);
        else buf_adds(out, ",\"seq\":null");
        if (rep->k) buf_printf(out, ",\"checkpoint\":%llu", (ull)rep->k);
        else buf_adds(out, ",\"checkpoint\":null");
    }
    buf_addc(out, '}');
}
