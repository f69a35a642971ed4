/*
 * checkpoints.c - the tamper-evidence tables: numbering decisions (seq),
 * storing checkpoints, and reading both back for the sequencer and the
 * verifier.
 *
 * How it fits: src/audit/sequencer.c reads the newest checkpoints and the
 * rows still without a seq, builds and signs the next checkpoint, and
 * calls store_cp_append(), which inserts checkpoint k and numbers the rows
 * in one transaction, all of them in one UPDATE.  Checkpoint k is the primary key, so of two
 * sequencers racing (two masters on one database) the second gets 1062
 * (or 1213) and rolls back instead of forking the chain -- an insert, not
 * an update: a duplicate primary key is refused on every node, Galera's
 * certification included, where two nodes could each apply an update
 * that looked right locally.  The verifier
 * (src/audit/verify.c) walks checkpoints and rows in order.
 *
 * The verifier's leaves (store_leaf_rows) are recomputed from each row's
 * content with store_leaf_hash(); the stored content_hash is only compared
 * with them.  The sequencer's (store_leaf_pending) are the content_hash the
 * committer stored, read without the row: the sequencer chains what was
 * committed, and a row changed between its commit and its checkpoint no
 * longer hashes to the leaf signed for it, so verify names it (rehashing
 * here would instead sign the change).  Reading whole rows back cost
 * MariaDB about a third of its CPU per durable decision.
 *
 * Rows are read a page at a time (1,000 decisions, 64 checkpoints) into
 * result buffers that grow to the largest column seen, so memory stays
 * bounded whatever the table holds.  store_fetch_text (stmt.c) reads at
 * most 8 columns with an allocation per value; the verifier's leaf needs
 * 15 columns per row at 50,000 rows a second, hence the reader below.
 *
 * Several hosts on one Galera cluster each run a sequencer: the lease
 * (store_lease_take, db/004_sequencer_lease.sql) lets one of them work,
 * and its renewal inside the checkpoint's transaction puts the lease row
 * in the write set Galera certifies, so a host that lost the lease
 * without knowing it cannot commit a checkpoint.
 *
 * What it does not do: hash trees, sign or verify (src/audit/), or
 * retry a lost race (the sequencer's next round does).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include "store/store_int.h"

enum { ROW_PAGE = 1000, CP_PAGE = 64, MAXCOLS = 16, FIRST_CAP = 256, ROW_COLS = 15, PENDING_COLS = 3 };

/* ------------------------------------------------------ result reader */

typedef struct rowset {
    int n;
    MYSQL_BIND b[MAXCOLS];
    unsigned long len[MAXCOLS];
    my_bool nul[MAXCOLS];
    my_bool trunc[MAXCOLS];
    char *data[MAXCOLS];
} rowset;

static void rowset_free(rowset *r)
{
    for (int i = 0; i < r->n; i++) free(r->data[i]);
    memset(r, 0, sizeof *r);
}

static int rowset_bind(MYSQL_STMT *st, rowset *r)
{
    for (int i = 0; i < r->n; i++) {
        MYSQL_BIND *b = &r->b[i];
        if (!r->data[i]) {
            r->data[i] = malloc(FIRST_CAP);
            if (!r->data[i]) return -1;
            b->buffer_length = FIRST_CAP;
        }
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = r->data[i];
        b->length = &r->len[i];
        b->is_null = &r->nul[i];
        b->error = &r->trunc[i];
    }
    return mysql_stmt_bind_result(st, r->b) ? -1 : 0;
}

/* Sets up r for n columns of statement id (after store_exec). */
static int rowset_open(store *s, store_stmt_id id, rowset *r, int n)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    MYSQL_STMT *st = s->st[id];
    if (n > MAXCOLS || mysql_stmt_field_count(st) != (unsigned)n || rowset_bind(st, r)) {
        store_set_error(s, 0, "%s: cannot bind %d result columns", store_stmt_name(id), n);
        return -1;
    }
    return 0;
}

/* Fetches the next row; every non-NULL column is NUL-terminated in
 * r->data.  A value longer than its buffer grows the buffer and is
 * fetched again.  1 row, 0 no more rows, -1 error (set). */
