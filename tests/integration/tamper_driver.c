/*
 * tamper_driver.c - tamper evidence (every alteration detected and
 * named, no fork of the checkpoint chain) against a real MariaDB, for tests/integration/audit_tamper.sh and
 * tests/soak/audit_tamper_full.sh.
 *
 * Usage: tamper_driver URL KEY OTHER_KEY ROWS MUTATIONS STORES STORE_ROWS RACE_ROUNDS
 *   1. fills an empty store with ROWS decisions (multi-row INSERTs, each
 *      content_hash computed with store_leaf_hash), sequences and signs
 *      them in checkpoints of 1,000 (sequencer rounds with KEY), and
 *      checks that a verify says intact (the rate is printed);
 *   2. applies MUTATIONS random mutations one at a time -- a column of a
 *      row changed (with or without its content_hash recomputed, the
 *      latter in SQL, as an insider would), a row deleted, a forged row
 *      inserted beyond the chain or in its middle (seqs shifted), two
 *      rows swapped, a checkpoint's note, root or leaves edited, a
 *      checkpoint deleted, a checkpoint re-signed with OTHER_KEY -- and
 *      after each one runs the verifier, which must report it and name
 *      the right decision id, seq or checkpoint; then restores the tables
 *      from a copy and (every 25th time) checks the store is intact again;
 *   3. builds STORES untouched stores of STORE_ROWS decisions: 0 false
 *      alarms allowed;
 *   4. races two sequencers (two threads, two connections, same key) for
 *      RACE_ROUNDS rounds with new decisions before each: one linear
 *      chain, every decision numbered once, verify intact.
 * Each failed check prints file:line; the last line is "N passed, N failed".
 * The SQL leaf (leaf_sql below) recomputes store_leaf_hash in SQL; that the
 * two agree is checked too.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit/checkpoint.h"
#include "audit/sequencer.h"
#include "audit/verify.h"
#include "store/store.h"
#include "store/store_int.h"   /* the raw connection, store_leaf_hash */

static int passed, failed;

#define CHECK(cond, ...) do { \
        if (cond) passed++; \
        else { failed++; printf("%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
               printf(__VA_ARGS__); printf("\n"); } \
    } while (0)

static const char *url;
static cp_key *key, *other_key;
static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static store *open_store(void)
{
    char err[512];
    store_options o = {.url = url};
    store *s = store_open(&o, NULL, err, sizeof err);
    if (!s) {
        printf("store_open: %s\n", err);
        exit(2);
    }
    return s;
}

/* Runs SQL on the raw connection of s and commits; returns affected rows
 * or -1. */
static long sql(store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long sql(store *s, const char *fmt, ...)
{
    buf q;
    buf_init(&q);
    va_list ap;
    va_start(ap, fmt);
    char small[4096];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof small) {
        va_start(ap, fmt);
        char *big = malloc((size_t)n + 1);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        buf_add(&q, big, (size_t)n);
        free(big);
    } else {
        buf_add(&q, small, (size_t)n);
    }
    long rows = -1;
    if (store_ensure(s) == 0 && mysql_real_query(s->db, q.data, (unsigned long)q.len) == 0) {
        MYSQL_RES *r = mysql_store_result(s->db);
        rows = (long)mysql_affected_rows(s->db);
        if (r) mysql_free_result(r);
        if (mysql_query(s->db, "COMMIT")) rows = -1;
    }
    if (rows < 0) printf("sql failed: %s: %.200s\n", mysql_error(s->db), q.data);
    buf_free(&q);
    return rows;
}

