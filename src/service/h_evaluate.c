/*
 * h_evaluate.c - POST /v1/evaluate (placeholder until the handler lands).
 */
#include "service/service.h"

void h_evaluate_post(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)sv; (void)rq; (void)m;
    http_problem(rs, 503, "evaluation is not available yet", NULL);
}
