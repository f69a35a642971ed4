/*
 * h_audit.c - the audit resource: GET /v1/audit/verify (auditor) in the
 * workers, and the checkpoint sequencer in the master.
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
 * private key (mode 0600, refused otherwise) before any fork, and
 * audit_tick_main(), called from the master's loop, runs a sequencer
 * round every --checkpoint-interval seconds through a store connection
 * of its own, so the decision path never waits for it.  Each signed note
 * is logged and appended to --checkpoint-file: copies outside the
 * database.  After a failure the interval doubles, up to a minute, so a
 * database that is down does not stall the master's loop every tick.
 * Without a key the sequencer does not run (logged once).
 *
 * The verifying key (from --checkpoint-public-key, else derived from the
 * private key) is set in the master before fork and only read after it.
 * A forked worker inherits the master's memory, private key included;
 * audit_drop_private() frees it and is meant to be called first thing in
 * a new worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/checkpoint.h"
#include "audit/sequencer.h"
#include "audit/verify.h"
#include "service/conf.h"
#include "service/service.h"
#include "service/worker.h"

enum { SEQ_LAG_MS = 500, SEQ_BATCH = 5000, MAX_BACKOFF_MS = 60000 };

/* Set in the master before fork, read-only afterwards. */
static struct {
    cp_key *verifier;          /* public key: workers and master */
    cp_key *signer;            /* private key: master only */
    const eligod_conf *conf;
    store *db;                 /* the sequencer's own connection */
    sequencer seq;
    int64_t next_ms;
    int64_t backoff_ms;
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
        http_problem(rs, 503, "no checkpoint key is configured (--checkpoint-key or --checkpoint-public-key)", NULL);
        return;
    }
    verify_report rep;
    char err[256];
    if (audit_verify(db, A.verifier, NULL, &rep, err, sizeof err)) {
        elog(LOG_L_ERROR, rq->request_id, "audit verify: %s", err);
        http_problem(rs, 503, "the database failed during verification", NULL);
        return;
    }
    http_json(rs, 200);
    verify_json(&rep, &rs->body);
}

/* ------------------------------------------------------ master's side */

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
    if (c->checkpoint_public_key) {
        A.verifier = cp_key_read_public(c->checkpoint_public_key, err, sizeof err);
    } else if (A.signer) {
        buf line;
        buf_init(&line);
        cp_key_public_line(A.signer, &line);
        A.verifier = cp_key_parse_public(buf_cstr(&line), err, sizeof err);
        buf_free(&line);
    }
    if ((c->checkpoint_public_key || A.signer) && !A.verifier) {
        elog(LOG_L_ERROR, NULL, "checkpoint public key: %s", err);
        return -1;
    }
    if (!A.signer)
        elog(LOG_L_INFO, NULL, "no --checkpoint-key: the checkpoint sequencer does not run in this master");
    else
        elog(LOG_L_INFO, NULL, "checkpoints every %d s signed by %s%s%s", c->checkpoint_interval,
             cp_key_name(A.signer), c->checkpoint_file ? ", copied to " : "",
             c->checkpoint_file ? c->checkpoint_file : "");
    return 0;
}

void audit_drop_private(void)
{
    /* a worker has no business with the signing key */
    cp_key_free(A.signer);
    A.signer = NULL;
    A.db = NULL;               /* the master's connection: never used here */
}

static void copy_out(const buf *note, const seq_round *r)
{
    /* the log keeps one line per event: the note's lines joined by " | " */
    buf line;
    buf_init(&line);
    for (size_t i = 0; i < note->len; i++) {
        if (note->data[i] != '\n') buf_addc(&line, note->data[i]);
        else if (i + 1 < note->len) buf_adds(&line, " | ");
    }
    elog(LOG_L_INFO, NULL, "checkpoint %llu: %llu decisions added, tree size %llu: %s", (unsigned long long)r->k,
         (unsigned long long)r->added, (unsigned long long)r->size, buf_cstr(&line));
    buf_free(&line);
    if (r->stale_hashes)
        elog(LOG_L_WARN, NULL, "checkpoint %llu: %llu decisions had a content_hash not matching their content",
             (unsigned long long)r->k, (unsigned long long)r->stale_hashes);
    if (!A.conf->checkpoint_file) return;
    FILE *f = fopen(A.conf->checkpoint_file, "a");
    if (!f || fwrite(note->data, 1, note->len, f) != note->len || fclose(f) != 0)
        elog(LOG_L_ERROR, NULL, "checkpoint %llu: cannot append to %s", (unsigned long long)r->k,
             A.conf->checkpoint_file);
}

/* One round; returns the delay before the next one. */
static int64_t round_once(void)
{
    int64_t interval = (int64_t)A.conf->checkpoint_interval * 1000;
    if (!A.db) {
        char err[256];
        store_options o = {.url = A.conf->db, .allow_nondurable = A.conf->allow_nondurable, .timeout_s = 2};
        if (!(A.db = store_open(&o, err, sizeof err))) {
            elog(LOG_L_WARN, NULL, "checkpoints: database unavailable: %s", err);
            return -1;
        }
        sequencer_init(&A.seq, A.db, A.signer, SEQ_LAG_MS, SEQ_BATCH);
    }
    buf note;
    buf_init(&note);
    seq_round r;
    char err[512];
    int st = sequencer_round(&A.seq, &note, &r, err, sizeof err);
    if (st == SEQ_SIGNED) copy_out(&note, &r);
    else if (st == SEQ_LOST_RACE) elog(LOG_L_INFO, NULL, "checkpoints: another sequencer wrote the next checkpoint first");
    else if (st == SEQ_ERROR) elog(LOG_L_ERROR, NULL, "checkpoints: %s", err);
    buf_free(&note);
    if (st == SEQ_ERROR) return -1;
    /* a full batch: more are waiting, go on at the next tick */
    return st == SEQ_SIGNED && r.added == SEQ_BATCH ? 0 : interval;
}

void audit_tick_main(int64_t now_ms)
{
    if (!A.signer || !A.conf->db || now_ms < A.next_ms) return;
    int64_t delay = round_once();
    if (delay < 0) {
        int64_t base = (int64_t)A.conf->checkpoint_interval * 1000;
        A.backoff_ms = A.backoff_ms ? A.backoff_ms * 2 : base * 2;
        if (A.backoff_ms > MAX_BACKOFF_MS) A.backoff_ms = MAX_BACKOFF_MS;
        delay = A.backoff_ms;
    } else {
        A.backoff_ms = 0;
    }
    A.next_ms = now_ms + delay;
}

void audit_free_main(void)
{
    if (A.db) store_close(A.db);
    cp_key_free(A.signer);
    cp_key_free(A.verifier);
    memset(&A, 0, sizeof A);
}
