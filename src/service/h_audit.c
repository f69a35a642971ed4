/*
 * h_audit.c - the audit resource: GET /v1/audit/verify (auditor) in the
 * workers, and the checkpoint keys, read by the master before any fork.
 *
 * The route: the router has already checked the Bearer token and the
 * auditor role (403 otherwise) and written the access_log row (client,
 * role, the route's label "audit_verify"; 503 when it cannot), as for
 * every auditor route.  The handler runs the verifier
 * (src/audit/verify.h) with the public key and answers 200 with its
 * JSON, intact or not: a tampered log is a finding, not a server error.  A large log takes longer than
 * --request-timeout allows; `eligo audit verify` has no such limit.
 *
 * The master's side: with --checkpoint-key, audit_init_main() reads the
 * private key (mode 0600, refused otherwise) before any fork; the
 * sequencer child (sequencer_child.c) signs with it (audit_signer()).
 * Without a key no sequencer runs (logged once).  Unprotected rows older
 * than --max-unprotected make the answer not intact (verify.h).
 *
 * The verifying keys (derived from the private key, followed by every
 * line of --checkpoint-public-key: the keys rotated out) are set in the
 * master before fork and only read after it.
 * A forked child inherits the master's memory, private key included;
 * audit_drop_private() frees it and is called first thing in every
 * worker and in the committer: only the sequencer keeps it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/checkpoint.h"
#include "audit/verify.h"
#include "service/conf.h"
#include "service/service.h"
#include "service/worker.h"

/* Set in the master before fork, read-only afterwards. */
static struct {
    cp_key *verifier;          /* public key: workers and master */
    cp_key *signer;            /* private key: master and sequencer only */
    const eligod_conf *conf;
} A;

void h_audit_verify(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq, (void)m;
    store *db = worker_store(sv);
    if (!db) {
        http_problem(rs, 503, "the database is unavailable", NULL);
        return;
    }
    if (!A.verifier) {
        http_problem_as(rs, PROBLEM_SERVICE_UNAVAILABLE, "no checkpoint key is configured (--checkpoint-key or --checkpoint-public-key)", NULL);
        return;
    }
    verify_report rep;
    char err[256];
    if (audit_verify(db, A.verifier, NULL, A.conf->max_unprotected, &rep, err, sizeof err)) {
        elog(LOG_L_ERROR, rq->request_id, "audit verify: %s", err);
        http_problem(rs, 503, "the database failed during verification", NULL);
        return;
    }
    http_json(rs, 200);
    verify_json(&rep, &rs->body);
}

/* ------------------------------------------------------ master's side */

/* The keys checkpoints verify with: the signer's own (when there is one)
 * and then every line of --checkpoint-public-key (the keys rotated out,
 * which old checkpoints name).  NULL with a reason in err. */
static cp_key *verifying_keys(const eligod_conf *c, char *err, size_t errlen)
{
    cp_key *ring = NULL, *own = NULL;
    if (c->checkpoint_public_key && !(ring = cp_key_read_public(c->checkpoint_public_key, err, errlen)))
        return NULL;
    if (!A.signer) return ring;
    buf line;
    buf_init(&line);
    cp_key_public_line(A.signer, &line);
    own = cp_key_parse_public(buf_cstr(&line), err, errlen);
    buf_free(&line);
    if (!own) {
        cp_key_free(ring);
        return NULL;
    }
    cp_key_chain(own, ring);
    return own;
}

int audit_init_main(const eligod_conf *c)
{
    char err[512];
    A.conf = c;
    if (c->checkpoint_key) {
        if (!(A.signer = cp_key_read_private(c->checkpoint_key, err, sizeof err))) {
            elog(LOG_L_ERROR, NULL, "checkpoint key: %s", err);
            return -1;
        }
    }
    if (c->checkpoint_public_key || A.signer) {
        /* twice: the verifier for the workers, and the older keys the
         * sequencer needs to extend a chain signed before a rotation */
        if (!(A.verifier = verifying_keys(c, err, sizeof err))) {
            elog(LOG_L_ERROR, NULL, "checkpoint public key: %s", err);
            return -1;
        }
        cp_key *older = NULL;
        if (A.signer && c->checkpoint_public_key &&
            !(older = cp_key_read_public(c->checkpoint_public_key, err, sizeof err))) {
            elog(LOG_L_ERROR, NULL, "checkpoint public key: %s", err);
            return -1;
        }
        if (older) cp_key_chain(A.signer, older);
    }
    if (!A.signer)
        elog(LOG_L_INFO, NULL, "no --checkpoint-key: no checkpoint sequencer runs");
    else
        elog(LOG_L_INFO, NULL, "checkpoints every %d s signed by %s%s%s", c->checkpoint_interval,
             cp_key_name(A.signer), c->checkpoint_file ? ", copied to " : "",
             c->checkpoint_file ? c->checkpoint_file : "");
    return 0;
}

void audit_drop_private(void)
{
    /* a worker or the committer has no business with the signing key */
    cp_key_free(A.signer);
    A.signer = NULL;
}

const cp_key *audit_signer(void)
{
    return A.signer;
}

void audit_free_main(void)
{
    cp_key_free(A.signer);
    cp_key_free(A.verifier);
    memset(&A, 0, sizeof A);
}
