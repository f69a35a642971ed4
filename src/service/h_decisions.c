/*
 * h_decisions.c - POST /v1/decisions (portal) and GET /v1/decisions/{id}
 * (auditor: the whole stored record, checked against its leaf hash
 * before it is shown, audit/record.c).
 *
 * A decision is answered only after its row was committed (through the
 * committer, or the worker's own store_put_batch when group commit is
 * off): the portal never holds a decision the database does not.  The request
 * id (body `request_id`, else the Idempotency-Key header -- a Structured
 * Field string held to request_id's rule, 400 otherwise -- else a fresh
 * UUID) is scoped by the calling client; a retry with the same id and the
 * same request gets the stored decision again (200), with a different
 * request 422.  A list of policies screens one input for several
 * programs as one unit: every policy is decided before anything is
 * stored, a 4xx from any stores nothing and names the policy
 * ("/policy/1"), and the decisions are stored in one commit (the
 * committer keeps a request's rows together) and answered together.  The
 * fingerprint covers the whole request (the list in order, as_of,
 * explain, input), and the first decision is stored under the bare
 * request_id, the others under "<request_id>/<policy name>", so the same
 * request_id with another list, or a single policy, is 422.  A new
 * decision for one policy is 201 with its Location.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "audit/record.h"
#include "service/committer.h"
#include "service/decide.h"
#include "service/scoreboard.h"
#include "service/worker.h"
#include "eval/date.h"

_Static_assert(REQ_MAX_POLICIES <= COMMIT_MAX_ROWS, "a request's decisions fit one committer frame");

/* A random (version 4) UUID; -1 when OpenSSL's generator has no bytes
 * to give (unseeded), since a predictable id could collide. */
static int new_request_id(char out[37])
{
    unsigned char r[16];
    if (store_random(r, sizeof r)) return -1;
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    store_uuid_text(r, out);
    return 0;
}

/* One request's decisions, made before anything is stored. */
typedef struct decided {
    uint32_t n;
    const policy *p[REQ_MAX_POLICIES];
    buf doc[REQ_MAX_POLICIES];      /* the answered documents, without ids */
    buf input[REQ_MAX_POLICIES];    /* the canonical inputs */
    char rid[REQ_MAX_POLICIES][REQ_MAX_ID + 80];
    store_decision d[REQ_MAX_POLICIES];
    store_put put[REQ_MAX_POLICIES];
    buf stored[REQ_MAX_POLICIES];   /* the earlier answers, on a retry */
    char as_of[16], fp[65];
} decided;

/* Readies the first n decisions' slots, and no more: the struct is
 * large (every array sized for REQ_MAX_POLICIES) and most requests name
 * one policy. */
static void decided_init(decided *x, uint32_t n)
{
    x->n = n;
    for (uint32_t i = 0; i < n; i++) {
        buf_init(&x->doc[i]);
        buf_init(&x->input[i]);
        buf_init(&x->stored[i]);
    }
}

static void decided_free(decided *x)
{
    for (uint32_t i = 0; i < x->n; i++) {
        buf_free(&x->doc[i]);
        buf_free(&x->input[i]);
        buf_free(&x->stored[i]);
    }
}

/* Adds which policy of a list a problem is about, as a JSON Pointer into
 * the request and the name: "policy": {"pointer": "/policy/1", "name"}. */
static void problem_policy(http_response *rs, const decision_request *req, uint32_t i)
{
    if (!req->policy_is_list || rs->body.len < 2 || rs->body.data[rs->body.len - 1] != '}') return;
    rs->body.len--;
    buf_printf(&rs->body, ",\"policy\":{\"pointer\":\"/policy/%u\",\"name\":", i);
    buf_json_string(&rs->body, req->policy[i].p, req->policy[i].n);
    buf_adds(&rs->body, "}}");
}

/* The idempotency fingerprint: what decides the answers.  A single
 * policy: its name, date, explain flag and canonical input (as stored
 * since the first release, so retries of old requests still match); a
 * list: every name in order, then the same, so a change of the list
 * under one request_id is a different request. */
