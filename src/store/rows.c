/*
 * rows.c - reading stored decisions and the texts they were made under,
 * for replay, impact and audits (store.h: store_get_row, store_each_row,
 * store_get_policy_text, store_get_model_text, store_policy_known).
 *
 * How it fits: the auditor's and officer's tools (src/audit/) read
 * through these; the decision path never does.  A range is walked with
 * keyset pagination on (created_at, id), 500 rows a page, so a replay of
 * a million decisions holds two pages at a time and each page starts from
 * the index, not from the beginning of the range.  A thread with its own
 * connection reads the next page while the caller works on the current
 * one.  Every read ends its transaction (autocommit is off), so a long
 * walk holds no locks between pages.
 *
 * Each row comes with its seq, its checkpoint and that checkpoint's leaf
 * for it, and store_row_leaf recomputes its leaf hash from the content,
 * so whoever shows a row can first check it (audit/record.c).  A row
 * stored since db/005 comes with its outputs and explanation taken back
 * from its response (parts.c), so callers see every row alike.
 *
 * What it does not do: decide what a row means (audit/) or verify the
 * checkpoints' signatures (audit/verify.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_int.h"

enum { ROW_COLS = 17 };

/* The row's buffers in ROW_SELECT's column order (store_int.h). */
static void row_cols(store_row *r, buf *cols[ROW_COLS])
{
    buf *all[ROW_COLS] = {&r->id, &r->request_id, &r->client, &r->fingerprint, &r->policy_name,
                          &r->policy_hash, &r->model_hash, &r->as_of, &r->input, &r->outputs,
                          &r->explanation, &r->response, &r->created_at, &r->content_hash,
                          &r->seq, &r->checkpoint, &r->checkpoint_leaf};
    memcpy(cols, all, sizeof all);
}

int store_row_leaf(const store_row *r, char hex[65])
{
    const char *f[STORE_LEAF_FIELDS] = {
        [LEAF_ID] = r->id.data, [LEAF_REQUEST_ID] = r->request_id.data, [LEAF_CLIENT] = r->client.data,
        [LEAF_FINGERPRINT] = r->fingerprint.data, [LEAF_POLICY_NAME] = r->policy_name.data,
        [LEAF_POLICY_HASH] = r->policy_hash.data, [LEAF_MODEL_HASH] = r->model_hash_null ? NULL : r->model_hash.data,
        [LEAF_AS_OF] = r->as_of.data, [LEAF_INPUT] = r->input.data, [LEAF_OUTPUTS] = r->outputs.data,
        [LEAF_EXPLANATION] = r->explanation_null ? NULL : r->explanation.data,
        [LEAF_RESPONSE] = r->response.data, [LEAF_CREATED_AT] = r->created_at.data,
    };
    for (int i = 0; i < STORE_LEAF_FIELDS; i++)
        if (!f[i] && i != LEAF_MODEL_HASH && i != LEAF_EXPLANATION) f[i] = "";
    return store_leaf_hash(f, hex);
}

void store_row_init(store_row *r)
{
    buf *cols[ROW_COLS];
    memset(r, 0, sizeof *r);
    row_cols(r, cols);
    for (int i = 0; i < ROW_COLS; i++) buf_init(cols[i]);
}

void store_row_free(store_row *r)
{
    buf *cols[ROW_COLS];
    row_cols(r, cols);
    for (int i = 0; i < ROW_COLS; i++) buf_free(cols[i]);
}

/* After a fetch: NUL-terminates the columns and, for a row stored since
 * db/005 (outputs NULL), takes outputs and explanation back from the
 * response (parts.c), as checkpoints.c does for the leaf: an explanation
 * column that is not NULL was written by someone else and is kept as it
 * is, and a response without outputs leaves them empty.  Either way the
 * leaf hash of an altered row no longer matches. */
static void row_fetched(store_row *r, const int isnull[ROW_COLS])
{
    buf *cols[ROW_COLS];
    row_cols(r, cols);
    r->model_hash_null = isnull[6];
    r->explanation_null = isnull[10];
    store_span out, expl;
    if (isnull[9] && store_response_parts(r->response.data, r->response.len, &out, &expl) == 0) {
        buf_add(&r->outputs, out.p, out.n);
        if (isnull[10] && expl.p) {
            buf_add(&r->explanation, expl.p, expl.n);
            r->explanation_null = 0;
        }
    }
    for (int i = 0; i < ROW_COLS; i++) (void)buf_cstr(cols[i]);
}

