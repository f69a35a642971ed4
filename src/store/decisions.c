/*
 * decisions.c - storing a decision durably and idempotently, and reading
 * it back.
 *
 * How it fits: the daemon's committer (src/service/committer.c) hands
 * the decisions its workers sent to store_put_batch(); the CLI and tests
 * call store_put_decision(), the batch of one.  A decision is answered
 * 201 only when its put ended STORE_OK (or 200 with the earlier decision
 * on STORE_EXISTS).  This is the idempotent store pattern of the
 * reliability notes, done for a batch, step by step:
 *
 *   1. one transaction (autocommit is off): INSERT IGNORE each policy and
 *      model text by its hash; INSERT each decision; one COMMIT for all;
 *   2. 1062 on UNIQUE(client, request_id) ends only that row's statement:
 *      after the transaction the stored row is read back and fingerprints
 *      compared: same -> STORE_EXISTS with the stored id and response (or
 *      STORE_OK when the row is our own, committed by an attempt whose
 *      answer was lost); different -> STORE_CONFLICT.  A twin inside the
 *      batch meets the first row this way too.  The rows of one request
 *      (store_put.group) are all or none: when one of them is not
 *      inserted, the transaction is rolled back and rerun without its
 *      group, whose other rows end STORE_NOT_FOUND;
 *   3. the INSERT never waits for a lock (lock wait 0): 1205 means
 *      another transaction holds this (client, request_id) uncommitted,
 *      and that row alone ends STORE_IN_FLIGHT (409), at once;
 *   4. 1213: the transaction is rolled back and the batch rerun;
 *   5. 2006/2013 and friends: the connection is dropped (db.c), the next
 *      attempt reconnects and prepares every statement again, and reruns
 *      the batch; when the connection was lost during COMMIT the outcome
 *      is unknown, so each row is first read back by request_id;
 *   6. a value the schema refuses fails its own row (STORE_ERROR);
 *   7. at most 3 attempts with jittered back-off; then STORE_UNAVAILABLE.
 *
 * The decision id is a UUIDv7 (time-ordered, so rows go to the end of the
 * primary key and "id order" is roughly arrival order for checkpoints),
 * made once per put so every attempt inserts the same row.  created_at
 * is taken here too, in UTC with microseconds, because it is hashed.
 *
 * content_hash is the leaf hash of the tamper-evidence design
 * (store_leaf_hash, described in store_int.h), over every stored field,
 * id and created_at included.  The outputs and explanation are fields of
 * the leaf but, when they are exactly the members of the response (as
 * eligod cuts them), are sent as NULL and held only in the response
 * (db/005, parts.c): the bytes of an explanation went to the server
 * twice before.
 *
 * Policy and model texts go into policy_versions / model_versions by
 * hash in the decision's transaction, so a replay finds the exact texts;
 * the store remembers which hashes it saw committed and skips the
 * INSERT IGNORE for them.
 *
 * What it does not do: assign seq or checkpoints (the checkpointer's
 * job), build the response (the handler's), or decide HTTP statuses.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <mysqld_error.h>
#include "store/store_int.h"

enum { MAX_ATTEMPTS = 3 };

/* SHA-256 fetched from OpenSSL's provider once per process: EVP_sha256()
 * given to EVP_Digest fetches the implementation again on every call (a
 * name lookup under a lock), and every decision is hashed twice (its
 * fingerprint and its leaf), a token on every token-cache miss.
 * One digest context per thread, kept for the thread's life, so no
 * allocation per hash; the key's destructor frees it when the thread
 * ends (a worker's threads end before the worker exits, and
 * LeakSanitizer counts a context left behind as a leak). */
static EVP_MD *sha256_md;
static pthread_key_t sha256_key;
static int sha256_key_ok;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static void sha256_ctx_free(void *ctx) { EVP_MD_CTX_free(ctx); }
static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha256_key_ok = pthread_key_create(&sha256_key, sha256_ctx_free) == 0;
}

