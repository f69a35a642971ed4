/*
 * pm.h - the size of the worker pool (php-fpm's pm = static | dynamic).
 *
 * The master keeps `master.target` workers of the current generation
 * (pctl.c forks what is missing, one at a time during a reload).  With
 * --pm static the target is --workers, always.  With --pm dynamic it
 * starts at --start-workers and, once a second (php-fpm's maintenance
 * cadence, PM_TICK_MS), pm_tick moves it between 1 and --workers by the
 * idle threads the scoreboard shows and the listen queue the master
 * samples, both looked at on every turn of the master's loop (50 ms) and
 * summed over the second (pm_window), since one look catches threads
 * between two requests as idle and a connection about to be accepted as
 * waiting:
 *   - fewer idle threads on average than --min-spare-threads, or
 *     connections waiting in the listen queue at half the looks or more
 *     (every thread busy: a worker accepts only with a thread free): start as
 *     many workers as cover the shortfall, and at least one, two, four...
 *     in the seconds of a growth that goes on (php-fpm doubles its spawn
 *     rate the same way), at most PM_SPAWN_MAX a second;
 *   - more idle threads on average than --max-spare-threads: ask one
 *     worker with no request in flight to stop gracefully
 *     (children_stop: it finishes what it holds and serves its kept
 *     connections until nginx lets go, as a reload's old workers do), so
 *     the pool shrinks by a worker a second at most.
 * Spares are counted in threads, not workers: a thread is what serves a
 * request (php-fpm's child), a worker with one busy thread of eight still
 * has seven to give, and counting whole idle workers would grow the pool
 * to the maximum under a light load spread over every worker.
 * Nothing moves while the pool is not settled: a reload rolling, a
 * worker that died being replaced, the crash back-off running.  A
 * worker recycling after --max-requests does not unsettle it.
 *
 * Ownership: the counts live in the master; pm_count publishes the pool's
 * size and idle threads to the scoreboard for /metrics.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_PM_H
#define ELIGO_PM_H

#include <stdint.h>

enum { PM_TICK_MS = 1000, PM_SPAWN_MAX = 4 };

/* The workers the master has not told to stop, as the scoreboard shows
 * them now. */
typedef struct pool_count {
    int alive;                /* of the current generation */
    int starting;             /* of those, not serving yet */
    int ready;                /* of those, serving (idle or busy) */
    int old_serving;          /* of older generations (a reload rolling) */
    int leaving;              /* of the current one, recycling (not counted above) */
    uint32_t idle_threads;    /* threads of every serving worker not in a request */
} pool_count;

/* The looks of the current second. */
typedef struct pm_window {
    uint32_t looks, queued_looks;  /* looks, and those that found a connection waiting */
    uint64_t idle_sum;             /* idle threads, summed over the looks */
    int rate;                      /* workers the next growth starts at least (doubles) */
} pm_window;

/* Sets the first target (--workers, or --start-workers when dynamic). */
void pm_init(void);
/* Counts the pool into pc and publishes its size and idle threads. */
void pm_count(pool_count *pc);
/* Dynamic pools: one look at pc every loop, and once a second grows
 * master.target or retires one idle worker (pc follows what it did).
 * Nothing for a static pool. */
void pm_tick(pool_count *pc, int64_t now_ms);

#endif