static int rowset_next(store *s, store_stmt_id id, rowset *r)
{
    MYSQL_STMT *st = s->st[id];
    if (!st) {
        /* a nested walk reconnected and closed this statement */
        store_set_error(s, CR_SERVER_LOST, "%s: the connection was lost", store_stmt_name(id));
        return -1;
    }
    int rc = mysql_stmt_fetch(st);
    if (rc == MYSQL_NO_DATA) return 0;
    if (rc == 1) {
        (void)store_check_error(s, st, store_stmt_name(id));
        return -1;
    }
    int grew = 0;
    for (int i = 0; i < r->n; i++) {
        if (r->nul[i] || r->len[i] < r->b[i].buffer_length) continue;
        unsigned long cap = r->len[i] + 1 + r->len[i] / 2;
        char *p = realloc(r->data[i], cap);
        if (!p) {
            store_set_error(s, CR_OUT_OF_MEMORY, "%s: out of memory", store_stmt_name(id));
            return -1;
        }
        r->data[i] = p;
        r->b[i].buffer = p;
        r->b[i].buffer_length = cap;
        if (mysql_stmt_fetch_column(st, &r->b[i], (unsigned)i, 0)) {
            (void)store_check_error(s, st, store_stmt_name(id));
            return -1;
        }
        grew = 1;
    }
    if (grew && rowset_bind(st, r)) {
        (void)store_check_error(s, st, store_stmt_name(id));
        return -1;
    }
    for (int i = 0; i < r->n; i++)
        if (!r->nul[i]) r->data[i][r->len[i]] = 0;
    return 1;
}

/* ------------------------------------------------------------ binding */

static void bind_u64(MYSQL_BIND *b, const uint64_t *v)
{
    memset(b, 0, sizeof *b);
    b->buffer_type = MYSQL_TYPE_LONGLONG;
    b->buffer = (void *)v;
    b->is_unsigned = 1;
}

static uint64_t to_u64(const char *p)
{
    return p ? strtoull(p, NULL, 10) : 0;
}

static int unhex32(const char *hex, uint8_t out[32])
{
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) return -1;
            v = v << 4 | (unsigned)d;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

/* -------------------------------------------------------------- walks */

typedef int (*page_fn)(store *s, store_stmt_id id, rowset *r, void *arg, uint64_t *last, int *stop);

/* Runs statement id, whose parameters are (after, upto, limit) -- or
 * (after, limit) when upto is 0 -- page after page, advancing `after` to
 * the last key each page saw, until a short page, the bound, an error or
 * a stop.  Each page is its own read transaction.  A failure before a
 * page's first row is retried (reconnecting); one after it is returned. */
static store_rc walk(store *s, store_stmt_id id, int ncols, uint64_t after, uint64_t upto, uint64_t page,
                     int once, page_fn row, void *arg)
{
    for (;;) {
        MYSQL_BIND p[3];
        uint64_t limit = upto && upto - after < page ? upto - after : page;
        if (upto && after >= upto) return STORE_OK;
        int np = 0;
        bind_u64(&p[np++], &after);
        if (upto) bind_u64(&p[np++], &upto);
        bind_u64(&p[np++], &limit);
        store_rc rc = store_select(s, id, p);
        if (rc != STORE_OK) return rc;
        rowset r;
        uint64_t seen = 0;
        int stop = 0, got = 0;
        if (rowset_open(s, id, &r, ncols) == 0) {
            while (!stop && (got = rowset_next(s, id, &r)) == 1) {
                seen++;
                if (row(s, id, &r, arg, &after, &stop)) got = -1, stop = 1;
            }
        } else {
            got = -1;
        }
        rowset_free(&r);
        store_stmt_done(s, id);
        store_rollback(s);
        if (got < 0) {
            rc = store_rc_of(store_classify(s->err_no));
            return rc == STORE_OK ? STORE_ERROR : rc;
        }
        if (stop || once || seen < limit) return STORE_OK;
    }
}

typedef struct cp_walk {
    int (*fn)(void *arg, const store_cp *cp);
    void *arg;
} cp_walk;

static int cp_row(store *s, store_stmt_id id, rowset *r, void *arg, uint64_t *last, int *stop)
{
    (void)s, (void)id;
    cp_walk *w = arg;
    store_cp cp = {
        .k = to_u64(r->data[0]), .tree_size = to_u64(r->data[1]), .root_hex = r->data[2],
        .leaves = (const uint8_t *)r->data[3], .leaves_len = r->len[3],
        .note = r->data[4], .note_len = r->len[4],
    };
    *last = cp.k;
    if (w->fn(w->arg, &cp)) *stop = 1;
    return 0;
}