static EVP_MD_CTX *sha256_ctx(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    if (!sha256_key_ok) return NULL;
    EVP_MD_CTX *ctx = pthread_getspecific(sha256_key);
    if (!ctx && (ctx = EVP_MD_CTX_new()) && pthread_setspecific(sha256_key, ctx) != 0) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

void store_hex(const unsigned char *b, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[b[i] >> 4];
        hex[2 * i + 1] = digits[b[i] & 15];
    }
    hex[2 * n] = 0;
}

int store_sha256_hex(const void *p, size_t n, char hex[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = sha256_ctx();
    if (!sha256_md || !ctx || !EVP_DigestInit_ex(ctx, sha256_md, NULL) ||
        !EVP_DigestUpdate(ctx, p, n) || !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)
        return -1;
    store_hex(md, 32, hex);
    return 0;
}

/* The random pool (store.h): ids are not secrets, and bytes drawn from
 * the generator ahead of their use are as unpredictable as bytes drawn
 * at it.  fork_gen counts forks (pthread_atfork, registered before the
 * first pool is filled, so every process forked after it counts too): a
 * pool filled in another generation is the parent's and is dropped. */
enum { RANDOM_POOL = 512 };
static unsigned long fork_gen;
static pthread_once_t random_once = PTHREAD_ONCE_INIT;
static void random_forked(void) { fork_gen++; }
static void random_init(void) { pthread_atfork(NULL, NULL, random_forked); }
static _Thread_local struct {
    unsigned char b[RANDOM_POOL];
    size_t left;
    unsigned long gen;
} pool;

int store_random(void *out, size_t n)
{
    pthread_once(&random_once, random_init);
    if (n > 64) return -1;
    if (pool.gen != fork_gen || pool.left < n) {
        pool.left = 0;
        if (RAND_bytes(pool.b, sizeof pool.b) != 1) return -1;
        pool.left = sizeof pool.b;
        pool.gen = fork_gen;
    }
    pool.left -= n;
    memcpy(out, pool.b + pool.left, n);
    memset(pool.b + pool.left, 0, n);     /* handed out once */
    return 0;
}

void store_uuid_text(const unsigned char b[16], char out[37])
{
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        store_hex(b + i, 1, o);
        o += 2;
    }
    *o = 0;
}

/* UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version, 74 random bits. */
static int make_uuid7(char out[37])
{
    unsigned char b[16];
    struct timespec ts;
    if (store_random(b + 6, 10)) return -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    for (int i = 0; i < 6; i++) b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
    store_uuid_text(b, out);
    return 0;
}

void store_utc_format(int64_t us, char out[64])
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, 64, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(us % 1000000));
}

void store_utc_now(char out[64])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    store_utc_format((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, out);
}

static void hash_field(EVP_MD_CTX *c, const char *p, uint64_t n)
{
    unsigned char len[8];
    if (!p) n = UINT64_MAX;
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(n >> (56 - 8 * i));
    EVP_DigestUpdate(c, len, 8);
    if (p) EVP_DigestUpdate(c, p, (size_t)n);
}

int store_leaf_hash(const char *const fields[STORE_LEAF_FIELDS], char hex[65])
{
    return store_leaf_hash_n(fields, NULL, hex);
}

int store_leaf_hash_n(const char *const fields[STORE_LEAF_FIELDS], const size_t *lens, char hex[65])
{
    unsigned char md[32], zero = 0;
    unsigned int mdlen = 0;
    EVP_MD_CTX *c = sha256_ctx();
    if (!sha256_md || !c || !EVP_DigestInit_ex(c, sha256_md, NULL)) return -1;
    EVP_DigestUpdate(c, &zero, 1);
    for (int i = 0; i < STORE_LEAF_FIELDS; i++)
        hash_field(c, fields[i], fields[i] ? (lens ? lens[i] : strlen(fields[i])) : 0);
    if (!EVP_DigestFinal_ex(c, md, &mdlen) || mdlen != 32) return -1;
    store_hex(md, 32, hex);
    return 0;
}

