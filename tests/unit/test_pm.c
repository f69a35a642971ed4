/*
 * test_pm.c - the dynamic pool's decisions (src/service/pm.c) on a
 * made-up scoreboard, without forking: the test owns the master's state,
 * the scoreboard and the clock, and stands in for children_stop (it
 * records the worker asked to stop) and for elog.  Each loop is what
 * pctl.c's maintain_pool does every 50 ms: pm_count, pm_tick, then fork
 * what the target asks for (here: a slot in SB_STARTING).  The expected
 * targets are worked out beside each test from pm.h's rules: grow by the
 * shortfall of idle threads in whole workers (or one for a listen queue
 * seen at half the looks), at least 1, 2, 4 in a growth that goes on, at
 * most PM_SPAWN_MAX a second and never past --workers; retire the
 * youngest wholly idle worker above --max-spare-threads, one a second,
 * never the last; nothing while a reload rolls, a worker is missing or
 * the back-off runs; a leaving (recycling) worker neither counted nor
 * idle nor retired.  tests/integration/pool.sh checks the same rules
 * against real workers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "service/children.h"
#include "service/pctl.h"
#include "service/pm.h"
#include "service/scoreboard.h"

enum { NSLOTS = 32, LOOPS = 20 };   /* looks a second: PM_TICK_MS / PCTL_LOOP_MS */

master_state master;
scoreboard *sb;
static int64_t now_ms;
static pid_t stopped[NSLOTS];       /* pids children_stop was called for, in order */
static int nstopped;

int64_t sb_now_ms(void) { return now_ms; }

void elog(int level, const char *rid, const char *fmt, ...)
{
    (void)level, (void)rid, (void)fmt;
}

/* As children.c's, less the signal. */
void children_stop(child *c)
{
    if (!c->stop_sent_ms) c->stop_sent_ms = now_ms;
    if (sb->slots[c->slot].state != SB_BUSY) sb->slots[c->slot].state = SB_STOPPING;
    stopped[nstopped++] = c->pid;
}

/* A dynamic pool of at most `workers` of `threads`, pm_init at 1000 ms;
 * no worker yet.  The first loop runs at 1050 ms, so each second below
 * is LOOPS looks and its decision falls on the last. */
static int setup(int workers, int threads, int min, int max, int start)
{
    free(sb);
    free(master.children);
    memset(&master, 0, sizeof master);
    sb = calloc(1, sizeof *sb + NSLOTS * sizeof(sb_slot));
    master.children = calloc(NSLOTS, sizeof(child));
    if (!sb || !master.children) return -1;
    sb->nslots = NSLOTS;
    master.cap = NSLOTS;
    master.generation = 1;
    master.conf.pm = CONF_PM_DYNAMIC;
    master.conf.workers = workers;
    master.conf.threads = threads;
    master.conf.min_spare_threads = min;
    master.conf.max_spare_threads = max;
    master.conf.start_workers = start;
    nstopped = 0;
    now_ms = 1000;
    pm_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(sb);
    free(master.children);
    sb = NULL;
    master.children = NULL;
    return 0;
}

/* A worker of the given generation in slot i (pid 100 + i), started at
 * now_ms; ready ones have every thread up, `busy` of them in a request. */
static child *add_worker(int generation, int state, uint32_t busy)
{
    int i = master.nchildren++;
    child *c = &master.children[i];
    *c = (child){.pid = 100 + i, .slot = i, .generation = generation, .started_ms = now_ms};
    sb->slots[i] = (sb_slot){.pid = c->pid, .generation = generation, .state = state};
    if (state != SB_STARTING) sb->slots[i].threads = (uint32_t)master.conf.threads;
    sb->slots[i].busy = busy;
    if (state == SB_IDLE && busy) sb->slots[i].state = SB_BUSY;
    return c;
}