store_rc store_cp_each(store *s, uint64_t after_k, int (*fn)(void *arg, const store_cp *cp), void *arg)
{
    cp_walk w = {fn, arg};
    return walk(s, ST_CP_PAGE, 5, after_k, UINT64_MAX, CP_PAGE, 0, cp_row, &w);
}

typedef struct leaf_walk {
    int (*fn)(void *arg, const store_leaf_row *r);
    void *arg;
} leaf_walk;

/* A row stored since db/005 (outputs NULL): its outputs and explanation
 * are spans of its response (parts.c), hashed in place; an explanation
 * column that is not NULL was written by someone else and is hashed as
 * it is.  A response without outputs hashes them as "".  Either way the
 * leaf of an altered row no longer matches. */
static void parts_from_response(const char *f[STORE_LEAF_FIELDS], size_t len[STORE_LEAF_FIELDS])
{
    store_span out = {"", 0}, expl = {NULL, 0};
    if (f[LEAF_RESPONSE] && store_response_parts(f[LEAF_RESPONSE], len[LEAF_RESPONSE], &out, &expl)) {
        out = (store_span){"", 0};
        expl = (store_span){NULL, 0};
    }
    f[LEAF_OUTPUTS] = out.p;
    len[LEAF_OUTPUTS] = out.n;
    if (f[LEAF_EXPLANATION]) return;
    f[LEAF_EXPLANATION] = expl.p;
    len[LEAF_EXPLANATION] = expl.n;
}

/* Columns: seq, content_hash, then the leaf fields in store_leaf_hash's
 * order (the SQL of ST_CP_ROWS and ST_CP_PENDING lists them so). */
static int leaf_row(store *s, store_stmt_id id, rowset *r, void *arg, uint64_t *last, int *stop)
{
    leaf_walk *w = arg;
    const char *f[STORE_LEAF_FIELDS];
    size_t len[STORE_LEAF_FIELDS];
    for (int i = 0; i < STORE_LEAF_FIELDS; i++) {
        f[i] = r->nul[2 + i] ? NULL : r->data[2 + i];
        len[i] = r->nul[2 + i] ? 0 : r->len[2 + i];
    }
    if (!f[LEAF_OUTPUTS]) parts_from_response(f, len);
    char hex[65];
    store_leaf_row row = {.seq = r->nul[0] ? 0 : to_u64(r->data[0]), .id = f[LEAF_ID]};
    if (store_leaf_hash_n(f, len, hex) || unhex32(hex, row.leaf)) {
        store_set_error(s, 0, "%s: SHA-256 failed", store_stmt_name(id));
        return -1;
    }
    row.stored_ok = !r->nul[1] && strcmp(r->data[1], hex) == 0;
    *last = row.seq;
    if (w->fn(w->arg, &row)) *stop = 1;
    return 0;
}

store_rc store_leaf_rows(store *s, uint64_t after_seq, uint64_t upto_seq,
                         int (*fn)(void *arg, const store_leaf_row *r), void *arg)
{
    leaf_walk w = {fn, arg};
    return walk(s, ST_CP_ROWS, ROW_COLS, after_seq, upto_seq, ROW_PAGE, 0, leaf_row, &w);
}

/* Columns: seq_key (NULL: not yet numbered), content_hash, id.  A
 * content_hash that is not 64 hex digits gives the zero leaf, flagged:
 * see store_leaf_row. */
static int pending_row(store *s, store_stmt_id id, rowset *r, void *arg, uint64_t *last, int *stop)
{
    (void)s, (void)id, (void)last;
    leaf_walk *w = arg;
    store_leaf_row row = {.id = r->nul[2] ? "" : r->data[2]};
    row.stored_ok = !r->nul[1] && r->len[1] == 64 && unhex32(r->data[1], row.leaf) == 0;
    if (!row.stored_ok) memset(row.leaf, 0, sizeof row.leaf);
    if (w->fn(w->arg, &row)) *stop = 1;
    return 0;
}

store_rc store_leaf_pending(store *s, int lag_ms, int limit, int (*fn)(void *arg, const store_leaf_row *r),
                            void *arg)
{
    leaf_walk w = {fn, arg};
    uint64_t lag_us = (uint64_t)(lag_ms > 0 ? lag_ms : 0) * 1000;
    return walk(s, ST_CP_PENDING, PENDING_COLS, lag_us, 0, (uint64_t)(limit > 0 ? limit : 1), 1, pending_row, &w);
}

