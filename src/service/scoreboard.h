/*
 * scoreboard.h - shared memory between the master and its workers.
 *
 * One anonymous MAP_SHARED mapping made before the first fork (php-fpm's
 * fpm_scoreboard): a slot per worker (pid, generation, state, start of
 * the request in progress, requests served) and pool counters for
 * /metrics (requests by route and status, a latency histogram per route,
 * decisions by policy name, reloads, respawns of workers and helpers,
 * the pool's size and idle threads, workers spawned and retired,
 * the committer's and sequencer's batch sizes, access_log write
 * failures).  Counters are updated with
 * relaxed atomic adds, so no lock is taken on the request path and a
 * reader (h_metrics.c, the master's heartbeat) sees each number whole,
 * though not all of them at one instant.
 *
 * Ownership: the mapping lives as long as the master; workers inherit it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_SCOREBOARD_H
#define ELIGO_SCOREBOARD_H

#include <stdint.h>
#include <sys/types.h>
#include "service/route_ids.h"

enum sb_state { SB_FREE, SB_STARTING, SB_IDLE, SB_BUSY, SB_STOPPING };

/* One row of request counters per route, and one for requests that
 * matched none. */
enum { SB_NROUTES = ROUTE_COUNT };
enum { SB_MAX_POLICIES = 64, SB_NBUCKETS = 10, SB_POLICY_NAME = 64 };
/* The helper processes whose respawns are counted (supervise.h). */
enum { SB_HELPER_COMMITTER, SB_HELPER_SEQUENCER, SB_NHELPERS };
/* Batches counted by size: the committer's commits and the sequencer's
 * signed rounds, in buckets of at most 1, 2, 4, ... 128 rows, then +Inf. */
enum { SB_BATCH_COMMIT, SB_BATCH_CHECKPOINT, SB_NBATCH_KINDS };
enum { SB_NBATCH = 9 };

/* Status codes counted one by one; everything else goes to "other". */
#define SB_STATUSES(X) X(200) X(201) X(400) X(401) X(403) X(404) X(405) X(409) \
    X(413) X(415) X(422) X(500) X(503)
/* The codes above and "other". */
#define SB_COUNT_ONE(c) +1
enum { SB_NSTATUS = 0 SB_STATUSES(SB_COUNT_ONE) + 1 };

/* Upper bounds of the latency buckets, in milliseconds (+Inf is last). */
extern const double sb_bucket_ms[SB_NBUCKETS - 1];

typedef struct sb_slot {
    pid_t pid;
    int generation;          /* which registry the worker serves */
    int state;               /* sb_state */
    int64_t request_start_ms;/* monotonic, while SB_BUSY */
    uint64_t requests;
    int leaving;             /* set by the worker: past --max-requests, it accepts
                              * no new connection; the master replaces it at once */
    uint32_t threads;        /* threads started (worker.c), 0 while starting */
    uint32_t busy;           /* of them, threads in a request: the rest are idle */
    char request_id[40];     /* of the request in progress (slow log) */
} sb_slot;

typedef struct scoreboard {
    uint32_t nslots;
    int generation;          /* current registry */
    uint64_t reloads_ok, reloads_failed, respawns, killed_slow;
    uint64_t requests[SB_NROUTES + 1][SB_NSTATUS];       /* last row: no route */
    uint64_t latency[SB_NROUTES + 1][SB_NBUCKETS];
    uint64_t latency_sum_us[SB_NROUTES + 1];
    /* decisions by policy name: a name keeps its row across reloads, so a
     * worker of any generation counts under the right name (sb_bind_policy) */
    uint64_t decisions[SB_MAX_POLICIES];
    char policy_names[SB_MAX_POLICIES][SB_POLICY_NAME];     /* written by the master only */
    uint32_t npolicy_names;                                  /* rows in use */
    int64_t start_time_s;                                    /* the master's start, Unix time */
    uint64_t helper_respawns[SB_NHELPERS];                   /* committer, sequencer */
    /* written by the sequencer child after each round (sequencer_child.c) */
    uint64_t cp_signed, cp_errors;                           /* rounds that signed, that failed */
    uint64_t cp_numbered;                                    /* decisions it numbered since start */
    uint64_t cp_tree_size;                                   /* of the last checkpoint signed */
    int64_t cp_last_unix;                                    /* when it was signed, 0 none yet */
    int64_t db_down_until_ms;    /* a worker found the database refusing or hanging:
                                  * every worker answers 503 at once until then */
    uint32_t listen_queue, listen_queue_peak, listen_backlog;  /* sampled by the master */
    uint32_t commit_queue;                    /* rows the committer read and has not committed */
    uint64_t batches[SB_NBATCH_KINDS][SB_NBATCH];            /* batches by size (sb_count_batch) */
    uint64_t batch_rows[SB_NBATCH_KINDS];                    /* rows in them */
    uint64_t access_log_failures;                            /* access_log writes that failed (routes.c) */
    /* the pool, counted by the master (pctl.c, pm.c) */
    uint32_t pool_running;       /* workers of the current pool not told to stop */
    uint32_t pool_idle_threads;  /* their threads not in a request */
    uint64_t pool_spawned;       /* workers forked since start, for any reason */
    uint64_t pool_retired;       /* workers a dynamic pool stopped as surplus */
    sb_slot slots[];
} scoreboard;

extern scoreboard *sb;

/* Maps the scoreboard with nslots slots.  0 or -1. */
int scoreboard_init_main(uint32_t nslots);
int sb_status_index(int status);
int sb_status_code(int index);            /* 0 for "other" */
/* One finished request: route index (-1 none), status, duration. */
void sb_count_request(int route, int status, int64_t micros);
/* The master, for each policy of a registry it is about to serve:
 * binds registry index `index` to the counter row of `name` (the row it
 * had in an earlier generation, or a new one), in this process and so
 * in the workers it forks next.  0, or -1 when every row is taken (that
 * policy is then not counted). */
int sb_bind_policy(uint32_t index, const char *name);
/* One decision made with the registry's policy number `index` (counted
 * under the name bound to it): no lookup on the decision path. */
void sb_count_decision(uint32_t index);
/* One batch of n rows of kind SB_BATCH_*; the committer's queue; an
 * access_log write that failed.  For /metrics. */
void sb_count_batch(int kind, uint64_t n);
void sb_set_commit_queue(uint32_t n);
void sb_count_access_log_failure(void);
/* Decisions stored since the master started, over every policy. */
uint64_t sb_decisions_total(void);
int64_t sb_now_ms(void);
/* The shared "database down" time (monotonic ms, 0 none): read before a
 * request, raised after one that found the database unreachable. */
int64_t sb_db_down_until(void);
void sb_db_down_raise(int64_t until_ms);
/* The label of route counter `index` (routes.c's table), NULL past the
 * last route. */
const char *routes_metric_name(int index);

#endif