/* The row's fields in leaf order. */
static void leaf_fields(const char *id, const store_decision *d, const char *created_at,
                        const char *f[STORE_LEAF_FIELDS])
{
    f[LEAF_ID] = id;
    f[LEAF_REQUEST_ID] = d->request_id;
    f[LEAF_CLIENT] = d->client;
    f[LEAF_FINGERPRINT] = d->fingerprint;
    f[LEAF_POLICY_NAME] = d->policy_name;
    f[LEAF_POLICY_HASH] = d->policy_hash;
    f[LEAF_MODEL_HASH] = d->model_hash;
    f[LEAF_AS_OF] = d->as_of;
    f[LEAF_INPUT] = d->input_json;
    f[LEAF_OUTPUTS] = d->outputs_json;
    f[LEAF_EXPLANATION] = d->explanation_json;
    f[LEAF_RESPONSE] = d->response_json;
    f[LEAF_CREATED_AT] = created_at;
}

static int text_known(const store *s, const char *hash)
{
    for (unsigned i = 0; i < STORE_KNOWN_TEXTS; i++)
        if (strcmp(s->known_text[i], hash) == 0) return 1;
    return 0;
}

static void text_remember(store *s, const char *hash)
{
    if (text_known(s, hash)) return;
    snprintf(s->known_text[s->known_next], sizeof s->known_text[0], "%s", hash);
    s->known_next = (s->known_next + 1) % STORE_KNOWN_TEXTS;
}

/* INSERT IGNORE of a policy or model text the store has not seen committed. */
static store_class put_text(store *s, store_stmt_id id, const char *hash, const char *name,
                            const char *text, size_t len)
{
    if (text_known(s, hash)) return SC_OK;
    MYSQL_BIND p[3];
    unsigned long l[3];
    store_bind_str(&p[0], hash, strlen(hash), &l[0]);
    store_bind_str(&p[1], name, strlen(name), &l[1]);
    store_bind_str(&p[2], text, len, &l[2]);
    return store_exec(s, id, p);
}

