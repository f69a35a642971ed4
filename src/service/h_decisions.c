/*
 * h_decisions.c - POST /v1/decisions (portal) and GET /v1/decisions/{id}
 * (auditor).
 *
 * A decision is answered only after its row was committed (through the
 * committer, or the worker's own store_put_decision when group commit is
 * off): the portal never holds a decision the database does not.  The request
 * id (body `request_id`, else the Idempotency-Key header -- a Structured
 * Field string held to request_id's rule, 400 otherwise -- else a fresh
 * UUID) is scoped by the calling client; a retry with the same id and the
 * same request gets the stored decision again (200), with a different
 * request 422.  A new decision for one policy is 201 with its Location.
 * A list of policies screens one input for several programs: each
 * decision is stored under "<request_id>/<policy name>".
 */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "service/committer.h"
#include "service/decide.h"
#include "service/scoreboard.h"
#include "service/worker.h"
#include "eval/date.h"

static void sha256_hex(const char *a, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(a, n, md, &len, EVP_sha256(), NULL);
    for (unsigned i = 0; i < len && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void new_request_id(char out[37])
{
    unsigned char r[16];
    RAND_bytes(r, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

/* Decides and stores one policy; appends the answered document to out.
 * Returns 201, 200 (stored earlier), or -1 with a problem in rs. */
static int decide_and_store(service *sv, const policy *p, const decision_request *req, const char *rid,
                            buf *out, http_response *rs)
{
    buf doc, input, stored;
    buf_init(&doc);
    buf_init(&input);
    buf_init(&stored);
    int status = -1;
    decision_parts parts;
    if (decide(sv, p, req, &doc, &input, &parts, rs))
        goto done;
    char as_of[16], fp[65], id[37];
    date_format(req->has_as_of ? req->as_of : decide_today(), as_of);
    /* the fingerprint covers what decides the answer: policy, date,
     * explain flag and the canonical input */
    buf f;
    buf_init(&f);
    buf_printf(&f, "%s\n%s\n%d\n", p->name, as_of, req->explain);
    buf_add(&f, input.data, input.len);
    sha256_hex(f.data, f.len, fp);
    buf_free(&f);
    /* outputs and explanation are stored apart too, for queries */
    buf outputs, explanation;
    buf_init(&outputs);
    buf_init(&explanation);
    buf_add(&outputs, doc.data + parts.outputs_off, parts.outputs_len);
    buf_add(&explanation, doc.data + parts.explanation_off, parts.explanation_len);
    store_decision d = {
        .request_id = rid, .client = sv->client, .fingerprint = fp,
        .policy_name = p->name, .policy_hash = p->hash,
        .policy_text = p->src->text, .policy_text_len = p->src->len,
        .model_name = p->model->name, .model_hash = p->model->hash,
        .model_text = p->model->src->text, .model_text_len = p->model->src->len,
        .as_of = as_of, .input_json = buf_cstr(&input), .outputs_json = buf_cstr(&outputs),
        .explanation_json = parts.explanation_len ? buf_cstr(&explanation) : NULL,
        .response_json = buf_cstr(&doc),
    };
    store_rc rc = committer_put(sv, &d, id, &stored);
    buf_free(&outputs);
    buf_free(&explanation);
    const buf *answer = &doc;
    switch (rc) {
    case STORE_OK:
        status = 201;
        for (uint32_t i = 0; i < sv->reg->npolicies; i++)
            if (sv->reg->policies[i] == p) sb_count_decision(i);
        break;
    case STORE_EXISTS: status = 200; answer = &stored; break;
    case STORE_CONFLICT:
        http_problem_as(rs, PROBLEM_REQUEST_ID_REUSED, "request_id was already used with a different request", NULL);
        goto done;
    case STORE_IN_FLIGHT:
        http_problem(rs, 409, "a request with this request_id is still being decided; retry shortly", NULL);
        goto done;
    case STORE_NOT_FOUND: case STORE_UNAVAILABLE: default:
        http_problem(rs, 503, "the decision could not be stored; nothing was decided, retry with the same request_id", NULL);
        goto done;
    }
    buf_adds(out, "{\"decision_id\":\"");
    buf_adds(out, id);
    buf_adds(out, "\",\"request_id\":");
    buf_json_string(out, rid, strlen(rid));
    buf_addc(out, ',');
    buf_add(out, answer->data + 1, answer->len - 1);   /* the document without its '{' */
done:
    buf_free(&doc);
    buf_free(&input);
    buf_free(&stored);
    return status;
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
    } else {
        new_request_id(rid);
    }
    const policy *ps[REQ_MAX_POLICIES];
    for (uint32_t i = 0; i < req.npolicies; i++) {
        ps[i] = decide_policy(sv, req.policy[i]);
        if (!ps[i]) {
            char d[128];
            snprintf(d, sizeof d, "no policy named \"%.*s\"", (int)req.policy[i].n, req.policy[i].p);
            http_problem_as(rs, PROBLEM_UNKNOWN_POLICY, d, NULL);
            return;
        }
    }
    buf all;
    buf_init(&all);
    int status = 200;
    if (req.policy_is_list) {
        buf_adds(&all, "{\"request_id\":");
        buf_json_string(&all, rid, strlen(rid));
        buf_adds(&all, ",\"decisions\":[");
    }
    for (uint32_t i = 0; i < req.npolicies; i++) {
        char one[REQ_MAX_ID + 80];
        if (req.policy_is_list) snprintf(one, sizeof one, "%s/%s", rid, ps[i]->name);
        else snprintf(one, sizeof one, "%s", rid);
        if (i) buf_addc(&all, ',');
        int s = decide_and_store(sv, ps[i], &req, one, &all, rs);
        if (s < 0) { buf_free(&all); return; }
        if (s == 201) status = 201;
    }
    if (req.policy_is_list) buf_adds(&all, "]}");
    else if (status == 201)   /* all is {"decision_id":"<36 characters>",... */
        buf_printf(&rs->headers, "Location: /v1/decisions/%.36s\r\n", all.data + strlen("{\"decision_id\":\""));
    http_json(rs, status);
    buf_add(&rs->body, all.data, all.len);
    buf_free(&all);
}

void h_decision_get(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq;
    store *db = worker_store(sv);
    if (!db) { http_problem(rs, 503, "the database is unavailable", NULL); return; }
    buf out;
    buf_init(&out);
    switch (store_get_decision(db, m->id, &out)) {
    case STORE_OK:
        http_json(rs, 200);
        buf_add(&rs->body, out.data, out.len);
        break;
    case STORE_NOT_FOUND: http_problem(rs, 404, "no decision with this id", NULL); break;
    default: http_problem(rs, 503, "the database is unavailable", NULL); break;
    }
    buf_free(&out);
}
