/*
 * decisions.c - storing a decision durably and idempotently, and reading
 * it back.
 *
 * How it fits: the daemon's POST /v1/decisions handler evaluates, builds
 * the response, and calls store_put_decision(); it answers 201 only when
 * that returned STORE_OK (or 200 with the earlier decision on
 * STORE_EXISTS).  This is the idempotent store pattern of the reliability
 * notes, step by step:
 *
 *   1. one transaction (autocommit is off): INSERT IGNORE the policy text
 *      by its hash; INSERT the decision; COMMIT;
 *   2. 1062 on UNIQUE(client, request_id): roll back, read the stored row
 *      back and compare fingerprints: same -> STORE_EXISTS with the stored
 *      id and response (or STORE_OK when the row is our own, committed by
 *      an attempt whose answer was lost); different -> STORE_CONFLICT;
 *   3. 1213/1205: roll back and rerun the whole transaction;
 *   4. 2006/2013 and friends: the connection is dropped (db.c), the next
 *      attempt reconnects and prepares every statement again, and reruns
 *      the transaction; when the connection was lost during COMMIT the
 *      outcome is unknown, so the row is first read back by request_id;
 *   5. at most 3 attempts with jittered back-off; then STORE_UNAVAILABLE.
 *
 * The decision id is a UUIDv7 (time-ordered, so rows go to the end of the
 * primary key and "id order" is roughly arrival order for checkpoints),
 * made once per call so every attempt inserts the same row.  created_at
 * is taken here too, in UTC with microseconds, because it is hashed.
 *
 * content_hash is the leaf hash of the tamper-evidence design
 * (store_leaf_hash, described in store_int.h), over every stored field,
 * id and created_at included.
 *
 * Policy and model texts go into policy_versions / model_versions by
 * hash in the decision's transaction, so a replay finds the exact texts;
 * the store remembers which hashes it saw committed and skips the
 * INSERT IGNORE for them.
 *
 * What it does not do: assign seq or checkpoints (the checkpointer's
 * job), build the response (the handler's), or decide HTTP statuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <mysqld_error.h>
#include "store/store_int.h"

enum { MAX_ATTEMPTS = 3 };

int store_sha256_hex(const void *p, size_t n, char hex[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) return -1;
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version, 74 random bits. */
static int make_uuid7(char out[37])
{
    unsigned char b[16];
    struct timespec ts;
    if (RAND_bytes(b + 6, 10) != 1) return -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    for (int i = 0; i < 6; i++) b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    return 0;
}

static void utc_now(char out[64])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, 64, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

static void hash_field(EVP_MD_CTX *c, const char *p)
{
    unsigned char len[8];
    uint64_t n = p ? (uint64_t)strlen(p) : UINT64_MAX;
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(n >> (56 - 8 * i));
    EVP_DigestUpdate(c, len, 8);
    if (p) EVP_DigestUpdate(c, p, (size_t)n);
}

int store_leaf_hash(const char *const fields[STORE_LEAF_FIELDS], char hex[65])
{
    unsigned char md[32], zero = 0;
    unsigned int mdlen = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(c);
        return -1;
    }
    EVP_DigestUpdate(c, &zero, 1);
    for (int i = 0; i < STORE_LEAF_FIELDS; i++) hash_field(c, fields[i]);
    int ok = EVP_DigestFinal_ex(c, md, &mdlen) && mdlen == 32;
    EVP_MD_CTX_free(c);
    if (!ok) return -1;
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
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

