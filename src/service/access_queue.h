/*
 * access_queue.h - the playground's access log (evaluate, check, diff):
 * requests counted per caller and action in memory, written to the
 * access_log table by a thread of the worker's own (access_queue.c says
 * why).
 *
 * Ownership: the worker owns its queue (one, in worker.c's state) and the
 * writer thread.  The store connection connect() returns is used by the
 * writer alone but is the caller's: connect() opens it, and the caller
 * closes it after access_queue_stop.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_ACCESS_QUEUE_H
#define ELIGO_ACCESS_QUEUE_H

#include <pthread.h>
#include <stdint.h>
#include "store/store.h"

/* ACCESS_KEYS callers-and-actions a worker counts between two writes;
 * the writer writes every ACCESS_BATCH_MS, or at once when half of them
 * are taken. */
enum { ACCESS_KEYS = 64, ACCESS_BATCH_MS = 1000 };

/* The requests of one caller on one action (and target) since the last
 * write, and when the first and the last of them came (microseconds of
 * CLOCK_REALTIME). */
typedef struct access_count {
    char client[65], role[16], action[32], target[80];
    int has_target;
    uint32_t requests;
    int64_t first_us, last_us;
} access_count;

typedef struct access_queue {
    pthread_mutex_t mu;
    pthread_cond_t wake;           /* the writer's: counts to write, or stop */
    access_count slots[2][ACCESS_KEYS];
    access_count *fill;            /* counted into by requests */
    access_count *out;             /* being written, or kept after a failed write */
    uint32_t nfill, nout;
    int64_t fill_since_ms;         /* the oldest count in fill (sb_now_ms) */
    int64_t retry_ms;              /* a failed write is tried again then */
    int stop, started;
    pthread_t writer;
    store *(*connect)(void *arg);  /* the writer's store, or NULL when down */
    void *arg;
} access_queue;

/* Sets q up; connect(arg) gives the writer its store connection.
 * 0, or -1. */
int access_queue_init(access_queue *q, store *(*connect)(void *arg), void *arg);
/* Starts the writer thread (with the caller's signal mask).  0, or -1. */
int access_queue_start(access_queue *q);
/* Counts one request.  0, or -1 when its caller and action are new and
 * every slot is taken (the writer has not caught up, or the database is
 * down): the request is refused, so nothing goes unlogged. */
int access_queue_add(access_queue *q, const char *client, const char *role, const char *action,
                     const char *target);
/* access_queue_add() of a request that came at us (microseconds of
 * CLOCK_REALTIME), which it reads before it takes the lock: stamps may
 * arrive out of order, and a count keeps the earliest and the latest. */
int access_queue_add_at(access_queue *q, const char *client, const char *role, const char *action,
                        const char *target, int64_t us);
/* Stops the writer after one last write of everything counted; returns
 * the requests that could not be written (0 when all were). */
uint32_t access_queue_stop(access_queue *q);

#endif
