/*
 * stmt.c - the store's SQL: one table of statements (STORE_STMTS in
 * store_int.h), prepared once per connection, and the few helpers that
 * bind, execute and fetch them.
 *
 * How it fits: db.c calls store_stmt_prepare_all() after every
 * (re)connection, so a statement handle is either prepared on the live
 * session or NULL; the operations run statements by id through
 * store_exec() and read rows with store_fetch_text().  The decision
 * INSERT of n rows is the exception: prepared for each n on first use
 * (store_exec_put_rows): a committer's groups may have any of 63 sizes
 * (2 to 64 rows) but use a few, and preparing all of them on every
 * connection would keep 63 statements per connection on the server for
 * nothing.  Every failure goes
 * through store_check_error() (db.c), which classifies it.
 *
 * The parameter count the server reports for each statement is checked
 * against the table, so a SQL string edited without its binding code
 * fails at connect, not with a garbled row.
 *
 * What it does not do: build SQL from values (every value is a bound
 * parameter), cache results, or retry on its own: a read goes through
 * store_retry (db.c) like a write (store_select, store_read_one), and
 * the callers own the transaction and decide what to rerun.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include "store/store_int.h"

typedef struct stmt_def {
    const char *name;
    int group;
    unsigned long nparams;
    const char *sql;
} stmt_def;

#define STORE_STMT_DEF(id, group, nparams, sql) {#id, STORE_GROUP_##group, nparams, sql},
static const stmt_def defs[ST__COUNT] = {STORE_STMTS(STORE_STMT_DEF)};
#undef STORE_STMT_DEF

const char *store_stmt_name(store_stmt_id id)
{
    return defs[id].name;
}

static void close_one(MYSQL_STMT **st)
{
    if (*st) mysql_stmt_close(*st);
    *st = NULL;
}

void store_stmt_close_all(store *s)
{
    for (int i = 0; i < ST__COUNT; i++) close_one(&s->st[i]);
    for (int n = 0; n <= STORE_PUT_ROWS_MAX; n++) close_one(&s->put_rows[n]);
}

int store_stmt_prepare_all(store *s, int groups)
{
    for (int i = 0; i < ST__COUNT; i++) {
        if (!(defs[i].group & groups) || s->st[i]) continue;
        if (store_too_late(s, defs[i].name)) return -1;
        MYSQL_STMT *st = mysql_stmt_init(s->db);
        if (!st) {
            (void)store_check_error(s, NULL, defs[i].name);
            return -1;
        }
        if (mysql_stmt_prepare(st, defs[i].sql, (unsigned long)strlen(defs[i].sql))) {
            unsigned int e = mysql_stmt_errno(st);
            (void)store_check_error(s, st, defs[i].name);
            mysql_stmt_close(st);
            if (e == ER_NO_SUCH_TABLE || e == ER_BAD_FIELD_ERROR) {
                char msg[sizeof s->err_msg];
                snprintf(msg, sizeof msg, "%s", s->err_msg);
                store_set_error(s, e, "the database schema is missing or old (run `eligo db migrate`): %s", msg);
            }
            return -1;
        }
        unsigned long n = mysql_stmt_param_count(st);
        if (n != defs[i].nparams) {
            mysql_stmt_close(st);
            store_set_error(s, 0, "%s: the server counts %lu parameters, the table says %lu",
                            defs[i].name, n, defs[i].nparams);
            return -1;
        }
        s->st[i] = st;
    }
    s->groups |= groups;
    return 0;
}

void store_bind_str(MYSQL_BIND *b, const char *str, size_t len, unsigned long *lenp)
{
    memset(b, 0, sizeof *b);
    if (!str) {
        b->buffer_type = MYSQL_TYPE_NULL;
        return;
    }
    *lenp = (unsigned long)len;
    b->buffer_type = MYSQL_TYPE_STRING;
    b->buffer = (void *)str;
    b->buffer_length = (unsigned long)len;
    b->length = lenp;
}

/* Executes the prepared statement st (named name in errors). */
static store_class exec_on(store *s, MYSQL_STMT *st, const char *name, MYSQL_BIND *params)
{
    if (!st) {
        /* disconnected earlier in this transaction, or never prepared */
        if (!s->db) return store_check_error(s, NULL, name);
        store_set_error(s, 0, "%s: not prepared on this connection", name);
        return SC_FATAL;
    }
    unsigned int fault = store_fault_check(s, STORE_FAULT_EXEC);
    if (fault) return store_inject(s, fault, name);
    if (store_too_late(s, name)) return SC_UNAVAILABLE;
    if (params && mysql_stmt_bind_param(st, params)) return store_check_error(s, st, name);
    long t0 = store_now_ms();
    if (mysql_stmt_execute(st)) {
        store_note_hang(s, t0);
        return store_check_error(s, st, name);
    }
    if (mysql_stmt_field_count(st) > 0 && mysql_stmt_store_result(st)) return store_check_error(s, st, name);
    return SC_OK;
}

store_class store_exec(store *s, store_stmt_id id, MYSQL_BIND *params)
{
    return exec_on(s, s->st[id], defs[id].name, params);
}

/* Prepares the decision INSERT of rows rows on this connection: once per
 * size and connection, never per decision.  The prepare is a round trip
 * inside the caller's transaction, so it keeps the statement's rules
 * (exec_on): none started past the deadline, and one that runs into the
 * read timeout is noted as a hang.  SC_OK or the error's class. */
