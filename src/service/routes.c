/*
 * routes.c - the route table and the checks every request passes before
 * its handler runs.
 *
 * One row per method and path, at its id (route_ids.h, whose names are
 * the labels under which /metrics counts the routes): who may call it
 * (role bits of service.h), the largest body, whether the body is JSON,
 * the handler; HEAD is served wherever GET is.  routes_dispatch checks,
 * in this order: path (404), method (405 with Allow), Bearer token (401;
 * 503 when the store cannot be asked), role (403), body size (413),
 * content type (415) -- like Redis's processCommand checking a command
 * against its table before calling it.  Handlers therefore never see an
 * unauthenticated caller or an oversized body.
 *
 * Not here: reading FastCGI (worker.c), the resources themselves
 * (h_*.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "service/budget.h"
#include "service/scoreboard.h"
#include "service/service.h"
#include "service/worker.h"

typedef struct route {
    const char *method;
    const char *pattern;      /* a `{...}` segment matches one path segment */
    int roles;                /* ROLE_NONE: open to all */
    size_t max_body;          /* 0: no body expected */
    int json_body;            /* the body must be application/json */
    route_handler handler;
    int walks;                /* reads many stored rows: no store deadline */
    int logged;               /* LOG_*: how the access is written to access_log */
} route;
/* One row per ROUTE_IDS entry, at its id (designated initializers; the
 * id's name is the row's /metrics label).  docs/openapi.yaml describes
 * every row; tests/api/openapi.sh compares the two (a row left out
 * would be a route not served), and nginx/eligo_maps.conf's
 * $eligo_allow map has each path. */

/* Reads of stored data are logged one by one before they run; the
 * officer's playground (no stored data, only what the officer sent) is
 * counted per caller and action and written a row a second by the
 * worker's writer thread (access_queue.c), so that it costs no row and
 * no wait per request -- a worker killed with counts pending loses at
 * most those.  A read whose arguments are in the body
 * (a replay or impact range) is logged by its handler once it has read
 * them, still before it reads stored data (LOG_HANDLER,
 * routes_log_access). */
enum { LOG_NONE, LOG_NOW, LOG_COUNTED, LOG_HANDLER };


#define MIB (1u << 20)
static const route routes[] = {
    [ROUTE_decisions_create] = {.method = "POST", .pattern = "/v1/decisions", .roles = ROLE_PORTAL,
        .max_body = MIB, .json_body = 1, .handler = h_decisions_post},
    [ROUTE_decisions_get] = {.method = "GET", .pattern = "/v1/decisions/{id}", .roles = ROLE_AUDITOR,
        .handler = h_decision_get, .logged = LOG_NOW},
    [ROUTE_decision_replay] = {.method = "POST", .pattern = "/v1/decisions/{id}/replay", .roles = ROLE_AUDITOR,
        .max_body = MIB, .handler = h_replay_one, .logged = LOG_NOW},
    [ROUTE_replays] = {.method = "POST", .pattern = "/v1/replays", .roles = ROLE_AUDITOR,
        .max_body = MIB, .json_body = 1, .handler = h_replay_range, .walks = 1, .logged = LOG_HANDLER},
    [ROUTE_impact] = {.method = "POST", .pattern = "/v1/impact", .roles = ROLE_OFFICER,
        .max_body = 4 * MIB, .json_body = 1, .handler = h_impact, .walks = 1, .logged = LOG_HANDLER},
    [ROUTE_evaluate] = {.method = "POST", .pattern = "/v1/evaluate", .roles = ROLE_OFFICER,
        .max_body = MIB, .json_body = 1, .handler = h_evaluate_post, .logged = LOG_COUNTED},
    [ROUTE_check] = {.method = "POST", .pattern = "/v1/check", .roles = ROLE_OFFICER,
        .max_body = MIB, .json_body = 1, .handler = h_check, .logged = LOG_COUNTED},
    [ROUTE_diff] = {.method = "POST", .pattern = "/v1/diff", .roles = ROLE_OFFICER,
        .max_body = MIB, .json_body = 1, .handler = h_diff, .logged = LOG_COUNTED},
    [ROUTE_policies_list] = {.method = "GET", .pattern = "/v1/policies", .roles = ROLE_ANY,
        .handler = h_policies_list},
    [ROUTE_policies_get] = {.method = "GET", .pattern = "/v1/policies/{name}", .roles = ROLE_ANY,
        .handler = h_policy_get},
    [ROUTE_policies_schema] = {.method = "GET", .pattern = "/v1/policies/{name}/schema", .roles = ROLE_ANY,
        .handler = h_policy_schema},
    [ROUTE_healthz] = {.method = "GET", .pattern = "/healthz", .roles = ROLE_NONE, .handler = h_health},
    [ROUTE_audit_verify] = {.method = "GET", .pattern = "/v1/audit/verify", .roles = ROLE_AUDITOR,
        .handler = h_audit_verify, .walks = 1, .logged = LOG_NOW},
    [ROUTE_metrics] = {.method = "GET", .pattern = "/metrics", .roles = ROLE_NONE, .handler = h_metrics},
    [ROUTE_openapi] = {.method = "GET", .pattern = "/v1/openapi.json", .roles = ROLE_NONE,
        .handler = h_openapi},
};
#define NROUTES ((int)(sizeof routes / sizeof routes[0]))
_Static_assert(NROUTES == ROUTE_COUNT, "one row per ROUTE_IDS entry (route_ids.h)");