/* Fetches the next row; 1, 0 at the end, -1 on error. */
static int fetch_row(store *s, store_stmt_id id, store_row *r)
{
    buf *cols[ROW_COLS];
    int isnull[ROW_COLS];
    row_cols(r, cols);
    int got = store_fetch_text(s, id, cols, ROW_COLS, isnull);
    if (got == 1) row_fetched(r, isnull);
    return got;
}

store_rc store_get_row(store *s, const char *decision_id, store_row *r)
{
    buf *cols[ROW_COLS];
    int isnull[ROW_COLS];
    MYSQL_BIND p[1];
    unsigned long len;
    row_cols(r, cols);
    store_bind_str(&p[0], decision_id, strlen(decision_id), &len);
    store_rc rc = store_read_one(s, ST_ROW_BY_ID, p, cols, ROW_COLS, isnull);
    if (rc == STORE_OK) row_fetched(r, isnull);
    return rc;
}

/* A page of the walk: up to PAGE_ROWS rows, each with its own buffers
 * (grown to the largest row seen, then reused). */
enum { PAGE_ROWS = 500 };
typedef struct page {
    store_row rows[PAGE_ROWS];
    int n;
    int last;                   /* no page after this one */
    store_rc rc;
} page;

/* Where a walk is: its bounds and the key of the last row read. */
typedef struct walk_key {
    char lo[32], hi[32], after_at[32], after_id[40];
    const char *policy;
} walk_key;

static page *pages_new(int n)
{
    page *p = calloc((size_t)n, sizeof *p);
    for (int k = 0; p && k < n; k++)
        for (int i = 0; i < PAGE_ROWS; i++) store_row_init(&p[k].rows[i]);
    return p;
}

static void pages_free(page *p, int n)
{
    for (int k = 0; p && k < n; k++)
        for (int i = 0; i < PAGE_ROWS; i++) store_row_free(&p[k].rows[i]);
    free(p);
}

/* Reads the page after w's key into pg and advances the key. */
static void fill_page(store *s, walk_key *w, page *pg)
{
    const char *pol = w->policy ? w->policy : "";
    const char *v[7] = {w->lo, w->hi, pol, pol, w->after_at, w->after_at, w->after_id};
    MYSQL_BIND p[7];
    unsigned long len[7];
    for (int i = 0; i < 7; i++) store_bind_str(&p[i], v[i], strlen(v[i]), &len[i]);
    pg->n = 0;
    pg->last = 1;
    pg->rc = store_select(s, ST_ROW_RANGE, p);
    if (pg->rc != STORE_OK) return;
    int got = 0;
    while (pg->n < PAGE_ROWS && (got = fetch_row(s, ST_ROW_RANGE, &pg->rows[pg->n])) == 1) pg->n++;
    store_stmt_done(s, ST_ROW_RANGE);
    store_rollback(s);
    pg->rc = got < 0 ? store_rc_of(store_classify(s->err_no)) : STORE_OK;
    pg->last = pg->rc != STORE_OK || pg->n < PAGE_ROWS;
    if (pg->n) {
        snprintf(w->after_at, sizeof w->after_at, "%s", pg->rows[pg->n - 1].created_at.data);
        snprintf(w->after_id, sizeof w->after_id, "%s", pg->rows[pg->n - 1].id.data);
    }
}

/* Hands each row of pg to fn; 1 when fn stopped the walk. */
static int deliver(const page *pg, int (*fn)(void *, const store_row *), void *arg)
{
    for (int i = 0; i < pg->n; i++)
        if (fn(arg, &pg->rows[i])) return 1;
    return 0;
}

/* The read-ahead: a thread with a connection of its own fills one page
 * while the caller works through the other, so the database's time and
 * the caller's overlap (two cores are busy instead of one).  Pages go
 * back and forth through `full`, under the mutex. */
typedef struct read_ahead {
    store *db;
    walk_key key;
    page *pages;                /* [2] */
    int full[2];
    int stop;                   /* the caller wants no more pages */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} read_ahead;

