/*
 * h_metrics.c - GET /metrics: the scoreboard in Prometheus text format.
 *
 * Reads the shared counters (relaxed atomic loads: each number is whole,
 * the set is not one instant) and the worker slots.  nginx limits the
 * route to the loopback.  Decisions are counted by policy name, never by
 * a registry position: workers of two generations serve side by side
 * during a reload, and a name keeps its counter row (scoreboard.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"
#include <time.h>
#include "service/pctl.h"
#include "service/scoreboard.h"
#include "service/service.h"

static uint64_t ld(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

/* A metric of one sample without labels: HELP, TYPE and the value. */
static void one(buf *b, const char *name, const char *type, const char *help, long long v)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %lld\n", name, help, name, type, name, v);
}

/* A histogram of batch sizes (scoreboard.h, sb_count_batch): buckets of
 * at most 1, 2, 4, ... 128 rows, then +Inf; the sum is rows. */
static void batch_histogram(buf *b, const char *name, const char *help, int kind)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    uint64_t cum = 0;
    for (int k = 0; k < SB_NBATCH; k++) {
        cum += ld(&sb->batches[kind][k]);
        if (k < SB_NBATCH - 1) buf_printf(b, "%s_bucket{le=\"%d\"} %llu\n", name, 1 << k, (unsigned long long)cum);
        else buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
    }
    buf_printf(b, "%s_sum %llu\n%s_count %llu\n", name, (unsigned long long)ld(&sb->batch_rows[kind]), name,
               (unsigned long long)cum);
}

/* The committer's figures (committer.c), when it runs. */
static void commit_metrics(buf *b)
{
    one(b, "eligo_commit_queue", "gauge", "Decisions the committer has read and not yet committed.",
        (long long)__atomic_load_n(&sb->commit_queue, __ATOMIC_RELAXED));
    batch_histogram(b, "eligo_commit_batch_rows", "Decisions per COMMIT of the committer.", SB_BATCH_COMMIT);
}

/* The sequencer's figures (sequencer_child.c).  Decisions waiting for a
 * checkpoint: those stored since start less those numbered since start
 * (rows left by an earlier run are numbered by the first round). */
static void checkpoint_metrics(buf *b)
{
    uint64_t stored = sb_decisions_total();
    uint64_t numbered = ld(&sb->cp_numbered);
    buf_printf(b, "# HELP eligo_checkpoints_total Sequencer rounds, by result.\n"
                  "# TYPE eligo_checkpoints_total counter\n"
                  "eligo_checkpoints_total{result=\"signed\"} %llu\neligo_checkpoints_total{result=\"error\"} %llu\n",
               (unsigned long long)ld(&sb->cp_signed), (unsigned long long)ld(&sb->cp_errors));
    one(b, "eligo_checkpoint_tree_size", "gauge", "Decisions under the last signed checkpoint.",
        (long long)ld(&sb->cp_tree_size));
    one(b, "eligo_checkpoint_last_seconds", "gauge",
        "When the last checkpoint was signed, since the Unix epoch (0: none yet).",
        (long long)__atomic_load_n(&sb->cp_last_unix, __ATOMIC_RELAXED));
    one(b, "eligo_decisions_unprotected", "gauge", "Decisions stored since start and not yet under a checkpoint.",
        (long long)(stored > numbered ? stored - numbered : 0));
    /* an age to alert on directly; before the first checkpoint, since start */
    int64_t last = __atomic_load_n(&sb->cp_last_unix, __ATOMIC_RELAXED);
    int64_t age = (int64_t)time(NULL) - (last ? last : sb->start_time_s);
    one(b, "eligo_checkpoint_age_seconds", "gauge",
        "Seconds since the last checkpoint was signed (since start when none yet).", (long long)(age > 0 ? age : 0));
    batch_histogram(b, "eligo_checkpoint_batch_rows", "Decisions added per signed checkpoint.", SB_BATCH_CHECKPOINT);
}