/* The labels under which /metrics counts the routes: their ids' names. */
static const char *const metric_names[] = {
#define ROUTE_NAME(id) #id,
    ROUTE_IDS(ROUTE_NAME)
#undef ROUTE_NAME
};

/* The row's name: its /metrics label and its access-log action. */
static const char *route_name(const route *r)
{
    return metric_names[r - routes];
}

const char *routes_metric_name(int index)
{
    return index >= 0 && index < NROUTES ? metric_names[index] : NULL;
}

/* 1 when path matches pattern; the `{...}` segment goes to m->id. */
static int match(const char *pattern, const char *path, route_match *m)
{
    const char *p = pattern, *s = path;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t n = strcspn(s, "/");
            if (n == 0 || n >= sizeof m->id) return 0;
            memcpy(m->id, s, n);
            m->id[n] = 0;
            s += n;
            p = close + 1;
            continue;
        }
        if (*p != *s) return 0;
        p++, s++;
    }
    return *s == 0;
}

const char *routes_canonical_path(const char *path, char *out, size_t n)
{
    for (int r = 0; r < NROUTES; r++) {
        const char *id = strstr(routes[r].pattern, "{id}");
        size_t at = id ? (size_t)(id - routes[r].pattern) : 0;
        if (!id || strncmp(path, routes[r].pattern, at) != 0) continue;
        size_t len = strlen(path), end = at + strcspn(path + at, "/");
        if (len >= n) return path;          /* too long to be a route of ours */
        memcpy(out, path, len + 1);
        for (size_t i = at; i < end; i++)
            if (out[i] >= 'A' && out[i] <= 'Z') out[i] = (char)(out[i] - 'A' + 'a');
        return out;
    }
    return path;
}

/* The role names of the tokens table and of the access log, once. */
static const struct { const char *name; int bit; } role_names[] = {
    {"portal", ROLE_PORTAL}, {"officer", ROLE_OFFICER}, {"auditor", ROLE_AUDITOR}, {"admin", ROLE_ADMIN}};
#define NROLES (sizeof role_names / sizeof role_names[0])

static int role_bit(const char *name)
{
    for (size_t i = 0; i < NROLES; i++)
        if (strcmp(role_names[i].name, name) == 0) return role_names[i].bit;
    return 0;
}

static const char *role_name(int bit)
{
    for (size_t i = 0; i < NROLES; i++)
        if (role_names[i].bit == bit) return role_names[i].name;
    return "none";
}

static int is_json(const char *ct)
{
    if (!ct) return 0;
    while (*ct == ' ') ct++;
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n) != 0) return 0;
    ct += n;
    while (*ct == ' ') ct++;
    return *ct == 0 || *ct == ';';
}

/* The token of "Bearer TOKEN" into out; 0 when absent or malformed. */
static int bearer(const char *h, char *out, size_t outlen)
{
    if (!h) return 0;
    while (*h == ' ') h++;
    if (strncasecmp(h, "Bearer ", 7) != 0) return 0;
    h += 7;
    while (*h == ' ') h++;
    size_t n = 0;
    while (h[n] && h[n] != ' ') {
        if (!isgraph((unsigned char)h[n]) || n + 1 >= outlen) return 0;
        out[n] = h[n];
        n++;
    }
    out[n] = 0;
    return n > 0;
}

/* Writes the access-log entry of an auditor or officer request before
 * it runs (route.logged).  When the log cannot be written the request is
 * refused, so nothing is read unlogged. */
static int access_logged(service *sv, const route *r, const route_match *m, http_response *rs)
{
    if (r->logged == LOG_NOW) return routes_log_access(sv, rs, route_name(r), m->id[0] ? m->id : NULL);
    if (r->logged == LOG_COUNTED &&
        access_queue_add(sv->pending_log, sv->client, role_name(sv->role), route_name(r), m->id[0] ? m->id : NULL)) {
        http_problem(rs, 503, "the database is unavailable; the access cannot be logged", NULL);
        return -1;
    }
    return 0;
}