static void ready_workers(int n)
{
    for (int i = 0; i < n; i++) add_worker(1, SB_IDLE, 0);
    master.target = n;
}

/* Every worker not told to stop, ready and with `busy` threads in a
 * request (the starting ones have started). */
static void set_busy(uint32_t busy)
{
    for (int i = 0; i < master.nchildren; i++) {
        sb_slot *s = &sb->slots[master.children[i].slot];
        if (master.children[i].stop_sent_ms) continue;
        s->threads = (uint32_t)master.conf.threads;
        s->busy = busy;
        s->state = busy ? SB_BUSY : SB_IDLE;
    }
}

/* One turn of the master's loop, 50 ms after the last, the listen queue
 * holding `queued`; forks (a starting slot) what the target asks for. */
static pool_count loop(uint32_t queued, int fork_missing)
{
    now_ms += PCTL_LOOP_MS;
    sb->listen_queue = queued;
    pool_count pc;
    pm_count(&pc);
    pm_tick(&pc, now_ms);
    while (fork_missing && pc.alive < master.target) {
        add_worker(master.generation, SB_STARTING, 0);
        pc.alive++;
    }
    return pc;
}

/* A second of LOOPS looks, the listen queue non-empty at the first
 * `queued_looks`; the target after its decision. */
static int second(int queued_looks)
{
    for (int i = 0; i < LOOPS; i++) loop(i < queued_looks ? 1 : 0, 1);
    return master.target;
}

/* Idle threads below the minimum on average grow the pool by the
 * shortfall in whole workers; a single look at none idle does not. */
static void grows_below_min_spare(void **state)
{
    (void)state;
    /* 2 workers of 4, min 6, max 10: 3 busy in each leaves 2 idle < 6,
     * a shortfall of 4 threads = 1 worker */
    assert_int_equal(setup(8, 4, 6, 10, 2), 0);
    ready_workers(2);
    set_busy(3);
    assert_int_equal(second(0), 3);
    assert_int_equal(master.nchildren, 3);
    assert_int_equal(sb->slots[2].state, SB_STARTING);

    /* 1 worker of 4, all busy, min 6: a shortfall of 6 threads = 2 workers */
    assert_int_equal(setup(8, 4, 6, 10, 1), 0);
    ready_workers(1);
    set_busy(4);
    assert_int_equal(second(0), 3);

    /* every thread busy at one look of 20, all 8 idle at the others:
     * 152 / 20 = 7.6 on average, above min 4: nothing */
    assert_int_equal(setup(8, 8, 4, 12, 1), 0);
    ready_workers(1);
    for (int i = 0; i < LOOPS; i++) {
        set_busy(i == 7 ? 8 : 0);
        loop(0, 1);
    }
    assert_int_equal(master.target, 1);

    /* 3.95 on average (one look at 3 of 4 idle, 19 at 4) is below min 4:
     * the mean, not the last look, decides */
    assert_int_equal(setup(8, 4, 4, 8, 1), 0);
    ready_workers(1);
    for (int i = 0; i < LOOPS; i++) {
        set_busy(i == 3 ? 1 : 0);
        loop(0, 1);
    }
    assert_int_equal(master.target, 2);
}

/* A starting worker's threads count as idle: the shortfall it covers
 * starts it once, not every second until it is ready. */
static void starting_counts_as_idle(void **state)
{
    (void)state;
    /* 1 worker of 4, all busy, min 4: +1; the new one still starting the
     * next second gives 4 idle, the minimum: nothing more */
    assert_int_equal(setup(8, 4, 4, 8, 1), 0);
    ready_workers(1);
    set_busy(4);
    assert_int_equal(second(0), 2);
    assert_int_equal(second(0), 2);
    assert_int_equal(master.nchildren, 2);
}

/* A growth that goes on starts at least 1, 2, 4, 4... workers a second,
 * never past --workers; a second without growth starts over at 1. */
