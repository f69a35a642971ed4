/*
 * access_queue.c - the playground's access log: a request is counted
 * under its caller and action; a writer thread of the worker's own
 * writes the counts, one access_log row per caller, action and target,
 * with the number of requests and the first and last time
 * (db/006_access_counts.sql).
 *
 * Why counts: the playground (evaluate, check, diff) reads no stored
 * data, yet an officer's form calls it on every keystroke and a
 * benchmark thousands of times a second.  A row per request cost MariaDB
 * 13-16 us of CPU per request on two cores, and /v1/evaluate half its
 * throughput (bench/notes.md); a row per caller and action per second
 * says the same of who used it and when, to the second.
 *
 * Why a thread: a request thread that wrote the batch held its worker's
 * other threads through the COMMIT (650 ms once under the sanitizer and
 * a loaded MariaDB), and nginx may hand any request to a kept connection
 * whose thread is busy writing.  Now a request takes the mutex only to
 * count; the writer swaps the full table (fill) for the empty one (out)
 * and writes out with the mutex released.  A failed write keeps out for
 * the next try, a second later; meanwhile requests still count into
 * fill, and only a request with a new caller or action that finds fill
 * full is refused (503), so nothing runs unlogged and memory stays
 * bounded.  A worker killed loses what it had not written.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "service/access_queue.h"
#include "service/budget.h"
#include "service/scoreboard.h"

enum { RETRY_MS = 1000 };

int access_queue_init(access_queue *q, store *(*connect)(void *arg), void *arg)
{
    memset(q, 0, sizeof *q);
    q->fill = q->slots[0];
    q->out = q->slots[1];
    q->connect = connect;
    q->arg = arg;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) return -1;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);       /* sb_now_ms's clock */
    int rc = pthread_cond_init(&q->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) return -1;
    return pthread_mutex_init(&q->mu, NULL) != 0 ? -1 : 0;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int same(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* The count of this caller, action and target in fill, or NULL. */
static access_count *find(access_queue *q, const char *client, const char *role, const char *action,
                          const char *target)
{
    for (uint32_t i = 0; i < q->nfill; i++) {
        access_count *c = &q->fill[i];
        if (same(c->action, action) && same(c->client, client) && same(c->role, role) &&
            c->has_target == (target != NULL) && (!target || same(c->target, target)))
            return c;
    }
    return NULL;
}

/* A new count in fill (room checked by the caller); the writer is woken
 * by the first, which starts the batch's second, and at half full. */
static access_count *add_key(access_queue *q, const char *client, const char *role, const char *action,
                             const char *target)
{
    access_count *c = &q->fill[q->nfill];
    snprintf(c->client, sizeof c->client, "%s", client);
    snprintf(c->role, sizeof c->role, "%s", role);
    snprintf(c->action, sizeof c->action, "%s", action);
    c->has_target = target != NULL;
    snprintf(c->target, sizeof c->target, "%s", target ? target : "");
    c->requests = 0;
    if (!q->nfill) q->fill_since_ms = sb_now_ms();
    q->nfill++;
    if (q->nfill == 1 || q->nfill == ACCESS_KEYS / 2) pthread_cond_signal(&q->wake);
    return c;
}

int access_queue_add(access_queue *q, const char *client, const char *role, const char *action,
                     const char *target)
{
    return access_queue_add_at(q, client, role, action, target, now_us());
}

int access_queue_add_at(access_queue *q, const char *client, const char *role, const char *action,
                        const char *target, int64_t us)
{
    pthread_mutex_lock(&q->mu);
    access_count *c = find(q, client, role, action, target);
    if (!c && q->nfill < ACCESS_KEYS) c = add_key(q, client, role, action, target);
    if (c) {
        /* the clock was read before the lock: another thread may have
         * counted a later stamp first */
        if (!c->requests || us < c->first_us) c->first_us = us;
        if (!c->requests || us > c->last_us) c->last_us = us;
        c->requests++;
    }
    pthread_mutex_unlock(&q->mu);
    return c ? 0 : -1;
}

/* The rows of n counts, written and committed with the writer's store.
 * 0, or -1. */
static int write_counts(access_queue *q, const access_count *a, uint32_t n)
{
    store *db = q->connect(q->arg);
    if (!db) return -1;
    store_set_deadline(db, BUDGET_STORE_DEADLINE_MS);
    store_access rows[ACCESS_KEYS];
    char first[ACCESS_KEYS][64], last[ACCESS_KEYS][64];
    for (uint32_t i = 0; i < n; i++) {
        store_utc_format(a[i].first_us, first[i]);
        store_utc_format(a[i].last_us, last[i]);
        rows[i] = (store_access){.at = first[i], .last_at = last[i], .client = a[i].client, .role = a[i].role,
                                 .action = a[i].action, .target = a[i].has_target ? a[i].target : NULL,
                                 .requests = a[i].requests};
    }
    return store_access_log_many(db, rows, n) == STORE_OK ? 0 : -1;
}

/* Writes out with the mutex released (requests count into fill
 * meanwhile).  Called and returns with q->mu held.  0, or -1 (kept). */
static int write_out(access_queue *q)
{
    const access_count *out = q->out;
    uint32_t n = q->nout;
    pthread_mutex_unlock(&q->mu);
    int rc = write_counts(q, out, n);
    pthread_mutex_lock(&q->mu);
    if (rc == 0) {
        q->nout = 0;
    } else {
        q->retry_ms = sb_now_ms() + RETRY_MS;
        sb_count_access_log_failure();
    }
    return rc;
}

/* fill becomes out, out the empty fill (out is empty). */
static void swap(access_queue *q)
{
    access_count *t = q->out;
    q->out = q->fill;
    q->nout = q->nfill;
    q->fill = t;
    q->nfill = 0;
}

/* Sleeps until deadline_ms (sb_now_ms's clock), a wake-up or a stop. */
static void wait_until(access_queue *q, int64_t deadline_ms)
{
    struct timespec ts = {.tv_sec = deadline_ms / 1000, .tv_nsec = (deadline_ms % 1000) * 1000000L};
    pthread_cond_timedwait(&q->wake, &q->mu, &ts);
}

/* Is fill to be written now (out being empty): stopping, half full, or
 * its oldest count a batch old? */
static int fill_due(const access_queue *q, int64_t now)
{
    return !q->nout && q->nfill &&
           (q->stop || q->nfill >= ACCESS_KEYS / 2 || now - q->fill_since_ms >= ACCESS_BATCH_MS);
}

/* When the writer has work next, unless a request wakes it first: the
 * retry of a kept out, fill's batch second, or a batch from now. */
static int64_t next_due(const access_queue *q, int64_t now)
{
    if (q->nout) return q->retry_ms;
    if (q->nfill) return q->fill_since_ms + ACCESS_BATCH_MS;
    return now + ACCESS_BATCH_MS;
}

/* The writer: once a second (or at half full) swaps and writes; a failed
 * write is tried again every RETRY_MS; when stopped, writes what is left
 * once and leaves. */
static void *writer_main(void *arg)
{
    access_queue *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        int64_t now = sb_now_ms();
        if (fill_due(q, now)) swap(q);
        if (q->nout && (q->stop || now >= q->retry_ms)) {
            if (write_out(q) == 0 || !q->stop) continue;
            break;                          /* stopping, and the database is down */
        }
        if (q->stop) break;
        wait_until(q, next_due(q, now));
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int access_queue_start(access_queue *q)
{
    if (pthread_create(&q->writer, NULL, writer_main, q) != 0) return -1;
    q->started = 1;
    return 0;
}

static uint32_t requests_in(const access_count *a, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++) sum += a[i].requests;
    return sum;
}

uint32_t access_queue_stop(access_queue *q)
{
    if (!q->started) return requests_in(q->fill, q->nfill);
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->writer, NULL);
    q->started = 0;
    return requests_in(q->out, q->nout) + requests_in(q->fill, q->nfill);
}