store_rc store_leaf_unsequenced(store *s, uint64_t *count, uint64_t *oldest_ms)
{
    buf n, age;
    buf_init(&n);
    buf_init(&age);
    buf *cols[2] = {&n, &age};
    store_rc rc = store_read_one(s, ST_CP_UNSEQ, NULL, cols, 2, NULL);
    *count = rc == STORE_OK ? to_u64(buf_cstr(&n)) : 0;
    *oldest_ms = rc == STORE_OK && *count ? to_u64(buf_cstr(&age)) : 0;
    buf_free(&n);
    buf_free(&age);
    return rc;
}

/* ------------------------------------------------------------- texts */

/* A decision made under the text with this hash, for the report. */
static store_rc text_user(store *s, store_text_fault *f)
{
    MYSQL_BIND p[2];
    unsigned long len[2];
    buf id, seq;
    buf_init(&id);
    buf_init(&seq);
    buf *cols[2] = {&id, &seq};
    store_bind_str(&p[0], f->hash, strlen(f->hash), &len[0]);
    store_bind_str(&p[1], f->hash, strlen(f->hash), &len[1]);
    store_rc rc = store_read_one(s, ST_TEXT_USER, p, cols, 2, NULL);
    if (rc == STORE_OK) {
        snprintf(f->id, sizeof f->id, "%s", buf_cstr(&id));
        f->seq = to_u64(buf_cstr(&seq));
    }
    buf_free(&id);
    buf_free(&seq);
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

/* Every text of one table, one read each in hash order: the first whose
 * content does not hash to its key. */
static store_rc texts_altered(store *s, store_stmt_id id, const char *kind, store_text_fault *f, int *found)
{
    buf hash, name, text;
    buf_init(&hash);
    buf_init(&name);
    buf_init(&text);
    buf *cols[3] = {&hash, &name, &text};
    char after[72] = "", hex[65], want[72];
    store_rc rc;
    for (;;) {
        MYSQL_BIND p[1];
        unsigned long len;
        store_bind_str(&p[0], after, strlen(after), &len);
        rc = store_read_one(s, id, p, cols, 3, NULL);
        if (rc != STORE_OK) break;
        snprintf(after, sizeof after, "%s", buf_cstr(&hash));
        if (store_sha256_hex(text.data, text.len, hex)) {
            rc = STORE_ERROR;
            break;
        }
        snprintf(want, sizeof want, "sha256:%s", hex);
        if (strcmp(want, after) != 0) {
            *found = 1;
            snprintf(f->kind, sizeof f->kind, "%s", kind);
            snprintf(f->hash, sizeof f->hash, "%s", after);
            snprintf(f->name, sizeof f->name, "%s", buf_cstr(&name));
            rc = text_user(s, f);
            break;
        }
    }
    buf_free(&hash);
    buf_free(&name);
    buf_free(&text);
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

/* A decision whose policy or model text is not stored at all. */
static store_rc texts_missing(store *s, store_text_fault *f, int *found)
{
    buf id, seq, kind, hash;
    buf_init(&id);
    buf_init(&seq);
    buf_init(&kind);
    buf_init(&hash);
    buf *cols[4] = {&id, &seq, &kind, &hash};
    store_rc rc = store_read_one(s, ST_TEXT_MISSING, NULL, cols, 4, NULL);
    if (rc == STORE_OK) {
        *found = 1;
        f->missing = 1;
        snprintf(f->id, sizeof f->id, "%s", buf_cstr(&id));
        f->seq = to_u64(buf_cstr(&seq));
        snprintf(f->kind, sizeof f->kind, "%s", buf_cstr(&kind));
        snprintf(f->hash, sizeof f->hash, "%s", buf_cstr(&hash));
    }
    buf_free(&id);
    buf_free(&seq);
    buf_free(&kind);
    buf_free(&hash);
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

store_rc store_texts_check(store *s, store_text_fault *f, int *found)
{
    memset(f, 0, sizeof *f);
    *found = 0;
    store_rc rc = texts_altered(s, ST_TEXT_NEXT_POLICY, "policy", f, found);
    if (rc == STORE_OK && !*found) rc = texts_altered(s, ST_TEXT_NEXT_MODEL, "model", f, found);
    if (rc == STORE_OK && !*found) rc = texts_missing(s, f, found);
    return rc;
}

/* ------------------------------------------------------------- append */

static store_class put_checkpoint(store *s, const store_cp *cp)
{
    MYSQL_BIND p[6];
    unsigned long len[6];
    bind_u64(&p[0], &cp->k);
    bind_u64(&p[1], &cp->tree_size);
    store_bind_str(&p[2], cp->root_hex, strlen(cp->root_hex), &len[2]);
    store_bind_str(&p[3], cp->created_at, strlen(cp->created_at), &len[3]);
    store_bind_str(&p[4], (const char *)cp->leaves, cp->leaves_len, &len[4]);
    p[4].buffer_type = MYSQL_TYPE_BLOB;      /* bytes, never converted as text */
    store_bind_str(&p[5], cp->note, cp->note_len, &len[5]);
    return store_exec(s, ST_CP_PUT, p);
}

/* Numbers ids[i] with first_seq + i in one statement: the ids go as a
 * JSON array, whose ordinality gives each its place (ST_CP_SEQ), instead
 * of an UPDATE per row.  Fewer rows changed than ids means one was
 * numbered (or deleted) by someone else: SC_DUPLICATE, and the caller
 * rolls the whole transaction back. */
static store_class number_rows(store *s, const char *const *ids, size_t n, uint64_t first_seq)
{
    buf list;
    buf_init(&list);
    buf_addc(&list, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) buf_addc(&list, ',');
        buf_json_cstr(&list, ids[i]);
    }
    buf_addc(&list, ']');
    store_class c = SC_FATAL;
    if (list.failed) {
        store_set_error(s, CR_OUT_OF_MEMORY, "numbering decisions: out of memory");
    } else {
        MYSQL_BIND p[2];
        unsigned long len;
        store_bind_str(&p[0], list.data, list.len, &len);
        bind_u64(&p[1], &first_seq);
        c = store_exec(s, ST_CP_SEQ, p);
        if (c == SC_OK && mysql_stmt_affected_rows(s->st[ST_CP_SEQ]) != n) {
            store_set_error(s, ER_DUP_ENTRY, "a decision of seq %llu..%llu was numbered by someone else",
                            (unsigned long long)first_seq, (unsigned long long)(first_seq + n - 1));
            c = SC_DUPLICATE;
        }
    }
    buf_free(&list);
    return c;
}

/* Runs lease statement id (ST_LEASE_TAKE or ST_LEASE_RENEW) for l; a row
 * not updated means another host holds the lease: SC_DUPLICATE. */
static store_class lease_update(store *s, store_stmt_id id, const store_lease *l)
{
    MYSQL_BIND p[3];
    unsigned long len[3];
    uint64_t secs = (uint64_t)(l->seconds > 0 ? l->seconds : 1);
    int i = 0;
    if (id == ST_LEASE_TAKE) store_bind_str(&p[i++], l->holder, strlen(l->holder), &len[0]);
    bind_u64(&p[i++], &secs);
    store_bind_str(&p[i], l->holder, strlen(l->holder), &len[i]);
    store_class c = store_exec(s, id, p);
    if (c != SC_OK) return c;
    if (mysql_stmt_affected_rows(s->st[id]) != 1) {
        store_set_error(s, ER_DUP_ENTRY, "the sequencer's lease is held by another host");
        return SC_DUPLICATE;
    }
    return SC_OK;
}

/* The end of a transaction that lost to another writer (a duplicate key,
 * a lease not ours, 1213) or failed: rolled back, nothing changed. */
static store_rc cp_end(store *s, store_class c)
{
    if (c == SC_OK) return STORE_OK;
    if (c == SC_DUPLICATE || c == SC_RETRY) {
        store_rollback(s);
        return STORE_CONFLICT;
    }
    if (c != SC_RECONNECT && c != SC_UNAVAILABLE) store_rollback(s);
    return store_rc_of(c);
}

store_rc store_lease_take(store *s, const store_lease *l)
{
    if (store_ensure(s)) return store_rc_of(store_classify(s->err_no));
    store_class c = lease_update(s, ST_LEASE_TAKE, l);
    if (c == SC_OK) c = store_commit(s);
    return cp_end(s, c);
}

store_rc store_cp_append(store *s, const store_cp *cp, const char *const *ids, size_t n, uint64_t first_seq,
                         const store_lease *lease)
{
    if (store_ensure(s)) return store_rc_of(store_classify(s->err_no));
    /* the checkpoint first: its key is the lock two sequencers meet on */
    store_class c = put_checkpoint(s, cp);
    if (c == SC_OK && lease) c = lease_update(s, ST_LEASE_RENEW, lease);
    if (c == SC_OK) c = number_rows(s, ids, n, first_seq);
    if (c == SC_OK) c = store_commit(s);
    return cp_end(s, c);
}
