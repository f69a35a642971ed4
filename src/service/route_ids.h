/*
 * route_ids.h - the names of eligod's routes, one per row of routes.c's
 * table, in the order /metrics lists them.
 *
 * A name is the route's label in /metrics (eligo_requests_total{route=})
 * and, as ROUTE_name, its index in the route table and in the
 * scoreboard's counters, so the scoreboard has exactly one row of
 * counters per route (SB_NROUTES) without a hand-kept count.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_ROUTE_IDS_H
#define ELIGO_ROUTE_IDS_H

#define ROUTE_IDS(X) X(decisions_create) X(decisions_get) X(decision_replay) X(replays) X(impact) \
    X(evaluate) X(check) X(diff) X(policies_list) X(policies_get) X(policies_schema) X(healthz) \
    X(audit_verify) X(metrics) X(openapi)

enum route_id {
#define ROUTE_ID(name) ROUTE_##name,
    ROUTE_IDS(ROUTE_ID)
#undef ROUTE_ID
    ROUTE_COUNT
};

#endif