static int is_date(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    if (!s || strlen(s) != 10) return 0;
    for (int i = 0; i < 10; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-') return 0;
    return 1;
}

/* Reads the row stored for (client, request_id) and decides what the
 * caller gets.  STORE_NOT_FOUND when there is none. */
static store_rc read_back(store *s, const store_decision *d, const char *our_id,
                          char decision_id[37], buf *stored_response)
{
    MYSQL_BIND p[2];
    unsigned long len[2];
    buf bid, bfp, tmp;
    buf_init(&bid);
    buf_init(&bfp);
    buf_init(&tmp);
    buf *cols[3] = {&bid, &bfp, stored_response ? stored_response : &tmp};
    store_bind_str(&p[0], d->client, strlen(d->client), &len[0]);
    store_bind_str(&p[1], d->request_id, strlen(d->request_id), &len[1]);
    store_rc rc = store_read_one(s, ST_DECISION_BY_RID, p, cols, 3, NULL);
    if (rc == STORE_OK) {
        snprintf(decision_id, 37, "%s", buf_cstr(&bid));
        if (strcmp(buf_cstr(&bfp), d->fingerprint) != 0) rc = STORE_CONFLICT;
        else if (strcmp(decision_id, our_id) != 0) rc = STORE_EXISTS;
        /* else: our own row, committed by an attempt whose answer was lost */
    }
    buf_free(&bid);
    buf_free(&bfp);
    buf_free(&tmp);
    return rc;
}

/* Where one put of a batch stands (store_put.state). */
enum {
    PUT_PENDING = 0,    /* to be inserted by the next attempt */
    PUT_INSERTED,       /* inserted in the open transaction (or in a commit in doubt) */
    PUT_DUPLICATE,      /* 1062: a row exists; read back after the transaction */
    PUT_DONE            /* rc and decision_id are the answer */
};

static void put_done(store_put *p, store_rc rc)
{
    p->rc = rc;
    p->state = PUT_DONE;
}

static int span_is(store_span sp, const char *text)
{
    return text ? sp.p && sp.n == strlen(text) && memcmp(sp.p, text, sp.n) == 0 : !sp.p;
}

/* The leaf fields of p's row and their lengths into f and len.  Outputs
 * and explanation are d's, or (outputs_json NULL, eligod's case) the
 * response's own members, hashed in place as spans of it: no copy of
 * them is made.  Either way, when they are exactly the members of the
 * response the row holds them only there (parts.c): the columns are sent
 * as NULL, and the leaf hash is what a reader that takes them back from
 * the response computes.  0, or -1 when outputs_json is NULL and the
 * response has no outputs. */
static int leaf_of_put(store_put *p, const char *f[STORE_LEAF_FIELDS], size_t len[STORE_LEAF_FIELDS])
{
    const store_decision *d = p->d;
    leaf_fields(p->id, d, p->created_at, f);
    for (int i = 0; i < STORE_LEAF_FIELDS; i++) len[i] = f[i] ? strlen(f[i]) : 0;
    store_span out, expl;
    int parts = store_response_parts(d->response_json, len[LEAF_RESPONSE], &out, &expl) == 0;
    if (d->outputs_json) {
        p->parts_in_response = parts && span_is(out, d->outputs_json) && span_is(expl, d->explanation_json);
        return 0;
    }
    if (!parts) return -1;
    p->parts_in_response = 1;
    f[LEAF_OUTPUTS] = out.p;
    len[LEAF_OUTPUTS] = out.n;
    f[LEAF_EXPLANATION] = expl.p;
    len[LEAF_EXPLANATION] = expl.n;
    return 0;
}

/* Checks the fields and fixes the row: id, created_at, content_hash, made
 * once so that every attempt inserts the same row. */
static void put_prepare(store *s, store_put *p)
{
    const store_decision *d = p->d;
    p->state = PUT_PENDING;
    p->rc = STORE_ERROR;
    p->decision_id[0] = 0;
    if (!d->request_id || !d->client || !d->fingerprint || !d->policy_name || !d->policy_hash ||
        !d->policy_text || !d->model_name || !d->model_hash || !d->model_text || !is_date(d->as_of) ||
        !d->input_json || !d->response_json) {
        store_set_error(s, 0, "store_put_decision: a required field is missing or as_of is not YYYY-MM-DD");
        put_done(p, STORE_ERROR);
        return;
    }
    if (make_uuid7(p->id)) {
        store_set_error(s, 0, "store_put_decision: no random bytes for the id");
        put_done(p, STORE_ERROR);
        return;
    }
    store_utc_now(p->created_at);
    const char *fields[STORE_LEAF_FIELDS];
    size_t lens[STORE_LEAF_FIELDS];
    if (leaf_of_put(p, fields, lens)) {
        store_set_error(s, 0, "store_put_decision: no outputs_json and the response has no outputs");
        put_done(p, STORE_ERROR);
    } else if (store_leaf_hash_n(fields, lens, p->chash)) {
        store_set_error(s, 0, "store_put_decision: SHA-256 failed");
        put_done(p, STORE_ERROR);
    }
}

static int put_left(const store_put *p, size_t n, int which)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].state == which) return 1;
    return 0;
}

/* The texts of the pending puts, each hash once per transaction. */
static store_class put_texts(store *s, store_put *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].state != PUT_PENDING) continue;
        const store_decision *d = p[i].d;
        int seen_p = 0, seen_m = 0;
        for (size_t j = 0; j < i; j++) {
            if (p[j].state != PUT_PENDING) continue;
            seen_p |= strcmp(p[j].d->policy_hash, d->policy_hash) == 0;
            seen_m |= strcmp(p[j].d->model_hash, d->model_hash) == 0;
        }
        store_class c = seen_p ? SC_OK : put_text(s, ST_POLICY_PUT, d->policy_hash, d->policy_name,
                                                  d->policy_text, d->policy_text_len);
        if (c == SC_OK && !seen_m)
            c = put_text(s, ST_MODEL_PUT, d->model_hash, d->model_name, d->model_text, d->model_text_len);
        if (c != SC_OK) return c;
    }
    return SC_OK;
}