/* One attempt of the transaction.  *in_commit is set once COMMIT is sent. */
static store_class put_once(store *s, const store_decision *d, const char *id,
                            const char *created_at, const char *chash, int *in_commit)
{
    store_class c = put_text(s, ST_POLICY_PUT, d->policy_hash, d->policy_name, d->policy_text,
                             d->policy_text_len);
    if (c == SC_OK)
        c = put_text(s, ST_MODEL_PUT, d->model_hash, d->model_name, d->model_text, d->model_text_len);
    if (c != SC_OK) return c;

    const char *v[STORE_LEAF_FIELDS + 1];
    leaf_fields(id, d, created_at, v);
    v[STORE_LEAF_FIELDS] = chash;
    MYSQL_BIND p[STORE_LEAF_FIELDS + 1];
    unsigned long len[STORE_LEAF_FIELDS + 1];
    for (int i = 0; i <= STORE_LEAF_FIELDS; i++)
        store_bind_str(&p[i], v[i], v[i] ? strlen(v[i]) : 0, &len[i]);
    c = store_exec(s, ST_DECISION_PUT, p);
    if (c != SC_OK) return c;

    *in_commit = 1;
    c = store_commit(s);
    if (c == SC_OK) {
        text_remember(s, d->policy_hash);
        text_remember(s, d->model_hash);
    }
    return c;
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

/* The Idempotency-Key draft's 409: is another attempt storing this
 * (client, request_id) right now?  A locking read with NOWAIT fails at
 * once (1205) on a row another transaction inserted and has not
 * committed.  STORE_IN_FLIGHT, STORE_EXISTS (a committed row),
 * STORE_NOT_FOUND, or STORE_ERROR when the read itself failed (the put
 * then runs its normal course, with its own error handling). */
static store_rc claim(store *s, const store_decision *d)
{
    MYSQL_BIND p[2];
    unsigned long len[2];
    store_bind_str(&p[0], d->client, strlen(d->client), &len[0]);
    store_bind_str(&p[1], d->request_id, strlen(d->request_id), &len[1]);
    store_class c = store_exec(s, ST_DECISION_CLAIM, p);
    if (c != SC_OK) {
        unsigned int e = s->err_no;
        store_rollback(s);
        return e == ER_LOCK_WAIT_TIMEOUT ? STORE_IN_FLIGHT : STORE_ERROR;
    }
    buf one;
    buf_init(&one);
    buf *cols[1] = {&one};
    int got = store_fetch_text(s, ST_DECISION_CLAIM, cols, 1, NULL);
    store_stmt_done(s, ST_DECISION_CLAIM);
    store_rollback(s);                  /* the read's shared lock is not kept */
    buf_free(&one);
    return got == 1 ? STORE_EXISTS : got == 0 ? STORE_NOT_FOUND : STORE_ERROR;
}

store_rc store_put_decision(store *s, const store_decision *d, char decision_id[37], buf *stored_response)
{
    char id[37], created_at[64], chash[65];
    if (!d->request_id || !d->client || !d->fingerprint || !d->policy_name || !d->policy_hash ||
        !d->policy_text || !d->model_name || !d->model_hash || !d->model_text || !is_date(d->as_of) || !d->input_json || !d->outputs_json ||
        !d->response_json) {
        store_set_error(s, 0, "store_put_decision: a required field is missing or as_of is not YYYY-MM-DD");
        return STORE_ERROR;
    }
    if (make_uuid7(id)) {
        store_set_error(s, 0, "store_put_decision: no random bytes for the id");
        return STORE_ERROR;
    }
    utc_now(created_at);
    const char *fields[STORE_LEAF_FIELDS];
    leaf_fields(id, d, created_at, fields);
    if (store_leaf_hash(fields, chash)) {
        store_set_error(s, 0, "store_put_decision: SHA-256 failed");
        return STORE_ERROR;
    }

    if (store_ensure(s) == 0) {
        store_rc rc = claim(s, d);
        if (rc == STORE_IN_FLIGHT)
            return rc;
        if (rc == STORE_EXISTS) {
            rc = read_back(s, d, id, decision_id, stored_response);
            if (rc != STORE_NOT_FOUND) return rc;
        }
    }
    int in_doubt = 0;
    store_class c = SC_OK;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (attempt) store_backoff(s, attempt);
        if (store_ensure(s)) return store_rc_of(store_classify(s->err_no));
        if (in_doubt) {
            /* the last COMMIT's outcome is unknown: was the row stored? */
            store_rc rc = read_back(s, d, id, decision_id, stored_response);
            if (rc == STORE_OK || rc == STORE_EXISTS || rc == STORE_CONFLICT) return rc;
            if (rc != STORE_NOT_FOUND) return rc;
            in_doubt = 0;
        }
        int in_commit = 0;
        c = put_once(s, d, id, created_at, chash, &in_commit);
        switch (c) {
        case SC_OK:
            memcpy(decision_id, id, 37);
            return STORE_OK;
        case SC_DUPLICATE: {
            store_rollback(s);
            store_rc rc = read_back(s, d, id, decision_id, stored_response);
            if (rc != STORE_NOT_FOUND) return rc;
            /* 1062 on another key: only the id could collide, and a UUIDv7
             * collision means a broken random source, not bad luck */
            store_set_error(s, ER_DUP_ENTRY, "store_put_decision: duplicate key that is not the request_id");
            return STORE_ERROR;
        }
        case SC_RETRY:
            store_rollback(s);
            break;
        case SC_RECONNECT:
        case SC_UNAVAILABLE:
            /* db.c dropped the connection; the server rolled back anything
             * not committed.  Only a lost COMMIT leaves us in doubt. */
            in_doubt = in_commit;
            break;
        default:
            store_rollback(s);
            return STORE_ERROR;
        }
    }
    return STORE_UNAVAILABLE;
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
