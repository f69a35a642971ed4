/*
 * h_health.c - GET /healthz: liveness and database reachability.
 *
 * Always 200 while the worker can answer (nginx and load balancers read
 * the body for the database state); `database` is "up" only when a ping
 * of this worker's connection succeeds.
 */
#include "service/service.h"
#include "service/worker.h"

void h_health(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq, (void)m;
    store *db = worker_store(sv);
    int up = db && store_ping(db) == 0;
    http_json(rs, 200);
    buf_printf(&rs->body, "{\"status\":\"ok\",\"database\":\"%s\",\"policies\":%u}", up ? "up" : "down",
               sv->reg ? sv->reg->npolicies : 0);
}
