/*
 * rows.c - reading stored decisions and the texts they were made under,
 * for replay, impact and audits (store.h: store_get_row, store_each_row,
 * store_get_policy_text, store_get_model_text).
 *
 * How it fits: the auditor's and officer's tools (src/audit/) read
 * through these; the decision path never does.  A range is walked with
 * keyset pagination on (created_at, id), 500 rows a page, so a replay of
 * a million decisions holds one page at a time and each page starts from
 * the index, not from the beginning of the range.  Every read ends its
 * transaction (autocommit is off), so a long walk holds no locks between
 * pages.
 *
 * What it does not do: decide what a row means (audit/) or verify its
 * hash (audit/verify.c does, from the same columns).
 */
#include <string.h>
#include "store/store_int.h"

enum { ROW_COLS = 14 };

static void row_cols(store_row *r, buf *cols[ROW_COLS])
{
    buf *all[ROW_COLS] = {&r->id, &r->request_id, &r->client, &r->fingerprint, &r->policy_name,
                          &r->policy_hash, &r->model_hash, &r->as_of, &r->input, &r->outputs,
                          &r->explanation, &r->response, &r->created_at, &r->content_hash};
    memcpy(cols, all, sizeof all);
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

/* Fetches the next row; 1, 0 at the end, -1 on error. */
static int fetch_row(store *s, store_stmt_id id, store_row *r)
{
    buf *cols[ROW_COLS];
    int isnull[ROW_COLS];
    row_cols(r, cols);
    int got = store_fetch_text(s, id, cols, ROW_COLS, isnull);
    if (got == 1) {
        r->model_hash_null = isnull[6];
        r->explanation_null = isnull[10];
        for (int i = 0; i < ROW_COLS; i++) (void)buf_cstr(cols[i]);   /* NUL-terminate */
    }
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
    if (rc == STORE_OK) {
        r->model_hash_null = isnull[6];
        r->explanation_null = isnull[10];
        for (int i = 0; i < ROW_COLS; i++) (void)buf_cstr(cols[i]);
    }
    return rc;
}

/* One page of the walk: the rows after (after_at, after_id).  Sets *n
 * to the rows seen and advances the key; sets *stop when fn stopped. */
static store_rc walk_page(store *s, const char *v[7], store_row *r, char after_at[32], char after_id[40],
                          int *n, int *stop, int (*fn)(void *, const store_row *), void *arg)
{
    MYSQL_BIND p[7];
    unsigned long len[7];
    for (int i = 0; i < 7; i++) store_bind_str(&p[i], v[i], strlen(v[i]), &len[i]);
    store_class c = SC_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt) store_backoff(s, attempt);
        if (store_ensure(s)) return store_rc_of(store_classify(s->err_no));
        c = store_exec(s, ST_ROW_RANGE, p);
        if (c == SC_OK) break;
        if (c == SC_RETRY) store_rollback(s);
        else if (c != SC_RECONNECT && c != SC_UNAVAILABLE) return store_rc_of(c);
    }
    if (c != SC_OK) return store_rc_of(c);
    /* the page is stored client-side (store_exec): fn may use the store */
    int got = 0;
    *n = 0;
    while (!*stop && (got = fetch_row(s, ST_ROW_RANGE, r)) == 1) {
        (*n)++;
        snprintf(after_at, 32, "%s", r->created_at.data);
        snprintf(after_id, 40, "%s", r->id.data);
        *stop = fn(arg, r);
    }
    store_stmt_done(s, ST_ROW_RANGE);
    store_rollback(s);
    return got < 0 ? store_rc_of(store_classify(s->err_no)) : STORE_OK;
}

store_rc store_each_row(store *s, const char *from, const char *to, const char *policy,
                        int (*fn)(void *arg, const store_row *r), void *arg)
{
    char lo[32], hi[32], after_at[32], after_id[40] = "";
    snprintf(lo, sizeof lo, "%.10s 00:00:00", from);
    snprintf(hi, sizeof hi, "%.10s 23:59:59.999999", to);
    snprintf(after_at, sizeof after_at, "%s", lo);
    store_row r;
    store_row_init(&r);
    store_rc rc = STORE_OK;
    int stop = 0;
    for (;;) {
        const char *v[7] = {lo, hi, policy ? policy : "", policy ? policy : "", after_at, after_at, after_id};
        int n = 0;
        rc = walk_page(s, v, &r, after_at, after_id, &n, &stop, fn, arg);
        if (rc != STORE_OK || stop || n < 500) break;
    }
    store_row_free(&r);
    return rc;
}

static store_rc get_text(store *s, store_stmt_id id, const char *hash, buf *name, buf *text)
{
    MYSQL_BIND p[1];
    unsigned long len;
    buf *cols[2] = {name, text};
    store_bind_str(&p[0], hash, strlen(hash), &len);
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
