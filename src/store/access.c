/*
 * access.c - the access log: one row per audited action (who, what,
 * when), committed before the action's answer goes out.
 *
 * How it fits: GET /v1/audit/verify (src/service/h_audit.c) logs
 * "audit.verify"; replays log theirs.  The table (access_log, db/001)
 * holds the caller's client name and role, the action and its target,
 * never the content of a request.
 *
 * What it does not do: decide who may do what (routes.c does, before the
 * handler runs) or read the log back.
 */
#include <string.h>
#include "store/store_int.h"

store_rc store_access_log(store *s, const char *client, const char *role, const char *action,
                          const char *target)
{
    store_class c = SC_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt) store_backoff(s, attempt);
        if (store_ensure(s)) return store_rc_of(store_classify(s->err_no));
        MYSQL_BIND p[4];
        unsigned long len[4];
        store_bind_str(&p[0], client, strlen(client), &len[0]);
        store_bind_str(&p[1], role, strlen(role), &len[1]);
        store_bind_str(&p[2], action, strlen(action), &len[2]);
        store_bind_str(&p[3], target, target ? strlen(target) : 0, &len[3]);
        c = store_exec(s, ST_ACCESS_PUT, p);
        if (c == SC_OK) c = store_commit(s);
        if (c == SC_OK) return STORE_OK;
        /* a lost COMMIT may leave a second row on retry: for a log of
         * accesses one too many is the safe side */
        if (c == SC_RETRY) store_rollback(s);
        else if (c != SC_RECONNECT && c != SC_UNAVAILABLE) {
            store_rollback(s);
            return store_rc_of(c);
        }
    }
    return store_rc_of(c);
}