static store_class prepare_put_rows(store *s, int rows)
{
    static const char head[] = DECISION_INSERT, row[] = DECISION_ROW;
    char sql[sizeof head + STORE_PUT_ROWS_MAX * sizeof row];
    size_t at = sizeof head - 1;
    memcpy(sql, head, at);
    for (int i = 0; i < rows; i++) {
        if (i) sql[at++] = ',';
        memcpy(sql + at, row, sizeof row - 1);
        at += sizeof row - 1;
    }
    if (!s->db) return store_check_error(s, NULL, "ST_DECISION_PUTn");
    if (store_too_late(s, "ST_DECISION_PUTn")) return SC_UNAVAILABLE;
    MYSQL_STMT *st = mysql_stmt_init(s->db);
    if (!st) return store_check_error(s, NULL, "ST_DECISION_PUTn");
    long t0 = store_now_ms();
    if (mysql_stmt_prepare(st, sql, (unsigned long)at)) {
        store_note_hang(s, t0);
        store_class c = store_check_error(s, st, "ST_DECISION_PUTn");
        mysql_stmt_close(st);
        return c;
    }
    if (mysql_stmt_param_count(st) != (unsigned long)(rows * DECISION_ROW_PARAMS)) {
        mysql_stmt_close(st);
        store_set_error(s, 0, "ST_DECISION_PUTn: the server counts another number of parameters");
        return SC_FATAL;
    }
    s->put_rows[rows] = st;
    return SC_OK;
}

store_class store_exec_put_rows(store *s, int rows, MYSQL_BIND *params)
{
    if (rows < 2 || rows > STORE_PUT_ROWS_MAX) {
        store_set_error(s, 0, "ST_DECISION_PUTn: %d rows", rows);
        return SC_FATAL;
    }
    store_class c = s->put_rows[rows] ? SC_OK : prepare_put_rows(s, rows);
    return c == SC_OK ? exec_on(s, s->put_rows[rows], "ST_DECISION_PUTn", params) : c;
}

int store_fetch_text(store *s, store_stmt_id id, buf **cols, int ncols, int *isnull)
{
    MYSQL_STMT *st = s->st[id];
    enum { MAXCOLS = 20 };
    MYSQL_BIND rb[MAXCOLS];
    unsigned long len[MAXCOLS];
    my_bool nul[MAXCOLS];
    if (!st || ncols > MAXCOLS || (unsigned int)ncols != mysql_stmt_field_count(st)) {
        store_set_error(s, 0, "%s: fetch of %d columns", defs[id].name, ncols);
        return -1;
    }
    memset(rb, 0, sizeof rb);
    for (int i = 0; i < ncols; i++) {
        rb[i].buffer_type = MYSQL_TYPE_STRING;   /* buffer_length 0: ask for lengths first */
        rb[i].length = &len[i];
        rb[i].is_null = &nul[i];
    }
    if (mysql_stmt_bind_result(st, rb)) {
        (void)store_check_error(s, st, defs[id].name);
        return -1;
    }
    int rc = mysql_stmt_fetch(st);
    if (rc == MYSQL_NO_DATA) return 0;
    if (rc == 1) {
        (void)store_check_error(s, st, defs[id].name);
        return -1;
    }
    for (int i = 0; i < ncols; i++) {
        if (isnull) isnull[i] = nul[i] != 0;
        if (!cols[i]) continue;
        buf_reset(cols[i]);
        if (nul[i] || len[i] == 0) continue;
        char *tmp = malloc(len[i] + 1);
        if (!tmp) {
            store_set_error(s, CR_OUT_OF_MEMORY, "%s: out of memory", defs[id].name);
            return -1;
        }
        MYSQL_BIND one;
        unsigned long got = 0;
        memset(&one, 0, sizeof one);
        one.buffer_type = MYSQL_TYPE_STRING;
        one.buffer = tmp;
        one.buffer_length = len[i] + 1;
        one.length = &got;
        if (mysql_stmt_fetch_column(st, &one, (unsigned int)i, 0)) {
            free(tmp);
            (void)store_check_error(s, st, defs[id].name);
            return -1;
        }
        buf_add(cols[i], tmp, len[i]);
        free(tmp);
        if (cols[i]->failed) {
            store_set_error(s, CR_OUT_OF_MEMORY, "%s: out of memory", defs[id].name);
            return -1;
        }
    }
    return 1;
}

void store_stmt_done(store *s, store_stmt_id id)
{
    if (s->st[id]) mysql_stmt_free_result(s->st[id]);
}

/* One attempt at a SELECT (store_retry): executing it is all, its
 * result stays stored for the caller to fetch. */
typedef struct select_args {
    store_stmt_id id;
    MYSQL_BIND *params;
} select_args;

static store_class select_once(store *s, void *arg)
{
    const select_args *a = arg;
    return store_exec(s, a->id, a->params);
}

store_rc store_select(store *s, store_stmt_id id, MYSQL_BIND *params)
{
    select_args a = {id, params};
    return store_retry(s, select_once, &a);
}

store_rc store_read_one(store *s, store_stmt_id id, MYSQL_BIND *params, buf **cols, int ncols, int *isnull)
{
    store_rc rc = store_select(s, id, params);
    if (rc != STORE_OK) return rc;
    int got = store_fetch_text(s, id, cols, ncols, isnull);
    store_stmt_done(s, id);
    /* end the read transaction: autocommit is off, and an open one
     * would hold metadata locks against migrations */
    store_rollback(s);
    if (got == 1) return STORE_OK;
    if (got == 0) return STORE_NOT_FOUND;
    rc = store_rc_of(store_classify(s->err_no));
    return rc == STORE_OK ? STORE_ERROR : rc;
}
