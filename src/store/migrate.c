/*
 * migrate.c - applies the numbered schema files db/NNN_description.sql
 * that the database has not seen yet, in order.
 *
 * How it fits: `eligo db migrate` (and scripts/stack up) call
 * store_migrate() on a store opened with before_migrate, since the
 * tables the statement table needs may not exist yet.  The migrator
 * creates schema_migrations itself, takes a named lock so that two
 * migrators cannot interleave, and then for each file whose number is not
 * in schema_migrations runs its statements and records the number, and
 * commits.  Afterwards the store prepares its main statements, so the
 * same store can be used at once.
 *
 * A file is split into statements at every ';' that ends a line (trailing
 * blanks allowed); a chunk of only blanks and `--` comments is skipped.
 * So a ';' inside a string or comment is fine unless it ends the line.
 * These are the only statements eligo sends as text: the files are the
 * project's own, with no values from outside.
 *
 * What it does not do: roll DDL back (MariaDB commits implicitly around
 * DDL, so a file that fails half way stays half applied; the files use
 * IF NOT EXISTS so that a rerun after a fix completes them), downgrades,
 * or checksums of applied files.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_int.h"

/* The same definition as db/001_schema.sql, so the first file may create it too. */
static const char bootstrap_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
    " applied_at DATETIME(6) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

typedef struct migration {
    unsigned int version;
    char *name;
} migration;

static int cmp_migration(const void *a, const void *b)
{
    const migration *x = a, *y = b;
    return x->version < y->version ? -1 : x->version > y->version;
}

/* NNN_anything.sql -> NNN; -1 for other names. */
static long file_version(const char *name)
{
    size_t n = strlen(name), i = 0;
    while (isdigit((unsigned char)name[i])) i++;
    if (i == 0 || i > 9 || name[i] != '_' || n < i + 5 || strcmp(name + n - 4, ".sql") != 0) return -1;
    return strtol(name, NULL, 10);
}

static int run_text(store *s, const char *sql, size_t n)
{
    if (mysql_real_query(s->db, sql, (unsigned long)n)) return -1;
    /* drain results (a file may hold a SELECT, e.g. of a check) */
    do {
        MYSQL_RES *r = mysql_store_result(s->db);
        if (r) mysql_free_result(r);
        else if (mysql_field_count(s->db)) return -1;
    } while (mysql_next_result(s->db) == 0);
    return mysql_errno(s->db) ? -1 : 0;
}

static int only_comments(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (isspace((unsigned char)p[i])) { i++; continue; }
        if (i + 1 < n && p[i] == '-' && p[i + 1] == '-') {
            while (i < n && p[i] != '\n') i++;
            continue;
        }
        return 0;
    }
    return 1;
}

/* Runs every statement of text; on failure writes "FILE:LINE: message". */
static int run_file(store *s, const char *path, const char *text, size_t len, char *err, size_t errlen)
{
    size_t start = 0, line = 1, start_line = 1;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n') continue;
        /* a line ends at i: does it end with ';' (blanks allowed)? */
        size_t j = i;
        while (j > start && (text[j - 1] == ' ' || text[j - 1] == '\t' || text[j - 1] == '\r')) j--;
        int last = i == len;
        if ((j > start && text[j - 1] == ';') || last) {
            size_t end = (j > start && text[j - 1] == ';') ? j - 1 : i;
            if (!only_comments(text + start, end - start)) {
                if (run_text(s, text + start, end - start)) {
                    snprintf(err, errlen, "%s:%zu: %s (%u)", path, start_line, mysql_error(s->db),
                             mysql_errno(s->db));
                    return -1;
                }
            }
            start = i + 1;
            start_line = line + 1;
        }
        line++;
    }
    return 0;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *p = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *q = realloc(p, cap);
            if (!q) { free(p); fclose(f); return NULL; }
            p = q;
        }
        size_t got = fread(p + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(p); return NULL; }
    p[n] = 0;
    *len = n;
    return p;
}