static void *read_ahead_main(void *arg)
{
    read_ahead *r = arg;
    for (int k = 0, last = 0; !last; k ^= 1) {
        pthread_mutex_lock(&r->mu);
        while (r->full[k] && !r->stop) pthread_cond_wait(&r->cv, &r->mu);
        int stop = r->stop;
        pthread_mutex_unlock(&r->mu);
        if (stop) break;
        fill_page(r->db, &r->key, &r->pages[k]);
        last = r->pages[k].last;
        pthread_mutex_lock(&r->mu);
        r->full[k] = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

static store_rc walk_ahead(read_ahead *r, int (*fn)(void *, const store_row *), void *arg)
{
    store_rc rc = STORE_OK;
    for (int k = 0;; k ^= 1) {
        pthread_mutex_lock(&r->mu);
        while (!r->full[k]) pthread_cond_wait(&r->cv, &r->mu);
        pthread_mutex_unlock(&r->mu);
        const page *pg = &r->pages[k];
        int stop = deliver(pg, fn, arg);
        int last = pg->last;
        if (pg->rc != STORE_OK) rc = pg->rc;
        pthread_mutex_lock(&r->mu);
        r->full[k] = 0;
        if (stop) r->stop = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        if (stop || last) break;
    }
    return rc;
}

/* The walk on one connection, a page at a time: when no second
 * connection can be had. */
static store_rc walk_alone(store *s, walk_key *w, int (*fn)(void *, const store_row *), void *arg)
{
    page *pg = pages_new(1);
    if (!pg) return STORE_ERROR;
    store_rc rc = STORE_OK;
    do {
        fill_page(s, w, pg);
        rc = pg->rc;
        if (deliver(pg, fn, arg)) break;
    } while (!pg->last);
    pages_free(pg, 1);
    return rc;
}

store_rc store_each_row(store *s, const char *from, const char *to, const char *policy,
                        int (*fn)(void *arg, const store_row *r), void *arg)
{
    read_ahead r = {0};
    snprintf(r.key.lo, sizeof r.key.lo, "%.10s 00:00:00", from);
    snprintf(r.key.hi, sizeof r.key.hi, "%.10s 23:59:59.999999", to);
    snprintf(r.key.after_at, sizeof r.key.after_at, "%s", r.key.lo);
    r.key.policy = policy;
    char err[256];
    r.db = store_open_again(s, err, sizeof err);
    r.pages = r.db ? pages_new(2) : NULL;
    pthread_t th;
    if (!r.pages || pthread_mutex_init(&r.mu, NULL)) {
        store_close(r.db);
        pages_free(r.pages, 2);
        return walk_alone(s, &r.key, fn, arg);
    }
    pthread_cond_init(&r.cv, NULL);
    store_rc rc;
    if (pthread_create(&th, NULL, read_ahead_main, &r) == 0) {
        rc = walk_ahead(&r, fn, arg);
        pthread_join(th, NULL);
    } else {
        rc = walk_alone(s, &r.key, fn, arg);
    }
    if (rc != STORE_OK) store_set_error(s, r.db->err_no, "%s", r.db->err_msg);
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
    store_close(r.db);
    pages_free(r.pages, 2);
    return rc;
}

/* Two columns of the row whose key (a hash, or a name) is key. */
static store_rc get_text(store *s, store_stmt_id id, const char *key, buf *name, buf *text)
{
    MYSQL_BIND p[1];
    unsigned long len;
    buf *cols[2] = {name, text};
    store_bind_str(&p[0], key, strlen(key), &len);
    store_rc rc = store_read_one(s, id, p, cols, 2, NULL);
    if (rc == STORE_OK) {
        (void)buf_cstr(name);
        (void)buf_cstr(text);
    }
    return rc;
}

store_rc store_get_policy_text(store *s, const char *hash, buf *name, buf *text)
{
    return get_text(s, ST_POLICY_TEXT, hash, name, text);
}

store_rc store_get_model_text(store *s, const char *hash, buf *name, buf *text)
{
    return get_text(s, ST_MODEL_TEXT, hash, name, text);
}

store_rc store_policy_known(store *s, const char *name)
{
    buf got_name, hash;
    buf_init(&got_name);
    buf_init(&hash);
    store_rc rc = get_text(s, ST_POLICY_KNOWN, name, &got_name, &hash);
    buf_free(&got_name);
    buf_free(&hash);
    return rc;
}