static void growth_doubles_to_four(void **state)
{
    (void)state;
    /* 14 workers of 2 at most, min 2: every worker busy each second,
     * shortfall 1 worker: 1, then the rate 2, 4, 4, then the 2 left */
    assert_int_equal(setup(14, 2, 2, 4, 1), 0);
    ready_workers(1);
    const int want[] = {2, 4, 8, 12, 14, 14};
    for (int i = 0; i < 6; i++) {
        set_busy(2);
        assert_int_equal(second(0), want[i]);
    }
    assert_int_equal(master.nchildren, 14);

    /* 1 -> 2 -> 4, then a second at the minimum, then short again: 5 */
    assert_int_equal(setup(14, 2, 2, 4, 1), 0);
    ready_workers(1);
    set_busy(2);
    assert_int_equal(second(0), 2);
    set_busy(2);
    assert_int_equal(second(0), 4);
    /* 4 workers of 2, 1 busy in each: 4 idle, between min 2 and max 4 */
    set_busy(1);
    assert_int_equal(second(0), 4);
    set_busy(2);
    assert_int_equal(second(0), 5);
}

/* Connections in the listen queue at half the looks or more grow the
 * pool by one though threads look idle (pinned to kept connections);
 * not at fewer looks, not while a worker is starting, not past
 * --workers. */
static void grows_on_listen_queue(void **state)
{
    (void)state;
    /* 2 workers of 4 all idle, min 4, max 16: 8 idle, yet queued at 10
     * of 20 looks */
    assert_int_equal(setup(4, 4, 4, 16, 2), 0);
    ready_workers(2);
    assert_int_equal(second(9), 2);
    assert_int_equal(second(10), 3);
    /* the new one starting: the queue at every look starts no other */
    assert_int_equal(second(LOOPS), 3);
    /* ready, and queued again at every look: one more, then --workers */
    set_busy(0);
    assert_int_equal(second(LOOPS), 4);
    set_busy(0);
    assert_int_equal(second(LOOPS), 4);
    assert_int_equal(master.nchildren, 4);
}

/* Idle threads above the maximum on average retire the youngest worker
 * with no request in flight, one a second, down to what the maximum
 * allows, below --start-workers if need be. */
static void retires_one_a_second(void **state)
{
    (void)state;
    /* 4 workers of 4 idle, min 4, max 8: 16 > 8 */
    assert_int_equal(setup(8, 4, 4, 8, 4), 0);
    for (int i = 0; i < 4; i++) {
        now_ms += 10;      /* started one after the other: slot 3 youngest */
        add_worker(1, SB_IDLE, 0);
    }
    master.target = 4;
    now_ms = 1000;
    for (int i = 0; i < LOOPS - 1; i++) loop(0, 1);
    /* the count the loop goes on with follows the retirement */
    pool_count pc = loop(0, 1);
    assert_int_equal(master.target, 3);
    assert_int_equal(pc.alive, 3);
    assert_int_equal(pc.ready, 3);
    assert_int_equal(nstopped, 1);
    assert_int_equal(stopped[0], 103);
    assert_int_equal(__atomic_load_n(&sb->pool_retired, __ATOMIC_RELAXED), 1);
    /* 12 > 8: the next youngest; then 8 is not above 8 */
    assert_int_equal(second(0), 2);
    assert_int_equal(stopped[1], 102);
    assert_int_equal(second(0), 2);
    assert_int_equal(nstopped, 2);
    /* a retired worker is neither counted nor replaced */
    assert_int_equal(master.nchildren, 4);
    assert_int_equal(__atomic_load_n(&sb->pool_running, __ATOMIC_RELAXED), 2);
}

/* Only a worker with no thread in a request is retired: with one busy
 * thread in each, 12 idle of 16 above max 8 retire nothing. */
static void retires_only_idle_workers(void **state)
{
    (void)state;
    assert_int_equal(setup(8, 4, 4, 8, 4), 0);
    ready_workers(4);
    set_busy(1);
    assert_int_equal(second(0), 4);
    assert_int_equal(nstopped, 0);
}