/* Binds the 14 values of p's row at b (and their lengths at len). */
static void bind_row(store_put *p, const char *v[STORE_LEAF_FIELDS + 1], MYSQL_BIND *b, unsigned long *len)
{
    leaf_fields(p->id, p->d, p->created_at, v);
    v[STORE_LEAF_FIELDS] = p->chash;
    if (p->parts_in_response) v[LEAF_OUTPUTS] = v[LEAF_EXPLANATION] = NULL;
    for (int i = 0; i <= STORE_LEAF_FIELDS; i++)
        store_bind_str(&b[i], v[i], v[i] ? strlen(v[i]) : 0, &len[i]);
}

/* INSERT of one row.  A duplicate, another transaction holding the same
 * (client, request_id) (1205 at once: the statement does not wait), or a
 * value the schema refuses ends that row's statement only, never the
 * transaction: the other rows of the batch go on.  Returns SC_OK, or the
 * class that ends the whole transaction (deadlock, lost connection). */
static store_class put_row(store *s, store_put *p)
{
    const char *v[STORE_LEAF_FIELDS + 1];
    MYSQL_BIND b[STORE_LEAF_FIELDS + 1];
    unsigned long len[STORE_LEAF_FIELDS + 1];
    bind_row(p, v, b, len);
    store_class c = store_exec(s, ST_DECISION_PUT, b);
    switch (c) {
    case SC_OK: p->state = PUT_INSERTED; return SC_OK;
    case SC_DUPLICATE: p->state = PUT_DUPLICATE; return SC_OK;
    case SC_RETRY:
        if (s->err_no != ER_LOCK_WAIT_TIMEOUT) return c;       /* 1213: all rolled back */
        put_done(p, STORE_IN_FLIGHT);
        return SC_OK;
    case SC_FATAL: put_done(p, STORE_ERROR); return SC_OK;     /* this row's data */
    default: return c;
    }
}

enum { ROW_PARAMS = DECISION_ROW_PARAMS };
_Static_assert(DECISION_ROW_PARAMS == STORE_LEAF_FIELDS + 1, "a row binds its leaf fields and content_hash");

/* INSERT of the n rows of idx (2..STORE_PUT_ROWS_MAX) in one statement.
 * When the statement fails for a row of its own (a duplicate, a row in
 * flight elsewhere, a refused value) nothing of it was inserted, and the
 * rows go one by one (put_row) so that each gets its own outcome.  SC_OK
 * or the class that ends the transaction. */
static store_class put_group(store *s, store_put *p, const size_t *idx, int n)
{
    MYSQL_BIND *b = malloc(sizeof *b * ROW_PARAMS * (size_t)n);
    unsigned long *len = malloc(sizeof *len * ROW_PARAMS * (size_t)n);
    const char *(*v)[ROW_PARAMS] = malloc(sizeof *v * (size_t)n);
    store_class c = SC_FATAL;
    if (b && len && v) {
        for (int i = 0; i < n; i++) bind_row(&p[idx[i]], v[i], b + ROW_PARAMS * i, len + ROW_PARAMS * i);
        c = store_exec_put_rows(s, n, b);
    }
    free(b);
    free(len);
    free(v);
    if (c == SC_OK) {
        for (int i = 0; i < n; i++) p[idx[i]].state = PUT_INSERTED;
        return SC_OK;
    }
    if (c == SC_RECONNECT || c == SC_UNAVAILABLE || (c == SC_RETRY && s->err_no != ER_LOCK_WAIT_TIMEOUT))
        return c;
    for (int i = 0; i < n; i++) {
        c = put_row(s, &p[idx[i]]);
        if (c != SC_OK) return c;
    }
    return SC_OK;
}

/* Inserts the pending puts, STORE_PUT_ROWS_MAX rows per statement (a
 * group of the committer's default size is one statement: one round
 * trip before COMMIT).  SC_OK or the class that ends the transaction. */