int routes_log_access(service *sv, http_response *rs, const char *action, const char *target)
{
    store *db = worker_store(sv);
    if (db && store_access_log(db, sv->client, role_name(sv->role), action, target) == STORE_OK) return 0;
    sb_count_access_log_failure();
    http_problem(rs, 503, "the database is unavailable; the access cannot be logged", NULL);
    return -1;
}

static void authenticate(service *sv, const route *r, const http_request *rq, http_response *rs)
{
    char token[200];
    if (!bearer(rq->authorization, token, sizeof token)) {
        buf_adds(&rs->headers, "WWW-Authenticate: Bearer realm=\"eligo\"\r\n");
        http_problem(rs, 401, "an Authorization: Bearer token is required", NULL);
        return;
    }
    store *db = worker_store(sv);
    if (!db) {
        http_problem(rs, 503, "the database is unavailable; tokens cannot be checked", NULL);
        return;
    }
    char role[16] = "";
    switch (store_token_lookup(db, token, role, sv->client)) {
    case STORE_OK:
        break;
    case STORE_NOT_FOUND:
        buf_adds(&rs->headers, "WWW-Authenticate: Bearer realm=\"eligo\", error=\"invalid_token\"\r\n");
        http_problem(rs, 401, "the token is not valid", NULL);
        return;
    case STORE_UNAVAILABLE:
        http_problem(rs, 503, "the database is unavailable; tokens cannot be checked", NULL);
        return;
    default:
        http_problem(rs, 500, "the token could not be checked", NULL);
        return;
    }
    sv->role = role_bit(role);
    if (!(sv->role & r->roles)) {
        char detail[128];
        snprintf(detail, sizeof detail, "the role `%s` may not %s %s", role, r->method, r->pattern);
        http_problem(rs, 403, detail, NULL);
        return;
    }
    rs->status = 0;   /* passed */
}

/* The route's method: HEAD is GET without the body (worker.c drops it). */
static int method_matches(const route *r, const char *method)
{
    return strcmp(r->method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

static void dispatch(service *sv, const http_request *rq, http_response *rs, int *index)
{
    route_match m = {{0}};
    const route *r = NULL;
    char allow[64] = "";
    for (int i = 0; i < NROUTES; i++) {
        route_match mi = {{0}};
        if (!match(routes[i].pattern, rq->path, &mi)) continue;
        if (method_matches(&routes[i], rq->method)) {
            r = &routes[i];
            m = mi;
            *index = i;
            break;
        }
        const char *add = strcmp(routes[i].method, "GET") == 0 ? "GET, HEAD" : routes[i].method;
        if (!strstr(allow, add))
            snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s", allow[0] ? ", " : "", add);
    }
    if (!r && allow[0]) {
        buf_printf(&rs->headers, "Allow: %s\r\n", allow);
        char detail[128];
        snprintf(detail, sizeof detail, "%s is not allowed here; use %s", rq->method, allow);
        http_problem(rs, 405, detail, NULL);
        return;
    }
    if (!r) {
        http_problem(rs, 404, "no such resource", NULL);
        return;
    }
    sv->role = ROLE_NONE;
    sv->client[0] = 0;
    if (sv->db) {
        /* what another worker found out about the database, this one
         * need not find out again by waiting */
        store_mark_down(sv->db, sb_db_down_until());
        store_set_deadline(sv->db, BUDGET_STORE_DEADLINE_MS);
    }
    if (r->roles != ROLE_NONE) {
        authenticate(sv, r, rq, rs);
        if (rs->status) return;
    }
    if ((rq->body_len > 0 && !rq->body) || rq->body_len > (r->max_body ? r->max_body : MIB)) {
        char detail[96];
        snprintf(detail, sizeof detail, "the body may hold at most %zu bytes", r->max_body ? r->max_body : 0);
        http_problem(rs, 413, detail, NULL);
        return;
    }
    if (r->json_body && !is_json(rq->content_type)) {
        buf_adds(&rs->headers, "Accept-Post: application/json\r\n");
        http_problem(rs, 415, "the body must be application/json", NULL);
        return;
    }
    if (access_logged(sv, r, &m, rs)) return;
    if (r->walks && sv->db) store_set_deadline(sv->db, 0);
    rs->status = 500;
    r->handler(sv, rq, rs, &m);
}

void routes_dispatch(service *sv, const http_request *rq, http_response *rs)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int index = -1;
    rs->status = 0;
    dispatch(sv, rq, rs, &index);
    if (sv->db) sb_db_down_raise(store_down_until(sv->db));
    if (rs->status == 0) http_problem(rs, 500, "the handler gave no answer", NULL);
    /* every problem names the request path as its instance */
    http_problem_close(rs, rq->path, rq->request_id);
    /* answers carry decisions, inputs and audit data: no cache keeps one */
    buf_adds(&rs->headers, "Cache-Control: no-store\r\n");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sb_count_request(index, rs->status,
                     (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
}
