/*
 * store_driver.c - drives src/store against a real MariaDB server for
 * tests/integration/store_test.sh.
 *
 * Usage: store_driver URL TOKEN, with STORE_TEST_HOOK set to a command
 * that takes "kill" (kill -9 the server) or "start" (start it again on
 * the same port).  TOKEN is a portal token made by `eligo token add`
 * under the name "portal-test".  The driver checks token lookups (and
 * revocation against the token cache's bound), the
 * idempotent put (new, same again, conflicting, another client), reads,
 * a crash of the server while the store is open (the next put reconnects
 * and succeeds) and an outage (a put gives STORE_UNAVAILABLE quickly),
 * injected faults (1213, 1205 and 2006 on a statement, 2013 after a real
 * COMMIT: the in-doubt case, 1213 on every attempt), batches
 * (store_put_batch: 32 twins, a mix of new, stored, conflicting and
 * malformed rows, a lost COMMIT answer, a row in flight beside others;
 * the rows of one request all or none; a batch in one INSERT per 64
 * rows), and measures the single-row commit rate.  Each failed check prints
 * file:line; the last line is "N passed, N failed".
 *
 * What it does not do: count rows (the shell script does, with the
 * mariadb client) or start the server.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store/store.h"
#include "store/store_int.h"   /* the fault hook */

static int passed, failed;

#define CHECK(cond, ...) do { \
        if (cond) passed++; \
        else { failed++; printf("%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
               printf(__VA_ARGS__); printf("\n"); } \
    } while (0)