/* Never the last worker, even under a maximum that one worker's idle
 * threads exceed (conf.c refuses such a maximum; pm.c holds anyway). */
static void never_below_one(void **state)
{
    (void)state;
    assert_int_equal(setup(8, 4, 1, 2, 1), 0);
    ready_workers(1);
    assert_int_equal(second(0), 1);
    assert_int_equal(second(0), 1);
    assert_int_equal(nstopped, 0);
}

/* Nothing moves while the pool is not settled, and a settled pool looks
 * a whole second before it decides again. */
static void still_while_unsettled(void **state)
{
    (void)state;
    /* a reload rolling: an old-generation worker still serves */
    assert_int_equal(setup(8, 4, 4, 8, 1), 0);
    ready_workers(1);
    set_busy(4);
    child *old = add_worker(0, SB_IDLE, 4);
    assert_int_equal(second(0), 1);
    assert_int_equal(second(0), 1);
    old->stop_sent_ms = now_ms;
    for (int i = 0; i < LOOPS - 1; i++) loop(0, 1);
    assert_int_equal(master.target, 1);
    loop(0, 1);
    assert_int_equal(master.target, 2);

    /* a worker missing (died, its replacement not forked yet) */
    assert_int_equal(setup(8, 4, 4, 8, 2), 0);
    ready_workers(2);
    set_busy(4);
    master.nchildren = 1;
    for (int i = 0; i < 2 * LOOPS; i++) loop(0, 0);
    assert_int_equal(master.target, 2);
    assert_int_equal(master.pm.looks, 0);

    /* the crash back-off running */
    assert_int_equal(setup(8, 4, 4, 8, 1), 0);
    ready_workers(1);
    set_busy(4);
    master.backoff.delay_ms = 250;
    assert_int_equal(second(0), 1);
    assert_int_equal(second(LOOPS), 1);
    master.backoff.delay_ms = 0;
    assert_int_equal(second(0), 2);

    /* a static pool never moves */
    assert_int_equal(setup(8, 4, 4, 8, 1), 0);
    master.conf.pm = CONF_PM_STATIC;
    ready_workers(1);
    set_busy(4);
    assert_int_equal(second(LOOPS), 1);
}

/* A leaving worker (past --max-requests, its replacement forked) and a
 * worker told to stop are neither counted nor idle; the leaving one of
 * this generation is counted apart (pm_tick's settled test), a leaving
 * one of a reload's old generation not at all. */
static void leaving_not_counted(void **state)
{
    (void)state;
    assert_int_equal(setup(8, 4, 4, 8, 2), 0);
    ready_workers(2);
    sb->slots[0].busy = 1;
    sb->slots[0].state = SB_BUSY;
    sb->slots[1].leaving = 1;
    add_worker(1, SB_STARTING, 0);       /* its replacement */
    child *told = add_worker(1, SB_IDLE, 0);
    told->stop_sent_ms = now_ms;
    add_worker(0, SB_IDLE, 2);           /* a reload's old worker, serving */
    add_worker(0, SB_IDLE, 0);           /* and one recycling */
    sb->slots[5].leaving = 1;
    pool_count pc;
    pm_count(&pc);
    assert_int_equal(pc.leaving, 1);
    assert_int_equal(pc.alive, 2);
    assert_int_equal(pc.starting, 1);
    assert_int_equal(pc.ready, 1);
    assert_int_equal(pc.old_serving, 1);
    assert_int_equal(pc.idle_threads, 3 + 2);
    assert_int_equal(__atomic_load_n(&sb->pool_running, __ATOMIC_RELAXED), 3);
    assert_int_equal(__atomic_load_n(&sb->pool_idle_threads, __ATOMIC_RELAXED), 5);
}

