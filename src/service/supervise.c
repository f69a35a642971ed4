/*
 * supervise.c - the crash back-off and the helper processes' life
 * (supervise.h says what and why).
 *
 * How it fits: pctl.c's loop calls helper_tick for each helper every
 * tick and children.c's reaper hands every pid that is not a worker to
 * helper_reaped; workers use backoff_crash/backoff_clear directly.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "service/scoreboard.h"
#include "service/conf.h"
#include "service/signals.h"
#include "service/supervise.h"

void backoff_crash(backoff *b, int64_t now_ms)
{
    b->delay_ms = b->delay_ms ? b->delay_ms * 2 : BACKOFF_FIRST_MS;
    if (b->delay_ms > BACKOFF_MAX_MS) b->delay_ms = BACKOFF_MAX_MS;
    b->until_ms = now_ms + b->delay_ms;
}

void backoff_clear(backoff *b)
{
    b->delay_ms = 0;
    b->until_ms = 0;
}

static void helper_start(void *arg)
{
    const helper *h = arg;
    h->main();
}

void helper_tick(helper *h, int64_t now_ms)
{
    if (h->pid || h->stopping || now_ms < h->bo.until_ms) return;
    pid_t pid = signals_fork(helper_start, h);
    if (pid < 0) {
        elog(LOG_L_ERROR, NULL, "%s: fork: %s", h->name, strerror(errno));
        h->bo.until_ms = now_ms + 1000;
        return;
    }
    h->pid = pid;
    h->started_ms = now_ms;
    elog(LOG_L_INFO, NULL, "%s %ld started", h->name, (long)pid);
}

int helper_reaped(helper *h, pid_t pid, int status)
{
    if (!h->pid || pid != h->pid) return 0;
    h->pid = 0;
    if (h->stopping) return 1;
    if (h->counter >= 0 && h->counter < SB_NHELPERS)
        __atomic_fetch_add(&sb->helper_respawns[h->counter], 1, __ATOMIC_RELAXED);
    int64_t now = sb_now_ms();
    if (now - h->started_ms < CRASH_WINDOW_MS) backoff_crash(&h->bo, now);
    else backoff_clear(&h->bo);
    elog(LOG_L_WARN, NULL, "%s %ld %s %d; respawning in %lld ms", h->name, (long)pid,
         WIFSIGNALED(status) ? "killed by signal" : "exited with code",
         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), (long long)h->bo.delay_ms);
    return 1;
}

void helper_stop(helper *h, int stop_timeout_s)
{
    h->stopping = 1;
    if (!h->pid) return;
    kill(h->pid, SIGTERM);
    kill(h->pid, SIGCONT);        /* a stopped helper cannot act on TERM */
    int64_t deadline = sb_now_ms() + (int64_t)stop_timeout_s * 1000;
    int status;
    while (waitpid(h->pid, &status, WNOHANG) == 0) {
        if (sb_now_ms() >= deadline) {
            elog(LOG_L_WARN, NULL, "%s %ld did not stop: SIGKILL", h->name, (long)h->pid);
            kill(h->pid, SIGKILL);
            waitpid(h->pid, &status, 0);
            break;
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    h->pid = 0;
}