static const char *rc_name(store_rc rc)
{
    static const char *const n[] = {"OK", "EXISTS", "CONFLICT", "IN_FLIGHT", "NOT_FOUND", "UNAVAILABLE", "ERROR"};
    return rc <= STORE_ERROR ? n[rc] : "?";
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int hook(const char *what)
{
    const char *h = getenv("STORE_TEST_HOOK");
    char cmd[1024];
    if (!h) return -1;
    snprintf(cmd, sizeof cmd, "%s %s", h, what);
    return system(cmd);
}

static const char policy_text[] = "policy test.store \"store test\"\n";
static const char model_text[] = "model test \"store test\"\n";

static store_decision decision(const char *client, const char *rid, const char *fp)
{
    store_decision d = {
        .request_id = rid, .client = client, .fingerprint = fp,
        .policy_name = "test.store",
        .policy_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000001",
        .policy_text = policy_text, .policy_text_len = sizeof policy_text - 1,
        .model_name = "test",
        .model_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000002",
        .model_text = model_text, .model_text_len = sizeof model_text - 1,
        .as_of = "2019-01-01",
        .input_json = "{\"household\":{\"size\":3,\"name\":\"\xe5\xbc\xa0\xe4\xb8\x89\"}}",
        .outputs_json = "{\"eligible\":true,\"monthly_benefit\":\"1080.00\"}",
        .explanation_json = NULL,
        .response_json = "{\"request_id\":\"r\",\"outputs\":{\"eligible\":true,\"monthly_benefit\":\"1080.00\"}}",
    };
    return d;
}

#define FP_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FP_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* store_put_batch: 32 puts of one request_id in one batch, a batch of
 * new rows mixed with a stored one, a conflicting one and a malformed
 * one, and a batch whose COMMIT answer is lost. */
static void batch_checks(store *s)
{
    enum { SAME = 32 };
    store_decision same = decision("portal-test", "b-same", FP_A);
    store_put p[SAME];
    buf resp[SAME];
    for (int i = 0; i < SAME; i++) {
        buf_init(&resp[i]);
        p[i] = (store_put){.d = &same, .stored_response = &resp[i]};
    }
    store_put_batch(s, p, SAME);
    int created = 0, exists = 0, same_id = 1;
    for (int i = 0; i < SAME; i++) {
        created += p[i].rc == STORE_OK;
        exists += p[i].rc == STORE_EXISTS && strcmp(buf_cstr(&resp[i]), same.response_json) == 0;
        same_id &= strcmp(p[i].decision_id, p[0].decision_id) == 0;
        buf_free(&resp[i]);
    }
    CHECK(created == 1 && exists == SAME - 1 && same_id, "32 twins: %d created, %d exist, same id %d", created,
          exists, same_id);

    store_decision mix[5] = {
        decision("portal-test", "b-new-1", FP_A), decision("portal-test", "r1", FP_A),
        decision("portal-test", "r1", FP_B), decision("portal-test", "b-bad", FP_A),
        decision("portal-test", "b-new-2", FP_B),
    };
    mix[3].as_of = "2019-13";
    store_put m[5];
    for (int i = 0; i < 5; i++) m[i] = (store_put){.d = &mix[i]};
    store_put_batch(s, m, 5);
    CHECK(m[0].rc == STORE_OK && m[1].rc == STORE_EXISTS && m[2].rc == STORE_CONFLICT && m[3].rc == STORE_ERROR &&
          m[4].rc == STORE_OK, "mixed batch: %s %s %s %s %s", rc_name(m[0].rc), rc_name(m[1].rc),
          rc_name(m[2].rc), rc_name(m[3].rc), rc_name(m[4].rc));
    CHECK(strcmp(m[0].decision_id, m[4].decision_id) != 0, "two new ids");

    enum { LOST = 4 };
    store_decision lost[LOST];
    store_put l[LOST];
    char rid[LOST][32];
    for (int i = 0; i < LOST; i++) {
        snprintf(rid[i], sizeof rid[i], "b-lost-%d", i);
        lost[i] = decision("portal-test", rid[i], FP_A);
        l[i] = (store_put){.d = &lost[i]};
    }
    uint64_t before = store_reconnects(s);
    store_fault_arm(s, STORE_FAULT_COMMIT, 1, 1, 2013);
    store_put_batch(s, l, LOST);
    store_fault_arm(s, 0, 0, 0, 0);
    int ok = 0;
    for (int i = 0; i < LOST; i++) ok += l[i].rc == STORE_OK;
    CHECK(ok == LOST && store_reconnects(s) == before + 1, "batch whose commit answer was lost: %d of %d", ok, LOST);
    char id[37];
    store_rc rc = store_put_decision(s, &lost[2], id, NULL);
    CHECK(rc == STORE_EXISTS && strcmp(id, l[2].decision_id) == 0, "a row of it again: %s", rc_name(rc));
}

/* The server's count of statement executions on this store's session
 * (-1 when it cannot be read). */
static long executions(store *s)
{
    long n = -1;
    if (!s->db || mysql_query(s->db, "SHOW SESSION STATUS LIKE 'Com_stmt_execute'")) return -1;
    MYSQL_RES *r = mysql_store_result(s->db);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    if (row && row[1]) n = atol(row[1]);
    if (r) mysql_free_result(r);
    return n;
}

/* A batch of new rows whose texts the store has committed goes as
 * one INSERT per STORE_PUT_ROWS_MAX rows: 13 rows (a committer's group
 * at 32 connections) in 1 statement where 8 + 4 + 1 took 3, 70 in 2
 * (64 + 6), and the rows are all stored. */
static void statement_checks(store *s)
{
    enum { MANY = 70 };
    static const int sizes[] = {13, MANY};
    static const long statements[] = {1, 2};
    store_decision d[MANY];
    store_put p[MANY];
    char rid[MANY][32], id[37];
    /* a row first, so that the policy and model texts are known */
    d[0] = decision("portal-test", "n-warm", FP_A);
    CHECK(store_put_decision(s, &d[0], id, NULL) == STORE_OK, "a row before the batches");
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < sizes[k]; i++) {
            snprintf(rid[i], sizeof rid[i], "n-%d-%d", sizes[k], i);
            d[i] = decision("portal-test", rid[i], FP_A);
            p[i] = (store_put){.d = &d[i]};
        }
        long before = executions(s);
        store_put_batch(s, p, (size_t)sizes[k]);
        long ran = executions(s) - before;
        int ok = 0;
        for (int i = 0; i < sizes[k]; i++) ok += p[i].rc == STORE_OK;
        CHECK(before >= 0 && ran == statements[k] && ok == sizes[k], "a batch of %d new rows: %ld statements, %d stored",
              sizes[k], ran, ok);
    }
}

/* The decisions of one request (a group) are stored all or none: a
 * group meeting a stored request_id stores nothing, beside a group and a
 * lone row that commit; sent again whole, it is STORE_EXISTS. */