/* A worker recycling after --max-requests is replaced at once and does
 * not restart the second: two workers of 4 threads all busy (0 idle,
 * min 4) recycle one after 10 looks.  The 11th look is taken before
 * the loop forks the replacement, so it sees 0 idle too; the starting
 * replacement's 4 threads count as idle at the 9 looks left: the mean
 * is (11 x 0 + 9 x 4) / 20 = 1.8 < 4, 4 - 36 / 20 = 3 threads short in
 * to_grow's whole numbers, one worker more at the second's end (3).
 * With the second restarted at the recycle it would still be 2 there. */
static void recycle_keeps_the_second(void **state)
{
    (void)state;
    assert_int_equal(setup(8, 4, 4, 8, 2), 0);
    ready_workers(2);
    set_busy(4);
    assert_int_equal(LOOPS, 20);
    for (int i = 0; i < LOOPS / 2; i++) loop(0, 1);
    sb->slots[1].leaving = 1;
    for (int i = 0; i < LOOPS / 2 - 1; i++) loop(0, 1);
    assert_int_equal(master.nchildren, 3);      /* the replacement forked */
    assert_int_equal(master.target, 2);
    assert_int_equal(master.pm.looks, 19);
    assert_int_equal(master.pm.idle_sum, 8 * 4);
    loop(0, 1);
    assert_int_equal(master.target, 3);

    /* a worker that died (gone from the children, nothing leaving) still
     * restarts the second */
    assert_int_equal(setup(8, 4, 4, 8, 2), 0);
    ready_workers(2);
    set_busy(4);
    for (int i = 0; i < LOOPS / 2; i++) loop(0, 1);
    master.nchildren = 1;
    for (int i = 0; i < LOOPS / 2; i++) loop(0, 1);
    assert_int_equal(master.target, 2);
}

/* A leaving worker still shows SB_IDLE while its threads drain (worker.c
 * marks it stopping only when all have left): retiring it would take
 * the target down with no worker of the pool leaving, and the pool,
 * alive above its target, would never settle again.  The youngest
 * worker with no request in flight is retired instead, or none. */
static void retire_skips_leaving(void **state)
{
    (void)state;
    /* slot 0 busy (1 of 4), slot 1 the youngest ready one but leaving,
     * slot 2 its replacement starting: 3 + 4 idle-or-starting = 7; with
     * max 6 that is a surplus, and no worker of the pool may go */
    assert_int_equal(setup(8, 4, 2, 6, 2), 0);
    add_worker(1, SB_IDLE, 1);
    now_ms += 10;
    add_worker(1, SB_IDLE, 0);
    sb->slots[1].leaving = 1;
    now_ms += 10;
    add_worker(1, SB_STARTING, 0);
    master.target = 2;
    now_ms = 1000;
    assert_int_equal(second(0), 2);
    assert_int_equal(nstopped, 0);
    /* the pool still settled: a second of shortfall grows it */
    sb->slots[0].busy = 4;
    sb->slots[2].state = SB_BUSY;
    sb->slots[2].threads = 4;
    sb->slots[2].busy = 4;
    assert_int_equal(second(0), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(grows_below_min_spare, teardown),
        cmocka_unit_test_teardown(starting_counts_as_idle, teardown),
        cmocka_unit_test_teardown(growth_doubles_to_four, teardown),
        cmocka_unit_test_teardown(grows_on_listen_queue, teardown),
        cmocka_unit_test_teardown(retires_one_a_second, teardown),
        cmocka_unit_test_teardown(retires_only_idle_workers, teardown),
        cmocka_unit_test_teardown(never_below_one, teardown),
        cmocka_unit_test_teardown(still_while_unsettled, teardown),
        cmocka_unit_test_teardown(leaving_not_counted, teardown),
        cmocka_unit_test_teardown(retire_skips_leaving, teardown),
        cmocka_unit_test_teardown(recycle_keeps_the_second, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
