/*
 * budget.h - how long a request may wait for the database, in one place.
 *
 * The promise: when the database refuses or hangs, a portal gets its 503
 * within BUDGET_UNAVAILABLE_MS, and never a 502/504 from nginx.  Every
 * wait on the way is bounded here, and the asserts below tie them
 * together, so changing one number cannot silently break the promise:
 *   - a request starts no statement after BUDGET_STORE_DEADLINE_MS
 *     (routes.c, store_set_deadline), and a batch of the committer none
 *     after BUDGET_BATCH_DEADLINE_MS (committer.c);
 *   - one statement (or connection) started in time blocks at most
 *     BUDGET_STORE_TIMEOUT_S (worker.c's and committer.c's store_open);
 *   - a worker waits for the committer's answer until
 *     BUDGET_ANSWER_WAIT_MS after the request reached it (commit_client.c),
 *     leaving nginx and the client a little of the budget;
 *   - the budget sits well inside --request-timeout's default (the master
 *     kills a worker stuck longer), which sits inside nginx's
 *     fastcgi_read_timeout (nginx/eligo_fastcgi.conf, which must say
 *     BUDGET_NGINX_READ_TIMEOUT_S).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_BUDGET_H
#define ELIGO_BUDGET_H

enum {
    BUDGET_UNAVAILABLE_MS = 3000,
    BUDGET_STORE_DEADLINE_MS = 1000,
    BUDGET_BATCH_DEADLINE_MS = 1000,
    BUDGET_STORE_TIMEOUT_S = 2,
    BUDGET_ANSWER_WAIT_MS = 2500,
    BUDGET_ANSWER_WAIT_MIN_MS = 100,   /* a request already late still gets a chance */
    BUDGET_REQUEST_TIMEOUT_S = 10,     /* --request-timeout's default */
    BUDGET_NGINX_READ_TIMEOUT_S = 15   /* fastcgi_read_timeout in nginx/eligo_fastcgi.conf */
};

_Static_assert(BUDGET_STORE_DEADLINE_MS + BUDGET_STORE_TIMEOUT_S * 1000 <= BUDGET_UNAVAILABLE_MS,
               "a request's last statement must end inside the budget");
_Static_assert(BUDGET_BATCH_DEADLINE_MS + BUDGET_STORE_TIMEOUT_S * 1000 <= BUDGET_UNAVAILABLE_MS,
               "a batch's last statement must end inside the budget");
_Static_assert(BUDGET_ANSWER_WAIT_MIN_MS < BUDGET_ANSWER_WAIT_MS && BUDGET_ANSWER_WAIT_MS < BUDGET_UNAVAILABLE_MS,
               "a worker stops waiting for the committer inside the budget");
_Static_assert(BUDGET_UNAVAILABLE_MS < BUDGET_REQUEST_TIMEOUT_S * 1000,
               "the store times out before the master kills the worker");
_Static_assert(BUDGET_REQUEST_TIMEOUT_S < BUDGET_NGINX_READ_TIMEOUT_S,
               "the master kills a stuck worker before nginx gives up on it");

#endif
