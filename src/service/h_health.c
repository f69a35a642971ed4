/*
 * h_health.c - GET /healthz: may this node take requests?
 *
 * 200 when a ping of this worker's database connection succeeds, 503
 * (a store-unavailable problem, with Retry-After) when it does not, so a
 * load balancer reading only the status sends no portal to a node that
 * cannot store decisions.  Both bodies carry `database` ("up" or "down")
 * and the number of policies loaded.  Liveness needs no route: the
 * master restarts workers that die, and a worker that answers at all is
 * alive.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "service/service.h"
#include "service/worker.h"

void h_health(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq, (void)m;
    store *db = worker_store(sv);
    int up = db && store_ping(db) == 0;
    unsigned n = sv->reg ? sv->reg->npolicies : 0;
    if (up) {
        http_json(rs, 200);
        buf_printf(&rs->body, "{\"status\":\"ok\",\"database\":\"up\",\"policies\":%u}", n);
        return;
    }
    /* a problem like every error, with the same two members as above */
    http_problem_as(rs, PROBLEM_STORE_UNAVAILABLE, "the database cannot be reached", NULL);
    rs->body.len--;                                  /* its closing '}' */
    buf_printf(&rs->body, ",\"database\":\"down\",\"policies\":%u}", n);
}