static store_class put_rows(store *s, store_put *p, size_t n)
{
    size_t idx[STORE_PUT_ROWS_MAX];
    int k = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i].state == PUT_PENDING) idx[k++] = i;
        if (k == 0 || (k < STORE_PUT_ROWS_MAX && i < n)) continue;
        store_class c = k > 1 ? put_group(s, p, idx, k) : put_row(s, &p[idx[0]]);
        if (c != SC_OK) return c;
        k = 0;
    }
    return SC_OK;
}

/* After the INSERTs: a group with a row that was not inserted (a
 * duplicate, a row in flight elsewhere, a refused value) must not commit
 * the rows of it that were: they end STORE_NOT_FOUND.  1 when any did. */
static int put_groups_broken(store_put *p, size_t n)
{
    int broken = 0;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].group || p[i].state == PUT_INSERTED || p[i].state == PUT_PENDING) continue;
        for (size_t j = 0; j < n; j++)
            if (p[j].group == p[i].group && p[j].state == PUT_INSERTED) {
                put_done(&p[j], STORE_NOT_FOUND);
                broken = 1;
            }
    }
    return broken;
}

/* After a failed attempt: rows of the rolled-back transaction are
 * pending again. */
static void put_unsent(store_put *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].state == PUT_INSERTED) p[i].state = PUT_PENDING;
}

/* One attempt of the transaction over the pending puts.  *in_commit is
 * set once COMMIT is sent.  A broken group costs a rollback and a rerun
 * of the rest in the same attempt; each rerun has a group fewer. */
static store_class put_once(store *s, store_put *p, size_t n, int *in_commit)
{
    store_class c;
    for (;;) {
        c = put_texts(s, p, n);
        if (c != SC_OK) return c;
        c = put_rows(s, p, n);
        if (c != SC_OK) return c;
        if (!put_groups_broken(p, n)) break;
        store_rollback(s);
        put_unsent(p, n);
    }
    if (!put_left(p, n, PUT_INSERTED)) {
        store_rollback(s);       /* texts alone are not worth a commit */
        return SC_OK;
    }
    *in_commit = 1;
    c = store_commit(s);
    if (c == SC_OK) {
        for (size_t i = 0; i < n; i++) {
            if (p[i].state != PUT_INSERTED) continue;
            text_remember(s, p[i].d->policy_hash);
            text_remember(s, p[i].d->model_hash);
        }
    }
    return c;
}

/* Does another put of the batch carry the same (client, request_id)? */
static int has_twin(const store_put *p, size_t n, size_t i)
{
    for (size_t j = 0; j < n; j++)
        if (j != i && p[j].d->client && p[j].d->request_id && strcmp(p[j].d->client, p[i].d->client) == 0 &&
            strcmp(p[j].d->request_id, p[i].d->request_id) == 0)
            return 1;
    return 0;
}

/* Reads back every put in state `which`: those whose row is known end;
 * those without a row are pending again.  -1 when the read itself
 * failed (the connection is gone: try again on the next attempt). */
static int put_read_back(store *s, store_put *p, size_t n, int which)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].state != which) continue;
        store_rc rc = read_back(s, p[i].d, p[i].id, p[i].decision_id, p[i].stored_response);
        if (rc == STORE_NOT_FOUND) {
            if (which == PUT_DUPLICATE && has_twin(p, n, i)) {
                /* it met its twin of this batch, which was not stored */
                put_done(&p[i], STORE_UNAVAILABLE);
            } else if (which == PUT_DUPLICATE) {
                /* 1062 on another key: only the id could collide, and a
                 * UUIDv7 collision means a broken random source */
                store_set_error(s, ER_DUP_ENTRY, "store_put_decision: duplicate key that is not the request_id");
                put_done(&p[i], STORE_ERROR);
            } else {
                p[i].state = PUT_PENDING;
            }
        } else if (rc == STORE_OK || rc == STORE_EXISTS || rc == STORE_CONFLICT) {
            put_done(&p[i], rc);
        } else {
            return -1;
        }
    }
    return 0;
}