static void fingerprint(const decision_request *req, decided *x)
{
    buf f;
    buf_init(&f);
    if (req->policy_is_list) {
        buf_adds(&f, "list\n");
        for (uint32_t i = 0; i < x->n; i++) buf_printf(&f, "%s\n", x->p[i]->name);
    } else {
        buf_printf(&f, "%s\n", x->p[0]->name);
    }
    buf_printf(&f, "%s\n%d\n", x->as_of, req->explain);
    for (uint32_t i = 0; i < x->n; i++) {
        buf_add(&f, x->input[i].data, x->input[i].len);
        if (!req->policy_is_list) break;
    }
    if (store_sha256_hex(f.data, f.len, x->fp)) x->fp[0] = 0;
    buf_free(&f);
}

/* Decides every policy of the request; nothing is stored yet.  0, or -1
 * with the problem (naming the policy of a list) in rs. */
static int decide_all(service *sv, const decision_request *req, decided *x, http_response *rs)
{
    for (uint32_t i = 0; i < x->n; i++) {
        if (decide(sv, x->p[i], req, &x->doc[i], &x->input[i], NULL, rs)) {
            problem_policy(rs, req, i);
            return -1;
        }
    }
    date_format(req->has_as_of ? req->as_of : decide_today(), x->as_of);
    fingerprint(req, x);
    return 0;
}

/* The rows to store.  A list's first decision is stored under the bare
 * request_id and the others under "<request_id>/<policy name>": the
 * request_id then belongs to one request, whatever its shape, so any
 * other request under it meets that row (422). */
static void rows_of(service *sv, const char *rid, decided *x)
{
    for (uint32_t i = 0; i < x->n; i++) {
        const policy *p = x->p[i];
        if (i == 0) snprintf(x->rid[i], sizeof x->rid[i], "%s", rid);
        else snprintf(x->rid[i], sizeof x->rid[i], "%s/%s", rid, p->name);
        /* outputs and explanation are the response's own members: no
         * outputs_json, and the store hashes them in place and stores
         * them only there (db/005, store/parts.c) */
        x->d[i] = (store_decision){
            .request_id = x->rid[i], .client = sv->client, .fingerprint = x->fp,
            .policy_name = p->name, .policy_hash = p->hash,
            .policy_text = p->src->text, .policy_text_len = p->src->len,
            .model_name = p->model->name, .model_hash = p->model->hash,
            .model_text = p->model->stored_text, .model_text_len = p->model->stored_len,
            .as_of = x->as_of, .input_json = buf_cstr(&x->input[i]), .outputs_json = NULL,
            .response_json = buf_cstr(&x->doc[i]),
        };
        x->put[i] = (store_put){.d = &x->d[i], .stored_response = &x->stored[i]};
    }
}

/* The HTTP status of a request's store outcome; the problem in rs
 * unless 201 or 200. */
static int status_of(store_rc rc, http_response *rs)
{
    switch (rc) {
    case STORE_OK: return 201;
    case STORE_EXISTS: return 200;
    case STORE_CONFLICT:
        http_problem_as(rs, PROBLEM_REQUEST_ID_REUSED, "request_id was already used with a different request", NULL);
        return 422;
    case STORE_IN_FLIGHT:
        http_problem(rs, 409, "a request with this request_id is still being decided; retry shortly", NULL);
        return 409;
    default:
        http_problem(rs, 503, "the decision could not be stored; nothing was decided, retry with the same request_id", NULL);
        return 503;
    }
}