static void group_checks(store *s)
{
    store_decision g[5] = {
        decision("portal-test", "g-1/a", FP_A), decision("portal-test", "r1", FP_B),
        decision("portal-test", "g-1/c", FP_A), decision("portal-test", "g-2/a", FP_A),
        decision("portal-test", "g-lone", FP_A),
    };
    store_put p[5] = {{.d = &g[0], .group = 1}, {.d = &g[1], .group = 1}, {.d = &g[2], .group = 1},
                      {.d = &g[3], .group = 2}, {.d = &g[4]}};
    store_put_batch(s, p, 5);
    CHECK(p[0].rc == STORE_NOT_FOUND && p[1].rc == STORE_CONFLICT && p[2].rc == STORE_NOT_FOUND &&
          p[3].rc == STORE_OK && p[4].rc == STORE_OK, "group with a conflict: %s %s %s, others %s %s",
          rc_name(p[0].rc), rc_name(p[1].rc), rc_name(p[2].rc), rc_name(p[3].rc), rc_name(p[4].rc));
    CHECK(store_put_outcome(p, 3) == STORE_CONFLICT, "its outcome: %s", rc_name(store_put_outcome(p, 3)));
    char id[37];
    store_rc rc = store_put_decision(s, &g[0], id, NULL);
    CHECK(rc == STORE_OK, "its first row was not stored: %s", rc_name(rc));
    store_put again[2] = {{.d = &g[3], .group = 7}, {.d = &g[4], .group = 7}};
    store_put_batch(s, again, 2);
    CHECK(store_put_outcome(again, 2) == STORE_EXISTS, "a stored group again: %s",
          rc_name(store_put_outcome(again, 2)));
}

/* A revoked token: a store without a token cache refuses it at once; one
 * that had it cached (token_cache_s 1, eligod's is 5) accepts it until
 * its entry expires and refuses it after, never later.  A cached token
 * is found again without the database: a hit is checked while the
 * server cannot answer (the fault hook fails the next statements). */
