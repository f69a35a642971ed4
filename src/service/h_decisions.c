/*
 * h_decisions.c - POST /v1/decisions, GET /v1/decisions/{id}
 * (placeholder until the handlers land).
 */
#include "service/service.h"

void h_decisions_post(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)sv; (void)rq; (void)m;
    http_problem(rs, 503, "decisions are not available yet", NULL);
}

void h_decision_get(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)sv; (void)rq; (void)m;
    http_problem(rs, 503, "decisions are not available yet", NULL);
}