/* One value of a one-row SELECT, into out. */
static int sql_value(store *s, char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int sql_value(store *s, char *out, size_t n, const char *fmt, ...)
{
    char q[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    out[0] = 0;
    if (store_ensure(s) || mysql_query(s->db, q)) {
        printf("sql failed: %s: %.120s\n", mysql_error(s->db), q);
        return -1;
    }
    MYSQL_RES *r = mysql_store_result(s->db);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    int rc = row && row[0] ? 0 : -1;
    if (!rc) snprintf(out, n, "%s", row[0]);
    if (r) mysql_free_result(r);
    mysql_query(s->db, "ROLLBACK");
    return rc;
}

/* store_leaf_hash in SQL: 0x00, then per field an 8-byte big-endian
 * length and the bytes, NULL as eight 0xFF bytes. */
/* A row stored since db/005 (outputs NULL) holds its outputs and
 * explanation only in its response (src/store/parts.c); for the shapes
 * this driver writes, {...,"outputs":O} or {...,"outputs":O,"explanation":E},
 * SQL can cut them out; an explanation column that is not NULL is hashed
 * as it is, as the readers do. */
#define AFTER_OUTPUTS "SUBSTRING_INDEX(response, ',\"outputs\":', -1)"
#define AFTER_EXPLANATION "SUBSTRING_INDEX(response, ',\"explanation\":', -1)"
#define OUTPUTS_SQL "COALESCE(outputs, SUBSTRING_INDEX(LEFT(" AFTER_OUTPUTS ", CHAR_LENGTH(" AFTER_OUTPUTS ") - 1), " \
    "',\"explanation\":', 1))"
#define EXPLANATION_SQL "IF(outputs IS NULL AND explanation IS NULL AND LOCATE(',\"explanation\":', response) > 0, " \
    "LEFT(" AFTER_EXPLANATION ", CHAR_LENGTH(" AFTER_EXPLANATION ") - 1), explanation)"
#define F(c) "IF(" c " IS NULL, UNHEX('FFFFFFFFFFFFFFFF'), CONCAT(UNHEX(LPAD(HEX(LENGTH(" c ")), 16, '0')), CAST(" c " AS BINARY)))"
static const char leaf_sql[] =
    "LOWER(SHA2(CONCAT(UNHEX('00'), " F("id") ", " F("request_id") ", " F("client") ", " F("fingerprint") ", "
    F("policy_name") ", " F("policy_hash") ", " F("model_hash") ", " F("DATE_FORMAT(as_of, '%Y-%m-%d')") ", "
    F("input") ", " F(OUTPUTS_SQL) ", " F(EXPLANATION_SQL) ", " F("response") ", "
    F("DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f')") "), 256))";
#undef F

/* ------------------------------------------------------------ filling */

static void make_id(uint64_t serial, uint64_t salt, char out[37])
{
    /* time-ordered like UUIDv7: the serial leads */
    snprintf(out, 37, "%08llx-%04llx-7%03llx-8%03llx-%012llx", (unsigned long long)(serial >> 16 & 0xffffffffu),
             (unsigned long long)(serial & 0xffff), (unsigned long long)(salt & 0xfff),
             (unsigned long long)(salt >> 12 & 0xfff), (unsigned long long)(salt >> 24 & 0xffffffffffffull));
}

/* The policy and model texts every generated decision names: stored,
 * and hashing to the names, as verify requires (it checks the texts). */
static const char policy_text[] = "policy test.tamper \"the policy of the tamper suite\"\n";
static const char model_text[] = "model test \"the model of the tamper suite\"\n";
static char policy_hash[72], model_hash[72];

static void text_hash(const char *text, char out[72])
{
    char hex[65];
    store_sha256_hex(text, strlen(text), hex);
    snprintf(out, 72, "sha256:%s", hex);
}

static uint64_t serial_next = 1;

/* Inserts n decisions with random content in statements of 500 rows. */
static void fill(store *s, int n, const char *client)
{
    for (int done = 0; done < n;) {
        buf q;
        buf_init(&q);
        buf_adds(&q, "INSERT INTO decisions (id, request_id, client, fingerprint, policy_name, policy_hash, model_hash, "
                     "as_of, input, outputs, explanation, response, created_at, content_hash) VALUES ");
        for (int i = 0; i < 500 && done < n; i++, done++) {
            char id[37], rid[40], fp[65], in[160], outj[120], resp[200], created[40], hash[65];
            uint64_t serial = serial_next++, r = rnd();
            make_id(serial, r, id);
            snprintf(rid, sizeof rid, "r-%llu", (unsigned long long)serial);
            snprintf(fp, sizeof fp, "%064llx", (unsigned long long)r);
            snprintf(in, sizeof in, "{\"household\":{\"size\":%u,\"income\":\"%u.%02u\",\"name\":\"\xe5\xbc\xa0\xe4\xb8\x89\"}}",
                     (unsigned)(r % 7 + 1), (unsigned)(r >> 8 & 0xffff), (unsigned)(r >> 24) % 100);
            snprintf(outj, sizeof outj, "{\"eligible\":%s,\"monthly_benefit\":\"%u.00\"}", r & 1 ? "true" : "false",
                     (unsigned)(r >> 32) % 2000);
            const char *expl = r & 4 ? "{\"trace\":[1,2,3]}" : NULL;
            /* half the rows as stored since db/005: outputs and explanation
             * only in the response (columns NULL), the same leaf */
            int parts_in_response = (r & 8) != 0;
            snprintf(resp, sizeof resp, "{\"policy\":{\"name\":\"test.tamper\"},\"outputs\":%s%s%s}", outj,
                     parts_in_response && expl ? ",\"explanation\":" : "", parts_in_response && expl ? expl : "");
            snprintf(created, sizeof created, "2020-01-01 00:00:00.000000");
            long us = (long)(serial % 86400000000ull);
            snprintf(created, sizeof created, "2020-01-%02ld %02ld:%02ld:%02ld.%06ld", 1 + (long)(serial / 86400000000ull) % 28,
                     us / 3600000000l, us / 60000000l % 60, us / 1000000l % 60, us % 1000000l);
            const char *model = r & 2 ? model_hash : NULL;
            const char *f[STORE_LEAF_FIELDS] = {id, rid, client, fp, "test.tamper",
                policy_hash, model, "2019-01-01",
                in, outj, expl, resp, created};
            store_leaf_hash(f, hash);
            const char *col_out = parts_in_response ? NULL : outj, *col_expl = parts_in_response ? NULL : expl;
            buf_printf(&q, "%s('%s','%s','%s','%s','test.tamper','%s',%s%s%s,'2019-01-01','%s',%s%s%s,%s%s%s,'%s','%s','%s')",
                       i ? "," : "", id, rid, client, fp, f[LEAF_POLICY_HASH], model ? "'" : "", model ? model : "NULL",
                       model ? "'" : "", in, col_out ? "'" : "", col_out ? col_out : "NULL", col_out ? "'" : "",
                       col_expl ? "'" : "", col_expl ? col_expl : "NULL", col_expl ? "'" : "", resp, created, hash);
        }
        if (store_ensure(s) || mysql_real_query(s->db, q.data, (unsigned long)q.len) || mysql_query(s->db, "COMMIT")) {
            printf("fill: %s\n", mysql_error(s->db));
            exit(2);
        }
        buf_free(&q);
    }
}

/* Rounds until nothing is left; returns checkpoints signed. */
static int sequence_all(store *s, int batch)
{
    sequencer q;
    sequencer_init(&q, s, key, 0, batch);
    int n = 0;
    for (;;) {
        buf note;
        buf_init(&note);
        seq_round r;
        char err[512];
        int st = sequencer_round(&q, &note, &r, err, sizeof err);
        buf_free(&note);
        if (st == SEQ_ERROR) {
            printf("sequencer: %s\n", err);
            return -1;
        }
        if (st == SEQ_IDLE) return n;
        if (st == SEQ_SIGNED) n++;
    }
}

static void verify(store *s, verify_report *rep)
{
    char err[512];
    if (audit_verify(s, key, NULL, -1, rep, err, sizeof err)) {
        printf("verify: %s\n", err);
        exit(2);
    }
}

static void reset_tables(store *s)
{
    sql(s, "DELETE FROM decisions");
    sql(s, "DELETE FROM checkpoints");
    text_hash(policy_text, policy_hash);
    text_hash(model_text, model_hash);
    sql(s, "INSERT IGNORE INTO policy_versions (hash, name, text, first_seen) VALUES ('%s', 'test.tamper', '%s', UTC_TIMESTAMP(6))",
        policy_hash, policy_text);
    sql(s, "INSERT IGNORE INTO model_versions (hash, name, text, first_seen) VALUES ('%s', 'test', '%s', UTC_TIMESTAMP(6))",
        model_hash, model_text);
}

/* ----------------------------------------------------------- mutations */

typedef struct expect {
    int kind;
    char id[40];
    uint64_t seq, k;
    int k_or_first_beyond;       /* deleting the newest checkpoint: its rows become "beyond" */
} expect;

static uint64_t nrows, nckpt;

static void row_at(store *s, uint64_t seq, char id[40])
{
    sql_value(s, id, 40, "SELECT id FROM decisions WHERE seq_key = %llu", (unsigned long long)seq);
}

static const char *const columns[] = {"id", "request_id", "client", "fingerprint", "policy_name", "policy_hash",
                                      "model_hash", "as_of", "input", "outputs", "explanation", "response",
                                      "created_at", "content_hash"};

static const char *change_of(const char *c)
{
    if (!strcmp(c, "as_of")) return "DATE_ADD(as_of, INTERVAL 1 DAY)";
    if (!strcmp(c, "created_at")) return "DATE_ADD(created_at, INTERVAL 1 MICROSECOND)";
    if (!strcmp(c, "id")) return "CONCAT(SUBSTR(id, 1, 35), IF(RIGHT(id, 1) = '0', '1', '0'))";
    if (!strcmp(c, "content_hash")) return "CONCAT(SUBSTR(content_hash, 1, 63), IF(RIGHT(content_hash, 1) = '0', '1', '0'))";
    if (!strcmp(c, "fingerprint")) return "CONCAT(SUBSTR(fingerprint, 1, 63), IF(RIGHT(fingerprint, 1) = '0', '1', '0'))";
    if (!strcmp(c, "policy_hash")) return "CONCAT(SUBSTR(policy_hash, 1, 70), IF(RIGHT(policy_hash, 1) = '0', '1', '0'))";
    if (!strcmp(c, "request_id")) return "CONCAT(request_id, '~')";   /* never another row's (client, request_id) */
    if (!strcmp(c, "client")) return "CONCAT(client, '~')";
    if (!strcmp(c, "policy_name")) return "CONCAT(policy_name, '~')";
    return NULL;   /* NULL <-> value, or a digit of JSON text: below */
}

/* Applies mutation kind m; fills what verify must name. */
static void mutate(store *s, int m, expect *e, char *what, size_t wn)
{
    memset(e, 0, sizeof *e);
    uint64_t seq = 1 + rnd() % nrows;
    char id[40];
    row_at(s, seq, id);
    e->seq = seq;
    snprintf(e->id, sizeof e->id, "%s", id);
    e->kind = VK_DECISION;
    switch (m) {
    case 0: case 1: {                                     /* a column, hash left or recomputed */
        const char *c = columns[rnd() % (sizeof columns / sizeof columns[0] - (m == 1))];
        const char *ch = change_of(c);
        char expr[160];
        if (!ch) {
            if (!strcmp(c, "model_hash"))
                ch = "IF(model_hash IS NULL, 'sha256:00000000000000000000000000000000000000000000000000000000000000cc', NULL)";
            else if (!strcmp(c, "explanation")) ch = "IF(explanation IS NULL, '{}', NULL)";
            /* a row stored since db/005 holds its outputs in the response */
            else if (!strcmp(c, "outputs")) ch = "IF(outputs IS NULL, '{}', JSON_SET(outputs, '$.tampered', 1))";
            else {
                /* JSON text: a member added, still valid JSON, never the same text */
                snprintf(expr, sizeof expr, "JSON_SET(%s, '$.tampered', 1)", c);
                ch = expr;
            }
        }
        sql(s, "UPDATE decisions SET %s = %s WHERE id = '%s'", c, ch, id);
        if (!strcmp(c, "id")) sql_value(s, e->id, sizeof e->id, "SELECT id FROM decisions WHERE seq_key = %llu", (unsigned long long)seq);
        if (m == 1) sql(s, "UPDATE decisions SET content_hash = %s WHERE seq_key = %llu", leaf_sql, (unsigned long long)seq);
        snprintf(what, wn, "column %s of seq %llu changed%s", c, (unsigned long long)seq, m == 1 ? ", hash recomputed" : "");
        break;
    }
    case 2:                                               /* a row deleted */
        sql(s, "DELETE FROM decisions WHERE seq_key = %llu", (unsigned long long)seq);
        e->kind = VK_SEQ;
        e->id[0] = 0;
        snprintf(what, wn, "seq %llu deleted", (unsigned long long)seq);
        break;
    case 3: case 4: {                                     /* a forged row, beyond or in the middle */
        char fid[37];
        make_id(serial_next++, rnd(), fid);
        uint64_t at = m == 3 ? nrows + 1 : seq;
        if (m == 4) sql(s, "UPDATE decisions SET seq = seq + 1 WHERE seq_key >= %llu ORDER BY seq_key DESC", (unsigned long long)at);
        sql(s, "INSERT INTO decisions (id, seq, request_id, client, fingerprint, policy_name, policy_hash, model_hash, as_of, "
               "input, outputs, explanation, response, created_at, content_hash) SELECT '%s', %llu, 'forged', client, "
               "fingerprint, policy_name, policy_hash, model_hash, as_of, input, outputs, explanation, response, created_at, '' "
               "FROM decisions WHERE id = '%s'", fid, (unsigned long long)at, id);
        sql(s, "UPDATE decisions SET content_hash = %s WHERE id = '%s'", leaf_sql, fid);
        snprintf(e->id, sizeof e->id, "%s", fid);
        e->seq = at;
        snprintf(what, wn, "forged row at seq %llu%s", (unsigned long long)at, m == 3 ? " (beyond)" : " (seqs shifted)");
        break;
    }
    case 5: {                                             /* two rows swapped */
        uint64_t other = 1 + rnd() % nrows;
        if (other == seq) other = seq == nrows ? seq - 1 : seq + 1;
        uint64_t lo = seq < other ? seq : other, hi = seq < other ? other : seq;
        char hid[40];
        row_at(s, hi, hid);
        row_at(s, lo, e->id);
        sql(s, "UPDATE decisions SET seq = 18446744073709551615 WHERE seq_key = %llu", (unsigned long long)lo);
        sql(s, "UPDATE decisions SET seq = %llu WHERE seq_key = %llu", (unsigned long long)lo, (unsigned long long)hi);
        sql(s, "UPDATE decisions SET seq = %llu WHERE seq_key = 18446744073709551615", (unsigned long long)hi);
        snprintf(e->id, sizeof e->id, "%s", hid);         /* now at the lower seq */
        e->seq = lo;
        snprintf(what, wn, "seqs %llu and %llu swapped", (unsigned long long)lo, (unsigned long long)hi);
        break;
    }
    case 6: case 7: case 8: case 9: case 10: {            /* checkpoints */
        uint64_t k = 1 + rnd() % nckpt;
        e->kind = VK_CHECKPOINT;
        e->k = k;
        e->id[0] = 0;
        e->seq = 0;
        if (m == 6) {
            sql(s, "UPDATE checkpoints SET note = REPLACE(note, '\\ntime 20', '\\ntime 19') WHERE k = %llu", (unsigned long long)k);
            snprintf(what, wn, "checkpoint %llu: note edited", (unsigned long long)k);
        } else if (m == 7) {
            sql(s, "UPDATE checkpoints SET root = REPEAT('0', 64) WHERE k = %llu", (unsigned long long)k);
            snprintf(what, wn, "checkpoint %llu: root column edited", (unsigned long long)k);
        } else if (m == 8) {
            /* byte 41 XOR 0x5A: always a change (setting it to 0x5A left
             * it as it was one time in 256, and verify rightly said intact) */
            sql(s, "UPDATE checkpoints SET leaves = CONCAT(LEFT(leaves, 40), CHAR(ASCII(SUBSTR(leaves, 41, 1)) ^ 90), "
                   "SUBSTR(leaves, 42)) WHERE k = %llu", (unsigned long long)k);
            snprintf(what, wn, "checkpoint %llu: leaves edited", (unsigned long long)k);
        } else if (m == 9) {
            sql(s, "DELETE FROM checkpoints WHERE k = %llu", (unsigned long long)k);
            if (k == nckpt) {
                e->k_or_first_beyond = 1;
                char sz[32];
                sql_value(s, sz, sizeof sz, "SELECT COALESCE(MAX(tree_size), 0) + 1 FROM checkpoints");
                e->seq = strtoull(sz, NULL, 10);
                row_at(s, e->seq, e->id);
            }
            snprintf(what, wn, "checkpoint %llu deleted", (unsigned long long)k);
        } else {
            char note[1024];
            sql_value(s, note, sizeof note, "SELECT note FROM checkpoints WHERE k = %llu", (unsigned long long)k);
            const char *sep = strstr(note, "\n\n");
            buf signed_note;
            buf_init(&signed_note);
            if (sep) cp_sign(other_key, note, (size_t)(sep - note) + 1, &signed_note);
            sql(s, "UPDATE checkpoints SET note = '%s' WHERE k = %llu", buf_cstr(&signed_note), (unsigned long long)k);
            buf_free(&signed_note);
            snprintf(what, wn, "checkpoint %llu re-signed with another key", (unsigned long long)k);
        }
        break;
    }
    }
}

/* The stored columns of decisions: seq_key is generated from seq
 * (db/007_seq_in_place.sql), and a value given for it is refused. */
#define STORED_COLUMNS "id, seq, request_id, client, fingerprint, policy_name, policy_hash, model_hash, as_of, " \
    "input, outputs, explanation, response, created_at, content_hash"

static void restore(store *s)
{
    sql(s, "DELETE FROM decisions");
    sql(s, "INSERT INTO decisions (" STORED_COLUMNS ") SELECT " STORED_COLUMNS " FROM bak_decisions");
    sql(s, "DELETE FROM checkpoints");
    sql(s, "INSERT INTO checkpoints SELECT * FROM bak_checkpoints");
}

static int named(const verify_report *r, const expect *e)
{
    if (r->intact) return 0;
    if (e->k_or_first_beyond)
        return (r->kind == VK_DECISION && !strcmp(r->id, e->id)) || (r->kind == VK_CHECKPOINT && r->k == e->k);
    if (r->kind != e->kind) return 0;
    if (e->kind == VK_CHECKPOINT) return r->k == e->k;
    if (e->kind == VK_SEQ) return r->seq == e->seq;
    return !strcmp(r->id, e->id) && r->seq == e->seq;
}

static void mutations(store *s, int count)
{
    int detected = 0, right = 0, kinds[11] = {0};
    for (int i = 0; i < count; i++) {
        expect e;
        char what[160];
        int m = (int)(rnd() % 11);
        kinds[m]++;
        mutate(s, m, &e, what, sizeof what);
        verify_report rep;
        verify(s, &rep);
        if (!rep.intact) detected++;
        if (named(&rep, &e)) right++;
        CHECK(named(&rep, &e), "%s: expected %s%s seq %llu k %llu; verify said: %s", what,
              e.kind == VK_CHECKPOINT ? "checkpoint" : e.kind == VK_SEQ ? "seq" : "decision ", e.id,
              (unsigned long long)e.seq, (unsigned long long)e.k, rep.intact ? "intact" : rep.problem);
        restore(s);
        if (i % 25 == 24) {
            verify(s, &rep);
            CHECK(rep.intact && rep.decisions == nrows, "restored store after %s: %s", what, rep.problem);
        }
    }
    printf("mutations: %d applied, %d detected, %d named the right decision/seq/checkpoint "
           "(column %d, column+hash %d, delete %d, forged beyond %d, forged middle %d, swap %d, "
           "note %d, root %d, leaves %d, checkpoint deleted %d, re-signed %d)\n",
           count, detected, right, kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], kinds[5], kinds[6], kinds[7],
           kinds[8], kinds[9], kinds[10]);
}

/* ---------------------------------------------------------------- race */

typedef struct racer {
    pthread_barrier_t *bar;
    int rounds, signed_n, lost, errors;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    store *s = open_store();
    sequencer q;
    sequencer_init(&q, s, key, 0, 1000);
    for (int i = 0; i < r->rounds; i++) {
        pthread_barrier_wait(r->bar);         /* rows inserted */
        buf note;
        buf_init(&note);
        seq_round out;
        char err[512];
        int st = sequencer_round(&q, &note, &out, err, sizeof err);
        buf_free(&note);
        if (st == SEQ_SIGNED) r->signed_n++;
        else if (st == SEQ_LOST_RACE) r->lost++;
        else if (st == SEQ_ERROR) r->errors++, printf("racer: %s\n", err);
        pthread_barrier_wait(r->bar);         /* round over */
    }
    store_close(s);
    return NULL;
}

static void race_test(store *s, int rounds)
{
    reset_tables(s);
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 3);
    racer a = {&bar, rounds, 0, 0, 0}, b = a;
    pthread_t ta, tb;
    pthread_create(&ta, NULL, race, &a);
    pthread_create(&tb, NULL, race, &b);
    for (int i = 0; i < rounds; i++) {
        fill(s, 1 + (int)(rnd() % 3), "race");
        pthread_barrier_wait(&bar);
        pthread_barrier_wait(&bar);
    }
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&bar);
    char v[32];
    sql_value(s, v, sizeof v, "SELECT COUNT(*) FROM checkpoints");
    uint64_t ck = strtoull(v, NULL, 10);
    sql_value(s, v, sizeof v, "SELECT COUNT(*) - COUNT(DISTINCT seq_key) FROM decisions WHERE seq > 0");
    uint64_t dup = strtoull(v, NULL, 10);
    verify_report rep;
    verify(s, &rep);
    CHECK(rep.intact, "after the race: %s", rep.problem);
    CHECK(ck == (uint64_t)(a.signed_n + b.signed_n), "checkpoints %llu, signed %d", (unsigned long long)ck,
          a.signed_n + b.signed_n);
    CHECK(dup == 0 && a.errors + b.errors == 0, "%llu seqs used twice, %d errors", (unsigned long long)dup,
          a.errors + b.errors);
    printf("race: %d rounds, two sequencers: %d + %d checkpoints signed, %d + %d lost races, one chain of %llu "
           "checkpoints over %llu decisions (%llu not yet numbered), 0 seqs used twice: %s\n",
           rounds, a.signed_n, b.signed_n, a.lost, b.lost, (unsigned long long)rep.checkpoints,
           (unsigned long long)rep.decisions, (unsigned long long)rep.unsequenced, rep.intact ? "intact" : rep.problem);
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: tamper_driver URL KEY OTHER_KEY ROWS MUTATIONS STORES STORE_ROWS RACE_ROUNDS\n");
        return 2;
    }
    url = argv[1];
    char err[512];
    if (!(key = cp_key_read_private(argv[2], err, sizeof err)) ||
        !(other_key = cp_key_read_private(argv[3], err, sizeof err))) {
        printf("key: %s\n", err);
        return 2;
    }
    int rows = atoi(argv[4]), muts = atoi(argv[5]), stores = atoi(argv[6]), store_rows = atoi(argv[7]),
        rounds = atoi(argv[8]);
    rng ^= (uint64_t)time(NULL) * 0x2545F4914F6CDD1Dull;
    printf("seed %llu\n", (unsigned long long)rng);
    store *s = open_store();

    /* 1. a store of rows decisions, sequenced and signed */
    reset_tables(s);
    uint64_t t0 = now_us();
    fill(s, rows, "tamper");
    uint64_t t1 = now_us();
    int ck = sequence_all(s, 1000);
    uint64_t t2 = now_us();
    char same[32];
    sql_value(s, same, sizeof same, "SELECT COUNT(*) FROM decisions WHERE content_hash = CONVERT(%s USING ascii)", leaf_sql);
    CHECK(strtoull(same, NULL, 10) == (uint64_t)rows, "the SQL leaf agrees with store_leaf_hash on %s of %d rows", same, rows);
    verify_report rep;
    verify(s, &rep);
    CHECK(rep.intact && rep.decisions == (uint64_t)rows && rep.checkpoints == (uint64_t)ck, "fresh store: %s",
          rep.intact ? "wrong counts" : rep.problem);
    printf("store: %d decisions inserted in %llu ms, sequenced and signed in %d checkpoints in %llu ms\n", rows,
           (unsigned long long)((t1 - t0) / 1000), ck, (unsigned long long)((t2 - t1) / 1000));
    printf("verify: %llu decisions, %llu checkpoints in %llu ms: %llu decisions/s\n", (unsigned long long)rep.decisions,
           (unsigned long long)rep.checkpoints, (unsigned long long)(rep.elapsed_us / 1000),
           (unsigned long long)verify_rate(&rep));
    nrows = (uint64_t)rows;
    nckpt = (uint64_t)ck;

    /* 2. mutations */
    sql(s, "DROP TABLE IF EXISTS bak_decisions");
    sql(s, "DROP TABLE IF EXISTS bak_checkpoints");
    sql(s, "CREATE TABLE bak_decisions AS SELECT * FROM decisions");
    sql(s, "CREATE TABLE bak_checkpoints AS SELECT * FROM checkpoints");
    mutations(s, muts);

    /* 3. untouched stores */
    int alarms = 0;
    uint64_t checked = 0;
    for (int i = 0; i < stores; i++) {
        reset_tables(s);
        fill(s, store_rows, "untouched");
        int n = sequence_all(s, 1 + (int)(rnd() % 1500));
        verify(s, &rep);
        if (!rep.intact || rep.decisions != (uint64_t)store_rows || rep.checkpoints != (uint64_t)n) {
            alarms++;
            printf("untouched store %d: %s\n", i, rep.problem);
        }
        checked += rep.decisions;
    }
    CHECK(alarms == 0, "%d false alarms", alarms);
    printf("untouched: %d stores, %llu decisions, %d false alarms\n", stores, (unsigned long long)checked, alarms);

    /* 4. two sequencers racing */
    if (rounds > 0) race_test(s, rounds);

    sql(s, "DROP TABLE IF EXISTS bak_decisions");
    sql(s, "DROP TABLE IF EXISTS bak_checkpoints");
    store_close(s);
    cp_key_free(key);
    cp_key_free(other_key);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