static void token_cache_checks(const store_options *o, store *s)
{
    char err[512], role[16], client[65], tok[65];
    store_options oc = *o;
    oc.token_cache_s = 1;
    store *c = store_open(&oc, NULL, err, sizeof err);
    CHECK(c != NULL, "store with a token cache: %s", err);
    if (!c) return;
    store_rc rc = store_token_add(s, "officer", "revoke-test", tok);
    CHECK(rc == STORE_OK, "token_add revoke-test: %s", rc_name(rc));
    rc = store_token_lookup(c, tok, role, client);
    CHECK(rc == STORE_OK && strcmp(client, "revoke-test") == 0, "first lookup: %s %s", rc_name(rc), client);
    store_fault_arm(c, STORE_FAULT_EXEC, 1, 5, 2006);
    rc = store_token_lookup(c, tok, role, client);
    CHECK(rc == STORE_OK && strcmp(role, "officer") == 0, "cached lookup, database down: %s", rc_name(rc));
    store_fault_arm(c, 0, 0, 0, 0);
    uint64_t n = 0;
    rc = store_token_revoke(s, "revoke-test", &n);
    CHECK(rc == STORE_OK && n == 1, "revoke: %s, %llu rows", rc_name(rc), (unsigned long long)n);
    rc = store_token_revoke(s, "revoke-test", &n);
    CHECK(rc == STORE_NOT_FOUND && n == 0, "revoke again: %s", rc_name(rc));
    rc = store_token_lookup(s, tok, role, client);
    CHECK(rc == STORE_NOT_FOUND, "revoked, no cache: %s", rc_name(rc));
    rc = store_token_lookup(c, tok, role, client);
    CHECK(rc == STORE_OK, "revoked, still cached: %s", rc_name(rc));
    struct timespec wait = {1, 100 * 1000 * 1000};   /* token_cache_s and 100 ms */
    nanosleep(&wait, NULL);
    rc = store_token_lookup(c, tok, role, client);
    CHECK(rc == STORE_NOT_FOUND, "revoked, cache entry expired: %s", rc_name(rc));
    store_close(c);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: store_driver URL TOKEN (see tests/integration/store_test.sh)\n");
        return 2;
    }
    char err[512];
    store_options o = {.url = argv[1], .timeout_s = 2};
    store *s = store_open(&o, NULL, err, sizeof err);
    CHECK(s != NULL, "store_open: %s", err);
    if (!s) {
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }

    /* tokens */
    char role[16] = "", client[65] = "", tok[65];
    store_rc rc = store_token_lookup(s, argv[2], role, client);
    CHECK(rc == STORE_OK, "lookup of the CLI's token: %s %s", rc_name(rc), store_last_error(s));
    CHECK(strcmp(role, "portal") == 0 && strcmp(client, "portal-test") == 0, "role %s client %s", role, client);
    rc = store_token_lookup(s, FP_A, role, client);
    CHECK(rc == STORE_NOT_FOUND, "lookup of an unknown token: %s", rc_name(rc));
    rc = store_token_add(s, "auditor", "auditor-test", tok);
    CHECK(rc == STORE_OK && strlen(tok) == 64, "token_add: %s %s", rc_name(rc), store_last_error(s));
    rc = store_token_lookup(s, tok, role, client);
    CHECK(rc == STORE_OK && strcmp(role, "auditor") == 0 && strcmp(client, "auditor-test") == 0,
          "lookup of the new token: %s %s %s", rc_name(rc), role, client);
    rc = store_token_add(s, "root", "x", tok);
    CHECK(rc == STORE_ERROR, "token_add with an unknown role: %s", rc_name(rc));
    token_cache_checks(&o, s);

    /* idempotent put */
    char id1[37] = "", id2[37] = "", id3[37] = "";
    buf out;
    buf_init(&out);
    store_decision d = decision("portal-test", "r1", FP_A);
    rc = store_put_decision(s, &d, id1, &out);
    CHECK(rc == STORE_OK, "first put: %s %s", rc_name(rc), store_last_error(s));
    CHECK(strlen(id1) == 36 && id1[14] == '7', "a UUIDv7 id: %s", id1);
    printf("decision %s\n", id1);

    buf_reset(&out);
    rc = store_put_decision(s, &d, id2, &out);
    CHECK(rc == STORE_EXISTS, "same request again: %s %s", rc_name(rc), store_last_error(s));
    CHECK(strcmp(id1, id2) == 0, "same id: %s %s", id1, id2);
    CHECK(strcmp(buf_cstr(&out), d.response_json) == 0, "stored response returned: %s", buf_cstr(&out));

    store_decision other = decision("portal-test", "r1", FP_B);
    rc = store_put_decision(s, &other, id3, NULL);
    CHECK(rc == STORE_CONFLICT, "same request_id, other body: %s %s", rc_name(rc), store_last_error(s));

    store_decision client2 = decision("portal-two", "r1", FP_B);
    client2.explanation_json = "{\"steps\":[]}";
    rc = store_put_decision(s, &client2, id3, NULL);
    CHECK(rc == STORE_OK && strcmp(id3, id1) != 0, "another client's r1: %s %s", rc_name(rc), store_last_error(s));

    /* reads */
    buf_reset(&out);
    rc = store_get_decision(s, id1, &out);
    char want[512];
    snprintf(want, sizeof want, "{\"decision_id\":\"%s\",%s", id1, d.response_json + 1);
    CHECK(rc == STORE_OK && strcmp(buf_cstr(&out), want) == 0, "get: %s %s", rc_name(rc), buf_cstr(&out));
    buf_reset(&out);
    rc = store_get_decision(s, "00000000-0000-7000-8000-000000000000", &out);
    CHECK(rc == STORE_NOT_FOUND, "get of an unknown id: %s", rc_name(rc));

    store_decision bad = decision("portal-test", "r-bad", FP_A);
    bad.as_of = "2019-1-1";
    rc = store_put_decision(s, &bad, id3, NULL);
    CHECK(rc == STORE_ERROR, "a malformed as_of is refused: %s", rc_name(rc));

    /* outputs_json NULL (eligod's case): the response's own members are
     * hashed in place; read back, the row shows them and its leaf,
     * recomputed from the row, is the content_hash stored */
    store_decision inplace = decision("portal-test", "r-inplace", FP_A);
    inplace.outputs_json = NULL;
    rc = store_put_decision(s, &inplace, id3, NULL);
    CHECK(rc == STORE_OK, "outputs from the response: %s %s", rc_name(rc), store_last_error(s));
    store_row row;
    store_row_init(&row);
    char leaf[65] = "";
    rc = store_get_row(s, id3, &row);
    CHECK(rc == STORE_OK && strcmp(buf_cstr(&row.outputs), "{\"eligible\":true,\"monthly_benefit\":\"1080.00\"}") == 0 &&
              row.explanation_null && store_row_leaf(&row, leaf) == 0 && strcmp(leaf, buf_cstr(&row.content_hash)) == 0,
          "in place: %s outputs %s leaf %s stored %s", rc_name(rc), buf_cstr(&row.outputs), leaf,
          buf_cstr(&row.content_hash));
    store_row_free(&row);
    store_decision no_outputs = decision("portal-test", "r-no-outputs", FP_A);
    no_outputs.outputs_json = NULL;
    no_outputs.response_json = "{\"request_id\":\"r\"}";
    rc = store_put_decision(s, &no_outputs, id3, NULL);
    CHECK(rc == STORE_ERROR, "no outputs_json and none in the response: %s", rc_name(rc));

    /* single-row commit rate */
    enum { N = 300 };
    char rid[64], fp[65];
    double t0 = now_s();
    int ok = 0;
    for (int i = 0; i < N; i++) {
        snprintf(rid, sizeof rid, "rate-%d", i);
        snprintf(fp, sizeof fp, "%064d", i);
        store_decision r = decision("portal-test", rid, fp);
        if (store_put_decision(s, &r, id3, NULL) == STORE_OK) ok++;
    }
    double dt = now_s() - t0;
    CHECK(ok == N, "%d of %d puts", ok, N);
    printf("commit rate: %d single-row transactions in %.2f s = %.0f/s\n", N, dt, N / dt);

    /* kill -9 the server while the store is open, start it again */
    CHECK(store_reconnects(s) == 0, "no reconnect yet: %llu", (unsigned long long)store_reconnects(s));
    CHECK(hook("kill") == 0, "hook kill");
    CHECK(hook("start") == 0, "hook start");
    store_decision after = decision("portal-test", "r-after-crash", FP_A);
    rc = store_put_decision(s, &after, id2, NULL);
    CHECK(rc == STORE_OK, "put after the crash: %s %s", rc_name(rc), store_last_error(s));
    CHECK(store_reconnects(s) == 1, "one reconnect: %llu", (unsigned long long)store_reconnects(s));
    buf_reset(&out);
    rc = store_get_decision(s, id1, &out);
    CHECK(rc == STORE_OK, "the first decision survived the crash: %s", rc_name(rc));

    /* an outage: STORE_UNAVAILABLE, quickly; then back */
    CHECK(hook("kill") == 0, "hook kill");
    store_decision during = decision("portal-test", "r-outage", FP_A);
    t0 = now_s();
    rc = store_put_decision(s, &during, id2, NULL);
    dt = now_s() - t0;
    CHECK(rc == STORE_UNAVAILABLE, "put during the outage: %s %s", rc_name(rc), store_last_error(s));
    CHECK(dt < 3.0, "answered within 3 s: %.2f s", dt);
    printf("outage: STORE_UNAVAILABLE after %.2f s (%s)\n", dt, store_last_error(s));
    rc = store_token_lookup(s, argv[2], role, client);
    CHECK(rc == STORE_UNAVAILABLE, "token lookup during the outage: %s", rc_name(rc));
    CHECK(hook("start") == 0, "hook start");
    rc = store_put_decision(s, &during, id2, NULL);
    CHECK(rc == STORE_OK, "put after the outage: %s %s", rc_name(rc), store_last_error(s));
    CHECK(store_reconnects(s) == 2, "two reconnects: %llu", (unsigned long long)store_reconnects(s));
    CHECK(store_ping(s) == 0, "ping");

    /* injected faults: every put ends OK with one row, or UNAVAILABLE with none */
    static const struct { int where, nth, times; unsigned int err; const char *rid; store_rc want; int reconnects; } faults[] = {
        /* the only execute of a put once the texts are stored is the
         * decision's INSERT (the store skips texts it saw committed);
         * 1205 there means another transaction holds the request_id */
        {STORE_FAULT_EXEC, 1, 1, 1213, "f-deadlock-insert", STORE_OK, 0},
        {STORE_FAULT_EXEC, 1, 1, 1205, "f-lockwait", STORE_IN_FLIGHT, 0},
        {STORE_FAULT_COMMIT, 1, 1, 1213, "f-deadlock-commit", STORE_OK, 0},
        {STORE_FAULT_EXEC, 1, 1, 2006, "f-gone", STORE_OK, 1},
        {STORE_FAULT_COMMIT, 1, 1, 2013, "f-lost-commit", STORE_OK, 1},
        {STORE_FAULT_EXEC, 1, 100, 1213, "f-deadlock-always", STORE_UNAVAILABLE, 0},
        {STORE_FAULT_EXEC, 1, 1, 1064, "f-syntax", STORE_ERROR, 0},
    };
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        uint64_t before = store_reconnects(s);
        store_decision f = decision("portal-test", faults[i].rid, FP_A);
        store_fault_arm(s, faults[i].where, faults[i].nth, faults[i].times, faults[i].err);
        rc = store_put_decision(s, &f, id2, NULL);
        store_fault_arm(s, 0, 0, 0, 0);
        CHECK(rc == faults[i].want, "%s: %s %s", faults[i].rid, rc_name(rc), store_last_error(s));
        CHECK(store_reconnects(s) - before == (uint64_t)faults[i].reconnects, "%s: %llu reconnects",
              faults[i].rid, (unsigned long long)(store_reconnects(s) - before));
        /* the same request again: stored once, or not at all */
        rc = store_put_decision(s, &f, id3, NULL);
        if (faults[i].want == STORE_OK)
            CHECK(rc == STORE_EXISTS && strcmp(id2, id3) == 0, "%s again: %s %s %s", faults[i].rid,
                  rc_name(rc), id2, id3);
        else
            CHECK(rc == STORE_OK, "%s after the fault: %s", faults[i].rid, rc_name(rc));
    }

    batch_checks(s);
    statement_checks(s);
    group_checks(s);

    /* 409: another connection is storing the same (client, request_id) and
     * has not committed yet */
    store *s2 = store_open(&o, NULL, err, sizeof err);
    CHECK(s2 != NULL, "second store: %s", err);
    if (s2) {
        const char *ins = "INSERT INTO decisions (id, request_id, client, fingerprint, policy_name, policy_hash, "
                          "as_of, input, outputs, response, created_at, content_hash) VALUES "
                          "('00000000-0000-7000-8000-000000000001', 'in-flight', 'portal-test', 'fp', 'p', "
                          "'sha256:x', '2019-01-01', '{}', '{}', '{}', UTC_TIMESTAMP(6), 'h')";
        CHECK(mysql_query(s2->db, ins) == 0, "uncommitted insert: %s", mysql_error(s2->db));
        store_decision f = decision("portal-test", "in-flight", FP_A);
        rc = store_put_decision(s, &f, id2, NULL);
        CHECK(rc == STORE_IN_FLIGHT, "retry while the first is in flight: %s %s", rc_name(rc), store_last_error(s));
        /* in a batch: that row alone is in flight, the others are stored */
        store_decision bd[3] = {decision("portal-test", "b-beside-1", FP_A), f,
                                decision("portal-test", "b-beside-2", FP_A)};
        store_put bp[3] = {{.d = &bd[0]}, {.d = &bd[1]}, {.d = &bd[2]}};
        store_put_batch(s, bp, 3);
        CHECK(bp[0].rc == STORE_OK && bp[1].rc == STORE_IN_FLIGHT && bp[2].rc == STORE_OK,
              "batch beside a row in flight: %s %s %s", rc_name(bp[0].rc), rc_name(bp[1].rc), rc_name(bp[2].rc));
        mysql_rollback(s2->db);
        rc = store_put_decision(s, &f, id2, NULL);
        CHECK(rc == STORE_OK, "after the first attempt rolled back: %s %s", rc_name(rc), store_last_error(s));
        store_close(s2);
    }

    buf_free(&out);
    store_close(s);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
