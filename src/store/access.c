/*
 * access.c - the access log: a row per audited action (who, what,
 * when), committed before it returns.
 *
 * How it fits: the router (service/routes.c) logs every auditor and
 * officer request before its handler runs, reads of stored data one by
 * one, the officer's playground as counts per caller and action
 * (service/access_queue.c); `eligo replay` and `impact` log as "cli:" and
 * the account.  The table (access_log, db/001 and 006) holds the caller's
 * client name and role, the action and its target, how many requests a
 * row counts and the first and last time, never the content of a
 * request.
 *
 * What it does not do: decide who may do what (routes.c does, before the
 * handler runs) or read the log back.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "store/store_int.h"

enum { ROW_PARAMS = 7, GROUP_MAX = 8 };

/* The multi-row INSERTs, largest first: a batch of the playground's
 * counts (service/access_queue.c) is mostly one statement. */
static const struct { size_t rows; store_stmt_id id; } groups[] = {
    {8, ST_ACCESS_PUT8}, {1, ST_ACCESS_PUT},
};

/* INSERT of the n rows a[0..n) in one statement id. */
static store_class put_group(store *s, const store_access *a, size_t n, store_stmt_id id)
{
    MYSQL_BIND p[ROW_PARAMS * GROUP_MAX];
    unsigned long len[ROW_PARAMS * GROUP_MAX];
    char requests[GROUP_MAX][16];
    for (size_t i = 0; i < n; i++) {
        snprintf(requests[i], sizeof requests[i], "%u", a[i].requests ? a[i].requests : 1);
        const char *v[ROW_PARAMS] = {a[i].at, a[i].last_at, a[i].client, a[i].role, a[i].action, a[i].target,
                                     requests[i]};
        for (int k = 0; k < ROW_PARAMS; k++)
            store_bind_str(&p[ROW_PARAMS * i + k], v[k], v[k] ? strlen(v[k]) : 0, &len[ROW_PARAMS * i + k]);
    }
    return store_exec(s, id, p);
}

/* The rows of one attempt (store_retry). */
typedef struct access_rows {
    const store_access *a;
    size_t n;
} access_rows;

/* Every row, in as few statements as groups allows, and COMMIT.  A lost
 * COMMIT may leave the rows twice on retry: for a log of accesses one
 * too many is the safe side. */
static store_class put_all(store *s, void *arg)
{
    const access_rows *r = arg;
    const store_access *a = r->a;
    size_t n = r->n;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        for (; n >= groups[g].rows; a += groups[g].rows, n -= groups[g].rows) {
            store_class c = put_group(s, a, groups[g].rows, groups[g].id);
            if (c != SC_OK) return c;
        }
    }
    return store_commit(s);
}

store_rc store_access_log_many(store *s, const store_access *a, size_t n)
{
    access_rows r = {a, n};
    return store_retry(s, put_all, &r);
}

void store_access_range(char out[256], const char *policy, const char *from, const char *to)
{
    snprintf(out, 256, "%s%.128s%sfrom=%.10s to=%.10s", policy ? "policy=" : "", policy ? policy : "",
             policy ? " " : "", from ? from : "", to ? to : "");
}

store_rc store_access_log(store *s, const char *client, const char *role, const char *action,
                          const char *target)
{
    store_access a = {.client = client, .role = role, .action = action, .target = target, .requests = 1};
    return store_access_log_many(s, &a, 1);
}
