/*
 * pm.c - counting the pool, and the dynamic pool's once-a-second
 * maintenance (pm.h says what and why).
 *
 * How it fits: pctl.c's loop calls pm_count and pm_tick before it forks
 * what the target asks for and retires a reload's old workers; a worker
 * retired here is stopped by children_stop and reaped as asked to stop,
 * so it is never counted as a respawn (children.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "service/children.h"
#include "service/pctl.h"
#include "service/pm.h"
#include "service/scoreboard.h"

void pm_init(void)
{
    master.target = master.conf.pm == CONF_PM_DYNAMIC ? master.conf.start_workers : master.conf.workers;
    master.pm_next_ms = sb_now_ms() + PM_TICK_MS;
}

void pm_count(pool_count *pc)
{
    *pc = (pool_count){0};
    for (int i = 0; i < master.nchildren; i++) {
        const child *c = &master.children[i];
        const sb_slot *s = &sb->slots[c->slot];
        /* told to stop, or recycling (worker.c): leaving, accepting
         * nothing, so neither counted nor idle, and replaced at once; a
         * recycling one is counted apart, for pm_tick's settled test */
        if (c->stop_sent_ms) continue;
        if (__atomic_load_n(&s->leaving, __ATOMIC_RELAXED)) {
            if (c->generation == master.generation) pc->leaving++;
            continue;
        }
        int serving = s->state == SB_IDLE || s->state == SB_BUSY;
        if (serving) {
            uint32_t threads = __atomic_load_n(&s->threads, __ATOMIC_RELAXED);
            uint32_t busy = __atomic_load_n(&s->busy, __ATOMIC_RELAXED);
            pc->idle_threads += threads > busy ? threads - busy : 0;
        }
        if (c->generation != master.generation) {
            pc->old_serving++;
            continue;
        }
        pc->alive++;
        if (s->state == SB_STARTING) pc->starting++;
        else if (serving) pc->ready++;
    }
    __atomic_store_n(&sb->pool_running, (uint32_t)(pc->alive + pc->old_serving), __ATOMIC_RELAXED);
    __atomic_store_n(&sb->pool_idle_threads, pc->idle_threads, __ATOMIC_RELAXED);
}

/* Asks the youngest worker with no request in flight to stop; none when
 * every worker holds a request (only idle workers are retired, as in
 * php-fpm).  A leaving worker is no candidate: its slot shows SB_IDLE
 * until its last thread is gone (worker.c), and retiring it would lower
 * the target while no counted worker left, so the pool would never
 * settle again.  1 when one was asked. */
static int retire_one(uint32_t idle10)
{
    child *pick = NULL;
    for (int i = 0; i < master.nchildren; i++) {
        child *c = &master.children[i];
        const sb_slot *s = &sb->slots[c->slot];
        if (c->stop_sent_ms || c->generation != master.generation || s->state != SB_IDLE ||
            __atomic_load_n(&s->busy, __ATOMIC_RELAXED) != 0 || __atomic_load_n(&s->leaving, __ATOMIC_RELAXED))
            continue;
        if (!pick || c->started_ms > pick->started_ms) pick = c;
    }
    if (!pick) return 0;
    elog(LOG_L_INFO, NULL, "dynamic pool: %u.%u idle threads (max %d): retiring worker %ld (%d left)", idle10 / 10,
         idle10 % 10, master.conf.max_spare_threads, (long)pick->pid, master.target - 1);
    children_stop(pick);
    __atomic_fetch_add(&sb->pool_retired, 1, __ATOMIC_RELAXED);
    return 1;
}

/* Workers to start: the shortfall of idle threads in whole workers, or
 * one when connections kept waiting and no worker is already starting
 * for them; no fewer than the growth's rate, at most PM_SPAWN_MAX, never
 * past --workers. */
static int to_grow(const pool_count *pc, const pm_window *w, int waiting)
{
    const eligod_conf *cf = &master.conf;
    uint64_t min = (uint64_t)cf->min_spare_threads;
    int n = 0;
    if (w->idle_sum < min * w->looks)     /* fewer than min on average */
        n = (int)((min - w->idle_sum / w->looks + (uint64_t)cf->threads - 1) / (uint64_t)cf->threads);
    else if (waiting && !pc->starting)
        n = 1;
    if (n && n < w->rate) n = w->rate;
    if (n > PM_SPAWN_MAX) n = PM_SPAWN_MAX;
    if (n > cf->workers - master.target) n = cf->workers - master.target;
    return n;
}

/* One look: a starting worker's threads will be idle in a moment, so
 * they count as idle, or each second would start more for the same
 * shortfall. */
static void look(const pool_count *pc)
{
    pm_window *w = &master.pm;
    uint32_t idle = pc->idle_threads + (uint32_t)(pc->starting * master.conf.threads);
    w->idle_sum += idle;
    w->looks++;
    if (__atomic_load_n(&sb->listen_queue, __ATOMIC_RELAXED) > 0) w->queued_looks++;
}

/* The second is over: grow, or retire one worker, or nothing.  Idle
 * threads are logged as a mean in tenths (rounded down when short of
 * the minimum, up when above the maximum). */
static void decide(pool_count *pc, const pm_window *w)
{
    const eligod_conf *cf = &master.conf;
    int grow = to_grow(pc, w, w->queued_looks * 2 >= w->looks);
    if (grow > 0) {
        uint32_t mean10 = (uint32_t)(w->idle_sum * 10 / w->looks);
        elog(LOG_L_INFO, NULL, "dynamic pool: %u.%u idle threads (min %d), connections waiting at %u of %u looks: "
             "starting %d (%d of %d)", mean10 / 10, mean10 % 10, cf->min_spare_threads, w->queued_looks, w->looks,
             grow, master.target + grow, cf->workers);
        master.target += grow;
        master.pm.rate = grow * 2;      /* the next second, if the growth goes on */
        return;
    }
    if (w->idle_sum > (uint64_t)cf->max_spare_threads * w->looks && master.target > 1 &&
        retire_one((uint32_t)((w->idle_sum * 10 + w->looks - 1) / w->looks))) {
        master.target--;
        pc->alive--;
        pc->ready--;
    }
}

void pm_tick(pool_count *pc, int64_t now_ms)
{
    if (master.conf.pm != CONF_PM_DYNAMIC) return;
    /* a reload rolling, a worker missing, the crash back-off: the pool
     * is not settled, and what was seen meanwhile says nothing.  A worker
     * recycling after --max-requests is a planned replacement, not a
     * disturbance: until its replacement is forked it stands in for it,
     * so frequent recycles under load do not keep the pool from growing. */
    if (pc->old_serving || pc->alive > master.target || pc->alive + pc->leaving < master.target ||
        master.backoff.delay_ms) {
        master.pm = (pm_window){0};
        master.pm_next_ms = now_ms + PM_TICK_MS;
        return;
    }
    look(pc);
    if (now_ms < master.pm_next_ms) return;
    pm_window w = master.pm;
    master.pm = (pm_window){0};
    master.pm_next_ms = now_ms + PM_TICK_MS;
    decide(pc, &w);
}