/* The pool as the master counts it (pm.c): its size and idle threads,
 * and the workers forked and retired since start. */
static void pool_metrics(buf *b)
{
    one(b, "eligo_workers_running", "gauge",
        "Workers not told to stop (--workers, or between 1 and --workers with --pm dynamic).",
        (long long)__atomic_load_n(&sb->pool_running, __ATOMIC_RELAXED));
    one(b, "eligo_workers_max", "gauge", "The most workers the pool may run (--workers).", master.conf.workers);
    one(b, "eligo_threads_idle", "gauge", "Threads of those workers not in a request (sampled every 50 ms).",
        (long long)__atomic_load_n(&sb->pool_idle_threads, __ATOMIC_RELAXED));
    one(b, "eligo_workers_spawned_total", "counter",
        "Workers forked since start: the first pool, replacements, a dynamic pool's growth.",
        (long long)ld(&sb->pool_spawned));
    one(b, "eligo_workers_retired_total", "counter",
        "Workers a dynamic pool stopped for idle threads above --max-spare-threads.",
        (long long)ld(&sb->pool_retired));
}

void h_metrics(service *sv, const http_request *rq, http_response *rs, const route_match *m)
{
    (void)rq, (void)m;
    buf *b = &rs->body;
    rs->status = 200;
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (!sb) return;

    buf_adds(b, "# HELP eligo_requests_total Requests answered, by route and status.\n"
                "# TYPE eligo_requests_total counter\n");
    for (int r = 0; r <= SB_NROUTES; r++) {
        const char *name = r < SB_NROUTES ? routes_metric_name(r) : "none";
        if (!name) continue;
        for (int s = 0; s < SB_NSTATUS; s++) {
            uint64_t n = ld(&sb->requests[r][s]);
            if (!n) continue;
            int code = sb_status_code(s);
            if (code) buf_printf(b, "eligo_requests_total{route=\"%s\",status=\"%d\"} %llu\n", name, code,
                                 (unsigned long long)n);
            else buf_printf(b, "eligo_requests_total{route=\"%s\",status=\"other\"} %llu\n", name,
                            (unsigned long long)n);
        }
    }
    buf_adds(b, "# HELP eligo_request_duration_seconds Time in eligod per request, by route.\n"
                "# TYPE eligo_request_duration_seconds histogram\n");
    for (int r = 0; r <= SB_NROUTES; r++) {
        const char *name = r < SB_NROUTES ? routes_metric_name(r) : "none";
        if (!name) continue;
        uint64_t cum = 0;
        for (int k = 0; k < SB_NBUCKETS; k++) cum += ld(&sb->latency[r][k]);
        if (!cum) continue;
        cum = 0;
        for (int k = 0; k < SB_NBUCKETS; k++) {
            cum += ld(&sb->latency[r][k]);
            if (k < SB_NBUCKETS - 1)
                buf_printf(b, "eligo_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", name,
                           sb_bucket_ms[k] / 1000.0, (unsigned long long)cum);
            else
                buf_printf(b, "eligo_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", name,
                           (unsigned long long)cum);
        }
        buf_printf(b, "eligo_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
                   (double)ld(&sb->latency_sum_us[r]) / 1e6);
        buf_printf(b, "eligo_request_duration_seconds_count{route=\"%s\"} %llu\n", name, (unsigned long long)cum);
    }
    /* by name (scoreboard.h): every policy served since start, whichever
     * generation's worker answers this */
    buf_adds(b, "# HELP eligo_decisions_total Decisions made, by policy.\n"
                "# TYPE eligo_decisions_total counter\n");
    uint32_t nnames = __atomic_load_n(&sb->npolicy_names, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < nnames; i++)
        buf_printf(b, "eligo_decisions_total{policy=\"%s\"} %llu\n", sb->policy_names[i],
                   (unsigned long long)ld(&sb->decisions[i]));
    buf_printf(b, "# HELP eligo_reloads_total SIGHUP reloads, by result.\n# TYPE eligo_reloads_total counter\n"
                  "eligo_reloads_total{result=\"ok\"} %llu\neligo_reloads_total{result=\"failed\"} %llu\n",
               (unsigned long long)ld(&sb->reloads_ok), (unsigned long long)ld(&sb->reloads_failed));
    buf_printf(b, "# HELP eligo_child_respawns_total Children that died unasked and were replaced, by kind.\n"
                  "# TYPE eligo_child_respawns_total counter\n"
                  "eligo_child_respawns_total{child=\"worker\"} %llu\n"
                  "eligo_child_respawns_total{child=\"committer\"} %llu\n"
                  "eligo_child_respawns_total{child=\"sequencer\"} %llu\n",
               (unsigned long long)ld(&sb->respawns),
               (unsigned long long)ld(&sb->helper_respawns[SB_HELPER_COMMITTER]),
               (unsigned long long)ld(&sb->helper_respawns[SB_HELPER_SEQUENCER]));
    one(b, "eligo_requests_killed_total", "counter", "Workers killed past the request timeout.",
        (long long)ld(&sb->killed_slow));
    int count[5] = {0};
    for (uint32_t i = 0; i < sb->nslots; i++) {
        int st = sb->slots[i].state;
        if (st > SB_FREE && st <= SB_STOPPING) count[st]++;
    }
    buf_printf(b, "# HELP eligo_workers Worker processes by state.\n# TYPE eligo_workers gauge\n"
                  "eligo_workers{state=\"starting\"} %d\neligo_workers{state=\"idle\"} %d\n"
                  "eligo_workers{state=\"busy\"} %d\neligo_workers{state=\"stopping\"} %d\n",
               count[SB_STARTING], count[SB_IDLE], count[SB_BUSY], count[SB_STOPPING]);
    pool_metrics(b);
    buf_printf(b, "# HELP eligo_listen_queue Connections waiting to be accepted (sampled every %d ms).\n"
                  "# TYPE eligo_listen_queue gauge\neligo_listen_queue %u\n"
                  "# HELP eligo_listen_queue_peak The longest listen queue sampled since start.\n"
                  "# TYPE eligo_listen_queue_peak gauge\neligo_listen_queue_peak %u\n"
                  "# HELP eligo_listen_backlog The listen socket's backlog.\n"
                  "# TYPE eligo_listen_backlog gauge\neligo_listen_backlog %u\n",
               PCTL_LOOP_MS, __atomic_load_n(&sb->listen_queue, __ATOMIC_RELAXED),
               __atomic_load_n(&sb->listen_queue_peak, __ATOMIC_RELAXED),
               __atomic_load_n(&sb->listen_backlog, __ATOMIC_RELAXED));
    one(b, "eligo_generation", "gauge", "Policy generation (grows with each good reload).", sb->generation);
    one(b, "eligo_policies", "gauge", "Policies loaded in this worker.", sv->reg ? sv->reg->npolicies : 0);
    buf_printf(b, "# HELP eligo_build_info The eligod answering, as a label.\n# TYPE eligo_build_info gauge\n"
                  "eligo_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
    one(b, "process_start_time_seconds", "gauge", "Start time of the master since the Unix epoch.",
        (long long)sb->start_time_s);
    if (master.conf.checkpoint_key) checkpoint_metrics(b);
    if (master.conf.db && master.conf.group_commit > 0) commit_metrics(b);
    if (master.conf.db) {
        one(b, "eligo_database_up", "gauge", "0 while the pool holds the database for unreachable.",
            sb_db_down_until() > sb_now_ms() ? 0 : 1);
        one(b, "eligo_access_log_write_failures_total", "counter",
            "Writes to access_log that failed (the request refused, or the playground's counts kept for the next try).",
            (long long)ld(&sb->access_log_failures));
    }
}
