/*
 * children.c - fork, reap, respawn with back-off, stop with escalation.
 *
 * The respawn itself is decided by pctl.c's loop (it knows how many
 * workers each generation needs); this file keeps the child table and
 * the crash delay honest.
 *
 * The crash delay (supervise.h, shared with the committer and the
 * sequencer) is for workers that cannot start: only a death within
 * CRASH_WINDOW_MS of the fork, before the first request was served,
 * grows it.  A worker that served requests and was then killed (the OOM
 * killer, an operator, the request timeout) is replaced at once, and the
 * delay is dropped as soon as a worker of the current generation is
 * ready and has served a request or lived through the window: under
 * --max-requests workers are always young, and a delay that outlived
 * the fault would hold back every recycle's replacement and drain the
 * pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "service/children.h"
#include "service/committer.h"
#include "service/scoreboard.h"
#include "service/sequencer_child.h"
#include "service/signals.h"
#include "service/worker.h"

static int free_slot(void)
{
    for (uint32_t i = 0; i < sb->nslots; i++)
        if (sb->slots[i].state == SB_FREE) return (int)i;
    return -1;
}

/* A new worker: the master's copy of the child table means nothing here. */
static void worker_start(void *arg)
{
    int slot = *(const int *)arg;
    sb->slots[slot].pid = getpid();
    worker_main(&master.conf, master.reg, master.listen_fd, slot);
}

int children_spawn(void)
{
    int slot = free_slot();
    if (slot < 0) {
        elog(LOG_L_WARN, NULL, "no free scoreboard slot; worker not started");
        return -1;
    }
    if (master.nchildren == master.cap) {
        int cap = master.cap ? master.cap * 2 : 16;
        child *c = realloc(master.children, sizeof(child) * (size_t)cap);
        if (!c) return -1;
        master.children = c;
        master.cap = cap;
    }
    sb_slot *s = &sb->slots[slot];
    memset(s, 0, sizeof *s);
    s->state = SB_STARTING;
    s->generation = master.generation;

    pid_t pid = signals_fork(worker_start, &slot);
    if (pid < 0) {
        s->state = SB_FREE;
        elog(LOG_L_ERROR, NULL, "fork: %s", strerror(errno));
        return -1;
    }
    s->pid = pid;
    __atomic_fetch_add(&sb->pool_spawned, 1, __ATOMIC_RELAXED);
    child *c = &master.children[master.nchildren++];
    memset(c, 0, sizeof *c);
    c->pid = pid;
    c->slot = slot;
    c->generation = master.generation;
    c->started_ms = sb_now_ms();
    return 0;
}

int children_reap(void)
{
    int n = 0, status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int i;
        for (i = 0; i < master.nchildren; i++)
            if (master.children[i].pid == pid) break;
        if (i == master.nchildren) {
            /* a helper, or not ours at all */
            if (!committer_reaped(pid, status)) sequencer_reaped(pid, status);
            continue;
        }
        child c = master.children[i];
        master.children[i] = master.children[--master.nchildren];
        sb_slot *s = &sb->slots[c.slot];
        uint64_t served = s->requests;
        memset(s, 0, sizeof *s);      /* SB_FREE */
        n++;

        int64_t now = sb_now_ms(), lived = now - c.started_ms;
        char how[64];
        if (WIFEXITED(status))
            snprintf(how, sizeof how, "exited with code %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            snprintf(how, sizeof how, "killed by signal %d%s", WTERMSIG(status),
                     WCOREDUMP(status) ? " (core dumped)" : "");
        else
            snprintf(how, sizeof how, "ended (status %d)", status);

        int asked = c.stop_sent_ms != 0 || master.state == PCTL_TERMINATING;
        int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (asked || (clean && c.generation != master.generation)) {
            elog(LOG_L_INFO, NULL, "worker %ld (generation %d) %s after %llu requests", (long)pid,
                 c.generation, how, (unsigned long long)served);
            continue;
        }
        if (clean) {
            /* recycled after --max-requests: replace at once */
            elog(LOG_L_INFO, NULL, "worker %ld recycled after %llu requests", (long)pid,
                 (unsigned long long)served);
            continue;
        }
        __atomic_fetch_add(&sb->respawns, 1, __ATOMIC_RELAXED);
        if (lived < CRASH_WINDOW_MS && served == 0) backoff_crash(&master.backoff, now);
        else backoff_clear(&master.backoff);
        elog(LOG_L_WARN, NULL, "worker %ld %s after %lld ms and %llu requests; respawning in %lld ms",
             (long)pid, how, (long long)lived, (unsigned long long)served,
             (long long)(master.backoff.until_ms > now ? master.backoff.until_ms - now : 0));
    }
    return n;
}

void children_stop(child *c)
{
    int64_t now = sb_now_ms();
    if (!c->stop_sent_ms) c->stop_sent_ms = now;
    c->last_signal_ms = now;
    if (sb->slots[c->slot].state != SB_BUSY) sb->slots[c->slot].state = SB_STOPPING;
    kill(c->pid, SIGTERM);
}

void children_tick(int64_t now)
{
    for (int i = 0; i < master.nchildren; i++) {
        child *c = &master.children[i];
        sb_slot *s = &sb->slots[c->slot];
        if (master.backoff.delay_ms && c->generation == master.generation && !c->stop_sent_ms &&
            (s->state == SB_IDLE || s->state == SB_BUSY) &&
            (s->requests > 0 || now - c->started_ms >= CRASH_WINDOW_MS)) {
            elog(LOG_L_INFO, NULL, "worker %ld is serving: respawn delay of %lld ms dropped", (long)c->pid,
                 (long long)master.backoff.delay_ms);
            backoff_clear(&master.backoff);
        }
        if (c->stop_sent_ms) {
            int limit_s = master.fast_stop ? PCTL_FAST_STOP_S : master.conf.stop_timeout;
            if (now - c->stop_sent_ms > (int64_t)limit_s * 1000) {
                if (now - c->last_signal_ms >= 1000) {
                    elog(LOG_L_WARN, NULL, "worker %ld did not stop within %d s: SIGKILL", (long)c->pid,
                         limit_s);
                    kill(c->pid, SIGKILL);
                    c->last_signal_ms = now;
                }
            } else if (now - c->last_signal_ms >= 1000) {
                kill(c->pid, SIGTERM);
                c->last_signal_ms = now;
            }
            continue;
        }
        int64_t start = __atomic_load_n(&s->request_start_ms, __ATOMIC_RELAXED);
        if (s->state == SB_BUSY && start && now - start > (int64_t)master.conf.request_timeout * 1000) {
            elog(LOG_L_ERROR, s->request_id, "worker %ld exceeded the request timeout (%d s): SIGKILL",
                 (long)c->pid, master.conf.request_timeout);
            __atomic_fetch_add(&sb->killed_slow, 1, __ATOMIC_RELAXED);
            kill(c->pid, SIGKILL);
            /* reaped as a crash: replaced, with the usual back-off */
            s->request_start_ms = 0;
        }
    }
}
