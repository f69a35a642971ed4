/*
 * service.h - the state one eligod worker holds, and the route table's
 * handler signature.
 *
 * A worker is a forked child of the master: it inherits the compiled
 * registry (copy-on-write, never modified) and runs --threads threads,
 * each with one of these: its own store connection (opened after fork),
 * its connection to the committer, and a request arena reset after each
 * of its requests; a thread serves one request at a time.  The worker's
 * own state (worker.c's W) and the master's (pctl.h) are the two large
 * process-wide states; the others are each one file's own and small
 * (the scoreboard, the log, the signal pipe, the committer's record,
 * the checkpoint keys).
 *
 * Ownership: the thread owns `db`, `pool`, `frame` and the response
 * buffers; `reg` belongs to the master (shared, read-only).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_SERVICE_H
#define ELIGO_SERVICE_H

#include <pthread.h>
#include <stdint.h>
#include "base/arena.h"
#include "io/decision.h"
#include "policy/load.h"
#include "service/access_queue.h"
#include "service/http.h"
#include "store/store.h"

enum role_bits {
    ROLE_PORTAL = 1, ROLE_OFFICER = 2, ROLE_AUDITOR = 4, ROLE_ADMIN = 8,
    ROLE_NONE = 0,                 /* a route open to all (healthz, metrics) */
    ROLE_ANY = ROLE_PORTAL | ROLE_OFFICER | ROLE_AUDITOR | ROLE_ADMIN
};

typedef struct service {
    const registry *reg;
    store *db;                     /* NULL until connected; reconnects lazily */
    int commit_fd;                 /* connection to the committer, -1 when none */
    arena pool;                    /* request arena */
    decision_frame frame;          /* evaluation frame, sized for the largest tree */
    /* the caller, set by routes.c after authentication */
    int role;                      /* one ROLE_* bit */
    char client[65];
    uint64_t requests;             /* served by this thread */
    int64_t store_tried_ms;        /* the last connect attempt (worker_store) */
    int64_t request_start_ms;      /* the request in progress (sb_now_ms), 0 between */
    char request_rid[40];          /* its request id, for the scoreboard's slow log */
    access_queue *pending_log;     /* the worker's playground log, shared by its threads */
    int worker_index;              /* slot in the scoreboard */
} service;

typedef struct route_match {
    char id[80];                   /* the {id} or {name} path segment, if any */
} route_match;

typedef void (*route_handler)(service *sv, const http_request *rq, http_response *rs,
                              const route_match *m);

/* Handlers, one file per resource (h_*.c). */
void h_decisions_post(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_decision_get(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_replay_one(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_replay_range(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_impact(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_evaluate_post(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_check(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_diff(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_policies_list(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_policy_get(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_policy_schema(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_health(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_metrics(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_audit_verify(service *sv, const http_request *rq, http_response *rs, const route_match *m);
void h_openapi(service *sv, const http_request *rq, http_response *rs, const route_match *m);
/* docs/openapi.yaml as JSON, embedded by the build (openapi_doc.c). */
extern const char openapi_json[];

/* The audit resource's master side (h_audit.c): reads the checkpoint keys
 * before fork (-1: refuse to start), frees them at exit.  audit_signer()
 * is the signing key (NULL without --checkpoint-key), for the sequencer
 * child; a new worker or committer calls audit_drop_private() to forget
 * it. */
struct eligod_conf;
struct cp_key;
int audit_init_main(const struct eligod_conf *c);
const struct cp_key *audit_signer(void);
void audit_free_main(void);
void audit_drop_private(void);

/* Writes one access-log entry now (client and role of the request):
 * 0, or -1 with a 503 in rs, and then the handler reads nothing. */
int routes_log_access(service *sv, http_response *rs, const char *action, const char *target);
/* Finds the route, authenticates (Bearer token -> role via the store),
 * checks the role, body size and content type before any handler runs,
 * then calls it.  Always leaves a complete response in rs. */
void routes_dispatch(service *sv, const http_request *rq, http_response *rs);
/* The path as routed, answered and logged: a decision id (the `{id}` of
 * a route) in its canonical lower case, so an id sent in upper case is
 * looked up, named in problems and logged one way.  Returns path itself,
 * or out (n bytes) holding the canonical copy. */
const char *routes_canonical_path(const char *path, char *out, size_t n);

#endif