void store_put_batch(store *s, store_put *p, size_t n)
{
    for (size_t i = 0; i < n; i++) put_prepare(s, &p[i]);
    int in_doubt = 0;
    store_class c = SC_OK;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (attempt) store_backoff(s, attempt);
        if (store_ensure(s)) {
            c = store_classify(s->err_no);
            break;
        }
        /* a COMMIT whose outcome is unknown: which rows were stored? */
        if (in_doubt && put_read_back(s, p, n, PUT_INSERTED)) continue;
        in_doubt = 0;
        if (!put_left(p, n, PUT_PENDING)) break;
        int in_commit = 0;
        c = put_once(s, p, n, &in_commit);
        if (c == SC_OK) {
            for (size_t i = 0; i < n; i++)
                if (p[i].state == PUT_INSERTED) {
                    memcpy(p[i].decision_id, p[i].id, 37);
                    put_done(&p[i], STORE_OK);
                }
            break;
        }
        if (c == SC_RETRY) {
            store_rollback(s);
            put_unsent(p, n);
        } else if (c == SC_RECONNECT || c == SC_UNAVAILABLE) {
            /* db.c dropped the connection; the server rolled back anything
             * not committed.  Only a lost COMMIT leaves us in doubt. */
            in_doubt = in_commit;
            if (!in_commit) put_unsent(p, n);
        } else {
            store_rollback(s);
            put_unsent(p, n);
            break;
        }
    }
    /* rows that met a committed one: the stored decision, or a conflict */
    if (put_left(p, n, PUT_DUPLICATE) && put_read_back(s, p, n, PUT_DUPLICATE) == 0) c = SC_OK;
    store_rc rest = c == SC_FATAL ? STORE_ERROR : STORE_UNAVAILABLE;
    for (size_t i = 0; i < n; i++)
        if (p[i].state != PUT_DONE) put_done(&p[i], rest);
}

store_rc store_put_outcome(const store_put *p, size_t n)
{
    static const store_rc worst[] = {STORE_CONFLICT, STORE_IN_FLIGHT, STORE_ERROR, STORE_UNAVAILABLE};
    for (size_t w = 0; w < sizeof worst / sizeof worst[0]; w++)
        for (size_t i = 0; i < n; i++)
            if (p[i].rc == worst[w]) return worst[w];
    size_t ok = 0, exists = 0;
    for (size_t i = 0; i < n; i++) {
        ok += p[i].rc == STORE_OK;
        exists += p[i].rc == STORE_EXISTS;
    }
    if (ok == n) return STORE_OK;
    if (exists == n) return STORE_EXISTS;
    /* some stored before and some not: not the request stored then */
    return exists ? STORE_CONFLICT : STORE_ERROR;
}

store_rc store_put_decision(store *s, const store_decision *d, char decision_id[37], buf *stored_response)
{
    store_put p = {.d = d, .stored_response = stored_response};
    store_put_batch(s, &p, 1);
    memcpy(decision_id, p.decision_id, 37);
    return p.rc;
}

store_rc store_get_decision(store *s, const char *decision_id, buf *out)
{
    MYSQL_BIND p[1];
    unsigned long len;
    buf resp;
    buf_init(&resp);
    buf *cols[1] = {&resp};
    store_bind_str(&p[0], decision_id, strlen(decision_id), &len);
    store_rc rc = store_read_one(s, ST_DECISION_BY_ID, p, cols, 1, NULL);
    if (rc == STORE_OK) {
        /* the document as answered: decision_id first, then the stored
         * response's members */
        const char *r = buf_cstr(&resp);
        while (*r == ' ' || *r == '\n' || *r == '\t' || *r == '\r') r++;
        buf_adds(out, "{\"decision_id\":");
        buf_json_string(out, decision_id, strlen(decision_id));
        if (*r == '{') {
            const char *q = r + 1;
            while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r') q++;
            if (*q != '}') buf_addc(out, ',');
            buf_adds(out, r + 1);
        } else {
            buf_adds(out, "}");
        }
        if (out->failed) rc = STORE_ERROR;
    }
    buf_free(&resp);
    return rc;
}