/* The answer: each decision with its ids (a list in "decisions"). */
static void answer(const decision_request *req, const char *rid, const decided *x, int status, buf *out)
{
    if (req->policy_is_list) {
        buf_adds(out, "{\"request_id\":");
        buf_json_string(out, rid, strlen(rid));
        buf_adds(out, ",\"decisions\":[");
    }
    for (uint32_t i = 0; i < x->n; i++) {
        /* a stored answer too short to be a document (never written so)
         * is not spliced: the one decided now has the same fingerprint */
        const buf *doc = status == 200 && x->stored[i].len >= 2 ? &x->stored[i] : &x->doc[i];
        if (i) buf_addc(out, ',');
        buf_adds(out, "{\"decision_id\":\"");
        buf_adds(out, x->put[i].decision_id);
        buf_adds(out, "\",\"request_id\":");
        buf_json_string(out, x->rid[i], strlen(x->rid[i]));
        buf_addc(out, ',');
        buf_add(out, doc->data + 1, doc->len - 1);   /* the document without its '{' */
    }
    if (req->policy_is_list) buf_adds(out, "]}");
}

void h_decisions_post(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)m;
    decision_request req;
    json_errors errs;
    json_status st = json_request_parse(rq->body, rq->body_len, &sv->pool, &req, &errs);
    if (st != JSON_OK) { decide_problem(rs, st, &errs); return; }
    char rid[REQ_MAX_ID + 1];
    if (req.request_id[0]) {
        snprintf(rid, sizeof rid, "%s", req.request_id);
    } else if (rq->idempotency_key) {
        /* a Structured Field string, held to request_id's rule */
        if (http_sf_string(rq->idempotency_key, rid, sizeof rid) || !json_request_id_ok(rid, strlen(rid))) {
            http_problem_as(rs, PROBLEM_INVALID_PARAMETER, "Idempotency-Key must be 1 to 128 printable ASCII "
                            "characters without spaces, like request_id, optionally in double quotes", NULL);
            return;
        }
    } else if (new_request_id(rid)) {
        http_problem_as(rs, PROBLEM_SERVICE_UNAVAILABLE, "no random bytes for a request id; nothing was decided, retry", NULL);
        return;
    }
    static _Thread_local decided x;   /* large; one request at a time per worker thread */
    decided_init(&x, req.npolicies);
    for (uint32_t i = 0; i < req.npolicies; i++) {
        x.p[i] = decide_policy(sv, req.policy[i]);
        if (!x.p[i]) {
            char d[128];
            snprintf(d, sizeof d, "no policy named \"%.*s\"", (int)req.policy[i].n, req.policy[i].p);
            http_problem_as(rs, PROBLEM_UNKNOWN_POLICY, d, NULL);
            problem_policy(rs, &req, i);
            return;
        }
    }
    if (decide_all(sv, &req, &x, rs) == 0) {
        rows_of(sv, rid, &x);
        int status = status_of(committer_put(sv, x.put, x.n), rs);
        if (status == 201)
            for (uint32_t i = 0; i < x.n; i++)
                for (uint32_t k = 0; k < sv->reg->npolicies; k++)
                    if (sv->reg->policies[k] == x.p[i]) sb_count_decision(k);
        if (status == 201 || status == 200) {
            if (status == 201 && !req.policy_is_list)
                buf_printf(&rs->headers, "Location: /v1/decisions/%s\r\n", x.put[0].decision_id);
            http_json(rs, status);
            answer(&req, rid, &x, status, &rs->body);
        }
    }
    decided_free(&x);
}

/* A decision id is a UUID in lower case (routes.c lowered it): anything
 * else names no decision, without asking the database. */
static int is_decision_id(const char *id)
{
    if (strlen(id) != 36) return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? id[i] != '-' : !((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) return 0;
    }
    return 1;
}

void h_decision_get(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq;
    if (!is_decision_id(m->id)) { http_problem(rs, 404, "no decision with this id", NULL); return; }
    store *db = worker_store(sv);
    if (!db) { http_problem(rs, 503, "the database is unavailable", NULL); return; }
    store_row row;
    store_row_init(&row);
    switch (store_get_row(db, m->id, &row)) {
    case STORE_OK:
        http_json(rs, 200);
        /* checked first: what is shown is flagged when it is not what was stored */
        record_json(&row, record_check(&row), &rs->body);
        break;
    case STORE_NOT_FOUND: http_problem(rs, 404, "no decision with this id", NULL); break;
    default: http_problem(rs, 503, "the database is unavailable", NULL); break;
    }
    store_row_free(&row);
}