static int list_dir(const char *dir, migration **out, size_t *count, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    migration *m = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        long v = file_version(e->d_name);
        if (v < 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            migration *q = realloc(m, cap * sizeof *m);
            if (!q) { rc = -1; snprintf(err, errlen, "out of memory"); break; }
            m = q;
        }
        m[n].version = (unsigned int)v;
        m[n].name = strdup(e->d_name);
        if (!m[n].name) { rc = -1; snprintf(err, errlen, "out of memory"); break; }
        n++;
    }
    closedir(d);
    if (rc == 0) {
        qsort(m, n, sizeof *m, cmp_migration);
        for (size_t i = 1; i < n; i++)
            if (m[i].version == m[i - 1].version) {
                snprintf(err, errlen, "%s/%s and %s share the number %u", dir, m[i - 1].name, m[i].name,
                         m[i].version);
                rc = -1;
                break;
            }
    }
    *out = m;
    *count = n;
    return rc;
}

static int lock_query(store *s, const char *sql, char *err, size_t errlen)
{
    if (mysql_real_query(s->db, sql, (unsigned long)strlen(sql))) goto fail;
    MYSQL_RES *r = mysql_store_result(s->db);
    if (!r) goto fail;
    MYSQL_ROW row = mysql_fetch_row(r);
    int ok = row && row[0] && strcmp(row[0], "1") == 0;
    mysql_free_result(r);
    if (!ok) {
        snprintf(err, errlen, "another migration holds the lock (waited 30 s)");
        return -1;
    }
    return 0;
fail:
    snprintf(err, errlen, "migration lock: %s (%u)", mysql_error(s->db), mysql_errno(s->db));
    return -1;
}

int store_migrate(store *s, const char *dir, FILE *log, char *err, size_t errlen)
{
    migration *m = NULL;
    size_t n = 0;
    int rc = -1, locked = 0, applied = 0;
    if (store_ensure(s)) {
        snprintf(err, errlen, "%s", s->err_msg);
        return -1;
    }
    if (list_dir(dir, &m, &n, err, errlen)) goto out;
    if (mysql_real_query(s->db, bootstrap_sql, (unsigned long)strlen(bootstrap_sql))) {
        snprintf(err, errlen, "schema_migrations: %s (%u)", mysql_error(s->db), mysql_errno(s->db));
        goto out;
    }
    if (lock_query(s, "SELECT GET_LOCK('eligo.migrate', 30)", err, errlen)) goto out;
    locked = 1;
    if (store_stmt_prepare_all(s, STORE_GROUP_MIGRATE)) {
        snprintf(err, errlen, "%s", s->err_msg);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        MYSQL_BIND p[1];
        unsigned int version = m[i].version;
        memset(p, 0, sizeof p);
        p[0].buffer_type = MYSQL_TYPE_LONG;
        p[0].buffer = &version;
        p[0].is_unsigned = 1;
        buf *none[1] = {NULL};
        store_rc have = store_read_one(s, ST_MIGRATION_HAS, p, none, 1, NULL);
        if (have == STORE_OK) continue;
        if (have != STORE_NOT_FOUND) {
            snprintf(err, errlen, "%s", s->err_msg);
            goto out;
        }
        char path[4096];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", dir, m[i].name);
        char *text = read_all(path, &len);
        if (!text) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
            goto out;
        }
        int bad = run_file(s, path, text, len, err, errlen);
        free(text);
        if (bad) {
            store_rollback(s);
            goto out;
        }
        if (store_exec(s, ST_MIGRATION_PUT, p) != SC_OK || store_commit(s) != SC_OK) {
            snprintf(err, errlen, "%s: recording it: %s", path, s->err_msg);
            store_rollback(s);
            goto out;
        }
        if (log) fprintf(log, "applied %s\n", m[i].name);
        applied++;
    }
    if (log && applied == 0) fprintf(log, "up to date (%zu migrations)\n", n);
    /* the schema is there now: the store becomes a full one */
    if (store_stmt_prepare_all(s, STORE_GROUP_MAIN)) {
        snprintf(err, errlen, "%s", s->err_msg);
        goto out;
    }
    rc = 0;
out:
    if (locked && s->db) {
        char e2[8];
        (void)lock_query(s, "SELECT RELEASE_LOCK('eligo.migrate')", e2, sizeof e2);
        store_rollback(s);
    }
    for (size_t i = 0; i < n; i++) free(m[i].name);
    free(m);
    return rc;
}
