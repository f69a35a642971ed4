/*
 * access.c - the access log: one row per audited action (who, what,
 * when), committed before it returns.
 *
 * How it fits: the router (service/routes.c) logs every auditor and
 * officer request before its handler runs, reads of stored data one by
 * one, the officer's playground in batches; `eligo replay` and `impact`
 * log as "cli:$USER".  The table (access_log, db/001) holds the caller's
 * client name and role, the action and its target, never the content of
 * a request.
 *
 * What it does not do: decide who may do what (routes.c does, before the
 * handler runs) or read the log back.
 */
#include <string.h>
#include "store/store_int.h"

static store_class put_all(store *s, const store_access *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        MYSQL_BIND p[5];
        unsigned long len[5];
        const char *v[5] = {a[i].at, a[i].client, a[i].role, a[i].action, a[i].target};
        for (int k = 0; k < 5; k++) store_bind_str(&p[k], v[k], v[k] ? strlen(v[k]) : 0, &len[k]);
        store_class c = store_exec(s, ST_ACCESS_PUT, p);
        if (c != SC_OK) return c;
    }
    return store_commit(s);
}

store_rc store_access_log_many(store *s, const store_access *a, size_t n)
{
    store_class c = SC_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt) store_backoff(s, attempt);
        if (store_ensure(s)) return store_rc_of(store_classify(s->err_no));
        c = put_all(s, a, n);
        if (c == SC_OK) return STORE_OK;
        /* a lost COMMIT may leave the rows twice on retry: for a log of
         * accesses one too many is the safe side */
        if (c == SC_RETRY) store_rollback(s);
        else if (c != SC_RECONNECT && c != SC_UNAVAILABLE) {
            store_rollback(s);
            return store_rc_of(c);
        }
    }
    return store_rc_of(c);
}

store_rc store_access_log(store *s, const char *client, const char *role, const char *action,
                          const char *target)
{
    store_access a = {NULL, client, role, action, target};
    return store_access_log_many(s, &a, 1);
}
